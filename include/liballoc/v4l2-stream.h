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
 * Conventions as in liballoc.h: functions return 0 or a negative errno
 * (-EINVAL for a required pointer that is NULL, -ENOMEM when memory runs
 * out); every fd created has O_CLOEXEC; "kernel errno" is the errno of the
 * named ioctl, passed through. A human-readable reason for the last
 * failure of a stream is available from la_v4l2_stream_error(); failures of
 * la_v4l2_stream_open() and la_v4l2_stream_config_from_descriptor() write
 * it into the caller's err buffer (err may be NULL or len 0: no message).
 * These functions never touch la_last_diagnosis().
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
 * -EINVAL: desc or cfg NULL or plane_count not in 1..LA_V4L2_MAX_PLANES
 * (no message), or V4L2 cannot describe the layout: no V4L2 code for the
 * format and plane split, a modifier other than linear, plane 0 not at
 * offset 0 (message in err).
 */
int la_v4l2_stream_config_from_descriptor(const struct la_descriptor *desc,
					  struct la_v4l2_stream_config *cfg, char *err, size_t len);

/*
 * Sets the format (VIDIOC_S_FMT) and requests the buffers (VIDIOC_REQBUFS).
 * fd is borrowed: the stream works on its own F_DUPFD_CLOEXEC duplicate, so
 * the caller may close fd at once; the duplicate shares the open file, so
 * the queue belongs to the caller's file description. *out is owned
 * (la_v4l2_stream_close()). On failure *out is NULL, a message is in err
 * and nothing is left allocated in the queue.
 * -EINVAL: cfg or out NULL, fd negative, num_planes not in
 *   1..LA_V4L2_MAX_PLANES, memory neither DMABUF nor MMAP; or the driver
 *   changed the pixelformat, size, plane count or a requested bytesperline.
 * -ENOTSUP: type 0 and the device has no video capture queue.
 * -EPROTO: VIDIOC_S_FMT answered a plane count outside 1..4.
 * -ENOMEM: also when VIDIOC_REQBUFS gives no buffer.
 * The kernel errno of F_DUPFD_CLOEXEC (-EBADF, -EMFILE), VIDIOC_S_FMT or
 *   VIDIOC_REQBUFS (e.g. -EBUSY: another file description owns the queue).
 */
int la_v4l2_stream_open(int fd, const struct la_v4l2_stream_config *cfg,
			struct la_v4l2_stream **out, char *err, size_t len);
/* Stops streaming, frees the queue's buffers (REQBUFS 0), closes the dup. NULL ok. */
void la_v4l2_stream_close(struct la_v4l2_stream *s);

/*
 * What the driver set: format (with its bytesperline/sizeimage), buffer
 * count. Nothing happens if s or cfg is NULL. sizeimage is 0 for s NULL or
 * a plane beyond num_planes.
 */
void la_v4l2_stream_get_config(const struct la_v4l2_stream *s, struct la_v4l2_stream_config *cfg);
uint32_t la_v4l2_stream_get_sizeimage(const struct la_v4l2_stream *s, uint32_t plane);

/*
 * Queues buffer index with the dma-bufs of desc (DMABUF streams): one
 * V4L2 plane per memory plane, fd/length from the descriptor. The fds are
 * borrowed; the kernel holds its own reference while the buffer is queued.
 * -EINVAL: s or desc NULL, not a DMABUF stream, index >= the buffer count,
 * or desc has fewer planes than the format's memory planes. The kernel
 * errno of sizing a dma-buf (lseek) or of VIDIOC_QBUF.
 */
int la_v4l2_stream_queue_dmabuf(struct la_v4l2_stream *s, uint32_t index,
				const struct la_descriptor *desc);
/*
 * Queues MMAP buffer index. -EINVAL: s NULL, not an MMAP stream, index >=
 * the buffer count. The kernel errno of VIDIOC_QBUF.
 */
int la_v4l2_stream_queue(struct la_v4l2_stream *s, uint32_t index);
/*
 * Exports plane of MMAP buffer index as a dma-buf (VIDIOC_EXPBUF); *fd is
 * owned by the caller (close it), -1 on failure. -EINVAL: fd or s NULL,
 * not an MMAP stream. The kernel errno of VIDIOC_EXPBUF (-EINVAL for an
 * index or plane the queue does not have).
 */
int la_v4l2_stream_export(struct la_v4l2_stream *s, uint32_t index, uint32_t plane, int *fd);
/* VIDIOC_STREAMON. -EINVAL: s NULL. The kernel errno of VIDIOC_STREAMON. */
int la_v4l2_stream_start(struct la_v4l2_stream *s);
/*
 * VIDIOC_STREAMOFF: every queued buffer returns to the application.
 * -EINVAL: s NULL. The kernel errno of VIDIOC_STREAMOFF (the stream counts
 * as stopped all the same).
 */
int la_v4l2_stream_stop(struct la_v4l2_stream *s);
/*
 * Waits up to timeout_ms (negative: forever) for a filled buffer and
 * dequeues it; *bytesused (may be NULL) gets plane 0's bytes.
 * -EINVAL: s or index NULL.
 * -ETIMEDOUT: no buffer came in time.
 * -EIO: the driver flagged the buffer as erroneous (it is still dequeued:
 *   *index is valid).
 * The kernel errno of poll or VIDIOC_DQBUF (-EINVAL: not streaming, -EPIPE:
 *   the last buffer of a stopped m2m stream).
 */
int la_v4l2_stream_dequeue(struct la_v4l2_stream *s, int timeout_ms, uint32_t *index,
			   uint32_t *bytesused);

/*
 * Reason of the stream's last failure ("" if none; "" for NULL). Borrowed
 * from s; a later failure of s replaces it, a success leaves it.
 */
const char *la_v4l2_stream_error(const struct la_v4l2_stream *s);

#ifdef __cplusplus
}
#endif

#endif
