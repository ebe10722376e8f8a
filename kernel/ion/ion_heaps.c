// SPDX-License-Identifier: GPL-2.0
/*
 * The heaps of ion_test: "system" (scattered pages), "system-contig"
 * (physically contiguous pages) and "dma" (the DMA API on the misc device,
 * 32-bit DMA mask).
 *
 * Caching (ION_FLAG_CACHED) on the page heaps: a cached buffer is mapped
 * write-back everywhere. An uncached one is mapped write-combined into user
 * space and by vmap; on x86 its pages are also switched to write-combining in
 * the kernel's linear map for the buffer's lifetime (set_pages_array_wc), so
 * that no cacheable alias remains and PAT agrees with the user mappings.
 * The dma heap's attributes are whatever dma_alloc_coherent() gives on the
 * platform (write-back on x86, which is DMA coherent); the flag is kept but
 * changes nothing there.
 */
#include <linux/dma-mapping.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/vmalloc.h>
#ifdef CONFIG_X86
#include <asm/set_memory.h>
#endif

#include "ion_test.h"

/* Gone in later kernels, whose memory maps make page + n always valid. */
#ifndef nth_page
#define nth_page(page, n)	((page) + (n))
#endif

#define ION_SYSTEM_GFP	(GFP_HIGHUSER | __GFP_ZERO | __GFP_NOWARN | __GFP_RETRY_MAYFAIL)
#define ION_CONTIG_GFP	(GFP_KERNEL | __GFP_ZERO | __GFP_NOWARN | __GFP_RETRY_MAYFAIL)

/* ---- common to the page heaps ---- */

static int ion_pages_set_caching(struct ion_buffer *buf)
{
#ifdef CONFIG_X86
	if (!buf->cached)
		return set_pages_array_wc(buf->pages, buf->nr_pages);
#endif
	return 0;
}

static void ion_pages_reset_caching(struct ion_buffer *buf)
{
#ifdef CONFIG_X86
	if (!buf->cached)
		set_pages_array_wb(buf->pages, buf->nr_pages);
#endif
}

/* buf->pages is filled: build the page view and set the caching. */
static int ion_pages_finish(struct ion_buffer *buf)
{
	int ret;

	ret = sg_alloc_table_from_pages(&buf->sgt, buf->pages, buf->nr_pages,
					0, buf->size, GFP_KERNEL);
	if (ret)
		return ret;
	ret = ion_pages_set_caching(buf);
	if (ret)
		sg_free_table(&buf->sgt);
	return ret;
}

static void ion_pages_free(struct ion_buffer *buf)
{
	unsigned long i;

	sg_free_table(&buf->sgt);
	ion_pages_reset_caching(buf);
	for (i = 0; i < buf->nr_pages; i++)
		__free_page(buf->pages[i]);
	kvfree(buf->pages);
}

static int ion_pages_mmap(struct ion_buffer *buf, struct vm_area_struct *vma)
{
	if (!buf->cached)
		vma->vm_page_prot = pgprot_writecombine(vma->vm_page_prot);
	/* Honours vm_pgoff and refuses a range past the end. */
	return vm_map_pages(vma, buf->pages, buf->nr_pages);
}

static void *ion_pages_vmap(struct ion_buffer *buf)
{
	pgprot_t prot = buf->cached ? PAGE_KERNEL : pgprot_writecombine(PAGE_KERNEL);
	void *vaddr;

	vaddr = vmap(buf->pages, buf->nr_pages, VM_MAP, prot);
	return vaddr ?: ERR_PTR(-ENOMEM);
}

static void ion_pages_vunmap(struct ion_buffer *buf, void *vaddr)
{
	vunmap(vaddr);
}

/* ---- system: order-0 pages, never physically contiguous ---- */

static int ion_page_cmp_desc(const void *a, const void *b)
{
	unsigned long pa = page_to_pfn(*(struct page * const *)a);
	unsigned long pb = page_to_pfn(*(struct page * const *)b);

	return pa < pb ? 1 : pa > pb ? -1 : 0;
}

static int ion_system_allocate(struct ion_buffer *buf, size_t align)
{
	unsigned long i, n = buf->size >> PAGE_SHIFT;
	int ret;

	/* Every page is an allocation of its own. */
	if (align > PAGE_SIZE)
		return -EINVAL;
	buf->pages = kvmalloc_array(n, sizeof(*buf->pages), GFP_KERNEL);
	if (!buf->pages)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		if (fatal_signal_pending(current)) {
			ret = -EINTR;
			goto err_free_pages;
		}
		buf->pages[i] = alloc_page(ION_SYSTEM_GFP);
		if (!buf->pages[i]) {
			ret = -ENOMEM;
			goto err_free_pages;
		}
	}
	buf->nr_pages = n;
	/*
	 * What the buddy allocator hands out is often partly contiguous.
	 * Laying the pages out in descending physical order makes the
	 * buffer contiguous in no two neighbouring pages, every time, so
	 * that a device needing contiguous memory (and no IOMMU) refuses it
	 * reliably, as it would on a busy system.
	 */
	sort(buf->pages, n, sizeof(*buf->pages), ion_page_cmp_desc, NULL);
	ret = ion_pages_finish(buf);
	if (ret)
		goto err_free_pages;
	return 0;

err_free_pages:
	while (i--)
		__free_page(buf->pages[i]);
	kvfree(buf->pages);
	buf->pages = NULL;
	buf->nr_pages = 0;
	return ret;
}

static const struct ion_heap_ops ion_system_heap_ops = {
	.allocate = ion_system_allocate,
	.free = ion_pages_free,
	.mmap = ion_pages_mmap,
	.vmap = ion_pages_vmap,
	.vunmap = ion_pages_vunmap,
};

/* ---- system-contig: one buddy allocation, split into order-0 pages ---- */

static int ion_contig_allocate(struct ion_buffer *buf, size_t align)
{
	unsigned long i, n = buf->size >> PAGE_SHIFT;
	unsigned int order = get_order(buf->size);
	struct page *page;
	int ret;

	/* A buddy block is aligned to its own size, no more. */
	if (align > (PAGE_SIZE << order))
		return -EINVAL;
	buf->pages = kvmalloc_array(n, sizeof(*buf->pages), GFP_KERNEL);
	if (!buf->pages)
		return -ENOMEM;
	page = alloc_pages(ION_CONTIG_GFP, order);
	if (!page) {
		ret = -ENOMEM;
		goto err_free_array;
	}
	/* Order-0 pages can be mapped one by one and the tail given back. */
	split_page(page, order);
	for (i = 0; i < (1UL << order); i++) {
		if (i < n)
			buf->pages[i] = nth_page(page, i);
		else
			__free_page(nth_page(page, i));
	}
	buf->nr_pages = n;
	ret = ion_pages_finish(buf);
	if (ret)
		goto err_free_pages;
	return 0;

err_free_pages:
	for (i = 0; i < n; i++)
		__free_page(buf->pages[i]);
	buf->nr_pages = 0;
err_free_array:
	kvfree(buf->pages);
	buf->pages = NULL;
	return ret;
}

static const struct ion_heap_ops ion_contig_heap_ops = {
	.allocate = ion_contig_allocate,
	.free = ion_pages_free,
	.mmap = ion_pages_mmap,
	.vmap = ion_pages_vmap,
	.vunmap = ion_pages_vunmap,
};

/* ---- dma: dma_alloc_coherent() on the misc device ---- */

static int ion_dma_allocate(struct ion_buffer *buf, size_t align)
{
	/* Set once the misc device has its DMA mask; see ion_init(). */
	struct device *dev = smp_load_acquire(&buf->heap->dev);
	int ret;

	if (!dev)
		return -ENODEV;
	/* The DMA API aligns to the smallest page order covering the size. */
	if (align > (PAGE_SIZE << get_order(buf->size)))
		return -EINVAL;
	buf->cpu_addr = dma_alloc_coherent(dev, buf->size, &buf->dma_addr,
					   GFP_KERNEL | __GFP_NOWARN);
	if (!buf->cpu_addr)
		return -ENOMEM;
	ret = dma_get_sgtable(dev, &buf->sgt, buf->cpu_addr, buf->dma_addr,
			      buf->size);
	if (ret) {
		dma_free_coherent(dev, buf->size, buf->cpu_addr, buf->dma_addr);
		buf->cpu_addr = NULL;
		return ret;
	}
	return 0;
}

static void ion_dma_free(struct ion_buffer *buf)
{
	sg_free_table(&buf->sgt);
	dma_free_coherent(buf->heap->dev, buf->size, buf->cpu_addr,
			  buf->dma_addr);
}

static int ion_dma_mmap(struct ion_buffer *buf, struct vm_area_struct *vma)
{
	return dma_mmap_coherent(buf->heap->dev, vma, buf->cpu_addr,
				 buf->dma_addr, buf->size);
}

static void *ion_dma_vmap(struct ion_buffer *buf)
{
	return buf->cpu_addr;
}

static void ion_dma_vunmap(struct ion_buffer *buf, void *vaddr)
{
}

static const struct ion_heap_ops ion_dma_heap_ops = {
	.allocate = ion_dma_allocate,
	.free = ion_dma_free,
	.mmap = ion_dma_mmap,
	.vmap = ion_dma_vmap,
	.vunmap = ion_dma_vunmap,
};

/**
 * ion_heaps_init - describe the heaps
 * @idev: the device
 * @ids: heap ids of system, system-contig and dma, in that order
 * @contig_max_order: largest page order of the contiguous heaps
 *
 * The dma heap's device is published later, once it has its DMA mask.
 */
void ion_heaps_init(struct ion_device *idev, const unsigned int *ids,
		    unsigned int contig_max_order)
{
	static const struct {
		const char *name;
		enum ion_heap_type type;
		const struct ion_heap_ops *ops;
		bool contig;
	} desc[ION_NR_HEAPS] = {
		{ "system", ION_HEAP_TYPE_SYSTEM, &ion_system_heap_ops, false },
		{ "system-contig", ION_HEAP_TYPE_SYSTEM_CONTIG, &ion_contig_heap_ops, true },
		{ "dma", ION_HEAP_TYPE_DMA, &ion_dma_heap_ops, true },
	};
	int i;

	for (i = 0; i < ION_NR_HEAPS; i++) {
		struct ion_heap *heap = &idev->heaps[i];

		heap->name = desc[i].name;
		heap->type = desc[i].type;
		heap->ops = desc[i].ops;
		heap->id = ids[i];
		heap->max_len = desc[i].contig ? PAGE_SIZE << contig_max_order : 0;
		atomic_long_set(&heap->nr_buffers, 0);
		atomic_long_set(&heap->nr_bytes, 0);
	}
}
