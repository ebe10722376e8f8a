/* Implicit fences as sync_files on a real driver: vgem attaches a fence
 * that stays unsignalled until the test signals it (VGEM_FENCE_SIGNAL), so
 * "waits until signalled, not before" is checked against the kernel.
 *  - export: a vgem write fence on a liballoc buffer comes out as a
 *    sync_file that polls unsignalled, then signalled after the signal;
 *  - import: a second buffer's fence, as a sync_file, imported as a write
 *    fence into the first and exported again: unsignalled until signalled;
 *  - refusals: bad flags, plane out of range, fd -1, an fd that is no
 *    sync_file; the caller's fd stays open and nothing leaks. */
#include "drmtest.h"

#include <drm_fourcc.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <xf86drm.h>

/* vgem's uapi (include/uapi/drm/vgem_drm.h), not in libdrm's headers. */
struct vgem_fence_attach {
	uint32_t handle;
	uint32_t flags;
	uint32_t out_fence;
	uint32_t pad;
};
struct vgem_fence_signal {
	uint32_t fence;
	uint32_t flags;
};
#define VGEM_FENCE_WRITE 0x1
#define IOCTL_VGEM_FENCE_ATTACH DRM_IOWR(DRM_COMMAND_BASE + 0x1, struct vgem_fence_attach)
#define IOCTL_VGEM_FENCE_SIGNAL DRM_IOW(DRM_COMMAND_BASE + 0x2, struct vgem_fence_signal)

static const uint32_t xrgb = DRM_FORMAT_XRGB8888;

/* 1 signalled, 0 not yet, -1 poll failed: never waits. */
static int signalled(int sync_file)
{
	struct pollfd p = {.fd = sync_file, .events = POLLIN};
	int n = poll(&p, 1, 0);
	return n < 0 ? -1 : n > 0 && (p.revents & POLLIN);
}

static struct la_buffer *alloc_dumb(struct la_context *ctx, struct la_device *card)
{
	struct la_assertion a = {.width = 64, .height = 64, .formats = &xrgb, .n_formats = 1};
	struct la_request r = {card, LA_USAGE_RENDER};
	struct la_result *res = NULL;
	struct la_buffer *buf = NULL;
	int ret = la_negotiate(ctx, &a, &r, 1, &res);

	if (ret == 0)
		ret = la_allocate_with_path(res, "drm-dumb:vgem", &buf);
	if (ret < 0)
		vm_fatal("vgem dumb buffer: %s", la_last_diagnosis());
	la_result_destroy(res);
	return buf;
}

/* An unsignalled vgem write fence on buf's memory; returns its id. */
static uint32_t attach_fence(int vgem, const struct la_buffer *buf, uint32_t *handle)
{
	struct la_descriptor d;
	struct vgem_fence_attach at = {.flags = VGEM_FENCE_WRITE};
	int ret;

	la_buffer_get_descriptor(buf, &d);
	ret = vm_vgem_import(vgem, d.planes[0].fd, handle);
	if (ret < 0)
		vm_fatal("PRIME import into vgem: %s", strerror(-ret));
	at.handle = *handle;
	if (drmIoctl(vgem, IOCTL_VGEM_FENCE_ATTACH, &at) < 0)
		vm_fatal("VGEM_FENCE_ATTACH: %s", strerror(errno));
	return at.out_fence;
}

static void signal_fence(int vgem, uint32_t fence)
{
	struct vgem_fence_signal s = {.fence = fence};
	if (drmIoctl(vgem, IOCTL_VGEM_FENCE_SIGNAL, &s) < 0)
		vm_fatal("VGEM_FENCE_SIGNAL: %s", strerror(errno));
}

static void check_export(int vgem, struct la_buffer *buf)
{
	uint32_t handle;
	int sf = -1, ret;

	ret = la_buffer_export_sync_file(buf, 0, LA_SYNC_READ, &sf);
	vm_check(ret == 0 && sf >= 0 && signalled(sf) == 1,
		 "no fence yet: the exported sync_file is already signalled (%d: %s)", ret,
		 ret ? la_last_diagnosis() : "ok");
	if (sf >= 0)
		close(sf);

	uint32_t fence = attach_fence(vgem, buf, &handle);
	ret = la_buffer_export_sync_file(buf, 0, LA_SYNC_READ, &sf);
	if (!vm_check(ret == 0 && sf >= 0, "export with a vgem write fence: %s",
		      ret ? la_last_diagnosis() : "ok"))
		vm_fatal("no sync_file");
	vm_check(signalled(sf) == 0, "read sync_file unsignalled while the fence is pending");
	usleep(100 * 1000);
	vm_check(signalled(sf) == 0, "still unsignalled 100 ms later");
	signal_fence(vgem, fence);
	vm_check(signalled(sf) == 1, "signalled once vgem signals the fence");
	close(sf);
	vm_vgem_close(vgem, handle);
}

static void check_import(int vgem, struct la_buffer *buf, struct la_buffer *other)
{
	uint32_t handle;
	int in = -1, sf = -1, ret;

	uint32_t fence = attach_fence(vgem, other, &handle);
	ret = la_buffer_export_sync_file(other, 0, LA_SYNC_READ, &in);
	if (!vm_check(ret == 0 && signalled(in) == 0, "second buffer's fence as a sync_file: %s",
		      ret ? la_last_diagnosis() : "unsignalled"))
		vm_fatal("no sync_file to import");
	ret = la_buffer_import_sync_file(buf, 0, LA_SYNC_WRITE, in);
	vm_check(ret == 0, "imported as a write fence: %s", ret ? la_last_diagnosis() : "ok");
	vm_check(fcntl(in, F_GETFD) >= 0, "the imported fd is still the caller's, open");
	close(in);
	ret = la_buffer_export_sync_file(buf, 0, LA_SYNC_READ, &sf);
	vm_check(ret == 0 && signalled(sf) == 0,
		 "export again: the imported fence makes readers wait (%d: %s)", ret,
		 ret ? la_last_diagnosis() : "unsignalled");
	signal_fence(vgem, fence);
	vm_check(sf >= 0 && signalled(sf) == 1, "signalled once vgem signals the imported fence");
	if (sf >= 0)
		close(sf);
	vm_vgem_close(vgem, handle);
}

static void check_refusals(struct la_buffer *buf)
{
	struct la_descriptor d;
	int sf = 7, ret;

	ret = la_buffer_export_sync_file(buf, 0, 0, &sf);
	vm_check(ret == -EINVAL && sf == -1, "export flags 0 refused: %s", la_last_diagnosis());
	ret = la_buffer_export_sync_file(buf, 0, 0x10, &sf);
	vm_check(ret == -EINVAL, "export flags 0x10 refused: %s", la_last_diagnosis());
	ret = la_buffer_export_sync_file(buf, 1, LA_SYNC_READ, &sf);
	vm_check(ret == -EINVAL && strstr(la_last_diagnosis(), "out of range"),
		 "export plane 1 of 1 refused: %s", la_last_diagnosis());
	ret = la_buffer_import_sync_file(buf, 0, LA_SYNC_WRITE, -1);
	vm_check(ret == -EINVAL, "import fd -1 refused: %s", la_last_diagnosis());
	ret = la_buffer_import_sync_file(buf, 0, LA_SYNC_READ | 4, -1);
	vm_check(ret == -EINVAL, "import flags 0x5 refused: %s", la_last_diagnosis());
	la_buffer_get_descriptor(buf, &d);
	ret = la_buffer_import_sync_file(buf, 0, LA_SYNC_READ, d.planes[0].fd);
	vm_check(ret == -EINVAL && strstr(la_last_diagnosis(), "is not a sync_file"),
		 "a dma-buf is no sync_file: the kernel refuses (%d): %s", ret,
		 la_last_diagnosis());
	vm_check(fcntl(d.planes[0].fd, F_GETFD) >= 0, "the refused fd is left open");
}

int main(void)
{
	struct la_context *ctx = dt_context();
	struct la_device *card = dt_open(ctx, "vgem", "card");
	int vgem = vm_vgem_open();
	int before = tl_fd_count();
	struct la_buffer *buf = alloc_dumb(ctx, card), *other = alloc_dumb(ctx, card);

	check_export(vgem, buf);
	check_import(vgem, buf, other);
	check_refusals(buf);
	la_buffer_destroy(other);
	la_buffer_destroy(buf);
	vm_check_fds(before, "after the round trips and refusals");
	close(vgem);
	la_device_unref(card);
	la_context_destroy(ctx);
	return vm_exit_status();
}
