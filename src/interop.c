/* SPDX-License-Identifier: MIT */
/*
 * Fill-ins for consumer APIs (include/liballoc/interop.h). Each one is a
 * pure transcription of a descriptor: no system call, no allocation. The
 * upstream values they use are defined in the public header so that
 * callers and tests can compare them with the real headers.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <liballoc/interop.h>

#include "format.h"
#include "private.h"

static bool modifier_is_implicit(uint64_t modifier)
{
	return modifier == LA_MODIFIER_IMPLICIT;
}

/* The checks every fill-in shares; need_fds for those that pass fds on. */
static int check_desc(const struct la_descriptor *d, bool need_fds, const char *who)
{
	if (d->plane_count == 0 || d->plane_count > LA_MAX_PLANES) {
		la_diag("%s: plane_count %u not in 1..%d", who, d->plane_count, LA_MAX_PLANES);
		return -EINVAL;
	}
	if (d->width == 0 || d->height == 0) {
		la_diag("%s: size %ux%u is empty", who, d->width, d->height);
		return -EINVAL;
	}
	for (uint32_t p = 0; need_fds && p < d->plane_count; p++) {
		if (d->planes[p].fd < 0) {
			la_diag("%s: plane %u has no fd", who, p);
			return -EINVAL;
		}
	}
	return 0;
}

/* Pitches and offsets of every used plane fit below max. */
static int check_plane_limits(const struct la_descriptor *d, uint64_t max, const char *who)
{
	for (uint32_t p = 0; p < d->plane_count; p++) {
		const struct la_plane *pl = &d->planes[p];
		if (pl->offset > max || pl->pitch > max) {
			la_diag("%s: plane %u offset %llu or pitch %llu above %llu", who, p,
				(unsigned long long)pl->offset, (unsigned long long)pl->pitch,
				(unsigned long long)max);
			return -EOVERFLOW;
		}
	}
	return 0;
}

/* Every plane on the same fd number: one memory for the consumer. */
static bool single_fd(const struct la_descriptor *d)
{
	for (uint32_t p = 1; p < d->plane_count; p++)
		if (d->planes[p].fd != d->planes[0].fd)
			return false;
	return true;
}

LA_EXPORT void la_modifier_split(uint64_t modifier, uint32_t *hi, uint32_t *lo)
{
	if (hi)
		*hi = (uint32_t)(modifier >> 32);
	if (lo)
		*lo = (uint32_t)(modifier & UINT32_C(0xffffffff));
}

LA_EXPORT uint64_t la_modifier_join(uint32_t hi, uint32_t lo)
{
	return (uint64_t)hi << 32 | lo;
}

/* ---- EGL ---- */

static const int32_t egl_plane_attr[LA_MAX_PLANES][5] = {
	{ LA_EGL_DMA_BUF_PLANE0_FD_EXT, LA_EGL_DMA_BUF_PLANE0_OFFSET_EXT,
	  LA_EGL_DMA_BUF_PLANE0_PITCH_EXT, LA_EGL_DMA_BUF_PLANE0_MODIFIER_LO_EXT,
	  LA_EGL_DMA_BUF_PLANE0_MODIFIER_HI_EXT },
	{ LA_EGL_DMA_BUF_PLANE1_FD_EXT, LA_EGL_DMA_BUF_PLANE1_OFFSET_EXT,
	  LA_EGL_DMA_BUF_PLANE1_PITCH_EXT, LA_EGL_DMA_BUF_PLANE1_MODIFIER_LO_EXT,
	  LA_EGL_DMA_BUF_PLANE1_MODIFIER_HI_EXT },
	{ LA_EGL_DMA_BUF_PLANE2_FD_EXT, LA_EGL_DMA_BUF_PLANE2_OFFSET_EXT,
	  LA_EGL_DMA_BUF_PLANE2_PITCH_EXT, LA_EGL_DMA_BUF_PLANE2_MODIFIER_LO_EXT,
	  LA_EGL_DMA_BUF_PLANE2_MODIFIER_HI_EXT },
	{ LA_EGL_DMA_BUF_PLANE3_FD_EXT, LA_EGL_DMA_BUF_PLANE3_OFFSET_EXT,
	  LA_EGL_DMA_BUF_PLANE3_PITCH_EXT, LA_EGL_DMA_BUF_PLANE3_MODIFIER_LO_EXT,
	  LA_EGL_DMA_BUF_PLANE3_MODIFIER_HI_EXT },
};

/* EGLint carries the 32-bit halves as bit patterns (two's complement). */
static int32_t egl_bits(uint32_t v)
{
	int32_t r;
	memcpy(&r, &v, sizeof(r));
	return r;
}

LA_EXPORT int la_egl_dmabuf_attribs(const struct la_descriptor *desc, int32_t *attribs,
				    size_t len, size_t *n_attribs)
{
	int ret;

	if (!desc || !attribs)
		return -EINVAL;
	if ((ret = check_desc(desc, true, "EGL import")) < 0 ||
	    (ret = check_plane_limits(desc, INT32_MAX, "EGL import")) < 0)
		return ret;
	if (desc->width > INT32_MAX || desc->height > INT32_MAX) {
		la_diag("EGL import: size %ux%u does not fit EGLint", desc->width, desc->height);
		return -EOVERFLOW;
	}

	bool explicit_mod = !modifier_is_implicit(desc->modifier);
	bool protected_content = desc->flags & LA_BUFFER_PROTECTED;
	size_t need = 6 + desc->plane_count * (explicit_mod ? 10 : 6) +
		      (protected_content ? 2 : 0) + 1;
	if (n_attribs)
		*n_attribs = need;
	if (len < need) {
		la_diag("EGL import: the attribute list needs %zu entries, the array has %zu",
			need, len);
		return -ENOSPC;
	}

	uint32_t hi, lo;
	size_t n = 0;
	la_modifier_split(desc->modifier, &hi, &lo);
	attribs[n++] = LA_EGL_WIDTH;
	attribs[n++] = (int32_t)desc->width;
	attribs[n++] = LA_EGL_HEIGHT;
	attribs[n++] = (int32_t)desc->height;
	attribs[n++] = LA_EGL_LINUX_DRM_FOURCC_EXT;
	attribs[n++] = egl_bits(desc->format);
	for (uint32_t p = 0; p < desc->plane_count; p++) {
		attribs[n++] = egl_plane_attr[p][0];
		attribs[n++] = desc->planes[p].fd;
		attribs[n++] = egl_plane_attr[p][1];
		attribs[n++] = (int32_t)desc->planes[p].offset;
		attribs[n++] = egl_plane_attr[p][2];
		attribs[n++] = (int32_t)desc->planes[p].pitch;
		if (explicit_mod) {
			attribs[n++] = egl_plane_attr[p][3];
			attribs[n++] = egl_bits(lo);
			attribs[n++] = egl_plane_attr[p][4];
			attribs[n++] = egl_bits(hi);
		}
	}
	if (protected_content) {
		attribs[n++] = LA_EGL_PROTECTED_CONTENT_EXT;
		attribs[n++] = LA_EGL_TRUE;
	}
	attribs[n++] = LA_EGL_NONE;
	return 0;
}

/* ---- Vulkan ---- */

LA_EXPORT int la_vk_dmabuf_info(const struct la_descriptor *desc, struct la_vk_dmabuf *out)
{
	int ret;

	if (!desc || !out)
		return -EINVAL;
	if ((ret = check_desc(desc, true, "Vulkan import")) < 0)
		return ret;
	if (modifier_is_implicit(desc->modifier)) {
		la_diag("Vulkan import: the modifier is implicit (DRM_FORMAT_MOD_INVALID); "
			"VkImageDrmFormatModifierExplicitCreateInfoEXT needs the real one "
			"(allocate with an explicit modifier, or import through a path that "
			"knows the driver's implicit layout)");
		return -ENOTSUP;
	}
	if (!single_fd(desc)) {
		la_diag("Vulkan import: planes on more than one fd need a disjoint image "
			"(VK_IMAGE_CREATE_DISJOINT_BIT, one memory per plane), not handled here");
		return -ENOTSUP;
	}

	struct la_vk_dmabuf v;
	memset(&v, 0, sizeof(v));
	v.drm_format_modifier = desc->modifier;
	v.plane_count = desc->plane_count;
	for (uint32_t p = 0; p < desc->plane_count; p++) {
		v.plane_layouts[p].offset = desc->planes[p].offset;
		v.plane_layouts[p].row_pitch = desc->planes[p].pitch;
	}
	v.handle_type = LA_VK_EXTERNAL_MEMORY_HANDLE_TYPE_DMA_BUF_BIT_EXT;
	v.fd = desc->planes[0].fd;
	*out = v;
	return 0;
}

/* ---- KMS ---- */

LA_EXPORT int la_kms_fb2_args(const struct la_descriptor *desc, const uint32_t *handles,
			      size_t n_handles, struct la_kms_fb2 *out)
{
	int ret;

	if (!desc || !handles || !out)
		return -EINVAL;
	if ((ret = check_desc(desc, false, "KMS framebuffer")) < 0)
		return ret;
	if (n_handles != desc->plane_count) {
		la_diag("KMS framebuffer: %zu handles for %u planes", n_handles,
			desc->plane_count);
		return -EINVAL;
	}
	for (uint32_t p = 0; p < desc->plane_count; p++) {
		if (handles[p] == 0) {
			la_diag("KMS framebuffer: plane %u has handle 0", p);
			return -EINVAL;
		}
		/* One dma-buf imports as one GEM handle: a mismatch is a mix-up. */
		for (uint32_t q = 0; q < p; q++) {
			if (desc->planes[q].fd >= 0 && desc->planes[q].fd == desc->planes[p].fd &&
			    handles[q] != handles[p]) {
				la_diag("KMS framebuffer: planes %u and %u share fd %d but have "
					"handles %u and %u", q, p, desc->planes[p].fd, handles[q],
					handles[p]);
				return -EINVAL;
			}
		}
	}
	if ((ret = check_plane_limits(desc, UINT32_MAX, "KMS framebuffer")) < 0)
		return ret;

	bool explicit_mod = !modifier_is_implicit(desc->modifier);
	struct la_kms_fb2 f;
	memset(&f, 0, sizeof(f));
	f.width = desc->width;
	f.height = desc->height;
	f.pixel_format = desc->format;
	f.flags = explicit_mod ? LA_DRM_MODE_FB_MODIFIERS : 0;
	for (uint32_t p = 0; p < desc->plane_count; p++) {
		f.handles[p] = handles[p];
		f.pitches[p] = (uint32_t)desc->planes[p].pitch;
		f.offsets[p] = (uint32_t)desc->planes[p].offset;
		f.modifier[p] = explicit_mod ? desc->modifier : 0;
	}
	*out = f;
	return 0;
}

/* ---- Wayland ---- */

LA_EXPORT int la_wl_dmabuf_planes(const struct la_descriptor *desc,
				  struct la_wl_dmabuf_plane *planes, size_t len,
				  size_t *n_planes)
{
	int ret;

	if (!desc || !planes)
		return -EINVAL;
	if ((ret = check_desc(desc, true, "linux-dmabuf")) < 0 ||
	    (ret = check_plane_limits(desc, UINT32_MAX, "linux-dmabuf")) < 0)
		return ret;
	if (len < desc->plane_count) {
		la_diag("linux-dmabuf: %u planes, the array has %zu", desc->plane_count, len);
		return -ENOSPC;
	}

	uint32_t hi, lo;
	/* INVALID is passed as is: linux-dmabuf v3+ reads it as "implicit". */
	la_modifier_split(desc->modifier, &hi, &lo);
	for (uint32_t p = 0; p < desc->plane_count; p++) {
		planes[p] = (struct la_wl_dmabuf_plane){
			.fd = desc->planes[p].fd,
			.plane_idx = p,
			.offset = (uint32_t)desc->planes[p].offset,
			.stride = (uint32_t)desc->planes[p].pitch,
			.modifier_hi = hi,
			.modifier_lo = lo,
		};
	}
	if (n_planes)
		*n_planes = desc->plane_count;
	return 0;
}

/* ---- the reverse ---- */

/* Bytes of plane p: pitch x rows when the format table knows the plane. */
static uint64_t plane_size(const struct la_format_info *fi, bool known, uint32_t p,
			   uint32_t height, uint32_t pitch)
{
	if (!known || p >= fi->plane_count)
		return 0;
	return la_format_plane_height(fi, p, height) * pitch;
}

static int check_plane_count(uint32_t format, uint64_t modifier, uint32_t n_planes,
			     const struct la_format_info *fi, bool known)
{
	char name[32];

	if (n_planes == 0 || n_planes > LA_MAX_PLANES) {
		la_diag("descriptor from planes: %u planes, not in 1..%d", n_planes,
			LA_MAX_PLANES);
		return -EINVAL;
	}
	if (!known)
		return 0;
	/* Modifiers may add planes (compression metadata), never drop one. */
	if (n_planes < fi->plane_count ||
	    (modifier == LA_MODIFIER_LINEAR && n_planes != fi->plane_count)) {
		la_diag("descriptor from planes: %s%s has %u planes, not %u",
			la_format_name(format, name, sizeof(name)),
			modifier == LA_MODIFIER_LINEAR ? " (linear)" : "", fi->plane_count,
			n_planes);
		return -EINVAL;
	}
	return 0;
}

LA_EXPORT int la_descriptor_from_planes(uint32_t format, uint64_t modifier, uint32_t width,
					uint32_t height, uint32_t n_planes, const int *fds,
					const uint32_t *offsets, const uint32_t *pitches,
					struct la_descriptor *out)
{
	struct la_format_info fi;
	int ret;

	if (!out || !fds || !offsets || !pitches) {
		la_diag("descriptor from planes: a NULL array or out");
		return -EINVAL;
	}
	if (format == 0 || width == 0 || height == 0) {
		la_diag("descriptor from planes: format 0x%08x at %ux%u", format, width, height);
		return -EINVAL;
	}
	bool known = la_format_get_info(format, &fi) == 0;
	if ((ret = check_plane_count(format, modifier, n_planes, &fi, known)) < 0)
		return ret;
	for (uint32_t p = 0; p < n_planes; p++) {
		if (fds[p] < 0 || pitches[p] == 0) {
			la_diag("descriptor from planes: plane %u has fd %d, pitch %u", p, fds[p],
				pitches[p]);
			return -EINVAL;
		}
	}

	struct la_descriptor d;
	memset(&d, 0, sizeof(d));
	d.format = format;
	d.modifier = modifier;
	d.width = width;
	d.height = height;
	d.plane_count = n_planes;
	for (uint32_t p = 0; p < LA_MAX_PLANES; p++)
		d.planes[p].fd = -1;
	for (uint32_t p = 0; p < n_planes; p++) {
		d.planes[p].fd = fds[p];
		d.planes[p].offset = offsets[p];
		d.planes[p].pitch = pitches[p];
		d.planes[p].size = plane_size(&fi, known, p, height, pitches[p]);
	}
	*out = d;
	return 0;
}
