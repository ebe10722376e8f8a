/* SPDX-License-Identifier: MIT */
/*
 * liballoc V4L2 helpers: the V4L2 <-> DRM format table and a small
 * streaming helper for programs that capture into (or output from) buffers
 * negotiated with liballoc.
 *
 * Shipped as a static library of its own (liballoc-v4l2-stream, pkg-config
 * name liballoc-v4l2-stream), not in liballoc.so: the core knows no device
 * API, and programs that never stream do not carry this code.
 *
 * Conventions as in liballoc.h: functions return 0 or a negative errno;
 * every fd created has O_CLOEXEC. This library is not liballoc.so and does
 * not set la_last_diagnosis(): every function that can fail takes an
 * explicit struct la_why (liballoc.h; NULL if the caller does not want the
 * reason) and fills it, naming the ioctl and the errno, when it fails.
 */
#ifndef LIBALLOC_V4L2_STREAM_H
#define LIBALLOC_V4L2_STREAM_H

#include <stddef.h>
#include <stdint.h>

#include <liballoc/liballoc.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- format table ---- */

/*
 * DRM fourcc for a V4L2 pixelformat, or 0 if liballoc has no mapping.
 * *mem_planes (may be NULL) gets the number of V4L2 memory planes: 1 for
 * single-buffer formats (NV12), 2 or 3 for the *M variants (NV12M).
 */
uint32_t la_v4l2_format_to_drm(uint32_t v4l2_pixfmt, uint32_t *mem_planes);
/*
 * V4L2 pixelformat for a DRM fourcc with that many memory planes (0 = the
 * single-buffer variant if there is one), or 0. Deprecated V4L2 codes
 * (RGB32, BGR32, RGB555) are never returned.
 */
uint32_t la_v4l2_format_from_drm(uint32_t drm_format, uint32_t mem_planes);

/* ---- streaming ---- */

struct la_v4l2_stream;

#define LA_V4L2_MAX_PLANES 4

struct la_v4l2_stream_config {
	uint32_t type;         /* V4L2_BUF_TYPE_*; 0 = the video capture queue the device has */
	uint32_t memory;       /* V4L2_MEMORY_DMABUF or V4L2_MEMORY_MMAP */
	uint32_t pixelformat;  /* V4L2 code */
	uint32_t width, height;
	uint32_t num_planes;   /* memory planes (1 for single-buffer formats) */
	uint32_t bytesperline[LA_V4L2_MAX_PLANES]; /* 0 = driver's choice */
	uint32_t count;        /* buffers to request (the driver may give more) */
};

/*
 * Fills cfg for a liballoc descriptor: pixelformat from the table (the *M
 * variant when the planes are in separate dma-bufs at offset 0), pitches,
 * memory DMABUF. type/count are left for the caller (type 0, count 0).
 * -EINVAL (message in err) if V4L2 cannot describe the layout.
 */
int la_v4l2_stream_config_from_descriptor(const struct la_descriptor *desc,
					  struct la_v4l2_stream_config *cfg, struct la_why *why);

/*
 * Sets the format (VIDIOC_S_FMT; -EINVAL if the driver changes the size or
 * a requested bytesperline) and requests the buffers (VIDIOC_REQBUFS).
 * fd is borrowed: the stream works on its own F_DUPFD_CLOEXEC duplicate, so
 * the caller may close fd at once; the duplicate shares the open file, so
 * the queue belongs to the caller's file description. On failure nothing is
 * left allocated in the queue.
 */
int la_v4l2_stream_open(int fd, const struct la_v4l2_stream_config *cfg,
			struct la_v4l2_stream **out, struct la_why *why);
/* Stops streaming, frees the queue's buffers (REQBUFS 0), closes the dup. NULL ok. */
void la_v4l2_stream_close(struct la_v4l2_stream *s);

/* What the driver set: format (with its bytesperline/sizeimage), buffer count. */
void la_v4l2_stream_get_config(const struct la_v4l2_stream *s, struct la_v4l2_stream_config *cfg);
uint32_t la_v4l2_stream_get_sizeimage(const struct la_v4l2_stream *s, uint32_t plane);

/*
 * Queues buffer index with the dma-bufs of desc (DMABUF streams): one
 * V4L2 plane per memory plane, fd/length from the descriptor. The fds are
 * borrowed; the kernel holds its own reference while the buffer is queued.
 */
int la_v4l2_stream_queue_dmabuf(struct la_v4l2_stream *s, uint32_t index,
				const struct la_descriptor *desc, struct la_why *why);
/* Queues MMAP buffer index. */
int la_v4l2_stream_queue(struct la_v4l2_stream *s, uint32_t index, struct la_why *why);
/* Exports plane of MMAP buffer index as a dma-buf (VIDIOC_EXPBUF); *fd owned. */
int la_v4l2_stream_export(struct la_v4l2_stream *s, uint32_t index, uint32_t plane, int *fd,
			  struct la_why *why);
int la_v4l2_stream_start(struct la_v4l2_stream *s, struct la_why *why);
int la_v4l2_stream_stop(struct la_v4l2_stream *s, struct la_why *why);
/*
 * Waits up to timeout_ms for a filled buffer and dequeues it. -ETIMEDOUT
 * if none came, -EIO if the driver flagged the buffer as erroneous (it is
 * still dequeued: *index is valid).
 */
int la_v4l2_stream_dequeue(struct la_v4l2_stream *s, int timeout_ms, uint32_t *index,
			   uint32_t *bytesused, struct la_why *why);

#ifdef __cplusplus
}
#endif

#endif
