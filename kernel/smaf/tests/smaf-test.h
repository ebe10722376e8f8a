/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers for the SMAF tests that run inside the test guest (tests/vm).
 * Checks, vgem, vivid and the kernel log are tests/lib's (vmtest.h,
 * vivid.h, testlib.h).
 * Every function returns 0 or a negative errno unless it says otherwise.
 */
#ifndef SMAF_TEST_H
#define SMAF_TEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <fcntl.h>

#include "smaf.h"
#include "testlib.h"
#include "vivid.h"
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

#endif
