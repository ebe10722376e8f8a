// SPDX-License-Identifier: GPL-2.0
/*
 * SMAF page allocator: order-0 pages from anywhere in RAM.
 *
 * Its memory is scattered, so it suits only devices that can reach every
 * page on their own:
 *   - devices behind an IOMMU (device_iommu_mapped()): the IOMMU makes the
 *     pages contiguous in the device's address space;
 *   - devices whose driver declared full 64-bit DMA addressing (dma_mask
 *     and bus_dma_limit): drivers of scatter-gather capable bus masters
 *     (PCI GPUs, virtio, vgem) set such masks, while the platform bus gives
 *     every device a 32-bit default (drivers/base/platform.c) that the
 *     simple DMA engines and contiguous-only video devices keep
 *     (vivid with allocators=1 coerces its mask to 32 bits);
 *   - devices named in the sg_devices module parameter;
 * and never devices named in contig_devices or without a DMA mask.
 * The CPU is always matched.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/dma-mapping.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "smaf-internal.h"

static bool smaf_page_match(struct device *dev, char *why, size_t len)
{
	u64 limit;

	if (!dev)
		return true;
	limit = smaf_device_dma_limit(dev);
	if (!limit) {
		snprintf(why, len, "no DMA mask");
		return false;
	}
	if (smaf_device_needs_contig(dev)) {
		snprintf(why, len, "listed in contig_devices");
		return false;
	}
	if (smaf_device_declared_sg(dev) || device_iommu_mapped(dev))
		return true;
	if (limit != DMA_BIT_MASK(64)) {
		snprintf(why, len,
			 "no IOMMU and DMA mask %#llx is not 64-bit: treated as contiguous-only",
			 limit);
		return false;
	}
	return true;
}

static int smaf_page_allocate(struct smaf_buffer *buf)
{
	pgoff_t i;

	buf->pages = kvcalloc(buf->npages, sizeof(*buf->pages), GFP_KERNEL);
	if (!buf->pages)
		return -ENOMEM;
	for (i = 0; i < buf->npages; i++) {
		buf->pages[i] = alloc_page(GFP_HIGHUSER | __GFP_ZERO |
					   __GFP_NOWARN | __GFP_RETRY_MAYFAIL);
		if (!buf->pages[i])
			goto unwind;
		if (fatal_signal_pending(current))
			goto unwind_page;
	}
	return 0;

unwind_page:
	i++;
unwind:
	while (i--)
		__free_page(buf->pages[i]);
	kvfree(buf->pages);
	buf->pages = NULL;
	return -ENOMEM;
}

static void smaf_page_release(struct smaf_buffer *buf)
{
	pgoff_t i;

	WARN_ON(buf->vaddr);
	for (i = 0; i < buf->npages; i++)
		__free_page(buf->pages[i]);
	kvfree(buf->pages);
	buf->pages = NULL;
}

static int smaf_page_mmap(struct smaf_buffer *buf, struct vm_area_struct *vma)
{
	unsigned long addr = vma->vm_start;
	pgoff_t i;
	int ret;

	for (i = vma->vm_pgoff; addr < vma->vm_end; i++, addr += PAGE_SIZE) {
		ret = vm_insert_page(vma, addr, buf->pages[i]);
		if (ret)
			return ret;
	}
	return 0;
}

/* The dma-buf core counts vmaps and calls us once per mapping lifetime. */
static void *smaf_page_vmap(struct smaf_buffer *buf)
{
	if (!buf->vaddr)
		buf->vaddr = vmap(buf->pages, buf->npages, VM_MAP, PAGE_KERNEL);
	return buf->vaddr;
}

static void smaf_page_vunmap(struct smaf_buffer *buf, void *vaddr)
{
	if (buf->vmap_count == 1) {
		vunmap(buf->vaddr);
		buf->vaddr = NULL;
	}
}

struct smaf_allocator smaf_page_allocator = {
	.name = "smaf-page",
	.ranking = 100,
	.match = smaf_page_match,
	.allocate = smaf_page_allocate,
	.release = smaf_page_release,
	.mmap = smaf_page_mmap,
	.vmap = smaf_page_vmap,
	.vunmap = smaf_page_vunmap,
};
