/* SPDX-License-Identifier: MIT */
/*
 * The baseline of bench/alloc: each allocation path done with the kernel's
 * own ioctls, as a program without liballoc would write it. One cycle is
 * allocate + export (a dma-buf fd in the caller's hands) + free (every fd
 * and handle closed), the same work liballoc's path does.
 */
#ifndef BENCH_ALLOC_RAW_H
#define BENCH_ALLOC_RAW_H

#include <stdint.h>
#include <linux/videodev2.h>

enum raw_kind {
	RAW_DMA_HEAP,  /* DMA_HEAP_IOCTL_ALLOC on /dev/dma_heap/system */
	RAW_UDMABUF,   /* memfd + F_SEAL_SHRINK + UDMABUF_CREATE */
	RAW_DRM_DUMB,  /* MODE_CREATE_DUMB + PRIME_HANDLE_TO_FD + MODE_DESTROY_DUMB */
	RAW_SMAF,      /* SMAF_IOC_CREATE (allocates nothing until first use) */
	RAW_V4L2_MMAP, /* VIDIOC_CREATE_BUFS(1, MMAP) + EXPBUF + REQBUFS(0) */
};

struct raw_alloc {
	enum raw_kind kind;
	int fd;              /* the device or heap node; owned */
	uint32_t width, height;
	uint64_t size;       /* bytes of an XRGB8888 width x height buffer */
	struct v4l2_format fmt; /* V4L2: what S_FMT answered, given to CREATE_BUFS */
};

/*
 * Opens node (a device or heap node; ignored for udmabuf and SMAF, which
 * have fixed nodes). 0 or -errno with a message on stderr.
 */
int raw_open(struct raw_alloc *r, enum raw_kind kind, const char *node);
/* The buffer size the next cycles allocate: XRGB8888, pitch width * 4. V4L2: S_FMT. */
int raw_set_size(struct raw_alloc *r, uint32_t width, uint32_t height);
/*
 * One allocate + export + free. dmabuf_size, if not NULL, gets the size of
 * the exported dma-buf (lseek), read before it is closed.
 */
int raw_cycle(struct raw_alloc *r, uint64_t *dmabuf_size);
void raw_close(struct raw_alloc *r);

#endif
