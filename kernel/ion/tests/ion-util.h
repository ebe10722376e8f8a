/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers for the ion_test.ko programs that run in the test guest. Checks,
 * fd counting and the clock are tests/lib's (vmtest.h, testlib.h): each
 * check prints one line on stdout ("ok: ..." or "FAIL: ..."); a program
 * exits 1 if any check failed.
 */
#ifndef ION_UTIL_H
#define ION_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/dma-buf.h>

#include "../uapi/ion.h"
#include "testlib.h"
#include "vmtest.h"

#define ION_MODULE "ion_test"

/* vm_check() for an ioctl-like call: ret < 0 with errno == want, or 0 if want is 0. */
bool check_errno(int ret, int want, const char *what);

enum ion_abi { ABI_LEGACY, ABI_LEGACY_NOQUERY, ABI_MODERN };
/* From "--abi NAME" on the command line (what the test loaded the module with). */
enum ion_abi parse_abi_arg(int argc, char **argv);
const char *abi_name(enum ion_abi abi);

/* /dev/ion, O_RDONLY | O_CLOEXEC as libion opens it; exits on failure. */
int ion_open(void);
/* libion's ion_is_legacy(): ION_IOC_FREE of handle 0 gives ENOTTY only on the new ABI. */
bool ion_is_legacy(int ion);

/* ion_heap_data of every heap (malloc'ed, count in *n); NULL with errno set. */
struct ion_heap_data *ion_heaps(int ion, unsigned int *n);
/* The id of the heap called name, or -1. */
int ion_heap_id(int ion, const char *name);
/* What ion_test's heap_ids parameter says, in heap order system, system-contig, dma. */
void ion_param_heap_ids(unsigned int ids[3]);

/*
 * A dma-buf fd from either ABI (legacy: ALLOC, SHARE, FREE as libion's
 * ion_alloc_fd() does). 0, or -1 with errno.
 */
int ion_alloc_fd(int ion, bool legacy, uint64_t len, unsigned int mask,
		 unsigned int flags, int *fd);
/* Legacy ALLOC alone: 0 and *handle, or -1 with errno. */
int ion_legacy_alloc(int ion, size_t len, size_t align, unsigned int mask,
		     unsigned int flags, ion_user_handle_t *handle);
int ion_legacy_free(int ion, ion_user_handle_t handle);
int ion_legacy_share(int ion, unsigned long cmd, ion_user_handle_t handle, int *fd);
int ion_legacy_import(int ion, int fd, ion_user_handle_t *handle);

/* Live buffers of all heaps, from debugfs; -1 if unreadable. */
long ion_live_buffers(void);
/* Size of a dma-buf (its SEEK_END), or -1. */
long long dmabuf_size(int fd);
/* Reads a /sys/module/ion_test/parameters file into buf; false if absent. */
bool ion_param(const char *name, char *buf, size_t len);

/* vgem's primary node, found by driver name; exits the test if absent. */
int ion_vgem_open(void);

#endif
