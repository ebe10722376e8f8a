/* SPDX-License-Identifier: MIT */
/*
 * The start-up baseline of bench/libcost: a process that links only libc,
 * reports its resident set and exits. What liballoc adds is measured
 * against this.
 */
#include <stdio.h>

#include "rss.h"

int main(void)
{
	printf("rss_main_kib %ld\n", bench_rss_kib());
	return 0;
}
