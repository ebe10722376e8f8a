/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * The Android ION uapi, both generations, for ion_test.ko and its tests.
 *
 * Written from the published uapi headers
 * (drivers/staging/android/uapi/ion.h of 4.10/4.11 for the legacy ABI, the
 * bionic copy of the 4.12-5.10 header for the new one). The two ABIs define
 * different structs under the same names; here each gets its own name, the
 * way libion's kernel-headers/linux/ion_4.12.h did, so one program can speak
 * both:
 *
 *   legacy (handle based, <= 4.11): struct ion_legacy_allocation_data,
 *       ION_IOC_LEGACY_ALLOC, ION_IOC_FREE/MAP/SHARE/IMPORT/CUSTOM/SYNC
 *   new (fd based, 4.12 - 5.10):    struct ion_new_allocation_data,
 *       ION_IOC_NEW_ALLOC
 *   both (4.10 onwards):            struct ion_heap_data, ion_heap_query,
 *       ION_IOC_HEAP_QUERY
 *
 * The ioctl numbers never collide: the two ALLOCs share nr 0 but differ in
 * size (LP64: 0xc0204900 legacy, 0xc0184900 new).
 */
#ifndef ION_TEST_UAPI_ION_H
#define ION_TEST_UAPI_ION_H

#include <linux/ioctl.h>
#include <linux/types.h>
#ifndef __KERNEL__
#include <stddef.h>	/* size_t of the legacy allocation struct */
#endif

/* Values are implicit in both mainline generations (Android GKI differs). */
enum ion_heap_type {
	ION_HEAP_TYPE_SYSTEM,		/* 0: scattered pages */
	ION_HEAP_TYPE_SYSTEM_CONTIG,	/* 1: physically contiguous pages */
	ION_HEAP_TYPE_CARVEOUT,		/* 2 */
	ION_HEAP_TYPE_CHUNK,		/* 3 */
	ION_HEAP_TYPE_DMA,		/* 4: DMA API (CMA on real boards) */
	ION_HEAP_TYPE_CUSTOM,		/* 5 */
};

/* heap_id_mask is a mask of heap *ids*, never of heap types. */
#define ION_NUM_HEAP_IDS		(sizeof(unsigned int) * 8)

#define ION_FLAG_CACHED			1
#define ION_FLAG_CACHED_NEEDS_SYNC	2	/* legacy ABI only */

#define ION_IOC_MAGIC			'I'

/* ---- legacy ABI (handles) ---- */

typedef int ion_user_handle_t;

struct ion_legacy_allocation_data {
	size_t len;
	size_t align;
	unsigned int heap_id_mask;
	unsigned int flags;
	ion_user_handle_t handle;	/* out */
};

struct ion_fd_data {
	ion_user_handle_t handle;
	int fd;
};

struct ion_handle_data {
	ion_user_handle_t handle;
};

struct ion_custom_data {
	unsigned int cmd;
	unsigned long arg;
};

#define ION_IOC_LEGACY_ALLOC	_IOWR(ION_IOC_MAGIC, 0, struct ion_legacy_allocation_data)
#define ION_IOC_FREE		_IOWR(ION_IOC_MAGIC, 1, struct ion_handle_data)
#define ION_IOC_MAP		_IOWR(ION_IOC_MAGIC, 2, struct ion_fd_data)
#define ION_IOC_SHARE		_IOWR(ION_IOC_MAGIC, 4, struct ion_fd_data)
#define ION_IOC_IMPORT		_IOWR(ION_IOC_MAGIC, 5, struct ion_fd_data)
#define ION_IOC_CUSTOM		_IOWR(ION_IOC_MAGIC, 6, struct ion_custom_data)
#define ION_IOC_SYNC		_IOWR(ION_IOC_MAGIC, 7, struct ion_fd_data)

/* ---- heap query: legacy 4.10/4.11 and the new ABI ---- */

#define MAX_HEAP_NAME		32

struct ion_heap_data {
	char name[MAX_HEAP_NAME];
	__u32 type;			/* enum ion_heap_type */
	__u32 heap_id;			/* bit index for heap_id_mask */
	__u32 reserved0;
	__u32 reserved1;
	__u32 reserved2;
};

struct ion_heap_query {
	__u32 cnt;			/* in: entries in heaps; out: heaps filled/known */
	__u32 reserved0;		/* must be 0 */
	__u64 heaps;			/* user pointer to ion_heap_data[cnt], 0: count only */
	__u32 reserved1;		/* must be 0 */
	__u32 reserved2;		/* must be 0 */
};

#define ION_IOC_HEAP_QUERY	_IOWR(ION_IOC_MAGIC, 8, struct ion_heap_query)

/* ---- new ABI (fds), 4.12 - 5.10 ---- */

struct ion_new_allocation_data {
	__u64 len;
	__u32 heap_id_mask;
	__u32 flags;
	__u32 fd;			/* out: dma-buf fd */
	__u32 unused;
};

#define ION_IOC_NEW_ALLOC	_IOWR(ION_IOC_MAGIC, 0, struct ion_new_allocation_data)

#endif /* ION_TEST_UAPI_ION_H */
