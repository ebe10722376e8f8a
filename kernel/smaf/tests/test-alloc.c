// SPDX-License-Identifier: GPL-2.0
/*
 * alloc: which allocator the first real device gets, and which later
 * devices are refused.
 *   vgem (64-bit DMA mask, PRIME import)            -> smaf-page
 *   vivid instance 0 (allocators=1, vb2-dma-contig) -> smaf-contig, and the
 *     capture fills it with the colour bars; a system-heap buffer is refused
 *   vivid instance 1 (allocators=0, vb2-vmalloc: vmap, no attach) -> CPU rule
 *   late attaches and forced allocators.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "smaf-test.h"

/* filled before each check that prints fields of struct smaf_buffer_info */
static bool got;

static bool info_is(int smaf, int fd, const char *alloc, struct smaf_buffer_info *bi)
{
	return !smaf_info(smaf, fd, bi) && (bi->flags & SMAF_BUFFER_ALLOCATED) &&
	       !strcmp((char *)bi->allocator, alloc);
}

static void test_vgem_first(int smaf, int vgem)
{
	struct smaf_buffer_info bi;
	long long allocs = smaf_stat("smaf-page", "allocations");
	uint32_t h;
	int fd, ret, klog;

	if (!vm_check(!smaf_create(smaf, 1 << 20, SMAF_RDWR, NULL, &fd), "create 1 MiB"))
		return;
	klog = tl_klog_open();
	ret = vm_vgem_import(vgem, fd, &h);
	if (!vm_check(!ret, "vgem PRIME import: %s", strerror(-ret)))
		goto out;
	got = info_is(smaf, fd, "smaf-page", &bi);
	vm_check(got && bi.attachments == 1,
		 "first attach by vgem picks smaf-page (%s, %u segments, %u attached)",
		 bi.allocator, bi.segments, bi.attachments);
	vm_check(smaf_stat("smaf-page", "allocations") == allocs + 1,
		 "debugfs: one more smaf-page allocation");
	vm_check(tl_klog_count(klog, "from smaf-page") == 1,
		 "kernel log records the choice of smaf-page");
	vm_vgem_close(vgem, h);
	got = !smaf_info(smaf, fd, &bi);
	vm_check(got && bi.attachments == 0 &&
		 (bi.flags & SMAF_BUFFER_ALLOCATED),
		 "after GEM close: detached, memory kept");
out:
	close(fd);
	if (klog >= 0)
		close(klog);
}

static void test_vgem_forced_contig(int smaf, int vgem)
{
	struct smaf_buffer_info bi;
	uint32_t h;
	int fd, ret;

	if (!vm_check(!smaf_create(smaf, 256 * 1024, SMAF_RDWR, "smaf-contig", &fd),
		      "create forced smaf-contig"))
		return;
	ret = vm_vgem_import(vgem, fd, &h);
	got = info_is(smaf, fd, "smaf-contig", &bi);
	if (vm_check(!ret, "vgem imports a forced smaf-contig buffer: %s", strerror(-ret))) {
		vm_check(got && bi.segments == 1,
			 "memory from smaf-contig, 1 segment (%s, %u)",
			 bi.allocator, bi.segments);
		vm_vgem_close(vgem, h);
	}
	close(fd);
}

static void test_vivid_contig(int smaf, int vgem)
{
	struct smaf_buffer_info bi;
	struct vm_vivid v;
	const char *step;
	uint32_t h;
	uint8_t *p;
	double t;
	int fd, heap, ret, klog;

	if (vm_vivid_open(0, 640, 480, &v))
		vm_fatal("no vivid instance 0 (allocators=1)");

	/* the same capture into the system heap: vb2-dma-contig refuses it */
	heap = tl_heap_alloc(v.fmt.fmt.pix.sizeimage);
	if (vm_check(heap >= 0, "system-heap buffer")) {
		ret = vm_vivid_capture(&v, heap, &step);
		vm_check(ret == -EFAULT && !strcmp(step, "QBUF"),
			 "vivid (contiguous) refuses a system-heap buffer: %s at %s",
			 strerror(-ret), step);
		close(heap);
	}

	if (!vm_check(!smaf_create(smaf, v.fmt.fmt.pix.sizeimage, SMAF_RDWR, NULL, &fd),
		      "create %u bytes", v.fmt.fmt.pix.sizeimage))
		goto out;
	klog = tl_klog_open();
	t = tl_now();
	ret = vm_vivid_capture(&v, fd, &step);
	vm_check(!ret, "vivid captures one frame into the SMAF buffer: %s at %s (%.2f s)",
		 strerror(-ret), step, tl_now() - t);
	got = info_is(smaf, fd, "smaf-contig", &bi);
	vm_check(got && bi.segments == 1,
		 "first attach by vivid picks smaf-contig (%s, %u segments)",
		 bi.allocator, bi.segments);
	vm_check(tl_klog_count(klog, "from smaf-contig") == 1,
		 "kernel log records the choice of smaf-contig");
	if (klog >= 0)
		close(klog);
	p = mmap(NULL, v.fmt.fmt.pix.sizeimage, PROT_READ, MAP_SHARED, fd, 0);
	if (vm_check(p != MAP_FAILED, "mmap the captured buffer")) {
		vm_check(vm_vivid_bars(&v, p), "the frame shows vivid's eight colour bars");
		munmap(p, v.fmt.fmt.pix.sizeimage);
	}
	/* contiguous memory below 4 GiB suits vgem too: late attach accepted */
	ret = vm_vgem_import(vgem, fd, &h);
	if (vm_check(!ret, "late vgem import of the smaf-contig buffer: %s", strerror(-ret)))
		vm_vgem_close(vgem, h);
	close(fd);

	/* vgem first: scattered pages, then vivid is refused */
	if (vm_check(!smaf_create(smaf, v.fmt.fmt.pix.sizeimage, SMAF_RDWR, NULL, &fd),
		     "create")) {
		ret = vm_vgem_import(vgem, fd, &h);
		got = info_is(smaf, fd, "smaf-page", &bi);
		vm_check(!ret && got,
			 "vgem first: smaf-page");
		/* vb2-dma-contig reports map errors as EINVAL: see last_error */
		ret = vm_vivid_capture(&v, fd, &step);
		vm_check(ret != 0 && !strcmp(step, "QBUF"),
			 "late vivid attach to smaf-page memory refused: %s at %s",
			 strerror(-ret), step);
		got = !smaf_info(smaf, fd, &bi);
		vm_check(got && bi.last_error == -EXDEV &&
			 strstr((char *)bi.diag, "vivid.0") && strstr((char *)bi.diag, "smaf-page"),
			 "diagnostic: \"%s\"", bi.diag);
		vm_vgem_close(vgem, h);
		close(fd);
	}

	/* forced smaf-page: vivid refused before anything is allocated */
	if (vm_check(!smaf_create(smaf, v.fmt.fmt.pix.sizeimage, SMAF_RDWR, "smaf-page", &fd),
		     "create forced smaf-page")) {
		ret = vm_vivid_capture(&v, fd, &step);
		vm_check(ret != 0 && !strcmp(step, "QBUF"),
			 "vivid QBUF of a forced smaf-page buffer refused: %s at %s",
			 strerror(-ret), step);
		got = !smaf_info(smaf, fd, &bi);
		vm_check(got && !(bi.flags & SMAF_BUFFER_ALLOCATED),
			 "refused attach allocated nothing (flags %#x)", bi.flags);
		vm_check(bi.last_error == -EXDEV &&
			 strstr((char *)bi.diag, "no allocator accepts") != NULL,
			 "last_error EXDEV, diagnostic: \"%s\"", bi.diag);
		close(fd);
	}
out:
	vm_vivid_close(&v);
}

static void test_vivid_vmalloc(int smaf)
{
	struct smaf_buffer_info bi;
	struct vm_vivid v;
	const char *step;
	uint8_t *p;
	int fd, ret;

	if (vm_vivid_open(1, 640, 480, &v)) {
		vm_check(false, "vivid instance 1 (allocators=0)");
		return;
	}
	if (!vm_check(!smaf_create(smaf, v.fmt.fmt.pix.sizeimage, SMAF_RDWR, NULL, &fd),
		      "create"))
		goto out;
	ret = vm_vivid_capture(&v, fd, &step);
	vm_check(!ret, "vivid vmalloc instance captures through vmap: %s at %s",
		 strerror(-ret), step);
	got = info_is(smaf, fd, "smaf-page", &bi);
	vm_check(got && bi.attachments == 0,
		 "vmap without attach picks the CPU allocator smaf-page (%s)", bi.allocator);
	p = mmap(NULL, v.fmt.fmt.pix.sizeimage, PROT_READ, MAP_SHARED, fd, 0);
	if (vm_check(p != MAP_FAILED, "mmap")) {
		vm_check(vm_vivid_bars(&v, p), "the frame shows the colour bars");
		munmap(p, v.fmt.fmt.pix.sizeimage);
	}
	close(fd);
out:
	vm_vivid_close(&v);
}

/* contig_devices names a device the kernel cannot tell needs contiguity */
static void test_contig_param(int smaf, int vgem)
{
	struct smaf_buffer_info bi;
	uint32_t h;
	int fd, ret;

	if (!vm_check(!tl_module_param_write("smaf", "contig_devices", "foo,vgem"),
		      "set smaf.contig_devices=foo,vgem"))
		return;
	if (vm_check(!smaf_create(smaf, 128 * 1024, SMAF_RDWR, NULL, &fd), "create")) {
		ret = vm_vgem_import(vgem, fd, &h);
		got = info_is(smaf, fd, "smaf-contig", &bi);
		vm_check(!ret && got && bi.segments == 1,
			 "vgem listed in contig_devices gets smaf-contig (%s)", bi.allocator);
		if (!ret)
			vm_vgem_close(vgem, h);
		close(fd);
	}

	/* default: the refusal reaches userspace through the first map */
	if (vm_check(!smaf_create(smaf, 128 * 1024, SMAF_RDWR, "smaf-page", &fd),
		     "create forced smaf-page")) {
		ret = vm_vgem_import(vgem, fd, &h);
		vm_check(ret == -EXDEV, "vgem (listed in contig_devices) import of a forced smaf-page buffer: %s",
			 strerror(-ret));
		if (!ret)
			vm_vgem_close(vgem, h);
		close(fd);
	}

	/*
	 * refuse_on_attach=1: the refusal comes from dma_buf_attach itself;
	 * DRM's PRIME import unwinds that correctly (videobuf2 in 6.12 leaks
	 * the dma-buf then, which is why it is not the default)
	 */
	if (vm_check(!tl_module_param_write("smaf", "refuse_on_attach", "1"),
		     "set smaf.refuse_on_attach=1") &&
	    vm_check(!smaf_create(smaf, 128 * 1024, SMAF_RDWR, "smaf-page", &fd),
		     "create forced smaf-page")) {
		long long live = smaf_stat(NULL, "live_buffers");

		ret = vm_vgem_import(vgem, fd, &h);
		vm_check(ret == -EXDEV,
			 "vgem (listed in contig_devices) refused by attach itself: %s",
			 strerror(-ret));
		if (!ret)
			vm_vgem_close(vgem, h);
		got = !smaf_info(smaf, fd, &bi);
		vm_check(got && bi.attachments == 0 &&
			 !(bi.flags & SMAF_BUFFER_ALLOCATED), "nothing attached or allocated");
		close(fd);
		vm_check(smaf_stat(NULL, "live_buffers") == live - 1,
			 "buffer freed on close after a refused attach");
	}
	vm_check(!tl_module_param_write("smaf", "refuse_on_attach", "0"),
		 "reset smaf.refuse_on_attach");
	vm_check(!tl_module_param_write("smaf", "contig_devices", "\n"),
		 "reset smaf.contig_devices");
}

int main(void)
{
	long long live0 = smaf_stat(NULL, "live_buffers");
	int smaf = smaf_open();
	int vgem = vm_vgem_open();

	test_vgem_first(smaf, vgem);
	test_vgem_forced_contig(smaf, vgem);
	test_vivid_contig(smaf, vgem);
	test_vivid_vmalloc(smaf);
	test_contig_param(smaf, vgem);
	close(vgem);
	close(smaf);
	smaf_check_no_leak(live0);
	return vm_exit_status();
}
