/* SPDX-License-Identifier: MIT */
/*
 * What the planes of one type can show: the IN_FORMATS blob when the
 * driver takes modifiers, the plane's format list otherwise.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <xf86drm.h>
#include <xf86drmMode.h>
#include <drm_fourcc.h>

#include "drm-backend.h"
#include "in-formats.h"

int drm_pairs_add(struct drm_pairs *p, uint32_t format, uint64_t modifier)
{
	if (drm_pairs_has(p, format, modifier))
		return 0;
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 32;
		void *v = realloc(p->v, cap * sizeof(*p->v));
		if (!v)
			return -ENOMEM;
		p->v = v;
		p->cap = cap;
	}
	p->v[p->n].format = format;
	p->v[p->n].modifier = modifier;
	p->n++;
	return 0;
}

bool drm_pairs_has(const struct drm_pairs *p, uint32_t format, uint64_t modifier)
{
	for (size_t i = 0; i < p->n; i++)
		if (p->v[i].format == format && p->v[i].modifier == modifier)
			return true;
	return false;
}

void drm_pairs_free(struct drm_pairs *p)
{
	free(p->v);
	p->v = NULL;
	p->n = p->cap = 0;
}

static int add_pair(void *data, uint32_t format, uint64_t modifier)
{
	return drm_pairs_add(data, format, modifier);
}

/* Reads IN_FORMATS blob_id into out. 0, or negative with a debug trace. */
static int read_in_formats(struct drm_dev *dev, uint32_t plane_id, uint64_t blob_id,
			   struct drm_pairs *out)
{
	drmModePropertyBlobRes *blob = drmModeGetPropertyBlob(dev->fd, (uint32_t)blob_id);
	const char *why = NULL;
	int ret;

	if (!blob) {
		ret = -errno;
		drm_log(dev, LA_LOG_WARN, "plane %u: IN_FORMATS blob %llu unreadable "
			"(DRM_IOCTL_MODE_GETPROPBLOB: %s)", plane_id, (unsigned long long)blob_id,
			strerror(-ret));
		return ret;
	}
	ret = drm_in_formats_parse(blob->data, blob->length, add_pair, out, &why);
	if (ret == -EINVAL)
		drm_log(dev, LA_LOG_WARN, "plane %u: malformed IN_FORMATS blob (%u bytes): %s",
			plane_id, blob->length, why);
	drmModeFreePropertyBlob(blob);
	return ret;
}

struct plane_props {
	uint64_t type;
	uint64_t in_formats; /* blob id, 0 if absent */
};

static void read_props(struct drm_dev *dev, uint32_t plane_id, struct plane_props *pp)
{
	drmModeObjectProperties *props =
		drmModeObjectGetProperties(dev->fd, plane_id, DRM_MODE_OBJECT_PLANE);

	/* Without a "type" property (no universal planes) every plane the
	 * kernel lists is an overlay. */
	pp->type = DRM_PLANE_TYPE_OVERLAY;
	pp->in_formats = 0;
	for (uint32_t j = 0; props && j < props->count_props; j++) {
		drmModePropertyRes *p = drmModeGetProperty(dev->fd, props->props[j]);
		if (p && strcmp(p->name, "type") == 0)
			pp->type = props->prop_values[j];
		else if (p && strcmp(p->name, "IN_FORMATS") == 0)
			pp->in_formats = props->prop_values[j];
		drmModeFreeProperty(p);
	}
	drmModeFreeObjectProperties(props);
}

static int collect_plane(struct drm_dev *dev, drmModePlane *plane, const struct plane_props *pp,
			 struct drm_pairs *out, const char **source)
{
	int ret;

	/* IN_FORMATS only counts when AddFB2 takes modifiers: without
	 * DRM_CAP_ADDFB2_MODIFIERS a framebuffer cannot name one. */
	if (pp->in_formats && dev->cap_addfb2_modifiers) {
		struct drm_pairs tmp = {0};
		ret = read_in_formats(dev, plane->plane_id, pp->in_formats, &tmp);
		for (size_t i = 0; ret == 0 && i < tmp.n; i++)
			ret = drm_pairs_add(out, tmp.v[i].format, tmp.v[i].modifier);
		drm_pairs_free(&tmp);
		if (ret == -ENOMEM)
			return ret;
		if (ret == 0) {
			*source = "IN_FORMATS";
			return 0;
		}
	}
	/* Plane formats: buffers without a modifier, which for a buffer that
	 * was not tiled by the driver itself means linear. */
	for (uint32_t f = 0; f < plane->count_formats; f++) {
		ret = drm_pairs_add(out, plane->formats[f], DRM_FORMAT_MOD_LINEAR);
		if (ret < 0)
			return ret;
	}
	if (!*source || strcmp(*source, "IN_FORMATS") != 0)
		*source = "plane formats (no IN_FORMATS/DRM_CAP_ADDFB2_MODIFIERS)";
	return 0;
}

int drm_planes_collect(struct drm_dev *dev, uint64_t plane_type, struct drm_pairs *out,
		       const char **source, struct la_why *why)
{
	drmModePlaneRes *pr = drmModeGetPlaneResources(dev->fd);
	int found = 0, ret = 0;

	*source = NULL;
	if (!pr) {
		ret = -errno;
		drm_diag(why, dev, "DRM_IOCTL_MODE_GETPLANERESOURCES failed: %s", strerror(-ret));
		return ret;
	}
	for (uint32_t i = 0; i < pr->count_planes && ret == 0; i++) {
		drmModePlane *plane = drmModeGetPlane(dev->fd, pr->planes[i]);
		struct plane_props pp;
		if (!plane)
			continue;
		read_props(dev, plane->plane_id, &pp);
		if (pp.type == plane_type) {
			found++;
			ret = collect_plane(dev, plane, &pp, out, source);
			drm_dbg(dev, "plane %u (type %llu): %u format(s), from %s", plane->plane_id,
				(unsigned long long)plane_type, plane->count_formats, *source);
		}
		drmModeFreePlane(plane);
	}
	drmModeFreePlaneResources(pr);
	if (ret < 0)
		return ret;
	return found ? 0 : -ENOENT;
}
