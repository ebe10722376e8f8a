/* SPDX-License-Identifier: MIT */
/*
 * Core-private access to the format table (src/format.c). Never installed:
 * the public view is la_format_get_info().
 */
#ifndef LA_FORMAT_H
#define LA_FORMAT_H

#include <liballoc/liballoc.h>

/* The table entry of fourcc, or NULL if liballoc does not know its layout. */
const struct la_format_info *la_format_lookup(uint32_t fourcc);

/*
 * Samples per row and rows of plane p for an image of width x height pixels.
 * Chroma planes (p > 0) round up: a 5-pixel-wide NV12 image has 3 chroma
 * samples per row, as DIV_ROUND_UP in the kernel's
 * drm_format_info_plane_width()/_height() and v4l2_fill_pixfmt_mp().
 */
uint64_t la_format_plane_width(const struct la_format_info *fi, uint32_t p, uint64_t width);
uint64_t la_format_plane_height(const struct la_format_info *fi, uint32_t p, uint64_t height);

/*
 * Bytes one row of plane p needs (no padding) at width pixels, in whole
 * blocks: a 5-pixel YUYV row is 3 macropixels = 12 bytes. width must be
 * < 2^48 so that the product cannot overflow.
 */
uint64_t la_format_row_bytes(const struct la_format_info *fi, uint32_t p, uint64_t width);

#endif
