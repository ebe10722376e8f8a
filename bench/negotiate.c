/* SPDX-License-Identifier: MIT */
/*
 * bench/negotiate: microseconds per la_negotiate_capsets() on hand-built
 * capability sets, next to a nested-loop intersection of the same lists
 * (baseline.c), for the realistic display + camera + GPU case and for
 * scaling curves over devices and candidates. Every point checks that both
 * found the same (format, modifier) pairs and fails otherwise.
 *
 *   negotiate [--quick] [--iterations N] [--json FILE] [--backend-path DIRS]
 *
 * The format-set points put it next to how compositors intersect DRM format
 * sets (formatset.c), on three shifted sets of F formats x M modifiers
 * with a format preference, the shape the wlroots comparison uses.
 *
 * The core is measured with an empty backend directory so that no backend
 * installed on the machine takes part; --backend-path adds one realistic
 * point negotiated with those backends loaded (their path ranking included).
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "baseline.h"
#include "formatset.h"
#include "measure.h"
#include "cli.h"
#include "report.h"

#define MAX_DEV 8

struct opts {
	struct bench_opts b; /* first: bench_main fills it */
	const char *backend_path;
};

struct point {
	struct la_context *ctx;
	struct bench_device devs[MAX_DEV];
	struct la_capset *sets[MAX_DEV];
	size_t n;
	struct la_assertion a;
};

/* Both a result with paths (0) and one without (-ENODEV) carry the candidates. */
static int negotiate_once(void *data)
{
	struct point *p = data;
	struct la_result *res = NULL;
	int ret = la_negotiate_capsets(p->ctx, &p->a, p->sets, p->n, &res);

	la_result_destroy(res);
	return ret == -ENODEV ? 0 : ret;
}

static int baseline_once(void *data)
{
	struct point *p = data;
	struct bench_pair *out;
	size_t n;
	int ret = bench_nested_intersect(p->devs, p->n, &out, &n);

	if (ret == 0)
		free(out);
	return ret;
}

static int point_init(struct point *p, struct la_context *ctx)
{
	int ret = 0;

	for (size_t i = 0; i < p->n && ret == 0; i++)
		ret = bench_device_capset(&p->devs[i], &p->sets[i]);
	p->ctx = ctx;
	/* 1080p and no format preference: every common pair is kept and ranked */
	p->a = (struct la_assertion){.width = 1920, .height = 1080};
	return ret;
}

static void point_fini(struct point *p)
{
	for (size_t i = 0; i < p->n; i++) {
		la_capset_destroy(p->sets[i]);
		bench_device_fini(&p->devs[i]);
	}
}

struct check {
	size_t common;
	size_t paths;
	int ret;
};

/* One negotiation whose candidates are compared with the baseline's pairs. */
static int verify(struct point *p, struct check *c)
{
	struct la_result *res = NULL;
	struct bench_pair *want = NULL, *got = NULL;
	size_t n_want = 0;
	int ret;

	c->ret = la_negotiate_capsets(p->ctx, &p->a, p->sets, p->n, &res);
	ret = bench_nested_intersect(p->devs, p->n, &want, &n_want);
	c->common = la_result_get_candidate_count(res);
	c->paths = la_result_get_path_count(res);
	if (ret == 0 && c->ret != 0 && c->ret != -ENODEV && c->ret != -ENOENT) {
		fprintf(stderr, "negotiate: la_negotiate_capsets failed: %s (%s)\n",
			strerror(-c->ret), la_last_diagnosis());
		ret = c->ret;
	}
	got = calloc(c->common ? c->common : 1, sizeof(*got));
	if (ret == 0 && !got)
		ret = -ENOMEM;
	for (size_t i = 0; ret == 0 && i < c->common; i++) {
		struct la_candidate cand;
		ret = la_result_get_candidate(res, i, &cand);
		got[i] = (struct bench_pair){cand.format, cand.modifier};
	}
	if (ret == 0 && !bench_pairs_equal(got, c->common, want, n_want)) {
		fprintf(stderr, "negotiate: liballoc found %zu common pairs, the baseline %zu, "
			"and they differ\n", c->common, n_want);
		ret = -EPROTO;
	}
	free(got);
	free(want);
	la_result_destroy(res);
	return ret;
}

static struct bench_plan plan_for(const struct opts *o)
{
	if (o->b.quick)
		return (struct bench_plan){.warmup = 1, .samples = o->b.iterations, .min_samples = 3,
					   .budget_us = 1e5};
	return (struct bench_plan){.warmup = 5, .samples = o->b.iterations, .min_samples = 5,
				   .budget_us = 1.5e6};
}

/* Measures p with liballoc and the baseline; adds one result row. */
static int measure_point(struct bench_report *rep, const struct opts *o, const char *name,
			 struct point *p, struct bench_result **out)
{
	struct bench_plan plan = plan_for(o);
	struct bench_stats lib, base, lib_cpu, base_cpu;
	struct check c;
	size_t total = 0;
	int ret = verify(p, &c);

	if (ret == 0)
		ret = bench_measure(negotiate_once, p, &plan, &lib, &lib_cpu);
	if (ret == 0)
		ret = bench_measure(baseline_once, p, &plan, &base, &base_cpu);
	if (ret < 0) {
		fprintf(stderr, "negotiate: %s: %s\n", name, strerror(-ret));
		return ret;
	}
	struct bench_result *r = bench_report_add(rep, name, "us");
	if (!r)
		return -ENOMEM;
	r->value = lib.median;
	r->p90 = lib.p90;
	r->baseline = base.median;
	r->baseline_p90 = base.p90;
	r->samples = lib.n;
	r->verified = true;
	for (size_t i = 0; i < p->n; i++)
		total += p->devs[i].n;
	bench_result_num(r, "devices", (double)p->n);
	bench_result_num(r, "candidates_per_device", (double)p->devs[p->n - 1].n);
	bench_result_num(r, "candidates_total", (double)total);
	bench_result_num(r, "common", (double)c.common);
	bench_result_num(r, "paths", (double)c.paths);
	bench_result_num(r, "baseline_samples", (double)base.n);
	bench_result_num(r, "cpu_us", lib_cpu.median);
	bench_result_num(r, "baseline_cpu_us", base_cpu.median);
	bench_result_str(r, "status", c.ret == 0 ? "ok" : c.ret == -ENODEV ? "no-path" : "no-candidate");
	if (out)
		*out = r;
	return 0;
}

static int realistic(struct bench_report *rep, const struct opts *o, struct la_context *ctx,
		     const char *name, const enum bench_profile *profiles, size_t n)
{
	struct point p = {.n = n};
	struct bench_result *r = NULL;
	int ret = 0;

	for (size_t i = 0; i < n && ret == 0; i++)
		ret = bench_profile_device(profiles[i], &p.devs[i]);
	if (ret == 0)
		ret = point_init(&p, ctx);
	if (ret == 0)
		ret = measure_point(rep, o, name, &p, &r);
	if (ret == 0 && n == 3) {
		bench_result_num(r, "target_us", 20);
		snprintf(r->note, sizeof(r->note), "%s %zu + %s %zu + %s %zu candidates; "
			 "target < 20 us %s", p.devs[0].label, p.devs[0].n, p.devs[1].label,
			 p.devs[1].n, p.devs[2].label, p.devs[2].n, r->value < 20 ? "met" : "NOT met");
	}
	if (r)
		bench_report_print_row(r);
	point_fini(&p);
	return ret;
}

/* The medians of one scaling point, for the growth exponents. */
struct timing {
	double lib, base, lib_cpu, base_cpu;
};

static int synthetic(struct bench_report *rep, const struct opts *o, struct la_context *ctx,
		     const char *name, size_t m, size_t n, struct timing *t)
{
	struct point p = {.n = n};
	struct bench_result *r = NULL;
	int ret = bench_synthetic_devices(m, n, p.devs);

	if (ret < 0) {
		fprintf(stderr, "negotiate: %s: cannot build %zu x %zu candidates: %s\n", name, n, m,
			strerror(-ret));
		return ret;
	}
	ret = point_init(&p, ctx);
	if (ret == 0)
		ret = measure_point(rep, o, name, &p, &r);
	if (ret == 0) {
		bench_report_print_row(r);
		if (t)
			*t = (struct timing){r->value, r->baseline, bench_result_get(r, "cpu_us"),
					     bench_result_get(r, "baseline_cpu_us")};
	}
	point_fini(&p);
	return ret;
}

static int device_scaling(struct bench_report *rep, const struct opts *o, struct la_context *ctx)
{
	size_t m = o->b.quick ? 100 : 500;
	int ret = 0;

	for (size_t n = 1; n <= MAX_DEV && ret == 0; n++) {
		char name[64];
		snprintf(name, sizeof(name), "devices-%zu-x%zu", n, m);
		ret = synthetic(rep, o, ctx, name, m, n, NULL);
	}
	return ret;
}

/*
 * The exponent k of time ~ m^k over m >= 100 (below, fixed costs dominate),
 * next to the exponent m log m itself has over the same range. The value is
 * the wall-clock exponent; the CPU-time one is given too because on a
 * loaded machine the longest calls are preempted most, which steepens the
 * wall-clock curve.
 */
static int candidate_scaling(struct bench_report *rep, const struct opts *o,
			     struct la_context *ctx)
{
	static const size_t sizes[] = {10, 20, 50, 100, 200, 500, 1000, 2000, 5000};
	size_t n_sizes = o->b.quick ? 7 : sizeof(sizes) / sizeof(sizes[0]);
	double x[16], lib[16], base[16], lib_cpu[16], base_cpu[16], nlogn[16];
	size_t k = 0;
	int ret = 0;

	for (size_t i = 0; i < n_sizes && ret == 0; i++) {
		char name[64];
		struct timing t;
		snprintf(name, sizeof(name), "candidates-3x%zu", sizes[i]);
		ret = synthetic(rep, o, ctx, name, sizes[i], 3, &t);
		if (ret == 0 && sizes[i] >= 100) {
			x[k] = (double)sizes[i];
			lib[k] = t.lib;
			base[k] = t.base;
			lib_cpu[k] = t.lib_cpu;
			base_cpu[k] = t.base_cpu;
			nlogn[k] = x[k] * log(x[k]);
			k++;
		}
	}
	if (ret < 0)
		return ret;
	struct bench_result *r = bench_report_add(rep, "candidates-growth-exponent", "exponent");
	if (!r)
		return -ENOMEM;
	double ref = bench_loglog_slope(x, nlogn, k);
	double cpu = bench_loglog_slope(x, lib_cpu, k);
	r->value = bench_loglog_slope(x, lib, k);
	r->baseline = bench_loglog_slope(x, base, k);
	r->samples = k;
	r->verified = true;
	bench_result_num(r, "cpu_exponent", cpu);
	bench_result_num(r, "baseline_cpu_exponent", bench_loglog_slope(x, base_cpu, k));
	bench_result_num(r, "nlogn_exponent", ref);
	bench_result_num(r, "from_candidates", x[0]);
	bench_result_num(r, "to_candidates", x[k - 1]);
	snprintf(r->note, sizeof(r->note), "log-log slope, 3 devices, %g..%g candidates; CPU time "
		 "%.2f; n log n has %.2f here: wall %s, CPU %s", x[0], x[k - 1], cpu, ref,
		 r->value <= ref + 0.1 ? "no worse" : "WORSE", cpu <= ref + 0.1 ? "no worse" : "WORSE");
	bench_report_print_row(r);
	return 0;
}

/* ---- format sets: liballoc next to a compositor's format-set intersection ---- */

struct fs_point {
	struct la_context *ctx;
	struct bench_device devs[3];
	struct la_capset *sets[3];
	struct bench_fmtset fs[3];
	uint32_t *formats;
	struct la_assertion a;
	size_t kept, base_kept;
};

/* What the wlroots comparison times: negotiate, count, destroy. */
static int fs_negotiate_once(void *data)
{
	struct fs_point *p = data;
	struct la_result *res = NULL;
	int ret = la_negotiate_capsets(p->ctx, &p->a, p->sets, 3, &res);

	p->kept = la_result_get_candidate_count(res);
	la_result_destroy(res);
	return ret == -ENODEV ? 0 : ret;
}

static int fs_intersect(struct fs_point *p, struct bench_fmtset *abc)
{
	struct bench_fmtset ab;
	int ret = bench_fmtset_intersect(&p->fs[0], &p->fs[1], &ab);

	if (ret == 0)
		ret = bench_fmtset_intersect(&ab, &p->fs[2], abc);
	bench_fmtset_fini(&ab);
	return ret;
}

static int fs_baseline_once(void *data)
{
	struct fs_point *p = data;
	struct bench_fmtset abc;
	int ret = fs_intersect(p, &abc);

	if (ret == 0)
		p->base_kept = bench_fmtset_pairs(&abc);
	bench_fmtset_fini(&abc);
	return ret;
}

/* Three devices shifted by a third and a sixth of the formats: about 2/3 overlap per pair. */
static int fs_init(struct fs_point *p, struct la_context *ctx, size_t nf, size_t nm)
{
	static const uint64_t pitch[3] = {64, 256, 96};
	static const char *const label[3] = {"a", "b", "c"};
	const size_t fshift[3] = {0, nf / 3, nf / 6}, mshift[3] = {0, nm / 4, nm / 8};
	int ret = 0;

	p->ctx = ctx;
	for (size_t i = 0; i < 3 && ret == 0; i++) {
		ret = bench_shifted_device(nf, nm, fshift[i], mshift[i], pitch[i], label[i],
					   &p->devs[i]);
		if (ret == 0)
			ret = bench_device_capset(&p->devs[i], &p->sets[i]);
		if (ret == 0)
			ret = bench_device_fmtset(&p->devs[i], &p->fs[i]);
	}
	p->formats = malloc(nf * sizeof(*p->formats));
	if (ret == 0 && !p->formats)
		ret = -ENOMEM;
	/* the caller prefers the first device's formats, in its order */
	for (size_t f = 0; ret == 0 && f < nf; f++)
		p->formats[f] = p->devs[0].cands[f * nm].format;
	p->a = (struct la_assertion){.width = 640, .height = 480, .formats = p->formats,
				     .n_formats = nf};
	return ret;
}

static void fs_fini(struct fs_point *p)
{
	for (size_t i = 0; i < 3; i++) {
		la_capset_destroy(p->sets[i]);
		bench_fmtset_fini(&p->fs[i]);
		bench_device_fini(&p->devs[i]);
	}
	free(p->formats);
}

/* Both found the same pairs: liballoc's candidates against (a ∩ b) ∩ c. */
static int fs_verify(struct fs_point *p)
{
	struct la_result *res = NULL;
	struct bench_fmtset abc = {0};
	struct bench_pair *got = NULL, *want = NULL;
	size_t n_got = 0, n_want = 0;
	int ret = la_negotiate_capsets(p->ctx, &p->a, p->sets, 3, &res);

	ret = ret == -ENODEV ? 0 : ret;
	if (ret == 0)
		ret = fs_intersect(p, &abc);
	n_got = la_result_get_candidate_count(res);
	n_want = bench_fmtset_pairs(&abc);
	got = malloc((n_got ? n_got : 1) * sizeof(*got));
	want = malloc((n_want ? n_want : 1) * sizeof(*want));
	if (ret == 0 && (!got || !want))
		ret = -ENOMEM;
	for (size_t i = 0; ret == 0 && i < n_got; i++) {
		struct la_candidate c;
		ret = la_result_get_candidate(res, i, &c);
		got[i] = (struct bench_pair){c.format, c.modifier};
	}
	for (size_t i = 0, k = 0; ret == 0 && i < abc.len; i++)
		for (size_t m = 0; m < abc.formats[i]->len; m++)
			want[k++] = (struct bench_pair){abc.formats[i]->format, abc.formats[i]->mods[m]};
	if (ret == 0 && !bench_pairs_equal(got, n_got, want, n_want)) {
		fprintf(stderr, "negotiate: liballoc kept %zu pairs, the format sets %zu, and they "
			"differ\n", n_got, n_want);
		ret = -EPROTO;
	}
	free(got);
	free(want);
	bench_fmtset_fini(&abc);
	la_result_destroy(res);
	return ret;
}

static int format_set_point(struct bench_report *rep, const struct opts *o,
			    struct la_context *ctx, size_t nf, size_t nm)
{
	struct bench_plan plan = plan_for(o);
	struct bench_stats lib, base, lib_cpu, base_cpu;
	struct fs_point p = {0};
	char name[64];
	int ret = fs_init(&p, ctx, nf, nm);

	snprintf(name, sizeof(name), "formatset-3x%zux%zu", nf, nm);
	if (ret == 0)
		ret = fs_verify(&p);
	if (ret == 0)
		ret = bench_measure(fs_negotiate_once, &p, &plan, &lib, &lib_cpu);
	if (ret == 0)
		ret = bench_measure(fs_baseline_once, &p, &plan, &base, &base_cpu);
	struct bench_result *r = ret == 0 ? bench_report_add(rep, name, "us") : NULL;
	if (ret == 0 && !r)
		ret = -ENOMEM;
	if (ret < 0) {
		fprintf(stderr, "negotiate: %s: %s\n", name, strerror(-ret));
		fs_fini(&p);
		return ret;
	}
	r->value = lib.median;
	r->p90 = lib.p90;
	r->baseline = base.median;
	r->baseline_p90 = base.p90;
	r->samples = lib.n;
	r->verified = p.kept == p.base_kept;
	bench_result_num(r, "formats", (double)nf);
	bench_result_num(r, "modifiers", (double)nm);
	bench_result_num(r, "kept", (double)p.kept);
	bench_result_num(r, "baseline_kept", (double)p.base_kept);
	bench_result_num(r, "baseline_samples", (double)base.n);
	bench_result_num(r, "cpu_us", lib_cpu.median);
	bench_result_num(r, "baseline_cpu_us", base_cpu.median);
	snprintf(r->note, sizeof(r->note), "3 sets of %zu formats x %zu modifiers, 2/3 overlap, "
		 "caller's format order; baseline: format-set intersection (linear search, as "
		 "wlroots); liballoc also merges 3 pitch alignments", nf, nm);
	bench_report_print_row(r);
	fs_fini(&p);
	return 0;
}

static int format_sets(struct bench_report *rep, const struct opts *o, struct la_context *ctx)
{
	static const size_t formats[] = {60, 500, 5000};
	int ret = 0;

	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]) && ret == 0; i++)
		ret = format_set_point(rep, o, ctx, formats[i], 8);
	return ret;
}

/* A context whose backends come from path (loaded now, while the variable says so). */
static int context_with(const char *path, struct la_context **ctx, size_t *n_backends)
{
	int ret;

	if (setenv("LIBALLOC_BACKEND_PATH", path, 1) != 0)
		return -errno;
	ret = la_context_new(ctx);
	if (ret == 0)
		ret = la_context_get_backend_count(*ctx, n_backends);
	unsetenv("LIBALLOC_BACKEND_PATH");
	return ret;
}

static const enum bench_profile three[] = {BENCH_DISPLAY, BENCH_CAMERA, BENCH_GPU};
static const enum bench_profile camera_last[] = {BENCH_DISPLAY, BENCH_GPU, BENCH_CAMERA};
static const enum bench_profile two[] = {BENCH_DISPLAY, BENCH_GPU};

static int with_backends(struct bench_report *rep, const struct opts *o)
{
	struct la_context *ctx = NULL;
	size_t nb = 0;
	int ret = context_with(o->backend_path, &ctx, &nb);
	size_t first = rep->n;

	if (ret == 0)
		ret = realistic(rep, o, ctx, "realistic-3dev-with-backends", three, 3);
	if (ret == 0) {
		bench_result_num(&rep->results[first], "backends", (double)nb);
		bench_result_str(&rep->results[first], "backend_path", o->backend_path);
	}
	la_context_destroy(ctx);
	return ret;
}

static int run(struct bench_report *rep, const void *opts)
{
	const struct opts *o = opts;
	char empty[] = "/tmp/liballoc-bench-XXXXXX";
	struct la_context *ctx = NULL;
	size_t nb = 0;
	int ret;

	if (!mkdtemp(empty))
		return -errno;
	ret = context_with(empty, &ctx, &nb);
	if (ret == 0)
		ret = realistic(rep, o, ctx, "realistic-3dev", three, 3);
	/* the baseline depends on the order: a small list early prunes its loops */
	if (ret == 0)
		ret = realistic(rep, o, ctx, "realistic-3dev-camera-last", camera_last, 3);
	if (ret == 0)
		ret = realistic(rep, o, ctx, "realistic-2dev-display-gpu", two, 2);
	if (ret == 0 && o->backend_path)
		ret = with_backends(rep, o);
	if (ret == 0)
		ret = device_scaling(rep, o, ctx);
	if (ret == 0)
		ret = candidate_scaling(rep, o, ctx);
	if (ret == 0)
		ret = format_sets(rep, o, ctx);
	la_context_destroy(ctx);
	rmdir(empty);
	return ret;
}

static int option(void *opts, int c, const char *arg)
{
	struct opts *o = opts;

	if (c != 'b')
		return -EINVAL;
	o->backend_path = arg;
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{"backend-path", required_argument, NULL, 'b'},
		{NULL, 0, NULL, 0},
	};
	static const struct bench_program p = {
		.name = "negotiate",
		.usage = "usage: negotiate [--quick] [--iterations N] [--json FILE] [--backend-path DIRS]\n",
		.iterations = 200, .quick_iterations = 10,
		.shortopts = "b:", .longopts = lo, .option = option,
		.run = run,
	};
	struct opts o = {0};

	return bench_main(argc, argv, &p, &o.b, &o);
}
