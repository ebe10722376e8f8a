/* SPDX-License-Identifier: MIT */
/*
 * Whether a device imports dma-bufs it did not allocate, and which ones,
 * found by trying once per device (users: "cross-device import fails
 * late"). Three answers, each seen on a real driver:
 *
 *   any         vgem imports anything, scattered memory included;
 *   contiguous  display engines built on the GEM DMA helper refuse a
 *               scattered buffer at import with EINVAL
 *               (drm_gem_dma_prime_import_sg_table(): the contiguous size
 *               of the sg table is smaller than the buffer), and take one
 *               that is contiguous;
 *   own-only    virtio_gpu refuses every foreign dma-buf with ENODEV
 *               (drivers/gpu/drm/virtio/virtgpu_prime.c).
 *
 * So the probe offers a buffer that is scattered for certain first, and
 * only if that is refused a one-page buffer, which is always contiguous.
 * A one-page probe alone (as before) cannot tell "contiguous" from "any".
 * The one-page buffer may also be refused for where it lies, above the
 * device's DMA limit (the test display kernel/contig-display answers EIO
 * then, as the DMA API does for an address it cannot reach): a refusal
 * with an errno other than the scattered one still means the device takes
 * contiguous memory.
 *
 * Answers live in the process-wide probe cache (../common/probe-cache.h),
 * keyed by device number, driver and boot: a second context or a second
 * open of the node asks the kernel nothing. A probe that could not run (no
 * buffer to offer) gives a cautious answer that is tried again a few times
 * before it becomes definite.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <xf86drm.h>

#include "../common/probe-buffers.h"
#include "../common/probe-cache.h"
#include "drm-backend.h"

/* Scattered probe size: several pages, so that "two pieces" means a gap. */
#define SCATTER_SIZE (64u * 1024u)

/* 0 if the device imported fd, else the errno of PRIME_FD_TO_HANDLE. */
static int try_import(struct drm_dev *dev, int fd)
{
	uint32_t handle;

	if (drmPrimeFDToHandle(dev->fd, fd, &handle) != 0)
		return errno;
	/* a fresh foreign dma-buf: the handle is new, nobody else has it */
	struct drm_gem_close c = {.handle = handle};
	drmIoctl(dev->fd, DRM_IOCTL_GEM_CLOSE, &c);
	return 0;
}

static void set_rule(struct drm_dev *dev, enum la_import_rule rule, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void set_rule(struct drm_dev *dev, enum la_import_rule rule, const char *fmt, ...)
{
	va_list ap;

	dev->import_rule = rule;
	va_start(ap, fmt);
	vsnprintf(dev->import_reason, sizeof(dev->import_reason), fmt, ap);
	va_end(ap);
}

/* The scattered buffer was refused with errno scat_err: try one page. */
static void probe_page(struct drm_dev *dev, const char *scat_src, int scat_err)
{
	char src[160];
	int buf, err;

	if (be_page_dmabuf(&buf, src, sizeof(src)) < 0) {
		set_rule(dev, LA_IMPORT_CONTIGUOUS,
			 "probed: PRIME import of %s failed: %s; no one-page buffer to try (%s): "
			 "assuming contiguous only", scat_src, strerror(scat_err), src);
		dev->import_fallback = true;
		return;
	}
	err = try_import(dev, buf);
	close(buf);
	if (err == 0)
		set_rule(dev, LA_IMPORT_CONTIGUOUS,
			 "probed: PRIME import of %s failed (%s), of %s succeeded", scat_src,
			 strerror(scat_err), src);
	else if (err != scat_err)
		set_rule(dev, LA_IMPORT_CONTIGUOUS,
			 "probed: PRIME import of %s failed (%s), of %s failed differently (%s: "
			 "refused for its address, not its layout)", scat_src, strerror(scat_err),
			 src, strerror(err));
	else
		set_rule(dev, LA_IMPORT_OWN_ONLY,
			 "probed: PRIME import (DRM_IOCTL_PRIME_FD_TO_HANDLE) of %s and of %s "
			 "failed: %s", scat_src, src, strerror(err));
}

/* No scattered buffer could be made (no udmabuf): a one-page probe only. */
static void probe_page_only(struct drm_dev *dev, const char *scat_why)
{
	char src[160];
	int buf, err;

	if (be_page_dmabuf(&buf, src, sizeof(src)) < 0) {
		/* Nothing foreign to try with: trust the cap, and say so. */
		set_rule(dev, LA_IMPORT_ANY,
			 "not probed (no foreign buffer: %s; %s); DRM_CAP_PRIME claims import",
			 scat_why, src);
		dev->import_fallback = true;
		drm_log(dev, LA_LOG_WARN, "import rule %s", dev->import_reason);
		return;
	}
	err = try_import(dev, buf);
	close(buf);
	if (err)
		set_rule(dev, LA_IMPORT_OWN_ONLY,
			 "probed: PRIME import (DRM_IOCTL_PRIME_FD_TO_HANDLE) of %s failed: %s",
			 src, strerror(err));
	else
		set_rule(dev, LA_IMPORT_ANY,
			 "probed: PRIME import of %s succeeded; scattered memory not tried (%s)",
			 src, scat_why);
}

static void probe(struct drm_dev *dev)
{
	char src[160];
	int buf, err;

	if (!(dev->cap_prime & DRM_PRIME_CAP_IMPORT)) {
		set_rule(dev, LA_IMPORT_NONE, "DRM_CAP_PRIME has no DRM_PRIME_CAP_IMPORT");
		return;
	}
	if (be_scattered_dmabuf(SCATTER_SIZE, &buf, src, sizeof(src), NULL) < 0) {
		probe_page_only(dev, src);
		return;
	}
	err = try_import(dev, buf);
	close(buf);
	if (err == 0)
		set_rule(dev, LA_IMPORT_ANY, "probed: PRIME import of %s succeeded", src);
	else
		probe_page(dev, src, err);
}

static void use_answer(struct drm_dev *dev, const struct be_probe_answer *a)
{
	dev->import_rule = a->rule;
	snprintf(dev->import_reason, sizeof(dev->import_reason), "%s", a->reason);
}

/* Probes, or takes the answer an earlier probe in this process gave. */
static void learn(struct drm_dev *dev)
{
	struct be_probe_key key = {.devnum = dev->devnum, .what = "import"};
	struct be_probe_answer a;
	char note[300];
	int ret;

	snprintf(key.driver, sizeof(key.driver), "%s", dev->driver);
	ret = be_probe_cache_lookup(&key, &a);
	if (be_probe_cache_note(note, sizeof(note)))
		drm_dbg(dev, "probe cache: %s", note);
	if (ret == 1) {
		use_answer(dev, &a);
		dev->import_fallback = false;
		drm_dbg(dev, "import rule %s from an earlier probe in this %s: %s",
			la_import_rule_name(dev->import_rule),
			a.from_file ? "boot (probe cache file)" : "process", dev->import_reason);
		return;
	}
	dev->import_fallback = false;
	probe(dev);
	if (!dev->import_fallback) {
		ret = be_probe_cache_store(&key, dev->import_rule, dev->import_reason);
	} else {
		ret = be_probe_cache_fail(&key, dev->import_rule, dev->import_reason, &a);
		use_answer(dev, &a);
		dev->import_fallback = !a.definite;
	}
	if (ret < 0)
		drm_dbg(dev, "probe cache: %s (this device keeps its own answer)", strerror(-ret));
	if (be_probe_cache_note(note, sizeof(note)))
		drm_dbg(dev, "probe cache: %s", note);
	drm_dbg(dev, "import rule %s: %s", la_import_rule_name(dev->import_rule),
		dev->import_reason);
}

enum la_import_rule drm_dev_import_rule(struct drm_dev *dev, const char **reason)
{
	/* a fallback is asked again (the cache bounds how often) */
	if (dev->import_state == DRM_UNKNOWN || dev->import_fallback) {
		learn(dev);
		dev->import_state = DRM_YES;
	}
	if (reason)
		*reason = dev->import_reason;
	return dev->import_rule;
}
