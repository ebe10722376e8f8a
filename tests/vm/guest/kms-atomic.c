/* A dumb buffer of virtio_gpu filled with four coloured quadrants, put on
 * screen with one atomic commit, then checked pixel by pixel on a QMP
 * screendump of the virtio-gpu scanout. */
#include "vmtest.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <xf86drm.h>
#include <xf86drmMode.h>
#include <drm_fourcc.h>

/* XRGB8888 values; all three channels differ in the last one, so that a
 * channel swap anywhere in the path shows. */
static const uint32_t quadrant[4] = { 0xff0000, 0x00ff00, 0x0000ff, 0xc08040 };

struct kms {
	int fd;
	uint32_t conn, crtc, plane;
	drmModeModeInfo mode;
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
	if (!id)
		vm_fatal("object %u has no property %s", obj, name);
	return id;
}

static uint64_t prop_value(int fd, uint32_t obj, uint32_t type, const char *name)
{
	drmModeObjectProperties *props = drmModeObjectGetProperties(fd, obj, type);
	uint32_t id = prop_id(fd, obj, type, name);
	uint64_t v = 0;

	for (uint32_t i = 0; props && i < props->count_props; i++)
		if (props->props[i] == id)
			v = props->prop_values[i];
	drmModeFreeObjectProperties(props);
	return v;
}

static void pick_pipe(struct kms *k)
{
	drmModeRes *res = drmModeGetResources(k->fd);
	drmModePlaneRes *planes = drmModeGetPlaneResources(k->fd);
	int crtc_index = -1;

	if (!res || !planes)
		vm_fatal("drmModeGetResources/GetPlaneResources: %s", strerror(errno));
	for (int i = 0; i < res->count_connectors && !k->conn; i++) {
		drmModeConnector *c = drmModeGetConnector(k->fd, res->connectors[i]);

		if (c && c->connection == DRM_MODE_CONNECTED && c->count_modes > 0) {
			k->conn = c->connector_id;
			k->mode = c->modes[0];
			for (int m = 0; m < c->count_modes; m++)
				if (c->modes[m].type & DRM_MODE_TYPE_PREFERRED) {
					k->mode = c->modes[m];
					break;
				}
		}
		drmModeFreeConnector(c);
	}
	if (!k->conn)
		vm_fatal("no connected connector with a mode");
	/* One CRTC on virtio_gpu per scanout; take the first. */
	if (res->count_crtcs < 1)
		vm_fatal("no CRTC");
	k->crtc = res->crtcs[0];
	crtc_index = 0;
	for (uint32_t i = 0; i < planes->count_planes && !k->plane; i++) {
		drmModePlane *p = drmModeGetPlane(k->fd, planes->planes[i]);

		if (p && (p->possible_crtcs & (1u << crtc_index)) &&
		    prop_value(k->fd, p->plane_id, DRM_MODE_OBJECT_PLANE, "type") == DRM_PLANE_TYPE_PRIMARY) {
			bool xrgb = false;

			for (uint32_t f = 0; f < p->count_formats; f++)
				xrgb |= p->formats[f] == DRM_FORMAT_XRGB8888;
			vm_check(xrgb, "primary plane %u lists XRGB8888", p->plane_id);
			k->plane = p->plane_id;
		}
		drmModeFreePlane(p);
	}
	if (!k->plane)
		vm_fatal("no primary plane for CRTC %u", k->crtc);
	vm_note("connector %u, CRTC %u, plane %u, mode %s %ux%u", k->conn, k->crtc, k->plane,
		k->mode.name, k->mode.hdisplay, k->mode.vdisplay);
	drmModeFreePlaneResources(planes);
	drmModeFreeResources(res);
}

static uint32_t make_fb(struct kms *k, uint32_t *handle)
{
	uint32_t w = k->mode.hdisplay, h = k->mode.vdisplay, pitch, fb;
	uint32_t handles[4] = { 0 }, pitches[4] = { 0 }, offsets[4] = { 0 };
	uint64_t size, offset;
	uint8_t *map;

	if (drmModeCreateDumbBuffer(k->fd, w, h, 32, 0, handle, &pitch, &size) != 0)
		vm_fatal("CREATE_DUMB %ux%u: %s", w, h, strerror(errno));
	vm_check(pitch >= w * 4 && size >= (uint64_t)pitch * h, "dumb buffer pitch %u size %llu",
		 pitch, (unsigned long long)size);
	if (drmModeMapDumbBuffer(k->fd, *handle, &offset) != 0)
		vm_fatal("MAP_DUMB: %s", strerror(errno));
	map = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, k->fd, (off_t)offset);
	if (map == MAP_FAILED)
		vm_fatal("mmap dumb buffer: %s", strerror(errno));
	for (uint32_t y = 0; y < h; y++) {
		uint32_t *row = (uint32_t *)(map + (size_t)y * pitch);

		for (uint32_t x = 0; x < w; x++)
			row[x] = quadrant[(y >= h / 2) * 2 + (x >= w / 2)];
	}
	munmap(map, size);
	handles[0] = *handle;
	pitches[0] = pitch;
	if (drmModeAddFB2(k->fd, w, h, DRM_FORMAT_XRGB8888, handles, pitches, offsets, &fb, 0) != 0)
		vm_fatal("ADDFB2 XRGB8888: %s", strerror(errno));
	return fb;
}

static void commit(struct kms *k, uint32_t fb)
{
	drmModeAtomicReq *req = drmModeAtomicAlloc();
	uint32_t blob, w = k->mode.hdisplay, h = k->mode.vdisplay;
	uint32_t plane = DRM_MODE_OBJECT_PLANE;
	int ret;

	if (drmModeCreatePropertyBlob(k->fd, &k->mode, sizeof(k->mode), &blob) != 0)
		vm_fatal("mode blob: %s", strerror(errno));
	drmModeAtomicAddProperty(req, k->crtc, prop_id(k->fd, k->crtc, DRM_MODE_OBJECT_CRTC, "MODE_ID"), blob);
	drmModeAtomicAddProperty(req, k->crtc, prop_id(k->fd, k->crtc, DRM_MODE_OBJECT_CRTC, "ACTIVE"), 1);
	drmModeAtomicAddProperty(req, k->conn,
				 prop_id(k->fd, k->conn, DRM_MODE_OBJECT_CONNECTOR, "CRTC_ID"), k->crtc);
	drmModeAtomicAddProperty(req, k->plane, prop_id(k->fd, k->plane, plane, "FB_ID"), fb);
	drmModeAtomicAddProperty(req, k->plane, prop_id(k->fd, k->plane, plane, "CRTC_ID"), k->crtc);
	drmModeAtomicAddProperty(req, k->plane, prop_id(k->fd, k->plane, plane, "SRC_X"), 0);
	drmModeAtomicAddProperty(req, k->plane, prop_id(k->fd, k->plane, plane, "SRC_Y"), 0);
	drmModeAtomicAddProperty(req, k->plane, prop_id(k->fd, k->plane, plane, "SRC_W"), (uint64_t)w << 16);
	drmModeAtomicAddProperty(req, k->plane, prop_id(k->fd, k->plane, plane, "SRC_H"), (uint64_t)h << 16);
	drmModeAtomicAddProperty(req, k->plane, prop_id(k->fd, k->plane, plane, "CRTC_X"), 0);
	drmModeAtomicAddProperty(req, k->plane, prop_id(k->fd, k->plane, plane, "CRTC_Y"), 0);
	drmModeAtomicAddProperty(req, k->plane, prop_id(k->fd, k->plane, plane, "CRTC_W"), w);
	drmModeAtomicAddProperty(req, k->plane, prop_id(k->fd, k->plane, plane, "CRTC_H"), h);

	ret = drmModeAtomicCommit(k->fd, req, DRM_MODE_ATOMIC_TEST_ONLY | DRM_MODE_ATOMIC_ALLOW_MODESET, NULL);
	vm_check(ret == 0, "atomic TEST_ONLY commit: %s", ret ? strerror(errno) : "accepted");
	ret = drmModeAtomicCommit(k->fd, req, DRM_MODE_ATOMIC_ALLOW_MODESET, NULL);
	if (ret != 0)
		vm_fatal("atomic commit: %s", strerror(errno));
	vm_check(true, "atomic modeset commit done");
	drmModeAtomicFree(req);
	drmModeDestroyPropertyBlob(k->fd, blob);
}

/* Samples the centre and the inner corners of every quadrant. */
static int count_bad_pixels(const struct vm_image *img, const struct kms *k, bool print)
{
	int w = k->mode.hdisplay, h = k->mode.vdisplay, bad = 0;

	for (int q = 0; q < 4; q++) {
		int x0 = (q & 1) ? w / 2 : 0, y0 = (q & 2) ? h / 2 : 0;
		int x1 = (q & 1) ? w - 1 : w / 2 - 1, y1 = (q & 2) ? h - 1 : h / 2 - 1;
		int xs[3] = { x0, (x0 + x1) / 2, x1 }, ys[3] = { y0, (y0 + y1) / 2, y1 };

		for (int i = 0; i < 9; i++) {
			int x = xs[i % 3], y = ys[i / 3];
			const uint8_t *p = img->rgb + ((size_t)y * img->width + x) * 3;
			uint32_t got = (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];

			if (got != quadrant[q]) {
				bad++;
				if (print)
					vm_note("pixel (%d,%d): got #%06x, want #%06x", x, y, got, quadrant[q]);
			}
		}
	}
	return bad;
}

int main(void)
{
	struct kms k = { 0 };
	struct vm_image img = { 0 };
	uint32_t handle, fb;
	int bad = -1;

	k.fd = vm_open_drm("virtio_gpu", "card", NULL, 0);
	if (k.fd < 0)
		vm_fatal("no virtio_gpu primary node");
	if (drmSetClientCap(k.fd, DRM_CLIENT_CAP_UNIVERSAL_PLANES, 1) != 0 ||
	    drmSetClientCap(k.fd, DRM_CLIENT_CAP_ATOMIC, 1) != 0)
		vm_fatal("virtio_gpu refuses the atomic client cap: %s", strerror(errno));
	pick_pipe(&k);
	fb = make_fb(&k, &handle);
	commit(&k, fb);

	/* QEMU updates its copy of the scanout when it processes the flush
	 * the commit queued; the commit can return before that, so a first
	 * screenshot may still show the old surface. Retry a little. */
	for (int attempt = 1; attempt <= 3 && bad != 0; attempt++) {
		vm_image_free(&img);
		if (vm_screenshot("kms-quadrants", &img) != 0)
			vm_fatal("screenshot failed");
		if (img.width != k.mode.hdisplay || img.height != k.mode.vdisplay) {
			vm_note("attempt %d: screenshot is %dx%d", attempt, img.width, img.height);
		} else {
			bad = count_bad_pixels(&img, &k, attempt == 3);
			vm_note("attempt %d: %d of 36 sampled pixels differ", attempt, bad);
		}
		if (bad != 0)
			usleep(200 * 1000);
	}
	vm_check(img.width == k.mode.hdisplay && img.height == k.mode.vdisplay,
		 "screenshot size %dx%d matches the mode", img.width, img.height);
	vm_check(bad == 0, "screenshot shows the four quadrants exactly (36 sampled pixels)");
	vm_image_free(&img);
	drmModeRmFB(k.fd, fb);
	drmModeDestroyDumbBuffer(k.fd, handle);
	close(k.fd);
	return vm_exit_status();
}
