/* SPDX-License-Identifier: MIT */
/*
 * The format table against the kernel's definitions: codes and bits per
 * pixel from the comments of include/uapi/drm/drm_fourcc.h, subsampling from
 * Documentation/userspace-api/media/v4l/pixfmt-yuv-planar.rst and
 * pixfmt-packed-yuv.rst. When libdrm's header is installed every code is
 * also compared with its DRM_FORMAT_* macro.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <liballoc/liballoc.h>

#if defined(__has_include)
#if __has_include(<libdrm/drm_fourcc.h>)
#include <libdrm/drm_fourcc.h>
#define HAVE_DRM_FOURCC 1
#endif
#endif

#define CODE(s) ((uint32_t)(s)[0] | ((uint32_t)(s)[1] << 8) | ((uint32_t)(s)[2] << 16) | \
		 ((uint32_t)(s)[3] << 24))

#ifdef HAVE_DRM_FOURCC
#define DRM(n) DRM_FORMAT_##n
#else
#define DRM(n) 0u
#endif

struct expect {
	const char *name;
	const char *code; /* the fourcc_code() letters in drm_fourcc.h */
	uint32_t drm;     /* DRM_FORMAT_* from libdrm, 0 without it */
	uint32_t planes;
	uint32_t bpp[3];
	uint32_t block_w;
	uint32_t hsub, vsub;
	bool yuv;
};

#define RGB(n, code, bits) { #n, code, DRM(n), 1, { bits }, 1, 1, 1, false }

static const struct expect table[] = {
	/* "[7:0] C", "[7:0] R", "[7:0] R:G:B 3:3:2" ... */
	RGB(C8, "C8  ", 8), RGB(R8, "R8  ", 8), RGB(RGB332, "RGB8", 8), RGB(BGR233, "BGR8", 8),
	/* "[15:0] R little endian", "[15:0] R:G 8:8", "[15:0] x:R:G:B 4:4:4:4" ... */
	RGB(R16, "R16 ", 16), RGB(RG88, "RG88", 16), RGB(GR88, "GR88", 16),
	RGB(XRGB4444, "XR12", 16), RGB(XBGR4444, "XB12", 16),
	RGB(ARGB4444, "AR12", 16), RGB(ABGR4444, "AB12", 16),
	RGB(XRGB1555, "XR15", 16), RGB(XBGR1555, "XB15", 16),
	RGB(ARGB1555, "AR15", 16), RGB(ABGR1555, "AB15", 16),
	RGB(RGB565, "RG16", 16), RGB(BGR565, "BG16", 16),
	/* "[23:0] R:G:B little endian" */
	RGB(RGB888, "RG24", 24), RGB(BGR888, "BG24", 24),
	/* "[31:0] R:G 16:16", "[31:0] x:R:G:B 8:8:8:8", "... 2:10:10:10" */
	RGB(RG1616, "RG32", 32), RGB(GR1616, "GR32", 32),
	RGB(XRGB8888, "XR24", 32), RGB(XBGR8888, "XB24", 32),
	RGB(RGBX8888, "RX24", 32), RGB(BGRX8888, "BX24", 32),
	RGB(ARGB8888, "AR24", 32), RGB(ABGR8888, "AB24", 32),
	RGB(RGBA8888, "RA24", 32), RGB(BGRA8888, "BA24", 32),
	RGB(XRGB2101010, "XR30", 32), RGB(XBGR2101010, "XB30", 32),
	RGB(RGBX1010102, "RX30", 32), RGB(BGRX1010102, "BX30", 32),
	RGB(ARGB2101010, "AR30", 32), RGB(ABGR2101010, "AB30", 32),
	RGB(RGBA1010102, "RA30", 32), RGB(BGRA1010102, "BA30", 32),
	/* "[63:0] x:R:G:B 16:16:16:16 little endian" (half float) */
	RGB(XRGB16161616F, "XR4H", 64), RGB(XBGR16161616F, "XB4H", 64),
	RGB(ARGB16161616F, "AR4H", 64), RGB(ABGR16161616F, "AB4H", 64),
	/* "[31:0] Cr0:Y1:Cb0:Y0 8:8:8:8": one 32-bit macropixel per 2 pixels */
	{ "YUYV", "YUYV", DRM(YUYV), 1, { 32 }, 2, 2, 1, true },
	{ "YVYU", "YVYU", DRM(YVYU), 1, { 32 }, 2, 2, 1, true },
	{ "UYVY", "UYVY", DRM(UYVY), 1, { 32 }, 2, 2, 1, true },
	{ "VYUY", "VYUY", DRM(VYUY), 1, { 32 }, 2, 2, 1, true },
	/* "[31:0] A:Y:Cb:Cr 8:8:8:8" */
	{ "AYUV", "AYUV", DRM(AYUV), 1, { 32 }, 1, 1, 1, true },
	{ "XYUV8888", "XYUV", DRM(XYUV8888), 1, { 32 }, 1, 1, 1, true },
	/* "2 plane YCbCr ... index 1 = Cr:Cb plane, [15:0] Cr:Cb" */
	{ "NV12", "NV12", DRM(NV12), 2, { 8, 16 }, 1, 2, 2, true },
	{ "NV21", "NV21", DRM(NV21), 2, { 8, 16 }, 1, 2, 2, true },
	{ "NV16", "NV16", DRM(NV16), 2, { 8, 16 }, 1, 2, 1, true },
	{ "NV61", "NV61", DRM(NV61), 2, { 8, 16 }, 1, 2, 1, true },
	{ "NV24", "NV24", DRM(NV24), 2, { 8, 16 }, 1, 1, 1, true },
	{ "NV42", "NV42", DRM(NV42), 2, { 8, 16 }, 1, 1, 1, true },
	/* "index 0 = Y plane, [15:0] Y:x; index 1 = Cr:Cb plane, [31:0] Cr:x:Cb:x" */
	{ "P010", "P010", DRM(P010), 2, { 16, 32 }, 1, 2, 2, true },
	{ "P012", "P012", DRM(P012), 2, { 16, 32 }, 1, 2, 2, true },
	{ "P016", "P016", DRM(P016), 2, { 16, 32 }, 1, 2, 2, true },
	{ "P210", "P210", DRM(P210), 2, { 16, 32 }, 1, 2, 1, true },
	/* "3 plane YCbCr": YUV410 = 4x4 subsampling, YUV411 = 4x1, ... */
	{ "YUV410", "YUV9", DRM(YUV410), 3, { 8, 8, 8 }, 1, 4, 4, true },
	{ "YVU410", "YVU9", DRM(YVU410), 3, { 8, 8, 8 }, 1, 4, 4, true },
	{ "YUV411", "YU11", DRM(YUV411), 3, { 8, 8, 8 }, 1, 4, 1, true },
	{ "YVU411", "YV11", DRM(YVU411), 3, { 8, 8, 8 }, 1, 4, 1, true },
	{ "YUV420", "YU12", DRM(YUV420), 3, { 8, 8, 8 }, 1, 2, 2, true },
	{ "YVU420", "YV12", DRM(YVU420), 3, { 8, 8, 8 }, 1, 2, 2, true },
	{ "YUV422", "YU16", DRM(YUV422), 3, { 8, 8, 8 }, 1, 2, 1, true },
	{ "YVU422", "YV16", DRM(YVU422), 3, { 8, 8, 8 }, 1, 2, 1, true },
	{ "YUV444", "YU24", DRM(YUV444), 3, { 8, 8, 8 }, 1, 1, 1, true },
	{ "YVU444", "YV24", DRM(YVU444), 3, { 8, 8, 8 }, 1, 1, 1, true },
};

static void check_entry(const struct expect *e)
{
	struct la_format_info info;
	uint32_t code = CODE(e->code);

	if (e->drm)
		assert_int_equal(code, e->drm);
	assert_int_equal(la_format_get_info(code, &info), 0);
	assert_int_equal(info.format, code);
	assert_string_equal(info.name, e->name);
	assert_int_equal(info.plane_count, e->planes);
	for (uint32_t p = 0; p < e->planes; p++) {
		assert_int_equal(info.bpp[p], e->bpp[p]);
		assert_int_equal(info.block_w[p], p == 0 ? e->block_w : 1);
	}
	assert_int_equal(info.hsub, e->hsub);
	assert_int_equal(info.vsub, e->vsub);
	assert_int_equal(info.is_yuv, e->yuv);
}

static void test_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		check_entry(&table[i]);
}

static void test_get_info_errors(void **state)
{
	struct la_format_info info;
	(void)state;
	assert_int_equal(la_format_get_info(CODE("ABCD"), &info), -ENOENT);
	assert_non_null(strstr(la_last_diagnosis(), "ABCD"));
	assert_int_equal(la_format_get_info(0, &info), -ENOENT);
	assert_int_equal(la_format_get_info(CODE("NV12"), NULL), -EINVAL);
	/* DRM_FORMAT_BIG_ENDIAN (bit 31) makes a different format */
	assert_int_equal(la_format_get_info(CODE("XR24") | (1u << 31), &info), -ENOENT);
}

static void test_name(void **state)
{
	char buf[32], small[4];
	(void)state;
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		assert_string_equal(la_format_name(CODE(table[i].code), buf, sizeof(buf)),
				    table[i].name);
	assert_string_equal(la_format_name(CODE("ABCD"), buf, sizeof(buf)), "ABCD");
	assert_string_equal(la_format_name(CODE("Y10 "), buf, sizeof(buf)), "Y10 ");
	assert_string_equal(la_format_name(0x00000001, buf, sizeof(buf)), "0x00000001");
	assert_string_equal(la_format_name(CODE("XR24") | (1u << 31), buf, sizeof(buf)),
			    "0xb4325258");
	/* truncated, never overrun */
	assert_string_equal(la_format_name(CODE("XR24"), small, sizeof(small)), "XRG");
	assert_string_equal(la_format_name(CODE("XR24"), NULL, 0), "");
}

static void test_parse_names(void **state)
{
	uint32_t f;
	(void)state;
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		f = 0;
		assert_int_equal(la_format_parse(table[i].name, &f), 0);
		assert_int_equal(f, CODE(table[i].code));
		f = 0;
		assert_int_equal(la_format_parse(table[i].code, &f), 0);
		assert_int_equal(f, CODE(table[i].code));
	}
	assert_int_equal(la_format_parse("nv12", &f), 0);
	assert_int_equal(f, CODE("NV12"));
	assert_int_equal(la_format_parse("xRgB8888", &f), 0);
	assert_int_equal(f, CODE("XR24"));
	assert_int_equal(la_format_parse("XR24", &f), 0);
	assert_int_equal(f, CODE("XR24"));
	assert_int_equal(la_format_parse("YU12", &f), 0);
	assert_int_equal(f, CODE("YU12"));
}

static void test_parse_codes(void **state)
{
	uint32_t f;
	char buf[32];
	(void)state;
	/* codes outside the table still parse: negotiation needs no layout */
	assert_int_equal(la_format_parse("ABCD", &f), 0);
	assert_int_equal(f, CODE("ABCD"));
	assert_int_equal(la_format_parse("0x00000001", &f), 0);
	assert_int_equal(f, 1);
	assert_int_equal(la_format_parse("0XB4325258", &f), 0);
	assert_int_equal(f, CODE("XR24") | (1u << 31));
	/* what la_format_name() prints parses back */
	assert_int_equal(la_format_parse(la_format_name(0xdeadbeef, buf, sizeof(buf)), &f), 0);
	assert_int_equal(f, 0xdeadbeef);
	/*
	 * ...also for codes whose letters the parser would read otherwise
	 * (found by fuzz/fuzz-capset-bin): a table name in another case, and
	 * a "0x" prefix.
	 */
	static const char *const tricky[] = {"nV12", "yuyv", "p010", "0x12", "0X1F"};
	for (size_t i = 0; i < sizeof(tricky) / sizeof(tricky[0]); i++) {
		f = 0;
		assert_int_equal(la_format_parse(la_format_name(CODE(tricky[i]), buf, sizeof(buf)), &f),
				 0);
		assert_int_equal(f, CODE(tricky[i]));
	}
}

static void check_bad(const char *word)
{
	uint32_t f = 0x12345678;

	assert_int_equal(la_format_parse(word, &f), -EINVAL);
	assert_int_equal(f, 0x12345678);
	assert_non_null(strstr(la_last_diagnosis(), word));
}

static void test_parse_errors(void **state)
{
	uint32_t f;
	(void)state;
	check_bad("");
	check_bad("NV1");
	check_bad("XRGB888");
	check_bad("XR2$");
	check_bad("NV12 ");
	check_bad("0x");
	check_bad("0x1g");
	check_bad("0x100000000");
	assert_int_equal(la_format_parse(NULL, &f), -EINVAL);
	assert_int_equal(la_format_parse("NV12", NULL), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_get_info_errors),
		cmocka_unit_test(test_name),
		cmocka_unit_test(test_parse_names),
		cmocka_unit_test(test_parse_codes),
		cmocka_unit_test(test_parse_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
