/* SPDX-License-Identifier: MIT */
/*
 * The one V4L2 <-> DRM pixel format table.
 *
 * V4L2 and DRM name the same memory layout differently: V4L2 RGB names
 * list components in memory byte order for the older codes and use DRM's
 * 4CCs for the ones added since 2019, DRM names list them from the most
 * significant bit of a little-endian word. Each entry was checked against
 *   [rgb]  Documentation/userspace-api/media/v4l/pixfmt-rgb.rst
 *          (docs.kernel.org/userspace-api/media/v4l/pixfmt-rgb.html,
 *          "Byte 0 in memory" columns)
 *   [new]  commit e25ec9141114 "media: v4l: Add definitions for missing
 *          32-bit RGB formats": "Add them, using the same 4CCs as DRM"
 *   [pyuv] .../media/v4l/pixfmt-packed-yuv.rst (YUYV family, byte order)
 *   [yuvp] .../media/v4l/pixfmt-yuv-planar.rst (NV12..NV42, YUV420..,
 *          the *M variants "with planes non contiguous in memory",
 *          pixfmt-nv12m.rst / pixfmt-nv16m.rst / pixfmt-yuv420m.rst)
 *   [luma] .../media/v4l/pixfmt-yuv-luma.rst (GREY, Y16 little-endian)
 *   [drm]  include/uapi/drm/drm_fourcc.h ("[31:0] A:R:G:B 8:8:8:8 little
 *          endian" style comments give the byte order on the DRM side)
 * A DRM code is spelled with its 4CC letters so that the backend needs no
 * libdrm; backends/v4l2/tests/test-fourcc.c compares them with libdrm's
 * header when it is installed.
 */
#include <stddef.h>

#include "fourcc.h"

#define FOURCC(a, b, c, d) \
	((uint32_t)(a) | ((uint32_t)(b) << 8) | ((uint32_t)(c) << 16) | ((uint32_t)(d) << 24))

/* v4l2 code, drm 4cc letters, memory planes, alias */
#define E(v, a, b, c, d, mp) { (v), FOURCC(a, b, c, d), (mp), false }
#define ALIAS(v, a, b, c, d) { (v), FOURCC(a, b, c, d), 1, true }

static const struct la_v4l2_fourcc table[] = {
	/* [rgb] RGB332 'RGB1': r2..r0 g2..g0 b1 b0 in one byte = DRM RGB332 [7:0] R:G:B 3:3:2 */
	E(V4L2_PIX_FMT_RGB332, 'R', 'G', 'B', '8', 1),
	/* [rgb] 'RGBP' byte0 g2..g0 b4..b0, byte1 r4..r0 g5..g3: LE word R:G:B 5:6:5 = DRM RGB565 */
	E(V4L2_PIX_FMT_RGB565, 'R', 'G', '1', '6', 1),
	/* [rgb][new] 16-bit ARGB/XRGB/ABGR/XBGR 4444 and 1555 use DRM's 4CCs; LE words as DRM */
	E(V4L2_PIX_FMT_XRGB444, 'X', 'R', '1', '2', 1),
	E(V4L2_PIX_FMT_ARGB444, 'A', 'R', '1', '2', 1),
	E(V4L2_PIX_FMT_XBGR444, 'X', 'B', '1', '2', 1),
	E(V4L2_PIX_FMT_ABGR444, 'A', 'B', '1', '2', 1),
	E(V4L2_PIX_FMT_XRGB555, 'X', 'R', '1', '5', 1),
	E(V4L2_PIX_FMT_ARGB555, 'A', 'R', '1', '5', 1),
	E(V4L2_PIX_FMT_XBGR555, 'X', 'B', '1', '5', 1),
	E(V4L2_PIX_FMT_ABGR555, 'A', 'B', '1', '5', 1),
	/* [rgb] RGB555 'RGBO' is the deprecated name of XRGB555 (alpha bit undefined) */
	ALIAS(V4L2_PIX_FMT_RGB555, 'X', 'R', '1', '5'),
	/* [rgb] RGB24 'RGB3' bytes R,G,B = DRM BGR888 ([23:0] B:G:R little endian) */
	E(V4L2_PIX_FMT_RGB24, 'B', 'G', '2', '4', 1),
	/* [rgb] BGR24 'BGR3' bytes B,G,R = DRM RGB888 */
	E(V4L2_PIX_FMT_BGR24, 'R', 'G', '2', '4', 1),
	/* [rgb][new] XBGR32 'XR24' bytes B,G,R,X = DRM XRGB8888 ([31:0] x:R:G:B LE) */
	E(V4L2_PIX_FMT_XBGR32, 'X', 'R', '2', '4', 1),
	E(V4L2_PIX_FMT_ABGR32, 'A', 'R', '2', '4', 1),
	/* [rgb] XRGB32 'BX24' bytes X,R,G,B = DRM BGRX8888 ([31:0] B:G:R:x LE) */
	E(V4L2_PIX_FMT_XRGB32, 'B', 'X', '2', '4', 1),
	E(V4L2_PIX_FMT_ARGB32, 'B', 'A', '2', '4', 1),
	/* [new] RGBX32 'XB24' bytes R,G,B,X = DRM XBGR8888 ([31:0] x:B:G:R LE) */
	E(V4L2_PIX_FMT_RGBX32, 'X', 'B', '2', '4', 1),
	E(V4L2_PIX_FMT_RGBA32, 'A', 'B', '2', '4', 1),
	/* [new] BGRX32 'RX24' bytes X,B,G,R = DRM RGBX8888 ([31:0] R:G:B:x LE) */
	E(V4L2_PIX_FMT_BGRX32, 'R', 'X', '2', '4', 1),
	E(V4L2_PIX_FMT_BGRA32, 'R', 'A', '2', '4', 1),
	/* [rgb] BGR32 'BGR4' / RGB32 'RGB4' are deprecated (alpha byte ambiguous) */
	ALIAS(V4L2_PIX_FMT_BGR32, 'X', 'R', '2', '4'),
	ALIAS(V4L2_PIX_FMT_RGB32, 'B', 'X', '2', '4'),
	/* [luma] GREY: one byte per pixel = DRM R8; Y16: 16-bit little endian = DRM R16 */
	E(V4L2_PIX_FMT_GREY, 'R', '8', ' ', ' ', 1),
	E(V4L2_PIX_FMT_Y16, 'R', '1', '6', ' ', 1),
	/* [pyuv] packed 4:2:2, bytes Y0 Cb Y1 Cr etc.: same codes and order in DRM */
	E(V4L2_PIX_FMT_YUYV, 'Y', 'U', 'Y', 'V', 1),
	E(V4L2_PIX_FMT_YVYU, 'Y', 'V', 'Y', 'U', 1),
	E(V4L2_PIX_FMT_UYVY, 'U', 'Y', 'V', 'Y', 1),
	E(V4L2_PIX_FMT_VYUY, 'V', 'Y', 'U', 'Y', 1),
	/* [yuvp] semi-planar, planes in one buffer, chroma right after luma */
	E(V4L2_PIX_FMT_NV12, 'N', 'V', '1', '2', 1),
	E(V4L2_PIX_FMT_NV21, 'N', 'V', '2', '1', 1),
	E(V4L2_PIX_FMT_NV16, 'N', 'V', '1', '6', 1),
	E(V4L2_PIX_FMT_NV61, 'N', 'V', '6', '1', 1),
	E(V4L2_PIX_FMT_NV24, 'N', 'V', '2', '4', 1),
	E(V4L2_PIX_FMT_NV42, 'N', 'V', '4', '2', 1),
	/* [yuvp] the same with each plane in its own memory plane (multi-planar API only) */
	E(V4L2_PIX_FMT_NV12M, 'N', 'V', '1', '2', 2),
	E(V4L2_PIX_FMT_NV21M, 'N', 'V', '2', '1', 2),
	E(V4L2_PIX_FMT_NV16M, 'N', 'V', '1', '6', 2),
	E(V4L2_PIX_FMT_NV61M, 'N', 'V', '6', '1', 2),
	/* [yuvp] planar: YUV420 'YU12' Y,Cb,Cr = DRM YUV420; YVU420 'YV12' Y,Cr,Cb = DRM YVU420 */
	E(V4L2_PIX_FMT_YUV420, 'Y', 'U', '1', '2', 1),
	E(V4L2_PIX_FMT_YVU420, 'Y', 'V', '1', '2', 1),
	/* [yuvp] YUV422P '422P': Y, Cb, Cr planes 4:2:2 in one buffer = DRM YUV422 */
	E(V4L2_PIX_FMT_YUV422P, 'Y', 'U', '1', '6', 1),
	E(V4L2_PIX_FMT_YUV420M, 'Y', 'U', '1', '2', 3),
	E(V4L2_PIX_FMT_YVU420M, 'Y', 'V', '1', '2', 3),
	E(V4L2_PIX_FMT_YUV422M, 'Y', 'U', '1', '6', 3),
	E(V4L2_PIX_FMT_YVU422M, 'Y', 'V', '1', '6', 3),
	E(V4L2_PIX_FMT_YUV444M, 'Y', 'U', '2', '4', 3),
	E(V4L2_PIX_FMT_YVU444M, 'Y', 'V', '2', '4', 3),
};

const struct la_v4l2_fourcc *la_v4l2_fourcc_table(size_t *count)
{
	*count = sizeof(table) / sizeof(table[0]);
	return table;
}

uint32_t la_v4l2_format_to_drm(uint32_t v4l2, uint32_t *mem_planes)
{
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		if (table[i].v4l2 == v4l2) {
			if (mem_planes)
				*mem_planes = table[i].mem_planes;
			return table[i].drm;
		}
	}
	return 0;
}

uint32_t la_v4l2_format_from_drm(uint32_t drm, uint32_t mem_planes)
{
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		if (table[i].drm == drm && !table[i].alias &&
		    (mem_planes == 0 || table[i].mem_planes == mem_planes))
			return table[i].v4l2;
	}
	return 0;
}
