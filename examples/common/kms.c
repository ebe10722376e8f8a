/* SPDX-License-Identifier: MIT */
/*
 * Atomic KMS output for the examples. Plain libdrm: what any compositor
 * does once it has a framebuffer id.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xf86drm.h>
#include <xf86drmMode.h>

#include "kms.h"

enum { CONN_CRTC_ID, CRTC_MODE_ID, CRTC_ACTIVE, PLANE_FB_ID, PLANE_CRTC_ID, PLANE_SRC_X,
       PLANE_SRC_Y, PLANE_SRC_W, PLANE_SRC_H, PLANE_CRTC_X, PLANE_CRTC_Y, PLANE_CRTC_W,
       PLANE_CRTC_H, N_PROPS };

struct kms_output {
	int fd;
	uint32_t conn_id, crtc_id, plane_id;
	uint32_t props[N_PROPS];
	drmModeModeInfo *modes; /* the connector's, copied */
	int n_modes;
	drmModeModeInfo mode;   /* in use after kms_output_show() */
	uint32_t mode_blob;
	drmModeCrtc *saved;     /* what the CRTC showed before us */
	drmModeAtomicReq *flip; /* reused by every flip: no allocation per frame */
	bool active, pending;
	char desc[256];
};

static uint32_t prop_id(int fd, uint32_t obj, uint32_t type, const char *name)
{
	drmModeObjectProperties *props = drmModeObjectGetProperties(fd, obj, type);
	uint32_t id = 0;

	for (uint32_t i = 0; props && i < props->count_props && !id; i++) {
		drmModePropertyRes *p = drmModeGetProperty(fd, props->props[i]);
		if (p && strcmp(p->name, name) == 0)
			id = p->prop_id;
		drmModeFreeProperty(p);
	}
	drmModeFreeObjectProperties(props);
	return id;
}

static uint64_t prop_value(int fd, uint32_t obj, uint32_t type, const char *name)
{
	drmModeObjectProperties *props = drmModeObjectGetProperties(fd, obj, type);
	uint64_t v = UINT64_MAX;

	for (uint32_t i = 0; props && i < props->count_props; i++) {
		drmModePropertyRes *p = drmModeGetProperty(fd, props->props[i]);
		if (p && strcmp(p->name, name) == 0)
			v = props->prop_values[i];
		drmModeFreeProperty(p);
	}
	drmModeFreeObjectProperties(props);
	return v;
}

/* A CRTC the connector's encoders can drive, as an index into res->crtcs. */
static int pick_crtc(int fd, const drmModeRes *res, const drmModeConnector *conn)
{
	for (int e = 0; e < conn->count_encoders; e++) {
		drmModeEncoder *enc = drmModeGetEncoder(fd, conn->encoders[e]);
		uint32_t possible = enc ? enc->possible_crtcs : 0;
		drmModeFreeEncoder(enc);
		for (int c = 0; c < res->count_crtcs; c++)
			if (possible & (1u << c))
				return c;
	}
	return -1;
}

/* The primary plane of CRTC index crtc_index that scans out format. */
static uint32_t pick_plane(int fd, int crtc_index, uint32_t format)
{
	drmModePlaneRes *pr = drmModeGetPlaneResources(fd);
	uint32_t found = 0;

	for (uint32_t i = 0; pr && i < pr->count_planes && !found; i++) {
		drmModePlane *p = drmModeGetPlane(fd, pr->planes[i]);
		bool fmt = false;
		if (p && (p->possible_crtcs & (1u << crtc_index)) &&
		    prop_value(fd, p->plane_id, DRM_MODE_OBJECT_PLANE, "type") ==
			    DRM_PLANE_TYPE_PRIMARY) {
			for (uint32_t f = 0; f < p->count_formats; f++)
				fmt |= p->formats[f] == format;
			if (fmt)
				found = p->plane_id;
		}
		drmModeFreePlane(p);
	}
	drmModeFreePlaneResources(pr);
	return found;
}

static int find_props(struct kms_output *o)
{
	static const struct {
		int obj;
		const char *name;
	} names[N_PROPS] = {
		[CONN_CRTC_ID] = {0, "CRTC_ID"}, [CRTC_MODE_ID] = {1, "MODE_ID"},
		[CRTC_ACTIVE] = {1, "ACTIVE"},   [PLANE_FB_ID] = {2, "FB_ID"},
		[PLANE_CRTC_ID] = {2, "CRTC_ID"}, [PLANE_SRC_X] = {2, "SRC_X"},
		[PLANE_SRC_Y] = {2, "SRC_Y"},    [PLANE_SRC_W] = {2, "SRC_W"},
		[PLANE_SRC_H] = {2, "SRC_H"},    [PLANE_CRTC_X] = {2, "CRTC_X"},
		[PLANE_CRTC_Y] = {2, "CRTC_Y"},  [PLANE_CRTC_W] = {2, "CRTC_W"},
		[PLANE_CRTC_H] = {2, "CRTC_H"},
	};
	const uint32_t ids[3] = {o->conn_id, o->crtc_id, o->plane_id};
	const uint32_t types[3] = {DRM_MODE_OBJECT_CONNECTOR, DRM_MODE_OBJECT_CRTC,
				   DRM_MODE_OBJECT_PLANE};

	for (int i = 0; i < N_PROPS; i++) {
		o->props[i] = prop_id(o->fd, ids[names[i].obj], types[names[i].obj], names[i].name);
		if (!o->props[i])
			return -ENOENT;
	}
	return 0;
}

int kms_output_open(int fd, uint32_t format, struct kms_output **out, char *err, size_t len)
{
	struct kms_output *o;
	drmModeRes *res;
	int ret = -ENODEV;

	*out = NULL;
	/* Atomic implies universal planes: the primary plane becomes visible. */
	if (drmSetClientCap(fd, DRM_CLIENT_CAP_ATOMIC, 1) != 0) {
		snprintf(err, len, "the driver has no atomic modesetting (DRM_CLIENT_CAP_ATOMIC: %s)",
			 strerror(errno));
		return -ENOTSUP;
	}
	res = drmModeGetResources(fd);
	if (!res) {
		snprintf(err, len, "no KMS resources: %s", strerror(errno));
		return -ENODEV;
	}
	o = calloc(1, sizeof(*o));
	if (!o) {
		drmModeFreeResources(res);
		return -ENOMEM;
	}
	o->fd = fd;
	snprintf(err, len, "no connected connector with modes");
	for (int i = 0; i < res->count_connectors && !o->conn_id; i++) {
		drmModeConnector *c = drmModeGetConnector(fd, res->connectors[i]);
		int ci = c && c->connection == DRM_MODE_CONNECTED && c->count_modes > 0
				 ? pick_crtc(fd, res, c)
				 : -1;
		uint32_t plane = ci >= 0 ? pick_plane(fd, ci, format) : 0;
		if (ci >= 0 && !plane)
			snprintf(err, len, "no primary plane of the connector's CRTC takes the format");
		if (plane) {
			o->conn_id = c->connector_id;
			o->crtc_id = res->crtcs[ci];
			o->plane_id = plane;
			o->modes = malloc(sizeof(*o->modes) * (size_t)c->count_modes);
			if (o->modes) {
				memcpy(o->modes, c->modes, sizeof(*o->modes) * (size_t)c->count_modes);
				o->n_modes = c->count_modes;
			}
			snprintf(o->desc, sizeof(o->desc), "connector %s-%u, CRTC %u, plane %u",
				 drmModeGetConnectorTypeName(c->connector_type) ?
					 drmModeGetConnectorTypeName(c->connector_type) : "?",
				 c->connector_type_id, o->crtc_id, o->plane_id);
		}
		drmModeFreeConnector(c);
	}
	drmModeFreeResources(res);
	if (o->conn_id && !o->modes)
		ret = -ENOMEM;
	else if (o->conn_id && find_props(o) < 0)
		snprintf(err, len, "the driver lacks a standard atomic property");
	else if (o->conn_id)
		ret = 0;
	if (ret < 0) {
		free(o->modes);
		free(o);
		return ret;
	}
	o->saved = drmModeGetCrtc(fd, o->crtc_id);
	*out = o;
	return 0;
}

struct placement {
	const drmModeModeInfo *mode;
	uint32_t x, y, w, h;
};

static int commit_show(struct kms_output *o, const struct placement *pl, uint32_t fb_id,
		       uint32_t width, uint32_t height, uint32_t flags)
{
	drmModeAtomicReq *req = drmModeAtomicAlloc();
	uint32_t blob = 0;
	int ret;

	if (!req)
		return -ENOMEM;
	if (drmModeCreatePropertyBlob(o->fd, pl->mode, sizeof(*pl->mode), &blob) != 0) {
		ret = -errno;
		drmModeAtomicFree(req);
		return ret;
	}
	drmModeAtomicAddProperty(req, o->conn_id, o->props[CONN_CRTC_ID], o->crtc_id);
	drmModeAtomicAddProperty(req, o->crtc_id, o->props[CRTC_MODE_ID], blob);
	drmModeAtomicAddProperty(req, o->crtc_id, o->props[CRTC_ACTIVE], 1);
	drmModeAtomicAddProperty(req, o->plane_id, o->props[PLANE_FB_ID], fb_id);
	drmModeAtomicAddProperty(req, o->plane_id, o->props[PLANE_CRTC_ID], o->crtc_id);
	drmModeAtomicAddProperty(req, o->plane_id, o->props[PLANE_SRC_X], 0);
	drmModeAtomicAddProperty(req, o->plane_id, o->props[PLANE_SRC_Y], 0);
	drmModeAtomicAddProperty(req, o->plane_id, o->props[PLANE_SRC_W], (uint64_t)width << 16);
	drmModeAtomicAddProperty(req, o->plane_id, o->props[PLANE_SRC_H], (uint64_t)height << 16);
	drmModeAtomicAddProperty(req, o->plane_id, o->props[PLANE_CRTC_X], pl->x);
	drmModeAtomicAddProperty(req, o->plane_id, o->props[PLANE_CRTC_Y], pl->y);
	drmModeAtomicAddProperty(req, o->plane_id, o->props[PLANE_CRTC_W], pl->w);
	drmModeAtomicAddProperty(req, o->plane_id, o->props[PLANE_CRTC_H], pl->h);
	ret = drmModeAtomicCommit(o->fd, req, flags | DRM_MODE_ATOMIC_ALLOW_MODESET, o) ? -errno : 0;
	drmModeAtomicFree(req);
	if (ret < 0 || (flags & DRM_MODE_ATOMIC_TEST_ONLY)) {
		drmModeDestroyPropertyBlob(o->fd, blob);
		return ret;
	}
	if (o->mode_blob)
		drmModeDestroyPropertyBlob(o->fd, o->mode_blob);
	o->mode_blob = blob;
	return 0;
}

static const drmModeModeInfo *start_mode(const struct kms_output *o)
{
	/* Keep the mode the screen already has (a VT console): no flicker. */
	if (o->saved && o->saved->mode_valid) {
		for (int i = 0; i < o->n_modes; i++)
			if (memcmp(&o->modes[i], &o->saved->mode, sizeof(o->modes[i])) == 0)
				return &o->modes[i];
	}
	for (int i = 0; i < o->n_modes; i++)
		if (o->modes[i].type & DRM_MODE_TYPE_PREFERRED)
			return &o->modes[i];
	return &o->modes[0];
}

int kms_output_show(struct kms_output *o, uint32_t fb_id, uint32_t width, uint32_t height,
		    char *err, size_t len)
{
	const drmModeModeInfo *pref = start_mode(o);
	struct placement cand[3];
	int n = 0, ret = -EINVAL;

	if (pref->hdisplay >= width && pref->vdisplay >= height)
		cand[n++] = (struct placement){pref, (pref->hdisplay - width) / 2,
					       (pref->vdisplay - height) / 2, width, height};
	/* Primary planes of many drivers (virtio_gpu among them) must cover
	 * the whole CRTC: then the mode has to be the frame's size. */
	for (int i = 0; i < o->n_modes; i++) {
		if (o->modes[i].hdisplay == width && o->modes[i].vdisplay == height) {
			cand[n++] = (struct placement){&o->modes[i], 0, 0, width, height};
			break;
		}
	}
	cand[n++] = (struct placement){pref, 0, 0, pref->hdisplay, pref->vdisplay};

	for (int i = 0; i < n; i++) {
		ret = commit_show(o, &cand[i], fb_id, width, height, DRM_MODE_ATOMIC_TEST_ONLY);
		if (ret < 0)
			continue;
		ret = commit_show(o, &cand[i], fb_id, width, height, 0);
		if (ret < 0)
			break;
		o->mode = *cand[i].mode;
		o->active = true;
		snprintf(o->desc + strlen(o->desc), sizeof(o->desc) - strlen(o->desc),
			 ", mode %s (frame at %u,%u %ux%u)", o->mode.name, cand[i].x, cand[i].y,
			 cand[i].w, cand[i].h);
		return 0;
	}
	snprintf(err, len, "the display takes no mode/plane placement for a %ux%u frame "
		 "(atomic commit: %s)", width, height, strerror(-ret));
	return ret;
}

int kms_output_flip(struct kms_output *o, uint32_t fb_id)
{
	drmModeAtomicReq *req;
	int ret;

	if (o->pending)
		return -EBUSY;
	if (!o->flip)
		o->flip = drmModeAtomicAlloc();
	req = o->flip;
	if (!req)
		return -ENOMEM;
	drmModeAtomicSetCursor(req, 0);
	if (drmModeAtomicAddProperty(req, o->plane_id, o->props[PLANE_FB_ID], fb_id) < 0)
		return -ENOMEM;
	ret = drmModeAtomicCommit(o->fd, req, DRM_MODE_ATOMIC_NONBLOCK | DRM_MODE_PAGE_FLIP_EVENT,
				  o) ? -errno : 0;
	o->pending = ret == 0;
	return ret;
}

bool kms_output_flip_pending(const struct kms_output *o)
{
	return o->pending;
}

int kms_output_get_fd(const struct kms_output *o)
{
	return o->fd;
}

static void flip_done(int fd, unsigned int seq, unsigned int sec, unsigned int usec,
		      unsigned int crtc, void *data)
{
	struct kms_output *o = data;
	(void)fd, (void)seq, (void)sec, (void)usec, (void)crtc;
	o->pending = false;
}

int kms_output_dispatch(struct kms_output *o)
{
	drmEventContext ev = {.version = 3, .page_flip_handler2 = flip_done};
	bool was = o->pending;

	drmHandleEvent(o->fd, &ev);
	return was && !o->pending;
}

const char *kms_output_describe(const struct kms_output *o)
{
	return o->desc;
}

void kms_output_get_mode(const struct kms_output *o, uint32_t *width, uint32_t *height)
{
	*width = o->mode.hdisplay;
	*height = o->mode.vdisplay;
}

static void switch_off(struct kms_output *o)
{
	drmModeAtomicReq *req = drmModeAtomicAlloc();

	if (!req)
		return;
	drmModeAtomicAddProperty(req, o->plane_id, o->props[PLANE_FB_ID], 0);
	drmModeAtomicAddProperty(req, o->plane_id, o->props[PLANE_CRTC_ID], 0);
	drmModeAtomicAddProperty(req, o->crtc_id, o->props[CRTC_MODE_ID], 0);
	drmModeAtomicAddProperty(req, o->crtc_id, o->props[CRTC_ACTIVE], 0);
	drmModeAtomicAddProperty(req, o->conn_id, o->props[CONN_CRTC_ID], 0);
	drmModeAtomicCommit(o->fd, req, DRM_MODE_ATOMIC_ALLOW_MODESET, NULL);
	drmModeAtomicFree(req);
}

void kms_output_close(struct kms_output *o)
{
	if (!o)
		return;
	for (int i = 0; i < 10 && o->pending; i++) {
		struct pollfd p = {.fd = o->fd, .events = POLLIN};
		if (poll(&p, 1, 100) > 0)
			kms_output_dispatch(o);
	}
	if (o->active) {
		/* The previous owner's framebuffer (a console) comes back if it
		 * still exists; otherwise the CRTC goes dark rather than keep
		 * pointing at buffers the caller is about to free. */
		if (!o->saved || !o->saved->buffer_id || !o->saved->mode_valid ||
		    drmModeSetCrtc(o->fd, o->crtc_id, o->saved->buffer_id, o->saved->x,
				   o->saved->y, &o->conn_id, 1, &o->saved->mode) != 0)
			switch_off(o);
	}
	if (o->mode_blob)
		drmModeDestroyPropertyBlob(o->fd, o->mode_blob);
	drmModeFreeCrtc(o->saved);
	drmModeAtomicFree(o->flip);
	free(o->modes);
	free(o);
}
