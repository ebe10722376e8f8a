/* SPDX-License-Identifier: MIT */
/*
 * Implicit fences of a buffer's dma-buf as sync_files, for explicit-sync
 * users (Linux 6.0: DMA_BUF_IOCTL_EXPORT_SYNC_FILE / IMPORT_SYNC_FILE).
 */
#include <errno.h>
#include <linux/dma-buf.h>
#include <string.h>
#include <sys/ioctl.h>

#include "buffer.h"

/* Older installed headers lack them; the ABI is fixed since Linux 6.0. */
#ifndef DMA_BUF_IOCTL_EXPORT_SYNC_FILE
struct dma_buf_export_sync_file {
	__u32 flags;
	__s32 fd;
};
struct dma_buf_import_sync_file {
	__u32 flags;
	__s32 fd;
};
#define DMA_BUF_IOCTL_EXPORT_SYNC_FILE _IOWR(DMA_BUF_BASE, 2, struct dma_buf_export_sync_file)
#define DMA_BUF_IOCTL_IMPORT_SYNC_FILE _IOW(DMA_BUF_BASE, 3, struct dma_buf_import_sync_file)
#endif

static int check_args(const struct la_buffer *buf, uint32_t plane, uint32_t flags,
		      const char *what, struct la_why *why)
{
	if (!buf)
		return la_why_set(why, -EINVAL, "%s: buffer is NULL", what);
	if (plane >= buf->desc.plane_count)
		return la_why_set(why, -EINVAL, "%s: plane %u out of range (buffer has %u)", what,
				  plane, buf->desc.plane_count);
	if (!(flags & (LA_SYNC_READ | LA_SYNC_WRITE)) || (flags & ~(LA_SYNC_READ | LA_SYNC_WRITE)))
		return la_why_set(why, -EINVAL,
				  "%s: flags 0x%x are not a non-empty mix of LA_SYNC_READ and "
				  "LA_SYNC_WRITE", what, flags);
	return 0;
}

static __u32 dmabuf_flags(uint32_t flags)
{
	return ((flags & LA_SYNC_READ) ? DMA_BUF_SYNC_READ : 0) |
	       ((flags & LA_SYNC_WRITE) ? DMA_BUF_SYNC_WRITE : 0);
}

/*
 * ENOTTY is what an old kernel's dma-buf (and any fd that is no dma-buf)
 * answers; EINVAL with flags we checked is a kernel that knows the ioctl
 * number space but not this one.
 */
static int ioctl_failed(int err, const char *what, const char *ioctl_name, uint32_t plane,
			struct la_why *why)
{
	if (err == ENOTTY)
		return la_why_set(why, -ENOTSUP,
				  "%s: %s not supported on plane %u's fd: the kernel lacks it "
				  "(Linux 6.0 added it) or the fd is not a dma-buf", what,
				  ioctl_name, plane);
	return la_why_set(why, -err, "%s: %s on plane %u failed: %s", what, ioctl_name, plane,
			  strerror(err));
}

LA_EXPORT int la_buffer_export_sync_file(const struct la_buffer *buf, uint32_t plane,
					 uint32_t flags, int *fd)
{
	const char *what = "export sync_file";
	struct la_why why = {0};
	int ret;

	if (!fd)
		return la_publish(&why, la_why_set(&why, -EINVAL, "%s: fd is NULL", what));
	*fd = -1;
	ret = check_args(buf, plane, flags, what, &why);
	if (ret < 0)
		return la_publish(&why, ret);
	struct dma_buf_export_sync_file arg = {.flags = dmabuf_flags(flags), .fd = -1};
	do {
		ret = ioctl(buf->desc.planes[plane].fd, DMA_BUF_IOCTL_EXPORT_SYNC_FILE, &arg);
	} while (ret < 0 && errno == EINTR);
	if (ret < 0)
		return la_publish(&why, ioctl_failed(errno, what, "DMA_BUF_IOCTL_EXPORT_SYNC_FILE",
						     plane, &why));
	*fd = arg.fd;
	return 0;
}

LA_EXPORT int la_buffer_import_sync_file(struct la_buffer *buf, uint32_t plane, uint32_t flags,
					 int fd)
{
	const char *what = "import sync_file";
	struct la_why why = {0};
	int ret;

	ret = check_args(buf, plane, flags, what, &why);
	if (ret == 0 && fd < 0)
		ret = la_why_set(&why, -EINVAL, "%s: fd %d is not a sync_file", what, fd);
	if (ret < 0)
		return la_publish(&why, ret);
	struct dma_buf_import_sync_file arg = {.flags = dmabuf_flags(flags), .fd = fd};
	do {
		ret = ioctl(buf->desc.planes[plane].fd, DMA_BUF_IOCTL_IMPORT_SYNC_FILE, &arg);
	} while (ret < 0 && errno == EINTR);
	if (ret < 0) {
		int err = errno;
		ioctl_failed(err, what, "DMA_BUF_IOCTL_IMPORT_SYNC_FILE", plane, &why);
		/* the kernel's EINVAL once flags are checked: fd is no sync_file */
		if (err == EINVAL)
			la_why_append(&why, " (fd %d is not a sync_file)", fd);
		return la_publish(&why, why.err);
	}
	return 0;
}
