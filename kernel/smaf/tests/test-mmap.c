// SPDX-License-Identifier: GPL-2.0
/*
 * mmap: sizes that are not page multiples (SMAF v6 got them wrong), CPU
 * access before any attach (picks the CPU's allocator), mapping bounds,
 * DMA_BUF_IOCTL_SYNC as a first use, and what may attach afterwards.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/dma-buf.h>

#include "smaf-test.h"

/* filled before each check that prints fields of struct smaf_buffer_info */
static bool got;

static uint8_t pattern(size_t i)
{
	return (uint8_t)(i * 7 + (i >> 12));
}

static void test_odd_size(int smaf, size_t len)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);
	size_t rounded = (len + pg - 1) / pg * pg;
	struct smaf_buffer_info bi;
	uint8_t *p, *q;
	size_t i, bad = 0;
	int fd;

	if (!vm_check(!smaf_create(smaf, len, SMAF_RDWR, NULL, &fd),
		      "create %zu bytes", len))
		return;
	vm_check(lseek(fd, 0, SEEK_END) == (off_t)rounded,
		 "%zu bytes: dma-buf size is %zu", len, rounded);
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (!vm_check(p != MAP_FAILED, "mmap %zu bytes: %s", len,
		      p == MAP_FAILED ? strerror(errno) : "ok"))
		goto out;
	for (i = 0; i < len; i++)
		p[i] = pattern(i);
	/* the tail of the last page is part of the mapping too */
	memset(p + len, 0xa5, rounded - len);
	munmap(p, len);

	q = mmap(NULL, rounded, PROT_READ, MAP_SHARED, fd, 0);
	if (vm_check(q != MAP_FAILED, "second mmap of %zu bytes", rounded)) {
		for (i = 0; i < len; i++)
			bad += q[i] != pattern(i);
		for (; i < rounded; i++)
			bad += q[i] != 0xa5;
		vm_check(!bad, "%zu bytes read back through a new mapping (%zu wrong)",
			 rounded, bad);
		munmap(q, rounded);
	}
	if (rounded > pg) {
		/* a mapping at a page offset sees the same memory */
		q = mmap(NULL, len - pg, PROT_READ, MAP_SHARED, fd, pg);
		if (vm_check(q != MAP_FAILED, "mmap at offset %zu", pg)) {
			bad = 0;
			for (i = 0; i < len - pg; i++)
				bad += q[i] != pattern(i + pg);
			vm_check(!bad, "offset mapping matches (%zu wrong)", bad);
			munmap(q, len - pg);
		}
	}
	errno = 0;
	vm_check(mmap(NULL, rounded + pg, PROT_READ, MAP_SHARED, fd, 0) == MAP_FAILED &&
		 errno == EINVAL, "mmap one page past the end: EINVAL");
	errno = 0;
	vm_check(mmap(NULL, pg, PROT_READ, MAP_SHARED, fd, rounded) == MAP_FAILED &&
		 errno == EINVAL, "mmap at offset == size: EINVAL");
	got = !smaf_info(smaf, fd, &bi);
	vm_check(got && !strcmp((char *)bi.allocator, "smaf-page") &&
		 !(bi.flags & SMAF_BUFFER_CPU_MAPPED),
		 "CPU-first buffer is from smaf-page (%s), no mapping left (flags %#x)",
		 bi.allocator, bi.flags);
out:
	close(fd);
}

static void test_mmap_then_attach(int smaf)
{
	struct smaf_buffer_info bi;
	struct vm_vivid v;
	const char *step;
	uint32_t h;
	int fd, vgem, ret;
	size_t len = 640 * 480 * 4;
	uint8_t *p;

	if (vm_vivid_open(0, 640, 480, &v))
		vm_fatal("no vivid instance 0");
	len = v.fmt.fmt.pix.sizeimage;
	if (!vm_check(!smaf_create(smaf, len, SMAF_RDWR, NULL, &fd), "create"))
		return;
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	vm_check(p != MAP_FAILED, "mmap before any attach");
	got = !smaf_info(smaf, fd, &bi);
	vm_check(got && (bi.flags & SMAF_BUFFER_ALLOCATED) &&
		 (bi.flags & SMAF_BUFFER_CPU_MAPPED) && bi.attachments == 0,
		 "allocated and CPU-mapped, nothing attached (flags %#x)", bi.flags);
	vm_check(!strcmp((char *)bi.allocator, "smaf-page"),
		 "mmap first picks the CPU's allocator smaf-page (got %s, %u segments)",
		 bi.allocator, bi.segments);
	if (p != MAP_FAILED)
		memset(p, 0x5a, len);

	vgem = vm_vgem_open();
	ret = vm_vgem_import(vgem, fd, &h);
	vm_check(!ret, "vgem imports the CPU-allocated buffer: %s", strerror(-ret));
	/*
	 * vivid allocators=1 needs contiguous memory: scattered pages refused.
	 * SMAF fails the map with EXDEV; vb2-dma-contig turns any map error
	 * into EINVAL, so the errno is read back from GET_BUFFER_INFO.
	 */
	ret = vm_vivid_capture(&v, fd, &step);
	vm_check(ret != 0 && !strcmp(step, "QBUF"),
		 "vivid (contiguous) QBUF of the smaf-page buffer refused: %s at %s",
		 strerror(-ret), step);
	got = !smaf_info(smaf, fd, &bi);
	vm_check(got && bi.last_error == -EXDEV &&
		 strstr((char *)bi.diag, "vivid.0"),
		 "diagnostic names the device: \"%s\"", bi.diag);
	if (!ret)
		vm_vgem_close(vgem, h);
	if (p != MAP_FAILED)
		munmap(p, len);
	close(vgem);
	close(fd);
	vm_vivid_close(&v);
}

static void test_sync_first(int smaf)
{
	struct smaf_buffer_info bi;
	int fd;

	if (!vm_check(!smaf_create(smaf, 12345, SMAF_RDWR, NULL, &fd), "create"))
		return;
	vm_check(!tl_dmabuf_sync(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW), "DMA_BUF_IOCTL_SYNC START");
	got = !smaf_info(smaf, fd, &bi);
	vm_check(got && (bi.flags & SMAF_BUFFER_ALLOCATED) &&
		 !strcmp((char *)bi.allocator, "smaf-page"),
		 "begin_cpu_access allocates from smaf-page (%s)", bi.allocator);
	vm_check(!tl_dmabuf_sync(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW), "DMA_BUF_IOCTL_SYNC END");
	close(fd);
}

static void test_forced_contig_mmap(int smaf)
{
	struct smaf_buffer_info bi;
	size_t len = 3 * 4096 + 100, i, bad = 0;
	uint8_t *p;
	int fd;

	if (!vm_check(!smaf_create(smaf, len, SMAF_RDWR, "smaf-contig", &fd),
		      "create %zu bytes forced to smaf-contig", len))
		return;
	got = !smaf_info(smaf, fd, &bi);
	vm_check(got && !(bi.flags & SMAF_BUFFER_ALLOCATED) &&
		 (bi.flags & SMAF_BUFFER_FORCED) && !strcmp((char *)bi.allocator, "smaf-contig"),
		 "forced, not allocated yet (flags %#x, %s)", bi.flags, bi.allocator);
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (vm_check(p != MAP_FAILED, "mmap forced smaf-contig buffer")) {
		for (i = 0; i < len; i++)
			p[i] = pattern(i);
		for (i = 0; i < len; i++)
			bad += p[i] != pattern(i);
		vm_check(!bad, "contig mapping holds data");
		munmap(p, len);
	}
	got = !smaf_info(smaf, fd, &bi);
	vm_check(got && (bi.flags & SMAF_BUFFER_ALLOCATED) &&
		 bi.segments == 1, "smaf-contig memory is one segment (%u)", bi.segments);
	close(fd);
}

/*
 * Without CMA (the Debian kernel has none) dma_alloc_attrs() gets its block
 * from the buddy allocator, at most 4 MiB on x86-64: a larger contiguous
 * buffer fails at first use with ENOMEM and says why.
 */
static void test_contig_limit(int smaf)
{
	const size_t len = 8u << 20;
	struct smaf_buffer_info bi;
	void *p;
	int fd;

	if (!vm_check(!smaf_create(smaf, len, SMAF_RDWR, "smaf-contig", &fd),
		      "create 8 MiB forced to smaf-contig"))
		return;
	errno = 0;
	p = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
	if (p != MAP_FAILED) {
		vm_note("8 MiB contiguous block obtained (CMA present?)");
		munmap(p, len);
	} else {
		vm_check(errno == ENOMEM, "8 MiB contiguous mmap fails with ENOMEM (%s)",
			 strerror(errno));
		got = !smaf_info(smaf, fd, &bi);
		vm_check(got && bi.last_error == -ENOMEM && !(bi.flags & SMAF_BUFFER_ALLOCATED) &&
			 strstr((char *)bi.diag, "smaf-contig"),
			 "diagnostic: \"%s\"", bi.diag);
	}
	close(fd);
}

int main(void)
{
	long long live0 = smaf_stat(NULL, "live_buffers");
	static const size_t sizes[] = { 1, 100, 4095, 4097, 5000, 3 * 4096 + 1,
					1000 * 1000 };
	int smaf = smaf_open();
	size_t i;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		test_odd_size(smaf, sizes[i]);
	test_sync_first(smaf);
	test_forced_contig_mmap(smaf);
	test_contig_limit(smaf);
	test_mmap_then_attach(smaf);
	close(smaf);
	smaf_check_no_leak(live0);
	return vm_exit_status();
}
