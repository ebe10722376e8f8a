/* SPDX-License-Identifier: MIT */
/*
 * The V4L2 <-> DRM table, host side. The expected pairs below are a second,
 * independent statement of the mapping (each from the byte-order tables of
 * Documentation/userspace-api/media/v4l/pixfmt-*.rst against the DRM
 * comments in drm_fourcc.h), written with libdrm's DRM_FORMAT_* names when
 * libdrm is installed, so a wrong letter in fourcc.c fails here.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "fourcc.h"

#ifdef HAVE_LIBDRM_FOURCC
#include <libdrm/drm_fourcc.h>

static const struct {
	uint32_t v4l2, drm, mem_planes;
} expected[] = {
	{V4L2_PIX_FMT_RGB332, DRM_FORMAT_RGB332, 1},
	{V4L2_PIX_FMT_RGB565, DRM_FORMAT_RGB565, 1},
	{V4L2_PIX_FMT_XRGB444, DRM_FORMAT_XRGB4444, 1},
	{V4L2_PIX_FMT_ARGB444, DRM_FORMAT_ARGB4444, 1},
	{V4L2_PIX_FMT_XBGR444, DRM_FORMAT_XBGR4444, 1},
	{V4L2_PIX_FMT_ABGR444, DRM_FORMAT_ABGR4444, 1},
	{V4L2_PIX_FMT_XRGB555, DRM_FORMAT_XRGB1555, 1},
	{V4L2_PIX_FMT_ARGB555, DRM_FORMAT_ARGB1555, 1},
	{V4L2_PIX_FMT_XBGR555, DRM_FORMAT_XBGR1555, 1},
	{V4L2_PIX_FMT_ABGR555, DRM_FORMAT_ABGR1555, 1},
	{V4L2_PIX_FMT_RGB555, DRM_FORMAT_XRGB1555, 1},
	{V4L2_PIX_FMT_RGB24, DRM_FORMAT_BGR888, 1},   /* bytes R,G,B */
	{V4L2_PIX_FMT_BGR24, DRM_FORMAT_RGB888, 1},   /* bytes B,G,R */
	{V4L2_PIX_FMT_XBGR32, DRM_FORMAT_XRGB8888, 1}, /* bytes B,G,R,X */
	{V4L2_PIX_FMT_ABGR32, DRM_FORMAT_ARGB8888, 1},
	{V4L2_PIX_FMT_XRGB32, DRM_FORMAT_BGRX8888, 1}, /* bytes X,R,G,B */
	{V4L2_PIX_FMT_ARGB32, DRM_FORMAT_BGRA8888, 1},
	{V4L2_PIX_FMT_RGBX32, DRM_FORMAT_XBGR8888, 1}, /* bytes R,G,B,X */
	{V4L2_PIX_FMT_RGBA32, DRM_FORMAT_ABGR8888, 1},
	{V4L2_PIX_FMT_BGRX32, DRM_FORMAT_RGBX8888, 1}, /* bytes X,B,G,R */
	{V4L2_PIX_FMT_BGRA32, DRM_FORMAT_RGBA8888, 1},
	{V4L2_PIX_FMT_BGR32, DRM_FORMAT_XRGB8888, 1},
	{V4L2_PIX_FMT_RGB32, DRM_FORMAT_BGRX8888, 1},
	{V4L2_PIX_FMT_GREY, DRM_FORMAT_R8, 1},
	{V4L2_PIX_FMT_Y16, DRM_FORMAT_R16, 1},
	{V4L2_PIX_FMT_YUYV, DRM_FORMAT_YUYV, 1},
	{V4L2_PIX_FMT_YVYU, DRM_FORMAT_YVYU, 1},
	{V4L2_PIX_FMT_UYVY, DRM_FORMAT_UYVY, 1},
	{V4L2_PIX_FMT_VYUY, DRM_FORMAT_VYUY, 1},
	{V4L2_PIX_FMT_NV12, DRM_FORMAT_NV12, 1},
	{V4L2_PIX_FMT_NV21, DRM_FORMAT_NV21, 1},
	{V4L2_PIX_FMT_NV16, DRM_FORMAT_NV16, 1},
	{V4L2_PIX_FMT_NV61, DRM_FORMAT_NV61, 1},
	{V4L2_PIX_FMT_NV24, DRM_FORMAT_NV24, 1},
	{V4L2_PIX_FMT_NV42, DRM_FORMAT_NV42, 1},
	{V4L2_PIX_FMT_NV12M, DRM_FORMAT_NV12, 2},
	{V4L2_PIX_FMT_NV21M, DRM_FORMAT_NV21, 2},
	{V4L2_PIX_FMT_NV16M, DRM_FORMAT_NV16, 2},
	{V4L2_PIX_FMT_NV61M, DRM_FORMAT_NV61, 2},
	{V4L2_PIX_FMT_YUV420, DRM_FORMAT_YUV420, 1},
	{V4L2_PIX_FMT_YVU420, DRM_FORMAT_YVU420, 1},
	{V4L2_PIX_FMT_YUV422P, DRM_FORMAT_YUV422, 1},
	{V4L2_PIX_FMT_YUV420M, DRM_FORMAT_YUV420, 3},
	{V4L2_PIX_FMT_YVU420M, DRM_FORMAT_YVU420, 3},
	{V4L2_PIX_FMT_YUV422M, DRM_FORMAT_YUV422, 3},
	{V4L2_PIX_FMT_YVU422M, DRM_FORMAT_YVU422, 3},
	{V4L2_PIX_FMT_YUV444M, DRM_FORMAT_YUV444, 3},
	{V4L2_PIX_FMT_YVU444M, DRM_FORMAT_YVU444, 3},
};

static void test_expected_pairs(void **state)
{
	size_t n;
	const struct la_v4l2_fourcc *t = la_v4l2_fourcc_table(&n);

	(void)state;
	assert_int_equal(n, sizeof(expected) / sizeof(expected[0]));
	for (size_t i = 0; i < sizeof(expected) / sizeof(expected[0]); i++) {
		uint32_t mp = 0;
		assert_int_equal(la_v4l2_format_to_drm(expected[i].v4l2, &mp), expected[i].drm);
		assert_int_equal(mp, expected[i].mem_planes);
	}
	(void)t;
}
#endif

/* Every DRM code must be one the core can lay out, with as many planes as memory planes (*M). */
static void test_known_to_core(void **state)
{
	size_t n;
	const struct la_v4l2_fourcc *t = la_v4l2_fourcc_table(&n);

	(void)state;
	assert_true(n > 0);
	for (size_t i = 0; i < n; i++) {
		struct la_format_info fi;
		assert_int_equal(la_format_get_info(t[i].drm, &fi), 0);
		if (t[i].mem_planes > 1)
			assert_int_equal(fi.plane_count, t[i].mem_planes);
	}
}

static void test_round_trip(void **state)
{
	size_t n;
	const struct la_v4l2_fourcc *t = la_v4l2_fourcc_table(&n);

	(void)state;
	for (size_t i = 0; i < n; i++) {
		uint32_t mp = 0, drm = la_v4l2_format_to_drm(t[i].v4l2, &mp);
		uint32_t back = la_v4l2_format_from_drm(drm, mp);
		assert_int_equal(drm, t[i].drm);
		if (!t[i].alias)
			assert_int_equal(back, t[i].v4l2);
		else
			assert_int_equal(la_v4l2_format_to_drm(back, NULL), drm);
		/* a V4L2 code appears once */
		for (size_t j = i + 1; j < n; j++)
			assert_int_not_equal(t[i].v4l2, t[j].v4l2);
	}
}

static void test_variants(void **state)
{
	uint32_t nv12 = la_v4l2_format_to_drm(V4L2_PIX_FMT_NV12, NULL);
	uint32_t yu12 = la_v4l2_format_to_drm(V4L2_PIX_FMT_YUV420, NULL);

	(void)state;
	assert_int_equal(la_v4l2_format_from_drm(nv12, 0), V4L2_PIX_FMT_NV12);
	assert_int_equal(la_v4l2_format_from_drm(nv12, 1), V4L2_PIX_FMT_NV12);
	assert_int_equal(la_v4l2_format_from_drm(nv12, 2), V4L2_PIX_FMT_NV12M);
	assert_int_equal(la_v4l2_format_from_drm(nv12, 3), 0);
	assert_int_equal(la_v4l2_format_from_drm(yu12, 3), V4L2_PIX_FMT_YUV420M);
	/* deprecated codes are read, never produced */
	assert_int_equal(la_v4l2_format_from_drm(la_v4l2_format_to_drm(V4L2_PIX_FMT_BGR32, NULL), 0),
			 V4L2_PIX_FMT_XBGR32);
	assert_int_equal(la_v4l2_format_to_drm(V4L2_PIX_FMT_MJPEG, NULL), 0);
	assert_int_equal(la_v4l2_format_from_drm(0x20202020, 0), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#ifdef HAVE_LIBDRM_FOURCC
		cmocka_unit_test(test_expected_pairs),
#endif
		cmocka_unit_test(test_known_to_core),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_variants),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
