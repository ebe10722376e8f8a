/* SPDX-License-Identifier: MIT */
/* Small readers of /proc and /sys the heaps' limits come from. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "figures.h"
#include "heap.h"
#include "../../kernel/ion/uapi/ion.h"

/* A small /proc or /sys file into buf (NUL-terminated); false if unreadable. */
static bool read_text(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t n = 0;
	ssize_t r;

	if (fd < 0)
		return false;
	/* /proc/meminfo comes in one read; loop for a file that does not */
	while (n + 1 < len && (r = read(fd, buf + n, len - 1 - n)) > 0)
		n += (size_t)r;
	close(fd);
	buf[n] = '\0';
	return n > 0;
}

bool meminfo_text(char *buf, size_t len)
{
	return read_text("/proc/meminfo", buf, len);
}

/* "CmaTotal:  65536 kB" -> bytes. Absent field (kernel without CMA): false. */
bool meminfo_read(const char *field, uint64_t *bytes)
{
	char text[8192];

	return meminfo_text(text, sizeof(text)) && meminfo_parse(text, field, bytes);
}

bool sysfs_read_u64(const char *path, uint64_t *value)
{
	char text[32], *end;
	unsigned long long v;

	if (!read_text(path, text, sizeof(text)) || text[0] < '0' || text[0] > '9')
		return false;
	errno = 0;
	v = strtoull(text, &end, 10);
	if (errno || (*end && *end != '\n'))
		return false;
	*value = v;
	return true;
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
