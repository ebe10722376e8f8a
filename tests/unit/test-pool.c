/* SPDX-License-Identifier: MIT */
/*
 * Buffer pools (la_pool_*), the ownership-transfer export and the core's
 * check of a backend's buffer size, driven by the TEST DOUBLE backend
 * (backend-test/). Fds are counted around every case: a pool that kept or
 * lost a buffer it should not shows up as an fd.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <liballoc/liballoc.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "testdev.h"
#include "testlib.h"

#define FOURCC(a, b, c, d) ((uint32_t)(a) | (uint32_t)(b) << 8 | (uint32_t)(c) << 16 | (uint32_t)(d) << 24)
#define XR24 FOURCC('X', 'R', '2', '4')
#define NV12 FOURCC('N', 'V', '1', '2')

static const char HEAPS[] =
	"[{\"name\": \"heap:system\", \"rank\": 500, \"caching\": \"cached\"},"
	" {\"name\": \"heap:short\", \"rank\": 100, \"short\": 2}]";

static struct la_context *ctx;
static struct la_device *disp;

static const struct testdev_spec DEVICES[] = {{"display", TESTDEV_DISPLAY, &disp}};

static int setup(void **state)
{
	(void)state;
	return testdev_open_all(&ctx, HEAPS, DEVICES, 1);
}

static int teardown(void **state)
{
	(void)state;
	testdev_close_all(&ctx, DEVICES, 1);
	return 0;
}

static struct la_result *negotiate(uint32_t format, uint32_t width)
{
	struct la_request req = {disp, LA_USAGE_SCANOUT | LA_USAGE_CPU_WRITE};
	struct la_assertion as = {.width = width, .height = 50, .formats = &format,
				  .n_formats = 1};
	struct la_result *res = NULL;

	assert_int_equal(la_negotiate(ctx, &as, &req, 1, &res), 0);
	return res;
}

static struct la_pool_stats stats_of(const struct la_pool *pool)
{
	struct la_pool_stats st;

	la_pool_get_stats(pool, &st);
	return st;
}

static void test_reuse(void **state)
{
	int fds = tl_fd_count();
	struct la_result *res = negotiate(XR24, 100);
	struct la_pool *pool = NULL;
	struct la_buffer *a = NULL, *b = NULL, *c = NULL;

	(void)state;
	assert_int_equal(la_pool_new(res, NULL, &pool), 0);
	assert_int_equal(stats_of(pool).allocations, 0);
	assert_int_equal(la_pool_acquire(pool, &a), 0);
	assert_int_equal(la_pool_acquire(pool, &b), 0);
	assert_ptr_not_equal(a, b);
	assert_string_equal(la_buffer_get_path(a), "heap:system");
	assert_int_equal(stats_of(pool).outstanding, 2);
	assert_int_equal(la_pool_release(pool, a), 0);
	assert_int_equal(la_pool_acquire(pool, &c), 0);
	assert_ptr_equal(c, a);
	for (int i = 0; i < 100; i++) {
		assert_int_equal(la_pool_release(pool, c), 0);
		assert_int_equal(la_pool_acquire(pool, &c), 0);
	}
	struct la_pool_stats st = stats_of(pool);
	assert_int_equal(st.allocations, 2);
	assert_int_equal(st.reuses, 101);
	assert_int_equal(st.outstanding, 2);
	assert_int_equal(st.idle, 0);
	assert_int_equal(st.peak, 2);
	assert_int_equal(st.buffer_size, 448 * 50); /* pitch 400 aligned to 64 */
	assert_int_equal(la_pool_release(pool, b), 0);
	assert_int_equal(la_pool_release(pool, c), 0);
	assert_int_equal(stats_of(pool).idle, 2);
	la_pool_destroy(pool);
	la_result_destroy(res);
	assert_int_equal(tl_fd_count(), fds);
}

static void test_cap_and_idle_limit(void **state)
{
	int fds = tl_fd_count();
	struct la_result *res = negotiate(XR24, 100);
	struct la_pool_config cfg = {.max_buffers = 3, .max_idle = 1};
	struct la_pool *pool = NULL;
	struct la_buffer *b[4] = {NULL};

	(void)state;
	cfg.max_idle = 4;
	assert_int_equal(la_pool_new(res, &cfg, &pool), -EINVAL);
	assert_null(pool);
	assert_non_null(strstr(la_last_diagnosis(), "max_idle"));
	cfg.max_idle = 1;
	assert_int_equal(la_pool_new(res, &cfg, &pool), 0);
	for (int i = 0; i < 3; i++)
		assert_int_equal(la_pool_acquire(pool, &b[i]), 0);
	assert_int_equal(la_pool_acquire(pool, &b[3]), -ENOBUFS);
	assert_null(b[3]);
	assert_non_null(strstr(la_last_diagnosis(), "all 3 buffers"));
	assert_int_equal(stats_of(pool).refusals, 1);
	/* one stays idle, the others are freed on release */
	for (int i = 0; i < 3; i++)
		assert_int_equal(la_pool_release(pool, b[i]), 0);
	struct la_pool_stats st = stats_of(pool);
	assert_int_equal(st.idle, 1);
	assert_int_equal(st.freed, 2);
	assert_int_equal(tl_fd_count(), fds + 1);
	la_pool_destroy(pool);
	la_result_destroy(res);
	assert_int_equal(tl_fd_count(), fds);
}

static void test_trim(void **state)
{
	int fds = tl_fd_count();
	struct la_result *res = negotiate(XR24, 100);
	struct la_pool *pool = NULL;
	struct la_buffer *b[5];

	(void)state;
	assert_int_equal(la_pool_new(res, NULL, &pool), 0);
	for (int i = 0; i < 5; i++)
		assert_int_equal(la_pool_acquire(pool, &b[i]), 0);
	for (int i = 0; i < 4; i++)
		assert_int_equal(la_pool_release(pool, b[i]), 0);
	assert_int_equal(tl_fd_count(), fds + 5);
	assert_int_equal(la_pool_trim(pool, 1), 3);
	assert_int_equal(la_pool_trim(pool, 1), 0);
	assert_int_equal(tl_fd_count(), fds + 2);
	struct la_pool_stats st = stats_of(pool);
	assert_int_equal(st.idle, 1);
	assert_int_equal(st.outstanding, 1);
	assert_int_equal(st.freed, 3);
	assert_int_equal(la_pool_trim(NULL, 0), -EINVAL);
	/* below the cap again: trimmed buffers are allocated anew */
	assert_int_equal(la_pool_acquire(pool, &b[0]), 0);
	assert_int_equal(la_pool_acquire(pool, &b[1]), 0);
	assert_int_equal(stats_of(pool).allocations, 6);
	la_pool_destroy(pool);
	for (int i = 0; i < 2; i++)
		la_buffer_destroy(b[i]);
	la_buffer_destroy(b[4]);
	la_result_destroy(res);
	assert_int_equal(tl_fd_count(), fds);
}

/* A new negotiation: buffers of the old shape are never handed out again. */
static void test_invalidation(void **state)
{
	int fds = tl_fd_count();
	struct la_result *res = negotiate(XR24, 100), *res2 = negotiate(NV12, 64);
	struct la_pool *pool = NULL;
	struct la_buffer *a = NULL, *idle = NULL, *b = NULL;
	struct la_descriptor d;

	(void)state;
	assert_int_equal(la_pool_new(res, NULL, &pool), 0);
	assert_int_equal(la_pool_acquire(pool, &a), 0);
	assert_int_equal(la_pool_acquire(pool, &idle), 0);
	assert_int_equal(la_pool_release(pool, idle), 0);
	assert_int_equal(la_pool_set_result(pool, res2), 0);
	la_result_destroy(res);
	struct la_pool_stats st = stats_of(pool);
	assert_int_equal(st.generation, 1);
	assert_int_equal(st.idle, 0);
	assert_int_equal(st.stale, 1);
	assert_int_equal(st.freed, 1);
	assert_int_equal(la_pool_acquire(pool, &b), 0);
	la_buffer_get_descriptor(b, &d);
	assert_int_equal(d.format, NV12);
	assert_int_equal(d.width, 64);
	/* the stale buffer comes back and is freed, not kept */
	assert_int_equal(la_pool_release(pool, a), 0);
	st = stats_of(pool);
	assert_int_equal(st.stale, 0);
	assert_int_equal(st.idle, 0);
	assert_int_equal(st.freed, 2);
	assert_int_equal(la_pool_release(pool, b), 0);
	/* withdrawn: nothing handed out until a result is set */
	assert_int_equal(la_pool_set_result(pool, NULL), 0);
	la_result_destroy(res2);
	assert_int_equal(la_pool_acquire(pool, &a), -ESTALE);
	assert_null(a);
	assert_non_null(strstr(la_last_diagnosis(), "withdrawn"));
	assert_int_equal(tl_fd_count(), fds);
	la_pool_destroy(pool);
}

static void test_foreign_and_double_release(void **state)
{
	int fds = tl_fd_count();
	struct la_result *res = negotiate(XR24, 100);
	struct la_pool *pool = NULL, *other = NULL;
	struct la_buffer *plain = NULL, *a = NULL, *o = NULL;

	(void)state;
	assert_int_equal(la_pool_new(res, NULL, &pool), 0);
	assert_int_equal(la_pool_new(res, NULL, &other), 0);
	assert_int_equal(la_allocate(res, &plain), 0);
	assert_int_equal(la_pool_release(pool, plain), -EINVAL);
	assert_non_null(strstr(la_last_diagnosis(), "not acquired from this pool"));
	assert_int_equal(la_pool_acquire(other, &o), 0);
	assert_int_equal(la_pool_release(pool, o), -EINVAL);
	assert_int_equal(la_pool_acquire(pool, &a), 0);
	assert_int_equal(la_pool_release(pool, a), 0);
	assert_int_equal(la_pool_release(pool, a), -EINVAL);
	assert_int_equal(stats_of(pool).idle, 1);
	/* a mapped buffer is not taken back */
	void *p = NULL;
	assert_int_equal(la_pool_acquire(pool, &a), 0);
	assert_int_equal(la_buffer_map(a, 0, LA_MAP_WRITE, &p), 0);
	assert_int_equal(la_pool_release(pool, a), -EBUSY);
	assert_non_null(strstr(la_last_diagnosis(), "mapped"));
	assert_int_equal(la_buffer_unmap(a, 0), 0);
	assert_int_equal(la_pool_release(pool, a), 0);
	/* its fds cannot be taken from a pool's buffer */
	struct la_descriptor d;
	assert_int_equal(la_pool_acquire(pool, &a), 0);
	assert_int_equal(la_buffer_export_take(a, &d), -EINVAL);
	assert_non_null(strstr(la_last_diagnosis(), "pool"));
	assert_int_equal(la_pool_release(pool, a), 0);
	assert_int_equal(la_pool_release(NULL, a), -EINVAL);
	assert_int_equal(la_pool_release(pool, NULL), -EINVAL);
	assert_int_equal(la_pool_acquire(NULL, &a), -EINVAL);
	assert_int_equal(la_pool_acquire(pool, NULL), -EINVAL);
	struct la_pool *bad = NULL;
	assert_int_equal(la_pool_new(NULL, NULL, &bad), -EINVAL);
	assert_int_equal(la_pool_new(res, NULL, NULL), -EINVAL);
	assert_int_equal(la_pool_set_result(NULL, res), -EINVAL);
	struct la_pool_config cfg = {.path = "heap:nowhere"};
	assert_int_equal(la_pool_new(res, &cfg, &bad), -ENOENT);
	assert_null(bad);
	assert_int_equal(la_pool_release(other, o), 0);
	la_pool_destroy(other);
	la_pool_destroy(pool);
	la_pool_destroy(NULL);
	la_buffer_destroy(plain);
	la_result_destroy(res);
	assert_int_equal(tl_fd_count(), fds);
}

/* Destroying the pool or a lent buffer: defined, nothing leaks. */
static void test_destroy_with_outstanding(void **state)
{
	int fds = tl_fd_count();
	struct la_result *res = negotiate(XR24, 100);
	struct la_pool_config cfg = {.max_buffers = 2};
	struct la_pool *pool = NULL;
	struct la_buffer *a = NULL, *b = NULL, *c = NULL;

	(void)state;
	assert_int_equal(la_pool_new(res, &cfg, &pool), 0);
	assert_int_equal(la_pool_acquire(pool, &a), 0);
	assert_int_equal(la_pool_acquire(pool, &b), 0);
	/* a lent buffer destroyed: the pool forgets it, the cap frees a slot */
	la_buffer_destroy(a);
	assert_int_equal(stats_of(pool).outstanding, 1);
	assert_int_equal(la_pool_acquire(pool, &c), 0);
	assert_int_equal(la_pool_release(pool, c), 0);
	/* the pool goes first: b is the caller's own buffer now */
	la_pool_destroy(pool);
	struct la_descriptor d;
	assert_int_equal(la_buffer_export_take(b, &d), 0);
	assert_true(d.planes[0].fd >= 0);
	la_descriptor_close(&d);
	la_result_destroy(res);
	assert_int_equal(tl_fd_count(), fds);
}

/* The caller takes the buffer's own fds: nothing duplicated, nothing left. */
static void test_export_take(void **state)
{
	int fds = tl_fd_count();
	struct la_result *res = negotiate(NV12, 64);
	struct la_buffer *buf = NULL;
	struct la_descriptor own, d;
	void *p = NULL;

	(void)state;
	assert_int_equal(la_allocate(res, &buf), 0);
	la_buffer_get_descriptor(buf, &own);
	assert_int_equal(la_buffer_map(buf, 1, LA_MAP_WRITE, &p), 0);
	assert_int_equal(la_buffer_export_take(buf, NULL), -EINVAL);
	assert_int_equal(la_buffer_export_take(NULL, &d), -EINVAL);
	assert_int_equal(tl_fd_count(), fds + 1);
	assert_int_equal(la_buffer_export_take(buf, &d), 0);
	assert_int_equal(d.planes[0].fd, own.planes[0].fd);
	assert_int_equal(d.planes[1].fd, own.planes[0].fd);
	assert_int_equal(d.plane_count, 2);
	assert_int_equal(d.format, NV12);
	assert_true(fcntl(d.planes[0].fd, F_GETFD) & FD_CLOEXEC);
	assert_int_equal(tl_fd_count(), fds + 1);
	la_descriptor_close(&d);
	la_result_destroy(res);
	assert_int_equal(tl_fd_count(), fds);
}

/*
 * A backend whose buffer is smaller than its planes is refused, on the
 * first buffer of a shape (the check a later buffer of that shape relies
 * on) and on the first buffer of a new negotiation's path.
 */
static void test_short_buffer_refused(void **state)
{
	int fds = tl_fd_count();
	struct la_result *res = negotiate(XR24, 100), *res2 = negotiate(XR24, 100);
	struct la_buffer *buf = NULL;

	(void)state;
	/* heap:short's 2nd allocation is a page short */
	assert_int_equal(la_allocate_with_path(res, "heap:short", &buf), 0);
	la_buffer_destroy(buf);
	assert_int_equal(la_allocate_with_path(res2, "heap:short", &buf), -EPROTO);
	assert_null(buf);
	assert_non_null(strstr(la_last_diagnosis(), "heap:short returned an unusable buffer"));
	assert_non_null(strstr(la_last_diagnosis(), "its memory has"));
	/* the failure proved nothing: the next buffer is checked and taken */
	assert_int_equal(la_allocate_with_path(res2, "heap:short", &buf), 0);
	la_buffer_destroy(buf);
	la_result_destroy(res);
	la_result_destroy(res2);
	assert_int_equal(tl_fd_count(), fds);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reuse),
		cmocka_unit_test(test_cap_and_idle_limit),
		cmocka_unit_test(test_trim),
		cmocka_unit_test(test_invalidation),
		cmocka_unit_test(test_foreign_and_double_release),
		cmocka_unit_test(test_destroy_with_outstanding),
		cmocka_unit_test(test_export_take),
		cmocka_unit_test(test_short_buffer_refused),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
