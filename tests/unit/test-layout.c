/* SPDX-License-Identifier: MIT */
/*
 * Linear layouts against the kernel's documentation. Expected values are
 * worked out by hand from:
 *  - Documentation/userspace-api/media/v4l/pixfmt-yuv-planar.rst: the
 *    "Sample 4x4" images (NV12 CbCr at start + 16, NV24 chroma lines of 8
 *    bytes, YUV420 Cb at +16 and Cr at +20, YUV410 chroma at +16/+17) and the
 *    stride rules (semi-planar: chroma stride = luma stride, or twice it
 *    without horizontal subsampling; planar: luma stride / hsub);
 *  - pixfmt-packed-yuv.rst: YUYV lines of 4 pixels are 8 bytes;
 *  - drm_fourcc.h comments for bytes per pixel and
 *    drm_format_info_plane_width()/_height() for DIV_ROUND_UP of odd sizes.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <liballoc/liballoc.h>

#define CODE(s) ((uint32_t)(s)[0] | ((uint32_t)(s)[1] << 8) | ((uint32_t)(s)[2] << 16) | \
		 ((uint32_t)(s)[3] << 24))
#define U64(x) ((uint64_t)(x))

struct expect {
	const char *code;
	uint32_t w, h;
	uint32_t planes;
	uint64_t pitch[3], offset[3], plane_size[3], size;
};

/* Single-plane RGB at 4x4 and 5x3: pitch = width x bytes per pixel. */
#define RGB(code, cpp) \
	{ code, 4, 4, 1, { 4 * (cpp) }, { 0 }, { 16 * (cpp) }, 16 * (cpp) }, \
	{ code, 5, 3, 1, { 5 * (cpp) }, { 0 }, { 15 * (cpp) }, 15 * (cpp) }

static const struct expect expected[] = {
	RGB("C8  ", 1), RGB("R8  ", 1), RGB("RGB8", 1), RGB("BGR8", 1),
	RGB("R16 ", 2), RGB("RG88", 2), RGB("GR88", 2), RGB("XR12", 2), RGB("XB12", 2),
	RGB("AR12", 2), RGB("AB12", 2), RGB("XR15", 2), RGB("XB15", 2), RGB("AR15", 2),
	RGB("AB15", 2), RGB("RG16", 2), RGB("BG16", 2),
	RGB("RG24", 3), RGB("BG24", 3),
	RGB("RG32", 4), RGB("GR32", 4), RGB("XR24", 4), RGB("XB24", 4), RGB("RX24", 4),
	RGB("BX24", 4), RGB("AR24", 4), RGB("AB24", 4), RGB("RA24", 4), RGB("BA24", 4),
	RGB("XR30", 4), RGB("XB30", 4), RGB("RX30", 4), RGB("BX30", 4), RGB("AR30", 4),
	RGB("AB30", 4), RGB("RA30", 4), RGB("BA30", 4), RGB("AYUV", 4), RGB("XYUV", 4),
	RGB("XR4H", 8), RGB("XB4H", 8), RGB("AR4H", 8), RGB("AB4H", 8),
	/* packed 4:2:2: 4 pixels = 2 macropixels = 8 bytes; 5 pixels round up to 3 */
	{ "YUYV", 4, 4, 1, { 8 }, { 0 }, { 32 }, 32 }, { "YUYV", 5, 3, 1, { 12 }, { 0 }, { 36 }, 36 },
	{ "YVYU", 4, 4, 1, { 8 }, { 0 }, { 32 }, 32 }, { "YVYU", 5, 3, 1, { 12 }, { 0 }, { 36 }, 36 },
	{ "UYVY", 4, 4, 1, { 8 }, { 0 }, { 32 }, 32 }, { "UYVY", 5, 3, 1, { 12 }, { 0 }, { 36 }, 36 },
	{ "VYUY", 4, 4, 1, { 8 }, { 0 }, { 32 }, 32 }, { "VYUY", 5, 3, 1, { 12 }, { 0 }, { 36 }, 36 },
	/* NV12 4x4: CbCr at start + 16, 2 lines of 4 bytes. 5x3: 3 CbCr pairs =
	 * 6 bytes a chroma line, so both pitches are 6; ceil(3/2) = 2 lines. */
	{ "NV12", 4, 4, 2, { 4, 4 }, { 0, 16 }, { 16, 8 }, 24 },
	{ "NV12", 5, 3, 2, { 6, 6 }, { 0, 18 }, { 18, 12 }, 30 },
	{ "NV21", 4, 4, 2, { 4, 4 }, { 0, 16 }, { 16, 8 }, 24 },
	{ "NV21", 5, 3, 2, { 6, 6 }, { 0, 18 }, { 18, 12 }, 30 },
	/* NV16 4x4: chroma lines at +16..+28 */
	{ "NV16", 4, 4, 2, { 4, 4 }, { 0, 16 }, { 16, 16 }, 32 },
	{ "NV16", 5, 3, 2, { 6, 6 }, { 0, 18 }, { 18, 18 }, 36 },
	{ "NV61", 4, 4, 2, { 4, 4 }, { 0, 16 }, { 16, 16 }, 32 },
	{ "NV61", 5, 3, 2, { 6, 6 }, { 0, 18 }, { 18, 18 }, 36 },
	/* NV24 4x4: chroma lines of 8 bytes at +16, +24, +32, +40 */
	{ "NV24", 4, 4, 2, { 4, 8 }, { 0, 16 }, { 16, 32 }, 48 },
	{ "NV24", 5, 3, 2, { 5, 10 }, { 0, 15 }, { 15, 30 }, 45 },
	{ "NV42", 4, 4, 2, { 4, 8 }, { 0, 16 }, { 16, 32 }, 48 },
	{ "NV42", 5, 3, 2, { 5, 10 }, { 0, 15 }, { 15, 30 }, 45 },
	/* P0xx: 16-bit Y, 32-bit CbCr pairs; 5 wide: 10 luma bytes, 3 pairs = 12 */
	{ "P010", 4, 4, 2, { 8, 8 }, { 0, 32 }, { 32, 16 }, 48 },
	{ "P010", 5, 3, 2, { 12, 12 }, { 0, 36 }, { 36, 24 }, 60 },
	{ "P012", 4, 4, 2, { 8, 8 }, { 0, 32 }, { 32, 16 }, 48 },
	{ "P016", 5, 3, 2, { 12, 12 }, { 0, 36 }, { 36, 24 }, 60 },
	{ "P210", 4, 4, 2, { 8, 8 }, { 0, 32 }, { 32, 32 }, 64 },
	{ "P210", 5, 3, 2, { 12, 12 }, { 0, 36 }, { 36, 36 }, 72 },
	/* YUV410 4x4: one chroma byte each at +16 and +17. 5 wide: 2 chroma bytes,
	 * chroma stride = luma stride / 4, so the luma pitch becomes 8. */
	{ "YUV9", 4, 4, 3, { 4, 1, 1 }, { 0, 16, 17 }, { 16, 1, 1 }, 18 },
	{ "YUV9", 5, 3, 3, { 8, 2, 2 }, { 0, 24, 26 }, { 24, 2, 2 }, 28 },
	{ "YVU9", 4, 4, 3, { 4, 1, 1 }, { 0, 16, 17 }, { 16, 1, 1 }, 18 },
	/* YUV411 4x4: Cb at +16..+19, Cr at +20..+23 */
	{ "YU11", 4, 4, 3, { 4, 1, 1 }, { 0, 16, 20 }, { 16, 4, 4 }, 24 },
	{ "YU11", 5, 3, 3, { 8, 2, 2 }, { 0, 24, 30 }, { 24, 6, 6 }, 36 },
	{ "YV11", 4, 4, 3, { 4, 1, 1 }, { 0, 16, 20 }, { 16, 4, 4 }, 24 },
	/* YUV420 4x4: Cb at +16, +18; Cr at +20, +22. 5x3: 3 chroma bytes a line
	 * = luma / 2, so luma pitch 6; 2 chroma lines. */
	{ "YU12", 4, 4, 3, { 4, 2, 2 }, { 0, 16, 20 }, { 16, 4, 4 }, 24 },
	{ "YU12", 5, 3, 3, { 6, 3, 3 }, { 0, 18, 24 }, { 18, 6, 6 }, 30 },
	{ "YV12", 4, 4, 3, { 4, 2, 2 }, { 0, 16, 20 }, { 16, 4, 4 }, 24 },
	{ "YV12", 5, 3, 3, { 6, 3, 3 }, { 0, 18, 24 }, { 18, 6, 6 }, 30 },
	{ "YU16", 4, 4, 3, { 4, 2, 2 }, { 0, 16, 24 }, { 16, 8, 8 }, 32 },
	{ "YU16", 5, 3, 3, { 6, 3, 3 }, { 0, 18, 27 }, { 18, 9, 9 }, 36 },
	{ "YV16", 4, 4, 3, { 4, 2, 2 }, { 0, 16, 24 }, { 16, 8, 8 }, 32 },
	{ "YU24", 4, 4, 3, { 4, 4, 4 }, { 0, 16, 32 }, { 16, 16, 16 }, 48 },
	{ "YU24", 5, 3, 3, { 5, 5, 5 }, { 0, 15, 30 }, { 15, 15, 15 }, 45 },
	{ "YV24", 5, 3, 3, { 5, 5, 5 }, { 0, 15, 30 }, { 15, 15, 15 }, 45 },
	/* 1080p: V4L2 sizeimage of NV12/YUV420 is w*h*3/2 = 3110400 */
	{ "NV12", 1920, 1080, 2, { 1920, 1920 }, { 0, 2073600 }, { 2073600, 1036800 }, 3110400 },
	{ "YU12", 1920, 1080, 3, { 1920, 960, 960 }, { 0, 2073600, 2592000 },
	  { 2073600, 518400, 518400 }, 3110400 },
};

static void assert_layout(const struct la_layout *l, const struct expect *e)
{
	assert_int_equal(l->plane_count, e->planes);
	for (uint32_t p = 0; p < e->planes; p++) {
		assert_int_equal(l->pitch[p], e->pitch[p]);
		assert_int_equal(l->offset[p], e->offset[p]);
		assert_int_equal(l->plane_size[p], e->plane_size[p]);
	}
	assert_int_equal(l->size, e->size);
}

static void test_every_format(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(expected) / sizeof(expected[0]); i++) {
		const struct expect *e = &expected[i];
		struct la_layout l;

		print_message("%s %ux%u\n", e->code, e->w, e->h);
		assert_int_equal(la_layout_compute(CODE(e->code), e->w, e->h, NULL, &l), 0);
		assert_layout(&l, e);
		assert_int_equal(la_layout_validate(CODE(e->code), e->w, e->h, NULL, &l), 0);
	}
}

/* Every format liballoc knows has an expectation above. */
static void test_table_covered(void **state)
{
	static const char *const all[] = {
		"C8", "R8", "RGB332", "BGR233", "R16", "RG88", "GR88", "XRGB4444", "XBGR4444",
		"ARGB4444", "ABGR4444", "XRGB1555", "XBGR1555", "ARGB1555", "ABGR1555", "RGB565",
		"BGR565", "RGB888", "BGR888", "RG1616", "GR1616", "XRGB8888", "XBGR8888",
		"RGBX8888", "BGRX8888", "ARGB8888", "ABGR8888", "RGBA8888", "BGRA8888",
		"XRGB2101010", "XBGR2101010", "RGBX1010102", "BGRX1010102", "ARGB2101010",
		"ABGR2101010", "RGBA1010102", "BGRA1010102", "XRGB16161616F", "XBGR16161616F",
		"ARGB16161616F", "ABGR16161616F", "YUYV", "YVYU", "UYVY", "VYUY", "AYUV",
		"XYUV8888", "NV12", "NV21", "NV16", "NV61", "NV24", "NV42", "P010", "P012",
		"P016", "P210", "YUV410", "YVU410", "YUV411", "YVU411", "YUV420", "YVU420",
		"YUV422", "YVU422", "YUV444", "YVU444",
	};
	(void)state;
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		uint32_t f;
		bool found = false;

		assert_int_equal(la_format_parse(all[i], &f), 0);
		for (size_t j = 0; j < sizeof(expected) / sizeof(expected[0]); j++)
			found |= CODE(expected[j].code) == f;
		if (!found)
			fail_msg("no layout expectation for %s", all[i]);
	}
}

static struct la_layout compute_ok(const char *code, uint32_t w, uint32_t h,
				   const struct la_constraints *c)
{
	struct la_layout l;

	assert_int_equal(la_layout_compute(CODE(code), w, h, c, &l), 0);
	assert_int_equal(la_layout_validate(CODE(code), w, h, c, &l), 0);
	return l;
}

static void test_pitch_align(void **state)
{
	struct la_constraints c = { .pitch_align = { 48 } };
	struct la_layout l;
	(void)state;
	/* non-power-of-two: 40 bytes -> 48 */
	l = compute_ok("XR24", 10, 2, &c);
	assert_int_equal(l.pitch[0], 48);
	assert_int_equal(l.size, 96);
	/* already a multiple stays */
	l = compute_ok("XR24", 12, 2, &c);
	assert_int_equal(l.pitch[0], 48);
	/* NV12: chroma pitch = luma pitch, so the chroma alignment binds luma too */
	c = (struct la_constraints){ .pitch_align = { 0, 96 } };
	l = compute_ok("NV12", 100, 10, &c);
	assert_int_equal(l.pitch[0], 192);
	assert_int_equal(l.pitch[1], 192);
	/* YUV420: chroma = luma / 2; chroma align 64 needs luma align 128 */
	c = (struct la_constraints){ .pitch_align = { 64, 64, 64 } };
	l = compute_ok("YU12", 100, 10, &c);
	assert_int_equal(l.pitch[0], 128);
	assert_int_equal(l.pitch[1], 64);
	assert_int_equal(l.pitch[2], 64);
	/* chroma-only non-power-of-two: chroma 48 -> luma multiple of 96 */
	c = (struct la_constraints){ .pitch_align = { 0, 48, 0 } };
	l = compute_ok("YU12", 100, 10, &c);
	assert_int_equal(l.pitch[0], 192);
	assert_int_equal(l.pitch[1], 96);
	/* odd luma align 3 and an even luma needed for the half chroma: 6 */
	c = (struct la_constraints){ .pitch_align = { 3 } };
	l = compute_ok("YU12", 100, 10, &c);
	assert_int_equal(l.pitch[0], 102);
	assert_int_equal(l.pitch[1], 51);
	/* NV24: chroma = 2 x luma; chroma align 6 needs luma only a multiple of 3 */
	c = (struct la_constraints){ .pitch_align = { 0, 6 } };
	l = compute_ok("NV24", 100, 10, &c);
	assert_int_equal(l.pitch[0], 102);
	assert_int_equal(l.pitch[1], 204);
}

static void test_offset_and_size_align(void **state)
{
	struct la_constraints c = { .offset_align = { 0, 4096 } };
	struct la_layout l;
	(void)state;
	l = compute_ok("NV12", 4, 4, &c);
	assert_int_equal(l.offset[1], 4096);
	assert_int_equal(l.size, 4096 + 8);
	c.size_align = 4096;
	l = compute_ok("NV12", 4, 4, &c);
	assert_int_equal(l.size, 8192);
	/* non-power-of-two offsets: 16 -> 20, 20 + 4 = 24 -> 30 */
	c = (struct la_constraints){ .offset_align = { 0, 10, 10 } };
	l = compute_ok("YU12", 4, 4, &c);
	assert_int_equal(l.offset[1], 20);
	assert_int_equal(l.offset[2], 30);
	assert_int_equal(l.size, 34);
	c = (struct la_constraints){ .size_align = 1000 };
	l = compute_ok("XR24", 4, 4, &c);
	assert_int_equal(l.size, 1000);
	assert_int_equal(l.plane_size[0], 64);
}

static void test_width_height_align(void **state)
{
	struct la_constraints c = { .width_align = 16, .height_align = 16 };
	struct la_layout l;
	(void)state;
	l = compute_ok("XR24", 5, 3, &c);
	assert_int_equal(l.pitch[0], 64);
	assert_int_equal(l.size, 64 * 16);
	/* padded 16x16 NV12: 8 chroma lines */
	l = compute_ok("NV12", 5, 3, &c);
	assert_int_equal(l.pitch[0], 16);
	assert_int_equal(l.offset[1], 256);
	assert_int_equal(l.plane_size[1], 128);
	assert_int_equal(l.size, 384);
	/* non-power-of-two: 5 -> 6 pixels, 3 -> 6 rows */
	c = (struct la_constraints){ .width_align = 3, .height_align = 6 };
	l = compute_ok("RG16", 5, 3, &c);
	assert_int_equal(l.pitch[0], 12);
	assert_int_equal(l.size, 72);
}

static void expect_einval(const char *code, uint32_t w, uint32_t h,
			  const struct la_constraints *c, const char *diag)
{
	struct la_layout l;

	memset(&l, 0xa5, sizeof(l));
	assert_int_equal(la_layout_compute(CODE(code), w, h, c, &l), -EINVAL);
	assert_int_equal(l.plane_count, 0xa5a5a5a5); /* untouched on failure */
	if (!strstr(la_last_diagnosis(), diag))
		fail_msg("diagnosis '%s' lacks '%s'", la_last_diagnosis(), diag);
}

static void test_limits(void **state)
{
	struct la_constraints c = { .max_width = 4, .max_height = 4, .max_pitch = 16, .max_size = 64 };
	(void)state;
	compute_ok("XR24", 4, 4, &c); /* every limit met exactly */
	expect_einval("XR24", 5, 4, &c, "max_width 4");
	expect_einval("XR24", 4, 5, &c, "max_height 4");
	c.max_width = 0;
	expect_einval("XR24", 5, 1, &c, "max_pitch 16");
	c.max_size = 63;
	expect_einval("XR24", 4, 4, &c, "max_size 63");
	/* the chroma plane's pitch counts too: NV24 chroma is 2 x 8 = 16 */
	c = (struct la_constraints){ .max_pitch = 15 };
	expect_einval("NV24", 8, 2, &c, "plane 1: pitch 16 exceeds max_pitch 15");
	/* padding can push a pitch over the limit */
	c = (struct la_constraints){ .max_pitch = 16, .pitch_align = { 32 } };
	expect_einval("R8  ", 4, 4, &c, "max_pitch");
}

static void test_bad_arguments(void **state)
{
	struct la_layout l;
	(void)state;
	expect_einval("XR24", 0, 4, NULL, "zero width or height");
	expect_einval("XR24", 4, 0, NULL, "zero width or height");
	expect_einval("NV12", 0, 0, NULL, "NV12");
	expect_einval("ABCD", 4, 4, NULL, "unknown format");
	assert_int_equal(la_layout_compute(CODE("XR24"), 4, 4, NULL, NULL), -EINVAL);
	assert_int_equal(la_layout_validate(CODE("XR24"), 4, 4, NULL, NULL), -EINVAL);
	l = compute_ok("XR24", 4, 4, NULL);
	assert_int_equal(la_layout_validate(CODE("XR24"), 0, 4, NULL, &l), -EINVAL);
	assert_int_equal(la_layout_validate(CODE("ABCD"), 4, 4, NULL, &l), -EINVAL);
}

static void expect_overflow(const char *code, uint32_t w, uint32_t h,
			    const struct la_constraints *c)
{
	struct la_layout l;

	memset(&l, 0xa5, sizeof(l));
	assert_int_equal(la_layout_compute(CODE(code), w, h, c, &l), -EOVERFLOW);
	assert_int_equal(l.size, 0xa5a5a5a5a5a5a5a5);
	assert_true(la_last_diagnosis()[0] != '\0');
}

static void test_overflow(void **state)
{
	struct la_constraints c = { 0 };
	struct la_layout l;
	(void)state;
	/* 65536 x 65536 x 4 = 16 GiB: no 32-bit pitch/offset/sizeimage holds it */
	expect_overflow("AR24", 65536, 65536, NULL);
	assert_non_null(strstr(la_last_diagnosis(), "32-bit"));
	assert_non_null(strstr(la_last_diagnosis(), "ARGB8888 65536x65536"));
	/* the boundary: 2^32 bytes fails, 2^32 - 65536 fits */
	expect_overflow("AR24", 16384, 65536, NULL);
	l = compute_ok("AR24", 16383, 65536, NULL);
	assert_int_equal(l.size, U64(16383) * 4 * 65536);
	/* largest sizes: 64-bit products of 2^35 pitch x 2^32 rows overflow */
	expect_overflow("AR4H", UINT32_MAX, UINT32_MAX, NULL);
	expect_overflow("R8  ", UINT32_MAX, UINT32_MAX, NULL);
	c.width_align = UINT32_MAX;
	c.height_align = UINT32_MAX - 1;
	expect_overflow("YU12", UINT32_MAX, UINT32_MAX, &c);
	/* alignments that overflow 64 bits */
	c = (struct la_constraints){ .pitch_align = { (UINT64_C(1) << 63) + 1 } };
	expect_overflow("XR24", 4, 4, &c);
	c = (struct la_constraints){ .pitch_align = { 0, UINT64_C(1) << 63 } };
	expect_overflow("YU12", 4, 4, &c); /* luma would need 2^64 */
	c = (struct la_constraints){ .pitch_align = { UINT64_MAX - 1 } };
	expect_overflow("XR24", 4, 1, &c); /* fits 64 bits, not 32 */
	c = (struct la_constraints){ .offset_align = { 0, UINT64_MAX } };
	expect_overflow("NV12", 4, 4, &c);
	c = (struct la_constraints){ .size_align = UINT64_MAX };
	expect_overflow("XR24", 4, 4, &c);
}

/* ---- validate ---- */

static void expect_invalid(const char *code, uint32_t w, uint32_t h,
			   const struct la_constraints *c, const struct la_layout *l,
			   const char *diag)
{
	assert_int_equal(la_layout_validate(CODE(code), w, h, c, l), -EINVAL);
	if (!strstr(la_last_diagnosis(), diag))
		fail_msg("diagnosis '%s' lacks '%s'", la_last_diagnosis(), diag);
}

/* A driver-style NV12 64x4 layout: pitch 128, chroma 4 KiB aligned. */
static const struct la_layout nv12_driver = {
	.plane_count = 2,
	.pitch = { 128, 128 },
	.offset = { 0, 4096 },
	.plane_size = { 512, 256 },
	.size = 8192,
};

static void test_validate_accepts(void **state)
{
	struct la_constraints c = { .pitch_align = { 64, 64 }, .offset_align = { 0, 4096 },
				    .size_align = 4096, .max_pitch = 128, .max_size = 8192 };
	struct la_layout l = {
		.plane_count = 3, .pitch = { 4, 2, 2 }, .offset = { 0, 20, 16 },
		.plane_size = { 16, 4, 4 }, .size = 24,
	};
	(void)state;
	assert_int_equal(la_layout_validate(CODE("NV12"), 64, 4, &c, &nv12_driver), 0);
	assert_int_equal(la_layout_validate(CODE("NV12"), 64, 4, NULL, &nv12_driver), 0);
	/* YVU-style plane order (Cr before Cb) is fine as long as nothing overlaps */
	assert_int_equal(la_layout_validate(CODE("YU12"), 4, 4, NULL, &l), 0);
	/* independent chroma pitch (DRM allows it) */
	l.pitch[1] = l.pitch[2] = 4;
	l.plane_size[1] = l.plane_size[2] = 8;
	l.offset[1] = 16;
	l.offset[2] = 24;
	l.size = 32;
	assert_int_equal(la_layout_validate(CODE("YU12"), 4, 4, NULL, &l), 0);
}

static void test_validate_rejects_planes(void **state)
{
	struct la_constraints c = { .pitch_align = { 64, 64 }, .offset_align = { 0, 4096 } };
	struct la_layout l;
	(void)state;
	l = nv12_driver;
	l.pitch[0] = 63;
	expect_invalid("NV12", 64, 4, NULL, &l, "plane 0: pitch 63 < 64");
	l = nv12_driver;
	l.pitch[1] = 96;
	expect_invalid("NV12", 64, 4, &c, &l, "plane 1: pitch 96 is not a multiple of pitch_align 64");
	l = nv12_driver;
	l.offset[1] = 2048;
	expect_invalid("NV12", 64, 4, &c, &l, "plane 1: offset 2048 is not a multiple of offset_align 4096");
	l = nv12_driver;
	l.plane_size[1] = 255;
	expect_invalid("NV12", 64, 4, NULL, &l, "plane 1: size 255 < pitch 128 x 2 rows");
	l = nv12_driver;
	l.size = 4096 + 255;
	expect_invalid("NV12", 64, 4, NULL, &l, "plane 1: offset 4096 + size 256 ends beyond");
	l = nv12_driver;
	l.offset[1] = UINT64_MAX - 8;
	expect_invalid("NV12", 64, 4, NULL, &l, "plane 1");
	l = nv12_driver;
	l.offset[1] = 256;
	expect_invalid("NV12", 64, 4, NULL, &l, "planes 0 and 1 overlap");
	l = nv12_driver;
	l.plane_count = 1;
	expect_invalid("NV12", 64, 4, NULL, &l, "1 planes, the format has 2");
	l.plane_count = 5;
	expect_invalid("NV12", 64, 4, NULL, &l, "5 planes");
	/* width_align: the pitch must hold the padded width */
	c = (struct la_constraints){ .width_align = 256 };
	expect_invalid("NV12", 64, 4, &c, &nv12_driver, "plane 0: pitch 128 < 256");
	/* height_align: the plane must hold the padded rows */
	c = (struct la_constraints){ .height_align = 8 };
	expect_invalid("NV12", 64, 4, &c, &nv12_driver, "plane 0: size 512 < pitch 128 x 8 rows");
}

static void test_validate_rejects_buffer(void **state)
{
	struct la_constraints c = { .size_align = 3000 };
	struct la_layout l = nv12_driver;
	(void)state;
	expect_invalid("NV12", 64, 4, &c, &l, "size 8192 is not a multiple of size_align 3000");
	c = (struct la_constraints){ .max_pitch = 127 };
	expect_invalid("NV12", 64, 4, &c, &l, "plane 0: pitch 128 exceeds max_pitch 127");
	c = (struct la_constraints){ .max_size = 8191 };
	expect_invalid("NV12", 64, 4, &c, &l, "max_size 8191");
	c = (struct la_constraints){ .max_width = 63 };
	expect_invalid("NV12", 64, 4, &c, &l, "max_width 63");
	c = (struct la_constraints){ .max_height = 3 };
	expect_invalid("NV12", 64, 4, &c, &l, "max_height 3");
	/* a driver's 4 GiB buffer cannot be described to AddFB2/V4L2 */
	l.size = UINT64_C(1) << 32;
	expect_invalid("NV12", 64, 4, NULL, &l, "32-bit");
	assert_non_null(strstr(la_last_diagnosis(), "layout NV12 64x4"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_format),
		cmocka_unit_test(test_table_covered),
		cmocka_unit_test(test_pitch_align),
		cmocka_unit_test(test_offset_and_size_align),
		cmocka_unit_test(test_width_height_align),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_bad_arguments),
		cmocka_unit_test(test_overflow),
		cmocka_unit_test(test_validate_accepts),
		cmocka_unit_test(test_validate_rejects_planes),
		cmocka_unit_test(test_validate_rejects_buffer),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
