/* SPDX-License-Identifier: MIT */
/*
 * V4L2 devices in the test guest, found by driver and bus_info (never by
 * node number: numbering follows module load order), and vivid's capture
 * into a foreign dma-buf (V4L2_MEMORY_DMABUF) with plain ioctls.
 */
#ifndef LIBALLOC_VIVID_H
#define LIBALLOC_VIVID_H

#include <linux/videodev2.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Calls fn for each /dev/video* node of `driver` with an fd (O_RDWR) that
 * is closed after the call (dup it to keep it), its path and
 * VIDIOC_QUERYCAP's answer, until fn returns true. Returns the number of
 * nodes of the driver seen.
 */
typedef bool (*vm_v4l2_fn)(int fd, const char *path, const struct v4l2_capability *cap,
			   void *data);
int vm_each_v4l2(const char *driver, vm_v4l2_fn fn, void *data);
/* The capabilities of the node itself (device_caps when the driver gives them). */
uint32_t vm_v4l2_caps(const struct v4l2_capability *cap);

/*
 * Opens the /dev/video* node of `driver` whose bus_info is `bus` (NULL:
 * any) and which captures video (single- or multi-planar, not touch).
 * Returns an fd owned by the caller, or -ENODEV; path gets the node if not
 * NULL.
 */
int vm_open_v4l2(const char *driver, const char *bus, char *path, size_t len);

/* Whether a single-planar capture queue is on videobuf2-dma-contig: it
 * takes DMABUF but not USERPTR (physically contiguous memory only). 1, 0,
 * -ENOTSUP if it takes no DMABUF at all, or -errno of REQBUFS(0). */
int vm_vivid_contig(int fd);

struct vm_vivid {
	int fd;
	struct v4l2_format fmt; /* single-planar; XBGR32 from vm_vivid_open() */
	int released;           /* REQBUFS(0) after the last capture: 0 or -errno */
};

/*
 * The capture node of vivid instance inst (bus_info platform:vivid-00N) set
 * to width x height XBGR32. 0, -ENODEV (no such node) or -EINVAL (vivid
 * gave another format; the node is closed).
 */
int vm_vivid_open(int inst, uint32_t width, uint32_t height, struct vm_vivid *v);
void vm_vivid_close(struct vm_vivid *v);

/*
 * Queues dmabuf as the only DMABUF buffer and streams one frame into it.
 * 0 or -errno of the first failing step, named in *step ("REQBUFS", "QBUF",
 * "STREAMON", "poll", "DQBUF", "bytesused"); a frame flagged as an error or
 * shorter than the image is -EIO. The queue's buffers are released in any
 * case (v->released: how that went). v->fmt gives the image size.
 */
int vm_vivid_capture(struct vm_vivid *v, int dmabuf, const char **step);

/* vivid's eight 75 % colour bars on the middle line of the XBGR32 image
 * (prints the first wrong pixel of each wrong bar). */
bool vm_vivid_bars(const struct vm_vivid *v, const uint8_t *pixels);

#endif
