// SPDX-License-Identifier: GPL-2.0
/*
 * Physical contiguity, proven by a device that needs it: vivid with
 * allocators=1 uses videobuf2-dma-contig, which refuses (EFAULT at QBUF) a
 * dma-buf that is not contiguous in DMA address space; the guest has no
 * IOMMU, so that is physical contiguity. Buffers of system-contig and dma
 * must be accepted and filled with a frame, buffers of system refused. A
 * vivid instance with the vmalloc allocator takes all three through
 * dma_buf_vmap() and fills them too.
 *
 * Needs: vm-run --param vivid.n_devs=2 --param vivid.allocators=1,0
 * Usage: ion-v4l2 --abi legacy|legacy-noquery|modern
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/videodev2.h>

#include "ion-util.h"
#include "vivid.h"

static const char *const heap_names[3] = { "system", "system-contig", "dma" };
static unsigned int ids[3];

struct cam {
	int fd;
	char path[64];
	bool contig;		/* videobuf2-dma-contig */
	struct v4l2_format fmt;
};

struct cams {
	struct cam *contig, *vmalloc;
};

/* vivid capture nodes, told apart by allocator: dma-contig has no USERPTR. */
static bool take_cam(int fd, const char *path, const struct v4l2_capability *cap, void *data)
{
	struct cams *cs = data;
	struct cam c = { 0 };
	int contig = vm_vivid_contig(fd);
	struct cam *slot;

	if (!(vm_v4l2_caps(cap) & V4L2_CAP_VIDEO_CAPTURE) || contig < 0)
		return false;
	c.contig = contig;
	c.fmt.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	if (ioctl(fd, VIDIOC_G_FMT, &c.fmt))
		return false;
	snprintf(c.path, sizeof(c.path), "%.63s", path);
	vm_note("%s: vivid capture (%s), %ux%u, %u bytes a frame, %s", c.path,
		(char *)cap->bus_info, c.fmt.fmt.pix.width, c.fmt.fmt.pix.height,
		c.fmt.fmt.pix.sizeimage, c.contig ? "dma-contig" : "vmalloc");
	slot = c.contig ? cs->contig : cs->vmalloc;
	if (slot->fd < 0) {
		c.fd = dup(fd);
		*slot = c;
	}
	return cs->contig->fd >= 0 && cs->vmalloc->fd >= 0;
}

static void find_cams(struct cam *contig, struct cam *vmalloc)
{
	struct cams cs = { contig, vmalloc };

	contig->fd = vmalloc->fd = -1;
	vm_each_v4l2("vivid", take_cam, &cs);
	if (contig->fd < 0 || vmalloc->fd < 0)
		vm_fatal("need a vivid capture node of each allocator: run with "
		      "--param vivid.n_devs=2 --param vivid.allocators=1,0");
}

/* The frame is in the ION buffer: vivid's colour bars in YUYV have no zero
 * bytes at all. */
static void check_frame(int fd, unsigned int size, const char *what)
{
	unsigned char *p = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0);
	size_t nz = 0;

	if (!vm_check(p != MAP_FAILED, "%s: mmap", what))
		return;
	tl_dmabuf_sync(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ);
	for (size_t i = 0; i < size; i++)
		nz += p[i] != 0;
	tl_dmabuf_sync(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ);
	vm_check(nz > size / 2, "%s: the frame is in the ION buffer (%zu of %u bytes non-zero)",
		 what, nz, size);
	munmap(p, size);
}

/* Queues an ION buffer; if want_ok, captures one frame into it. */
static void capture(int ion, bool legacy, struct cam *c, int h, unsigned int flags, bool want_ok)
{
	struct vm_vivid v = {.fd = c->fd, .fmt = c->fmt};
	unsigned int size = c->fmt.fmt.pix.sizeimage;
	const char *step;
	char what[160];
	double t = tl_now();
	int fd, ret;

	snprintf(what, sizeof(what), "%s %s%s into %s", c->contig ? "dma-contig" : "vmalloc",
		 heap_names[h], flags ? " cached" : "", c->path);
	if (!check_errno(ion_alloc_fd(ion, legacy, size, 1u << ids[h], flags, &fd), 0, what))
		return;
	ret = vm_vivid_capture(&v, fd, &step);
	if (want_ok) {
		if (vm_check(ret == 0, "%s: one frame: %s%s%s", what,
			     ret ? strerror(-ret) : "captured", ret ? " at " : "", ret ? step : "")) {
			vm_note("%s: frame after %.3f s", what, tl_now() - t);
			check_frame(fd, size, what);
		}
	} else {
		vm_check(ret == -EFAULT && !strcmp(step, "QBUF"),
			 "%s: refused with EFAULT at QBUF (%s at %s)", what, strerror(-ret), step);
	}
	vm_check(v.released == 0, "%s: REQBUFS 0: %s", what, strerror(-v.released));
	close(fd);
}

int main(int argc, char **argv)
{
	enum ion_abi abi = parse_abi_arg(argc, argv);
	bool legacy = abi != ABI_MODERN;
	struct cam contig, vmalloc;
	long live = ion_live_buffers();
	int ion = ion_open(), h;

	ion_param_heap_ids(ids);
	find_cams(&contig, &vmalloc);
	for (h = 0; h < 3; h++) {
		/* Only the system heap is scattered. */
		capture(ion, legacy, &contig, h, 0, h != 0);
		capture(ion, legacy, &contig, h, ION_FLAG_CACHED, h != 0);
		capture(ion, legacy, &vmalloc, h, 0, true);
		capture(ion, legacy, &vmalloc, h, ION_FLAG_CACHED, true);
	}
	close(contig.fd);
	close(vmalloc.fd);
	close(ion);
	vm_check(ion_live_buffers() == live, "no buffer left behind (%ld live, %ld before)",
	      ion_live_buffers(), live);
	return vm_exit_status();
}
