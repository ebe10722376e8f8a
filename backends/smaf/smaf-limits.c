/* SPDX-License-Identifier: MIT */
/*
 * How big a block smaf-contig can give. It calls dma_alloc_attrs() on its
 * own device (kernel/smaf/smaf-contig.c): from CMA when the kernel has CMA,
 * else from the buddy allocator, whose largest block is
 * PAGE_SIZE << MAX_PAGE_ORDER (4 MiB on x86-64). Knowing this before
 * allocating lets the negotiation say "too big for contiguous memory"
 * instead of the first import failing with ENOMEM.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "smaf-backend.h"

/* CmaTotal in bytes; 0 when the kernel has no CMA (no such line). */
static uint64_t cma_total(void)
{
	char line[128];
	unsigned long long kib = 0;
	FILE *f = fopen("/proc/meminfo", "re");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "CmaTotal: %llu kB", &kib) == 1)
			break;
	fclose(f);
	return (uint64_t)kib * 1024;
}

/*
 * /proc/buddyinfo prints one free-block count per order, 0..MAX_PAGE_ORDER
 * (mm/vmstat.c, frag_show_print), so the column count gives the largest
 * order without a kernel header. -1 if unreadable.
 */
static int max_page_order(void)
{
	char line[512];
	int orders = -1;
	FILE *f = fopen("/proc/buddyinfo", "re");

	if (!f)
		return -1;
	if (fgets(line, sizeof(line), f)) {
		char *p = strstr(line, "zone");
		int n = 0;
		/* "Node 0, zone   DMA32   2 3 0 ..." */
		if (p && sscanf(p, "zone %*s%n", &n) >= 0 && n > 0) {
			p += n;
			orders = 0;
			for (char *tok = strtok(p, " \t\n"); tok; tok = strtok(NULL, " \t\n"))
				orders++;
		}
	}
	fclose(f);
	return orders > 0 ? orders - 1 : -1;
}

uint64_t smaf_contig_limit(char *why, size_t len)
{
	uint64_t cma = cma_total();
	long page = sysconf(_SC_PAGESIZE);
	int order;

	if (cma) {
		snprintf(why, len, "the kernel's CMA area (CmaTotal %" PRIu64 " KiB)", cma / 1024);
		return cma;
	}
	order = max_page_order();
	if (order < 0) {
		/* MAX_PAGE_ORDER is 10 on every architecture's default config */
		order = 10;
		snprintf(why, len, "no CMA; assumed buddy limit of order %d", order);
	} else {
		snprintf(why, len, "no CMA in this kernel, buddy allocator blocks of order <= %d",
			 order);
	}
	return (uint64_t)(page > 0 ? page : 4096) << order;
}
