/* SPDX-License-Identifier: MIT */
/* Small readers of /proc and /sys the heaps' limits come from. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "figures.h"
#include "heap.h"
#include "../../kernel/ion/uapi/ion.h"

/* "CmaTotal:  65536 kB" -> bytes. Absent field (kernel without CMA): false. */
bool meminfo_read(const char *field, uint64_t *bytes)
{
	char text[8192];
	FILE *f = fopen("/proc/meminfo", "re");
	size_t n;

	if (!f)
		return false;
	n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = '\0';
	return meminfo_parse(text, field, bytes);
}

bool sysfs_read_u64(const char *path, uint64_t *value)
{
	FILE *f = fopen(path, "re");
	bool ok;

	if (!f)
		return false;
	ok = fscanf(f, "%" SCNu64, value) == 1;
	fclose(f);
	return ok;
}

const char *human_size(uint64_t b, char *buf, size_t len)
{
	if (b >= (UINT64_C(1) << 30) && b % (UINT64_C(1) << 20) == 0)
		snprintf(buf, len, "%.1f GiB", (double)b / (1 << 30));
	else if (b >= (UINT64_C(1) << 20) && b % 1024 == 0)
		snprintf(buf, len, "%.1f MiB", (double)b / (1 << 20));
	else
		snprintf(buf, len, "%" PRIu64 " bytes", b);
	return buf;
}

bool page_round(const struct ion_backend *be, uint64_t len, uint64_t *out)
{
	uint64_t mask = be->page_size - 1;

	if (len == 0 || len > UINT64_MAX - mask)
		return false;
	*out = (len + mask) & ~mask;
	return true;
}

#define ION_TEST_PARAMS "/sys/module/ion_test/parameters/"

/*
 * Where the figures of a contiguous heap come from: ion_test's budget for
 * its dma heap (the test module's CmaTotal/CmaFree), /proc/meminfo for CMA
 * (dma-heaps, and the ION DMA heap of the boards that had ION, which took
 * the default CMA area). The buddy allocator and carveouts publish none.
 */
static void contig_figures_read(const struct ion_backend *be, const struct heap *h,
				struct contig_figures *f)
{
	uint64_t budget, used, cma_free;
	bool ion_dma = h->kind == HEAP_ION && h->ion_type == ION_HEAP_TYPE_DMA;

	f->source = "the kernel publishes no figures for this heap";
	/* system-contig: one buddy block, at most of the kernel's largest page order */
	f->grow = "more free memory in large blocks (one buddy block per buffer, at most of the "
		  "largest page order)";
	if (ion_dma && sysfs_read_u64(ION_TEST_PARAMS "dma_budget", &budget) && budget &&
	    sysfs_read_u64(ION_TEST_PARAMS "dma_used", &used)) {
		f->known = true;
		f->total = budget;
		f->free = used < budget ? budget - used : 0;
		f->source = "ion_test's dma_budget minus dma_used in " ION_TEST_PARAMS;
		f->grow = "a bigger contiguous area (load ion_test with a larger dma_budget)";
	} else if ((h->cls.is_cma || ion_dma) && be->have_cma_total) {
		f->known = meminfo_read("CmaFree", &cma_free);
		f->total = be->cma_total;
		f->free = cma_free;
		f->source = f->known ? "CmaFree of CmaTotal in /proc/meminfo"
				     : "no CmaFree in /proc/meminfo";
		f->grow = "a bigger contiguous area (cma=<size> on the kernel command line)";
	} else if (h->kind == HEAP_ION && h->ion_type == ION_HEAP_TYPE_CARVEOUT) {
		f->grow = "a bigger carveout (reserved by the board's device tree)";
	} else if (h->cls.is_cma || ion_dma) {
		f->source = "no CmaTotal in /proc/meminfo";
		f->grow = "a bigger contiguous area (cma=<size> on the kernel command line)";
	}
}

const char *contig_enomem_text(const struct ion_backend *be, const struct heap *h, uint64_t len,
			       char *out, size_t out_len)
{
	struct contig_figures f = {.heap = h->name, .asked = len};

	contig_figures_read(be, h, &f);
	return contig_figures_text(&f, out, out_len);
}
