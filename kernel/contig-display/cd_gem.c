// SPDX-License-Identifier: GPL-2.0
/*
 * GEM objects of contig_display, as drm_gem_dma would make them (that helper
 * is not built in the test kernel): our own memory comes from
 * dma_alloc_attrs() on the device, so it is physically contiguous and
 * within the DMA mask; user mappings are write-combined. Imports are taken
 * only when the exporter's mapping for our device is one contiguous range
 * of memory that the device reaches without a bounce buffer.
 */
#include <linux/dma-buf.h>
#include <linux/mm.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#ifdef CONFIG_X86
#include <asm/set_memory.h>
#endif
#include <drm/drm_drv.h>
#include <drm/drm_prime.h>
#include <drm/drm_print.h>

#include "contig_display.h"

static void cd_gem_free(struct drm_gem_object *obj)
{
	struct cd_gem *bo = to_cd_gem(obj);
	struct device *dev = obj->dev->dev;

	if (obj->import_attach) {
		drm_prime_gem_destroy(obj, bo->sgt);
	} else if (bo->vaddr) {
#ifdef CONFIG_X86
		if (bo->linear_wc)
			set_memory_wb((unsigned long)bo->vaddr, obj->size >> PAGE_SHIFT);
#endif
		dma_free_attrs(dev, obj->size, bo->vaddr, bo->dma_addr, DMA_ATTR_WRITE_COMBINE);
		atomic64_sub(obj->size, &cd_stats.gem_bytes);
	}
	drm_gem_object_release(obj);
	kfree(bo);
	atomic_dec(&cd_stats.gem_objects);
}

/* For drm_gem_prime_export's dma-buf: the pages of our memory. */
static struct sg_table *cd_gem_get_sg_table(struct drm_gem_object *obj)
{
	struct cd_gem *bo = to_cd_gem(obj);
	struct sg_table *sgt;
	int ret;

	if (!bo->vaddr)
		return ERR_PTR(-EINVAL);
	sgt = kzalloc(sizeof(*sgt), GFP_KERNEL);
	if (!sgt)
		return ERR_PTR(-ENOMEM);
	ret = dma_get_sgtable_attrs(obj->dev->dev, sgt, bo->vaddr, bo->dma_addr, obj->size,
				    DMA_ATTR_WRITE_COMBINE);
	if (ret) {
		kfree(sgt);
		return ERR_PTR(ret);
	}
	return sgt;
}

static int cd_gem_vmap(struct drm_gem_object *obj, struct iosys_map *map)
{
	struct cd_gem *bo = to_cd_gem(obj);

	if (obj->import_attach)
		return dma_buf_vmap(obj->import_attach->dmabuf, map);
	iosys_map_set_vaddr(map, bo->vaddr);
	return 0;
}

static void cd_gem_vunmap(struct drm_gem_object *obj, struct iosys_map *map)
{
	if (obj->import_attach)
		dma_buf_vunmap(obj->import_attach->dmabuf, map);
}

/* As drm_gem_dma_mmap for objects that are not map_noncoherent. */
static int cd_gem_mmap(struct drm_gem_object *obj, struct vm_area_struct *vma)
{
	struct cd_gem *bo = to_cd_gem(obj);

	if (obj->import_attach || !bo->vaddr)
		return -EINVAL;
	/* drm_gem_mmap_obj() gave us the fake offset; the DMA API wants 0. */
	vma->vm_pgoff -= drm_vma_node_start(&obj->vma_node);
	vm_flags_mod(vma, VM_DONTEXPAND, VM_PFNMAP);
	vma->vm_page_prot = pgprot_writecombine(vm_get_page_prot(vma->vm_flags));
	/* On failure drm_gem_mmap_obj() drops the reference it took. */
	return dma_mmap_wc(obj->dev->dev, vma, bo->vaddr, bo->dma_addr,
			   vma->vm_end - vma->vm_start);
}

static const struct vm_operations_struct cd_gem_vm_ops = {
	.open = drm_gem_vm_open,
	.close = drm_gem_vm_close,
};

static const struct drm_gem_object_funcs cd_gem_funcs = {
	.free = cd_gem_free,
	.get_sg_table = cd_gem_get_sg_table,
	.vmap = cd_gem_vmap,
	.vunmap = cd_gem_vunmap,
	.mmap = cd_gem_mmap,
	.vm_ops = &cd_gem_vm_ops,
};

static struct cd_gem *cd_gem_new(struct drm_device *drm, size_t size)
{
	struct cd_gem *bo = kzalloc(sizeof(*bo), GFP_KERNEL);

	if (!bo)
		return NULL;
	bo->base.funcs = &cd_gem_funcs;
	drm_gem_private_object_init(drm, &bo->base, size);
	atomic_inc(&cd_stats.gem_objects);
	return bo;
}

/*
 * Contiguous memory below the DMA mask. Without CMA that is one buddy block,
 * so more than PAGE_SIZE << cd_max_order is ENOMEM before the page allocator
 * is asked (it would warn for an order above MAX_PAGE_ORDER); __GFP_NOWARN
 * keeps a failure under fragmentation out of the kernel log.
 */
static struct cd_gem *cd_gem_alloc(struct drm_device *drm, size_t size)
{
	struct cd_gem *bo;
	int ret;

	size = PAGE_ALIGN(size);
	if (!size || size > (PAGE_SIZE << cd_max_order)) {
		drm_dbg_driver(drm, "%zu bytes: above the contiguous limit %lu\n", size,
			       PAGE_SIZE << cd_max_order);
		atomic_inc(&cd_stats.alloc_enomem);
		return ERR_PTR(-ENOMEM);
	}
	bo = cd_gem_new(drm, size);
	if (!bo)
		return ERR_PTR(-ENOMEM);
	ret = drm_gem_create_mmap_offset(&bo->base);
	if (ret)
		goto fail;
	bo->vaddr = dma_alloc_attrs(drm->dev, size, &bo->dma_addr,
				    GFP_KERNEL | __GFP_NOWARN | __GFP_ZERO, DMA_ATTR_WRITE_COMBINE);
	if (!bo->vaddr) {
		atomic_inc(&cd_stats.alloc_enomem);
		ret = -ENOMEM;
		goto fail;
	}
	atomic64_add(size, &cd_stats.gem_bytes);
#ifdef CONFIG_X86
	/* User mappings are WC: make the linear map agree, as PAT requires
	 * (else remap_pfn_range falls back to WB with a warning). */
	bo->linear_wc = set_memory_wc((unsigned long)bo->vaddr, size >> PAGE_SHIFT) == 0;
#endif
	return bo;
fail:
	drm_gem_object_put(&bo->base);
	return ERR_PTR(ret);
}

int cd_dumb_create(struct drm_file *file, struct drm_device *drm,
		   struct drm_mode_create_dumb *args)
{
	u64 pitch = ALIGN(DIV_ROUND_UP((u64)args->width * args->bpp, 8), (u64)cd_pitch_align);
	u64 size = pitch * args->height;
	struct cd_gem *bo;
	int ret;

	if (!args->width || !args->height || !args->bpp || pitch > U32_MAX || size > SIZE_MAX)
		return -EINVAL;
	bo = cd_gem_alloc(drm, size);
	if (IS_ERR(bo))
		return PTR_ERR(bo);
	ret = drm_gem_handle_create(file, &bo->base, &args->handle);
	drm_gem_object_put(&bo->base);
	if (ret)
		return ret;
	args->pitch = pitch;
	args->size = bo->base.size;
	return 0;
}

struct drm_gem_object *cd_prime_import(struct drm_device *drm, struct dma_buf *buf)
{
	struct drm_gem_object *obj;

	atomic_inc(&cd_stats.imports);
	obj = drm_gem_prime_import(drm, buf);
	if (IS_ERR(obj))
		atomic_inc(&cd_stats.imports_failed);
	else if (obj->import_attach)
		atomic_inc(&cd_stats.imports_accepted);
	else
		atomic_inc(&cd_stats.imports_self);
	return obj;
}

/*
 * Whether the device reaches every byte of sgt directly. The DMA side must
 * lie within the mask; so must the CPU side (the pages), because a page
 * beyond the mask reaches the device only through a bounce buffer
 * (swiotlb), which a scanout engine reading the buffer at any time cannot
 * use. 0, or -EINVAL with the offending range in *bad / *bad_dma.
 */
static int cd_sgt_within_mask(struct device *dev, struct sg_table *sgt, u64 *bad,
			      u64 *bad_dma)
{
	u64 mask = dma_get_mask(dev);
	struct scatterlist *sg;
	unsigned int i;

	for_each_sgtable_dma_sg(sgt, sg, i) {
		u64 end = (u64)sg_dma_address(sg) + sg_dma_len(sg) - 1;

		if (end > mask) {
			*bad = 0;
			*bad_dma = sg_dma_address(sg);
			return -EINVAL;
		}
	}
	for_each_sgtable_sg(sgt, sg, i) {
		u64 phys;

		if (!sg_page(sg))
			continue; /* no struct page (device memory): DMA side only */
		phys = sg_phys(sg);
		if (phys + sg->length - 1 > mask) {
			*bad = phys;
			*bad_dma = i < sgt->nents ? sg_dma_address(sg) : 0;
			return -EINVAL;
		}
	}
	return 0;
}

/*
 * Bytes of physically contiguous memory at the start of sgt's pages (all of
 * it when the exporter gave no struct pages). The DMA side alone is not
 * enough: swiotlb may bounce scattered pages into adjacent slots.
 */
static u64 cd_sgt_phys_contiguous(struct sg_table *sgt)
{
	struct scatterlist *sg;
	u64 next = 0, len = 0;
	unsigned int i;

	for_each_sgtable_sg(sgt, sg, i) {
		if (!sg_page(sg))
			return U64_MAX;
		if (i && sg_phys(sg) != next)
			break;
		next = sg_phys(sg) + sg->length;
		len += sg->length;
	}
	return len;
}

/* As drm_gem_dma_prime_import_sg_table, and the DMA mask checked too. */
struct drm_gem_object *cd_prime_import_sg_table(struct drm_device *drm,
						struct dma_buf_attachment *attach,
						struct sg_table *sgt)
{
	size_t size = attach->dmabuf->size;
	unsigned long contig = drm_prime_get_contiguous_size(sgt);
	u64 phys_contig = cd_sgt_phys_contiguous(sgt);
	u64 bad = 0, bad_dma = 0;
	struct cd_gem *bo;

	if (contig < size || phys_contig < size) {
		drm_dbg_prime(drm, "import refused: scattered (%lu of %zu bytes contiguous for DMA, %llu in memory)\n",
			      contig, size, phys_contig == U64_MAX ? size : phys_contig);
		atomic_inc(&cd_stats.imports_scattered);
		return ERR_PTR(-EINVAL);
	}
	if (cd_sgt_within_mask(drm->dev, sgt, &bad, &bad_dma)) {
		drm_dbg_prime(drm, "import refused: memory at phys %#llx (dma %#llx%s) beyond the %d-bit DMA mask\n",
			      bad, bad_dma, bad && bad_dma && bad != bad_dma ? ", bounced" : "",
			      fls64(dma_get_mask(drm->dev)));
		atomic_inc(&cd_stats.imports_above_mask);
		/* EIO, as the DMA API fails a mapping it cannot reach without
		 * bouncing (dma_direct_map_sg): a refusal for where the memory
		 * lies, told apart from EINVAL for how it is laid out */
		return ERR_PTR(-EIO);
	}
	bo = cd_gem_new(drm, size);
	if (!bo)
		return ERR_PTR(-ENOMEM);
	bo->sgt = sgt;
	bo->dma_addr = sg_dma_address(sgt->sgl);
	drm_dbg_prime(drm, "import: dma %pad, %zu bytes\n", &bo->dma_addr, size);
	return &bo->base;
}
