/* SPDX-License-Identifier: MIT */
/*
 * Importing a descriptor into a DRM device: one PRIME import per plane
 * (GEM handles shared and counted per device) and, for display usages, a
 * framebuffer with DRM_IOCTL_MODE_ADDFB2: the kernel's own check that the
 * buffer can be scanned out. A refusal carries the ioctl and its errno,
 * plus what liballoc can tell from the limits it read.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xf86drm.h>
#include <xf86drmMode.h>
#include <drm_fourcc.h>

#include "drm-backend.h"

#define KMS_USAGES (LA_USAGE_SCANOUT | LA_USAGE_OVERLAY | LA_USAGE_CURSOR)

struct drm_import {
	struct drm_dev *dev;
	uint32_t n_planes;
	uint32_t handles[LA_MAX_PLANES];
	uint32_t fb_id;
};

int drm_handle_get(struct drm_dev *dev, int dmabuf_fd, uint32_t *handle)
{
	struct drm_handle_ref *v;

	if (drmPrimeFDToHandle(dev->fd, dmabuf_fd, handle) != 0)
		return -errno;
	for (size_t i = 0; i < dev->n_handles; i++) {
		if (dev->handles[i].handle == *handle) {
			dev->handles[i].refs++;
			return 0;
		}
	}
	v = realloc(dev->handles, (dev->n_handles + 1) * sizeof(*v));
	if (!v) {
		struct drm_gem_close c = {.handle = *handle};
		drmIoctl(dev->fd, DRM_IOCTL_GEM_CLOSE, &c);
		return -ENOMEM;
	}
	dev->handles = v;
	dev->handles[dev->n_handles++] = (struct drm_handle_ref){*handle, 1};
	return 0;
}

void drm_handle_put(struct drm_dev *dev, uint32_t handle)
{
	for (size_t i = 0; i < dev->n_handles; i++) {
		if (dev->handles[i].handle != handle)
			continue;
		if (--dev->handles[i].refs == 0) {
			struct drm_gem_close c = {.handle = handle};
			drmIoctl(dev->fd, DRM_IOCTL_GEM_CLOSE, &c);
			dev->handles[i] = dev->handles[--dev->n_handles];
		}
		return;
	}
}

void drm_import_release(void *data)
{
	struct drm_import *imp = data;

	if (!imp)
		return;
	if (imp->fb_id)
		drmModeRmFB(imp->dev->fd, imp->fb_id);
	for (uint32_t p = 0; p < imp->n_planes; p++)
		drm_handle_put(imp->dev, imp->handles[p]);
	free(imp);
}

static int import_planes(struct drm_import *imp, const struct la_descriptor *d, struct la_why *why)
{
	struct drm_dev *dev = imp->dev;
	const char *rule_reason;

	for (uint32_t p = 0; p < d->plane_count; p++) {
		int ret = drm_handle_get(dev, d->planes[p].fd, &imp->handles[p]);
		if (ret < 0) {
			enum la_import_rule rule = drm_dev_import_rule(dev, &rule_reason);
			drm_diag(why, dev,
				 "PRIME import of plane %u (DRM_IOCTL_PRIME_FD_TO_HANDLE) "
				 "refused: %s%s%s%s", p, strerror(-ret),
				 rule != LA_IMPORT_ANY ? "; the device imports only its own buffers ("
						       : "",
				 rule != LA_IMPORT_ANY ? rule_reason : "",
				 rule != LA_IMPORT_ANY ? ")" : "");
			return ret;
		}
		imp->n_planes = p + 1;
	}
	return 0;
}

/* What liballoc can say about a refused framebuffer from what it read. */
static void addfb_hint(struct drm_dev *dev, const struct la_descriptor *d, char *buf, size_t len)
{
	struct la_format_info fi;

	buf[0] = '\0';
	if (d->width < dev->min_w || d->width > dev->max_w || d->height < dev->min_h ||
	    d->height > dev->max_h)
		snprintf(buf, len, "; %ux%u is outside the framebuffer limits %u..%u x %u..%u",
			 d->width, d->height, dev->min_w, dev->max_w, dev->min_h, dev->max_h);
	else if (la_format_get_info(d->format, &fi) == 0 && d->modifier == DRM_FORMAT_MOD_LINEAR &&
		 d->planes[0].pitch * 8 < (uint64_t)d->width * fi.bpp[0] / (fi.block_w[0] ? fi.block_w[0] : 1))
		snprintf(buf, len, "; pitch %llu is shorter than a row of %u pixels",
			 (unsigned long long)d->planes[0].pitch, d->width);
}

static int add_fb(struct drm_import *imp, const struct la_descriptor *d, struct la_why *why)
{
	struct drm_dev *dev = imp->dev;
	uint32_t pitches[4] = {0}, offsets[4] = {0}, handles[4] = {0}, flags = 0;
	uint64_t mods[4] = {0};
	char name[32], hint[160];

	if (d->modifier != DRM_FORMAT_MOD_INVALID && d->modifier != DRM_FORMAT_MOD_LINEAR &&
	    !dev->cap_addfb2_modifiers) {
		drm_diag(why, dev, "cannot show modifier 0x%llx: the driver takes no modifiers "
			 "(DRM_CAP_ADDFB2_MODIFIERS = 0)", (unsigned long long)d->modifier);
		return -EINVAL;
	}
	for (uint32_t p = 0; p < d->plane_count; p++) {
		if (d->planes[p].pitch > UINT32_MAX || d->planes[p].offset > UINT32_MAX) {
			drm_diag(why, dev,
				 "plane %u pitch/offset beyond what ADDFB2 can express", p);
			return -EINVAL;
		}
		handles[p] = imp->handles[p];
		pitches[p] = (uint32_t)d->planes[p].pitch;
		offsets[p] = (uint32_t)d->planes[p].offset;
		mods[p] = d->modifier;
	}
	/* A LINEAR buffer on a driver without modifiers goes without the
	 * flag: "no modifier" then means the layout of a freshly imported,
	 * untiled object, which is linear. */
	if (d->modifier != DRM_FORMAT_MOD_INVALID && dev->cap_addfb2_modifiers)
		flags |= DRM_MODE_FB_MODIFIERS;
	if (drmModeAddFB2WithModifiers(dev->fd, d->width, d->height, d->format, handles, pitches,
				       offsets, flags ? mods : NULL, &imp->fb_id, flags) != 0) {
		int err = errno;
		imp->fb_id = 0;
		addfb_hint(dev, d, hint, sizeof(hint));
		drm_diag(why, dev,
			 "framebuffer refused by DRM_IOCTL_MODE_ADDFB2 (%ux%u %s, pitch %u, "
			 "offset %u, modifier 0x%llx%s): %s%s", d->width, d->height,
			 drm_fourcc_name(d->format, name, sizeof(name)), pitches[0], offsets[0],
			 (unsigned long long)d->modifier, flags ? "" : " not passed",
			 strerror(err), hint);
		return -err;
	}
	drm_dbg(dev, "framebuffer %u for %ux%u %s", imp->fb_id, d->width, d->height,
		drm_fourcc_name(d->format, name, sizeof(name)));
	return 0;
}

int drm_import(struct drm_dev *dev, uint64_t usage, const struct la_descriptor *desc,
	       void **out, struct la_why *why)
{
	struct drm_import *imp;
	int ret;

	*out = NULL;
	if (desc->plane_count < 1 || desc->plane_count > LA_MAX_PLANES) {
		drm_diag(why, dev, "descriptor with %u planes", desc->plane_count);
		return -EINVAL;
	}
	if ((usage & KMS_USAGES) && !dev->kms) {
		drm_diag(why, dev, "not a display: cannot import for scanout");
		return -ENOTSUP;
	}
	imp = calloc(1, sizeof(*imp));
	if (!imp)
		return -ENOMEM;
	imp->dev = dev;
	ret = import_planes(imp, desc, why);
	if (ret == 0 && (usage & KMS_USAGES))
		ret = add_fb(imp, desc, why);
	if (ret < 0) {
		drm_import_release(imp);
		return ret;
	}
	*out = imp;
	return 0;
}

int drm_import_get_property(void *data, const char *name, uint64_t *value, struct la_why *why)
{
	struct drm_import *imp = data;

	if (strcmp(name, "fb_id") == 0 && imp->fb_id) {
		*value = imp->fb_id;
		return 0;
	}
	if (strncmp(name, "handle", 6) == 0 && name[6] >= '0' && name[6] <= '3' && !name[7] &&
	    (uint32_t)(name[6] - '0') < imp->n_planes) {
		*value = imp->handles[name[6] - '0'];
		return 0;
	}
	return -ENOENT;
}
