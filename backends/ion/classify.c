/* SPDX-License-Identifier: MIT */
/*
 * What each heap gives and how it ranks. The kernel tells us a dma-heap's
 * name and an ION heap's type, nothing else, so the memory's properties
 * come from what the drivers behind those names do (the kernel's
 * drivers/dma-buf/heaps/, udmabuf.c and the ION heap types of
 * kernel/ion/uapi/ion.h; README.md, "Classification"). Ranks (higher wins,
 * see README.md):
 *
 *   500 dma-heap system          scattered, cached: the default
 *   480 dma-heap system-uncached
 *   470 udmabuf                  (+40 when the CPU writes and no device does)
 *   470 dma-heap *-dma32
 *   450 ion system               (ION only exists where dma-heaps do not)
 *   400 dma-heap CMA             contiguous memory is scarce: only when needed
 *   390 ion system-contig, 370 ion carveout, 350 ion dma (low memory)
 *   300 ion chunk
 *   100 unknown heaps            only if nothing else fits, or named by the caller
 *
 * Uncached variants rank 10 below their cached twin. Paths whose CPU maps
 * are write-combined lose 100 when the CPU reads (uncached reads are an order
 * of magnitude slower) and gain 15 when no CPU touches the buffer (no cache
 * maintenance at every device map on non-coherent SoCs).
 */
#include <stdio.h>
#include <string.h>

#include "heap.h"
#include "../../kernel/ion/uapi/ion.h"

#define DEVICE_WRITES (LA_USAGE_CAPTURE | LA_USAGE_DECODE | LA_USAGE_RENDER)
#define CPU_READS (LA_USAGE_CPU_READ | LA_USAGE_CPU_READ_OFTEN)
#define CPU_ANY (CPU_READS | LA_USAGE_CPU_WRITE)

/* Names the default CMA area has had (dma-buf-heaps.rst: "Prior to Linux
 * 6.17, its name wasn't stable ..."), plus vendor "*cma*" heaps. */
static bool is_cma_name(const char *n)
{
	static const char *const names[] = {"default_cma_region", "linux,cma", "reserved",
					    "default-pool"};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(n, names[i]) == 0)
			return true;
	return strstr(n, "cma") != NULL;
}

void classify_dma_heap(const char *n, struct heap_class *c)
{
	bool uncached = strstr(n, "uncached") != NULL;

	*c = (struct heap_class){.flags = LA_PATH_LINEAR_ONLY,
				 .caching = uncached ? LA_CACHING_WRITECOMBINE : LA_CACHING_CACHED};
	if (is_cma_name(n)) {
		c->flags |= LA_PATH_CONTIGUOUS;
		c->is_cma = true;
		c->rank = uncached ? 390 : 400;
		c->why = "CMA heap: physically contiguous (drivers/dma-buf/heaps/cma_heap.c)";
	} else if (strncmp(n, "system", 6) == 0 && strstr(n, "dma32")) {
		/* Android/vendor heaps allocating with GFP_DMA32 */
		c->dma_addr_bits = 32;
		c->rank = uncached ? 460 : 470;
		c->why = "system heap limited to ZONE_DMA32: scattered pages below 4 GiB";
	} else if (strcmp(n, "system") == 0 || strcmp(n, "system-uncached") == 0) {
		c->rank = uncached ? 480 : 500;
		c->why = uncached ? "system heap, write-combined: scattered pages"
				  : "mainline system heap: scattered pages, cached "
				    "(drivers/dma-buf/heaps/system_heap.c)";
	} else {
		/* Could be secure or carved out: claim nothing we do not know. */
		c->caching = uncached ? LA_CACHING_WRITECOMBINE : 0;
		c->rank = 100;
		c->why = "unknown heap: assumed scattered, ranked low (name it to use it)";
	}
}

void classify_ion(uint32_t type, bool cached, struct heap_class *c)
{
	*c = (struct heap_class){.flags = LA_PATH_LINEAR_ONLY,
				 .caching = cached ? LA_CACHING_CACHED : LA_CACHING_WRITECOMBINE};
	switch (type) {
	case ION_HEAP_TYPE_SYSTEM:
		c->rank = 450;
		c->why = "ION system heap: scattered pages";
		break;
	case ION_HEAP_TYPE_SYSTEM_CONTIG:
		c->flags |= LA_PATH_CONTIGUOUS;
		c->rank = 390;
		c->why = "ION system-contig heap: one physically contiguous page block";
		break;
	case ION_HEAP_TYPE_CARVEOUT:
		c->flags |= LA_PATH_CONTIGUOUS;
		c->rank = 370;
		c->why = "ION carveout heap: physically contiguous, from a reserved region";
		break;
	case ION_HEAP_TYPE_CHUNK:
		/* chunks of a reserved pool, not adjacent to each other */
		c->rank = 300;
		c->why = "ION chunk heap: contiguous chunks, not one contiguous buffer";
		break;
	case ION_HEAP_TYPE_DMA:
		/*
		 * dma_alloc_coherent()/CMA for the ION device: contiguous, and
		 * within a 32-bit DMA mask (the default CMA area and ION's
		 * device mask on the boards that had ION; ion_test.ko too).
		 */
		c->flags |= LA_PATH_CONTIGUOUS;
		c->dma_addr_bits = 32;
		c->rank = 350;
		c->why = "ION DMA heap: physically contiguous, below 4 GiB (DMA API / CMA)";
		break;
	default:
		c->rank = 100;
		c->why = "ION custom heap type: assumed scattered, ranked low";
		break;
	}
	if (!cached)
		c->rank -= 10;
}

void classify_udmabuf(struct heap_class *c)
{
	*c = (struct heap_class){
		.flags = LA_PATH_LINEAR_ONLY,
		.caching = LA_CACHING_CACHED,
		.rank = 470,
		.why = "udmabuf: shmem (memfd) pages, scattered, cached; CPU-friendly",
	};
}

int rank_for_usage(const struct heap *h, uint64_t usage, int rank, char *note, size_t len)
{
	const char *adj = "";
	int delta = 0;

	if (h->cls.caching & (LA_CACHING_WRITECOMBINE | LA_CACHING_UNCACHED)) {
		if (usage & CPU_READS) {
			delta -= 100;
			adj = ", -100: the CPU reads write-combined memory";
		} else if (!(usage & CPU_ANY)) {
			delta += 15;
			adj = ", +15: no CPU access, no cache maintenance";
		}
	}
	/*
	 * udmabuf memory is ordinary page cache: the cheapest memory for a CPU
	 * producer. When a device writes, the system heap (no size limit, no
	 * shmem accounting) stays first.
	 */
	if (h->kind == HEAP_UDMABUF && (usage & LA_USAGE_CPU_WRITE) && !(usage & DEVICE_WRITES)) {
		delta += 40;
		adj = ", +40: the CPU writes and no device does";
	}
	snprintf(note, len, "%s (base rank %d%s)", h->cls.why, h->cls.rank, adj);
	return rank + delta;
}

const char *caching_name(uint32_t caching)
{
	switch (caching) {
	case LA_CACHING_CACHED:
		return "cached";
	case LA_CACHING_WRITECOMBINE:
		return "write-combined";
	case LA_CACHING_UNCACHED:
		return "uncached";
	default:
		return "caching unknown";
	}
}
