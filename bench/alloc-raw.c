/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/dma-heap.h>
#include <linux/udmabuf.h>
#include <linux/videodev2.h>
#include <drm.h>
#include <drm_mode.h>

#include <smaf.h>

#include "alloc-raw.h"
#include "testlib.h"

int raw_open(struct raw_alloc *r, enum raw_kind kind, const char *node)
{
	memset(r, 0, sizeof(*r));
	r->kind = kind;
	if (kind == RAW_UDMABUF)
		node = "/dev/udmabuf";
	else if (kind == RAW_SMAF)
		node = "/dev/smaf";
	/* heap and udmabuf ioctls need no write access, the others do */
	r->fd = open(node, (kind == RAW_DMA_HEAP ? O_RDONLY : O_RDWR) | O_CLOEXEC);
	if (r->fd < 0) {
		int err = errno;
		fprintf(stderr, "alloc: raw: open %s: %s\n", node, strerror(err));
		return -err;
	}
	return 0;
}

int raw_set_size(struct raw_alloc *r, uint32_t width, uint32_t height)
{
	r->width = width;
	r->height = height;
	r->size = (uint64_t)width * 4 * height;
	if (r->kind != RAW_V4L2_MMAP)
		return 0;
	/*
	 * What a V4L2 program does once per format; CREATE_BUFS then checks
	 * its size against this format (vivid's queue_setup).
	 */
	struct v4l2_format f = {.type = V4L2_BUF_TYPE_VIDEO_CAPTURE};
	f.fmt.pix.width = width;
	f.fmt.pix.height = height;
	f.fmt.pix.pixelformat = V4L2_PIX_FMT_XBGR32; /* DRM XRGB8888 */
	f.fmt.pix.bytesperline = width * 4;
	f.fmt.pix.field = V4L2_FIELD_NONE;
	int ret = tl_xioctl(r->fd, VIDIOC_S_FMT, &f);
	if (ret < 0 || f.fmt.pix.width != width || f.fmt.pix.height != height ||
	    f.fmt.pix.bytesperline != width * 4) {
		fprintf(stderr, "alloc: raw: VIDIOC_S_FMT XR24 %ux%u: %s (got %ux%u pitch %u)\n",
			width, height, ret < 0 ? strerror(-ret) : "changed", f.fmt.pix.width,
			f.fmt.pix.height, f.fmt.pix.bytesperline);
		return ret < 0 ? ret : -EINVAL;
	}
	r->fmt = f;
	return 0;
}

static int dma_heap_cycle(struct raw_alloc *r, int *out)
{
	struct dma_heap_allocation_data d = {.len = r->size, .fd_flags = O_RDWR | O_CLOEXEC};
	int ret = tl_xioctl(r->fd, DMA_HEAP_IOCTL_ALLOC, &d);

	*out = (int)d.fd;
	return ret;
}

static int udmabuf_cycle(struct raw_alloc *r, int *out)
{
	struct udmabuf_create c = {.flags = UDMABUF_FLAGS_CLOEXEC, .size = r->size};
	int memfd = memfd_create("bench-udmabuf", MFD_CLOEXEC | MFD_ALLOW_SEALING), ret;

	if (memfd < 0)
		return -errno;
	if (ftruncate(memfd, (off_t)r->size) != 0 || fcntl(memfd, F_ADD_SEALS, F_SEAL_SHRINK) != 0) {
		ret = -errno;
		close(memfd);
		return ret;
	}
	c.memfd = (uint32_t)memfd;
	ret = tl_xioctl(r->fd, UDMABUF_CREATE, &c);
	close(memfd);
	*out = ret;
	return ret < 0 ? ret : 0;
}

static int dumb_cycle(struct raw_alloc *r, int *out)
{
	struct drm_mode_create_dumb c = {.width = r->width, .height = r->height, .bpp = 32};
	struct drm_prime_handle p = {.flags = DRM_CLOEXEC | DRM_RDWR};
	struct drm_mode_destroy_dumb d = {0};
	int ret = tl_xioctl(r->fd, DRM_IOCTL_MODE_CREATE_DUMB, &c);

	if (ret < 0)
		return ret;
	p.handle = d.handle = c.handle;
	ret = tl_xioctl(r->fd, DRM_IOCTL_PRIME_HANDLE_TO_FD, &p);
	/* the dma-buf holds the object: the handle can go */
	tl_xioctl(r->fd, DRM_IOCTL_MODE_DESTROY_DUMB, &d);
	*out = p.fd;
	return ret < 0 ? ret : 0;
}

static int smaf_cycle(struct raw_alloc *r, int *out)
{
	struct smaf_create_data c = {.length = r->size, .flags = SMAF_RDWR | SMAF_CLOEXEC};
	int ret = tl_xioctl(r->fd, SMAF_IOC_CREATE, &c);

	*out = c.fd;
	return ret < 0 ? ret : 0;
}

static int v4l2_cycle(struct raw_alloc *r, int *out)
{
	struct v4l2_create_buffers cb = {.count = 1, .memory = V4L2_MEMORY_MMAP};
	struct v4l2_requestbuffers rb = {.count = 0, .type = r->fmt.type,
					 .memory = V4L2_MEMORY_MMAP};
	struct v4l2_exportbuffer eb = {.type = r->fmt.type, .flags = O_RDWR | O_CLOEXEC};
	int ret;

	cb.format = r->fmt;
	ret = tl_xioctl(r->fd, VIDIOC_CREATE_BUFS, &cb);
	if (ret == 0 && cb.count < 1)
		ret = -ENOMEM;
	if (ret == 0) {
		eb.index = cb.index;
		ret = tl_xioctl(r->fd, VIDIOC_EXPBUF, &eb);
	}
	/* the exported dma-buf keeps the memory: the queue is emptied at once */
	tl_xioctl(r->fd, VIDIOC_REQBUFS, &rb);
	*out = eb.fd;
	return ret;
}

int raw_cycle(struct raw_alloc *r, uint64_t *dmabuf_size)
{
	static int (*const cycle[])(struct raw_alloc *, int *) = {
		[RAW_DMA_HEAP] = dma_heap_cycle, [RAW_UDMABUF] = udmabuf_cycle,
		[RAW_DRM_DUMB] = dumb_cycle, [RAW_SMAF] = smaf_cycle,
		[RAW_V4L2_MMAP] = v4l2_cycle,
	};
	int fd = -1, ret = cycle[r->kind](r, &fd);

	if (ret < 0)
		return ret;
	if (dmabuf_size) {
		off_t end = lseek(fd, 0, SEEK_END);
		*dmabuf_size = end < 0 ? 0 : (uint64_t)end;
	}
	close(fd);
	return 0;
}

void raw_close(struct raw_alloc *r)
{
	if (r->fd >= 0)
		close(r->fd);
	r->fd = -1;
}
