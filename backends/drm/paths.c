/* SPDX-License-Identifier: MIT */
/*
 * Allocation paths of the participating DRM devices: "drm-dumb:<driver>"
 * (linear, the negotiated layout) and "drm-gbm:<driver>" (GBM bo, implicit
 * or explicit modifiers). Both are device memory: owned by the device, so
 * a display that imports nothing (virtio_gpu) still gets buffers.
 *
 * Ranks (device memory sits around 300, neutral heaps around 500, so a
 * heap wins whenever every participant can import it):
 *   LINEAR: dumb 310, gbm 300. The dumb buffer has exactly the negotiated
 *     layout (the core's pitch, every participant's rule); GBM picks its
 *     own pitch (Mesa's kms_swrast aligns rows to 64 pixels).
 *   implicit or explicit modifiers: gbm only (dumb is LINEAR_ONLY), 320 when
 *     a GPU renders or samples, where the driver's own layout pays off.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <drm_fourcc.h>

#include "drm-backend.h"

#define RANK_BASE 300
#define GPU_USAGES (LA_USAGE_RENDER | LA_USAGE_SAMPLE)

enum path_kind { PATH_DUMB, PATH_GBM };

struct drm_path {
	struct drm_dev *dev;
	enum path_kind kind;
};

static bool driver_twice(void *const *data, size_t n, const struct drm_dev *dev)
{
	for (size_t i = 0; i < n; i++) {
		const struct drm_dev *o = data[i];
		if (o && o != dev && strcmp(o->driver, dev->driver) == 0)
			return true;
	}
	return false;
}

static int report(struct drm_dev *dev, struct la_device *owner, enum path_kind kind,
		  bool qualify, la_path_sink_fn sink, void *sink_data)
{
	struct drm_path *p = calloc(1, sizeof(*p));
	char name[128];
	struct la_path_desc desc = {
		.name = name,
		.rank = RANK_BASE,
		/* dumb: three ioctls on the device's fd, no state of the backend's
		 * (GBM is not thread-safe: its path keeps the lock) */
		.flags = kind == PATH_DUMB ? LA_PATH_LINEAR_ONLY | LA_PATH_CONCURRENT : 0,
		.caching = dev->caching, /* memory.c's table */
		/* the DMA API allocates within the device's mask */
		.dma_addr_bits = dev->dma_bits,
		.owner = owner,
	};

	if (!p)
		return -ENOMEM;
	/* A device that imports only contiguous memory scans out of nothing
	 * else, so what it allocates for itself is contiguous. */
	if (drm_dev_import_rule(dev, NULL) == LA_IMPORT_CONTIGUOUS)
		desc.flags |= LA_PATH_CONTIGUOUS;
	p->dev = dev;
	p->kind = kind;
	snprintf(name, sizeof(name), "drm-%s:%s%s%s", kind == PATH_DUMB ? "dumb" : "gbm",
		 dev->driver, qualify ? ":" : "", qualify ? dev->node : "");
	return sink(sink_data, &desc, p); /* owns p from here, even on failure */
}

int drm_list_paths(struct drm_backend *be, struct la_device *const *devices,
		   void *const *device_data, size_t n, la_path_sink_fn sink, void *sink_data,
		   struct la_why *why)
{
	(void)be;
	for (size_t i = 0; i < n; i++) {
		struct drm_dev *dev = device_data[i];
		bool seen = false, qualify;
		int ret;

		if (!dev)
			continue;
		for (size_t j = 0; j < i; j++)
			seen |= device_data[j] == dev; /* one device, several usages */
		if (seen)
			continue;
		qualify = driver_twice(device_data, n, dev);
		ret = report(dev, devices[i], PATH_DUMB, qualify, sink, sink_data);
		if (ret == 0)
			ret = report(dev, devices[i], PATH_GBM, qualify, sink, sink_data);
		if (ret == -ENOMEM)
			return ret;
	}
	return 0;
}

static int match_dumb(struct drm_dev *dev, const struct la_alloc_request *req, int *rank,
		      struct la_why *why)
{
	if (!drm_dev_can_dumb(dev)) {
		drm_diag(why, dev, "%s", dev->dumb_reason);
		return -ENOTSUP;
	}
	if (!req->layout) {
		drm_diag(why, dev, "dumb buffers need a linear layout liballoc can compute");
		return -EINVAL;
	}
	*rank += 10;
	return 0;
}

static int match_gbm(struct drm_dev *dev, const struct la_alloc_request *req, int *rank,
		     struct la_why *why)
{
	uint32_t flags = drm_gbm_flags(req->usage);
	char name[32];

	/* Linear buffers: the dumb path, ranked above, serves them, so Mesa is
	 * not loaded just to rank this one below it; it is at this path's
	 * first allocation, which fails with GBM's reason if it cannot. */
	if (!drm_gbm_probed(dev) && req->modifier == DRM_FORMAT_MOD_LINEAR &&
	    drm_dev_can_dumb(dev)) {
		la_why_set(why, 0, "GBM not loaded yet: tried at this path's first allocation");
		return 0;
	}
	if (!drm_gbm_usable(dev)) {
		drm_diag(why, dev, "%s", dev->gbm_reason);
		return -ENOTSUP;
	}
	if (!drm_gbm_format_supported(dev, req->format, flags)) {
		drm_diag(why, dev, "GBM does not support %s with use flags 0x%x "
			 "(gbm_device_is_format_supported)",
			 drm_fourcc_name(req->format, name, sizeof(name)), flags);
		return -ENOTSUP;
	}
	if (req->modifier != DRM_FORMAT_MOD_INVALID && req->modifier != DRM_FORMAT_MOD_LINEAR &&
	    !dev->gbm_modifiers) {
		drm_diag(why, dev, "modifier 0x%llx needs explicit modifiers, %s",
			 (unsigned long long)req->modifier, dev->gbm_reason);
		return -ENOTSUP;
	}
	if (req->modifier != DRM_FORMAT_MOD_LINEAR && (req->usage & GPU_USAGES))
		*rank += 20;
	return 0;
}

int drm_path_match(void *path, const struct la_alloc_request *req, int *rank, struct la_why *why)
{
	struct drm_path *p = path;
	return p->kind == PATH_DUMB ? match_dumb(p->dev, req, rank, why) : match_gbm(p->dev, req, rank,
										     why);
}

int drm_path_allocate(void *path, const struct la_alloc_request *req, struct la_descriptor *out,
		      struct la_why *why)
{
	struct drm_path *p = path;
	return p->kind == PATH_DUMB ? drm_dumb_allocate(p->dev, req, out, why)
				    : drm_gbm_allocate(p->dev, req, out, why);
}

void drm_path_release(void *path)
{
	free(path);
}
