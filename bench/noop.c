/* SPDX-License-Identifier: MIT */
/*
 * The start-up baseline of bench/libcost: a process that links only libc,
 * reports its resident set and exits. What liballoc adds is measured
 * against this.
 */
#include <stdio.h>

#include "testlib.h"

int main(void)
{
	printf("rss_main_kib %ld\n", tl_rss_kib());
	return 0;
}
