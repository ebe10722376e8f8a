/* SPDX-License-Identifier: MIT */
/*
 * GStreamer fill-ins (include/liballoc/interop.h): caps strings and the
 * arrays of a GstVideoMeta, without GStreamer.
 *
 * GStreamer names packed RGB formats by byte order in memory, DRM by the
 * bit order of a little-endian word: DRM XRGB8888 ([31:0] x:R:G:B) is the
 * bytes B, G, R, x, hence "BGRx". The table follows the mapping GStreamer
 * itself uses between DRM fourccs and its video formats (video-info-dma.c,
 * 1.24), for linear buffers.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <liballoc/interop.h>

#include "private.h"

#define FOURCC(a, b, c, d) \
	((uint32_t)(a) | ((uint32_t)(b) << 8) | ((uint32_t)(c) << 16) | ((uint32_t)(d) << 24))

static const struct {
	uint32_t drm;
	const char *gst;
} gst_formats[] = {
	{ FOURCC('Y', 'U', 'Y', 'V'), "YUY2" },
	{ FOURCC('Y', 'V', 'Y', 'U'), "YVYU" },
	{ FOURCC('U', 'Y', 'V', 'Y'), "UYVY" },
	{ FOURCC('V', 'Y', 'U', 'Y'), "VYUY" },
	{ FOURCC('N', 'V', '1', '2'), "NV12" },
	{ FOURCC('N', 'V', '2', '1'), "NV21" },
	{ FOURCC('N', 'V', '1', '6'), "NV16" },
	{ FOURCC('N', 'V', '6', '1'), "NV61" },
	{ FOURCC('N', 'V', '2', '4'), "NV24" },
	{ FOURCC('Y', 'U', 'V', '9'), "YUV9" },  /* YUV410 */
	{ FOURCC('Y', 'V', 'U', '9'), "YVU9" },  /* YVU410 */
	{ FOURCC('Y', 'U', '1', '1'), "Y41B" },  /* YUV411 */
	{ FOURCC('Y', 'U', '1', '2'), "I420" },  /* YUV420 */
	{ FOURCC('Y', 'V', '1', '2'), "YV12" },  /* YVU420 */
	{ FOURCC('Y', 'U', '1', '6'), "Y42B" },  /* YUV422 */
	{ FOURCC('Y', 'U', '2', '4'), "Y444" },  /* YUV444 */
	{ FOURCC('P', '0', '1', '0'), "P010_10LE" },
	{ FOURCC('R', 'G', '1', '6'), "RGB16" }, /* RGB565 */
	{ FOURCC('B', 'G', '1', '6'), "BGR16" }, /* BGR565 */
	{ FOURCC('B', 'G', '2', '4'), "RGB" },   /* BGR888: bytes R, G, B */
	{ FOURCC('R', 'G', '2', '4'), "BGR" },   /* RGB888 */
	{ FOURCC('A', 'B', '2', '4'), "RGBA" },  /* ABGR8888 */
	{ FOURCC('X', 'B', '2', '4'), "RGBx" },  /* XBGR8888 */
	{ FOURCC('A', 'R', '2', '4'), "BGRA" },  /* ARGB8888 */
	{ FOURCC('X', 'R', '2', '4'), "BGRx" },  /* XRGB8888 */
	{ FOURCC('B', 'A', '2', '4'), "ARGB" },  /* BGRA8888 */
	{ FOURCC('B', 'X', '2', '4'), "xRGB" },  /* BGRX8888 */
	{ FOURCC('R', 'A', '2', '4'), "ABGR" },  /* RGBA8888 */
	{ FOURCC('R', 'X', '2', '4'), "xBGR" },  /* RGBX8888 */
	{ FOURCC('A', 'R', '3', '0'), "BGR10A2_LE" }, /* ARGB2101010 */
};

LA_EXPORT const char *la_gst_format_name(uint32_t format)
{
	for (size_t i = 0; i < LA_ARRAY_SIZE(gst_formats); i++)
		if (gst_formats[i].drm == format)
			return gst_formats[i].gst;
	return NULL;
}

static bool fourcc_letters(uint32_t format, char out[5])
{
	for (int i = 0; i < 4; i++) {
		unsigned char c = (unsigned char)(format >> (8 * i));
		if (c < 0x20 || c > 0x7e || c == ',' || c == ':' || c == '"' || c == '\\')
			return false;
		out[i] = (char)c;
	}
	out[4] = '\0';
	return true;
}

/* The format field of the caps for style, or a diagnosed -ENOTSUP. */
static int caps_format_field(const struct la_descriptor *d, enum la_gst_caps_style style,
			     char *field, size_t len)
{
	char letters[5], name[32];

	la_format_name(d->format, name, sizeof(name));
	if (style == LA_GST_CAPS_DMA_DRM) {
		if (d->modifier == LA_MODIFIER_IMPLICIT) {
			la_diag("GStreamer caps: DMA_DRM caps cannot carry the implicit modifier "
				"(DRM_FORMAT_MOD_INVALID) of this %s buffer; use the 1.22 "
				"format= caps or allocate with an explicit modifier", name);
			return -ENOTSUP;
		}
		if (!fourcc_letters(d->format, letters)) {
			la_diag("GStreamer caps: fourcc 0x%08x is not 4 printable letters",
				d->format);
			return -ENOTSUP;
		}
		if (d->modifier == LA_MODIFIER_LINEAR)
			snprintf(field, len, "DMA_DRM, drm-format=(string)%s", letters);
		else
			snprintf(field, len, "DMA_DRM, drm-format=(string)%s:0x%016llx", letters,
				 (unsigned long long)d->modifier);
		return 0;
	}
	const char *gst = la_gst_format_name(d->format);
	if (!gst) {
		la_diag("GStreamer caps: %s has no GStreamer format name here", name);
		return -ENOTSUP;
	}
	if (d->modifier != LA_MODIFIER_IMPLICIT && d->modifier != LA_MODIFIER_LINEAR) {
		la_diag("GStreamer caps: format= caps carry no modifier; %s with modifier "
			"0x%016llx needs DMA_DRM caps (GStreamer 1.24)", name,
			(unsigned long long)d->modifier);
		return -ENOTSUP;
	}
	snprintf(field, len, "%s", gst);
	return 0;
}

LA_EXPORT int la_gst_caps_string(const struct la_descriptor *desc, enum la_gst_caps_style style,
				 char *buf, size_t len)
{
	char field[96];
	int ret, n;

	if (!buf)
		return -EINVAL;
	if (len > 0)
		buf[0] = '\0';
	if (!desc || (style != LA_GST_CAPS_DMA_DRM && style != LA_GST_CAPS_FORMAT))
		return -EINVAL;
	if (desc->width == 0 || desc->height == 0) {
		la_diag("GStreamer caps: size %ux%u is empty", desc->width, desc->height);
		return -EINVAL;
	}
	if (desc->width > INT32_MAX || desc->height > INT32_MAX) {
		la_diag("GStreamer caps: size %ux%u does not fit gint", desc->width, desc->height);
		return -EOVERFLOW;
	}
	if ((ret = caps_format_field(desc, style, field, sizeof(field))) < 0)
		return ret;
	char tmp[LA_GST_CAPS_MAX];
	n = snprintf(tmp, sizeof(tmp),
		     "video/x-raw(memory:DMABuf), format=(string)%s, width=(int)%u, height=(int)%u",
		     field, desc->width, desc->height);
	if (n < 0 || (size_t)n >= len) {
		la_diag("GStreamer caps: %d bytes needed, the buffer has %zu", n + 1, len);
		return -ENOSPC;
	}
	memcpy(buf, tmp, (size_t)n + 1);
	return 0;
}

LA_EXPORT int la_gst_video_meta(const struct la_descriptor *desc, struct la_gst_video_meta *out)
{
	if (!desc || !out)
		return -EINVAL;
	if (desc->plane_count == 0 || desc->plane_count > LA_MAX_PLANES) {
		la_diag("GStreamer video meta: plane_count %u not in 1..%d", desc->plane_count,
			LA_MAX_PLANES);
		return -EINVAL;
	}
	if (desc->width == 0 || desc->height == 0) {
		la_diag("GStreamer video meta: size %ux%u is empty", desc->width, desc->height);
		return -EINVAL;
	}
	for (uint32_t p = 0; p < desc->plane_count; p++) {
		if (desc->planes[p].fd < 0) {
			la_diag("GStreamer video meta: plane %u has no fd", p);
			return -EINVAL;
		}
		if (desc->planes[p].fd != desc->planes[0].fd) {
			la_diag("GStreamer video meta: planes on more than one fd; the meta's "
				"offsets count across the buffer's memories, whose sizes are "
				"the caller's choice");
			return -ENOTSUP;
		}
		if (desc->planes[p].pitch > INT32_MAX) {
			la_diag("GStreamer video meta: plane %u pitch %llu above INT32_MAX", p,
				(unsigned long long)desc->planes[p].pitch);
			return -EOVERFLOW;
		}
	}

	struct la_gst_video_meta m;
	memset(&m, 0, sizeof(m));
	m.n_planes = desc->plane_count;
	for (uint32_t p = 0; p < desc->plane_count; p++) {
		m.offset[p] = desc->planes[p].offset;
		m.stride[p] = (int32_t)desc->planes[p].pitch;
	}
	*out = m;
	return 0;
}
