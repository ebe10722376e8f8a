/* SPDX-License-Identifier: MIT */
/*
 * Child of bench/libcost: one fresh process from main() to its first
 * negotiation, so nothing is warm but the page cache.
 *
 *   startup core      la_context_new, then the first negotiation
 *   startup backends  la_context_new, la_context_get_backend_count (loads
 *                     every module on LIBALLOC_BACKEND_PATH), then the
 *                     first negotiation, whose paths come from them
 *
 * It prints "key value" lines on stdout for the parent; exit 0 only when
 * the negotiation found the expected common candidates.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "measure.h"
#include "profiles.h"
#include "testlib.h"

static const enum bench_profile profiles[] = {BENCH_DISPLAY, BENCH_CAMERA, BENCH_GPU};
#define N_DEV 3

struct sets {
	struct bench_device devs[N_DEV];
	struct la_capset *caps[N_DEV];
};

static int sets_build(struct sets *s)
{
	int ret = 0;

	for (size_t i = 0; i < N_DEV && ret == 0; i++) {
		ret = bench_profile_device(profiles[i], &s->devs[i]);
		if (ret == 0)
			ret = bench_device_capset(&s->devs[i], &s->caps[i]);
	}
	return ret;
}

static void sets_fini(struct sets *s)
{
	for (size_t i = 0; i < N_DEV; i++) {
		la_capset_destroy(s->caps[i]);
		bench_device_fini(&s->devs[i]);
	}
}

/* One timed negotiation; -ENODEV (no path) still has its candidates. */
static int negotiate(struct la_context *ctx, struct sets *s, double *us, size_t *common,
		     size_t *paths)
{
	struct la_assertion a = {.width = 1920, .height = 1080};
	struct la_result *res = NULL;
	double t0 = bench_now_us();
	int ret = la_negotiate_capsets(ctx, &a, s->caps, N_DEV, &res);

	*us = bench_now_us() - t0;
	*common = la_result_get_candidate_count(res);
	*paths = la_result_get_path_count(res);
	la_result_destroy(res);
	if (ret == -ENODEV)
		ret = 0;
	if (ret == 0 && *common == 0)
		ret = -ENOENT;
	return ret;
}

static int run(bool backends)
{
	struct la_context *ctx = NULL;
	struct sets s = {0};
	size_t count = 0, common = 0, paths = 0;
	double t0, first = 0, second = 0;
	int ret;

	printf("rss_main_kib %ld\n", tl_rss_kib());
	t0 = bench_now_us();
	ret = la_context_new(&ctx);
	printf("context_new_us %.3f\nrss_init_kib %ld\n", bench_now_us() - t0, tl_rss_kib());
	if (ret == 0 && backends) {
		t0 = bench_now_us();
		ret = la_context_get_backend_count(ctx, &count);
		printf("backend_load_us %.3f\nbackends %zu\nrss_backends_kib %ld\n",
		       bench_now_us() - t0, count, tl_rss_kib());
	}
	if (ret == 0) {
		t0 = bench_now_us();
		ret = sets_build(&s);
		printf("build_capsets_us %.3f\n", bench_now_us() - t0);
	}
	if (ret == 0)
		ret = negotiate(ctx, &s, &first, &common, &paths);
	if (ret == 0)
		printf("first_negotiation_us %.3f\nrss_negotiated_kib %ld\ncommon %zu\npaths %zu\n",
		       first, tl_rss_kib(), common, paths);
	if (ret == 0)
		ret = negotiate(ctx, &s, &second, &common, &paths);
	if (ret == 0)
		printf("second_negotiation_us %.3f\n", second);
	if (ret < 0)
		fprintf(stderr, "startup: %s (%s)\n", strerror(-ret), la_last_diagnosis());
	sets_fini(&s);
	la_context_destroy(ctx);
	return ret;
}

int main(int argc, char **argv)
{
	if (argc != 2 || (strcmp(argv[1], "core") != 0 && strcmp(argv[1], "backends") != 0)) {
		fputs("usage: startup core|backends (a child of bench/libcost)\n", stderr);
		return 2;
	}
	return run(strcmp(argv[1], "backends") == 0) < 0 ? 1 : 0;
}
