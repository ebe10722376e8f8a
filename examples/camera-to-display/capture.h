/* SPDX-License-Identifier: MIT */
/*
 * V4L2 capture into dma-bufs (V4L2_MEMORY_DMABUF) with plain ioctls: the
 * few calls a program makes once liballoc has chosen the format, the
 * pitch and the memory. Single- and multi-planar queues; one memory plane
 * per buffer (all planes of a format in one dma-buf, as V4L2's
 * single-buffer formats like NV12 have them).
 */
#ifndef C2D_CAPTURE_H
#define C2D_CAPTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <liballoc/liballoc.h>

struct capture {
	int fd;          /* borrowed: the camera's la_device fd */
	uint32_t type;   /* V4L2_BUF_TYPE_VIDEO_CAPTURE(_MPLANE) */
	uint32_t count;  /* buffers the driver granted */
	uint32_t pixelformat, bytesperline, sizeimage;
	uint32_t rate_num, rate_den; /* frame interval set, 0/0 if no control */
	bool have_bufs, streaming;
};

/* V4L2 pixelformat with the memory layout of a DRM fourcc, 0 if none. */
uint32_t capture_v4l2_format(uint32_t drm_format);

/*
 * S_FMT (format, size, bytesperline = the negotiated pitch), S_PARM for
 * fps frames per second (the driver picks the nearest interval it has;
 * rate_num/rate_den say which) and REQBUFS(DMABUF, count). -EINVAL with the reason in err if the driver
 * changes the size or the pitch: then the negotiated layout is not what
 * the camera writes, and sharing the buffers would corrupt the frame.
 */
int capture_open(struct capture *c, int fd, const struct la_descriptor *d, uint32_t count,
		 uint32_t fps, char *err, size_t len);
/* QBUF of buffer index with d's dma-buf (borrowed; the kernel holds a ref). */
int capture_queue(struct capture *c, uint32_t index, const struct la_descriptor *d,
		  char *err, size_t len);
int capture_start(struct capture *c, char *err, size_t len);
/* DQBUF; -EAGAIN if no buffer is ready (call after poll()). */
int capture_dequeue(struct capture *c, uint32_t *index);
/* STREAMOFF and REQBUFS(0): the kernel drops its dma-buf references. */
void capture_close(struct capture *c);

#endif
