/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Private declarations shared by the SMAF module's files
 */
#ifndef _SMAF_INTERNAL_H
#define _SMAF_INTERNAL_H

#include <linux/atomic.h>
#include <linux/device.h>
#include <linux/dma-buf.h>
#include <linux/list.h>
#include <linux/mm_types.h>
#include <linux/mutex.h>
#include <linux/types.h>

#include "uapi/smaf.h"
#include "smaf-secure.h"

#define SMAF_WHY_LEN 96

struct smaf_buffer;

/**
 * struct smaf_allocator - one way of backing SMAF buffers with memory
 * @name:	unique, shown by SMAF_IOC_GET_INFO and accepted at create
 * @ranking:	bigger is preferred; ties are broken by name
 * @match:	can memory from this allocator serve @dev? @dev NULL means
 *		the CPU. On refusal, write the reason to @why.
 * @allocate:	fill buf->pages (buf->npages entries), buf->vaddr if the
 *		memory already has a kernel mapping, buf->alloc_priv
 * @release:	undo @allocate
 * @mmap:	map pages [vm_pgoff, vm_pgoff + vma_pages) to userspace; the
 *		core has checked the range
 * @vmap:	kernel mapping of the whole buffer, or NULL
 * @vunmap:	undo @vmap
 */
struct smaf_allocator {
	const char *name;
	unsigned int ranking;
	bool (*match)(struct device *dev, char *why, size_t len);
	int (*allocate)(struct smaf_buffer *buf);
	void (*release)(struct smaf_buffer *buf);
	int (*mmap)(struct smaf_buffer *buf, struct vm_area_struct *vma);
	void *(*vmap)(struct smaf_buffer *buf);
	void (*vunmap)(struct smaf_buffer *buf, void *vaddr);

	/* owned by the core */
	struct list_head node;
	atomic64_t allocations;
	atomic64_t live_buffers;
	atomic64_t live_bytes;
};

struct smaf_attachment {
	struct list_head node;		/* in buf->attachments unless refused */
	struct device *dev;
	int refused;			/* errno returned by its first map */
	struct sg_table *sgt;		/* while mapped */
	enum dma_data_direction dir;
	bool granted;			/* secure module granted access */
};

/**
 * struct smaf_buffer - state behind one SMAF dma-buf
 *
 * @lock protects everything below it. Lock order: the dma-buf's resv lock
 * (held by the dma-buf core around map/vmap) before @lock; SMAF never takes
 * a resv lock itself.
 */
struct smaf_buffer {
	struct dma_buf *dmabuf;
	struct list_head node;		/* smaf_buffers, under smaf_buffers_lock */
	u32 id;
	size_t size;			/* page aligned */
	pgoff_t npages;

	struct mutex lock;		/* see above */
	struct smaf_allocator *forced;
	struct smaf_allocator *alloc;	/* set once memory exists */
	struct list_head attachments;
	unsigned int nattach;
	unsigned int vmap_count;
	atomic_t mmap_count;

	/* memory, valid while @alloc is set */
	struct page **pages;
	void *vaddr;			/* allocator's own kernel mapping */
	void *alloc_priv;
	dma_addr_t dma_handle;
	phys_addr_t max_phys;		/* highest byte of the memory */
	unsigned int segments;		/* physically contiguous runs */

	/* secure */
	const struct smaf_secure *secure;
	void *secure_ctx;

	/* diagnostic of the last refusal */
	int last_error;
	char diag[SMAF_DIAG_LENGTH];
};

/* smaf-core.c */
extern struct device *smaf_device;
extern bool smaf_refuse_on_attach;
extern struct list_head smaf_allocators;	/* by rank, fixed after init */
extern unsigned int smaf_allocator_count;
extern struct mutex smaf_buffers_lock;
extern struct list_head smaf_buffers;
extern atomic64_t smaf_stat_refused_attach;
extern atomic64_t smaf_stat_no_match;
extern atomic64_t smaf_stat_cpu_refused;
extern atomic64_t smaf_stat_created;
extern atomic64_t smaf_stat_live;

struct smaf_allocator *smaf_find_allocator(const char *name);
bool smaf_device_needs_contig(struct device *dev);
bool smaf_device_declared_sg(struct device *dev);
int smaf_secure_get(const struct smaf_secure **s);
void smaf_secure_put(const struct smaf_secure *s);

/* smaf-buffer.c */
extern const struct dma_buf_ops smaf_dma_buf_ops;
struct smaf_buffer *smaf_buffer_create(size_t size,
				       struct smaf_allocator *forced,
				       unsigned int fd_flags);
int smaf_buffer_set_secure(struct smaf_buffer *buf, bool secure);
void smaf_buffer_fill_info(struct smaf_buffer *buf,
			   struct smaf_buffer_info *info);
u64 smaf_device_dma_limit(struct device *dev);

/* allocators */
extern struct smaf_allocator smaf_page_allocator;
extern struct smaf_allocator smaf_contig_allocator;

#endif /* _SMAF_INTERNAL_H */
