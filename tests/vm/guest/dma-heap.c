/* A buffer from the system dma-heap: CPU access bracketed by
 * DMA_BUF_IOCTL_SYNC, then PRIME import into vgem (accepted) and into
 * virtio_gpu (refused with ENODEV: virtio_gpu without 3D imports no foreign
 * dma-buf, a fact the library's negotiation has to discover). */
#include "testlib.h"
#include "vmtest.h"

#include <errno.h>
#include <linux/dma-buf.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <xf86drm.h>

#define SIZE (4u << 20)

static uint32_t pattern(size_t i)
{
	return (uint32_t)(i * 2654435761u) ^ 0x5a5a5a5au;
}

static void check_cpu_access(int buf)
{
	uint32_t *w, *r;
	size_t i, bad = 0;

	w = mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, buf, 0);
	if (!vm_check(w != MAP_FAILED, "mmap of the dma-buf: %s", w == MAP_FAILED ? strerror(errno) : "done"))
		return;
	vm_check(tl_dmabuf_sync(buf, DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE) == 0, "SYNC_START|WRITE");
	for (i = 0; i < SIZE / 4; i++)
		w[i] = pattern(i);
	vm_check(tl_dmabuf_sync(buf, DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE) == 0, "SYNC_END|WRITE");
	munmap(w, SIZE);

	/* Read back through a new mapping, so the data went through the pages. */
	r = mmap(NULL, SIZE, PROT_READ, MAP_SHARED, buf, 0);
	if (!vm_check(r != MAP_FAILED, "second mmap (read-only)"))
		return;
	vm_check(tl_dmabuf_sync(buf, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ) == 0, "SYNC_START|READ");
	for (i = 0; i < SIZE / 4; i++)
		bad += r[i] != pattern(i);
	vm_check(tl_dmabuf_sync(buf, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ) == 0, "SYNC_END|READ");
	vm_check(bad == 0, "%zu of %u words read back differ", bad, SIZE / 4);
	munmap(r, SIZE);
}

static void check_import(const char *driver, int buf, int want_errno)
{
	uint32_t handle = 0;
	int fd = vm_open_drm(driver, "renderD", NULL, 0), ret, err;

	if (!vm_check(fd >= 0, "%s render node found", driver))
		return;
	ret = drmPrimeFDToHandle(fd, buf, &handle);
	err = ret ? errno : 0;
	if (want_errno == 0) {
		vm_check(ret == 0 && handle != 0, "%s imports the dma-heap buffer (handle %u, %s)",
			 driver, handle, ret ? strerror(err) : "no error");
	} else {
		vm_check(ret != 0 && err == want_errno,
			 "%s refuses the dma-heap buffer with %s (got %s)", driver,
			 strerror(want_errno), ret ? strerror(err) : "success");
	}
	if (ret == 0)
		drmCloseBufferHandle(fd, handle);
	close(fd);
}

int main(void)
{
	int buf = tl_heap_alloc(SIZE);
	off_t size;

	if (buf < 0)
		vm_fatal("DMA_HEAP_IOCTL_ALLOC of %u bytes from /dev/dma_heap/system: %s", SIZE,
			 strerror(-buf));
	vm_check(true, "allocated %u bytes from the system heap (fd %d)", SIZE, buf);
	size = lseek(buf, 0, SEEK_END);
	vm_check(size == SIZE, "dma-buf size by lseek is %lld", (long long)size);

	check_cpu_access(buf);
	check_import("vgem", buf, 0);
	check_import("virtio_gpu", buf, ENODEV);
	close(buf);
	return vm_exit_status();
}
