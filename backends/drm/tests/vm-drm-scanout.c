/* A buffer negotiated for virtio_gpu scanout + vgem render, allocated and
 * imported by liballoc, drawn by the CPU through la_buffer_map, shown with
 * one atomic commit of the framebuffer liballoc made, and checked on a
 * QMP screendump of the virtio-gpu scanout. */
#include "drmtest.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <xf86drm.h>
#include <xf86drmMode.h>
#include <drm_fourcc.h>

/* every channel differs between quadrants, so a swap shows */
static const uint32_t quadrant[4] = {0x20c040, 0xe01030, 0x3050f0, 0xf0f0a0};

struct pipe {
	uint32_t conn, crtc, plane;
	drmModeModeInfo mode;
};

static uint32_t prop(int fd, uint32_t obj, uint32_t type, const char *name, uint64_t *value)
{
	drmModeObjectProperties *props = drmModeObjectGetProperties(fd, obj, type);
	uint32_t id = 0;

	for (uint32_t i = 0; props && i < props->count_props && !id; i++) {
		drmModePropertyRes *p = drmModeGetProperty(fd, props->props[i]);
		if (p && !strcmp(p->name, name)) {
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

static void pick_pipe(int fd, struct pipe *p)
{
	drmModeRes *res = drmModeGetResources(fd);
	drmModePlaneRes *pr = drmModeGetPlaneResources(fd);

	if (!res || !pr || res->count_crtcs < 1)
		vm_fatal("mode resources: %s", strerror(errno));
	for (int i = 0; i < res->count_connectors && !p->conn; i++) {
		drmModeConnector *c = drmModeGetConnector(fd, res->connectors[i]);
		if (c && c->connection == DRM_MODE_CONNECTED && c->count_modes) {
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
	p->crtc = res->crtcs[0];
	for (uint32_t i = 0; i < pr->count_planes && !p->plane; i++) {
		drmModePlane *pl = drmModeGetPlane(fd, pr->planes[i]);
		uint64_t type = 0;
		prop(fd, pl->plane_id, DRM_MODE_OBJECT_PLANE, "type", &type);
		if ((pl->possible_crtcs & 1) && type == DRM_PLANE_TYPE_PRIMARY)
			p->plane = pl->plane_id;
		drmModeFreePlane(pl);
	}
	if (!p->conn || !p->plane)
		vm_fatal("no connected connector or primary plane");
	drmModeFreePlaneResources(pr);
	drmModeFreeResources(res);
}

static void commit(int fd, const struct pipe *p, uint32_t fb)
{
	drmModeAtomicReq *req = drmModeAtomicAlloc();
	uint32_t blob, w = p->mode.hdisplay, h = p->mode.vdisplay, P = DRM_MODE_OBJECT_PLANE;
	const struct {
		const char *name;
		uint64_t v;
	} pv[] = {{"FB_ID", fb}, {"CRTC_ID", p->crtc}, {"SRC_X", 0}, {"SRC_Y", 0},
		  {"SRC_W", (uint64_t)w << 16}, {"SRC_H", (uint64_t)h << 16}, {"CRTC_X", 0},
		  {"CRTC_Y", 0}, {"CRTC_W", w}, {"CRTC_H", h}};

	if (drmModeCreatePropertyBlob(fd, &p->mode, sizeof(p->mode), &blob) != 0)
		vm_fatal("mode blob: %s", strerror(errno));
	drmModeAtomicAddProperty(req, p->crtc, prop(fd, p->crtc, DRM_MODE_OBJECT_CRTC, "MODE_ID", NULL), blob);
	drmModeAtomicAddProperty(req, p->crtc, prop(fd, p->crtc, DRM_MODE_OBJECT_CRTC, "ACTIVE", NULL), 1);
	drmModeAtomicAddProperty(req, p->conn,
				 prop(fd, p->conn, DRM_MODE_OBJECT_CONNECTOR, "CRTC_ID", NULL), p->crtc);
	for (size_t i = 0; i < sizeof(pv) / sizeof(pv[0]); i++)
		drmModeAtomicAddProperty(req, p->plane, prop(fd, p->plane, P, pv[i].name, NULL), pv[i].v);
	if (drmModeAtomicCommit(fd, req, DRM_MODE_ATOMIC_ALLOW_MODESET, NULL) != 0)
		vm_fatal("atomic commit of liballoc's framebuffer %u: %s", fb, strerror(errno));
	vm_check(true, "atomic commit of framebuffer %u", fb);
	drmModeAtomicFree(req);
	drmModeDestroyPropertyBlob(fd, blob);
}

static int bad_pixels(const struct vm_image *img, int w, int h, bool print)
{
	int bad = 0;

	for (int q = 0; q < 4; q++) {
		int x0 = (q & 1) ? w / 2 : 0, y0 = (q & 2) ? h / 2 : 0;
		int x1 = (q & 1) ? w - 1 : w / 2 - 1, y1 = (q & 2) ? h - 1 : h / 2 - 1;
		int xs[3] = {x0, (x0 + x1) / 2, x1}, ys[3] = {y0, (y0 + y1) / 2, y1};
		for (int i = 0; i < 9; i++) {
			const uint8_t *px = img->rgb + ((size_t)ys[i / 3] * img->width + xs[i % 3]) * 3;
			uint32_t got = (uint32_t)px[0] << 16 | (uint32_t)px[1] << 8 | px[2];
			if (got != quadrant[q]) {
				bad++;
				if (print)
					vm_note("(%d,%d): #%06x, want #%06x", xs[i % 3], ys[i / 3], got,
						quadrant[q]);
			}
		}
	}
	return bad;
}

int main(void)
{
	struct la_context *ctx = dt_context();
	int fd = vm_open_drm("virtio_gpu", "card", NULL, 0);
	struct la_device *virtio, *vgem;
	struct pipe p = {0};
	struct la_result *res;
	struct la_buffer *buf;
	struct la_import *imp, *vimp;
	struct la_descriptor d;
	struct vm_image img = {0};
	uint64_t fb;
	uint8_t *map;
	int ret, bad = -1;

	if (fd < 0)
		vm_fatal("no virtio_gpu card");
	/* the caller's own fd: it is the DRM master that commits */
	if (drmSetClientCap(fd, DRM_CLIENT_CAP_ATOMIC, 1) != 0)
		vm_fatal("atomic cap: %s", strerror(errno));
	pick_pipe(fd, &p);
	if (la_device_open_fd(ctx, fd, &virtio) < 0)
		vm_fatal("la_device_open_fd: %s", la_last_diagnosis());
	vgem = dt_open(ctx, "vgem", "renderD");

	uint32_t w = p.mode.hdisplay, h = p.mode.vdisplay, fmt = DRM_FORMAT_XRGB8888;
	struct la_assertion a = {.width = w, .height = h, .formats = &fmt, .n_formats = 1};
	struct la_request rq[2] = {{virtio, LA_USAGE_SCANOUT | LA_USAGE_CPU_WRITE},
				   {vgem, LA_USAGE_RENDER}};
	ret = la_negotiate(ctx, &a, rq, 2, &res);
	if (ret < 0)
		vm_fatal("negotiate %ux%u: %s", w, h, la_last_diagnosis());
	dt_print_result(res);
	if (la_allocate(res, &buf) < 0)
		vm_fatal("allocate: %s", la_last_diagnosis());
	la_buffer_get_descriptor(buf, &d);
	vm_note("buffer from %s, pitch %llu", la_buffer_get_path(buf),
		(unsigned long long)d.planes[0].pitch);
	if (la_buffer_map(buf, 0, LA_MAP_WRITE, (void **)&map) < 0)
		vm_fatal("map: %s", la_last_diagnosis());
	for (uint32_t y = 0; y < h; y++)
		for (uint32_t x = 0; x < w; x++)
			((uint32_t *)(map + y * d.planes[0].pitch))[x] =
				quadrant[(y >= h / 2) * 2 + (x >= w / 2)];
	la_buffer_unmap(buf, 0);

	ret = la_device_import(vgem, LA_USAGE_RENDER, buf, &vimp);
	vm_check(ret == 0, "vgem imports it: %s", ret ? la_last_diagnosis() : "ok");
	if (la_device_import(virtio, LA_USAGE_SCANOUT, buf, &imp) < 0 ||
	    la_import_get_property(imp, "fb_id", &fb) < 0)
		vm_fatal("scanout import: %s", la_last_diagnosis());
	commit(fd, &p, (uint32_t)fb);
	/* QEMU may not have processed the flush when the commit returns */
	for (int attempt = 1; attempt <= 3 && bad != 0; attempt++) {
		vm_image_free(&img);
		if (vm_screenshot("drm-scanout", &img) != 0)
			vm_fatal("screenshot failed");
		if (img.width == (int)w && img.height == (int)h)
			bad = bad_pixels(&img, (int)w, (int)h, attempt == 3);
		vm_note("attempt %d: screenshot %dx%d, %d of 36 sampled pixels differ", attempt,
			img.width, img.height, bad);
		if (bad != 0)
			usleep(200 * 1000);
	}
	vm_check(bad == 0, "screenshot shows the liballoc buffer exactly (36 sampled pixels)");
	vm_image_free(&img);
	if (ret == 0)
		la_import_destroy(vimp);
	/* the framebuffer is on screen: RmFB on release turns the plane off */
	la_import_destroy(imp);
	la_buffer_destroy(buf);
	la_result_destroy(res);
	la_device_unref(vgem);
	la_device_unref(virtio);
	la_context_destroy(ctx);
	close(fd);
	return vm_exit_status();
}
