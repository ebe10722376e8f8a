/* SPDX-License-Identifier: MIT */
/*
 * Implicit layouts (LA_MODIFIER_IMPLICIT) through the core with the TEST
 * DOUBLE backend: negotiation and la_device_import() share them only
 * within one device, or between devices whose backend declares the same
 * layout domain ("layout_domain" in a test device file). Test devices are
 * files: without a device number, one la_device object is one device.
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
#include <unistd.h>

#include "testdev.h"

#define XR24 UINT32_C(0x34325258)

/* Two GPUs of one driver, each allocating its own implicit buffers. */
#define GPU(extra)                                                                        \
	"{\"driver\": \"fake_gpu\", \"import_rule\": \"any\","                              \
	" \"candidates\": [{\"format\": \"XR24\", \"modifiers\": [72057594037927935, 0]}],"  \
	" \"own_path\": {\"rank\": 300}" extra "}"
static const char GPU_A[] = GPU("");
static const char GPU_B[] = GPU("");
/* Another driver (a SoC's video unit) that lays out buffers like a GPU of the domain. */
static const char TILED_GPU[] = GPU(", \"layout_domain\": \"fake:tiles\"");
static const char TILED_VPU[] =
	"{\"driver\": \"fake_vpu\", \"import_rule\": \"any\", \"layout_domain\": \"fake:tiles\","
	" \"candidates\": [{\"format\": \"XR24\", \"modifiers\": [72057594037927935]}],"
	" \"own_path\": {\"rank\": 300}}";

static struct la_context *ctx;
static struct la_device *gpu_a, *gpu_b, *tiled_gpu, *tiled_vpu;

static const struct testdev_spec DEVICES[] = {
	{"gpu-a", GPU_A, &gpu_a},
	{"gpu-b", GPU_B, &gpu_b},
	{"tiled-gpu", TILED_GPU, &tiled_gpu},
	{"tiled-vpu", TILED_VPU, &tiled_vpu},
};

static int setup(void **state)
{
	(void)state;
	return testdev_open_all(&ctx, TESTDEV_HEAPS, DEVICES, 4);
}

static int teardown(void **state)
{
	(void)state;
	testdev_close_all(&ctx, DEVICES, 4);
	return 0;
}

/* Negotiates XR24 with the implicit modifier only. */
static int negotiate(struct la_device *a, uint64_t ua, struct la_device *b, uint64_t ub,
		     struct la_result **res)
{
	uint32_t f = XR24;
	uint64_t m = LA_MODIFIER_IMPLICIT;
	struct la_request req[2] = {{a, ua}, {b, ub}};
	struct la_assertion as = {.width = 64, .height = 32, .formats = &f, .n_formats = 1,
				  .modifiers = &m, .n_modifiers = 1};
	return la_negotiate(ctx, &as, req, b ? 2 : 1, res);
}

/* An implicit buffer allocated for dev alone: on dev's own memory. */
static struct la_buffer *implicit_buffer(struct la_device *dev)
{
	struct la_result *res = NULL;
	struct la_buffer *buf = NULL;

	assert_int_equal(negotiate(dev, LA_USAGE_RENDER, NULL, 0, &res), 0);
	assert_int_equal(la_allocate(res, &buf), 0);
	la_result_destroy(res);
	struct la_descriptor d;
	la_buffer_get_descriptor(buf, &d);
	assert_true(d.modifier == LA_MODIFIER_IMPLICIT);
	assert_true(strncmp(la_buffer_get_path(buf), "own:", 4) == 0);
	return buf;
}

static void test_domain_from_backend(void **state)
{
	struct la_assertion as = {.width = 64, .height = 32};
	struct la_capset *set = NULL;

	(void)state;
	assert_string_equal(la_device_get_layout_domain(gpu_a), "");
	assert_string_equal(la_device_get_layout_domain(tiled_vpu), "fake:tiles");
	assert_null(la_device_get_layout_domain(NULL));
	/* a live device's set carries its domain */
	assert_int_equal(la_device_get_capabilities(tiled_gpu, LA_USAGE_RENDER, &as, &set), 0);
	assert_string_equal(la_capset_get_layout_domain(set), "fake:tiles");
	la_capset_destroy(set);
}

static void test_negotiation(void **state)
{
	struct la_result *res = NULL;

	(void)state;
	/* one device, two usages: its own layout */
	assert_int_equal(negotiate(gpu_a, LA_USAGE_RENDER, gpu_a, LA_USAGE_SCANOUT, &res), 0);
	la_result_destroy(res);
	/* one driver, two devices, no declaration: refused, both named */
	assert_int_equal(negotiate(gpu_a, LA_USAGE_RENDER, gpu_b, LA_USAGE_SCANOUT, &res), -ENOENT);
	const char *d = la_result_get_diagnosis(res);
	assert_non_null(strstr(d, la_device_get_label(gpu_a)));
	assert_non_null(strstr(d, la_device_get_label(gpu_b)));
	assert_non_null(strstr(d, "different devices of driver fake_gpu"));
	la_result_destroy(res);
	/* a declared domain, even across drivers */
	assert_int_equal(negotiate(tiled_gpu, LA_USAGE_RENDER, tiled_vpu, LA_USAGE_DECODE, &res), 0);
	struct la_buffer *buf = NULL;
	assert_int_equal(la_allocate(res, &buf), 0);
	la_buffer_destroy(buf);
	la_result_destroy(res);
	/* half a declaration is none */
	assert_int_equal(negotiate(tiled_gpu, LA_USAGE_RENDER, gpu_a, LA_USAGE_SCANOUT, &res), -ENOENT);
	la_result_destroy(res);
}

static void test_import_same_device(void **state)
{
	struct la_buffer *buf = implicit_buffer(gpu_a);
	struct la_import *imp = NULL;

	(void)state;
	assert_int_equal(la_device_import(gpu_a, LA_USAGE_SCANOUT, buf, &imp), 0);
	la_import_destroy(imp);
	la_buffer_destroy(buf);
}

/* Refused both ways, before the backend sees the buffer, naming both devices. */
static void test_import_other_device(void **state)
{
	struct la_device *pair[2][2] = {{gpu_a, gpu_b}, {gpu_b, gpu_a}};

	(void)state;
	for (int i = 0; i < 2; i++) {
		struct la_buffer *buf = implicit_buffer(pair[i][0]);
		struct la_import *imp = (struct la_import *)&imp;
		assert_int_equal(la_device_import(pair[i][1], LA_USAGE_SCANOUT, buf, &imp), -EXDEV);
		assert_null(imp);
		const char *d = la_last_diagnosis();
		const char *into = strstr(d, la_device_get_label(pair[i][1]));
		const char *from = strstr(d, la_device_get_label(pair[i][0]));
		assert_true(into == d && from && from > into);
		assert_non_null(strstr(d, "allocated by"));
		assert_non_null(strstr(d, "shared only within one device"));
		la_buffer_destroy(buf);
	}
	/* a linear buffer of the same memory goes anywhere */
	uint32_t f = XR24;
	uint64_t lin = LA_MODIFIER_LINEAR;
	struct la_request r = {gpu_a, LA_USAGE_RENDER};
	struct la_assertion as = {.width = 64, .height = 32, .formats = &f, .n_formats = 1,
				  .modifiers = &lin, .n_modifiers = 1};
	struct la_result *res = NULL;
	struct la_buffer *buf = NULL;
	struct la_import *imp = NULL;
	assert_int_equal(la_negotiate(ctx, &as, &r, 1, &res), 0);
	assert_int_equal(la_allocate_with_path(res, "own:fake_gpu", &buf), 0);
	assert_int_equal(la_device_import(gpu_b, LA_USAGE_SCANOUT, buf, &imp), 0);
	la_import_destroy(imp);
	la_buffer_destroy(buf);
	la_result_destroy(res);
}

static void test_import_declared_domain(void **state)
{
	struct la_buffer *buf = implicit_buffer(tiled_vpu);
	struct la_import *imp = NULL;

	(void)state;
	assert_int_equal(la_device_import(tiled_gpu, LA_USAGE_RENDER, buf, &imp), 0);
	la_import_destroy(imp);
	/* outside the domain: refused, the diagnosis shows the domain */
	assert_int_equal(la_device_import(gpu_a, LA_USAGE_RENDER, buf, &imp), -EXDEV);
	assert_non_null(strstr(la_last_diagnosis(), "layout domain \"fake:tiles\""));
	la_buffer_destroy(buf);
}

/* A wrapped foreign buffer has no known allocator: the caller vouches for it. */
static void test_import_foreign_unchecked(void **state)
{
	struct la_buffer *own = implicit_buffer(gpu_a), *foreign = NULL;
	struct la_descriptor d;
	struct la_import *imp = NULL;

	(void)state;
	la_buffer_get_descriptor(own, &d);
	assert_int_equal(la_buffer_from_descriptor(ctx, &d, &foreign), 0);
	assert_int_equal(la_device_import(gpu_b, LA_USAGE_SCANOUT, foreign, &imp), 0);
	la_import_destroy(imp);
	la_buffer_destroy(foreign);
	la_buffer_destroy(own);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_domain_from_backend),
		cmocka_unit_test(test_negotiation),
		cmocka_unit_test(test_import_same_device),
		cmocka_unit_test(test_import_other_device),
		cmocka_unit_test(test_import_declared_domain),
		cmocka_unit_test(test_import_foreign_unchecked),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
