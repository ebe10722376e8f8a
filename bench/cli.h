/* SPDX-License-Identifier: MIT */
/*
 * The command line and main() every benchmark shares: --quick,
 * --iterations N, --json FILE and --help, then the program's own options,
 * one report run, its JSON written, a failure named.
 */
#ifndef BENCH_CLI_H
#define BENCH_CLI_H

#include <getopt.h>
#include <stdbool.h>

#include "report.h"

struct bench_opts {
	bool quick;
	unsigned iterations; /* never 0 after parsing */
	const char *json;    /* NULL: stdout */
};

struct bench_program {
	const char *name;  /* the JSON's "benchmark" and the prefix of messages */
	const char *usage; /* for --help (stdout) and bad options (stderr) */
	unsigned iterations, quick_iterations; /* defaults of --iterations */
	/* The program's own options (may be NULL): getopt letters, long options
	 * ended by a zeroed entry, and what one of them does (0 or -EINVAL). */
	const char *shortopts;
	const struct option *longopts;
	int (*option)(void *opts, int c, const char *arg);
	/* After parsing (may be NULL): -EINVAL if the options do not fit together. */
	int (*check)(const void *opts);
	/* Fills rep: 0 or -errno. */
	int (*run)(struct bench_report *rep, const void *opts);
};

/* Parses argv into b and opts (b is usually opts' first member, so that
 * run() sees both). --help prints the usage and exits 0; 0, or -EINVAL
 * with the usage printed on stderr. */
int bench_parse(int argc, char **argv, const struct bench_program *p, struct bench_opts *b,
		void *opts);
/* Runs p into a new report and writes its JSON; the exit status (0 or 1). */
int bench_run(const struct bench_program *p, const struct bench_opts *b, const void *opts);
/* bench_parse then bench_run: main() of a benchmark (2 on bad options). */
int bench_main(int argc, char **argv, const struct bench_program *p, struct bench_opts *b,
	       void *opts);

#endif
