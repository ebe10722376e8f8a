/* SPDX-License-Identifier: MIT */
/*
 * The copy path's CPU work: a camera frame into an XRGB8888 scanout
 * buffer. Used only when no buffer can be shared (liballoc said why).
 */
#ifndef C2D_CONVERT_H
#define C2D_CONVERT_H

#include <stdbool.h>
#include <stdint.h>

#include <liballoc/liballoc.h>

/* Source formats convert_frame() turns into XRGB8888. */
bool convert_supported(uint32_t src_format);

/*
 * src[p]/src_pitch[p]: each plane of the camera frame (as la_buffer_map()
 * gives them); dst: the XRGB8888 buffer. width x height pixels.
 */
void convert_frame(uint32_t src_format, const uint8_t *const src[LA_MAX_PLANES],
		   const uint64_t src_pitch[LA_MAX_PLANES], uint8_t *dst, uint64_t dst_pitch,
		   uint32_t width, uint32_t height);

#endif
