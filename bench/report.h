/* SPDX-License-Identifier: MIT */
/*
 * What every benchmark prints: one JSON document (schema in README.md) and
 * a human table on stderr. Absent numbers are NAN and become JSON null, so
 * bench/summarize.py can render any benchmark without knowing it.
 */
#ifndef BENCH_REPORT_H
#define BENCH_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define BENCH_MAX_EXTRA 16

struct bench_extra {
	const char *key;    /* static string */
	double num;
	char str[96];       /* used when is_str */
	bool is_str;
};

struct bench_result {
	char name[64];
	const char *unit;   /* "us", "bytes", "exponent" */
	double value;
	double p90;         /* NAN when not a distribution */
	double baseline;    /* NAN when there is no baseline */
	double baseline_p90;
	size_t samples;
	bool verified;      /* the result was checked (e.g. against the baseline) */
	char note[320];
	struct bench_extra extra[BENCH_MAX_EXTRA];
	size_t n_extra;
};

struct bench_report {
	const char *benchmark;
	struct bench_result *results;
	size_t n, cap;
	char loadavg_start[64];
	char date[32];      /* UTC, when the run started */
	bool quick;
	unsigned iterations;
};

int bench_report_init(struct bench_report *rep, const char *benchmark);
void bench_report_fini(struct bench_report *rep);
/* A zeroed result (numbers NAN) appended to rep; NULL on ENOMEM. */
struct bench_result *bench_report_add(struct bench_report *rep, const char *name, const char *unit);
void bench_result_num(struct bench_result *r, const char *key, double v);
void bench_result_str(struct bench_result *r, const char *key, const char *v);
/* The numeric extra named key; NAN if absent. */
double bench_result_get(const struct bench_result *r, const char *key);
/* Prints r as one line of the stderr table (the header comes first). */
void bench_report_print_row(const struct bench_result *r);

/* Writes the JSON document; path NULL means stdout. 0 or -errno. */
int bench_report_write(const struct bench_report *rep, const char *path);

#endif
