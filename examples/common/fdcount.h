/* SPDX-License-Identifier: MIT */
/* Open file descriptors of this process, for the examples' --check-leaks:
 * a clean exit must leave exactly those it started with. The tests have
 * the same helper (tests/lib/testlib.h: tl_fd_count); the examples keep
 * their own so that they build and read without the test tree. */
#ifndef EXAMPLES_FDCOUNT_H
#define EXAMPLES_FDCOUNT_H

/* Entries of /proc/self/fd, or -1 if it cannot be read. */
int fd_count(void);

#endif
