/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers for the SMAF tests that run inside the test guest (tests/vm).
 * Checks are reported with vm_check() from tests/vm/guest/vmtest.h.
 * Every function returns 0 or a negative errno unless it says otherwise.
 */
#ifndef SMAF_TEST_H
#define SMAF_TEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <fcntl.h>
#include <linux/videodev2.h>

#include "smaf.h"
#include "vmtest.h"

/* Opens /dev/smaf; exits the test (vm_fatal) if it cannot. */
int smaf_open(void);

/* SMAF_IOC_CREATE; *fd gets the dma-buf fd (owned by the caller). */
int smaf_create(int smaf, uint64_t length, uint32_t flags, const char *name,
		int *fd);
int smaf_info(int smaf, int fd, struct smaf_buffer_info *info);
int smaf_set_secure(int smaf, int fd, unsigned int secure);
int smaf_get_secure(int smaf, int fd, unsigned int *secure);

/* Counters of /sys/kernel/debug/smaf/stats; allocator NULL: global ones.
 * key: "live_buffers", "created", "refused_attach", ... or, with an
 * allocator, "allocations", "live_buffers", "live_bytes". -1 if absent. */
long long smaf_stat(const char *allocator, const char *key);

/* Checks that live_buffers is back to before (a value read at the start of
 * the program); on failure prints the buffers debugfs still lists. */
void smaf_check_no_leak(long long live_before);

/* MemAvailable of /proc/meminfo in KiB. */
long long meminfo_kib(const char *key);

/* vgem: render node fd (exits the test if missing); PRIME import of a
 * dma-buf, which attaches and maps it at once. *handle is a GEM handle
 * to close with vgem_close(). */
int vgem_open(void);
int vgem_import(int vgem, int dmabuf, uint32_t *handle);
void vgem_close(int vgem, uint32_t handle);

/* A vivid capture node of instance inst (bus_info platform:vivid-00N). */
struct vivid {
	int fd;
	struct v4l2_format fmt;
};
int vivid_open(int inst, struct vivid *v);
void vivid_close(struct vivid *v);
/* Queues dmabuf as the only DMABUF buffer and, if that succeeds, streams
 * one frame into it. Returns the errno of the first failing ioctl, with
 * *step naming it ("QBUF", "DQBUF", ...). */
int vivid_capture(struct vivid *v, int dmabuf, const char **step);
/* true if the XBGR32 image shows vivid's 75% colour bars on its middle
 * line (checks the colour of each of the eight bars) */
bool vivid_check_bars(const struct vivid *v, const uint8_t *pixels);

/* A buffer of /dev/dma_heap/system, or -errno. */
int system_heap_alloc(size_t len);

/* Lines of the kernel log since the last call, matching needle. */
int kmsg_count(const char *needle);

#endif
