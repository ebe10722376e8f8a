/* SPDX-License-Identifier: MIT */
/*
 * A DRM node: identity, capabilities and mode resources read at probe, and
 * the pitch rule learnt from probe dumb buffers on first use (or from the
 * probe cache, when an earlier process of the boot probed this device).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <xf86drm.h>
#include <xf86drmMode.h>

#include "../common/probe-cache.h"
#include "drm-backend.h"
#include "dumb-answer.h"

static uint64_t get_cap(int fd, uint64_t cap, bool *ok)
{
	uint64_t v = 0;
	*ok = drmGetCap(fd, cap, &v) == 0;
	return *ok ? v : 0;
}

static void read_caps(struct drm_dev *dev)
{
	bool ok;

	dev->cap_dumb = get_cap(dev->fd, DRM_CAP_DUMB_BUFFER, &ok) != 0;
	dev->cap_prime = get_cap(dev->fd, DRM_CAP_PRIME, &ok);
	dev->cap_addfb2_modifiers = get_cap(dev->fd, DRM_CAP_ADDFB2_MODIFIERS, &ok) != 0;
	dev->cursor_w = get_cap(dev->fd, DRM_CAP_CURSOR_WIDTH, &ok);
	dev->cursor_h = get_cap(dev->fd, DRM_CAP_CURSOR_HEIGHT, &ok);
	drm_dbg(dev, "caps: dumb %d, prime 0x%llx, addfb2-modifiers %d, cursor %llux%llu",
		dev->cap_dumb, (unsigned long long)dev->cap_prime, dev->cap_addfb2_modifiers,
		(unsigned long long)dev->cursor_w, (unsigned long long)dev->cursor_h);
}

static void read_plane_types(struct drm_dev *dev)
{
	drmModePlaneRes *pr = drmModeGetPlaneResources(dev->fd);

	for (uint32_t i = 0; pr && i < pr->count_planes; i++) {
		drmModeObjectProperties *props =
			drmModeObjectGetProperties(dev->fd, pr->planes[i], DRM_MODE_OBJECT_PLANE);
		for (uint32_t j = 0; props && j < props->count_props; j++) {
			drmModePropertyRes *p = drmModeGetProperty(dev->fd, props->props[j]);
			if (p && strcmp(p->name, "type") == 0) {
				dev->has_overlay |= props->prop_values[j] == DRM_PLANE_TYPE_OVERLAY;
				dev->has_cursor_plane |= props->prop_values[j] == DRM_PLANE_TYPE_CURSOR;
			}
			drmModeFreeProperty(p);
		}
		drmModeFreeObjectProperties(props);
	}
	drmModeFreePlaneResources(pr);
}

static void read_resources(struct drm_dev *dev)
{
	drmModeRes *res;

	if (dev->render_node)
		return; /* render nodes have no KMS: GETRESOURCES is refused */
	/*
	 * Without DRM_CLIENT_CAP_UNIVERSAL_PLANES the kernel hides primary and
	 * cursor planes, and those are the ones scanout and cursor usages are
	 * about. The cap is per open file (shared with the caller's fd); it
	 * only adds plane types to listings, which every modern KMS client
	 * sets anyway.
	 */
	if (drmSetClientCap(dev->fd, DRM_CLIENT_CAP_UNIVERSAL_PLANES, 1) != 0)
		drm_dbg(dev, "DRM_CLIENT_CAP_UNIVERSAL_PLANES refused: %s", strerror(errno));
	res = drmModeGetResources(dev->fd);
	if (!res) {
		drm_dbg(dev, "no mode resources (DRM_IOCTL_MODE_GETRESOURCES: %s): not a display",
			strerror(errno));
		return;
	}
	dev->kms = res->count_crtcs > 0;
	dev->min_w = res->min_width;
	dev->max_w = res->max_width;
	dev->min_h = res->min_height;
	dev->max_h = res->max_height;
	drmModeFreeResources(res);
	if (dev->kms)
		read_plane_types(dev);
	drm_dbg(dev, "KMS %d: framebuffers %u..%u x %u..%u, overlay planes %d, cursor plane %d",
		dev->kms, dev->min_w, dev->max_w, dev->min_h, dev->max_h, dev->has_overlay,
		dev->has_cursor_plane);
}

/*
 * The driver's name with one DRM_IOCTL_VERSION into a fixed buffer:
 * drmGetVersion() asks twice (lengths, then the strings) and copies the
 * date and description nobody here reads. A name that does not fit (none
 * does: the kernel's are a few letters) is read the long way.
 */
static int driver_name(int fd, char *name, size_t len)
{
	struct drm_version v = {.name_len = len - 1, .name = name};
	drmVersionPtr ver;

	memset(name, 0, len);
	if (drmIoctl(fd, DRM_IOCTL_VERSION, &v) != 0)
		return -ENODEV;
	if (v.name_len > 0 && v.name_len < len)
		return 0;
	ver = drmGetVersion(fd);
	if (!ver)
		return -ENODEV;
	snprintf(name, len, "%s", ver->name ? ver->name : "drm");
	drmFreeVersion(ver);
	return 0;
}

int drm_dev_probe(struct drm_backend *be, int fd, const char *path, struct drm_dev **out)
{
	struct drm_dev *dev;
	struct stat st;
	char driver[sizeof(dev->driver)];
	int type;

	*out = NULL;
	/* drmGetNodeTypeFromFd checks the DRM major: other backends' nodes
	 * (V4L2, heaps) are refused without sending them a DRM ioctl. */
	type = drmGetNodeTypeFromFd(fd);
	if (type != DRM_NODE_PRIMARY && type != DRM_NODE_RENDER)
		return -ENODEV;
	if (fstat(fd, &st) != 0 || driver_name(fd, driver, sizeof(driver)) < 0)
		return -ENODEV;
	dev = calloc(1, sizeof(*dev));
	if (!dev)
		return -ENOMEM;
	dev->be = be;
	dev->fd = fd;
	dev->devnum = st.st_rdev;
	dev->render_node = type == DRM_NODE_RENDER;
	memcpy(dev->driver, driver, sizeof(dev->driver));
	if (path && path[0]) {
		const char *slash = strrchr(path, '/');
		snprintf(dev->path, sizeof(dev->path), "%s", path);
		snprintf(dev->node, sizeof(dev->node), "%.31s", slash ? slash + 1 : path);
	} else {
		char *name = drmGetDeviceNameFromFd2(fd);
		const char *slash = name ? strrchr(name, '/') : NULL;
		snprintf(dev->path, sizeof(dev->path), "%s", name ? name : "fd");
		snprintf(dev->node, sizeof(dev->node), "%.31s", slash ? slash + 1 : dev->path);
		free(name);
	}
	read_caps(dev);
	read_resources(dev);
	drm_dev_learn_memory(dev);
	*out = dev;
	return 0;
}

void drm_dev_destroy(struct drm_dev *dev)
{
	if (!dev)
		return;
	drm_gbm_destroy(dev);
	/* Imports must be released before their device; a leftover handle
	 * here is a caller bug, and closing it keeps the kernel object from
	 * outliving everything that could name it. */
	for (size_t i = 0; i < dev->n_handles; i++) {
		struct drm_gem_close c = {.handle = dev->handles[i].handle};
		drmIoctl(dev->fd, DRM_IOCTL_GEM_CLOSE, &c);
	}
	free(dev->handles);
	free(dev);
}

static uint32_t lowest_bit(uint32_t v)
{
	return v & (~v + 1);
}

/*
 * Creates XRGB8888 dumb buffers of two odd widths (33 and 65 pixels, so
 * 132 and 260 bytes of pixels) and reads back the pitches the driver
 * chose. A driver aligning to A (a power of two) returns pitches that are
 * multiples of A; with two widths the one whose round-up happens to be a
 * multiple of 2A does not mislead us. vgem and virtio_gpu return width * 4
 * (drivers/gpu/drm/vgem/vgem_drv.c, virtgpu_gem.c), i.e. 4.
 */
static void probe_dumb_buffers(struct drm_dev *dev)
{
	static const uint32_t widths[] = {33, 65};
	uint32_t align = 0;

	dev->dumb_state = DRM_NO;
	dev->pitch_state = DRM_NO;
	/* Tried even without DRM_CAP_DUMB_BUFFER: drivers without KMS (vgem)
	 * answer every cap query with EOPNOTSUPP yet create dumb buffers. */
	for (size_t i = 0; i < sizeof(widths) / sizeof(widths[0]); i++) {
		uint32_t handle, pitch;
		uint64_t size;
		if (drmModeCreateDumbBuffer(dev->fd, widths[i], 2, 32, 0, &handle, &pitch, &size)) {
			int err = errno;
			snprintf(dev->dumb_reason, sizeof(dev->dumb_reason),
				 "DRM_IOCTL_MODE_CREATE_DUMB %ux2 failed: %s%s", widths[i],
				 strerror(err),
				 dev->render_node && err == EACCES
					 ? " (render nodes may not create dumb buffers)"
					 : "");
			snprintf(dev->pitch_reason, sizeof(dev->pitch_reason), "not learnt: %.140s",
				 dev->dumb_reason);
			drm_dbg(dev, "dumb buffers unusable: %s", dev->dumb_reason);
			return;
		}
		drmModeDestroyDumbBuffer(dev->fd, handle);
		drm_dbg(dev, "probe dumb buffer %ux2 XRGB8888: pitch %u, size %llu", widths[i],
			pitch, (unsigned long long)size);
		if (pitch < widths[i] * 4 || pitch == 0) {
			snprintf(dev->pitch_reason, sizeof(dev->pitch_reason),
				 "not learnt: CREATE_DUMB returned pitch %u for %u pixels", pitch,
				 widths[i]);
			dev->dumb_state = DRM_YES;
			return;
		}
		uint32_t a = lowest_bit(pitch);
		align = align ? (a < align ? a : align) : a;
	}
	dev->dumb_state = DRM_YES;
	dev->pitch_state = DRM_YES;
	dev->pitch_align = align;
	snprintf(dev->pitch_reason, sizeof(dev->pitch_reason),
		 "pitch multiple of %u bytes, learnt from probe dumb buffers of 33 and 65 pixels",
		 align);
	drm_dbg(dev, "%s", dev->pitch_reason);
}

/*
 * The answer of an earlier probe of this device in this process or boot
 * (probe cache, dumb-answer.c); false: probe. A failed probe is not kept:
 * it may be passing (ENOMEM), and probing again costs one refused ioctl.
 */
static bool dumb_from_cache(struct drm_dev *dev, const struct be_probe_key *key)
{
	struct be_probe_answer a;
	uint32_t align;
	char note[300];
	int ret = be_probe_cache_lookup(key, &a);

	if (be_probe_cache_note(note, sizeof(note)))
		drm_dbg(dev, "probe cache: %s", note);
	if (ret != 1 || !drm_dumb_answer_parse(a.reason, &align, dev->pitch_reason,
					       sizeof(dev->pitch_reason)))
		return false;
	dev->dumb_state = DRM_YES;
	dev->pitch_state = align ? DRM_YES : DRM_NO;
	dev->pitch_align = align;
	drm_dbg(dev, "dumb buffers work, %s (from an earlier probe in this %s)", dev->pitch_reason,
		a.from_file ? "boot: probe cache file" : "process");
	return true;
}

static void probe_dumb(struct drm_dev *dev)
{
	struct be_probe_key key = {.devnum = dev->devnum, .what = "dumb-pitch"};
	char text[BE_PROBE_CACHE_REASON_MAX];
	int ret;

	if (dev->dumb_state != DRM_UNKNOWN)
		return;
	snprintf(key.driver, sizeof(key.driver), "%s", dev->driver);
	if (dumb_from_cache(dev, &key))
		return;
	probe_dumb_buffers(dev);
	if (dev->dumb_state != DRM_YES ||
	    drm_dumb_answer_format(dev->pitch_state == DRM_YES ? dev->pitch_align : 0,
				   dev->pitch_reason, text, sizeof(text)) < 0)
		return;
	/* the rule field is the import rule's; this answer has none */
	ret = be_probe_cache_store(&key, LA_IMPORT_ANY, text);
	if (ret < 0)
		drm_dbg(dev, "probe cache: %s (the dumb probe is not kept)", strerror(-ret));
}

uint32_t drm_dev_pitch_align(struct drm_dev *dev)
{
	probe_dumb(dev);
	return dev->pitch_state == DRM_YES ? dev->pitch_align : 0;
}

bool drm_dev_can_dumb(struct drm_dev *dev)
{
	probe_dumb(dev);
	return dev->dumb_state == DRM_YES;
}

const char *drm_fourcc_name(uint32_t format, char *buf, size_t len)
{
	return la_format_name(format, buf, len);
}
