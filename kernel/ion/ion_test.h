/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ion_test: the Android ION uapi on top of plain pages, as test
 * infrastructure for liballoc. Private declarations shared by the files of
 * the module.
 */
#ifndef ION_TEST_H
#define ION_TEST_H

#include <linux/atomic.h>
#include <linux/dma-buf.h>
#include <linux/idr.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/miscdevice.h>
#include <linux/mutex.h>
#include <linux/scatterlist.h>

#include "uapi/ion.h"

enum ion_abi {
	ION_ABI_LEGACY,		/* handles, with ION_IOC_HEAP_QUERY (4.10/4.11) */
	ION_ABI_LEGACY_NOQUERY,	/* handles, no ION_IOC_HEAP_QUERY (<= 4.9) */
	ION_ABI_MODERN,		/* fds (4.12 - 5.10) */
};

struct ion_buffer;

/*
 * A heap fills a buffer's page view (buf->sgt) and knows how the CPU maps it.
 * Attaching devices and syncing are common code working on buf->sgt.
 */
struct ion_heap_ops {
	int (*allocate)(struct ion_buffer *buf, size_t align);
	void (*free)(struct ion_buffer *buf);
	int (*mmap)(struct ion_buffer *buf, struct vm_area_struct *vma);
	void *(*vmap)(struct ion_buffer *buf);
	void (*vunmap)(struct ion_buffer *buf, void *vaddr);
};

struct ion_heap {
	const char *name;
	enum ion_heap_type type;
	unsigned int id;
	size_t max_len;			/* 0: limited by RAM only */
	const struct ion_heap_ops *ops;
	struct device *dev;		/* DMA API device: the misc device, once it has its mask */
	atomic_long_t nr_buffers;	/* live buffers, for debugfs */
	/*
	 * Live bytes, reserved before the heap allocates so that concurrent
	 * allocations cannot overshoot budget together.
	 */
	atomic_long_t nr_bytes;
	size_t budget;			/* most bytes live at once, 0: no limit (dma_budget) */
};

struct ion_buffer {
	struct kref ref;
	struct ion_heap *heap;
	size_t size;			/* page aligned */
	unsigned int flags;		/* ION_FLAG_* as asked */
	bool cached;

	/* Page heaps: one struct page per PAGE_SIZE, order 0 each. */
	struct page **pages;
	unsigned long nr_pages;
	/* DMA heap. */
	void *cpu_addr;
	dma_addr_t dma_addr;

	/* Every page of the buffer; copied per attachment, never DMA-mapped. */
	struct sg_table sgt;

	struct mutex lock;		/* attachments, vaddr, vmap_count */
	struct list_head attachments;
	void *vaddr;
	unsigned int vmap_count;
};

#define ION_NR_HEAPS	3
/* Index in ion_device.heaps of the dma heap, the one with a budget. */
#define ION_HEAP_DMA	2

struct ion_device {
	struct miscdevice misc;
	enum ion_abi abi;
	struct ion_heap heaps[ION_NR_HEAPS];
	struct dentry *debugfs;
};

/* One open() of /dev/ion. */
struct ion_client {
	struct ion_device *idev;
	struct mutex lock;		/* handles and their counts */
	struct idr handles;		/* legacy ABI: id -> struct ion_handle */
};

/* ion_heaps.c */
void ion_heaps_init(struct ion_device *idev, const unsigned int *ids,
		    unsigned int contig_max_order);

/* ion_buffer.c */
struct ion_buffer *ion_buffer_alloc(struct ion_device *idev, u64 len,
				    size_t align, unsigned int heap_id_mask,
				    unsigned int flags);
void ion_buffer_get(struct ion_buffer *buf);
void ion_buffer_put(struct ion_buffer *buf);
struct dma_buf *ion_buffer_export(struct ion_buffer *buf);
struct ion_buffer *ion_dma_buf_to_buffer(struct dma_buf *dmabuf);
void ion_buffer_sync_for_device(struct ion_buffer *buf);

#endif /* ION_TEST_H */
