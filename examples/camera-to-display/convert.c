/* SPDX-License-Identifier: MIT */
#include <string.h>
#include <drm_fourcc.h>

#include "convert.h"

bool convert_supported(uint32_t f)
{
	return f == DRM_FORMAT_XRGB8888 || f == DRM_FORMAT_ARGB8888 || f == DRM_FORMAT_YUYV ||
	       f == DRM_FORMAT_UYVY || f == DRM_FORMAT_NV12;
}

static inline uint8_t clamp8(int v)
{
	return v < 0 ? 0 : v > 255 ? 255 : (uint8_t)v;
}

/*
 * BT.601 limited range, the encoding V4L2 cameras default to for SDTV and
 * webcam sizes (V4L2_YCBCR_ENC_601, V4L2_QUANTIZATION_LIM_RANGE), in 8.8
 * fixed point.
 */
static inline uint32_t yuv_to_xrgb(int y, int u, int v)
{
	int c = 298 * (y - 16) + 128, d = u - 128, e = v - 128;

	return 0xff000000u | (uint32_t)clamp8((c + 409 * e) >> 8) << 16 |
	       (uint32_t)clamp8((c - 100 * d - 208 * e) >> 8) << 8 |
	       (uint32_t)clamp8((c + 516 * d) >> 8);
}

/* YUYV: Y0 U Y1 V; UYVY: U Y0 V Y1 (two pixels per 4 bytes). */
static void packed_row(const uint8_t *s, uint32_t *d, uint32_t width, bool uyvy)
{
	const int y0 = uyvy ? 1 : 0, u = uyvy ? 0 : 1, y1 = uyvy ? 3 : 2, v = uyvy ? 2 : 3;

	for (uint32_t x = 0; x + 1 < width; x += 2, s += 4) {
		d[x] = yuv_to_xrgb(s[y0], s[u], s[v]);
		d[x + 1] = yuv_to_xrgb(s[y1], s[u], s[v]);
	}
	if (width & 1)
		d[width - 1] = yuv_to_xrgb(s[y0], s[u], s[v]);
}

void convert_frame(uint32_t f, const uint8_t *const src[LA_MAX_PLANES],
		   const uint64_t pitch[LA_MAX_PLANES], uint8_t *dst, uint64_t dst_pitch,
		   uint32_t width, uint32_t height)
{
	for (uint32_t y = 0; y < height; y++) {
		const uint8_t *s = src[0] + y * pitch[0];
		uint32_t *d = (uint32_t *)(void *)(dst + y * dst_pitch);

		switch (f) {
		case DRM_FORMAT_XRGB8888:
		case DRM_FORMAT_ARGB8888:
			memcpy(d, s, (size_t)width * 4);
			break;
		case DRM_FORMAT_YUYV:
		case DRM_FORMAT_UYVY:
			packed_row(s, d, width, f == DRM_FORMAT_UYVY);
			break;
		case DRM_FORMAT_NV12: {
			const uint8_t *uv = src[1] + (y / 2) * pitch[1];
			for (uint32_t x = 0; x < width; x++)
				d[x] = yuv_to_xrgb(s[x], uv[x & ~1u], uv[x | 1u]);
			break;
		}
		default:
			return;
		}
	}
}
