/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define MAX_LONGOPTS 16

static const struct option common_longopts[] = {
	{"quick", no_argument, NULL, 'q'},
	{"iterations", required_argument, NULL, 'i'},
	{"json", required_argument, NULL, 'j'},
	{"help", no_argument, NULL, 'h'},
};

/* The common long options, then the program's; -EINVAL if too many. */
static int merge_longopts(const struct bench_program *p, struct option *out)
{
	size_t n = sizeof(common_longopts) / sizeof(common_longopts[0]);

	memcpy(out, common_longopts, sizeof(common_longopts));
	for (const struct option *o = p->longopts; o && o->name; o++) {
		if (n + 1 >= MAX_LONGOPTS)
			return -EINVAL;
		out[n++] = *o;
	}
	memset(&out[n], 0, sizeof(out[n]));
	return 0;
}

static int parse_all(int argc, char **argv, const struct bench_program *p, struct bench_opts *b,
		     void *opts)
{
	struct option lo[MAX_LONGOPTS];
	char shortopts[64];
	int c;

	if (merge_longopts(p, lo) < 0)
		return -EINVAL;
	snprintf(shortopts, sizeof(shortopts), "qi:j:h%s", p->shortopts ? p->shortopts : "");
	while ((c = getopt_long(argc, argv, shortopts, lo, NULL)) != -1) {
		switch (c) {
		case 'q': b->quick = true; break;
		case 'i': b->iterations = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'j': b->json = optarg; break;
		case 'h': fputs(p->usage, stdout); exit(0);
		case '?': return -EINVAL;
		default:
			if (!p->option || p->option(opts, c, optarg) < 0)
				return -EINVAL;
		}
	}
	if (optind != argc || (p->check && p->check(opts) < 0))
		return -EINVAL;
	if (!b->iterations)
		b->iterations = b->quick ? p->quick_iterations : p->iterations;
	return 0;
}

int bench_parse(int argc, char **argv, const struct bench_program *p, struct bench_opts *b,
		void *opts)
{
	int ret = parse_all(argc, argv, p, b, opts);

	if (ret < 0)
		fputs(p->usage, stderr);
	return ret;
}

int bench_run(const struct bench_program *p, const struct bench_opts *b, const void *opts)
{
	struct bench_report rep;
	int ret;

	bench_report_init(&rep, p->name);
	rep.quick = b->quick;
	rep.iterations = b->iterations;
	ret = p->run(&rep, opts);
	if (ret == 0)
		ret = bench_report_write(&rep, b->json);
	if (ret < 0)
		fprintf(stderr, "%s: failed: %s\n", p->name, strerror(-ret));
	bench_report_fini(&rep);
	return ret < 0 ? 1 : 0;
}

int bench_main(int argc, char **argv, const struct bench_program *p, struct bench_opts *b,
	       void *opts)
{
	if (bench_parse(argc, argv, p, b, opts) < 0)
		return 2;
	return bench_run(p, b, opts);
}
