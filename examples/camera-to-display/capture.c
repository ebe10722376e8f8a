/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <linux/videodev2.h>
#include <drm_fourcc.h>

#include "capture.h"

/*
 * Same bytes in memory, different names: V4L2's RGB codes name the byte
 * order, DRM's the order in a little-endian word (Documentation/userspace-
 * api/media/v4l/pixfmt-rgb.rst). liballoc-v4l2-stream has the full table;
 * the example keeps the few formats it converts so that it builds without
 * the V4L2 backend.
 */
static const struct {
	uint32_t drm, v4l2;
} formats[] = {
	{DRM_FORMAT_XRGB8888, V4L2_PIX_FMT_XBGR32},
	{DRM_FORMAT_ARGB8888, V4L2_PIX_FMT_ABGR32},
	{DRM_FORMAT_YUYV, V4L2_PIX_FMT_YUYV},
	{DRM_FORMAT_UYVY, V4L2_PIX_FMT_UYVY},
	{DRM_FORMAT_NV12, V4L2_PIX_FMT_NV12},
};

uint32_t capture_v4l2_format(uint32_t drm_format)
{
	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
		if (formats[i].drm == drm_format)
			return formats[i].v4l2;
	return 0;
}

/* ioctl() retried on EINTR: 0 or -errno. Not tests/lib's tl_xioctl: the
 * examples build and read on their own. */
static int xioctl(int fd, unsigned long req, void *arg)
{
	int ret;

	do
		ret = ioctl(fd, req, arg);
	while (ret < 0 && errno == EINTR);
	return ret < 0 ? -errno : 0;
}

static bool mplane(const struct capture *c)
{
	return c->type == V4L2_BUF_TYPE_VIDEO_CAPTURE_MPLANE;
}

static int set_format(struct capture *c, const struct la_descriptor *d, char *err, size_t len)
{
	struct v4l2_format f = {.type = c->type};
	uint32_t bpl, w, h;
	int ret;

	/* Planes 1.. must follow plane 0 in the same dma-buf, as V4L2's
	 * single-buffer formats expect. */
	for (uint32_t p = 1; p < d->plane_count; p++) {
		if (d->planes[p].fd != d->planes[0].fd ||
		    d->planes[p].offset != d->planes[p - 1].offset + d->planes[p - 1].size) {
			snprintf(err, len, "plane %u is not right after plane %u in the same dma-buf",
				 p, p - 1);
			return -EINVAL;
		}
	}
	if (mplane(c)) {
		f.fmt.pix_mp.width = d->width;
		f.fmt.pix_mp.height = d->height;
		f.fmt.pix_mp.pixelformat = c->pixelformat;
		f.fmt.pix_mp.field = V4L2_FIELD_NONE;
		f.fmt.pix_mp.num_planes = 1;
		f.fmt.pix_mp.plane_fmt[0].bytesperline = (uint32_t)d->planes[0].pitch;
	} else {
		f.fmt.pix.width = d->width;
		f.fmt.pix.height = d->height;
		f.fmt.pix.pixelformat = c->pixelformat;
		f.fmt.pix.field = V4L2_FIELD_NONE;
		f.fmt.pix.bytesperline = (uint32_t)d->planes[0].pitch;
	}
	ret = xioctl(c->fd, VIDIOC_S_FMT, &f);
	if (ret < 0) {
		snprintf(err, len, "VIDIOC_S_FMT: %s", strerror(-ret));
		return ret;
	}
	w = mplane(c) ? f.fmt.pix_mp.width : f.fmt.pix.width;
	h = mplane(c) ? f.fmt.pix_mp.height : f.fmt.pix.height;
	bpl = mplane(c) ? f.fmt.pix_mp.plane_fmt[0].bytesperline : f.fmt.pix.bytesperline;
	c->sizeimage = mplane(c) ? f.fmt.pix_mp.plane_fmt[0].sizeimage : f.fmt.pix.sizeimage;
	if ((mplane(c) ? f.fmt.pix_mp.pixelformat : f.fmt.pix.pixelformat) != c->pixelformat ||
	    w != d->width || h != d->height || bpl != d->planes[0].pitch) {
		snprintf(err, len, "the camera changed the format to %ux%u, bytesperline %u "
			 "(negotiated %ux%u, pitch %llu)", w, h, bpl, d->width, d->height,
			 (unsigned long long)d->planes[0].pitch);
		return -EINVAL;
	}
	c->bytesperline = bpl;
	return 0;
}

/* Before REQBUFS: some drivers refuse a new rate once buffers exist. */
static void set_rate(struct capture *c, uint32_t fps)
{
	struct v4l2_streamparm p = {.type = c->type};

	if (xioctl(c->fd, VIDIOC_G_PARM, &p) < 0 ||
	    !(p.parm.capture.capability & V4L2_CAP_TIMEPERFRAME))
		return;
	p.parm.capture.timeperframe.numerator = 1;
	p.parm.capture.timeperframe.denominator = fps;
	if (xioctl(c->fd, VIDIOC_S_PARM, &p) < 0)
		return;
	c->rate_num = p.parm.capture.timeperframe.numerator;
	c->rate_den = p.parm.capture.timeperframe.denominator;
}

int capture_open(struct capture *c, int fd, const struct la_descriptor *d, uint32_t count,
		 uint32_t fps, char *err, size_t len)
{
	struct v4l2_capability cap = {0};
	struct v4l2_requestbuffers rb = {0};
	uint32_t caps;
	int ret;

	memset(c, 0, sizeof(*c));
	c->fd = fd;
	ret = xioctl(fd, VIDIOC_QUERYCAP, &cap);
	if (ret < 0) {
		snprintf(err, len, "VIDIOC_QUERYCAP: %s", strerror(-ret));
		return ret;
	}
	caps = cap.capabilities & V4L2_CAP_DEVICE_CAPS ? cap.device_caps : cap.capabilities;
	c->type = caps & V4L2_CAP_VIDEO_CAPTURE ? V4L2_BUF_TYPE_VIDEO_CAPTURE
						: V4L2_BUF_TYPE_VIDEO_CAPTURE_MPLANE;
	c->pixelformat = capture_v4l2_format(d->format);
	if (!c->pixelformat) {
		snprintf(err, len, "no V4L2 pixel format for DRM format 0x%08x", d->format);
		return -EINVAL;
	}
	ret = set_format(c, d, err, len);
	if (ret < 0)
		return ret;
	set_rate(c, fps);
	rb.count = count;
	rb.type = c->type;
	rb.memory = V4L2_MEMORY_DMABUF;
	ret = xioctl(fd, VIDIOC_REQBUFS, &rb);
	if (ret < 0) {
		snprintf(err, len, "VIDIOC_REQBUFS(DMABUF, %u): %s", count, strerror(-ret));
		return ret;
	}
	c->have_bufs = true;
	c->count = rb.count;
	if (rb.count < count) {
		snprintf(err, len, "the camera granted %u of %u buffers", rb.count, count);
		capture_close(c);
		return -ENOBUFS;
	}
	return 0;
}

int capture_queue(struct capture *c, uint32_t index, const struct la_descriptor *d,
		  char *err, size_t len)
{
	struct v4l2_plane plane = {0};
	struct v4l2_buffer b = {.type = c->type, .memory = V4L2_MEMORY_DMABUF, .index = index};
	/* The whole dma-buf from its start: the planes lie inside it. */
	uint64_t bytes = d->planes[d->plane_count - 1].offset + d->planes[d->plane_count - 1].size;
	int ret;

	if (mplane(c)) {
		plane.m.fd = d->planes[0].fd;
		plane.length = (uint32_t)bytes;
		b.m.planes = &plane;
		b.length = 1;
	} else {
		b.m.fd = d->planes[0].fd;
		b.length = (uint32_t)bytes;
	}
	ret = xioctl(c->fd, VIDIOC_QBUF, &b);
	if (ret < 0 && err)
		snprintf(err, len, "VIDIOC_QBUF(DMABUF) of buffer %u (%llu bytes): %s%s", index,
			 (unsigned long long)bytes, strerror(-ret),
			 ret == -EFAULT ? " (the camera could not map it: it needs contiguous memory?)"
					: "");
	return ret;
}

int capture_start(struct capture *c, char *err, size_t len)
{
	int type = (int)c->type;
	int ret = xioctl(c->fd, VIDIOC_STREAMON, &type);

	if (ret < 0)
		snprintf(err, len, "VIDIOC_STREAMON: %s", strerror(-ret));
	c->streaming = ret == 0;
	return ret;
}

int capture_dequeue(struct capture *c, uint32_t *index)
{
	struct v4l2_plane plane = {0};
	struct v4l2_buffer b = {.type = c->type, .memory = V4L2_MEMORY_DMABUF};
	int ret;

	if (mplane(c)) {
		b.m.planes = &plane;
		b.length = 1;
	}
	ret = xioctl(c->fd, VIDIOC_DQBUF, &b);
	if (ret < 0)
		return ret;
	*index = b.index;
	/* A corrupted frame is still a dequeued buffer: the caller requeues
	 * or shows it; a camera flagging every frame would show as errors. */
	return b.flags & V4L2_BUF_FLAG_ERROR ? -EIO : 0;
}

void capture_close(struct capture *c)
{
	int type = (int)c->type;
	struct v4l2_requestbuffers rb = {.count = 0, .type = c->type,
					 .memory = V4L2_MEMORY_DMABUF};

	if (c->streaming)
		xioctl(c->fd, VIDIOC_STREAMOFF, &type);
	if (c->have_bufs)
		xioctl(c->fd, VIDIOC_REQBUFS, &rb);
	c->streaming = c->have_bufs = false;
}
