/* SPDX-License-Identifier: MIT */
/*
 * bench/libcost: what linking liballoc costs a program. Sizes of
 * liballoc.so and of every backend module in the build; start-up of a
 * fresh process to its first negotiation (children: startup.c, against
 * the libc-only noop.c as baseline), without backends and with the built
 * backends loaded lazily; resident memory after each step.
 *
 *   libcost --lib PATH [--backends-root DIR] [--quick] [--iterations N] [--json FILE]
 *
 * --backends-root is searched for DIR/NAME/liballoc-NAME.so (a build's
 * backends/ folder); their directories become LIBALLOC_BACKEND_PATH.
 */
#include <errno.h>
#include <getopt.h>
#include <glob.h>
#include <libgen.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "elfsize.h"
#include "measure.h"
#include "cli.h"
#include "report.h"
#include "child.h"

struct opts {
	struct bench_opts b; /* first: bench_main fills it */
	const char *lib;
	const char *backends_root;
};

struct env {
	char startup[PATH_MAX];
	char noop[PATH_MAX];
	char backend_path[4096]; /* "" when the build has no backend */
	size_t n_modules;
	char empty_dir[64];
};

static int size_one(struct bench_report *rep, const char *path)
{
	char name[64], copy[PATH_MAX];
	struct bench_elf_size sz;
	int ret = bench_elf_size(path, &sz);

	if (ret < 0) {
		fprintf(stderr, "libcost: %s: %s\n", path, strerror(-ret));
		return ret;
	}
	snprintf(copy, sizeof(copy), "%s", path);
	snprintf(name, sizeof(name), "size-%s", basename(copy));
	struct bench_result *r = bench_report_add(rep, name, "KiB");
	if (!r)
		return -ENOMEM;
	r->value = (double)sz.mapped_bytes / 1024;
	r->verified = true;
	bench_result_num(r, "text_kib", (double)sz.text_bytes / 1024);
	bench_result_num(r, "file_kib", (double)sz.file_bytes / 1024);
	snprintf(r->note, sizeof(r->note), "loadable segments; the file (with debug info) is %.0f KiB",
		 (double)sz.file_bytes / 1024);
	bench_report_print_row(r);
	return 0;
}

/* Sizes of every module, and their directories joined as a backend path. */
static int backend_sizes(struct bench_report *rep, const struct opts *o, struct env *e)
{
	char pattern[PATH_MAX];
	glob_t g;
	int ret = 0;

	snprintf(pattern, sizeof(pattern), "%s/*/liballoc-*.so", o->backends_root);
	if (glob(pattern, 0, NULL, &g) != 0)
		g.gl_pathc = 0;
	for (size_t i = 0; i < g.gl_pathc && ret == 0; i++) {
		char dir[PATH_MAX];
		size_t used = strlen(e->backend_path);
		ret = size_one(rep, g.gl_pathv[i]);
		snprintf(dir, sizeof(dir), "%s", g.gl_pathv[i]);
		snprintf(e->backend_path + used, sizeof(e->backend_path) - used, "%s%s",
			 used ? ":" : "", dirname(dir));
		e->n_modules++;
	}
	if (g.gl_pathc)
		globfree(&g);
	return ret;
}

/* Statistics of one key over the children's outputs (wall time for "wall"). */
static struct bench_stats child_stats(const struct bench_child *c, size_t n, const char *key)
{
	double s[256];
	size_t k = 0;
	struct bench_stats st;

	for (size_t i = 0; i < n && k < 256; i++) {
		double v = strcmp(key, "wall") == 0 ? c[i].wall_us : bench_child_value(&c[i], key);
		if (!isnan(v))
			s[k++] = v;
	}
	bench_stats_compute(s, k, &st);
	if (k == 0)
		st.median = st.p90 = NAN;
	return st;
}

/* Runs exe arg n times (after one unrecorded run); every child must exit 0. */
static int spawn_n(const char *exe, const char *arg, const char *path, struct bench_child *c,
		   size_t n)
{
	char *argv[] = {(char *)exe, (char *)arg, NULL};

	for (size_t i = 0; i <= n; i++) {
		struct bench_child *slot = &c[i ? i - 1 : 0];
		int ret = bench_spawn(exe, argv, path, slot);
		if (ret < 0)
			return ret;
		if (slot->exit_status != 0) {
			fprintf(stderr, "libcost: %s %s exited with %d\n", exe, arg ? arg : "",
				slot->exit_status);
			return -ECHILD;
		}
	}
	return 0;
}

static struct bench_result *add_stat(struct bench_report *rep, const char *name, const char *unit,
				     const struct bench_child *c, size_t n, const char *key)
{
	struct bench_stats st = child_stats(c, n, key);
	struct bench_result *r = bench_report_add(rep, name, unit);

	if (!r)
		return NULL;
	r->value = st.median;
	r->p90 = st.p90;
	r->samples = st.n;
	r->verified = st.n == n;
	return r;
}

static void set_baseline(struct bench_result *r, const struct bench_child *c, size_t n,
			 const char *key)
{
	struct bench_stats st = child_stats(c, n, key);
	r->baseline = st.median;
	r->baseline_p90 = st.p90;
}

struct runs {
	struct bench_child *noop, *mode;
	size_t n;
};

static int startup_core(struct bench_report *rep, const struct env *e, const struct runs *r)
{
	struct bench_result *x;
	int ret = spawn_n(e->startup, "core", e->empty_dir, r->mode, r->n);

	if (ret < 0)
		return ret;
	if (!(x = add_stat(rep, "startup-to-first-negotiation", "us", r->mode, r->n, "wall")))
		return -ENOMEM;
	set_baseline(x, r->noop, r->n, "wall");
	snprintf(x->note, sizeof(x->note), "exec to exit: context, 3 capsets, 1 negotiation; "
		 "baseline: a libc-only process");
	bench_report_print_row(x);
	if (!(x = add_stat(rep, "context-new", "us", r->mode, r->n, "context_new_us")))
		return -ENOMEM;
	bench_report_print_row(x);
	if (!(x = add_stat(rep, "first-negotiation", "us", r->mode, r->n, "first_negotiation_us")))
		return -ENOMEM;
	set_baseline(x, r->mode, r->n, "second_negotiation_us");
	bench_result_num(x, "common", child_stats(r->mode, r->n, "common").median);
	snprintf(x->note, sizeof(x->note), "cold call; baseline: the second call in that process");
	bench_report_print_row(x);
	if (!(x = add_stat(rep, "rss-after-init", "KiB", r->mode, r->n, "rss_init_kib")))
		return -ENOMEM;
	set_baseline(x, r->noop, r->n, "rss_main_kib");
	bench_result_num(x, "rss_before_init_kib", child_stats(r->mode, r->n, "rss_main_kib").median);
	snprintf(x->note, sizeof(x->note), "after la_context_new; baseline: libc-only process");
	bench_report_print_row(x);
	if (!(x = add_stat(rep, "rss-after-first-negotiation", "KiB", r->mode, r->n,
			   "rss_negotiated_kib")))
		return -ENOMEM;
	set_baseline(x, r->noop, r->n, "rss_main_kib");
	bench_report_print_row(x);
	return 0;
}

static int startup_backends(struct bench_report *rep, const struct env *e, const struct runs *r)
{
	struct bench_result *x;
	int ret = spawn_n(e->startup, "backends", e->backend_path, r->mode, r->n);

	if (ret < 0)
		return ret;
	if (!(x = add_stat(rep, "startup-to-first-negotiation-with-backends", "us", r->mode, r->n,
			   "wall")))
		return -ENOMEM;
	set_baseline(x, r->noop, r->n, "wall");
	bench_report_print_row(x);
	if (!(x = add_stat(rep, "backend-load", "us", r->mode, r->n, "backend_load_us")))
		return -ENOMEM;
	double loaded = child_stats(r->mode, r->n, "backends").median;
	bench_result_num(x, "backends", loaded);
	bench_result_num(x, "modules", (double)e->n_modules);
	x->verified = x->verified && loaded == (double)e->n_modules;
	snprintf(x->note, sizeof(x->note), "la_context_get_backend_count: %.0f of %zu modules loaded",
		 loaded, e->n_modules);
	bench_report_print_row(x);
	if (!(x = add_stat(rep, "first-negotiation-with-backends", "us", r->mode, r->n,
			   "first_negotiation_us")))
		return -ENOMEM;
	set_baseline(x, r->mode, r->n, "second_negotiation_us");
	bench_result_num(x, "paths", child_stats(r->mode, r->n, "paths").median);
	bench_report_print_row(x);
	if (!(x = add_stat(rep, "rss-after-backend-load", "KiB", r->mode, r->n, "rss_backends_kib")))
		return -ENOMEM;
	set_baseline(x, r->noop, r->n, "rss_main_kib");
	bench_report_print_row(x);
	return 0;
}

static int startup(struct bench_report *rep, const struct opts *o, const struct env *e)
{
	size_t n = o->b.iterations > 255 ? 255 : o->b.iterations;
	struct runs r = {calloc(n + 1, sizeof(*r.noop)), calloc(n + 1, sizeof(*r.mode)), n};
	int ret = r.noop && r.mode ? 0 : -ENOMEM;

	if (ret == 0)
		ret = spawn_n(e->noop, NULL, NULL, r.noop, n);
	if (ret == 0)
		ret = startup_core(rep, e, &r);
	if (ret == 0 && e->n_modules)
		ret = startup_backends(rep, e, &r);
	free(r.noop);
	free(r.mode);
	return ret;
}

static int find_children(struct env *e)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n < 0)
		return -errno;
	self[n] = '\0';
	char *dir = dirname(self);
	snprintf(e->startup, sizeof(e->startup), "%s/startup", dir);
	snprintf(e->noop, sizeof(e->noop), "%s/noop", dir);
	return access(e->startup, X_OK) == 0 && access(e->noop, X_OK) == 0 ? 0 : -errno;
}

static int run(struct bench_report *rep, const void *opts)
{
	const struct opts *o = opts;
	struct env e = {.empty_dir = "/tmp/liballoc-bench-XXXXXX"};
	int ret = find_children(&e);

	if (ret == 0)
		ret = size_one(rep, o->lib);
	if (ret == 0 && o->backends_root)
		ret = backend_sizes(rep, o, &e);
	if (ret == 0) {
		struct bench_result *r = bench_report_add(rep, "backend-modules", "count");
		if (!r)
			return -ENOMEM;
		r->value = (double)e.n_modules;
		r->verified = true;
		snprintf(r->note, sizeof(r->note), "%s", e.n_modules ? e.backend_path : "none built");
		bench_report_print_row(r);
	}
	if (ret == 0 && !mkdtemp(e.empty_dir))
		ret = -errno;
	if (ret == 0) {
		ret = startup(rep, o, &e);
		rmdir(e.empty_dir);
	}
	return ret;
}

static int option(void *opts, int c, const char *arg)
{
	struct opts *o = opts;

	switch (c) {
	case 'l': o->lib = arg; return 0;
	case 'b': o->backends_root = arg; return 0;
	default: return -EINVAL;
	}
}

static int check(const void *opts)
{
	const struct opts *o = opts;

	return o->lib ? 0 : -EINVAL;
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{"lib", required_argument, NULL, 'l'},
		{"backends-root", required_argument, NULL, 'b'},
		{NULL, 0, NULL, 0},
	};
	static const struct bench_program p = {
		.name = "libcost",
		.usage = "usage: libcost --lib PATH [--backends-root DIR] [--quick] [--iterations N] "
			 "[--json FILE]\n",
		.iterations = 30, .quick_iterations = 3,
		.shortopts = "l:b:", .longopts = lo, .option = option, .check = check,
		.run = run,
	};
	struct opts o = {0};

	return bench_main(argc, argv, &p, &o.b, &o);
}
