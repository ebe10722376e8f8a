/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * smaf.h - userspace API of the SMAF module (/dev/smaf)
 *
 * Secure Memory Allocation Framework: a dma-buf exporter whose buffers get
 * their memory only when first used, from the allocator that suits every
 * device attached by then.
 *
 * Wire-compatible with the SMAF v8-v10 patch series (same structures, same
 * ioctl numbers, "version" must be 0). liballoc extends it only through
 * fields that v10 called reserved (kept under their old names in anonymous
 * unions) and through new ioctl numbers (4 and up).
 *
 * SMAF_RDWR and SMAF_CLOEXEC expand to O_RDWR and O_CLOEXEC: include
 * <fcntl.h> before using them.
 */
#ifndef _UAPI_LINUX_SMAF_H
#define _UAPI_LINUX_SMAF_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define MAX_NAME_LENGTH 64

/* Mode of the returned dma-buf fd; the only valid smaf_create_data.flags. */
#define SMAF_RDWR	O_RDWR
#define SMAF_CLOEXEC	O_CLOEXEC

/**
 * struct smaf_create_data - SMAF_IOC_CREATE argument (128 bytes)
 * @version:	must be 0
 * @length:	size in bytes, > 0; rounded up to PAGE_SIZE by the kernel
 * @flags:	SMAF_RDWR and/or SMAF_CLOEXEC, nothing else
 * @reserved1:	ignored (v10)
 * @fd:		out: the new dma-buf fd; the caller owns it
 * @reserved2:	ignored (v10)
 * @name:	NUL-terminated allocator name to force, or "" to let the
 *		kernel choose at first use; unknown name: -EINVAL
 * @reserved3:	ignored (v10)
 *
 * No memory is allocated here.
 */
struct smaf_create_data {
	__u64 version;
	__u64 length;
	__u32 flags;
	__u32 reserved1;
	__s32 fd;
	__u32 reserved2;
	__u8 name[MAX_NAME_LENGTH];
	__u8 reserved3[32];
};

/**
 * struct smaf_secure_flag - SMAF_IOC_GET/SET_SECURE_FLAG argument (64 bytes)
 * @version:	must be 0
 * @fd:		a dma-buf fd created by SMAF_IOC_CREATE (else -EINVAL)
 * @reserved1:	ignored (v10)
 * @secure:	GET: out, 0 or 1; SET: in, 0 or 1 (else -EINVAL)
 * @reserved2:	ignored (v10)
 *
 * SET fails with -EINVAL when no secure module is registered and with
 * -EBUSY once the buffer is attached, mapped or allocated.
 */
struct smaf_secure_flag {
	__u64 version;
	__s32 fd;
	__u32 reserved1;
	__u32 secure;
	__u8 reserved2[44];
};

/**
 * struct smaf_info - SMAF_IOC_GET_INFO argument (128 bytes)
 * @version:	must be 0
 * @index:	in: which allocator, 0 .. count - 1 (else -EINVAL)
 * @reserved1:	ignored (v10)
 * @count:	out: number of allocators
 * @ranking:	out (liballoc extension of v10's reserved2): the allocator's
 *		ranking; allocators are listed by decreasing ranking
 * @name:	out: NUL-terminated allocator name
 * @reserved3:	ignored (v10)
 */
struct smaf_info {
	__u64 version;
	__u32 index;
	__u32 reserved1;
	__u32 count;
	union {
		__u32 reserved2;
		__u32 ranking;
	};
	__u8 name[MAX_NAME_LENGTH];
	__u8 reserved3[40];
};

/* struct smaf_buffer_info.flags */
#define SMAF_BUFFER_ALLOCATED	(1U << 0) /* backing memory exists */
#define SMAF_BUFFER_SECURE	(1U << 1) /* secure flag set */
#define SMAF_BUFFER_FORCED	(1U << 2) /* allocator named at create */
#define SMAF_BUFFER_CPU_MAPPED	(1U << 3) /* mmap()ed or vmapped now */

#define SMAF_DIAG_LENGTH 128

/**
 * struct smaf_buffer_info - SMAF_IOC_GET_BUFFER_INFO argument (256 bytes)
 *
 * liballoc extension (ioctl number 4): state of one SMAF buffer.
 *
 * @version:	must be 0
 * @fd:		in: a dma-buf fd created by SMAF_IOC_CREATE (else -EINVAL)
 * @flags:	out: SMAF_BUFFER_*
 * @length:	out: size in bytes (page aligned)
 * @attachments: out: devices attached now
 * @segments:	out: physically contiguous runs of the memory (1 means
 *		physically contiguous); 0 while unallocated
 * @last_error:	out: negative errno of the last refused attach or failed
 *		allocation of this buffer, 0 if none
 * @reserved1:	must be 0
 * @allocator:	out: name of the allocator that backs the buffer, or the
 *		forced one, "" while the kernel has not chosen yet
 * @diag:	out: NUL-terminated human reason for @last_error
 *		("no allocator accepts ...", naming devices and allocators)
 * @reserved2:	must be 0
 */
struct smaf_buffer_info {
	__u64 version;
	__s32 fd;
	__u32 flags;
	__u64 length;
	__u32 attachments;
	__u32 segments;
	__s32 last_error;
	__u32 reserved1;
	__u8 allocator[MAX_NAME_LENGTH];
	__u8 diag[SMAF_DIAG_LENGTH];
	__u8 reserved2[24];
};

#define SMAF_IOC_MAGIC	'S'

#define SMAF_IOC_CREATE		 _IOWR(SMAF_IOC_MAGIC, 0, struct smaf_create_data)
#define SMAF_IOC_GET_SECURE_FLAG _IOWR(SMAF_IOC_MAGIC, 1, struct smaf_secure_flag)
#define SMAF_IOC_SET_SECURE_FLAG _IOWR(SMAF_IOC_MAGIC, 2, struct smaf_secure_flag)
#define SMAF_IOC_GET_INFO	 _IOWR(SMAF_IOC_MAGIC, 3, struct smaf_info)
/* liballoc extensions */
#define SMAF_IOC_GET_BUFFER_INFO _IOWR(SMAF_IOC_MAGIC, 4, struct smaf_buffer_info)

#endif /* _UAPI_LINUX_SMAF_H */
