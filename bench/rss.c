/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <unistd.h>

#include "rss.h"

long bench_rss_kib(void)
{
	FILE *f = fopen("/proc/self/statm", "re");
	long size, resident = -1;

	if (!f)
		return -1;
	if (fscanf(f, "%ld %ld", &size, &resident) != 2)
		resident = -1;
	fclose(f);
	return resident < 0 ? -1 : resident * (sysconf(_SC_PAGESIZE) / 1024);
}
