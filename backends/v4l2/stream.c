/* SPDX-License-Identifier: MIT */
/*
 * The streaming helper of <liballoc/v4l2-stream.h>: the V4L2 calls a
 * program makes to capture into (or output from) negotiated buffers, with
 * one clean-up path: every failure after REQBUFS frees the queue again, and
 * la_v4l2_stream_close() undoes everything open() and start() did.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/videodev2.h>

#include <liballoc/v4l2-stream.h>

#include "../common/ioctl.h"

struct la_v4l2_stream {
	int fd;
	bool streaming;
	bool has_buffers;
	struct la_v4l2_stream_config cfg; /* what the driver set */
	uint32_t sizeimage[LA_V4L2_MAX_PLANES];
};

static bool is_mplane(uint32_t type)
{
	return type == V4L2_BUF_TYPE_VIDEO_CAPTURE_MPLANE || type == V4L2_BUF_TYPE_VIDEO_OUTPUT_MPLANE;
}

int la_v4l2_stream_config_from_descriptor(const struct la_descriptor *d,
					  struct la_v4l2_stream_config *cfg, struct la_why *why)
{
	bool one = true;

	if (!d || !cfg || d->plane_count == 0 || d->plane_count > LA_V4L2_MAX_PLANES)
		return -EINVAL;
	for (uint32_t p = 1; p < d->plane_count; p++)
		one &= d->planes[p].fd == d->planes[0].fd;
	memset(cfg, 0, sizeof(*cfg));
	cfg->memory = V4L2_MEMORY_DMABUF;
	cfg->num_planes = one ? 1 : d->plane_count;
	cfg->pixelformat = la_v4l2_format_from_drm(d->format, cfg->num_planes);
	if (!cfg->pixelformat || d->modifier != 0 || d->planes[0].offset != 0)
		return la_why_set(why, -EINVAL, "V4L2 cannot describe this buffer (format 0x%08x, "
				  "modifier 0x%llx, %u dma-buf(s), plane 0 at offset %llu)", d->format,
				  (unsigned long long)d->modifier, cfg->num_planes,
				  (unsigned long long)d->planes[0].offset);
	cfg->width = d->width;
	cfg->height = d->height;
	for (uint32_t p = 0; p < cfg->num_planes; p++)
		cfg->bytesperline[p] = (uint32_t)d->planes[p].pitch;
	return 0;
}

static uint32_t default_type(int fd)
{
	struct v4l2_capability cap;
	uint32_t c;

	memset(&cap, 0, sizeof(cap));
	if (be_ioctl(fd, VIDIOC_QUERYCAP, &cap) < 0)
		return 0;
	c = (cap.capabilities & V4L2_CAP_DEVICE_CAPS) ? cap.device_caps : cap.capabilities;
	if (c & (V4L2_CAP_VIDEO_CAPTURE_MPLANE | V4L2_CAP_VIDEO_M2M_MPLANE))
		return V4L2_BUF_TYPE_VIDEO_CAPTURE_MPLANE;
	if (c & (V4L2_CAP_VIDEO_CAPTURE | V4L2_CAP_VIDEO_M2M))
		return V4L2_BUF_TYPE_VIDEO_CAPTURE;
	return 0;
}

static int set_format(struct la_v4l2_stream *s, const struct la_v4l2_stream_config *cfg,
		      struct la_why *why)
{
	struct v4l2_format f;
	uint32_t n;
	int ret;

	memset(&f, 0, sizeof(f));
	f.type = s->cfg.type;
	if (is_mplane(f.type)) {
		f.fmt.pix_mp.width = cfg->width;
		f.fmt.pix_mp.height = cfg->height;
		f.fmt.pix_mp.pixelformat = cfg->pixelformat;
		f.fmt.pix_mp.field = V4L2_FIELD_NONE;
		f.fmt.pix_mp.num_planes = (uint8_t)cfg->num_planes;
		for (uint32_t p = 0; p < cfg->num_planes; p++)
			f.fmt.pix_mp.plane_fmt[p].bytesperline = cfg->bytesperline[p];
	} else {
		f.fmt.pix.width = cfg->width;
		f.fmt.pix.height = cfg->height;
		f.fmt.pix.pixelformat = cfg->pixelformat;
		f.fmt.pix.field = V4L2_FIELD_NONE;
		f.fmt.pix.bytesperline = cfg->bytesperline[0];
	}
	ret = be_ioctl(s->fd, VIDIOC_S_FMT, &f);
	if (ret < 0)
		return la_why_set(why, ret, "VIDIOC_S_FMT: %s", strerror(-ret));
	s->cfg.pixelformat = is_mplane(f.type) ? f.fmt.pix_mp.pixelformat : f.fmt.pix.pixelformat;
	s->cfg.width = is_mplane(f.type) ? f.fmt.pix_mp.width : f.fmt.pix.width;
	s->cfg.height = is_mplane(f.type) ? f.fmt.pix_mp.height : f.fmt.pix.height;
	n = is_mplane(f.type) ? f.fmt.pix_mp.num_planes : 1;
	if (n == 0 || n > LA_V4L2_MAX_PLANES)
		return la_why_set(why, -EPROTO, "VIDIOC_S_FMT answered %u planes", n);
	s->cfg.num_planes = n;
	for (uint32_t p = 0; p < n; p++) {
		s->cfg.bytesperline[p] = is_mplane(f.type) ? f.fmt.pix_mp.plane_fmt[p].bytesperline
							   : f.fmt.pix.bytesperline;
		s->sizeimage[p] = is_mplane(f.type) ? f.fmt.pix_mp.plane_fmt[p].sizeimage
						    : f.fmt.pix.sizeimage;
	}
	if (s->cfg.pixelformat != cfg->pixelformat || s->cfg.width != cfg->width ||
	    s->cfg.height != cfg->height || n != cfg->num_planes)
		return la_why_set(why, -EINVAL,
				  "VIDIOC_S_FMT changed the format (%ux%u, %u planes asked; "
			    "%ux%u, %u planes set)", cfg->width, cfg->height, cfg->num_planes,
			    s->cfg.width, s->cfg.height, n);
	for (uint32_t p = 0; p < n; p++)
		if (cfg->bytesperline[p] && cfg->bytesperline[p] != s->cfg.bytesperline[p])
			return la_why_set(why, -EINVAL,
					  "VIDIOC_S_FMT changed bytesperline of plane %u from %u "
				    "to %u", p, cfg->bytesperline[p], s->cfg.bytesperline[p]);
	return 0;
}

static void free_buffers(struct la_v4l2_stream *s)
{
	struct v4l2_requestbuffers rb = {.count = 0, .type = s->cfg.type, .memory = s->cfg.memory};

	if (s->has_buffers)
		be_ioctl(s->fd, VIDIOC_REQBUFS, &rb);
	s->has_buffers = false;
}

void la_v4l2_stream_close(struct la_v4l2_stream *s)
{
	if (!s)
		return;
	if (s->streaming)
		la_v4l2_stream_stop(s, NULL);
	free_buffers(s);
	if (s->fd >= 0)
		close(s->fd);
	free(s);
}

int la_v4l2_stream_open(int fd, const struct la_v4l2_stream_config *cfg,
			struct la_v4l2_stream **out, struct la_why *why)
{
	struct la_v4l2_stream *s;
	struct v4l2_requestbuffers rb;
	int ret;

	if (!out)
		return -EINVAL;
	*out = NULL;
	if (!cfg || fd < 0 || cfg->num_planes == 0 || cfg->num_planes > LA_V4L2_MAX_PLANES ||
	    (cfg->memory != V4L2_MEMORY_DMABUF && cfg->memory != V4L2_MEMORY_MMAP))
		return la_why_set(why, -EINVAL, "la_v4l2_stream_open: invalid arguments");
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->fd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	if (s->fd < 0) {
		ret = -errno;
		la_why_set(why, ret, "cannot duplicate fd %d: %s", fd, strerror(errno));
		free(s);
		return ret;
	}
	s->cfg = *cfg;
	if (!s->cfg.type)
		s->cfg.type = default_type(s->fd);
	if (!s->cfg.type) {
		ret = la_why_set(why, -ENOTSUP, "no video capture queue on this device");
		goto fail;
	}
	ret = set_format(s, cfg, why);
	if (ret < 0)
		goto fail;
	rb = (struct v4l2_requestbuffers){.count = cfg->count ? cfg->count : 1, .type = s->cfg.type,
					  .memory = cfg->memory};
	ret = be_ioctl(s->fd, VIDIOC_REQBUFS, &rb);
	if (ret < 0) {
		ret = la_why_set(why, ret, "VIDIOC_REQBUFS(%u, %s): %s", rb.count,
			   cfg->memory == V4L2_MEMORY_MMAP ? "MMAP" : "DMABUF", strerror(-ret));
		goto fail;
	}
	s->has_buffers = true;
	if (rb.count == 0) {
		ret = la_why_set(why, -ENOMEM, "VIDIOC_REQBUFS gave no buffer");
		goto fail;
	}
	s->cfg.count = rb.count;
	*out = s;
	return 0;
fail:
	la_v4l2_stream_close(s);
	return ret;
}

void la_v4l2_stream_get_config(const struct la_v4l2_stream *s, struct la_v4l2_stream_config *cfg)
{
	if (s && cfg)
		*cfg = s->cfg;
}

uint32_t la_v4l2_stream_get_sizeimage(const struct la_v4l2_stream *s, uint32_t plane)
{
	return s && plane < s->cfg.num_planes ? s->sizeimage[plane] : 0;
}

static void init_buffer(const struct la_v4l2_stream *s, uint32_t index, struct v4l2_buffer *b,
			struct v4l2_plane *planes)
{
	memset(b, 0, sizeof(*b));
	memset(planes, 0, sizeof(*planes) * VIDEO_MAX_PLANES);
	b->index = index;
	b->type = s->cfg.type;
	b->memory = s->cfg.memory;
	if (is_mplane(s->cfg.type)) {
		b->m.planes = planes;
		b->length = s->cfg.num_planes;
	}
}

int la_v4l2_stream_queue_dmabuf(struct la_v4l2_stream *s, uint32_t index,
				const struct la_descriptor *desc, struct la_why *why)
{
	struct v4l2_plane planes[VIDEO_MAX_PLANES];
	struct v4l2_buffer b;
	int ret;

	if (!s || !desc || s->cfg.memory != V4L2_MEMORY_DMABUF || index >= s->cfg.count)
		return -EINVAL;
	if (desc->plane_count < s->cfg.num_planes)
		return la_why_set(why, -EINVAL,
				  "descriptor has %u planes, the format %u memory planes",
			    desc->plane_count, s->cfg.num_planes);
	init_buffer(s, index, &b, planes);
	for (uint32_t p = 0; p < s->cfg.num_planes; p++) {
		off_t size = lseek(desc->planes[p].fd, 0, SEEK_END);
		if (size < 0)
			return la_why_set(why, -errno,
					  "plane %u: cannot size the dma-buf: %s", p, strerror(errno));
		if (is_mplane(s->cfg.type)) {
			planes[p].m.fd = desc->planes[p].fd;
			planes[p].length = (uint32_t)size;
		} else {
			b.m.fd = desc->planes[0].fd;
			b.length = (uint32_t)size;
		}
	}
	ret = be_ioctl(s->fd, VIDIOC_QBUF, &b);
	if (ret < 0)
		return la_why_set(why, ret,
				  "VIDIOC_QBUF(DMABUF, buffer %u): %s", index, strerror(-ret));
	return 0;
}

int la_v4l2_stream_queue(struct la_v4l2_stream *s, uint32_t index, struct la_why *why)
{
	struct v4l2_plane planes[VIDEO_MAX_PLANES];
	struct v4l2_buffer b;
	int ret;

	if (!s || s->cfg.memory != V4L2_MEMORY_MMAP || index >= s->cfg.count)
		return -EINVAL;
	init_buffer(s, index, &b, planes);
	ret = be_ioctl(s->fd, VIDIOC_QBUF, &b);
	if (ret < 0)
		return la_why_set(why, ret,
				  "VIDIOC_QBUF(MMAP, buffer %u): %s", index, strerror(-ret));
	return 0;
}

int la_v4l2_stream_export(struct la_v4l2_stream *s, uint32_t index, uint32_t plane, int *fd,
			  struct la_why *why)
{
	struct v4l2_exportbuffer eb = {.type = 0, .index = index, .plane = plane,
				       .flags = O_RDWR | O_CLOEXEC};
	int ret;

	if (!fd)
		return -EINVAL;
	*fd = -1;
	if (!s || s->cfg.memory != V4L2_MEMORY_MMAP)
		return -EINVAL;
	eb.type = s->cfg.type;
	ret = be_ioctl(s->fd, VIDIOC_EXPBUF, &eb);
	if (ret < 0)
		return la_why_set(why, ret, "VIDIOC_EXPBUF(buffer %u, plane %u): %s", index, plane,
			    strerror(-ret));
	*fd = eb.fd;
	return 0;
}

int la_v4l2_stream_start(struct la_v4l2_stream *s, struct la_why *why)
{
	int type, ret;

	if (!s)
		return -EINVAL;
	type = (int)s->cfg.type;
	ret = be_ioctl(s->fd, VIDIOC_STREAMON, &type);
	if (ret < 0)
		return la_why_set(why, ret, "VIDIOC_STREAMON: %s", strerror(-ret));
	s->streaming = true;
	return 0;
}

int la_v4l2_stream_stop(struct la_v4l2_stream *s, struct la_why *why)
{
	int type, ret;

	if (!s)
		return -EINVAL;
	type = (int)s->cfg.type;
	ret = be_ioctl(s->fd, VIDIOC_STREAMOFF, &type);
	s->streaming = false;
	if (ret < 0)
		return la_why_set(why, ret, "VIDIOC_STREAMOFF: %s", strerror(-ret));
	return 0;
}

int la_v4l2_stream_dequeue(struct la_v4l2_stream *s, int timeout_ms, uint32_t *index,
			   uint32_t *bytesused, struct la_why *why)
{
	struct v4l2_plane planes[VIDEO_MAX_PLANES];
	struct pollfd pfd;
	struct v4l2_buffer b;
	int ret;

	if (!s || !index)
		return -EINVAL;
	pfd = (struct pollfd){.fd = s->fd, .events = POLLIN | POLLOUT | POLLPRI};
	do {
		ret = poll(&pfd, 1, timeout_ms);
	} while (ret < 0 && errno == EINTR);
	if (ret < 0)
		return la_why_set(why, -errno, "poll: %s", strerror(errno));
	if (ret == 0)
		return la_why_set(why, -ETIMEDOUT, "no buffer within %d ms", timeout_ms);
	init_buffer(s, 0, &b, planes);
	ret = be_ioctl(s->fd, VIDIOC_DQBUF, &b);
	if (ret < 0)
		return la_why_set(why, ret, "VIDIOC_DQBUF: %s", strerror(-ret));
	*index = b.index;
	if (bytesused)
		*bytesused = is_mplane(s->cfg.type) ? planes[0].bytesused : b.bytesused;
	if (b.flags & V4L2_BUF_FLAG_ERROR)
		return la_why_set(why, -EIO,
				  "buffer %u came back with V4L2_BUF_FLAG_ERROR", b.index);
	return 0;
}
