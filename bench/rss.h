/* SPDX-License-Identifier: MIT */
#ifndef BENCH_RSS_H
#define BENCH_RSS_H

/* Resident set of this process in KiB (/proc/self/statm), -1 if unknown. */
long bench_rss_kib(void);

#endif
