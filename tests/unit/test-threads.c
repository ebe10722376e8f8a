/* SPDX-License-Identifier: MIT */
/*
 * Several threads on one context and on separate contexts, through the
 * TEST DOUBLE backend: the first device opens race to load the backends;
 * then every thread negotiates, allocates (from its own result and from
 * one shared result), exports, wraps, maps, imports and frees in a loop,
 * while devices are referenced and released from all of them. Checks the
 * promise of liballoc.h ("one context and the objects made from it may be
 * used from several threads at once") with every call succeeding and no
 * fd left; ThreadSanitizer (build-tsan in scripts/test) checks the races.
 * A buffer pool is shared the same way: threads acquire, write and release
 * while others trim it and switch it to another negotiation.
 * Capability sets are also negotiated from several threads at once, and a
 * path that needs no backend lock (LA_PATH_CONCURRENT) is allocated from
 * without it.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <liballoc/liballoc.h>
#include <pthread.h>
#include <stdatomic.h>

#include "testdev.h"
#include "testlib.h"

#define FOURCC(a, b, c, d) ((uint32_t)(a) | (uint32_t)(b) << 8 | (uint32_t)(c) << 16 | (uint32_t)(d) << 24)
#define NV12 FOURCC('N', 'V', '1', '2')
#define SHARED_THREADS 4
#define OWN_THREADS 2
#define ITERATIONS 150

static const char *CAMERA = TESTDEV_CAMERA;
static const char *DISPLAY = TESTDEV_DISPLAY;
static const char *HEAPS = TESTDEV_HEAPS;

static char cam_path[512], disp_path[512];

struct shared {
	struct la_context *ctx;
	struct la_device *cam, *disp;
	struct la_result *res;  /* negotiated once, allocated from by all */
	pthread_barrier_t start;
	atomic_int failures;
};

/* Records the first failure of a thread; cmocka's asserts are not thread-safe. */
#define CHECK(expr)                                                                   \
	do {                                                                          \
		int ret_ = (expr);                                                    \
		if (ret_ != 0) {                                                      \
			fprintf(stderr, "thread: %s = %d (%s)\n", #expr, ret_,        \
				la_last_diagnosis());                                 \
			return -1;                                                    \
		}                                                                     \
	} while (0)

static int use_buffer(struct la_context *ctx, struct la_device *disp, struct la_buffer *buf)
{
	struct la_buffer *back = NULL;
	struct la_import *imp = NULL;
	struct la_descriptor d;
	uint8_t *p = NULL;

	CHECK(la_buffer_export(buf, &d));
	int ret = la_buffer_from_descriptor(ctx, &d, &back);
	la_descriptor_close(&d);
	CHECK(ret);
	ret = la_buffer_map(back, 1, LA_MAP_WRITE, (void **)&p);
	if (ret == 0) {
		p[0] = 0x42;
		ret = la_buffer_unmap(back, 1);
	}
	if (ret == 0)
		ret = la_device_import(disp, LA_USAGE_SCANOUT, back, &imp);
	la_import_destroy(imp);
	la_buffer_destroy(back);
	CHECK(ret);
	return 0;
}

/* One round on ctx with its devices; res (may be NULL) is a shared result. */
static int round_on(struct la_context *ctx, struct la_device *cam, struct la_device *disp,
		    struct la_result *shared_res)
{
	uint32_t f = NV12;
	struct la_assertion as = {.width = 128, .height = 96, .formats = &f, .n_formats = 1};
	struct la_request req[2] = {{la_device_ref(cam), LA_USAGE_CAPTURE},
				    {la_device_ref(disp), LA_USAGE_SCANOUT | LA_USAGE_CPU_WRITE}};
	struct la_result *res = NULL;
	struct la_buffer *buf = NULL, *other = NULL;
	int ret = la_negotiate(ctx, &as, req, 2, &res);

	if (ret == 0)
		ret = la_allocate(res, &buf);
	if (ret == 0)
		ret = use_buffer(ctx, disp, buf);
	if (ret == 0 && shared_res)
		ret = la_allocate_with_path(shared_res, "heap:contig", &other);
	if (ret == 0 && shared_res)
		ret = use_buffer(ctx, disp, other);
	if (ret != 0)
		fprintf(stderr, "thread: round failed: %d (%s)\n", ret, la_last_diagnosis());
	la_buffer_destroy(other);
	la_buffer_destroy(buf);
	la_result_destroy(res);
	la_device_unref(req[0].device);
	la_device_unref(req[1].device);
	return ret;
}

static void *shared_thread(void *data)
{
	struct shared *s = data;

	pthread_barrier_wait(&s->start);
	for (int i = 0; i < ITERATIONS; i++) {
		if (round_on(s->ctx, s->cam, s->disp, s->res) != 0) {
			atomic_fetch_add(&s->failures, 1);
			break;
		}
	}
	return NULL;
}

static void *own_thread(void *data)
{
	struct shared *s = data;
	struct la_context *ctx = NULL;
	struct la_device *cam = NULL, *disp = NULL;
	int ret;

	pthread_barrier_wait(&s->start);
	ret = la_context_new(&ctx);
	if (ret == 0)
		ret = la_device_open(ctx, cam_path, &cam);
	if (ret == 0)
		ret = la_device_open(ctx, disp_path, &disp);
	for (int i = 0; ret == 0 && i < ITERATIONS; i++)
		ret = round_on(ctx, cam, disp, NULL);
	if (ret != 0)
		atomic_fetch_add(&s->failures, 1);
	la_device_unref(cam);
	la_device_unref(disp);
	la_context_destroy(ctx);
	return NULL;
}

/* First use of a context from several threads at once: the loader races. */
static void *open_thread(void *data)
{
	struct shared *s = data;
	struct la_device *d = NULL;

	pthread_barrier_wait(&s->start);
	if (la_device_open(s->ctx, cam_path, &d) != 0)
		atomic_fetch_add(&s->failures, 1);
	la_device_unref(d);
	return NULL;
}

static void run_threads(struct shared *s, void *(*fn)(void *), size_t n)
{
	pthread_t t[8];

	assert_true(n <= 8);
	assert_int_equal(pthread_barrier_init(&s->start, NULL, (unsigned)n), 0);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(pthread_create(&t[i], NULL, fn, s), 0);
	for (size_t i = 0; i < n; i++)
		pthread_join(t[i], NULL);
	pthread_barrier_destroy(&s->start);
}

static void test_first_use_races(void **state)
{
	struct shared s = {0};
	int fds = tl_fd_count();

	(void)state;
	assert_int_equal(la_context_new(&s.ctx), 0);
	run_threads(&s, open_thread, 8);
	size_t n = 0;
	assert_int_equal(la_context_get_backend_count(s.ctx, &n), 0);
	assert_int_equal(n, 1); /* loaded once, not once per thread */
	la_context_destroy(s.ctx);
	assert_int_equal(atomic_load(&s.failures), 0);
	assert_int_equal(tl_fd_count(), fds);
}

static void test_shared_and_own_contexts(void **state)
{
	struct shared s = {0};
	pthread_t t[SHARED_THREADS + OWN_THREADS];
	uint32_t f = NV12;
	struct la_assertion as = {.width = 64, .height = 64, .formats = &f, .n_formats = 1};
	int fds = tl_fd_count();

	(void)state;
	assert_int_equal(la_context_new(&s.ctx), 0);
	assert_int_equal(la_device_open(s.ctx, cam_path, &s.cam), 0);
	assert_int_equal(la_device_open(s.ctx, disp_path, &s.disp), 0);
	struct la_request req[2] = {{s.cam, LA_USAGE_CAPTURE}, {s.disp, LA_USAGE_SCANOUT}};
	assert_int_equal(la_negotiate(s.ctx, &as, req, 2, &s.res), 0);
	assert_int_equal(pthread_barrier_init(&s.start, NULL, SHARED_THREADS + OWN_THREADS), 0);
	for (size_t i = 0; i < SHARED_THREADS; i++)
		assert_int_equal(pthread_create(&t[i], NULL, shared_thread, &s), 0);
	for (size_t i = SHARED_THREADS; i < SHARED_THREADS + OWN_THREADS; i++)
		assert_int_equal(pthread_create(&t[i], NULL, own_thread, &s), 0);
	for (size_t i = 0; i < SHARED_THREADS + OWN_THREADS; i++)
		pthread_join(t[i], NULL);
	pthread_barrier_destroy(&s.start);
	la_result_destroy(s.res);
	la_device_unref(s.cam);
	la_device_unref(s.disp);
	la_context_destroy(s.ctx);
	assert_int_equal(atomic_load(&s.failures), 0);
	assert_int_equal(tl_fd_count(), fds);
}

struct pool_run {
	struct la_pool *pool;
	struct la_result *res[2];
	pthread_barrier_t start;
	atomic_int failures;
	atomic_int done;
};

/* Acquire (retrying at the cap), write, release; a refusal is not a failure. */
static int pool_round(struct la_pool *pool)
{
	struct la_buffer *buf = NULL;
	uint8_t *p = NULL;
	int ret = la_pool_acquire(pool, &buf);

	if (ret == -ENOBUFS)
		return 0;
	CHECK(ret);
	ret = la_buffer_map(buf, 0, LA_MAP_WRITE, (void **)&p);
	if (ret == 0) {
		p[0] = 0x42;
		ret = la_buffer_unmap(buf, 0);
	}
	int rel = la_pool_release(pool, buf);
	CHECK(ret);
	CHECK(rel);
	return 0;
}

static void *pool_user(void *data)
{
	struct pool_run *r = data;

	pthread_barrier_wait(&r->start);
	for (int i = 0; i < ITERATIONS * 4; i++) {
		if (pool_round(r->pool) != 0) {
			atomic_fetch_add(&r->failures, 1);
			break;
		}
	}
	atomic_fetch_add(&r->done, 1);
	return NULL;
}

/* Trims and renegotiates while the users run. */
static void *pool_keeper(void *data)
{
	struct pool_run *r = data;

	pthread_barrier_wait(&r->start);
	for (int i = 0; atomic_load(&r->done) < 3; i++) {
		int ret = i % 2 ? la_pool_trim(r->pool, 1) : la_pool_set_result(r->pool, r->res[i / 2 % 2]);
		if (ret < 0) {
			atomic_fetch_add(&r->failures, 1);
			break;
		}
	}
	return NULL;
}

static void test_shared_pool(void **state)
{
	struct pool_run r = {0};
	struct la_context *ctx = NULL;
	struct la_device *disp = NULL;
	uint32_t f = NV12;
	struct la_pool_config cfg = {.max_buffers = 4};
	pthread_t t[4];
	int fds = tl_fd_count();

	(void)state;
	assert_int_equal(la_context_new(&ctx), 0);
	assert_int_equal(la_device_open(ctx, disp_path, &disp), 0);
	struct la_request req = {disp, LA_USAGE_SCANOUT | LA_USAGE_CPU_WRITE};
	for (int i = 0; i < 2; i++) {
		struct la_assertion as = {.width = 64 + 64 * (uint32_t)i, .height = 64,
					  .formats = &f, .n_formats = 1};
		assert_int_equal(la_negotiate(ctx, &as, &req, 1, &r.res[i]), 0);
	}
	assert_int_equal(la_pool_new(r.res[0], &cfg, &r.pool), 0);
	assert_int_equal(pthread_barrier_init(&r.start, NULL, 4), 0);
	for (size_t i = 0; i < 3; i++)
		assert_int_equal(pthread_create(&t[i], NULL, pool_user, &r), 0);
	assert_int_equal(pthread_create(&t[3], NULL, pool_keeper, &r), 0);
	for (size_t i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	pthread_barrier_destroy(&r.start);
	struct la_pool_stats st;
	la_pool_get_stats(r.pool, &st);
	assert_int_equal(atomic_load(&r.failures), 0);
	assert_int_equal(st.outstanding, 0);
	assert_int_equal(st.stale, 0);
	assert_true(st.idle <= 4 && st.peak <= 4);
	assert_int_equal(st.allocations - st.freed, st.idle);
	la_pool_destroy(r.pool);
	la_result_destroy(r.res[0]);
	la_result_destroy(r.res[1]);
	la_device_unref(disp);
	la_context_destroy(ctx);
	assert_int_equal(tl_fd_count(), fds);
}

static int setup(void **state)
{
	(void)state;
	setenv("LIBALLOC_TEST_HEAPS", HEAPS, 1);
	snprintf(cam_path, sizeof(cam_path), "%s", testdev_write("camera", CAMERA));
	snprintf(disp_path, sizeof(disp_path), "%s", testdev_write("display", DISPLAY));
	return 0;
}

/*
 * Capability sets negotiated from several threads at once: the first
 * negotiations race to build each set's index (capindex.c) and must all see
 * the same candidates as one negotiation alone.
 */
struct capsets_run {
	struct la_context *ctx;
	struct la_capset *sets[2];
	struct la_assertion as;
	pthread_barrier_t start;
	atomic_int failures;
	atomic_int next;
	size_t counts[8];
};

static int negotiate_sets(struct capsets_run *r, size_t *count)
{
	struct la_result *res = NULL;

	CHECK(la_negotiate_capsets(r->ctx, &r->as, r->sets, 2, &res));
	*count = la_result_get_candidate_count(res);
	la_result_destroy(res);
	return 0;
}

static void *capsets_thread(void *data)
{
	struct capsets_run *r = data;
	int slot = atomic_fetch_add(&r->next, 1);
	size_t count;

	pthread_barrier_wait(&r->start);
	for (int i = 0; i < ITERATIONS; i++) {
		if (negotiate_sets(r, &count) != 0 || (i > 0 && count != r->counts[slot])) {
			atomic_fetch_add(&r->failures, 1);
			break;
		}
		r->counts[slot] = count;
	}
	return NULL;
}

static void test_shared_capsets(void **state)
{
	struct capsets_run r = {0};
	struct la_device *cam, *disp;
	pthread_t t[8];
	uint32_t f = NV12;
	size_t alone;

	(void)state;
	r.as = (struct la_assertion){.width = 64, .height = 64, .formats = &f, .n_formats = 1};
	assert_int_equal(la_context_new(&r.ctx), 0);
	assert_int_equal(la_device_open(r.ctx, cam_path, &cam), 0);
	assert_int_equal(la_device_open(r.ctx, disp_path, &disp), 0);
	assert_int_equal(la_device_get_capabilities(cam, LA_USAGE_CAPTURE, &r.as, &r.sets[0]), 0);
	assert_int_equal(la_device_get_capabilities(disp, LA_USAGE_SCANOUT, &r.as, &r.sets[1]), 0);
	assert_int_equal(pthread_barrier_init(&r.start, NULL, 8), 0);
	for (size_t i = 0; i < 8; i++)
		assert_int_equal(pthread_create(&t[i], NULL, capsets_thread, &r), 0);
	for (size_t i = 0; i < 8; i++)
		pthread_join(t[i], NULL);
	pthread_barrier_destroy(&r.start);
	assert_int_equal(atomic_load(&r.failures), 0);
	assert_int_equal(negotiate_sets(&r, &alone), 0);
	assert_true(alone > 0);
	for (size_t i = 0; i < 8; i++)
		assert_int_equal(r.counts[i], alone);
	la_capset_destroy(r.sets[0]);
	la_capset_destroy(r.sets[1]);
	la_device_unref(cam);
	la_device_unref(disp);
	la_context_destroy(r.ctx);
}

/*
 * A path with LA_PATH_CONCURRENT is allocated from without the backend's
 * lock: the test double's first two allocations on its "rendezvous" path
 * each wait for the other to start, which happens only if the core lets
 * them run at once. Then every thread allocates and frees on it and on a
 * path without the flag, where the test double refuses two allocations at
 * once; the context's recycled buffer object is taken and given back from
 * all of them (ThreadSanitizer checks the races).
 */
static const char CONCURRENT_HEAPS[] =
	"[{\"name\": \"heap:free\", \"rank\": 500, \"flags\": [\"concurrent\", \"rendezvous\"]},"
	" {\"name\": \"heap:locked\", \"rank\": 400}]";

struct concurrent_run {
	struct la_result *res;
	pthread_barrier_t start;
	atomic_int failures;
};

static int concurrent_round(struct la_result *res, const char *path, bool take)
{
	struct la_buffer *buf = NULL;
	struct la_descriptor d;

	CHECK(la_allocate_with_path(res, path, &buf));
	CHECK(strcmp(la_buffer_get_path(buf), path) != 0);
	if (!take) {
		la_buffer_destroy(buf);
		return 0;
	}
	CHECK(la_buffer_export_take(buf, &d));
	la_descriptor_close(&d);
	return 0;
}

static void *concurrent_thread(void *data)
{
	struct concurrent_run *r = data;

	pthread_barrier_wait(&r->start);
	for (int i = 0; i < ITERATIONS; i++) {
		if (concurrent_round(r->res, i % 2 ? "heap:locked" : "heap:free", i % 3 == 0) != 0) {
			atomic_fetch_add(&r->failures, 1);
			break;
		}
	}
	return NULL;
}

static void test_concurrent_path(void **state)
{
	struct concurrent_run r = {0};
	struct la_context *ctx = NULL;
	struct la_device *disp = NULL;
	pthread_t t[SHARED_THREADS];
	uint32_t f = FOURCC('X', 'R', '2', '4');
	struct la_assertion as = {.width = 64, .height = 64, .formats = &f, .n_formats = 1};
	int fds = tl_fd_count();

	(void)state;
	setenv("LIBALLOC_TEST_HEAPS", CONCURRENT_HEAPS, 1); /* read when the backend loads */
	assert_int_equal(la_context_new(&ctx), 0);
	assert_int_equal(la_device_open(ctx, disp_path, &disp), 0);
	setenv("LIBALLOC_TEST_HEAPS", HEAPS, 1);
	struct la_request req = {disp, LA_USAGE_SCANOUT};
	assert_int_equal(la_negotiate(ctx, &as, &req, 1, &r.res), 0);
	assert_int_equal(pthread_barrier_init(&r.start, NULL, SHARED_THREADS), 0);
	for (size_t i = 0; i < SHARED_THREADS; i++)
		assert_int_equal(pthread_create(&t[i], NULL, concurrent_thread, &r), 0);
	for (size_t i = 0; i < SHARED_THREADS; i++)
		pthread_join(t[i], NULL);
	pthread_barrier_destroy(&r.start);
	la_result_destroy(r.res);
	la_device_unref(disp);
	la_context_destroy(ctx);
	assert_int_equal(atomic_load(&r.failures), 0);
	assert_int_equal(tl_fd_count(), fds);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_first_use_races),
		cmocka_unit_test(test_shared_and_own_contexts),
		cmocka_unit_test(test_shared_pool),
		cmocka_unit_test(test_shared_capsets),
		cmocka_unit_test(test_concurrent_path),
	};
	return cmocka_run_group_tests(tests, setup, testdev_teardown);
}
