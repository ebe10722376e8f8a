/* SPDX-License-Identifier: MIT */
/*
 * Devices, path ranking, allocation, export, import and CPU maps through the
 * core, driven by the TEST DOUBLE backend (backend-test/): its devices are
 * JSON files and its memory memfds. What a real kernel decides is tested by
 * the backends in the vm suite; this checks the core's own decisions.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <liballoc/interop.h>
#include <liballoc/liballoc.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testdev.h"
#include "testlib.h"

#define FOURCC(a, b, c, d) ((uint32_t)(a) | (uint32_t)(b) << 8 | (uint32_t)(c) << 16 | (uint32_t)(d) << 24)
#define XR24 FOURCC('X', 'R', '2', '4')
#define NV12 FOURCC('N', 'V', '1', '2')
#define YUYV FOURCC('Y', 'U', 'Y', 'V')

static const char *CAMERA = TESTDEV_CAMERA;
static const char *DISPLAY = TESTDEV_DISPLAY;
static const char LONER[] =
	"{\"driver\": \"fake_loner\", \"import_rule\": \"own-only\","
	" \"candidates\": [{\"format\": \"NV12\", \"modifiers\": [0]}],"
	" \"own_path\": {\"rank\": 200}}";
static const char LONER2[] =
	"{\"driver\": \"fake_loner2\", \"import_rule\": \"none\","
	" \"candidates\": [{\"format\": \"NV12\", \"modifiers\": [0]}]}";

static const char *HEAPS =
	"[{\"name\": \"heap:system\", \"rank\": 500, \"caching\": \"cached\"},"
	" {\"name\": \"heap:wc\", \"rank\": 520, \"caching\": \"wc\"},"
	" {\"name\": \"heap:contig\", \"rank\": 400, \"flags\": [\"contiguous\"], \"caching\": \"wc\"},"
	" {\"name\": \"heap:never\", \"rank\": 900}]";

static struct la_context *ctx;
static struct la_device *cam, *disp, *loner, *loner2;

static struct la_device *open_dev(const char *name, const char *json)
{
	struct la_device *d = NULL;
	assert_int_equal(la_device_open(ctx, testdev_write(name, json), &d), 0);
	return d;
}

static const struct testdev_spec DEVICES[] = {
	{"camera", TESTDEV_CAMERA, &cam},
	{"display", TESTDEV_DISPLAY, &disp},
	{"loner", LONER, &loner},
	{"loner2", LONER2, &loner2},
};

static int setup(void **state)
{
	(void)state;
	return testdev_open_all(&ctx, HEAPS, DEVICES, 4);
}

static int teardown(void **state)
{
	(void)state;
	testdev_close_all(&ctx, DEVICES, 4);
	return 0;
}

static int negotiate2(struct la_device *a, uint64_t ua, struct la_device *b, uint64_t ub,
		      uint32_t format, struct la_result **res)
{
	struct la_request req[2] = {{a, ua}, {b, ub}};
	struct la_assertion as = {.width = 100, .height = 50, .formats = &format, .n_formats = 1};
	return la_negotiate(ctx, &as, req, b ? 2 : 1, res);
}

static const struct la_path_info *find_path(struct la_result *res, const char *name,
					    struct la_path_info *pi)
{
	for (size_t i = 0; i < la_result_get_path_count(res); i++) {
		assert_int_equal(la_result_get_path(res, i, pi), 0);
		if (!strcmp(pi->name, name))
			return pi;
	}
	return NULL;
}

static void test_device_identity(void **state)
{
	struct la_device *d = NULL;
	uint64_t bit = 0;

	(void)state;
	assert_string_equal(la_device_get_backend(cam), "test");
	assert_string_equal(la_device_get_driver(cam), "fake_camera");
	assert_non_null(strstr(la_device_get_label(cam), "fake_camera"));
	assert_true(la_device_get_fd(cam) >= 0);
	assert_true(fcntl(la_device_get_fd(cam), F_GETFD) & FD_CLOEXEC);
	assert_int_equal(la_device_usage_from_name(cam, "test.magic", &bit), 0);
	assert_true(bit == UINT64_C(1) << 40);
	assert_true(la_device_usage_from_name(cam, "test.nope", &bit) < 0);

	/* A node no backend claims: refused with a reason, nothing leaks. */
	int before = tl_fd_count();
	assert_int_equal(la_device_open(ctx, "/dev/null", &d), -ENODEV);
	assert_null(d);
	assert_non_null(strstr(la_last_diagnosis(), "/dev/null"));
	assert_int_equal(la_device_open(ctx, "/nonexistent/x.testdev", &d), -ENOENT);
	assert_int_equal(tl_fd_count(), before);
}

static void test_open_fd_duplicates(void **state)
{
	int fd = open(testdev_write("byfd", DISPLAY), O_RDONLY | O_CLOEXEC);
	struct la_device *d = NULL;

	(void)state;
	assert_true(fd >= 0);
	/* The core names the node from the fd; the device owns a duplicate. */
	assert_int_equal(la_device_open_fd(ctx, fd, &d), 0);
	assert_string_equal(la_device_get_driver(d), "fake_display");
	assert_true(la_device_get_fd(d) != fd);
	assert_true(fcntl(la_device_get_fd(d), F_GETFD) & FD_CLOEXEC);
	/* The caller's fd stays the caller's: closing it does not hurt the device. */
	close(fd);
	struct la_capset *set = NULL;
	uint32_t f = XR24;
	struct la_assertion a = {.width = 64, .height = 64, .formats = &f, .n_formats = 1};
	assert_int_equal(la_device_get_capabilities(d, LA_USAGE_SCANOUT, &a, &set), 0);
	la_capset_destroy(set);
	la_device_unref(d);
	d = NULL;
	assert_int_equal(la_device_open_fd(ctx, -1, &d), -EBADF);
}

static void test_enumerate(void **state)
{
	struct la_device **list = NULL;
	size_t n = 0;
	char env[1100];

	(void)state;
	snprintf(env, sizeof(env), "%s/camera.testdev:%s/display.testdev", testdev_tmpdir(),
		 testdev_tmpdir());
	setenv("LIBALLOC_TEST_DEVICES", env, 1);
	assert_int_equal(la_context_enumerate(ctx, &list, &n), 0);
	unsetenv("LIBALLOC_TEST_DEVICES");
	assert_int_equal(n, 2);
	assert_string_equal(la_device_get_driver(list[0]), "fake_camera");
	assert_string_equal(la_device_get_driver(list[1]), "fake_display");
	la_device_list_free(list, n);
}

static void test_capabilities(void **state)
{
	struct la_capset *set = NULL;
	struct la_capset_info info;
	struct la_candidate c;

	(void)state;
	struct la_assertion a = {.width = 64, .height = 64};
	assert_int_equal(la_device_get_capabilities(cam, LA_USAGE_CAPTURE, NULL, &set), -EINVAL);
	assert_null(set);
	assert_int_equal(la_device_get_capabilities(cam, LA_USAGE_CAPTURE, &a, &set), 0);
	la_capset_get_info(set, &info);
	assert_int_equal(info.import_rule, LA_IMPORT_CONTIGUOUS);
	assert_string_equal(info.import_reason, "probe: -EINVAL");
	assert_string_equal(info.driver, "fake_camera");
	assert_int_equal(la_capset_get_candidate_count(set), 2);
	assert_int_equal(la_capset_get_candidate(set, 0, &c), 0);
	assert_int_equal(c.format, YUYV);
	assert_int_equal(c.constraints.pitch_align[0], 32);
	assert_true(la_capset_get_device(set) == cam);
	la_capset_destroy(set);
}

/* The camera imports only contiguous memory: the scattered heaps lose. */
static void test_import_rule_contiguous(void **state)
{
	struct la_result *res = NULL;
	struct la_path_info pi;
	struct la_buffer *buf = NULL;

	(void)state;
	assert_int_equal(negotiate2(cam, LA_USAGE_CAPTURE, disp, LA_USAGE_SCANOUT, NV12, &res), 0);
	assert_non_null(find_path(res, "heap:system", &pi));
	assert_false(pi.matched);
	assert_non_null(strstr(pi.reason, "imports only physically contiguous"));
	assert_non_null(strstr(pi.reason, "probe: -EINVAL"));
	assert_non_null(find_path(res, "heap:never", &pi));
	assert_false(pi.matched);
	assert_non_null(find_path(res, "heap:contig", &pi));
	assert_true(pi.matched);
	/* The camera's own (contiguous) memory ranks 300 < the contiguous heap's 400. */
	assert_int_equal(la_allocate(res, &buf), 0);
	assert_string_equal(la_buffer_get_path(buf), "heap:contig");
	struct la_descriptor d;
	la_buffer_get_descriptor(buf, &d);
	assert_int_equal(d.format, NV12);
	assert_int_equal(d.plane_count, 2);
	assert_int_equal(d.planes[0].pitch % 256, 0); /* lcm(32, 256) */
	assert_true(d.planes[1].offset >= d.planes[0].pitch * 50);
	la_buffer_destroy(buf);
	la_result_destroy(res);
}

static void test_own_only_and_none(void **state)
{
	struct la_result *res = NULL;
	struct la_buffer *buf = NULL;

	(void)state;
	/* loner imports nothing foreign: only its own memory works. */
	assert_int_equal(negotiate2(loner, LA_USAGE_DECODE, disp, LA_USAGE_SCANOUT, NV12, &res), 0);
	assert_int_equal(la_allocate(res, &buf), 0);
	assert_string_equal(la_buffer_get_path(buf), "own:fake_loner");
	la_buffer_destroy(buf);
	la_result_destroy(res);

	/* Two devices that each import only their own buffers cannot share one. */
	res = NULL;
	assert_int_equal(negotiate2(loner, LA_USAGE_DECODE, loner2, LA_USAGE_SCANOUT, NV12, &res),
			 -ENODEV);
	assert_non_null(res);
	const char *d = la_result_get_diagnosis(res);
	assert_non_null(strstr(d, "no allocation path"));
	assert_non_null(strstr(d, "imports no buffer it did not allocate"));
	assert_int_equal(la_allocate(res, &buf), -ENODEV);
	assert_null(buf);
	la_result_destroy(res);
}

static void test_cpu_read_often_prefers_cached(void **state)
{
	struct la_result *res = NULL;
	struct la_buffer *buf = NULL;

	(void)state;
	/* Without CPU reads the write-combined heap's higher rank wins... */
	assert_int_equal(negotiate2(disp, LA_USAGE_SCANOUT, NULL, 0, XR24, &res), 0);
	assert_int_equal(la_allocate(res, &buf), 0);
	assert_string_equal(la_buffer_get_path(buf), "heap:wc");
	la_buffer_destroy(buf);
	la_result_destroy(res);
	/* ...with frequent CPU reads the cached one does. */
	assert_int_equal(negotiate2(disp, LA_USAGE_SCANOUT | LA_USAGE_CPU_READ_OFTEN, NULL, 0, XR24,
				    &res), 0);
	assert_int_equal(la_allocate(res, &buf), 0);
	assert_string_equal(la_buffer_get_path(buf), "heap:system");
	struct la_descriptor d;
	la_buffer_get_descriptor(buf, &d);
	assert_true(d.flags & LA_BUFFER_CACHED);
	la_buffer_destroy(buf);
	la_result_destroy(res);
}

static void test_forced_path(void **state)
{
	struct la_result *res = NULL;
	struct la_buffer *buf = NULL;

	(void)state;
	assert_int_equal(negotiate2(cam, LA_USAGE_CAPTURE, disp, LA_USAGE_SCANOUT, NV12, &res), 0);
	assert_int_equal(la_allocate_with_path(res, "own:fake_camera", &buf), 0);
	assert_string_equal(la_buffer_get_path(buf), "own:fake_camera");
	la_buffer_destroy(buf);
	assert_int_equal(la_allocate_with_path(res, "heap:nonexistent", &buf), -ENOENT);
	assert_null(buf);
	assert_int_equal(la_allocate_with_path(res, "heap:system", &buf), -EINVAL);
	assert_non_null(strstr(la_last_diagnosis(), "heap:system"));
	assert_non_null(strstr(la_last_diagnosis(), "contiguous"));
	la_result_destroy(res);
}

static void test_allocate_set_all_or_nothing(void **state)
{
	struct la_result *res = NULL;
	struct la_buffer *bufs[4];
	int before;

	(void)state;
	setenv("LIBALLOC_TEST_HEAPS", "[{\"name\": \"heap:flaky\", \"rank\": 500, \"fail\": 3}]", 1);
	struct la_context *c2 = NULL;
	struct la_device *d = NULL;
	assert_int_equal(la_context_new(&c2), 0);
	assert_int_equal(la_device_open(c2, testdev_write("display2", DISPLAY), &d), 0);
	struct la_request req = {d, LA_USAGE_SCANOUT};
	uint32_t f = XR24;
	struct la_assertion as = {.width = 64, .height = 64, .formats = &f, .n_formats = 1};
	assert_int_equal(la_negotiate(c2, &as, &req, 1, &res), 0);
	before = tl_fd_count();
	assert_int_equal(la_allocate_set(res, bufs, 4), -ENOMEM);
	for (int i = 0; i < 4; i++)
		assert_null(bufs[i]);
	assert_non_null(strstr(la_last_diagnosis(), "buffer 3 of 4"));
	assert_non_null(strstr(la_last_diagnosis(), "injected ENOMEM"));
	assert_int_equal(tl_fd_count(), before);
	/* The fault was one-shot: the next set succeeds. */
	assert_int_equal(la_allocate_set(res, bufs, 4), 0);
	for (int i = 0; i < 4; i++)
		la_buffer_destroy(bufs[i]);
	assert_int_equal(tl_fd_count(), before);
	la_result_destroy(res);
	la_device_unref(d);
	la_context_destroy(c2);
	setenv("LIBALLOC_TEST_HEAPS", HEAPS, 1);
}

/* One run of test_contig_enomem: a set of 3 on a contiguous heap whose 2nd allocation fails. */
static const char *contig_set_fails(const char *name1, const char *json1, uint64_t u1,
				    const char *name2, const char *json2, uint64_t u2, uint32_t f)
{
	static char diag[1024];
	struct la_context *c2 = NULL;
	struct la_device *d1 = NULL, *d2 = NULL;
	struct la_result *res = NULL;
	struct la_buffer *bufs[3];
	int before;

	assert_int_equal(la_context_new(&c2), 0);
	assert_int_equal(la_device_open(c2, testdev_write(name1, json1), &d1), 0);
	assert_int_equal(la_device_open(c2, testdev_write(name2, json2), &d2), 0);
	struct la_request req[2] = {{d1, u1}, {d2, u2}};
	struct la_assertion as = {.width = 64, .height = 64, .formats = &f, .n_formats = 1};
	assert_int_equal(la_negotiate(c2, &as, req, 2, &res), 0);
	before = tl_fd_count();
	assert_int_equal(la_allocate_set(res, bufs, 3), -ENOMEM);
	for (int i = 0; i < 3; i++)
		assert_null(bufs[i]);
	assert_int_equal(tl_fd_count(), before);
	snprintf(diag, sizeof(diag), "%s", la_last_diagnosis());
	la_result_destroy(res);
	la_device_unref(d1);
	la_device_unref(d2);
	la_context_destroy(c2);
	return diag;
}

/*
 * A contiguous path that runs out names who required contiguity: by import
 * rule (with its probe), or by a contiguity constraint; a scattered one
 * names nobody.
 */
static void test_contig_enomem_names_devices(void **state)
{
	static const char *contig_display =
		"{\"driver\": \"fake_contig_display\", \"import_rule\": \"any\","
		" \"candidates\": [{\"format\": \"XR24\", \"modifiers\": [0],"
		" \"flags\": [\"contiguous\"]}]}";
	const char *d;

	(void)state;
	setenv("LIBALLOC_TEST_HEAPS", "[{\"name\": \"heap:cma\", \"rank\": 500,"
	       " \"flags\": [\"contiguous\"], \"fail\": 2}]", 1);
	d = contig_set_fails("camera5", CAMERA, LA_USAGE_CAPTURE, "display5", DISPLAY,
			     LA_USAGE_SCANOUT, NV12);
	assert_non_null(strstr(d, "buffer 2 of 3"));
	assert_non_null(strstr(d, "heap:cma: injected ENOMEM; contiguous memory is required by "));
	assert_non_null(strstr(d, "fake_camera"));
	assert_non_null(strstr(d, ", which imports only contiguous memory (probe: -EINVAL)"));
	assert_null(strstr(d, "fake_display"));

	d = contig_set_fails("cdisplay", contig_display, LA_USAGE_SCANOUT, "display6", DISPLAY,
			     LA_USAGE_SCANOUT, XR24);
	assert_non_null(strstr(d, "contiguous memory is required by "));
	assert_non_null(strstr(d, "fake_contig_display"));
	assert_non_null(strstr(d, ", whose capability set requires it (constraint 'contiguous')"));
	assert_null(strstr(d, "fake_display"));

	setenv("LIBALLOC_TEST_HEAPS", "[{\"name\": \"heap:flaky\", \"rank\": 500, \"fail\": 2}]",
	       1);
	d = contig_set_fails("display7", DISPLAY, LA_USAGE_SCANOUT, "display8", DISPLAY,
			     LA_USAGE_SCANOUT, XR24);
	assert_non_null(strstr(d, "injected ENOMEM"));
	assert_null(strstr(d, "contiguous memory is required"));
	setenv("LIBALLOC_TEST_HEAPS", HEAPS, 1);
}

/*
 * A forced path that matched the chosen candidate while negotiating is not
 * matched again per allocation (as la_allocate's best path is not); one
 * that did not match is still asked for every candidate.
 */
static void test_forced_path_matched_once(void **state)
{
	struct la_result *res = NULL;
	struct la_buffer *buf = NULL;

	(void)state;
	setenv("LIBALLOC_TEST_HEAPS", "[{\"name\": \"heap:once\", \"rank\": 500, \"matches\": 1},"
	       " {\"name\": \"heap:never\", \"rank\": 900}, {\"name\": \"heap:denied\"}]", 1);
	struct la_context *c2 = NULL;
	struct la_device *d = NULL;
	assert_int_equal(la_context_new(&c2), 0);
	assert_int_equal(la_device_open(c2, testdev_write("display3", DISPLAY), &d), 0);
	struct la_request req = {d, LA_USAGE_SCANOUT};
	uint32_t f = XR24;
	struct la_assertion as = {.width = 64, .height = 64, .formats = &f, .n_formats = 1};
	assert_int_equal(la_negotiate(c2, &as, &req, 1, &res), 0);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(la_allocate_with_path(res, "heap:once", &buf), 0);
		assert_string_equal(la_buffer_get_path(buf), "heap:once");
		la_buffer_destroy(buf);
	}
	assert_int_equal(la_allocate_with_path(res, "heap:never", &buf), -EINVAL);
	assert_null(buf);
	assert_non_null(strstr(la_last_diagnosis(), "never matches"));
	/* no permission is the caller's to fix: its errno is kept */
	assert_int_equal(la_allocate_with_path(res, "heap:denied", &buf), -EACCES);
	assert_null(buf);
	assert_non_null(strstr(la_last_diagnosis(), "no permission"));
	assert_int_equal(la_allocate_with_path(res, "heap:absent", &buf), -ENOENT);
	assert_non_null(strstr(la_last_diagnosis(), "missing"));
	la_result_destroy(res);
	la_device_unref(d);
	la_context_destroy(c2);
	setenv("LIBALLOC_TEST_HEAPS", HEAPS, 1);
}

static void test_export_and_descriptor(void **state)
{
	struct la_result *res = NULL;
	struct la_buffer *buf = NULL, *back = NULL;
	struct la_descriptor d;
	int before;

	(void)state;
	assert_int_equal(negotiate2(cam, LA_USAGE_CAPTURE, disp, LA_USAGE_SCANOUT, NV12, &res), 0);
	before = tl_fd_count();
	assert_int_equal(la_allocate(res, &buf), 0);
	assert_int_equal(la_buffer_export(buf, &d), 0);
	assert_true(d.planes[0].fd >= 0);
	assert_true(fcntl(d.planes[0].fd, F_GETFD) & FD_CLOEXEC);
	/* The export is the caller's: a buffer made from it owns its own copies. */
	assert_int_equal(la_buffer_from_descriptor(ctx, &d, &back), 0);
	la_descriptor_close(&d);
	struct la_descriptor d2;
	la_buffer_get_descriptor(back, &d2);
	assert_int_equal(d2.plane_count, 2);
	assert_int_equal(d2.format, NV12);
	la_buffer_destroy(back);
	la_buffer_destroy(buf);
	assert_int_equal(tl_fd_count(), before);

	/* A descriptor whose plane lies outside its memory is refused. */
	assert_int_equal(la_allocate(res, &buf), 0);
	assert_int_equal(la_buffer_export(buf, &d), 0);
	d.planes[1].offset = UINT64_MAX - 10;
	assert_true(la_buffer_from_descriptor(ctx, &d, &back) < 0);
	assert_null(back);
	d.planes[1].offset = 0;
	la_descriptor_close(&d);
	la_buffer_destroy(buf);
	la_result_destroy(res);
	assert_int_equal(tl_fd_count(), before);
}

/*
 * Buffer objects are recycled (buffer.c: the context keeps the last one
 * freed for the next buffer). Each round leaves something behind that the
 * next buffer, made in the same object, must not inherit: a plane still
 * mapped, more planes, another path, a pool's ownership.
 */
static void test_recycled_buffer_is_clean(void **state)
{
	struct la_result *nv12 = NULL, *xr24 = NULL;
	struct la_buffer *buf = NULL;
	struct la_pool *pool = NULL;
	struct la_descriptor d;
	void *p = NULL;
	uintptr_t old;
	int before = tl_fd_count();

	(void)state;
	assert_int_equal(negotiate2(disp, LA_USAGE_SCANOUT | LA_USAGE_CPU_WRITE, NULL, 0, NV12,
				    &nv12), 0);
	assert_int_equal(negotiate2(disp, LA_USAGE_SCANOUT | LA_USAGE_CPU_WRITE, NULL, 0, XR24,
				    &xr24), 0);

	/* two planes on one fd, plane 1 left mapped */
	assert_int_equal(la_allocate(nv12, &buf), 0);
	la_buffer_get_descriptor(buf, &d);
	assert_int_equal(d.plane_count, 2);
	assert_int_equal(la_buffer_map(buf, 1, LA_MAP_WRITE, &p), 0);
	old = (uintptr_t)buf;
	la_buffer_destroy(buf);

	/* one plane, another path: the same object, nothing of the last buffer */
	assert_int_equal(la_allocate_with_path(xr24, "heap:contig", &buf), 0);
	assert_int_equal((uintptr_t)buf, old);
	assert_string_equal(la_buffer_get_path(buf), "heap:contig");
	la_buffer_get_descriptor(buf, &d);
	assert_int_equal(d.format, XR24);
	assert_int_equal(d.plane_count, 1);
	assert_true(fcntl(d.planes[0].fd, F_GETFD) >= 0);
	for (uint32_t i = 1; i < LA_MAX_PLANES; i++) {
		assert_int_equal(d.planes[i].fd, -1);
		assert_int_equal(d.planes[i].offset, 0);
		assert_int_equal(d.planes[i].size, 0);
	}
	assert_int_equal(la_buffer_unmap(buf, 0), -EINVAL); /* no map inherited */
	assert_int_equal(la_buffer_map(buf, 0, LA_MAP_WRITE, &p), 0);
	assert_int_equal(la_buffer_unmap(buf, 0), 0);
	la_buffer_destroy(buf);

	/* a pool's buffer, freed by its pool: the next one is nobody's */
	assert_int_equal(la_pool_new(nv12, NULL, &pool), 0);
	assert_int_equal(la_pool_acquire(pool, &buf), 0);
	old = (uintptr_t)buf;
	assert_int_equal(la_pool_release(pool, buf), 0);
	la_pool_destroy(pool);
	assert_int_equal(la_allocate(nv12, &buf), 0);
	assert_int_equal((uintptr_t)buf, old);
	assert_int_equal(la_buffer_export_take(buf, &d), 0); /* refused for a pool's buffer */
	la_descriptor_close(&d);

	la_result_destroy(xr24);
	la_result_destroy(nv12);
	assert_int_equal(tl_fd_count(), before);
}

static void test_map_roundtrip(void **state)
{
	struct la_result *res = NULL;
	struct la_buffer *buf = NULL;
	struct la_descriptor d;
	uint8_t *p = NULL;

	(void)state;
	assert_int_equal(negotiate2(disp, LA_USAGE_SCANOUT | LA_USAGE_CPU_WRITE, NULL, 0, NV12, &res),
			 0);
	assert_int_equal(la_allocate(res, &buf), 0);
	la_buffer_get_descriptor(buf, &d);
	assert_int_equal(la_buffer_map(buf, 1, LA_MAP_WRITE, (void **)&p), 0);
	memset(p, 0x5a, d.planes[1].size);
	assert_int_equal(la_buffer_unmap(buf, 1), 0);
	assert_int_equal(la_buffer_map(buf, 1, LA_MAP_READ, (void **)&p), 0);
	assert_int_equal(p[0], 0x5a);
	assert_int_equal(p[d.planes[1].size - 1], 0x5a);
	/* Maps nest: a second one shares the first, each needs its unmap. */
	void *q;
	assert_int_equal(la_buffer_map(buf, 1, LA_MAP_READ, &q), 0);
	assert_ptr_equal(p, q);
	/* More rights than the live mapping has: refused, not silently given. */
	assert_int_equal(la_buffer_map(buf, 1, LA_MAP_WRITE, &q), -EBUSY);
	assert_int_equal(la_buffer_unmap(buf, 1), 0);
	assert_int_equal(la_buffer_unmap(buf, 1), 0);
	assert_true(la_buffer_unmap(buf, 1) < 0);
	assert_int_equal(la_buffer_map(buf, 7, LA_MAP_READ, &q), -EINVAL);
	assert_int_equal(la_buffer_map(buf, 0, 0, &q), -EINVAL);
	la_buffer_destroy(buf);
	la_result_destroy(res);
}

/*
 * The test double's buffers are memfds: the sync_file ioctls answer ENOTTY,
 * which must come back as -ENOTSUP with a reason. Argument checks come
 * first, and nothing is left open by any refusal (the VM test fence-vgem
 * does the real round trip).
 */
static void test_sync_file_checks(void **state)
{
	struct la_result *res = NULL;
	struct la_buffer *buf = NULL;
	int before = tl_fd_count(), fd = 123;

	(void)state;
	assert_int_equal(negotiate2(disp, LA_USAGE_SCANOUT, NULL, 0, NV12, &res), 0);
	assert_int_equal(la_allocate(res, &buf), 0);
	int after_alloc = tl_fd_count();

	assert_int_equal(la_buffer_export_sync_file(buf, 0, LA_SYNC_READ, NULL), -EINVAL);
	assert_int_equal(la_buffer_export_sync_file(NULL, 0, LA_SYNC_READ, &fd), -EINVAL);
	assert_int_equal(fd, -1);
	assert_int_equal(la_buffer_export_sync_file(buf, 2, LA_SYNC_READ, &fd), -EINVAL);
	assert_non_null(strstr(la_last_diagnosis(), "plane 2 out of range"));
	assert_int_equal(la_buffer_export_sync_file(buf, 0, 0, &fd), -EINVAL);
	assert_non_null(strstr(la_last_diagnosis(), "LA_SYNC_READ"));
	assert_int_equal(la_buffer_export_sync_file(buf, 0, 4, &fd), -EINVAL);
	assert_int_equal(la_buffer_export_sync_file(buf, 1, LA_SYNC_READ | LA_SYNC_WRITE, &fd),
			 -ENOTSUP);
	assert_non_null(strstr(la_last_diagnosis(), "DMA_BUF_IOCTL_EXPORT_SYNC_FILE"));
	assert_non_null(strstr(la_last_diagnosis(), "not a dma-buf"));
	assert_int_equal(fd, -1);

	int pipefd[2];
	assert_int_equal(pipe(pipefd), 0);
	assert_int_equal(la_buffer_import_sync_file(NULL, 0, LA_SYNC_WRITE, pipefd[0]), -EINVAL);
	assert_int_equal(la_buffer_import_sync_file(buf, 5, LA_SYNC_WRITE, pipefd[0]), -EINVAL);
	assert_non_null(strstr(la_last_diagnosis(), "plane 5 out of range"));
	assert_int_equal(la_buffer_import_sync_file(buf, 0, 8, pipefd[0]), -EINVAL);
	assert_int_equal(la_buffer_import_sync_file(buf, 0, LA_SYNC_WRITE, -1), -EINVAL);
	assert_non_null(strstr(la_last_diagnosis(), "fd -1"));
	assert_int_equal(la_buffer_import_sync_file(buf, 0, LA_SYNC_WRITE, pipefd[0]), -ENOTSUP);
	assert_non_null(strstr(la_last_diagnosis(), "DMA_BUF_IOCTL_IMPORT_SYNC_FILE"));
	/* The caller's fd stays the caller's, open, after a failure. */
	assert_true(fcntl(pipefd[0], F_GETFD) >= 0);
	close(pipefd[0]);
	close(pipefd[1]);
	assert_int_equal(tl_fd_count(), after_alloc);
	la_buffer_destroy(buf);
	la_result_destroy(res);
	assert_int_equal(tl_fd_count(), before);
}

static void test_protected_is_never_downgraded(void **state)
{
	struct la_result *res = NULL;
	struct la_buffer *buf = NULL;

	(void)state;
	/* No heap offers protected memory: negotiation fails, says why. */
	assert_int_equal(negotiate2(disp, LA_USAGE_SCANOUT | LA_USAGE_PROTECTED, NULL, 0, XR24, &res),
			 -ENODEV);
	assert_non_null(strstr(la_result_get_diagnosis(res), "protected"));
	la_result_destroy(res);

	setenv("LIBALLOC_TEST_HEAPS",
	       "[{\"name\": \"heap:secure\", \"rank\": 100, \"flags\": [\"protected\"]},"
	       " {\"name\": \"heap:system\", \"rank\": 500}]", 1);
	struct la_context *c2 = NULL;
	struct la_device *d = NULL;
	assert_int_equal(la_context_new(&c2), 0);
	assert_int_equal(la_device_open(c2, testdev_write("display3",
		"{\"driver\": \"sec\", \"candidates\": [{\"format\": \"XR24\", \"modifiers\": [0],"
		" \"flags\": [\"protected-ok\"]}]}"), &d), 0);
	struct la_request req = {d, LA_USAGE_SCANOUT | LA_USAGE_PROTECTED};
	uint32_t f = XR24;
	struct la_assertion as = {.width = 64, .height = 64, .formats = &f, .n_formats = 1};
	assert_int_equal(la_negotiate(c2, &as, &req, 1, &res), 0);
	assert_int_equal(la_allocate(res, &buf), 0);
	assert_string_equal(la_buffer_get_path(buf), "heap:secure");
	void *p;
	assert_int_equal(la_buffer_map(buf, 0, LA_MAP_READ, &p), -EPERM);
	la_buffer_destroy(buf);
	la_result_destroy(res);
	la_device_unref(d);
	la_context_destroy(c2);
	setenv("LIBALLOC_TEST_HEAPS", HEAPS, 1);
}

/* Requiring protected memory implies accepting it, also for a device alone. */
static void test_protected_required_alone(void **state)
{
	struct la_result *res = NULL;
	struct la_buffer *buf = NULL;
	struct la_context *c2 = NULL;
	struct la_device *d = NULL;

	(void)state;
	setenv("LIBALLOC_TEST_HEAPS",
	       "[{\"name\": \"heap:secure\", \"rank\": 100, \"flags\": [\"protected\"]},"
	       " {\"name\": \"heap:system\", \"rank\": 500}]", 1);
	assert_int_equal(la_context_new(&c2), 0);
	assert_int_equal(la_device_open(c2, testdev_write("display4",
		"{\"driver\": \"sec\", \"candidates\": [{\"format\": \"XR24\", \"modifiers\": [0],"
		" \"flags\": [\"protected-required\"]}]}"), &d), 0);
	struct la_request req = {d, LA_USAGE_SCANOUT};
	uint32_t f = XR24;
	struct la_assertion as = {.width = 64, .height = 64, .formats = &f, .n_formats = 1};
	assert_int_equal(la_negotiate(c2, &as, &req, 1, &res), 0);
	assert_int_equal(la_allocate(res, &buf), 0);
	assert_string_equal(la_buffer_get_path(buf), "heap:secure");
	la_buffer_destroy(buf);
	la_result_destroy(res);
	la_device_unref(d);
	la_context_destroy(c2);
	setenv("LIBALLOC_TEST_HEAPS", HEAPS, 1);
}

static void test_import(void **state)
{
	struct la_result *res = NULL;
	struct la_buffer *buf = NULL;
	struct la_import *imp = NULL;
	uint64_t v = 0;

	(void)state;
	assert_int_equal(negotiate2(cam, LA_USAGE_CAPTURE, disp, LA_USAGE_SCANOUT, NV12, &res), 0);
	assert_int_equal(la_allocate(res, &buf), 0);
	assert_int_equal(la_device_import(disp, LA_USAGE_SCANOUT, buf, &imp), 0);
	assert_int_equal(la_import_get_property(imp, "format", &v), 0);
	assert_int_equal(v, NV12);
	assert_int_equal(la_import_get_property(imp, "nope", &v), -ENOENT);
	la_import_destroy(imp);
	la_buffer_destroy(buf);
	la_result_destroy(res);

	/* A format the device does not take: its refusal, with its reason. */
	assert_int_equal(negotiate2(disp, LA_USAGE_SCANOUT, NULL, 0, XR24, &res), 0);
	assert_int_equal(la_allocate(res, &buf), 0);
	imp = NULL;
	assert_int_equal(la_device_import(loner, LA_USAGE_DECODE, buf, &imp), -EINVAL);
	assert_null(imp);
	assert_non_null(strstr(la_last_diagnosis(), "fake_loner"));
	la_buffer_destroy(buf);
	la_result_destroy(res);
}

static void test_usage_refused(void **state)
{
	struct la_result *res = NULL;
	struct la_device *d = open_dev("nocursor",
		"{\"driver\": \"nocursor\", \"refuse_usage\": 4,"
		" \"candidates\": [{\"format\": \"XR24\", \"modifiers\": [0]}]}");

	(void)state;
	assert_int_equal(negotiate2(d, LA_USAGE_CURSOR, disp, LA_USAGE_SCANOUT, XR24, &res), -ENOTSUP);
	assert_null(res);
	assert_non_null(strstr(la_last_diagnosis(), "nocursor"));
	la_device_unref(d);
}

static void test_validate_foreign_descriptor(void **state)
{
	struct la_result *res = NULL;
	struct la_buffer *buf = NULL;
	struct la_capset *set = NULL;
	struct la_descriptor d;
	uint32_t f = NV12;
	struct la_assertion a = {.width = 100, .height = 50, .formats = &f, .n_formats = 1};

	(void)state;
	assert_int_equal(negotiate2(cam, LA_USAGE_CAPTURE, disp, LA_USAGE_SCANOUT, NV12, &res), 0);
	assert_int_equal(la_allocate(res, &buf), 0);
	la_buffer_get_descriptor(buf, &d);
	assert_int_equal(la_device_get_capabilities(disp, LA_USAGE_SCANOUT, &a, &set), 0);
	assert_int_equal(la_capset_validate(set, &d), 0);
	d.planes[0].pitch += 64; /* no longer a multiple of the display's 256 */
	assert_int_equal(la_capset_validate(set, &d), -EINVAL);
	assert_non_null(strstr(la_last_diagnosis(), "fake_display"));
	d.planes[0].pitch -= 64;
	d.format = YUYV; /* the display does not take YUYV */
	assert_int_equal(la_capset_validate(set, &d), -EINVAL);
	assert_non_null(strstr(la_last_diagnosis(), "does not accept"));
	la_capset_destroy(set);
	la_buffer_destroy(buf);
	la_result_destroy(res);
}

static char debug_log[16384];
static void capture_log(void *data, enum la_log_level level, const char *msg)
{
	(void)data;
	size_t len = strlen(debug_log);
	snprintf(debug_log + len, sizeof(debug_log) - len, "%d %s\n", (int)level, msg);
}

/* LIBALLOC_DEBUG=1 makes negotiations leave a trace on the log. */
static void test_debug_traces(void **state)
{
	struct la_context *c2 = NULL;
	struct la_device *d = NULL;
	struct la_result *res = NULL;
	uint32_t f = YUYV;
	struct la_assertion a = {.width = 64, .height = 64, .formats = &f, .n_formats = 1};

	(void)state;
	setenv("LIBALLOC_DEBUG", "1", 1);
	assert_int_equal(la_context_new(&c2), 0);
	unsetenv("LIBALLOC_DEBUG");
	la_context_set_log_handler(c2, capture_log, NULL);
	assert_int_equal(la_device_open(c2, testdev_write("display4", DISPLAY), &d), 0);
	struct la_request req = {d, LA_USAGE_SCANOUT};
	assert_int_equal(la_negotiate(c2, &a, &req, 1, &res), -ENOENT);
	assert_non_null(strstr(debug_log, "negotiation failed"));
	la_result_destroy(res);
	la_device_unref(d);
	la_context_destroy(c2);
}

/* Many cycles: no fd or heap growth in the core's own bookkeeping. */
static void test_cycles_do_not_leak_fds(void **state)
{
	int before = tl_fd_count();

	(void)state;
	for (int i = 0; i < 500; i++) {
		struct la_result *res = NULL;
		struct la_buffer *buf = NULL;
		struct la_descriptor d;
		assert_int_equal(negotiate2(cam, LA_USAGE_CAPTURE, disp, LA_USAGE_SCANOUT, NV12, &res), 0);
		assert_int_equal(la_allocate(res, &buf), 0);
		assert_int_equal(la_buffer_export(buf, &d), 0);
		la_descriptor_close(&d);
		la_buffer_destroy(buf);
		la_result_destroy(res);
	}
	assert_int_equal(tl_fd_count(), before);
}

static int peer_memfd(size_t size, bool seal)
{
	int fd = memfd_create("hostile-peer", MFD_CLOEXEC | MFD_ALLOW_SEALING);

	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, (off_t)size), 0);
	if (seal)
		assert_int_equal(fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK), 0);
	return fd;
}

/*
 * A client hands a server its memory and shrinks it once the server maps
 * it: a mapped unsealed memfd would SIGBUS the server. Only dma-bufs and
 * memfds sealed against shrinking are taken; then the shrink itself fails.
 */
static void test_hostile_peer_fds(void **state)
{
	const uint64_t pitch = 64 * 4, size = pitch * 64;
	struct la_buffer *buf = NULL;
	struct la_descriptor d;
	int before = tl_fd_count(), fd, file;
	char path[] = "/tmp/la-peer-XXXXXX";
	void *data;

	(void)state;
	fd = peer_memfd(size, false);
	assert_int_equal(la_descriptor_from_planes(XR24, LA_MODIFIER_LINEAR, 64, 64, 1, &fd,
						   (const uint32_t[]){0}, (const uint32_t[]){pitch}, &d), 0);
	assert_int_equal(la_buffer_from_descriptor(ctx, &d, &buf), -EINVAL);
	assert_null(buf);
	assert_non_null(strstr(la_last_diagnosis(), "no F_SEAL_SHRINK"));
	close(fd);

	file = mkstemp(path);
	assert_true(file >= 0);
	unlink(path);
	assert_int_equal(ftruncate(file, (off_t)size), 0);
	d.planes[0].fd = file;
	assert_int_equal(la_buffer_from_descriptor(ctx, &d, &buf), -EINVAL);
	assert_non_null(strstr(la_last_diagnosis(), "neither a dma-buf nor a sealed memfd"));
	close(file);

	fd = peer_memfd(size, true);
	d.planes[0].fd = fd;
	assert_int_equal(la_buffer_from_descriptor(ctx, &d, &buf), 0);
	assert_int_equal(la_buffer_map(buf, 0, LA_MAP_READ, &data), 0);
	/* the peer tries to pull the memory away under the mapping */
	assert_int_equal(ftruncate(fd, 0), -1);
	assert_int_equal(errno, EPERM);
	assert_int_equal(((volatile uint8_t *)data)[size - 1], 0);
	assert_int_equal(la_buffer_unmap(buf, 0), 0);
	la_buffer_destroy(buf);
	close(fd);
	assert_int_equal(tl_fd_count(), before);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_device_identity),
		cmocka_unit_test(test_open_fd_duplicates),
		cmocka_unit_test(test_enumerate),
		cmocka_unit_test(test_capabilities),
		cmocka_unit_test(test_import_rule_contiguous),
		cmocka_unit_test(test_own_only_and_none),
		cmocka_unit_test(test_cpu_read_often_prefers_cached),
		cmocka_unit_test(test_forced_path),
		cmocka_unit_test(test_forced_path_matched_once),
		cmocka_unit_test(test_allocate_set_all_or_nothing),
		cmocka_unit_test(test_contig_enomem_names_devices),
		cmocka_unit_test(test_export_and_descriptor),
		cmocka_unit_test(test_map_roundtrip),
		cmocka_unit_test(test_recycled_buffer_is_clean),
		cmocka_unit_test(test_sync_file_checks),
		cmocka_unit_test(test_protected_is_never_downgraded),
		cmocka_unit_test(test_protected_required_alone),
		cmocka_unit_test(test_import),
		cmocka_unit_test(test_usage_refused),
		cmocka_unit_test(test_validate_foreign_descriptor),
		cmocka_unit_test(test_hostile_peer_fds),
		cmocka_unit_test(test_debug_traces),
		cmocka_unit_test(test_cycles_do_not_leak_fds),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
