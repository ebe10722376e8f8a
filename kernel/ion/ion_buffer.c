// SPDX-License-Identifier: GPL-2.0
/*
 * ion_test buffers and their dma-buf exporter.
 *
 * A buffer is refcounted: legacy handles, and every dma-buf exported from it
 * (each ION_IOC_SHARE exports a new one, as legacy ION did), hold a
 * reference. Devices attach to a dma-buf; the attachments are kept on the
 * buffer so that a sync covers every device mapping of the memory, whichever
 * dma-buf it came through.
 */
#include <linux/dma-mapping.h>
#include <linux/highmem.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/slab.h>

#include "ion_test.h"

/* One device's view: a private copy of the buffer's page list, DMA-mapped. */
struct ion_attachment {
	struct list_head node;
	struct device *dev;
	struct sg_table sgt;
	bool mapped;		/* under buf->lock */
};

static const struct dma_buf_ops ion_dma_buf_ops;

static struct ion_heap *ion_heap_by_id(struct ion_device *idev,
				       unsigned int id)
{
	int i;

	for (i = 0; i < ION_NR_HEAPS; i++)
		if (idev->heaps[i].id == id)
			return &idev->heaps[i];
	return NULL;
}

/*
 * Counts size against the heap's budget; false, with nothing counted, when
 * it does not fit: that is the heap's ENOMEM, as cma_alloc() failing is.
 */
static bool ion_heap_reserve(struct ion_heap *heap, size_t size)
{
	long used = atomic_long_read(&heap->nr_bytes);

	do {
		if (heap->budget &&
		    (size > heap->budget || (size_t)used > heap->budget - size))
			return false;
	} while (!atomic_long_try_cmpxchg(&heap->nr_bytes, &used, used + (long)size));
	return true;
}

static void ion_heap_unreserve(struct ion_heap *heap, size_t size)
{
	/* More given back than counted is a bug of ours: say so, never go below 0. */
	if (WARN_ON(atomic_long_sub_return(size, &heap->nr_bytes) < 0))
		atomic_long_set(&heap->nr_bytes, 0);
}

static struct ion_buffer *ion_buffer_create(struct ion_heap *heap,
					    size_t size, size_t align,
					    unsigned int flags)
{
	struct ion_buffer *buf;
	int ret;

	/* Larger than the heap can ever give: the same errno as a failed alloc_pages(). */
	if (heap->max_len && size > heap->max_len)
		return ERR_PTR(-ENOMEM);

	if (!ion_heap_reserve(heap, size))
		return ERR_PTR(-ENOMEM);
	buf = kzalloc(sizeof(*buf), GFP_KERNEL);
	if (!buf) {
		ion_heap_unreserve(heap, size);
		return ERR_PTR(-ENOMEM);
	}
	kref_init(&buf->ref);
	mutex_init(&buf->lock);
	INIT_LIST_HEAD(&buf->attachments);
	buf->heap = heap;
	buf->size = size;
	buf->flags = flags;
	buf->cached = flags & ION_FLAG_CACHED;

	ret = heap->ops->allocate(buf, align);
	if (ret) {
		mutex_destroy(&buf->lock);
		kfree(buf);
		ion_heap_unreserve(heap, size);
		return ERR_PTR(ret);
	}
	atomic_long_inc(&heap->nr_buffers);
	return buf;
}

/**
 * ion_buffer_alloc - allocate from the first heap of @heap_id_mask that can
 * @idev: the device
 * @len: bytes asked; rounded up to pages
 * @align: 0 or a power of two; heaps refuse what they cannot guarantee
 * @heap_id_mask: bit n set: the heap of id n may be used
 * @flags: ION_FLAG_*, already checked against the ABI
 *
 * Heaps named in the mask are tried from the highest id down, like ION did.
 * Returns a buffer holding one reference, or ERR_PTR: -EINVAL for a length
 * of 0 or one whose rounding overflows and for a bad alignment, -ENODEV when
 * the mask names no heap, -ENOMEM when no heap in the mask has the memory
 * (or the size exceeds the heap's limit, what is left of its budget or
 * the RAM), else the last heap's
 * error.
 */
struct ion_buffer *ion_buffer_alloc(struct ion_device *idev, u64 len,
				    size_t align, unsigned int heap_id_mask,
				    unsigned int flags)
{
	struct ion_buffer *buf;
	struct ion_heap *heap;
	size_t size;
	int ret = -ENODEV;
	int id;

	if (!len || len > SIZE_MAX - PAGE_SIZE + 1)
		return ERR_PTR(-EINVAL);
	if (align && !is_power_of_2(align))
		return ERR_PTR(-EINVAL);
	size = PAGE_ALIGN(len);
	/* Refuse at once what RAM cannot hold; sg tables count pages in an unsigned int. */
	if ((size >> PAGE_SHIFT) > totalram_pages() ||
	    (size >> PAGE_SHIFT) > UINT_MAX)
		return ERR_PTR(-ENOMEM);

	for (id = ION_NUM_HEAP_IDS - 1; id >= 0; id--) {
		if (!(heap_id_mask & BIT(id)))
			continue;
		heap = ion_heap_by_id(idev, id);
		if (!heap)
			continue;
		buf = ion_buffer_create(heap, size, align, flags);
		if (!IS_ERR(buf))
			return buf;
		ret = PTR_ERR(buf);
	}
	return ERR_PTR(ret);
}

void ion_buffer_get(struct ion_buffer *buf)
{
	kref_get(&buf->ref);
}

static void ion_buffer_release(struct kref *ref)
{
	struct ion_buffer *buf = container_of(ref, struct ion_buffer, ref);
	struct ion_heap *heap = buf->heap;

	WARN_ON(!list_empty(&buf->attachments));
	WARN_ON(buf->vmap_count);
	heap->ops->free(buf);
	ion_heap_unreserve(heap, buf->size);
	atomic_long_dec(&heap->nr_buffers);
	mutex_destroy(&buf->lock);
	kfree(buf);
}

void ion_buffer_put(struct ion_buffer *buf)
{
	kref_put(&buf->ref, ion_buffer_release);
}

static int ion_dma_buf_attach(struct dma_buf *dmabuf,
			      struct dma_buf_attachment *attachment)
{
	struct ion_buffer *buf = dmabuf->priv;
	struct scatterlist *src, *dst;
	struct ion_attachment *a;
	unsigned int i;
	int ret;

	a = kzalloc(sizeof(*a), GFP_KERNEL);
	if (!a)
		return -ENOMEM;
	ret = sg_alloc_table(&a->sgt, buf->sgt.orig_nents, GFP_KERNEL);
	if (ret) {
		kfree(a);
		return ret;
	}
	dst = a->sgt.sgl;
	for_each_sgtable_sg(&buf->sgt, src, i) {
		sg_set_page(dst, sg_page(src), src->length, src->offset);
		dst = sg_next(dst);
	}
	a->dev = attachment->dev;
	attachment->priv = a;

	mutex_lock(&buf->lock);
	list_add(&a->node, &buf->attachments);
	mutex_unlock(&buf->lock);
	return 0;
}

static void ion_dma_buf_detach(struct dma_buf *dmabuf,
			       struct dma_buf_attachment *attachment)
{
	struct ion_buffer *buf = dmabuf->priv;
	struct ion_attachment *a = attachment->priv;

	mutex_lock(&buf->lock);
	list_del(&a->node);
	mutex_unlock(&buf->lock);
	sg_free_table(&a->sgt);
	kfree(a);
}

static struct sg_table *ion_map_dma_buf(struct dma_buf_attachment *attachment,
					enum dma_data_direction dir)
{
	struct ion_buffer *buf = attachment->dmabuf->priv;
	struct ion_attachment *a = attachment->priv;
	int ret;

	/*
	 * Full CPU cache maintenance whatever ION_FLAG_CACHED says: with
	 * swiotlb the sync is also the bounce copy.
	 */
	ret = dma_map_sgtable(attachment->dev, &a->sgt, dir, 0);
	if (ret)
		return ERR_PTR(ret);
	mutex_lock(&buf->lock);
	a->mapped = true;
	mutex_unlock(&buf->lock);
	return &a->sgt;
}

static void ion_unmap_dma_buf(struct dma_buf_attachment *attachment,
			      struct sg_table *sgt,
			      enum dma_data_direction dir)
{
	struct ion_buffer *buf = attachment->dmabuf->priv;
	struct ion_attachment *a = attachment->priv;

	mutex_lock(&buf->lock);
	a->mapped = false;
	mutex_unlock(&buf->lock);
	dma_unmap_sgtable(attachment->dev, sgt, dir, 0);
}

/* Kernel mapping of page heaps is a vmap of its own: keep it coherent on VIVT caches. */
static bool ion_buffer_vmap_needs_sync(struct ion_buffer *buf)
{
	return buf->vmap_count && buf->cached && buf->pages;
}

static int ion_dma_buf_begin_cpu_access(struct dma_buf *dmabuf,
					enum dma_data_direction dir)
{
	struct ion_buffer *buf = dmabuf->priv;
	struct ion_attachment *a;

	mutex_lock(&buf->lock);
	if (ion_buffer_vmap_needs_sync(buf))
		invalidate_kernel_vmap_range(buf->vaddr, buf->size);
	list_for_each_entry(a, &buf->attachments, node)
		if (a->mapped)
			dma_sync_sgtable_for_cpu(a->dev, &a->sgt, dir);
	mutex_unlock(&buf->lock);
	return 0;
}

static void ion_buffer_sync_for_device_locked(struct ion_buffer *buf,
					      enum dma_data_direction dir)
{
	struct ion_attachment *a;

	lockdep_assert_held(&buf->lock);
	if (ion_buffer_vmap_needs_sync(buf))
		flush_kernel_vmap_range(buf->vaddr, buf->size);
	list_for_each_entry(a, &buf->attachments, node)
		if (a->mapped)
			dma_sync_sgtable_for_device(a->dev, &a->sgt, dir);
}

static int ion_dma_buf_end_cpu_access(struct dma_buf *dmabuf,
				      enum dma_data_direction dir)
{
	struct ion_buffer *buf = dmabuf->priv;

	mutex_lock(&buf->lock);
	ion_buffer_sync_for_device_locked(buf, dir);
	mutex_unlock(&buf->lock);
	return 0;
}

/* Legacy ION_IOC_SYNC: make CPU writes visible to every mapped device. */
void ion_buffer_sync_for_device(struct ion_buffer *buf)
{
	mutex_lock(&buf->lock);
	ion_buffer_sync_for_device_locked(buf, DMA_BIDIRECTIONAL);
	mutex_unlock(&buf->lock);
}

static int ion_dma_buf_mmap(struct dma_buf *dmabuf, struct vm_area_struct *vma)
{
	struct ion_buffer *buf = dmabuf->priv;

	/*
	 * The dma-buf core has checked that the range lies inside the buffer.
	 * A private (copy-on-write) view of memory that devices write makes
	 * no sense; udmabuf refuses it the same way.
	 */
	if (!(vma->vm_flags & (VM_SHARED | VM_MAYSHARE)))
		return -EINVAL;
	vm_flags_set(vma, VM_DONTEXPAND | VM_DONTDUMP);
	return buf->heap->ops->mmap(buf, vma);
}

static int ion_dma_buf_vmap(struct dma_buf *dmabuf, struct iosys_map *map)
{
	struct ion_buffer *buf = dmabuf->priv;
	void *vaddr;

	mutex_lock(&buf->lock);
	if (!buf->vmap_count) {
		vaddr = buf->heap->ops->vmap(buf);
		if (IS_ERR(vaddr)) {
			mutex_unlock(&buf->lock);
			return PTR_ERR(vaddr);
		}
		buf->vaddr = vaddr;
	}
	buf->vmap_count++;
	iosys_map_set_vaddr(map, buf->vaddr);
	mutex_unlock(&buf->lock);
	return 0;
}

static void ion_dma_buf_vunmap(struct dma_buf *dmabuf, struct iosys_map *map)
{
	struct ion_buffer *buf = dmabuf->priv;

	mutex_lock(&buf->lock);
	if (!WARN_ON(!buf->vmap_count) && !--buf->vmap_count) {
		buf->heap->ops->vunmap(buf, buf->vaddr);
		buf->vaddr = NULL;
	}
	mutex_unlock(&buf->lock);
}

static void ion_dma_buf_release(struct dma_buf *dmabuf)
{
	ion_buffer_put(dmabuf->priv);
}

static const struct dma_buf_ops ion_dma_buf_ops = {
	.attach = ion_dma_buf_attach,
	.detach = ion_dma_buf_detach,
	.map_dma_buf = ion_map_dma_buf,
	.unmap_dma_buf = ion_unmap_dma_buf,
	.release = ion_dma_buf_release,
	.begin_cpu_access = ion_dma_buf_begin_cpu_access,
	.end_cpu_access = ion_dma_buf_end_cpu_access,
	.mmap = ion_dma_buf_mmap,
	.vmap = ion_dma_buf_vmap,
	.vunmap = ion_dma_buf_vunmap,
};

/**
 * ion_buffer_export - a new dma-buf on @buf
 * @buf: the buffer
 *
 * The dma-buf takes its own reference on @buf and pins this module until
 * its last file reference goes. Its file is O_RDWR, so it can be mapped
 * for writing.
 */
struct dma_buf *ion_buffer_export(struct ion_buffer *buf)
{
	DEFINE_DMA_BUF_EXPORT_INFO(exp);
	struct dma_buf *dmabuf;

	exp.ops = &ion_dma_buf_ops;
	exp.size = buf->size;
	exp.flags = O_RDWR;
	exp.priv = buf;
	ion_buffer_get(buf);
	dmabuf = dma_buf_export(&exp);
	if (IS_ERR(dmabuf))
		ion_buffer_put(buf);
	return dmabuf;
}

/* The buffer behind @dmabuf, or NULL if another exporter made it. */
struct ion_buffer *ion_dma_buf_to_buffer(struct dma_buf *dmabuf)
{
	return dmabuf->ops == &ion_dma_buf_ops ? dmabuf->priv : NULL;
}
