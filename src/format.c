/* SPDX-License-Identifier: MIT */
/*
 * The one table of pixel formats liballoc can lay out linearly. Codes are
 * DRM fourccs as in include/uapi/drm/drm_fourcc.h; they are spelled out here
 * so the core needs no libdrm (tests/unit/test-format.c checks them against
 * <libdrm/drm_fourcc.h> when it is installed).
 *
 * bpp is bits per block of plane p and block_w the pixels a block covers
 * horizontally: 1 everywhere except packed 4:2:2 YUV, where one 32-bit
 * macropixel (Y0 Cb Y1 Cr) covers 2 pixels. Semi-planar chroma blocks are
 * one Cb+Cr pair (2 samples).
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "format.h"
#include "private.h"

#define FOURCC(a, b, c, d) \
	((uint32_t)(a) | ((uint32_t)(b) << 8) | ((uint32_t)(c) << 16) | ((uint32_t)(d) << 24))

#define RGB(n, a, b, c, d, bits) \
	{ .format = FOURCC(a, b, c, d), .name = n, .plane_count = 1, \
	  .bpp = { bits }, .block_w = { 1 }, .hsub = 1, .vsub = 1 }
/* Packed 4:4:4 YUV: one pixel per 32-bit word. */
#define YUV444P(n, a, b, c, d) \
	{ .format = FOURCC(a, b, c, d), .name = n, .plane_count = 1, \
	  .bpp = { 32 }, .block_w = { 1 }, .hsub = 1, .vsub = 1, .is_yuv = true }
/* Packed 4:2:2 YUV: a 32-bit macropixel per 2 pixels. */
#define YUV422P(n, a, b, c, d) \
	{ .format = FOURCC(a, b, c, d), .name = n, .plane_count = 1, \
	  .bpp = { 32 }, .block_w = { 2 }, .hsub = 2, .vsub = 1, .is_yuv = true }
/* Semi-planar: Y plane, then interleaved CbCr pairs. */
#define SEMI(n, a, b, c, d, ybits, hs, vs) \
	{ .format = FOURCC(a, b, c, d), .name = n, .plane_count = 2, \
	  .bpp = { ybits, 2 * (ybits) }, .block_w = { 1, 1 }, \
	  .hsub = hs, .vsub = vs, .is_yuv = true }
/* Fully planar 8-bit: Y, then two chroma planes. */
#define PLANAR(n, a, b, c, d, hs, vs) \
	{ .format = FOURCC(a, b, c, d), .name = n, .plane_count = 3, \
	  .bpp = { 8, 8, 8 }, .block_w = { 1, 1, 1 }, \
	  .hsub = hs, .vsub = vs, .is_yuv = true }

static const struct la_format_info formats[] = {
	/* 8 bpp */
	RGB("C8", 'C', '8', ' ', ' ', 8),
	RGB("R8", 'R', '8', ' ', ' ', 8),
	RGB("RGB332", 'R', 'G', 'B', '8', 8),
	RGB("BGR233", 'B', 'G', 'R', '8', 8),
	/* 16 bpp */
	RGB("R16", 'R', '1', '6', ' ', 16),
	RGB("RG88", 'R', 'G', '8', '8', 16),
	RGB("GR88", 'G', 'R', '8', '8', 16),
	RGB("XRGB4444", 'X', 'R', '1', '2', 16),
	RGB("XBGR4444", 'X', 'B', '1', '2', 16),
	RGB("ARGB4444", 'A', 'R', '1', '2', 16),
	RGB("ABGR4444", 'A', 'B', '1', '2', 16),
	RGB("XRGB1555", 'X', 'R', '1', '5', 16),
	RGB("XBGR1555", 'X', 'B', '1', '5', 16),
	RGB("ARGB1555", 'A', 'R', '1', '5', 16),
	RGB("ABGR1555", 'A', 'B', '1', '5', 16),
	RGB("RGB565", 'R', 'G', '1', '6', 16),
	RGB("BGR565", 'B', 'G', '1', '6', 16),
	/* 24 bpp */
	RGB("RGB888", 'R', 'G', '2', '4', 24),
	RGB("BGR888", 'B', 'G', '2', '4', 24),
	/* 32 bpp */
	RGB("RG1616", 'R', 'G', '3', '2', 32),
	RGB("GR1616", 'G', 'R', '3', '2', 32),
	RGB("XRGB8888", 'X', 'R', '2', '4', 32),
	RGB("XBGR8888", 'X', 'B', '2', '4', 32),
	RGB("RGBX8888", 'R', 'X', '2', '4', 32),
	RGB("BGRX8888", 'B', 'X', '2', '4', 32),
	RGB("ARGB8888", 'A', 'R', '2', '4', 32),
	RGB("ABGR8888", 'A', 'B', '2', '4', 32),
	RGB("RGBA8888", 'R', 'A', '2', '4', 32),
	RGB("BGRA8888", 'B', 'A', '2', '4', 32),
	RGB("XRGB2101010", 'X', 'R', '3', '0', 32),
	RGB("XBGR2101010", 'X', 'B', '3', '0', 32),
	RGB("RGBX1010102", 'R', 'X', '3', '0', 32),
	RGB("BGRX1010102", 'B', 'X', '3', '0', 32),
	RGB("ARGB2101010", 'A', 'R', '3', '0', 32),
	RGB("ABGR2101010", 'A', 'B', '3', '0', 32),
	RGB("RGBA1010102", 'R', 'A', '3', '0', 32),
	RGB("BGRA1010102", 'B', 'A', '3', '0', 32),
	/* 64 bpp half float */
	RGB("XRGB16161616F", 'X', 'R', '4', 'H', 64),
	RGB("XBGR16161616F", 'X', 'B', '4', 'H', 64),
	RGB("ARGB16161616F", 'A', 'R', '4', 'H', 64),
	RGB("ABGR16161616F", 'A', 'B', '4', 'H', 64),
	/* packed YUV */
	YUV422P("YUYV", 'Y', 'U', 'Y', 'V'),
	YUV422P("YVYU", 'Y', 'V', 'Y', 'U'),
	YUV422P("UYVY", 'U', 'Y', 'V', 'Y'),
	YUV422P("VYUY", 'V', 'Y', 'U', 'Y'),
	YUV444P("AYUV", 'A', 'Y', 'U', 'V'),
	YUV444P("XYUV8888", 'X', 'Y', 'U', 'V'),
	/* semi-planar YUV */
	SEMI("NV12", 'N', 'V', '1', '2', 8, 2, 2),
	SEMI("NV21", 'N', 'V', '2', '1', 8, 2, 2),
	SEMI("NV16", 'N', 'V', '1', '6', 8, 2, 1),
	SEMI("NV61", 'N', 'V', '6', '1', 8, 2, 1),
	SEMI("NV24", 'N', 'V', '2', '4', 8, 1, 1),
	SEMI("NV42", 'N', 'V', '4', '2', 8, 1, 1),
	/* 10/12/16-bit samples in 16-bit words (MSB aligned) */
	SEMI("P010", 'P', '0', '1', '0', 16, 2, 2),
	SEMI("P012", 'P', '0', '1', '2', 16, 2, 2),
	SEMI("P016", 'P', '0', '1', '6', 16, 2, 2),
	SEMI("P210", 'P', '2', '1', '0', 16, 2, 1),
	/* fully planar YUV */
	PLANAR("YUV410", 'Y', 'U', 'V', '9', 4, 4),
	PLANAR("YVU410", 'Y', 'V', 'U', '9', 4, 4),
	PLANAR("YUV411", 'Y', 'U', '1', '1', 4, 1),
	PLANAR("YVU411", 'Y', 'V', '1', '1', 4, 1),
	PLANAR("YUV420", 'Y', 'U', '1', '2', 2, 2),
	PLANAR("YVU420", 'Y', 'V', '1', '2', 2, 2),
	PLANAR("YUV422", 'Y', 'U', '1', '6', 2, 1),
	PLANAR("YVU422", 'Y', 'V', '1', '6', 2, 1),
	PLANAR("YUV444", 'Y', 'U', '2', '4', 1, 1),
	PLANAR("YVU444", 'Y', 'V', '2', '4', 1, 1),
};

const struct la_format_info *la_format_lookup(uint32_t fourcc)
{
	for (size_t i = 0; i < LA_ARRAY_SIZE(formats); i++) {
		if (formats[i].format == fourcc)
			return &formats[i];
	}
	return NULL;
}

static uint64_t div_round_up(uint64_t v, uint64_t d)
{
	return v / d + (v % d != 0);
}

uint64_t la_format_plane_width(const struct la_format_info *fi, uint32_t p, uint64_t width)
{
	return p == 0 ? width : div_round_up(width, fi->hsub);
}

uint64_t la_format_plane_height(const struct la_format_info *fi, uint32_t p, uint64_t height)
{
	return p == 0 ? height : div_round_up(height, fi->vsub);
}

uint64_t la_format_row_bytes(const struct la_format_info *fi, uint32_t p, uint64_t width)
{
	uint64_t blocks = div_round_up(la_format_plane_width(fi, p, width), fi->block_w[p]);
	return div_round_up(blocks * fi->bpp[p], 8);
}

LA_EXPORT int la_format_get_info(uint32_t format, struct la_format_info *out)
{
	const struct la_format_info *fi = la_format_lookup(format);
	char name[32];

	if (!out)
		return -EINVAL;
	if (!fi) {
		la_diag("unknown format %s", la_format_name(format, name, sizeof(name)));
		return -ENOENT;
	}
	*out = *fi;
	return 0;
}

/* Fourcc letters in drm_fourcc.h and videodev2.h are letters, digits and spaces. */
static bool is_fourcc_char(char ch)
{
	return isalnum((unsigned char)ch) || ch == ' ';
}

/* True if la_format_parse() would read text as a table format. */
static bool names_table_format(const char *text)
{
	for (size_t i = 0; i < LA_ARRAY_SIZE(formats); i++) {
		if (strcasecmp(formats[i].name, text) == 0)
			return true;
	}
	return false;
}

LA_EXPORT const char *la_format_name(uint32_t format, char *buf, size_t len)
{
	const struct la_format_info *fi = la_format_lookup(format);
	char c[4] = { (char)(format & 0xff), (char)((format >> 8) & 0xff),
		      (char)((format >> 16) & 0xff), (char)(format >> 24) };

	if (!buf || len == 0)
		return "";
	char letters[5] = { c[0], c[1], c[2], c[3], '\0' };

	if (fi)
		snprintf(buf, len, "%s", fi->name);
	/*
	 * Names are matched without case, so "nV12" would parse back as NV12:
	 * a code whose letters spell a table name in another case is printed
	 * in hex, so that every printed name parses back to its own code. So
	 * is one that starts with "0x", which the parser reads as hex.
	 */
	else if (is_fourcc_char(c[0]) && is_fourcc_char(c[1]) && is_fourcc_char(c[2]) &&
		 is_fourcc_char(c[3]) && !names_table_format(letters) &&
		 strncasecmp(letters, "0x", 2) != 0)
		snprintf(buf, len, "%s", letters);
	else
		snprintf(buf, len, "0x%08x", (unsigned int)format);
	return buf;
}

/* "0x3231564e": the form la_format_name() gives codes that are not letters. */
static bool parse_hex(const char *name, uint32_t *format)
{
	char *end;
	unsigned long long v;

	if (!isxdigit((unsigned char)name[2]))
		return false;
	v = strtoull(name + 2, &end, 16);
	if (*end != '\0' || v > UINT32_MAX)
		return false;
	*format = (uint32_t)v;
	return true;
}

/*
 * Any 4 fourcc characters are taken as a code even when the table does not
 * know it, so that a name la_format_name() printed parses back and formats
 * liballoc cannot lay out (tiled, compressed) can still be negotiated.
 */
static bool parse_code(const char *name, uint32_t *format)
{
	if (strlen(name) != 4)
		return false;
	for (int i = 0; i < 4; i++) {
		if (!is_fourcc_char(name[i]))
			return false;
	}
	*format = FOURCC(name[0], name[1], name[2], name[3]);
	return true;
}

int la_format_parse_why(const char *name, uint32_t *format, struct la_why *why)
{
	if (!name || !format)
		return la_why_set(why, -EINVAL, "la_format_parse: NULL argument");
	for (size_t i = 0; i < LA_ARRAY_SIZE(formats); i++) {
		if (strcasecmp(formats[i].name, name) == 0) {
			*format = formats[i].format;
			return 0;
		}
	}
	/* "0x1f" would also be 4 fourcc characters: a 0x prefix always means hex */
	if (strncasecmp(name, "0x", 2) == 0 ? parse_hex(name, format) : parse_code(name, format))
		return 0;
	return la_why_set(why, -EINVAL, "'%s' is neither a format name (\"NV12\", \"XRGB8888\"), "
			  "a 4-character fourcc (\"XR24\") nor 0x-hex", name);
}

LA_EXPORT int la_format_parse(const char *name, uint32_t *format)
{
	struct la_why why = {0};

	return la_publish(&why, la_format_parse_why(name, format, &why));
}
