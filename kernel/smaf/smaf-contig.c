// SPDX-License-Identifier: GPL-2.0
/*
 * SMAF contiguous allocator: dma_alloc_attrs() for SMAF's
 * own device, whose coherent mask is 32 bits.
 *
 * The memory is one physically contiguous block below 4 GiB (from CMA when
 * the kernel has it, else from the buddy allocator, which limits a block to
 * MAX_PAGE_ORDER: 4 MiB on x86-64). That suits every device that can DMA
 * to 32-bit addresses, contiguous-only or not, so it matches any device
 * whose DMA limit is at least 32 bits, and the CPU. It ranks below the page
 * allocator because contiguous memory is the scarce kind: SMAF uses it only
 * when an attached device refuses scattered pages.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/dma-mapping.h>
#include <linux/mm.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>

#include "smaf-internal.h"

static bool smaf_contig_match(struct device *dev, char *why, size_t len)
{
	u64 limit;

	if (!dev)
		return true;
	limit = smaf_device_dma_limit(dev);
	if (!limit) {
		snprintf(why, len, "no DMA mask");
		return false;
	}
	if (limit < DMA_BIT_MASK(32)) {
		snprintf(why, len, "DMA mask %#llx is below 32 bits", limit);
		return false;
	}
	return true;
}

static int smaf_contig_allocate(struct smaf_buffer *buf)
{
	struct sg_table sgt;
	struct sg_page_iter iter;
	pgoff_t i = 0;
	int ret;

	buf->pages = kvcalloc(buf->npages, sizeof(*buf->pages), GFP_KERNEL);
	if (!buf->pages)
		return -ENOMEM;
	buf->vaddr = dma_alloc_attrs(smaf_device, buf->size, &buf->dma_handle,
				     GFP_KERNEL | __GFP_NOWARN, 0);
	if (!buf->vaddr) {
		ret = -ENOMEM;
		goto free_pages;
	}
	/* the pages behind the block, for sg tables of other devices */
	ret = dma_get_sgtable_attrs(smaf_device, &sgt, buf->vaddr,
				    buf->dma_handle, buf->size, 0);
	if (ret)
		goto free_dma;
	for_each_sgtable_page(&sgt, &iter, 0) {
		if (i == buf->npages)
			break;
		buf->pages[i++] = sg_page_iter_page(&iter);
	}
	sg_free_table(&sgt);
	if (i != buf->npages) {
		ret = -EINVAL;
		goto free_dma;
	}
	return 0;

free_dma:
	dma_free_attrs(smaf_device, buf->size, buf->vaddr, buf->dma_handle, 0);
	buf->vaddr = NULL;
free_pages:
	kvfree(buf->pages);
	buf->pages = NULL;
	return ret;
}

static void smaf_contig_release(struct smaf_buffer *buf)
{
	dma_free_attrs(smaf_device, buf->size, buf->vaddr, buf->dma_handle, 0);
	buf->vaddr = NULL;
	kvfree(buf->pages);
	buf->pages = NULL;
}

static int smaf_contig_mmap(struct smaf_buffer *buf, struct vm_area_struct *vma)
{
	return dma_mmap_attrs(smaf_device, vma, buf->vaddr, buf->dma_handle,
			      buf->size, 0);
}

static void *smaf_contig_vmap(struct smaf_buffer *buf)
{
	return buf->vaddr;
}

static void smaf_contig_vunmap(struct smaf_buffer *buf, void *vaddr)
{
}

struct smaf_allocator smaf_contig_allocator = {
	.name = "smaf-contig",
	.ranking = 50,
	.match = smaf_contig_match,
	.allocate = smaf_contig_allocate,
	.release = smaf_contig_release,
	.mmap = smaf_contig_mmap,
	.vmap = smaf_contig_vmap,
	.vunmap = smaf_contig_vunmap,
};
