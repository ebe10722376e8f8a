// SPDX-License-Identifier: GPL-2.0
/*
 * The SMAF dma-buf: deferred allocation, allocator choice,
 * attach checks, secure hooks.
 *
 * A buffer owns no memory until its first use: the first map_dma_buf of an
 * attachment, or the first CPU access (mmap, vmap, begin_cpu_access). Then
 * SMAF takes the highest-ranked allocator whose match() accepts every device
 * attached so far (the forced one if userspace named it) and allocates.
 * From then on an attach is accepted only if the chosen allocator matches
 * the new device and the memory lies inside the device's DMA limit.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/dma-mapping.h>
#include <linux/iosys-map.h>
#include <linux/mm.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "smaf-internal.h"

static atomic_t smaf_next_id = ATOMIC_INIT(0);

/* Highest bus address the device can reach without bouncing; 0: no DMA. */
u64 smaf_device_dma_limit(struct device *dev)
{
	u64 limit;

	if (!dev->dma_mask || !*dev->dma_mask)
		return 0;
	limit = *dev->dma_mask;
	if (dev->bus_dma_limit)
		limit = min(limit, dev->bus_dma_limit);
	return limit;
}

/*
 * Can @dev use memory that is already there? Without an IOMMU the device
 * sees physical addresses, so the memory must lie under its DMA limit:
 * otherwise dma-direct would bounce it through swiotlb, and a bounced
 * dma-buf is no longer shared memory.
 */
static bool smaf_memory_reachable(struct smaf_buffer *buf, struct device *dev,
				  char *why, size_t len)
{
	u64 limit = smaf_device_dma_limit(dev);

	if (device_iommu_mapped(dev))
		return true;
	if (buf->max_phys > limit) {
		snprintf(why, len, "memory ends at %pa, above its DMA limit %#llx",
			 &buf->max_phys, limit);
		return false;
	}
	return true;
}

static __printf(3, 4) void smaf_set_diag(struct smaf_buffer *buf, int err,
					  const char *fmt, ...)
{
	va_list args;

	buf->last_error = err;
	va_start(args, fmt);
	vsnprintf(buf->diag, sizeof(buf->diag), fmt, args);
	va_end(args);
	pr_info_ratelimited("buffer %u: %s\n", buf->id, buf->diag);
}

/*
 * Does @a match every attached device, plus @extra if not NULL? On refusal
 * @why names the first device refused and the reason.
 */
static bool smaf_allocator_fits(struct smaf_buffer *buf,
				struct smaf_allocator *a,
				struct device *extra, char *why, size_t len)
{
	struct smaf_attachment *att;
	char reason[SMAF_WHY_LEN];

	list_for_each_entry(att, &buf->attachments, node) {
		if (!a->match(att->dev, reason, sizeof(reason))) {
			snprintf(why, len, "%s: %s: %s", a->name,
				 dev_name(att->dev), reason);
			return false;
		}
	}
	if (extra && !a->match(extra, reason, sizeof(reason))) {
		snprintf(why, len, "%s: %s: %s", a->name, dev_name(extra),
			 reason);
		return false;
	}
	return true;
}

static void smaf_describe_memory(struct smaf_buffer *buf)
{
	pgoff_t i;

	buf->segments = 1;
	buf->max_phys = page_to_phys(buf->pages[0]) + PAGE_SIZE - 1;
	for (i = 1; i < buf->npages; i++) {
		phys_addr_t end = page_to_phys(buf->pages[i]) + PAGE_SIZE - 1;

		if (page_to_pfn(buf->pages[i]) != page_to_pfn(buf->pages[i - 1]) + 1)
			buf->segments++;
		if (end > buf->max_phys)
			buf->max_phys = end;
	}
}

/*
 * Allocate the memory if it does not exist yet. @trigger is the device
 * whose map caused it, NULL for CPU access. Called with buf->lock held.
 */
static int smaf_ensure_allocated(struct smaf_buffer *buf,
				 struct device *trigger)
{
	struct smaf_allocator *a;
	char why[SMAF_DIAG_LENGTH] = "";
	int ret = -ENODEV;

	lockdep_assert_held(&buf->lock);
	if (buf->alloc)
		return 0;

	list_for_each_entry(a, &smaf_allocators, node) {
		if (buf->forced && a != buf->forced)
			continue;
		/* the CPU is accepted by every allocator: only devices count */
		if (!smaf_allocator_fits(buf, a, NULL, why, sizeof(why)))
			continue;
		ret = a->allocate(buf);
		if (!ret) {
			buf->alloc = a;
			smaf_describe_memory(buf);
			atomic64_inc(&a->allocations);
			atomic64_inc(&a->live_buffers);
			atomic64_add(buf->size, &a->live_bytes);
			/* one line per buffer: debug level (dynamic debug) */
			pr_debug("buffer %u: %zu bytes from %s (%u segment%s) at first use by %s, %u device%s attached\n",
				 buf->id, buf->size, a->name, buf->segments,
				 buf->segments == 1 ? "" : "s",
				 trigger ? dev_name(trigger) : "the CPU",
				 buf->nattach, buf->nattach == 1 ? "" : "s");
			return 0;
		}
		snprintf(why, sizeof(why), "%s: allocation of %zu bytes failed (%d)",
			 a->name, buf->size, ret);
	}
	atomic64_inc(&smaf_stat_no_match);
	smaf_set_diag(buf, ret, "no memory for %s: %s",
		      trigger ? dev_name(trigger) : "the CPU", why);
	return ret;
}

static void smaf_release_memory(struct smaf_buffer *buf)
{
	struct smaf_allocator *a = buf->alloc;

	if (!a)
		return;
	a->release(buf);
	atomic64_dec(&a->live_buffers);
	atomic64_sub(buf->size, &a->live_bytes);
	buf->alloc = NULL;
}

static int smaf_attach(struct dma_buf *dmabuf, struct dma_buf_attachment *attach)
{
	struct smaf_buffer *buf = dmabuf->priv;
	struct device *dev = attach->dev;
	struct smaf_attachment *att;
	char why[SMAF_DIAG_LENGTH];
	int ret;

	att = kzalloc(sizeof(*att), GFP_KERNEL);
	if (!att)
		return -ENOMEM;
	att->dev = dev;

	mutex_lock(&buf->lock);
	if (buf->alloc) {
		char reason[SMAF_WHY_LEN];

		if (!buf->alloc->match(dev, reason, sizeof(reason)) ||
		    !smaf_memory_reachable(buf, dev, reason, sizeof(reason))) {
			ret = -EXDEV;
			smaf_set_diag(buf, ret, "attach of %s refused: memory is from %s: %s",
				      dev_name(dev), buf->alloc->name, reason);
			goto refuse;
		}
	} else {
		struct smaf_allocator *a;
		bool fits = false;

		list_for_each_entry(a, &smaf_allocators, node) {
			if (buf->forced && a != buf->forced)
				continue;
			if (smaf_allocator_fits(buf, a, dev, why, sizeof(why))) {
				fits = true;
				break;
			}
		}
		if (!fits) {
			ret = -EXDEV;
			smaf_set_diag(buf, ret,
				      "attach of %s refused: no allocator accepts all devices (%s)",
				      dev_name(dev), why);
			goto refuse;
		}
	}

	if (buf->secure) {
		ret = buf->secure->grant_access(buf->secure_ctx, dev, 0,
						buf->size, DMA_BIDIRECTIONAL);
		if (ret) {
			smaf_set_diag(buf, ret, "attach of %s refused by secure module %s (%d)",
				      dev_name(dev), buf->secure->name, ret);
			goto refuse;
		}
		att->granted = true;
	}

	list_add_tail(&att->node, &buf->attachments);
	buf->nattach++;
	attach->priv = att;
	mutex_unlock(&buf->lock);
	dev_dbg(dev, "smaf buffer %u attached\n", buf->id);
	return 0;

refuse:
	atomic64_inc(&smaf_stat_refused_attach);
	mutex_unlock(&buf->lock);
	if (smaf_refuse_on_attach) {
		kfree(att);
		return ret;
	}
	/* keep the attachment, fail its first map (see refuse_on_attach) */
	att->refused = ret;
	INIT_LIST_HEAD(&att->node);
	attach->priv = att;
	return 0;
}

static void smaf_detach(struct dma_buf *dmabuf, struct dma_buf_attachment *attach)
{
	struct smaf_buffer *buf = dmabuf->priv;
	struct smaf_attachment *att = attach->priv;

	mutex_lock(&buf->lock);
	if (!att->refused) {
		list_del(&att->node);
		buf->nattach--;
	}
	if (att->granted)
		buf->secure->revoke_access(buf->secure_ctx, att->dev, 0,
					   buf->size, DMA_BIDIRECTIONAL);
	mutex_unlock(&buf->lock);
	kfree(att);
}

static struct sg_table *smaf_map_dma_buf(struct dma_buf_attachment *attach,
					 enum dma_data_direction dir)
{
	struct smaf_buffer *buf = attach->dmabuf->priv;
	struct smaf_attachment *att = attach->priv;
	unsigned int max_seg;
	struct sg_table *sgt;
	int ret;

	if (att->refused)
		return ERR_PTR(att->refused);
	sgt = kzalloc(sizeof(*sgt), GFP_KERNEL);
	if (!sgt)
		return ERR_PTR(-ENOMEM);

	mutex_lock(&buf->lock);
	if (att->sgt) {
		ret = -EBUSY;
		goto unlock;
	}
	ret = smaf_ensure_allocated(buf, attach->dev);
	if (ret)
		goto unlock;
	/* segments no longer than the device accepts (dma_parms) */
	max_seg = max_t(unsigned int, PAGE_SIZE,
			round_down(dma_get_max_seg_size(attach->dev), PAGE_SIZE));
	ret = sg_alloc_table_from_pages_segment(sgt, buf->pages, buf->npages, 0,
						buf->size, max_seg, GFP_KERNEL);
	if (ret)
		goto unlock;
	ret = dma_map_sgtable(attach->dev, sgt, dir, 0);
	if (ret)
		goto free_table;
	att->sgt = sgt;
	att->dir = dir;
	mutex_unlock(&buf->lock);
	return sgt;

free_table:
	sg_free_table(sgt);
unlock:
	mutex_unlock(&buf->lock);
	kfree(sgt);
	return ERR_PTR(ret);
}

static void smaf_unmap_dma_buf(struct dma_buf_attachment *attach,
			       struct sg_table *sgt,
			       enum dma_data_direction dir)
{
	struct smaf_buffer *buf = attach->dmabuf->priv;
	struct smaf_attachment *att = attach->priv;

	mutex_lock(&buf->lock);
	if (att->sgt == sgt)
		att->sgt = NULL;
	mutex_unlock(&buf->lock);
	dma_unmap_sgtable(attach->dev, sgt, dir, 0);
	sg_free_table(sgt);
	kfree(sgt);
}

/* Called with buf->lock held before any CPU access. */
static int smaf_cpu_access_allowed(struct smaf_buffer *buf,
				   enum dma_data_direction dir, const char *what)
{
	int ret;

	if (!buf->secure)
		return 0;
	ret = buf->secure->allow_cpu_access ?
	      buf->secure->allow_cpu_access(buf->secure_ctx, dir) : -EPERM;
	if (ret) {
		atomic64_inc(&smaf_stat_cpu_refused);
		smaf_set_diag(buf, ret, "%s of a secure buffer refused by %s (%d)",
			      what, buf->secure->name, ret);
	}
	return ret;
}

static int smaf_begin_cpu_access(struct dma_buf *dmabuf,
				 enum dma_data_direction dir)
{
	struct smaf_buffer *buf = dmabuf->priv;
	struct smaf_attachment *att;
	int ret;

	mutex_lock(&buf->lock);
	ret = smaf_cpu_access_allowed(buf, dir, "CPU access");
	if (!ret)
		ret = smaf_ensure_allocated(buf, NULL);
	if (!ret)
		list_for_each_entry(att, &buf->attachments, node)
			if (att->sgt)
				dma_sync_sgtable_for_cpu(att->dev, att->sgt, dir);
	mutex_unlock(&buf->lock);
	return ret;
}

static int smaf_end_cpu_access(struct dma_buf *dmabuf,
			       enum dma_data_direction dir)
{
	struct smaf_buffer *buf = dmabuf->priv;
	struct smaf_attachment *att;

	mutex_lock(&buf->lock);
	list_for_each_entry(att, &buf->attachments, node)
		if (att->sgt)
			dma_sync_sgtable_for_device(att->dev, att->sgt, dir);
	mutex_unlock(&buf->lock);
	return 0;
}

static void smaf_vm_open(struct vm_area_struct *vma)
{
	struct smaf_buffer *buf = vma->vm_private_data;

	atomic_inc(&buf->mmap_count);
}

static void smaf_vm_close(struct vm_area_struct *vma)
{
	struct smaf_buffer *buf = vma->vm_private_data;

	atomic_dec(&buf->mmap_count);
}

static const struct vm_operations_struct smaf_vm_ops = {
	.open = smaf_vm_open,
	.close = smaf_vm_close,
};

static int smaf_mmap(struct dma_buf *dmabuf, struct vm_area_struct *vma)
{
	struct smaf_buffer *buf = dmabuf->priv;
	unsigned long pages = vma_pages(vma);
	int ret;

	/* page-rounded: a 5000-byte buffer maps as two whole pages */
	if (vma->vm_pgoff >= buf->npages || pages > buf->npages - vma->vm_pgoff)
		return -EINVAL;

	mutex_lock(&buf->lock);
	ret = smaf_cpu_access_allowed(buf, DMA_BIDIRECTIONAL, "mmap");
	if (ret) {
		ret = -EPERM;
		goto unlock;
	}
	ret = smaf_ensure_allocated(buf, NULL);
	if (ret)
		goto unlock;
	ret = buf->alloc->mmap(buf, vma);
	if (ret)
		goto unlock;
	vma->vm_private_data = buf;
	vma->vm_ops = &smaf_vm_ops;
	smaf_vm_open(vma);
unlock:
	mutex_unlock(&buf->lock);
	return ret;
}

static int smaf_vmap(struct dma_buf *dmabuf, struct iosys_map *map)
{
	struct smaf_buffer *buf = dmabuf->priv;
	void *vaddr;
	int ret;

	mutex_lock(&buf->lock);
	ret = smaf_cpu_access_allowed(buf, DMA_BIDIRECTIONAL, "vmap");
	if (ret) {
		ret = -EPERM;
		goto unlock;
	}
	ret = smaf_ensure_allocated(buf, NULL);
	if (ret)
		goto unlock;
	vaddr = buf->alloc->vmap(buf);
	if (!vaddr) {
		ret = -ENOMEM;
		goto unlock;
	}
	buf->vmap_count++;
	iosys_map_set_vaddr(map, vaddr);
unlock:
	mutex_unlock(&buf->lock);
	return ret;
}

static void smaf_vunmap(struct dma_buf *dmabuf, struct iosys_map *map)
{
	struct smaf_buffer *buf = dmabuf->priv;

	mutex_lock(&buf->lock);
	buf->alloc->vunmap(buf, map->vaddr);
	buf->vmap_count--;
	mutex_unlock(&buf->lock);
}

static void smaf_release(struct dma_buf *dmabuf)
{
	struct smaf_buffer *buf = dmabuf->priv;

	mutex_lock(&smaf_buffers_lock);
	list_del(&buf->node);
	mutex_unlock(&smaf_buffers_lock);

	/* no attachment, mapping or fd is left: nobody else can see @buf */
	smaf_release_memory(buf);
	if (buf->secure) {
		buf->secure->destroy_ctx(buf->secure_ctx);
		smaf_secure_put(buf->secure);
	}
	mutex_destroy(&buf->lock);
	atomic64_dec(&smaf_stat_live);
	kfree(buf);
}

const struct dma_buf_ops smaf_dma_buf_ops = {
	.attach = smaf_attach,
	.detach = smaf_detach,
	.map_dma_buf = smaf_map_dma_buf,
	.unmap_dma_buf = smaf_unmap_dma_buf,
	.release = smaf_release,
	.begin_cpu_access = smaf_begin_cpu_access,
	.end_cpu_access = smaf_end_cpu_access,
	.mmap = smaf_mmap,
	.vmap = smaf_vmap,
	.vunmap = smaf_vunmap,
};

struct smaf_buffer *smaf_buffer_create(size_t size,
				       struct smaf_allocator *forced,
				       unsigned int fd_flags)
{
	DEFINE_DMA_BUF_EXPORT_INFO(exp_info);
	struct smaf_buffer *buf;
	struct dma_buf *dmabuf;

	buf = kzalloc(sizeof(*buf), GFP_KERNEL);
	if (!buf)
		return ERR_PTR(-ENOMEM);
	mutex_init(&buf->lock);
	INIT_LIST_HEAD(&buf->attachments);
	buf->size = size;
	buf->npages = size >> PAGE_SHIFT;
	buf->forced = forced;
	buf->id = atomic_inc_return(&smaf_next_id);

	exp_info.ops = &smaf_dma_buf_ops;
	exp_info.size = size;
	exp_info.flags = fd_flags;
	exp_info.priv = buf;
	dmabuf = dma_buf_export(&exp_info);
	if (IS_ERR(dmabuf)) {
		mutex_destroy(&buf->lock);
		kfree(buf);
		return ERR_CAST(dmabuf);
	}
	buf->dmabuf = dmabuf;

	mutex_lock(&smaf_buffers_lock);
	list_add_tail(&buf->node, &smaf_buffers);
	mutex_unlock(&smaf_buffers_lock);
	atomic64_inc(&smaf_stat_created);
	atomic64_inc(&smaf_stat_live);
	return buf;
}

int smaf_buffer_set_secure(struct smaf_buffer *buf, bool secure)
{
	const struct smaf_secure *s;
	void *ctx;
	int ret;

	/* SMAF: without a secure module the flag cannot be set at all */
	ret = smaf_secure_get(&s);
	if (ret)
		return ret;

	mutex_lock(&buf->lock);
	if (buf->alloc || buf->nattach || buf->vmap_count ||
	    atomic_read(&buf->mmap_count)) {
		ret = -EBUSY;
		goto out;
	}
	if (secure == !!buf->secure)
		goto out;
	if (secure) {
		ctx = s->create_ctx();
		if (IS_ERR(ctx)) {
			ret = PTR_ERR(ctx);
			goto out;
		}
		buf->secure = s;
		buf->secure_ctx = ctx;
		s = NULL;	/* the buffer keeps the module reference */
	} else {
		buf->secure->destroy_ctx(buf->secure_ctx);
		smaf_secure_put(buf->secure);
		buf->secure = NULL;
		buf->secure_ctx = NULL;
	}
out:
	mutex_unlock(&buf->lock);
	if (s)
		smaf_secure_put(s);
	return ret;
}

void smaf_buffer_fill_info(struct smaf_buffer *buf,
			   struct smaf_buffer_info *info)
{
	struct smaf_allocator *a;

	mutex_lock(&buf->lock);
	a = buf->alloc ? buf->alloc : buf->forced;
	info->flags = 0;
	if (buf->alloc)
		info->flags |= SMAF_BUFFER_ALLOCATED;
	if (buf->secure)
		info->flags |= SMAF_BUFFER_SECURE;
	if (buf->forced)
		info->flags |= SMAF_BUFFER_FORCED;
	if (buf->vmap_count || atomic_read(&buf->mmap_count))
		info->flags |= SMAF_BUFFER_CPU_MAPPED;
	info->length = buf->size;
	info->attachments = buf->nattach;
	info->segments = buf->alloc ? buf->segments : 0;
	info->last_error = buf->last_error;
	memset(info->allocator, 0, sizeof(info->allocator));
	if (a)
		strscpy(info->allocator, a->name, sizeof(info->allocator));
	memset(info->diag, 0, sizeof(info->diag));
	strscpy(info->diag, buf->diag, sizeof(info->diag));
	mutex_unlock(&buf->lock);
}
