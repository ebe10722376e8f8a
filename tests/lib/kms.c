/* SPDX-License-Identifier: MIT */
#include "kms.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <xf86drm.h>

#include "vmtest.h"

uint32_t vm_kms_prop(int fd, uint32_t obj, uint32_t type, const char *name, uint64_t *value)
{
	drmModeObjectProperties *props = drmModeObjectGetProperties(fd, obj, type);
	uint32_t id = 0;

	for (uint32_t i = 0; props && i < props->count_props && !id; i++) {
		drmModePropertyRes *p = drmModeGetProperty(fd, props->props[i]);

		if (p && strcmp(p->name, name) == 0) {
			id = p->prop_id;
			if (value)
				*value = props->prop_values[i];
		}
		drmModeFreeProperty(p);
	}
	drmModeFreeObjectProperties(props);
	if (!id)
		vm_fatal("object %u has no property %s", obj, name);
	return id;
}

/* The first connected connector with a mode, the preferred one if any. */
static void pick_connector(int fd, const drmModeRes *res, struct vm_kms_pipe *p)
{
	for (int i = 0; i < res->count_connectors && !p->conn; i++) {
		drmModeConnector *c = drmModeGetConnector(fd, res->connectors[i]);

		if (c && c->connection == DRM_MODE_CONNECTED && c->count_modes > 0) {
			p->conn = c->connector_id;
			p->mode = c->modes[0];
			for (int m = 0; m < c->count_modes; m++)
				if (c->modes[m].type & DRM_MODE_TYPE_PREFERRED) {
					p->mode = c->modes[m];
					break;
				}
		}
		drmModeFreeConnector(c);
	}
	if (!p->conn)
		vm_fatal("no connected connector with a mode");
}

void vm_kms_pick(int fd, struct vm_kms_pipe *p)
{
	drmModeRes *res = drmModeGetResources(fd);
	drmModePlaneRes *planes = drmModeGetPlaneResources(fd);

	memset(p, 0, sizeof(*p));
	if (!res || !planes)
		vm_fatal("drmModeGetResources/GetPlaneResources: %s", strerror(errno));
	pick_connector(fd, res, p);
	/* One CRTC on virtio_gpu per scanout; take the first. */
	if (res->count_crtcs < 1)
		vm_fatal("no CRTC");
	p->crtc = res->crtcs[0];
	for (uint32_t i = 0; i < planes->count_planes && !p->plane; i++) {
		drmModePlane *pl = drmModeGetPlane(fd, planes->planes[i]);
		uint64_t type = 0;

		if (pl && (pl->possible_crtcs & 1u)) {
			vm_kms_prop(fd, pl->plane_id, DRM_MODE_OBJECT_PLANE, "type", &type);
			if (type == DRM_PLANE_TYPE_PRIMARY)
				p->plane = pl->plane_id;
		}
		drmModeFreePlane(pl);
	}
	if (!p->plane)
		vm_fatal("no primary plane for CRTC %u", p->crtc);
	vm_note("connector %u, CRTC %u, plane %u, mode %s %ux%u", p->conn, p->crtc, p->plane,
		p->mode.name, p->mode.hdisplay, p->mode.vdisplay);
	drmModeFreePlaneResources(planes);
	drmModeFreeResources(res);
}

drmModeAtomicReq *vm_kms_modeset(int fd, const struct vm_kms_pipe *p, uint32_t fb,
				 uint32_t *blob)
{
	uint32_t w = p->mode.hdisplay, h = p->mode.vdisplay;
	const struct {
		const char *name;
		uint64_t v;
	} plane[] = {{"FB_ID", fb}, {"CRTC_ID", p->crtc}, {"SRC_X", 0}, {"SRC_Y", 0},
		     {"SRC_W", (uint64_t)w << 16}, {"SRC_H", (uint64_t)h << 16}, {"CRTC_X", 0},
		     {"CRTC_Y", 0}, {"CRTC_W", w}, {"CRTC_H", h}};
	drmModeAtomicReq *req = drmModeAtomicAlloc();

	if (!req || drmModeCreatePropertyBlob(fd, &p->mode, sizeof(p->mode), blob) != 0)
		vm_fatal("atomic request with a mode blob: %s", strerror(errno));
	drmModeAtomicAddProperty(req, p->crtc,
				 vm_kms_prop(fd, p->crtc, DRM_MODE_OBJECT_CRTC, "MODE_ID", NULL), *blob);
	drmModeAtomicAddProperty(req, p->crtc,
				 vm_kms_prop(fd, p->crtc, DRM_MODE_OBJECT_CRTC, "ACTIVE", NULL), 1);
	drmModeAtomicAddProperty(req, p->conn,
				 vm_kms_prop(fd, p->conn, DRM_MODE_OBJECT_CONNECTOR, "CRTC_ID", NULL),
				 p->crtc);
	for (size_t i = 0; i < sizeof(plane) / sizeof(plane[0]); i++)
		drmModeAtomicAddProperty(req, p->plane,
					 vm_kms_prop(fd, p->plane, DRM_MODE_OBJECT_PLANE, plane[i].name,
						     NULL),
					 plane[i].v);
	return req;
}

void vm_fill_quadrants(uint8_t *map, size_t pitch, uint32_t w, uint32_t h, const uint32_t q[4])
{
	for (uint32_t y = 0; y < h; y++) {
		uint32_t *row = (uint32_t *)(map + (size_t)y * pitch);

		for (uint32_t x = 0; x < w; x++)
			row[x] = q[(y >= h / 2) * 2 + (x >= w / 2)];
	}
}

/* Samples the centre and the inner corners of every quadrant. */
static int bad_pixels(const struct vm_image *img, const uint32_t q[4], bool print)
{
	int w = img->width, h = img->height, bad = 0;

	for (int n = 0; n < 4; n++) {
		int x0 = (n & 1) ? w / 2 : 0, y0 = (n & 2) ? h / 2 : 0;
		int x1 = (n & 1) ? w - 1 : w / 2 - 1, y1 = (n & 2) ? h - 1 : h / 2 - 1;
		int xs[3] = {x0, (x0 + x1) / 2, x1}, ys[3] = {y0, (y0 + y1) / 2, y1};

		for (int i = 0; i < 9; i++) {
			int x = xs[i % 3], y = ys[i / 3];
			const uint8_t *px = img->rgb + ((size_t)y * img->width + x) * 3;
			uint32_t got = (uint32_t)px[0] << 16 | (uint32_t)px[1] << 8 | px[2];

			if (got != q[n]) {
				bad++;
				if (print)
					vm_note("pixel (%d,%d): got #%06x, want #%06x", x, y, got, q[n]);
			}
		}
	}
	return bad;
}

int vm_screenshot_quadrants(const char *name, int w, int h, const uint32_t q[4], int *got_w,
			    int *got_h)
{
	struct vm_image img = {0};
	int bad = -1;

	for (int attempt = 1; attempt <= 3 && bad != 0; attempt++) {
		vm_image_free(&img);
		if (vm_screenshot(name, &img) != 0)
			vm_fatal("screenshot failed");
		bad = img.width == w && img.height == h ? bad_pixels(&img, q, attempt == 3) : -1;
		vm_note("attempt %d: screenshot %dx%d, %d of 36 sampled pixels differ", attempt,
			img.width, img.height, bad);
		if (bad != 0)
			usleep(200 * 1000);
	}
	*got_w = img.width;
	*got_h = img.height;
	vm_image_free(&img);
	return bad;
}
