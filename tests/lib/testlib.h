/* SPDX-License-Identifier: MIT */
/*
 * Helpers of every test program, on the host and in the test guest (unit
 * tests, guest programs, kernel module tests, benchmarks): one
 * implementation each, plain libc. Guest-only helpers (checks printed for
 * vm-run, DRM and V4L2 devices by driver) are in vmtest.h.
 */
#ifndef LIBALLOC_TESTLIB_H
#define LIBALLOC_TESTLIB_H

#include <stddef.h>
#include <stdint.h>

/*
 * Open fds of this process (entries of /proc/self/fd but its own). Exits
 * the program with status 1 if /proc/self/fd cannot be read: callers
 * compare two counts, and two failures would compare equal.
 */
int tl_fd_count(void);

/* ioctl() retried on EINTR: its result (>= 0) or -errno (errno is set too). */
int tl_xioctl(int fd, unsigned long req, void *arg);
/* DMA_BUF_IOCTL_SYNC with flags (DMA_BUF_SYNC_*): 0 or -errno. */
int tl_dmabuf_sync(int dmabuf, uint64_t flags);

/* Resident set of this process in KiB (/proc/self/statm), -1 if unknown. */
long tl_rss_kib(void);
/* Live dma-bufs in the whole system ("Total N objects" of
 * /sys/kernel/debug/dma_buf/bufinfo), -1 if unknown. */
long tl_dmabuf_count(void);
/* A numeric module parameter (tl_module_param), -1 if unreadable. */
long tl_module_param_long(const char *module, const char *name);
/* A /proc/meminfo field ("MemAvailable", "Slab", ...) in KiB, -1 if absent. */
long long tl_meminfo_kib(const char *key);
/* The same, once two reads 20 ms apart differ by less than tolerance_kib
 * (at most 0.5 s): for comparisons that deferred kernel frees would skew. */
long long tl_meminfo_settled_kib(const char *key, long long tolerance_kib);

/*
 * The kernel log from now on: an fd of /dev/kmsg placed at its end, or
 * -errno. tl_klog_count() reads every record logged since the open (or the
 * previous count) and returns how many contain needle ("" counts all), or
 * -errno. Unlike counting in the whole ring buffer, a wrapped log cannot
 * change the answer. Close the fd with close().
 */
int tl_klog_open(void);
int tl_klog_count(int klog, const char *needle);

/* /sys/module/MODULE/parameters/NAME into buf, without its newline: 0 or
 * -errno (-ENOENT: no such module or parameter). */
int tl_module_param(const char *module, const char *name, char *buf, size_t len);
/* Writes val to that file (a parameter writable at run time): 0 or -errno. */
int tl_module_param_write(const char *module, const char *name, const char *val);

/* A dma-buf of len bytes from /dev/dma_heap/system (O_RDWR | O_CLOEXEC), or -errno. */
int tl_heap_alloc(uint64_t len);

/* A whole file, malloc'ed with a NUL after its *size bytes (so that text is
 * a string); NULL with errno set. */
void *tl_read_file(const char *path, size_t *size);

/*
 * Replays the fuzz seeds of dir through load (0 or -errno): seeds named
 * valid-* must load, every other must be refused with -EINVAL, and there
 * must be at least min_valid and min_invalid of each. 0, or 1 with what
 * went wrong in err (the first seed that did otherwise, or the counts), or
 * -errno if dir or a seed cannot be read.
 */
int tl_check_seeds(const char *dir, int (*load)(const void *data, size_t size), int min_valid,
		   int min_invalid, char *err, size_t len);

/* CLOCK_MONOTONIC in seconds. */
double tl_now(void);

#endif
