/* SPDX-License-Identifier: MIT */
/*
 * Dumb buffers: the linear path every KMS driver has. The core computes the
 * linear layout every participant accepts (pitch rule learnt in device.c
 * included); the dumb buffer is created so that its own pitch is that
 * layout's plane-0 pitch and its size covers every plane, which also makes
 * multi-planar (YUV) formats possible through a 8/16/32 bpp dumb buffer
 * (users: "GBM is graphics-only").
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <xf86drm.h>
#include <xf86drmMode.h>
#include <drm_fourcc.h>

#include "../common/ioctl.h"
#include "drm-backend.h"

/* The dumb geometry whose pitch is `pitch` and whose size covers `size`. */
static int dumb_geometry(uint64_t pitch, uint64_t size, uint32_t *w, uint32_t *h, uint32_t *bpp)
{
	uint32_t cpp = pitch % 4 == 0 ? 4 : pitch % 2 == 0 ? 2 : 1;
	uint64_t rows = (size + pitch - 1) / pitch;

	if (pitch == 0 || pitch / cpp > UINT32_MAX || rows > UINT32_MAX)
		return -EOVERFLOW;
	*w = (uint32_t)(pitch / cpp);
	*h = (uint32_t)rows;
	*bpp = cpp * 8;
	return 0;
}

/*
 * The ioctls themselves (as be_ioctl_again: EINTR and EAGAIN retried, like
 * libdrm's drmIoctl) rather than libdrm's wrappers, which clear and copy
 * each argument again and add a call layer per ioctl: per buffer, that is
 * most of what this path costs beyond the raw ioctls.
 */
int drm_dumb_allocate(struct drm_dev *dev, const struct la_alloc_request *req,
		      struct la_descriptor *out, struct la_why *why)
{
	const struct la_layout *l = req->layout;
	struct drm_mode_create_dumb create = {0};
	struct drm_mode_destroy_dumb destroy = {0};
	struct drm_prime_handle prime = {0};
	uint32_t w, h, bpp;
	int ret;

	if (!l || req->modifier != DRM_FORMAT_MOD_LINEAR) {
		drm_diag(why, dev,
			 "dumb buffers are linear only and need the negotiated linear layout");
		return -EINVAL;
	}
	ret = dumb_geometry(l->pitch[0], l->size, &w, &h, &bpp);
	if (ret < 0) {
		drm_diag(why, dev, "layout pitch %llu size %llu does not fit a dumb buffer",
			 (unsigned long long)l->pitch[0], (unsigned long long)l->size);
		return ret;
	}
	create.width = w;
	create.height = h;
	create.bpp = bpp;
	ret = be_ioctl_again(dev->fd, DRM_IOCTL_MODE_CREATE_DUMB, &create);
	if (ret < 0) {
		drm_diag(why, dev, "DRM_IOCTL_MODE_CREATE_DUMB %ux%u bpp %u failed: %s", w, h, bpp,
			 strerror(-ret));
		return ret;
	}
	destroy.handle = create.handle;
	if (create.pitch != l->pitch[0] || create.size < l->size) {
		drm_diag(why, dev,
			 "CREATE_DUMB %ux%u bpp %u chose pitch %u size %llu, the negotiated "
			 "layout needs pitch %llu size %llu", w, h, bpp, create.pitch,
			 (unsigned long long)create.size, (unsigned long long)l->pitch[0],
			 (unsigned long long)l->size);
		be_ioctl_again(dev->fd, DRM_IOCTL_MODE_DESTROY_DUMB, &destroy);
		return -EINVAL;
	}
	/* DRM_RDWR: CPU maps of the dma-buf are written, not only read */
	prime.handle = create.handle;
	prime.flags = DRM_CLOEXEC | DRM_RDWR;
	ret = be_ioctl_again(dev->fd, DRM_IOCTL_PRIME_HANDLE_TO_FD, &prime);
	if (ret < 0) {
		drm_diag(why, dev, "PRIME export (DRM_IOCTL_PRIME_HANDLE_TO_FD) of a dumb buffer "
			 "failed: %s", strerror(-ret));
		be_ioctl_again(dev->fd, DRM_IOCTL_MODE_DESTROY_DUMB, &destroy);
		return ret;
	}
	/* The dma-buf holds a reference to the object: the handle can go. */
	be_ioctl_again(dev->fd, DRM_IOCTL_MODE_DESTROY_DUMB, &destroy);

	out->format = req->format;
	out->modifier = DRM_FORMAT_MOD_LINEAR;
	out->width = req->width;
	out->height = req->height;
	out->plane_count = l->plane_count;
	out->flags = 0; /* dumb maps are write-combined on most drivers */
	for (uint32_t p = 0; p < l->plane_count; p++) {
		out->planes[p].fd = prime.fd;
		out->planes[p].offset = l->offset[p];
		out->planes[p].pitch = l->pitch[p];
		out->planes[p].size = l->plane_size[p];
	}
	drm_dbg(dev, "dumb buffer %ux%u bpp %u for %ux%u: pitch %u, %llu bytes", w, h, bpp,
		req->width, req->height, create.pitch, (unsigned long long)create.size);
	return 0;
}
