/* SPDX-License-Identifier: MIT */
/*
 * Resource hygiene through the TEST DOUBLE backend:
 *  - 10,000 negotiate/allocate/export/import/free cycles leave the fd count
 *    unchanged and the heap and RSS within a small bound (measured after a
 *    warm-up, so that one-time allocations such as the loaded backend and
 *    malloc's own arenas do not count);
 *  - every fd liballoc holds or hands out has FD_CLOEXEC: a compositor
 *    that spawns clients must not leak device nodes or buffers into them.
 * Under ASan the heap figures are meaningless (quarantine); LeakSanitizer
 * checks leaks there instead.
 */
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <liballoc/liballoc.h>
#include <malloc.h>
#include <stdbool.h>
#include <time.h>

#include "testdev.h"
#include "testlib.h"

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif
#ifndef UNDER_ASAN
#define UNDER_ASAN 0
#endif

#define FOURCC(a, b, c, d) ((uint32_t)(a) | (uint32_t)(b) << 8 | (uint32_t)(c) << 16 | (uint32_t)(d) << 24)
#define NV12 FOURCC('N', 'V', '1', '2')
#define CYCLES 10000
#define WARMUP 500
#define MAX_HEAP_GROWTH (64 * 1024)      /* bytes in use; one leaked block per cycle is 300+ KiB */
#define MAX_RSS_GROWTH (1024 * 1024)

static const char *CAMERA = TESTDEV_CAMERA;
static const char *DISPLAY = TESTDEV_DISPLAY;
static const char *HEAPS = TESTDEV_HEAPS;

static struct la_context *ctx;
static struct la_device *cam, *disp;

static void cycle(void)
{
	uint32_t f = NV12;
	struct la_assertion as = {.width = 320, .height = 240, .formats = &f, .n_formats = 1};
	struct la_request req[2] = {{cam, LA_USAGE_CAPTURE}, {disp, LA_USAGE_SCANOUT}};
	struct la_result *res = NULL;
	struct la_buffer *buf = NULL;
	struct la_import *imp = NULL;
	struct la_descriptor d;

	assert_int_equal(la_negotiate(ctx, &as, req, 2, &res), 0);
	assert_int_equal(la_allocate(res, &buf), 0);
	assert_int_equal(la_buffer_export(buf, &d), 0);
	assert_int_equal(la_device_import(disp, LA_USAGE_SCANOUT, buf, &imp), 0);
	la_import_destroy(imp);
	la_descriptor_close(&d);
	la_buffer_destroy(buf);
	la_result_destroy(res);
}

static long rss_bytes(void)
{
	long kib = tl_rss_kib();

	assert_true(kib >= 0);
	return kib * 1024;
}

static void test_cycles(void **state)
{
	struct timespec t0, t1;
	int fds;

	(void)state;
	for (int i = 0; i < WARMUP; i++)
		cycle();
	malloc_trim(0);
	fds = tl_fd_count();
	size_t heap = mallinfo2().uordblks;
	long rss = rss_bytes();
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int i = 0; i < CYCLES; i++)
		cycle();
	clock_gettime(CLOCK_MONOTONIC, &t1);
	malloc_trim(0);
	long heap_growth = (long)mallinfo2().uordblks - (long)heap;
	long rss_growth = rss_bytes() - rss;
	print_message("%d cycles in %.2f s: fds %d -> %d, heap in use %+ld bytes, RSS %+ld KiB%s\n",
		      CYCLES,
		      (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9, fds,
		      tl_fd_count(), heap_growth, rss_growth / 1024,
		      UNDER_ASAN ? " (ASan: heap bounds not checked, LeakSanitizer is)" : "");
	assert_int_equal(tl_fd_count(), fds);
	if (!UNDER_ASAN) {
		assert_true(heap_growth <= MAX_HEAP_GROWTH);
		assert_true(rss_growth <= MAX_RSS_GROWTH);
	}
}

static bool fd_cloexec(int fd)
{
	int flags = fcntl(fd, F_GETFD);
	return flags >= 0 && (flags & FD_CLOEXEC);
}

/* Every fd open now that was not open at start must be close-on-exec. */
static void check_new_fds(const bool *before, size_t n_before)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;

	assert_non_null(d);
	while ((e = readdir(d))) {
		int fd = atoi(e->d_name);
		if (e->d_name[0] == '.' || fd == dirfd(d) || ((size_t)fd < n_before && before[fd]))
			continue;
		if (!fd_cloexec(fd)) {
			char link[64], target[256] = "";
			snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
			ssize_t n = readlink(link, target, sizeof(target) - 1);
			target[n > 0 ? n : 0] = '\0';
			fail_msg("fd %d (%s) lacks FD_CLOEXEC", fd, target);
		}
	}
	closedir(d);
}

static void test_every_fd_is_cloexec(void **state)
{
	bool before[1024] = {false};
	uint32_t f = NV12;
	struct la_assertion as = {.width = 64, .height = 64, .formats = &f, .n_formats = 1};
	struct la_context *c2 = NULL;
	struct la_device *d1 = NULL, *d2 = NULL;
	struct la_result *res = NULL;
	struct la_buffer *buf[2] = {NULL, NULL}, *back = NULL;
	struct la_import *imp = NULL;
	struct la_descriptor d, own;
	void *p;

	(void)state;
	for (int fd = 0; fd < 1024; fd++)
		before[fd] = fcntl(fd, F_GETFD) >= 0;
	/* a fresh context, so that loading the backends is covered too */
	assert_int_equal(la_context_new(&c2), 0);
	assert_int_equal(la_device_open(c2, testdev_write("camera2", CAMERA), &d1), 0);
	int plain = open(testdev_write("display2", DISPLAY), O_RDONLY); /* the caller's, no CLOEXEC */
	assert_true(plain >= 0);
	assert_int_equal(la_device_open_fd(c2, plain, &d2), 0);
	close(plain);
	assert_true(fd_cloexec(la_device_get_fd(d1)));
	assert_true(fd_cloexec(la_device_get_fd(d2)));
	struct la_request req[2] = {{d1, LA_USAGE_CAPTURE}, {d2, LA_USAGE_SCANOUT | LA_USAGE_CPU_WRITE}};
	assert_int_equal(la_negotiate(c2, &as, req, 2, &res), 0);
	assert_int_equal(la_allocate_set(res, buf, 2), 0);
	la_buffer_get_descriptor(buf[0], &own);
	assert_true(fd_cloexec(own.planes[0].fd));
	assert_int_equal(la_buffer_export(buf[0], &d), 0);
	for (uint32_t i = 0; i < d.plane_count; i++)
		assert_true(fd_cloexec(d.planes[i].fd));
	assert_int_equal(la_buffer_from_descriptor(c2, &d, &back), 0);
	assert_int_equal(la_buffer_map(back, 0, LA_MAP_WRITE, &p), 0);
	assert_int_equal(la_device_import(d2, LA_USAGE_SCANOUT, back, &imp), 0);
	check_new_fds(before, 1024);
	la_import_destroy(imp);
	assert_int_equal(la_buffer_unmap(back, 0), 0);
	la_buffer_destroy(back);
	la_descriptor_close(&d);
	la_buffer_destroy(buf[0]);
	la_buffer_destroy(buf[1]);
	la_result_destroy(res);
	la_device_unref(d1);
	la_device_unref(d2);
	la_context_destroy(c2);
}

static int setup(void **state)
{
	(void)state;
	setenv("LIBALLOC_TEST_HEAPS", HEAPS, 1);
	if (la_context_new(&ctx) < 0 ||
	    la_device_open(ctx, testdev_write("camera", CAMERA), &cam) < 0 ||
	    la_device_open(ctx, testdev_write("display", DISPLAY), &disp) < 0)
		return -1;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	la_device_unref(cam);
	la_device_unref(disp);
	la_context_destroy(ctx);
	testdev_cleanup();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_fd_is_cloexec),
		cmocka_unit_test(test_cycles),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
