/* SPDX-License-Identifier: MIT */
/*
 * Fault injection through a whole scenario: context, two devices of the
 * TEST DOUBLE backend, negotiation, allocation, export, a buffer from the
 * export, CPU map, import, capability set through the binary and JSON
 * forms and as linux-dmabuf feedback, descriptor serialization, a buffer
 * set, enumeration.
 *
 *  - Memory: the Nth allocation of the core fails, for N = 1, 2, ... until
 *    the scenario runs through; then again with every allocation from the
 *    Nth on failing. Each run must end in 0 or a negative errno, leave no
 *    core block and no fd behind.
 *  - File descriptors: the same scenario under RLIMIT_NOFILE just above
 *    the fds already open, raising it by one until the scenario succeeds.
 *  - A context that failed for lack of memory or fds must work once
 *    they are back (no failure may stick).
 *
 * Links the core statically with --wrap (fault-alloc.h); the executable
 * exports the core's symbols, so the test backend calls into this copy.
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
#include <sys/resource.h>

#include "fault-alloc.h"
#include "testdev.h"
#include "testlib.h"

#define FOURCC(a, b, c, d) ((uint32_t)(a) | (uint32_t)(b) << 8 | (uint32_t)(c) << 16 | (uint32_t)(d) << 24)
#define NV12 FOURCC('N', 'V', '1', '2')
#define MAX_N 100000

static const char *CAMERA = TESTDEV_CAMERA;
static const char *DISPLAY = TESTDEV_DISPLAY;
static const char *HEAPS = TESTDEV_HEAPS;

static char cam_path[512], disp_path[512];

static void quiet(void *data, enum la_log_level level, const char *msg)
{
	(void)data;
	(void)level;
	(void)msg;
}

/* A failure must be a negative errno, nothing else. */
#define STEP(expr)                                                                    \
	do {                                                                          \
		ret = (expr);                                                         \
		if (ret != 0) {                                                       \
			if (ret > 0 || ret < -4095)                                   \
				fail_msg("%s returned %d", #expr, ret);               \
			where = #expr;                                                \
			goto out;                                                     \
		}                                                                     \
	} while (0)

static const char *where;

static int use_capset(struct la_device *dev, const struct la_assertion *as)
{
	struct la_capset *set = NULL, *back = NULL, *json_back = NULL;
	void *blob = NULL;
	char *json = NULL;
	size_t size = 0;
	int ret;

	STEP(la_device_get_capabilities(dev, LA_USAGE_CAPTURE, as, &set));
	STEP(la_capset_serialize(set, &blob, &size));
	STEP(la_capset_deserialize(blob, size, &back));
	STEP(la_capset_to_json(back, &json));
	STEP(la_capset_from_json(json, &json_back));
out:
	la_capset_destroy(json_back);
	free(json);
	la_capset_destroy(back);
	free(blob);
	la_capset_destroy(set);
	return ret;
}

/* A display's set as a compositor's linux-dmabuf feedback, and back. */
static int use_feedback(struct la_device *dev, const struct la_assertion *as)
{
	struct la_capset *set = NULL, *back = NULL;
	struct la_wl_feedback *wl = NULL;
	int ret;

	STEP(la_device_get_capabilities(dev, LA_USAGE_SCANOUT, as, &set));
	struct la_wl_tranche_source src = {set, 0, LA_WL_TRANCHE_SCANOUT};
	STEP(la_wl_feedback_from_capsets(&src, 1, 0, &wl));
	STEP(la_capset_from_wl_feedback(wl, 0, &back));
out:
	la_capset_destroy(back);
	free(wl);
	la_capset_destroy(set);
	return ret;
}

static int use_buffer(struct la_context *ctx, struct la_device *disp, struct la_buffer *buf)
{
	struct la_descriptor d = {.plane_count = 0}, back_desc;
	struct la_buffer *back = NULL;
	struct la_import *imp = NULL;
	int fds[LA_MAX_PLANES];
	size_t n_fds = 0, size = 0;
	void *blob = NULL, *p = NULL;
	int ret;

	for (int i = 0; i < LA_MAX_PLANES; i++)
		d.planes[i].fd = -1;
	STEP(la_buffer_export(buf, &d));
	STEP(la_buffer_from_descriptor(ctx, &d, &back));
	STEP(la_buffer_map(back, 1, LA_MAP_WRITE, &p));
	memset(p, 0x80, 16);
	STEP(la_buffer_unmap(back, 1));
	STEP(la_device_import(disp, LA_USAGE_SCANOUT, back, &imp));
	STEP(la_descriptor_serialize(&d, &blob, &size, fds, &n_fds));
	STEP(la_descriptor_deserialize(blob, size, fds, n_fds, &back_desc));
out:
	free(blob);
	la_import_destroy(imp);
	la_buffer_destroy(back);
	la_descriptor_close(&d);
	return ret;
}

static int scenario(void)
{
	struct la_context *ctx = NULL;
	struct la_device *cam = NULL, *disp = NULL, **list = NULL;
	struct la_result *res = NULL;
	struct la_buffer *buf = NULL, *set[2] = {NULL, NULL};
	uint32_t f = NV12;
	struct la_assertion as = {.width = 96, .height = 64, .formats = &f, .n_formats = 1};
	size_t n_list = 0;
	int ret;

	where = "";
	STEP(la_context_new(&ctx));
	la_context_set_log_handler(ctx, quiet, NULL);
	STEP(la_device_open(ctx, cam_path, &cam));
	STEP(la_device_open(ctx, disp_path, &disp));
	struct la_request req[2] = {{cam, LA_USAGE_CAPTURE}, {disp, LA_USAGE_SCANOUT}};
	STEP(la_negotiate(ctx, &as, req, 2, &res));
	STEP(la_allocate(res, &buf));
	STEP(use_buffer(ctx, disp, buf));
	STEP(use_capset(cam, &as));
	STEP(use_feedback(disp, &as));
	STEP(la_allocate_set(res, set, 2));
	STEP(la_context_enumerate(ctx, &list, &n_list));
out:
	la_device_list_free(list, n_list);
	la_buffer_destroy(set[0]);
	la_buffer_destroy(set[1]);
	la_buffer_destroy(buf);
	la_result_destroy(res);
	la_device_unref(disp);
	la_device_unref(cam);
	la_context_destroy(ctx);
	return ret;
}

static void run_alloc_faults(bool persistent)
{
	long n, absorbed = 0, errors = 0;
	int fds = tl_fd_count();

	for (n = 1; n < MAX_N; n++) {
		fault_arm(n, persistent);
		int ret = scenario();
		fault_disarm();
		if (fault.live != 0)
			fail_msg("N=%ld: %ld core block(s) leaked (failed step: %s)", n, fault.live,
				 where);
		if (tl_fd_count() != fds)
			fail_msg("N=%ld: fds %d -> %d (failed step: %s)", n, fds, tl_fd_count(), where);
		if (!fault.injected) {
			assert_int_equal(ret, 0);
			break;
		}
		if (ret < 0)
			errors++;
		else
			absorbed++;
	}
	assert_true(n < MAX_N);
	print_message("%s: %ld allocation points, %ld failures returned an error, "
		      "%ld absorbed (the call still succeeded)\n",
		      persistent ? "every allocation from N on fails" : "Nth allocation fails",
		      n - 1, errors, absorbed);
}

static void test_alloc_fault_each(void **state)
{
	(void)state;
	run_alloc_faults(false);
}

static void test_alloc_fault_from_n_on(void **state)
{
	(void)state;
	run_alloc_faults(true);
}

/* fds are numbered lowest free first: a limit of lowest_free_fd() + k leaves k. */
static int lowest_free_fd(void)
{
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

	assert_true(fd >= 0);
	close(fd);
	return fd;
}

static void set_nofile(rlim_t soft)
{
	struct rlimit r;

	assert_int_equal(getrlimit(RLIMIT_NOFILE, &r), 0);
	r.rlim_cur = soft;
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &r), 0);
}

static void test_fd_limit(void **state)
{
	struct rlimit saved;
	int fds = tl_fd_count(), extra, ret = -1, errors = 0;

	(void)state;
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &saved), 0);
	for (extra = 0; extra < 64; extra++) {
		set_nofile((rlim_t)lowest_free_fd() + (rlim_t)extra);
		ret = scenario();
		set_nofile(saved.rlim_cur);
		assert_int_equal(tl_fd_count(), fds);
		if (ret == 0)
			break;
		errors++;
	}
	assert_int_equal(ret, 0);
	print_message("RLIMIT_NOFILE: %d limits refused cleanly, the scenario needs %d fds\n", errors,
		      extra);
}

/* A failure for lack of fds or memory must not stick to the context. */
static void test_failure_does_not_stick(void **state)
{
	struct la_context *ctx = NULL;
	struct la_device *dev = NULL;
	struct rlimit saved;
	int ret;

	(void)state;
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &saved), 0);
	assert_int_equal(la_context_new(&ctx), 0);
	la_context_set_log_handler(ctx, quiet, NULL);
	/* one fd for the device node, none for the backends' folder */
	set_nofile((rlim_t)lowest_free_fd() + 1);
	ret = la_device_open(ctx, cam_path, &dev);
	set_nofile(saved.rlim_cur);
	assert_true(ret < 0);
	assert_int_equal(la_device_open(ctx, cam_path, &dev), 0);
	dev = la_device_unref(dev);
	la_context_destroy(ctx);

	/* the same with memory: every allocation while the backends load fails */
	assert_int_equal(la_context_new(&ctx), 0);
	la_context_set_log_handler(ctx, quiet, NULL);
	fault_arm(1, true);
	ret = la_device_open(ctx, cam_path, &dev);
	fault_disarm();
	assert_true(ret < 0);
	assert_int_equal(la_device_open(ctx, cam_path, &dev), 0);
	la_device_unref(dev);
	la_context_destroy(ctx);
}

static int setup(void **state)
{
	char env[1100];

	(void)state;
	setenv("LIBALLOC_TEST_HEAPS", HEAPS, 1);
	snprintf(cam_path, sizeof(cam_path), "%s", testdev_write("camera", CAMERA));
	snprintf(disp_path, sizeof(disp_path), "%s", testdev_write("display", DISPLAY));
	snprintf(env, sizeof(env), "%s:%s", cam_path, disp_path);
	setenv("LIBALLOC_TEST_DEVICES", env, 1);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_alloc_fault_each),
		cmocka_unit_test(test_alloc_fault_from_n_on),
		cmocka_unit_test(test_fd_limit),
		cmocka_unit_test(test_failure_does_not_stick),
	};
	return cmocka_run_group_tests(tests, setup, testdev_teardown);
}
