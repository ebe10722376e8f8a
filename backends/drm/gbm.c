/* SPDX-License-Identifier: MIT */
/*
 * GBM on the device fd: what the driver's userspace (Mesa) can render to,
 * and buffer objects with the driver's own layouts. Created on first use,
 * because loading the driver's GBM backend (Mesa's megadriver and LLVM:
 * most of a first negotiation's time) costs time and memory a pure
 * scanout, CPU or import user never needs, and never for a kernel driver
 * Mesa has no DRI driver for (mesa.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <gbm.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <xf86drm.h>
#include <drm_fourcc.h>

#include "drm-backend.h"
#include "gbm-lib.h"

uint32_t drm_gbm_flags(uint64_t usage)
{
	uint32_t f = 0;

	if (usage & (LA_USAGE_SCANOUT | LA_USAGE_OVERLAY))
		f |= GBM_BO_USE_SCANOUT;
	if (usage & LA_USAGE_CURSOR)
		f |= GBM_BO_USE_CURSOR;
	if (usage & (LA_USAGE_RENDER | LA_USAGE_SAMPLE))
		f |= GBM_BO_USE_RENDERING;
	return f;
}

/* One allocation tells apart "GBM loads" from "GBM can allocate here":
 * on render nodes of KMS-only drivers Mesa falls back to dumb buffers,
 * which the kernel refuses there. */
static void gbm_probe(struct drm_dev *dev)
{
	uint64_t linear = DRM_FORMAT_MOD_LINEAR;
	struct gbm_bo *bo;
	const char *err;

	dev->gbm_state = DRM_NO;
	if (!drm_mesa_has_driver(dev->driver, dev->gbm_reason, sizeof(dev->gbm_reason)))
		return;
	if (!drm_gbm_lib_load(&err)) {
		snprintf(dev->gbm_reason, sizeof(dev->gbm_reason), "GBM not used: %s", err);
		return;
	}
	dev->gbm = drm_gbm_fn.create_device(dev->fd);
	if (!dev->gbm) {
		snprintf(dev->gbm_reason, sizeof(dev->gbm_reason),
			 "gbm_create_device failed: %s", strerror(errno));
		return;
	}
	bo = drm_gbm_fn.bo_create(dev->gbm, 64, 64, DRM_FORMAT_XRGB8888, GBM_BO_USE_RENDERING);
	if (!bo) {
		/* kept: its format answers still describe what the driver renders */
		snprintf(dev->gbm_reason, sizeof(dev->gbm_reason),
			 "GBM backend '%s' loads but gbm_bo_create 64x64 XRGB8888 failed: %s",
			 drm_gbm_fn.device_get_backend_name(dev->gbm), strerror(errno));
		return;
	}
	drm_gbm_fn.bo_destroy(bo);
	bo = drm_gbm_fn.bo_create_with_modifiers2
		     ? drm_gbm_fn.bo_create_with_modifiers2(dev->gbm, 64, 64, DRM_FORMAT_XRGB8888,
							     &linear, 1, GBM_BO_USE_RENDERING)
		     : NULL;
	dev->gbm_modifiers = bo != NULL;
	if (bo)
		drm_gbm_fn.bo_destroy(bo);
	dev->gbm_state = DRM_YES;
	snprintf(dev->gbm_reason, sizeof(dev->gbm_reason),
		 "GBM backend '%s' allocates, %s explicit modifiers",
		 drm_gbm_fn.device_get_backend_name(dev->gbm),
		 dev->gbm_modifiers ? "with" : "without (gbm_bo_create_with_modifiers2 failed)");
}

bool drm_gbm_probed(const struct drm_dev *dev)
{
	return dev->gbm_state != DRM_UNKNOWN;
}

bool drm_gbm_loaded(struct drm_dev *dev)
{
	drm_gbm_usable(dev);
	return dev->gbm != NULL;
}

bool drm_gbm_usable(struct drm_dev *dev)
{
	if (dev->gbm_state == DRM_UNKNOWN) {
		gbm_probe(dev);
		drm_dbg(dev, "%s", dev->gbm_reason);
	}
	return dev->gbm_state == DRM_YES;
}

bool drm_gbm_format_supported(struct drm_dev *dev, uint32_t format, uint32_t gbm_flags)
{
	drm_gbm_usable(dev);
	return dev->gbm && drm_gbm_fn.device_is_format_supported(dev->gbm, format, gbm_flags);
}

void drm_gbm_destroy(struct drm_dev *dev)
{
	if (dev->gbm)
		drm_gbm_fn.device_destroy(dev->gbm);
	dev->gbm = NULL;
}

static struct gbm_bo *create_bo(struct drm_dev *dev, const struct la_alloc_request *req,
				uint32_t flags, const char **how)
{
	if (req->modifier == DRM_FORMAT_MOD_INVALID) {
		*how = "gbm_bo_create";
		return drm_gbm_fn.bo_create(dev->gbm, req->width, req->height, req->format, flags);
	}
	if (dev->gbm_modifiers) {
		*how = "gbm_bo_create_with_modifiers2";
		return drm_gbm_fn.bo_create_with_modifiers2(dev->gbm, req->width, req->height,
							    req->format, &req->modifier, 1, flags);
	}
	/* LINEAR without modifier support: GBM_BO_USE_LINEAR promises it */
	*how = "gbm_bo_create(GBM_BO_USE_LINEAR)";
	return drm_gbm_fn.bo_create(dev->gbm, req->width, req->height, req->format,
				    flags | GBM_BO_USE_LINEAR);
}

/* Bytes of plane p: rows * pitch for linear layouts, else up to the next
 * plane or the end of the dma-buf. */
static uint64_t plane_size(const struct la_descriptor *d, uint32_t p, uint64_t fd_size)
{
	struct la_format_info fi;
	uint64_t end = fd_size;

	if (d->modifier == DRM_FORMAT_MOD_LINEAR && la_format_get_info(d->format, &fi) == 0) {
		uint32_t v = p && fi.vsub ? fi.vsub : 1;
		uint64_t rows = ((uint64_t)d->height + v - 1) / v;
		return rows * d->planes[p].pitch;
	}
	for (uint32_t q = 0; q < d->plane_count; q++)
		if (d->planes[q].fd == d->planes[p].fd && d->planes[q].offset > d->planes[p].offset &&
		    d->planes[q].offset < end)
			end = d->planes[q].offset;
	return end > d->planes[p].offset ? end - d->planes[p].offset : 0;
}

static int fill_descriptor(struct drm_dev *dev, struct gbm_bo *bo,
			   const struct la_alloc_request *req, struct la_descriptor *out,
			   struct la_why *why)
{
	int n = drm_gbm_fn.bo_get_plane_count(bo);

	if (n < 1 || n > LA_MAX_PLANES) {
		drm_diag(why, dev, "GBM returned a buffer with %d planes", n);
		return -EPROTO;
	}
	out->format = req->format;
	out->modifier = req->modifier == DRM_FORMAT_MOD_INVALID || !dev->gbm_modifiers
				? req->modifier
				: drm_gbm_fn.bo_get_modifier(bo);
	out->width = req->width;
	out->height = req->height;
	out->plane_count = (uint32_t)n;
	for (int p = 0; p < n; p++) {
		/* planes of one GEM object share one dma-buf fd */
		uint32_t h = drm_gbm_fn.bo_get_handle_for_plane(bo, p).u32;
		int same = -1;
		for (int q = 0; q < p && same < 0; q++)
			if (drm_gbm_fn.bo_get_handle_for_plane(bo, q).u32 == h)
				same = q;
		if (same >= 0) {
			out->planes[p].fd = out->planes[same].fd;
		} else if (drmPrimeHandleToFD(dev->fd, h, DRM_CLOEXEC | DRM_RDWR,
					      &out->planes[p].fd) != 0) {
			/* exported here, not with gbm_bo_get_fd_for_plane: Mesa
			 * exports read-only fds, and CPU users map for writing */
			int err = errno;
			out->planes[p].fd = -1;
			drm_diag(why, dev,
				 "PRIME export (DRM_IOCTL_PRIME_HANDLE_TO_FD) of GBM plane %d "
				 "failed: %s", p, strerror(err));
			return -err;
		}
		out->planes[p].offset = drm_gbm_fn.bo_get_offset(bo, p);
		out->planes[p].pitch = drm_gbm_fn.bo_get_stride_for_plane(bo, p);
	}
	for (int p = 0; p < n; p++) {
		off_t size = lseek(out->planes[p].fd, 0, SEEK_END);
		out->planes[p].size = plane_size(out, (uint32_t)p, size > 0 ? (uint64_t)size : 0);
	}
	return 0;
}

int drm_gbm_allocate(struct drm_dev *dev, const struct la_alloc_request *req,
		     struct la_descriptor *out, struct la_why *why)
{
	uint32_t flags = drm_gbm_flags(req->usage);
	const char *how;
	struct gbm_bo *bo;
	char name[32];
	int ret;

	if (!drm_gbm_usable(dev)) {
		drm_diag(why, dev, "%s", dev->gbm_reason);
		return -ENODEV;
	}
	bo = create_bo(dev, req, flags, &how);
	if (!bo) {
		ret = errno ? -errno : -EIO;
		drm_diag(why, dev,
			 "%s %ux%u %s modifier 0x%llx flags 0x%x failed: %s", how, req->width,
			 req->height, drm_fourcc_name(req->format, name, sizeof(name)),
			 (unsigned long long)req->modifier, flags, strerror(-ret));
		return ret;
	}
	ret = fill_descriptor(dev, bo, req, out, why);
	/* The dma-buf fds hold the memory; the bo and its handle can go. The
	 * caller (core) closes the fds of a failed allocation. */
	drm_gbm_fn.bo_destroy(bo);
	if (ret == 0)
		drm_dbg(dev, "%s %ux%u %s: pitch %llu", how, req->width, req->height,
			drm_fourcc_name(req->format, name, sizeof(name)),
			(unsigned long long)out->planes[0].pitch);
	return ret;
}
