/* 1000 negotiate-free cycles of allocate, export, import into vgem and
 * virtio_gpu (framebuffer), release: no fd, memory or GEM handle growth.
 * Counts are taken after 20 warm-up cycles (Mesa and libc caches).
 *
 * GEM handles: the kernel gives the lowest free handle of a DRM file
 * (idr_alloc from 1 in drm_gem_handle_create_tail()), and the devices here
 * are opened from our own fds, so liballoc's imports live in our files. A
 * dumb buffer created after the cycles gets the same handle as one created
 * before exactly when no handle was left behind. */
#include "drmtest.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <drm_fourcc.h>
#include <xf86drm.h>

static long rss_pages(void)
{
	FILE *f = fopen("/proc/self/statm", "r");
	long size = 0, rss = 0;

	if (f) {
		if (fscanf(f, "%ld %ld", &size, &rss) != 2)
			rss = 0;
		fclose(f);
	}
	return rss;
}

static void cycle(struct la_result *res, struct la_device *virtio, struct la_device *vgem,
		  int *failures)
{
	struct la_buffer *buf;
	struct la_import *a, *b;
	struct la_descriptor d;

	if (la_allocate(res, &buf) < 0) {
		++*failures;
		return;
	}
	if (la_buffer_export(buf, &d) == 0)
		la_descriptor_close(&d);
	else
		++*failures;
	if (la_device_import(vgem, LA_USAGE_RENDER, buf, &a) == 0)
		la_import_destroy(a);
	else
		++*failures;
	if (la_device_import(virtio, LA_USAGE_SCANOUT, buf, &b) == 0)
		la_import_destroy(b);
	else
		++*failures;
	la_buffer_destroy(buf);
}

/* The handle a new GEM object gets on fd: the lowest free one. */
static uint32_t next_handle(int fd)
{
	struct drm_mode_create_dumb c = {.width = 16, .height = 16, .bpp = 32};
	struct drm_mode_destroy_dumb d;

	if (drmIoctl(fd, DRM_IOCTL_MODE_CREATE_DUMB, &c) != 0)
		vm_fatal("CREATE_DUMB for the handle probe: %s", strerror(errno));
	d.handle = c.handle;
	drmIoctl(fd, DRM_IOCTL_MODE_DESTROY_DUMB, &d);
	return c.handle;
}

/* A device on a DRM file of our own (liballoc keeps a duplicate of fd). */
static struct la_device *open_own(struct la_context *ctx, const char *driver, const char *kind,
				  int *fd)
{
	struct la_device *dev;
	char path[256];

	*fd = vm_open_drm(driver, kind, path, sizeof(path));
	if (*fd < 0)
		vm_fatal("no %s node of %s", kind, driver);
	if (la_device_open_fd(ctx, *fd, &dev) < 0)
		vm_fatal("la_device_open_fd %s: %s", path, la_last_diagnosis());
	return dev;
}

int main(void)
{
	struct la_context *ctx = dt_context();
	int virtio_fd, vgem_fd;
	struct la_device *virtio = open_own(ctx, "virtio_gpu", "card", &virtio_fd);
	struct la_device *vgem = open_own(ctx, "vgem", "card", &vgem_fd);
	uint32_t virtio_h0, vgem_h0, virtio_h1, vgem_h1;
	uint32_t fmt = DRM_FORMAT_XRGB8888;
	struct la_assertion as = {.width = 256, .height = 128, .formats = &fmt, .n_formats = 1};
	struct la_request rq[2] = {{virtio, LA_USAGE_SCANOUT}, {vgem, LA_USAGE_RENDER}};
	struct la_result *res;
	int failures = 0, fds0, fds1;
	long rss0, rss1;

	if (la_negotiate(ctx, &as, rq, 2, &res) < 0)
		vm_fatal("negotiate: %s", la_last_diagnosis());
	for (int i = 0; i < 20; i++)
		cycle(res, virtio, vgem, &failures);
	virtio_h0 = next_handle(virtio_fd);
	vgem_h0 = next_handle(vgem_fd);
	fds0 = tl_fd_count();
	rss0 = rss_pages();
	for (int i = 0; i < 1000; i++)
		cycle(res, virtio, vgem, &failures);
	fds1 = tl_fd_count();
	rss1 = rss_pages();
	vm_check(failures == 0, "1020 cycles, %d failed calls", failures);
	vm_check(fds1 == fds0, "open fds %d before, %d after 1000 cycles", fds0, fds1);
	virtio_h1 = next_handle(virtio_fd);
	vgem_h1 = next_handle(vgem_fd);
	vm_check(virtio_h1 == virtio_h0 && vgem_h1 == vgem_h0,
		 "no GEM handle left: the next free handle is %u before, %u after on virtio_gpu, "
		 "%u / %u on vgem", virtio_h0, virtio_h1, vgem_h0, vgem_h1);
#ifdef __SANITIZE_ADDRESS__
	/* ASan keeps freed memory in quarantine, so resident pages grow:
	 * LeakSanitizer checks for leaks at exit instead */
	vm_note("resident pages %ld before, %ld after (not checked under ASan)", rss0, rss1);
#else
	/* 64 pages of slack: the allocator may keep a few freed chunks */
	vm_check(rss1 - rss0 <= 64, "resident pages %ld before, %ld after", rss0, rss1);
#endif
	/* a second result and its paths also come and go cleanly */
	for (int i = 0; i < 200; i++) {
		struct la_result *r2;
		if (la_negotiate(ctx, &as, rq, 2, &r2) == 0)
			la_result_destroy(r2);
		else
			failures++;
	}
	vm_check(tl_fd_count() == fds0 && failures == 0, "200 negotiations: fds %d, failures %d",
		 tl_fd_count(), failures);
	la_result_destroy(res);
	la_device_unref(vgem);
	la_device_unref(virtio);
	la_context_destroy(ctx);
	close(vgem_fd);
	close(virtio_fd);
	return vm_exit_status();
}
