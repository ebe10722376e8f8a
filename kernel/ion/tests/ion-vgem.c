// SPDX-License-Identifier: GPL-2.0
/*
 * ION buffers imported by a real importer: vgem attaches and maps them
 * (PRIME FD_TO_HANDLE), re-exports the same dma-buf, and keeps the memory
 * alive after every ION fd is closed; its own buffers are refused by the
 * legacy IMPORT and SYNC.
 * Usage: ion-vgem --abi legacy|legacy-noquery|modern
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/dma-buf.h>
#include <xf86drm.h>

#include "ion-util.h"

static const char *const heap_names[3] = { "system", "system-contig", "dma" };
static unsigned int ids[3];
static long ps;

static ino_t ino(int fd)
{
	struct stat st;

	return fstat(fd, &st) ? 0 : st.st_ino;
}

static void one(int ion, int drm, bool legacy, int h, unsigned int flags)
{
	size_t size = 3 * ps;
	long live = ion_live_buffers();
	uint32_t gh, gh2;
	unsigned char *p;
	int fd, fd2;
	char what[64];

	snprintf(what, sizeof(what), "%s%s", heap_names[h], flags ? " cached" : "");
	if (!check_errno(ion_alloc_fd(ion, legacy, size, 1u << ids[h], flags, &fd), 0, what))
		return;
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (!vm_check(p != MAP_FAILED, "%s: mmap", what)) {
		close(fd);
		return;
	}
	tl_dmabuf_sync(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW);
	for (size_t i = 0; i < size; i++)
		p[i] = (unsigned char)(i ^ (i >> 8) ^ h ^ flags);
	tl_dmabuf_sync(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW);
	munmap(p, size);

	if (!check_errno(drmPrimeFDToHandle(drm, fd, &gh), 0, "vgem imports it (attach + map)")) {
		close(fd);
		return;
	}
	vm_check(drmPrimeFDToHandle(drm, fd, &gh2) == 0 && gh2 == gh,
	      "%s: a second import gives the same GEM handle", what);
	if (check_errno(drmPrimeHandleToFD(drm, gh, DRM_CLOEXEC | DRM_RDWR, &fd2), 0,
			"vgem re-exports it")) {
		vm_check(ino(fd2) == ino(fd), "%s: as the very dma-buf ION made", what);
		close(fd2);
	}
	close(fd);
	vm_check(ion_live_buffers() == live + 1, "%s: vgem's import keeps the buffer", what);

	if (check_errno(drmPrimeHandleToFD(drm, gh, DRM_CLOEXEC | DRM_RDWR, &fd2), 0,
			"re-export with no ION fd left")) {
		bool same = true;

		p = mmap(NULL, size, PROT_READ, MAP_SHARED, fd2, 0);
		if (vm_check(p != MAP_FAILED, "%s: mmap of vgem's export", what)) {
			tl_dmabuf_sync(fd2, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ);
			for (size_t i = 0; i < size; i++)
				same &= p[i] == (unsigned char)(i ^ (i >> 8) ^ h ^ flags);
			tl_dmabuf_sync(fd2, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ);
			vm_check(same, "%s: holds what was written through ION", what);
			munmap(p, size);
		}
		if (legacy) {
			ion_user_handle_t ih;

			if (check_errno(ion_legacy_import(ion, fd2, &ih), 0,
					"ION IMPORT of vgem's export of an ION buffer"))
				ion_legacy_free(ion, ih);
		}
		close(fd2);
	}
	check_errno(drmCloseBufferHandle(drm, gh), 0, "GEM_CLOSE");
	vm_check(ion_live_buffers() == live, "%s: freed once vgem lets go (%ld live, %ld before)",
	      what, ion_live_buffers(), live);
}

static void foreign(int ion, int drm)
{
	struct drm_mode_create_dumb c = { .width = 64, .height = 64, .bpp = 32 };
	ion_user_handle_t ih;
	int fd;

	if (!check_errno(drmIoctl(drm, DRM_IOCTL_MODE_CREATE_DUMB, &c), 0, "vgem dumb buffer"))
		return;
	if (check_errno(drmPrimeHandleToFD(drm, c.handle, DRM_CLOEXEC | DRM_RDWR, &fd), 0,
			"its export")) {
		check_errno(ion_legacy_import(ion, fd, &ih), EINVAL, "ION IMPORT of vgem's own buffer");
		check_errno(ioctl(ion, ION_IOC_SYNC, &(struct ion_fd_data){ .fd = fd }), EINVAL,
			    "ION_IOC_SYNC of vgem's own buffer");
		close(fd);
	}
	drmCloseBufferHandle(drm, c.handle);
}

int main(int argc, char **argv)
{
	enum ion_abi abi = parse_abi_arg(argc, argv);
	bool legacy = abi != ABI_MODERN;
	int ion = ion_open(), drm = ion_vgem_open(), h;

	ps = sysconf(_SC_PAGESIZE);
	ion_param_heap_ids(ids);
	for (h = 0; h < 3; h++) {
		one(ion, drm, legacy, h, 0);
		one(ion, drm, legacy, h, ION_FLAG_CACHED);
	}
	if (legacy)
		foreign(ion, drm);
	close(drm);
	close(ion);
	return vm_exit_status();
}
