/* SPDX-License-Identifier: MIT */
/* Open file descriptors of this process, for the examples' --check-leaks:
 * a clean exit must leave exactly those it started with. */
#ifndef EXAMPLES_FDCOUNT_H
#define EXAMPLES_FDCOUNT_H

/* Entries of /proc/self/fd, or -1 if it cannot be read. */
int fd_count(void);

#endif
