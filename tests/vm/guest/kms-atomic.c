/* A dumb buffer of virtio_gpu filled with four coloured quadrants, put on
 * screen with one atomic commit, then checked pixel by pixel on a QMP
 * screendump of the virtio-gpu scanout. */
#include "kms.h"
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
	struct vm_kms_pipe p;
};

/* The plane must take the format of the dumb buffer it will show. */
static void check_plane_format(const struct kms *k)
{
	drmModePlane *pl = drmModeGetPlane(k->fd, k->p.plane);
	bool xrgb = false;

	for (uint32_t f = 0; pl && f < pl->count_formats; f++)
		xrgb |= pl->formats[f] == DRM_FORMAT_XRGB8888;
	vm_check(xrgb, "primary plane %u lists XRGB8888", k->p.plane);
	drmModeFreePlane(pl);
}

static uint32_t make_fb(struct kms *k, uint32_t *handle)
{
	uint32_t w = k->p.mode.hdisplay, h = k->p.mode.vdisplay, pitch, fb;
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
	vm_fill_quadrants(map, pitch, w, h, quadrant);
	munmap(map, size);
	handles[0] = *handle;
	pitches[0] = pitch;
	if (drmModeAddFB2(k->fd, w, h, DRM_FORMAT_XRGB8888, handles, pitches, offsets, &fb, 0) != 0)
		vm_fatal("ADDFB2 XRGB8888: %s", strerror(errno));
	return fb;
}

static void commit(struct kms *k, uint32_t fb)
{
	uint32_t blob;
	drmModeAtomicReq *req = vm_kms_modeset(k->fd, &k->p, fb, &blob);
	int ret;

	ret = drmModeAtomicCommit(k->fd, req, DRM_MODE_ATOMIC_TEST_ONLY | DRM_MODE_ATOMIC_ALLOW_MODESET,
				  NULL);
	vm_check(ret == 0, "atomic TEST_ONLY commit: %s", ret ? strerror(errno) : "accepted");
	ret = drmModeAtomicCommit(k->fd, req, DRM_MODE_ATOMIC_ALLOW_MODESET, NULL);
	if (ret != 0)
		vm_fatal("atomic commit: %s", strerror(errno));
	vm_check(true, "atomic modeset commit done");
	drmModeAtomicFree(req);
	drmModeDestroyPropertyBlob(k->fd, blob);
}

int main(void)
{
	struct kms k = { 0 };
	uint32_t handle, fb;
	int bad, got_w, got_h;

	k.fd = vm_open_drm("virtio_gpu", "card", NULL, 0);
	if (k.fd < 0)
		vm_fatal("no virtio_gpu primary node");
	if (drmSetClientCap(k.fd, DRM_CLIENT_CAP_UNIVERSAL_PLANES, 1) != 0 ||
	    drmSetClientCap(k.fd, DRM_CLIENT_CAP_ATOMIC, 1) != 0)
		vm_fatal("virtio_gpu refuses the atomic client cap: %s", strerror(errno));
	vm_kms_pick(k.fd, &k.p);
	check_plane_format(&k);
	fb = make_fb(&k, &handle);
	commit(&k, fb);

	bad = vm_screenshot_quadrants("kms-quadrants", k.p.mode.hdisplay, k.p.mode.vdisplay,
				      quadrant, &got_w, &got_h);
	vm_check(got_w == k.p.mode.hdisplay && got_h == k.p.mode.vdisplay,
		 "screenshot size %dx%d matches the mode", got_w, got_h);
	vm_check(bad == 0, "screenshot shows the four quadrants exactly (36 sampled pixels)");
	drmModeRmFB(k.fd, fb);
	drmModeDestroyDumbBuffer(k.fd, handle);
	close(k.fd);
	return vm_exit_status();
}
