// SPDX-License-Identifier: GPL-2.0
/*
 * CPU access to ION buffers: mmap of whole, partial and offset ranges,
 * DMA_BUF_IOCTL_SYNC brackets, two dma-bufs of one legacy buffer seeing the
 * same memory, a mapping outliving its fd, and the refusals.
 * Usage: ion-mmap --abi legacy|legacy-noquery|modern
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/dma-buf.h>

#include "ion-util.h"

static const char *const heap_names[3] = { "system", "system-contig", "dma" };
static unsigned int ids[3];
static long ps;

static unsigned char pattern(size_t i, unsigned int seed)
{
	return (unsigned char)(i * 31 + seed + (i >> 12));
}

static bool all_zero(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

static bool matches(const unsigned char *p, size_t off, size_t n, unsigned int seed)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != pattern(off + i, seed))
			return false;
	return true;
}

static void one(int ion, bool legacy, int h, unsigned int flags)
{
	size_t len = 3 * ps + 100, size = 4 * ps;
	unsigned int seed = h * 7 + flags + 1;
	long live = ion_live_buffers();
	unsigned char *p, *q;
	char what[64];
	int fd;

	snprintf(what, sizeof(what), "%s%s", heap_names[h], flags ? " cached" : "");
	if (!check_errno(ion_alloc_fd(ion, legacy, len, 1u << ids[h], flags, &fd), 0, what))
		return;
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (!vm_check(p != MAP_FAILED, "%s: mmap of all %zu bytes: %s", what, size,
		   p == MAP_FAILED ? strerror(errno) : "ok")) {
		close(fd);
		return;
	}
	check_errno(tl_dmabuf_sync(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW), 0, "SYNC START|RW");
	vm_check(all_zero(p, size), "%s: a new buffer reads as zeros", what);
	for (size_t i = 0; i < size; i++)
		p[i] = pattern(i, seed);
	check_errno(tl_dmabuf_sync(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW), 0, "SYNC END|RW");

	/* 5000 bytes from page 1: the kernel maps 2 pages. */
	q = mmap(NULL, 5000, PROT_READ, MAP_SHARED, fd, ps);
	if (vm_check(q != MAP_FAILED, "%s: mmap of 5000 bytes at page 1", what)) {
		check_errno(tl_dmabuf_sync(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ), 0,
			    "SYNC START|READ");
		vm_check(matches(q, ps, 2 * ps, seed), "%s: it sees what was written", what);
		check_errno(tl_dmabuf_sync(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ), 0,
			    "SYNC END|READ");
		munmap(q, 5000);
	}
	q = mmap(NULL, ps, PROT_READ, MAP_SHARED, fd, 3 * ps);
	if (vm_check(q != MAP_FAILED, "%s: mmap of the last page", what)) {
		vm_check(matches(q, 3 * ps, ps, seed), "%s: last page as written", what);
		munmap(q, ps);
	}
	q = mmap(NULL, ps, PROT_READ, MAP_SHARED, fd, 4 * ps);
	check_errno(q == MAP_FAILED ? -1 : munmap(q, ps), EINVAL, "mmap at the end");
	q = mmap(NULL, 2 * ps, PROT_READ, MAP_SHARED, fd, 3 * ps);
	check_errno(q == MAP_FAILED ? -1 : munmap(q, 2 * ps), EINVAL, "mmap running past the end");
	q = mmap(NULL, ps, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	check_errno(q == MAP_FAILED ? -1 : munmap(q, ps), EINVAL, "MAP_PRIVATE");
	check_errno(tl_dmabuf_sync(fd, DMA_BUF_SYNC_RW | 8), EINVAL, "SYNC with an unknown flag");

	if (legacy) {
		ion_user_handle_t handle;
		int fd2;

		check_errno(ioctl(ion, ION_IOC_SYNC, &(struct ion_fd_data){ .fd = fd }), 0,
			    "ION_IOC_SYNC");
		/* A second dma-buf of the same buffer. */
		if (check_errno(ion_legacy_import(ion, fd, &handle), 0, "IMPORT") &&
		    check_errno(ion_legacy_share(ion, ION_IOC_SHARE, handle, &fd2), 0, "SHARE")) {
			q = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd2, 0);
			if (vm_check(q != MAP_FAILED, "%s: mmap of a second dma-buf", what)) {
				vm_check(matches(q, 0, size, seed), "%s: same memory", what);
				q[5] ^= 0xff;
				vm_check(p[5] == (unsigned char)(pattern(5, seed) ^ 0xff),
				      "%s: a write through one is seen through the other", what);
				munmap(q, size);
			}
			close(fd2);
			ion_legacy_free(ion, handle);
		}
	}

	close(fd);
	vm_check(ion_live_buffers() == live + 1, "%s: the mapping keeps the buffer after close", what);
	vm_check(p[size - 1] == pattern(size - 1, seed), "%s: and still reads it", what);
	munmap(p, size);
	vm_check(ion_live_buffers() == live, "%s: gone after munmap", what);
}

int main(int argc, char **argv)
{
	enum ion_abi abi = parse_abi_arg(argc, argv);
	bool legacy = abi != ABI_MODERN;
	int ion = ion_open(), h, devnull;

	ps = sysconf(_SC_PAGESIZE);
	ion_param_heap_ids(ids);
	for (h = 0; h < 3; h++) {
		one(ion, legacy, h, 0);
		one(ion, legacy, h, ION_FLAG_CACHED);
	}
	if (legacy) {
		devnull = open("/dev/null", O_RDONLY);
		check_errno(ioctl(ion, ION_IOC_SYNC, &(struct ion_fd_data){ .fd = devnull }), EINVAL,
			    "ION_IOC_SYNC of a file that is no dma-buf");
		close(devnull);
		check_errno(ioctl(ion, ION_IOC_SYNC, &(struct ion_fd_data){ .fd = -1 }), EBADF,
			    "ION_IOC_SYNC of fd -1");
	}
	close(ion);
	return vm_exit_status();
}
