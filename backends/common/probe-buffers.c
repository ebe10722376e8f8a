/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <linux/dma-heap.h>
#include <linux/udmabuf.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "probe-buffers.h"

#define PAGE 4096u

/* A shmem memfd of len bytes sealed against shrinking, as udmabuf wants. */
static int sealed_memfd(uint64_t len, char *why, size_t why_len)
{
	int fd = memfd_create("liballoc-probe", MFD_CLOEXEC | MFD_ALLOW_SEALING);

	if (fd >= 0 && ftruncate(fd, (off_t)len) == 0 &&
	    fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK) == 0)
		return fd;
	int err = errno;
	snprintf(why, why_len, "memfd for the probe buffer: %s", strerror(err));
	if (fd >= 0)
		close(fd);
	return -err;
}

int be_scattered_dmabuf(uint64_t size, int *out, char *why, size_t len, uint64_t *high)
{
	struct {
		struct udmabuf_create_list head;
		struct udmabuf_create_item items[2];
	} req;
	uint64_t half = ((size + 1) / 2 + PAGE - 1) / PAGE * PAGE;
	int memfd, dev, fd;

	*out = -1;
	if (half == 0)
		half = PAGE;
	memfd = sealed_memfd(half, why, len);
	if (memfd < 0)
		return memfd;
	dev = open("/dev/udmabuf", O_RDWR | O_CLOEXEC);
	if (dev < 0) {
		int err = errno;
		snprintf(why, len, "/dev/udmabuf: %s", strerror(err));
		close(memfd);
		return -err;
	}
	memset(&req, 0, sizeof(req));
	req.head.flags = UDMABUF_FLAGS_CLOEXEC;
	req.head.count = 2;
	for (int i = 0; i < 2; i++) {
		req.items[i].memfd = (uint32_t)memfd;
		req.items[i].offset = 0;
		req.items[i].size = half;
	}
	fd = ioctl(dev, UDMABUF_CREATE_LIST, &req);
	if (fd < 0) {
		int err = errno;
		snprintf(why, len, "UDMABUF_CREATE_LIST (%llu bytes): %s",
			 (unsigned long long)(2 * half), strerror(err));
		fd = -err;
	} else {
		snprintf(why, len, "a scattered udmabuf (2 pieces, %llu bytes)",
			 (unsigned long long)(2 * half));
		*out = fd;
		fd = 0;
		/* the pages are pinned by the udmabuf now: where they lie is fixed */
		if (high && be_memfd_highest_phys(memfd, half, high) < 0)
			*high = 0;
	}
	close(dev);
	close(memfd);
	return fd;
}

static int heap_page(int *out, char *src, size_t len)
{
	struct dma_heap_allocation_data a = {.len = PAGE, .fd_flags = O_RDWR | O_CLOEXEC};
	int heap = open("/dev/dma_heap/system", O_RDWR | O_CLOEXEC), err;

	if (heap < 0) {
		err = errno;
		snprintf(src, len, "/dev/dma_heap/system: %s", strerror(err));
		return -err;
	}
	err = ioctl(heap, DMA_HEAP_IOCTL_ALLOC, &a) == 0 ? 0 : errno;
	close(heap);
	if (err) {
		snprintf(src, len, "DMA_HEAP_IOCTL_ALLOC: %s", strerror(err));
		return -err;
	}
	*out = (int)a.fd;
	snprintf(src, len, "a one-page dma-heap 'system' buffer");
	return 0;
}

static int udmabuf_page(int *out, char *src, size_t len)
{
	struct udmabuf_create c = {.flags = UDMABUF_FLAGS_CLOEXEC, .size = PAGE};
	int mem = sealed_memfd(PAGE, src, len), dev, fd, err;

	if (mem < 0)
		return mem;
	dev = open("/dev/udmabuf", O_RDWR | O_CLOEXEC);
	if (dev < 0) {
		err = errno;
		snprintf(src, len, "/dev/udmabuf: %s", strerror(err));
		close(mem);
		return -err;
	}
	c.memfd = (uint32_t)mem;
	fd = ioctl(dev, UDMABUF_CREATE, &c);
	err = fd < 0 ? errno : 0;
	close(dev);
	close(mem);
	if (err) {
		snprintf(src, len, "UDMABUF_CREATE: %s", strerror(err));
		return -err;
	}
	*out = fd;
	snprintf(src, len, "a one-page udmabuf");
	return 0;
}

int be_page_dmabuf(int *out, char *src, size_t len)
{
	char heap_why[96];
	int ret;

	*out = -1;
	if (heap_page(out, src, len) == 0)
		return 0;
	snprintf(heap_why, sizeof(heap_why), "%s", src);
	ret = udmabuf_page(out, src, len);
	if (ret < 0) {
		char udm_why[96];
		snprintf(udm_why, sizeof(udm_why), "%s", src);
		snprintf(src, len, "%s; %s", heap_why, udm_why);
	}
	return ret;
}

int be_memfd_highest_phys(int fd, uint64_t size, uint64_t *phys)
{
	uint8_t *map = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0);
	int pm, ret = 0;

	*phys = 0;
	if (map == MAP_FAILED)
		return -errno;
	pm = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	if (pm < 0) {
		ret = -errno;
		goto out;
	}
	for (uint64_t off = 0; off < size && ret == 0; off += PAGE) {
		uint64_t entry, pfn;
		(void)*(volatile uint8_t *)(map + off); /* present in the page table */
		if (pread(pm, &entry, sizeof(entry),
			  (off_t)(((uintptr_t)(map + off) / PAGE) * sizeof(entry))) != sizeof(entry)) {
			ret = -EIO;
			break;
		}
		pfn = entry & ((UINT64_C(1) << 55) - 1);
		if (!(entry >> 63) || pfn == 0)
			ret = -EPERM; /* not present, or frame numbers hidden */
		else if (pfn * PAGE > *phys)
			*phys = pfn * PAGE;
	}
	close(pm);
out:
	munmap(map, size);
	return ret;
}
