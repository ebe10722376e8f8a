/* A buffer negotiated for virtio_gpu scanout + vgem render, allocated and
 * imported by liballoc, drawn by the CPU through la_buffer_map, shown with
 * one atomic commit of the framebuffer liballoc made, and checked on a
 * QMP screendump of the virtio-gpu scanout. */
#include "drmtest.h"
#include "kms.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <xf86drm.h>
#include <xf86drmMode.h>
#include <drm_fourcc.h>

/* every channel differs between quadrants, so a swap shows */
static const uint32_t quadrant[4] = {0x20c040, 0xe01030, 0x3050f0, 0xf0f0a0};

static void commit(int fd, const struct vm_kms_pipe *p, uint32_t fb)
{
	uint32_t blob;
	drmModeAtomicReq *req = vm_kms_modeset(fd, p, fb, &blob);

	if (drmModeAtomicCommit(fd, req, DRM_MODE_ATOMIC_ALLOW_MODESET, NULL) != 0)
		vm_fatal("atomic commit of liballoc's framebuffer %u: %s", fb, strerror(errno));
	vm_check(true, "atomic commit of framebuffer %u", fb);
	drmModeAtomicFree(req);
	drmModeDestroyPropertyBlob(fd, blob);
}

int main(void)
{
	struct la_context *ctx = dt_context();
	int fd = vm_open_drm("virtio_gpu", "card", NULL, 0);
	struct la_device *virtio, *vgem;
	struct vm_kms_pipe p;
	struct la_result *res;
	struct la_buffer *buf;
	struct la_import *imp, *vimp;
	struct la_descriptor d;
	uint64_t fb;
	uint8_t *map;
	int ret, bad, got_w, got_h;

	if (fd < 0)
		vm_fatal("no virtio_gpu card");
	/* the caller's own fd: it is the DRM master that commits */
	if (drmSetClientCap(fd, DRM_CLIENT_CAP_ATOMIC, 1) != 0)
		vm_fatal("atomic cap: %s", strerror(errno));
	vm_kms_pick(fd, &p);
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
	vm_fill_quadrants(map, d.planes[0].pitch, w, h, quadrant);
	la_buffer_unmap(buf, 0);

	ret = la_device_import(vgem, LA_USAGE_RENDER, buf, &vimp);
	vm_check(ret == 0, "vgem imports it: %s", ret ? la_last_diagnosis() : "ok");
	if (la_device_import(virtio, LA_USAGE_SCANOUT, buf, &imp) < 0 ||
	    la_import_get_property(imp, "fb_id", &fb) < 0)
		vm_fatal("scanout import: %s", la_last_diagnosis());
	commit(fd, &p, (uint32_t)fb);
	bad = vm_screenshot_quadrants("drm-scanout", (int)w, (int)h, quadrant, &got_w, &got_h);
	vm_check(bad == 0, "screenshot (%dx%d) shows the liballoc buffer exactly (36 sampled pixels)",
		 got_w, got_h);
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
