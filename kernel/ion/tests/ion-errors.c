// SPDX-License-Identifier: GPL-2.0
/*
 * Bad input gets the right errno and leaves nothing behind: lengths,
 * flags, masks, alignment, handles, foreign and bad fds, and arguments the
 * kernel cannot read or cannot write back.
 * Usage: ion-errors --abi legacy|legacy-noquery|modern
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/dma-heap.h>

#include "ion-util.h"

static unsigned int ids[3];
static long ps;
static void *ro_page;

/* ioctl whose argument the kernel can read but not write back. */
static int ioctl_ro(int fd, unsigned long cmd, const void *arg, size_t size)
{
	int ret, err;

	mprotect(ro_page, ps, PROT_READ | PROT_WRITE);
	memcpy(ro_page, arg, size);
	mprotect(ro_page, ps, PROT_READ);
	ret = ioctl(fd, cmd, ro_page);
	err = errno;
	mprotect(ro_page, ps, PROT_READ | PROT_WRITE);
	errno = err;
	return ret;
}

static void alloc_err(int ion, bool legacy, uint64_t len, unsigned int mask,
		      unsigned int flags, int want, const char *what)
{
	int fd = -1;

	if (!check_errno(ion_alloc_fd(ion, legacy, len, mask, flags, &fd), want, what) ||
	    (want == 0 && fd >= 0))
		close(fd);
}

static void common(int ion, bool legacy)
{
	unsigned int sys = 1u << ids[0], all = sys | 1u << ids[1] | 1u << ids[2];
	uint64_t top = legacy ? SIZE_MAX : UINT64_MAX;

	alloc_err(ion, legacy, 0, all, 0, EINVAL, "length 0");
	alloc_err(ion, legacy, top, all, 0, EINVAL, "the largest length (rounding overflows)");
	alloc_err(ion, legacy, SIZE_MAX - ps + 2, all, 0, EINVAL,
		  "the smallest length whose rounding overflows");
	alloc_err(ion, legacy, SIZE_MAX - ps + 1, all, 0, ENOMEM,
		  "the largest length that rounds");
	alloc_err(ion, legacy, 1ull << 40, all, 0, ENOMEM, "1 TiB");
	alloc_err(ion, legacy, 4096, 0, 0, ENODEV, "mask 0");
	alloc_err(ion, legacy, 4096, ~all, 0, ENODEV, "a mask of no heap");
	alloc_err(ion, legacy, 4096, sys, 1u << 2, EINVAL, "flag bit 2");
	alloc_err(ion, legacy, 4096, sys, 1u << 16, EINVAL, "flag bit 16 (heap-specific)");
	alloc_err(ion, legacy, 4096, sys, 1u << 31, EINVAL, "flag bit 31");
	alloc_err(ion, legacy, 4096, sys, ION_FLAG_CACHED_NEEDS_SYNC, legacy ? 0 : EINVAL,
		  "ION_FLAG_CACHED_NEEDS_SYNC");
}

static void modern_only(int ion)
{
	struct ion_new_allocation_data d = { .len = 4096, .heap_id_mask = 1u << ids[0] };
	long live = ion_live_buffers();
	int fds = tl_fd_count();

	d.unused = 1;
	check_errno(ioctl(ion, ION_IOC_NEW_ALLOC, &d), EINVAL, "unused set");
	d.unused = 0;
	d.fd = 12345;
	if (check_errno(ioctl(ion, ION_IOC_NEW_ALLOC, &d), 0, "garbage in the fd field (output)"))
		close(d.fd);
	check_errno(ioctl(ion, ION_IOC_NEW_ALLOC, (void *)8), EFAULT, "ALLOC argument unreadable");
	d = (struct ion_new_allocation_data){ .len = 4096, .heap_id_mask = 1u << ids[0] };
	check_errno(ioctl_ro(ion, ION_IOC_NEW_ALLOC, &d, sizeof(d)), EFAULT,
		    "ALLOC answer unwritable");
	vm_check(tl_fd_count() == fds && ion_live_buffers() == live,
	      "that left no fd (%d, %d) and no buffer (%ld, %ld)", tl_fd_count(), fds,
	      ion_live_buffers(), live);
}

static void legacy_only(int ion)
{
	struct ion_legacy_allocation_data a = { .len = 4096, .heap_id_mask = 1u << ids[0] };
	unsigned int sys = 1u << ids[0], contig = 1u << ids[1];
	ion_user_handle_t h, h2;
	long live = ion_live_buffers();
	int fds = tl_fd_count(), fd, null, heap;

	check_errno(ion_legacy_alloc(ion, 4096, 3, sys, 0, &h), EINVAL, "align 3");
	check_errno(ion_legacy_alloc(ion, 8192, 8192, sys, 0, &h), EINVAL, "align 8192 on system");
	if (check_errno(ion_legacy_alloc(ion, 8192, 8192, contig, 0, &h), 0, "align 8192 on system-contig"))
		ion_legacy_free(ion, h);
	check_errno(ion_legacy_alloc(ion, 8192, 16384, contig, 0, &h), EINVAL,
		    "align 16384 on 8192 bytes of system-contig");
	if (check_errno(ion_legacy_alloc(ion, 8192, 8192, sys | contig, 0, &h), 0,
			"align 8192, system|system-contig"))
		ion_legacy_free(ion, h);

	check_errno(ion_legacy_free(ion, -1), EINVAL, "FREE of handle -1");
	check_errno(ion_legacy_free(ion, 12345), EINVAL, "FREE of an unknown handle");
	check_errno(ion_legacy_share(ion, ION_IOC_SHARE, 0, &fd), EINVAL, "SHARE of handle 0");
	check_errno(ion_legacy_share(ion, ION_IOC_MAP, 12345, &fd), EINVAL, "MAP of an unknown handle");
	check_errno(ion_legacy_import(ion, -1, &h), EBADF, "IMPORT of fd -1");
	null = open("/dev/null", O_RDONLY | O_CLOEXEC);
	check_errno(ion_legacy_import(ion, null, &h), EINVAL, "IMPORT of a file that is no dma-buf");
	close(null);

	heap = open("/dev/dma_heap/system", O_RDONLY | O_CLOEXEC);
	if (vm_check(heap >= 0, "/dev/dma_heap/system opens")) {
		struct dma_heap_allocation_data hd = { .len = 4096, .fd_flags = O_RDWR | O_CLOEXEC };

		if (check_errno(ioctl(heap, DMA_HEAP_IOCTL_ALLOC, &hd), 0, "dma-heap buffer")) {
			check_errno(ion_legacy_import(ion, hd.fd, &h), EINVAL,
				    "IMPORT of another exporter's dma-buf");
			check_errno(ioctl(ion, ION_IOC_SYNC, &(struct ion_fd_data){ .fd = hd.fd }),
				    EINVAL, "SYNC of another exporter's dma-buf");
			close(hd.fd);
		}
		close(heap);
	}

	check_errno(ioctl(ion, ION_IOC_LEGACY_ALLOC, (void *)8), EFAULT, "ALLOC argument unreadable");
	check_errno(ioctl_ro(ion, ION_IOC_LEGACY_ALLOC, &a, sizeof(a)), EFAULT,
		    "ALLOC answer unwritable");
	vm_check(ion_live_buffers() == live, "that left no buffer (%ld, %ld)", ion_live_buffers(),
		 live);

	if (!check_errno(ion_legacy_alloc(ion, 4096, 0, sys, 0, &h), 0, "ALLOC"))
		return;
	check_errno(ioctl_ro(ion, ION_IOC_SHARE, &(struct ion_fd_data){ .handle = h },
			     sizeof(struct ion_fd_data)), EFAULT, "SHARE answer unwritable");
	vm_check_fds(fds, "SHARE answer unwritable");
	if (check_errno(ion_legacy_share(ion, ION_IOC_SHARE, h, &fd), 0, "SHARE")) {
		check_errno(ioctl_ro(ion, ION_IOC_IMPORT, &(struct ion_fd_data){ .fd = fd },
				     sizeof(struct ion_fd_data)), EFAULT, "IMPORT answer unwritable");
		check_errno(ion_legacy_import(ion, fd, &h2), 0, "IMPORT");
		close(fd);
		/* ALLOC and one IMPORT counted: the failed IMPORT must not have added one. */
		ion_legacy_free(ion, h2);
		vm_check(ion_live_buffers() == live + 1, "one FREE of two leaves the buffer");
		check_errno(ion_legacy_free(ion, h), 0, "the second FREE");
		check_errno(ion_legacy_free(ion, h), EINVAL, "a third FREE");
	}
	vm_check(ion_live_buffers() == live, "all freed (%ld, %ld)", ion_live_buffers(), live);
}

int main(int argc, char **argv)
{
	enum ion_abi abi = parse_abi_arg(argc, argv);
	bool legacy = abi != ABI_MODERN;
	long live = ion_live_buffers();
	int fds = tl_fd_count();
	int ion = ion_open();

	ps = sysconf(_SC_PAGESIZE);
	ion_param_heap_ids(ids);
	ro_page = mmap(NULL, ps, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (ro_page == MAP_FAILED)
		vm_fatal("mmap: %s", strerror(errno));
	common(ion, legacy);
	if (legacy)
		legacy_only(ion);
	else
		modern_only(ion);
	close(ion);
	vm_check(ion_live_buffers() == live, "no buffer left behind (%ld live, %ld before)",
	      ion_live_buffers(), live);
	vm_check_fds(fds, "ion-errors");
	return vm_exit_status();
}
