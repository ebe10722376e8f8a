/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <xf86drm.h>
#include <xf86drmMode.h>
#include <drm_fourcc.h>

#include "scanout.h"

static int addfb_here(struct scanout_fb *fb, const struct la_buffer *buf, char *err, size_t len)
{
	uint32_t handles[4] = {0}, pitches[4] = {0}, offsets[4] = {0};
	uint64_t mods[4] = {0};
	struct la_descriptor d;
	uint32_t flags = 0;
	uint64_t cap = 0;

	la_buffer_get_descriptor(buf, &d);
	for (uint32_t p = 0; p < d.plane_count; p++) {
		if (drmPrimeFDToHandle(fb->fd, d.planes[p].fd, &handles[p]) != 0) {
			snprintf(err, len, "PRIME import of plane %u: %s", p, strerror(errno));
			return -errno;
		}
		/* Planes sharing a dma-buf get the same handle: close it once. */
		bool dup = false;
		for (uint32_t q = 0; q < p; q++)
			dup |= fb->handles[q] == handles[p];
		fb->handles[p] = dup ? 0 : handles[p];
		pitches[p] = (uint32_t)d.planes[p].pitch;
		offsets[p] = (uint32_t)d.planes[p].offset;
		mods[p] = d.modifier;
	}
	/* An implicit modifier is passed as "no modifier"; an explicit one
	 * only where the driver takes modifiers. */
	if (d.modifier != DRM_FORMAT_MOD_INVALID &&
	    drmGetCap(fb->fd, DRM_CAP_ADDFB2_MODIFIERS, &cap) == 0 && cap)
		flags = DRM_MODE_FB_MODIFIERS;
	if (drmModeAddFB2WithModifiers(fb->fd, d.width, d.height, d.format, handles, pitches,
				       offsets, flags ? mods : NULL, &fb->fb_id, flags) != 0) {
		int e = errno;
		fb->fb_id = 0;
		snprintf(err, len, "DRM_IOCTL_MODE_ADDFB2: %s", strerror(e));
		return -e;
	}
	return 0;
}

int scanout_fb_create(struct la_device *display, const struct la_buffer *buf,
		      struct scanout_fb *fb, const char **how, char *err, size_t len)
{
	uint64_t id = 0;
	int ret;

	memset(fb, 0, sizeof(*fb));
	fb->fd = la_device_get_fd(display);
	ret = la_device_import(display, LA_USAGE_SCANOUT, buf, &fb->imp);
	if (ret == 0 && la_import_get_property(fb->imp, "fb_id", &id) == 0 && id) {
		fb->fb_id = (uint32_t)id;
		*how = "liballoc import (la_device_import, \"fb_id\")";
		return 0;
	}
	if (ret < 0 && ret != -ENOTSUP) {
		/* A real refusal by the kernel: no second attempt would differ. */
		snprintf(err, len, "%s", la_last_diagnosis());
		return ret;
	}
	la_import_destroy(fb->imp);
	fb->imp = NULL;
	*how = "PRIME import + ADDFB2 in the example (the backend gives no \"fb_id\")";
	return addfb_here(fb, buf, err, len);
}

void scanout_fb_destroy(struct scanout_fb *fb)
{
	if (fb->fb_id && !fb->imp)
		drmModeRmFB(fb->fd, fb->fb_id);
	for (int p = 0; p < LA_MAX_PLANES; p++) {
		if (fb->handles[p]) {
			struct drm_gem_close c = {.handle = fb->handles[p]};
			drmIoctl(fb->fd, DRM_IOCTL_GEM_CLOSE, &c);
		}
	}
	la_import_destroy(fb->imp);
	memset(fb, 0, sizeof(*fb));
	fb->fd = -1;
}
