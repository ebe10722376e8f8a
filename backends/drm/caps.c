/* SPDX-License-Identifier: MIT */
/*
 * Capability sets of a DRM device per usage, from the kernel and GBM:
 *  - scanout/overlay/cursor: formats and modifiers of the planes of that
 *    type (planes.c), framebuffer limits from the mode resources, cursor
 *    size from DRM_CAP_CURSOR_WIDTH/HEIGHT;
 *  - render/sample: formats GBM renders to (gbm_device_is_format_supported);
 *  - CPU access: linear layouts only (alone: the RGB formats liballoc lays
 *    out, without loading GBM);
 *  - every candidate: the pitch rule learnt from probe dumb buffers;
 *  - the import rule probed with a foreign dma-buf (import-probe.c).
 * Usages combine by intersection: a buffer for scanout and rendering must
 * suit both.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <xf86drm.h>
#include <xf86drmMode.h>
#include <drm_fourcc.h>

#include "drm-backend.h"

#define KMS_USAGES (LA_USAGE_SCANOUT | LA_USAGE_OVERLAY | LA_USAGE_CURSOR)
#define GPU_USAGES (LA_USAGE_RENDER | LA_USAGE_SAMPLE)
#define CPU_USAGES (LA_USAGE_CPU_READ | LA_USAGE_CPU_WRITE | LA_USAGE_CPU_READ_OFTEN)

/* Asked of GBM when the caller names no format. */
static const uint32_t default_formats[] = {
	DRM_FORMAT_XRGB8888,    DRM_FORMAT_ARGB8888,    DRM_FORMAT_XBGR8888,
	DRM_FORMAT_ABGR8888,    DRM_FORMAT_RGB565,      DRM_FORMAT_XRGB2101010,
	DRM_FORMAT_ARGB2101010, DRM_FORMAT_XBGR2101010, DRM_FORMAT_ABGR2101010,
	DRM_FORMAT_NV12,        DRM_FORMAT_YUYV,
};

static void keep_common(struct drm_pairs *a, const struct drm_pairs *b)
{
	size_t n = 0;
	for (size_t i = 0; i < a->n; i++)
		if (drm_pairs_has(b, a->v[i].format, a->v[i].modifier))
			a->v[n++] = a->v[i];
	a->n = n;
}

static const char *plane_type_name(uint64_t type)
{
	return type == DRM_PLANE_TYPE_PRIMARY ? "primary"
	       : type == DRM_PLANE_TYPE_CURSOR ? "cursor"
					       : "overlay";
}

/* Legacy cursor contract (drmModeSetCursor): an ARGB8888 image of the
 * DRM_CAP_CURSOR_WIDTH x HEIGHT size. Used when no cursor plane is listed,
 * e.g. virtual drivers hide theirs from atomic clients that did not set
 * DRM_CLIENT_CAP_CURSOR_PLANE_HOTSPOT (Linux 6.8+). */
static int legacy_cursor(struct drm_dev *dev, struct drm_pairs *out)
{
	if (!dev->cursor_w || !dev->cursor_h)
		return -ENOENT;
	drm_dbg(dev, "no cursor plane listed: legacy cursor ARGB8888 %llux%llu",
		(unsigned long long)dev->cursor_w, (unsigned long long)dev->cursor_h);
	return drm_pairs_add(out, DRM_FORMAT_ARGB8888, DRM_FORMAT_MOD_LINEAR);
}

static int kms_pairs(struct drm_dev *dev, uint64_t usage, struct drm_pairs *out, bool *have,
		     struct la_why *why)
{
	static const struct {
		uint64_t usage, type;
	} map[] = {
		{LA_USAGE_SCANOUT, DRM_PLANE_TYPE_PRIMARY},
		{LA_USAGE_OVERLAY, DRM_PLANE_TYPE_OVERLAY},
		{LA_USAGE_CURSOR, DRM_PLANE_TYPE_CURSOR},
	};

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		struct drm_pairs p = {0};
		const char *source = NULL;
		int ret;

		if (!(usage & map[i].usage))
			continue;
		ret = drm_planes_collect(dev, map[i].type, &p, &source, why);
		if (ret == -ENOENT && map[i].type == DRM_PLANE_TYPE_CURSOR) {
			ret = legacy_cursor(dev, &p);
			source = "legacy cursor caps";
		}
		if (ret == -ENOENT)
			drm_diag(why, dev,
				 "no %s plane: cannot serve %s", plane_type_name(map[i].type),
				 la_usage_name(map[i].usage));
		if (ret < 0) {
			drm_pairs_free(&p);
			return ret == -ENOENT ? -ENOTSUP : ret;
		}
		drm_dbg(dev, "%s: %zu (format, modifier) pair(s) from %s",
			la_usage_name(map[i].usage), p.n, source);
		if (*have) {
			keep_common(out, &p);
			drm_pairs_free(&p);
		} else {
			*out = p;
			*have = true;
		}
	}
	return 0;
}

/* Render/sample: what GBM renders to. CPU access alone needs no GBM (and
 * does not load Mesa): the linear RGB formats liballoc lays out. */
static int gpu_pairs(struct drm_dev *dev, uint64_t usage, const struct la_assertion *a,
		     struct drm_pairs *out)
{
	const uint32_t *formats = a->n_formats ? a->formats : default_formats;
	size_t n = a->n_formats ? a->n_formats : sizeof(default_formats) / sizeof(default_formats[0]);
	bool gbm = (usage & GPU_USAGES) && drm_gbm_loaded(dev);
	char name[32];

	if (!gbm)
		drm_dbg(dev, "%s formats: %s; offering the linear formats liballoc can lay out",
			usage & GPU_USAGES ? "render" : "CPU access",
			usage & GPU_USAGES ? dev->gbm_reason : "GBM not needed");
	for (size_t i = 0; i < n; i++) {
		struct la_format_info fi;
		bool ok = gbm ? drm_gbm_format_supported(dev, formats[i], drm_gbm_flags(LA_USAGE_RENDER))
			      : la_format_get_info(formats[i], &fi) == 0 && !fi.is_yuv;
		if (gbm)
			drm_dbg(dev, "GBM %s %s for rendering",
				ok ? "supports" : "does not support",
				drm_fourcc_name(formats[i], name, sizeof(name)));
		if (ok && drm_pairs_add(out, formats[i], DRM_FORMAT_MOD_LINEAR) < 0)
			return -ENOMEM;
	}
	return 0;
}

/* Implicit layouts (DRM_FORMAT_MOD_INVALID) only where this device can
 * allocate them itself through GBM: the core never hands an implicit
 * buffer to another driver (users: "the implicit modifier"). Display
 * usages keep what the kernel said (IN_FORMATS, or linear plane formats):
 * an implicit layout is a GBM matter, not something KMS reports. */
static int add_implicit(struct drm_dev *dev, uint64_t usage, struct drm_pairs *p)
{
	size_t n = p->n;

	/* a CPU usage keeps linear candidates only (fill_set): GBM is not
	 * loaded for candidates that would be dropped */
	if ((usage & (KMS_USAGES | CPU_USAGES)) || !drm_gbm_usable(dev))
		return 0;
	for (size_t i = 0; i < n; i++)
		if (drm_pairs_add(p, p->v[i].format, DRM_FORMAT_MOD_INVALID) < 0)
			return -ENOMEM;
	return 0;
}

static int check_size(struct drm_dev *dev, uint64_t usage, const struct la_assertion *a,
		      struct la_constraints *c, struct la_why *why)
{
	if (usage & (LA_USAGE_SCANOUT | LA_USAGE_OVERLAY)) {
		if (a->width < dev->min_w || a->width > dev->max_w || a->height < dev->min_h ||
		    a->height > dev->max_h) {
			drm_diag(why, dev,
				 "%ux%u is outside the framebuffer limits %u..%u x %u..%u "
				 "(DRM_IOCTL_MODE_GETRESOURCES)", a->width, a->height,
				 dev->min_w, dev->max_w, dev->min_h, dev->max_h);
			return -ENOTSUP;
		}
		c->max_width = dev->max_w;
		c->max_height = dev->max_h;
	}
	if ((usage & LA_USAGE_CURSOR) && dev->cursor_w && dev->cursor_h) {
		if (a->width > dev->cursor_w || a->height > dev->cursor_h) {
			drm_diag(why, dev, "cursor %ux%u is larger than %llux%llu "
				 "(DRM_CAP_CURSOR_WIDTH/HEIGHT)", a->width, a->height,
				 (unsigned long long)dev->cursor_w, (unsigned long long)dev->cursor_h);
			return -ENOTSUP;
		}
		c->max_width = (uint32_t)dev->cursor_w;
		c->max_height = (uint32_t)dev->cursor_h;
	}
	return 0;
}

static int check_usage(struct drm_dev *dev, uint64_t usage, struct la_why *why)
{
	uint64_t other = usage & ~(uint64_t)(KMS_USAGES | GPU_USAGES | CPU_USAGES);

	if (other) {
		for (int b = 0; b < 64; b++) {
			uint64_t bit = UINT64_C(1) << b;
			if (other & bit) {
				const char *n = la_usage_name(bit);
				drm_diag(why, dev, "a DRM device does not serve usage %s",
					 n ? n : "(backend bit)");
				return -ENOTSUP;
			}
		}
	}
	if ((usage & KMS_USAGES) && !dev->kms) {
		drm_diag(why, dev, "not a display (%s): no CRTC, so no %s",
			 dev->render_node ? "render node" : "no mode resources",
			 la_usage_name(usage & KMS_USAGES & -(usage & KMS_USAGES)));
		return -ENOTSUP;
	}
	return 0;
}

static int fill_set(struct drm_dev *dev, uint64_t usage, const struct la_assertion *a,
		    struct drm_pairs *pairs, struct la_capset *set, struct la_why *why)
{
	struct la_constraints c = {0};
	int ret = check_size(dev, usage, a, &c, why);

	if (ret < 0)
		return ret;
	c.pitch_align[0] = drm_dev_pitch_align(dev);
	drm_dbg(dev, "pitch rule: %s", dev->pitch_reason);
	/* the device reaches no memory above its DMA mask, whoever allocates */
	c.dma_addr_bits = dev->dma_bits;
	for (size_t i = 0; i < pairs->n; i++) {
		struct la_candidate cand = {
			.format = pairs->v[i].format,
			.modifier = pairs->v[i].modifier,
			.constraints = c,
		};
		/* the CPU cannot interpret tiled or implicit layouts */
		if ((usage & CPU_USAGES) && cand.modifier != DRM_FORMAT_MOD_LINEAR)
			continue;
		ret = la_capset_add_candidate(set, &cand);
		if (ret < 0)
			return ret;
	}
	return 0;
}

int drm_get_capabilities(struct drm_dev *dev, uint64_t usage, const struct la_assertion *a,
			 struct la_capset *set, struct la_why *why)
{
	struct drm_pairs pairs = {0};
	const char *reason;
	enum la_import_rule rule;
	bool have = false;
	int ret = check_usage(dev, usage, why);

	if (ret == 0 && (usage & KMS_USAGES))
		ret = kms_pairs(dev, usage, &pairs, &have, why);
	if (ret == 0 && (usage & GPU_USAGES || !have)) {
		struct drm_pairs gpu = {0};
		ret = gpu_pairs(dev, usage, a, &gpu);
		if (have) {
			keep_common(&pairs, &gpu);
			drm_pairs_free(&gpu);
		} else {
			pairs = gpu;
		}
	}
	if (ret == 0)
		ret = add_implicit(dev, usage, &pairs);
	if (ret == 0)
		ret = fill_set(dev, usage, a, &pairs, set, why);
	drm_pairs_free(&pairs);
	if (ret < 0)
		return ret;
	rule = drm_dev_import_rule(dev, &reason);
	return la_capset_set_import_rule(set, rule, reason);
}
