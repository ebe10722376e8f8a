/* SPDX-License-Identifier: MIT */
/*
 * Whether a device imports dma-bufs it did not allocate, found by trying
 * once per device (users: "cross-device import fails late"). virtio_gpu
 * refuses foreign dma-bufs with ENODEV unless they are its own
 * (drivers/gpu/drm/virtio/virtgpu_prime.c); vgem imports anything. Neither
 * fact is assumed: both come from this probe.
 *
 * The foreign buffer is one page from the system dma-heap, or, without
 * heaps, a udmabuf over a sealed memfd: memory no DRM driver owns.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/dma-heap.h>
#include <linux/udmabuf.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <xf86drm.h>

#include "drm-backend.h"

#define PROBE_SIZE 4096

static int heap_buffer(char *src, size_t len)
{
	struct dma_heap_allocation_data a = {.len = PROBE_SIZE, .fd_flags = O_RDWR | O_CLOEXEC};
	int heap = open("/dev/dma_heap/system", O_RDWR | O_CLOEXEC);
	int ret;

	if (heap < 0)
		return -errno;
	ret = ioctl(heap, DMA_HEAP_IOCTL_ALLOC, &a) == 0 ? (int)a.fd : -errno;
	close(heap);
	snprintf(src, len, "a dma-heap 'system' buffer");
	return ret;
}

static int udmabuf_buffer(char *src, size_t len)
{
	struct udmabuf_create c = {.flags = UDMABUF_FLAGS_CLOEXEC, .size = PROBE_SIZE};
	int dev = -1, mem = -1, ret;

	dev = open("/dev/udmabuf", O_RDWR | O_CLOEXEC);
	if (dev < 0)
		return -errno;
	/* udmabuf wants a shmem memfd sealed against shrinking (udmabuf.c) */
	mem = memfd_create("liballoc-drm-probe", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (mem < 0 || ftruncate(mem, PROBE_SIZE) != 0 ||
	    fcntl(mem, F_ADD_SEALS, F_SEAL_SHRINK) != 0) {
		ret = -errno;
		goto out;
	}
	c.memfd = (uint32_t)mem;
	ret = ioctl(dev, UDMABUF_CREATE, &c);
	if (ret < 0)
		ret = -errno;
	snprintf(src, len, "a udmabuf buffer");
out:
	if (mem >= 0)
		close(mem);
	close(dev);
	return ret;
}

static void probe(struct drm_dev *dev)
{
	char src[64] = "";
	uint32_t handle;
	int buf, err;

	if (!(dev->cap_prime & DRM_PRIME_CAP_IMPORT)) {
		dev->import_rule = LA_IMPORT_NONE;
		snprintf(dev->import_reason, sizeof(dev->import_reason),
			 "DRM_CAP_PRIME has no DRM_PRIME_CAP_IMPORT");
		return;
	}
	buf = heap_buffer(src, sizeof(src));
	if (buf < 0)
		buf = udmabuf_buffer(src, sizeof(src));
	if (buf < 0) {
		/* Nothing foreign to try with: trust the cap, and say so. */
		dev->import_rule = LA_IMPORT_ANY;
		snprintf(dev->import_reason, sizeof(dev->import_reason),
			 "not probed (no dma-heap or udmabuf to make a foreign buffer: %s); "
			 "DRM_CAP_PRIME claims import", strerror(-buf));
		drm_log(dev, LA_LOG_WARN, "import rule %s", dev->import_reason);
		return;
	}
	if (drmPrimeFDToHandle(dev->fd, buf, &handle) == 0) {
		struct drm_gem_close c = {.handle = handle};
		/* a fresh foreign dma-buf: the handle is new, nobody else has it */
		drmIoctl(dev->fd, DRM_IOCTL_GEM_CLOSE, &c);
		dev->import_rule = LA_IMPORT_ANY;
		snprintf(dev->import_reason, sizeof(dev->import_reason),
			 "probed: PRIME import of %s succeeded", src);
	} else {
		err = errno;
		dev->import_rule = LA_IMPORT_OWN_ONLY;
		snprintf(dev->import_reason, sizeof(dev->import_reason),
			 "probed: PRIME import (DRM_IOCTL_PRIME_FD_TO_HANDLE) of %s failed: %s",
			 src, strerror(err));
	}
	close(buf);
}

enum la_import_rule drm_dev_import_rule(struct drm_dev *dev, const char **reason)
{
	if (dev->import_state == DRM_UNKNOWN) {
		probe(dev);
		dev->import_state = DRM_YES;
		drm_dbg(dev, "import rule %s: %s", la_import_rule_name(dev->import_rule),
			dev->import_reason);
	}
	if (reason)
		*reason = dev->import_reason;
	return dev->import_rule;
}
