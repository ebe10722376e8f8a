/* SPDX-License-Identifier: MIT */
/*
 * Contiguous memory that runs out, through the real backend: ion_test's dma
 * heap with a budget (dma_budget, the test module's CmaTotal) serves a
 * device that imports only contiguous memory below 4 GiB. A set of buffers
 * that does not fit fails all or none with ENOMEM, and the diagnosis has
 * the heap, the bytes asked, free and total, that the memory must be
 * contiguous, the fix, and which device demanded contiguity and why; the
 * budget's used bytes, open fds and live dma-bufs are back where they were.
 * A set that fits then succeeds.
 *
 * Needs: ion_test.ko loaded with dma_budget=8M (the boot ion-backend-modern)
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"

#define PARAMS "/sys/module/ion_test/parameters/"
#define MAX_SET 64
#define W 1024
#define H 1024

static uint64_t param(const char *name)
{
	char buf[64];

	if (tl_module_param("ion_test", name, buf, sizeof(buf)) != 0)
		vm_fatal("ion_test parameter %s unreadable", name);
	return strtoull(buf, NULL, 10);
}

static uint64_t buffer_bytes(struct la_buffer *buf)
{
	struct la_descriptor d;

	la_buffer_get_descriptor(buf, &d);
	return (uint64_t)lseek(d.planes[0].fd, 0, SEEK_END);
}

static const char *bytes(uint64_t b, char *out, size_t len)
{
	if (b >= (UINT64_C(1) << 20))
		snprintf(out, len, "%" PRIu64 " bytes (%.1f MiB)", b, (double)b / (1 << 20));
	else
		snprintf(out, len, "%" PRIu64 " bytes", b);
	return out;
}

/*
 * The set that overflows the budget by one buffer, then the one that fits.
 * demand: what the diagnosis must say about who required contiguity.
 */
static void exhaust(struct la_context *ctx, struct la_capset **sets, size_t n,
		    const char *what, const char *demand)
{
	struct la_buffer *bufs[MAX_SET + 1] = {0}, *one = NULL;
	struct la_result *res = NULL;
	uint64_t budget = param("dma_budget"), used0 = param("dma_used"), size;
	char asked[48], total[48], expect[512];

	int ret = test_negotiate(ctx, FMT_R8, W, H, sets, n, &res);
	const char *path = ret == 0 ? vm_best_path(res) : "";
	if (!vm_check(ret == 0 && !strncmp(path, "ion:dma", 7), "%s: the ION dma heap serves it "
		      "(best %s)", what, path))
		goto out;
	ret = la_allocate(res, &one);
	if (!vm_check(ret == 0, "%s: one buffer: %s", what, ret ? la_last_diagnosis() : "ok"))
		goto out;
	size = buffer_bytes(one);
	la_buffer_destroy(one);
	size_t fit = (size_t)((budget - used0) / size);
	if (!vm_check(fit >= 1 && fit < MAX_SET && param("dma_used") == used0,
		      "%s: %zu buffers of %" PRIu64 " bytes fit in the budget of %" PRIu64, what, fit,
		      size, budget))
		goto out;

	int fds = tl_fd_count();
	long dmabufs = dmabuf_count(), live = ion_live_buffers();
	ret = la_allocate_set(res, bufs, fit + 1);
	const char *d = la_last_diagnosis();
	vm_note("%s: %s", what, d);
	bool none = true;
	for (size_t i = 0; i <= fit; i++)
		none &= bufs[i] == NULL;
	vm_check(ret == -ENOMEM && none, "%s: %zu buffers: all or none, ENOMEM (%s)", what, fit + 1,
		 strerror(-ret));
	snprintf(expect, sizeof(expect), "buffer %zu of %zu", fit + 1, fit + 1);
	vm_check(strstr(d, expect) != NULL, "%s: the diagnosis names the buffer: %s", what, expect);
	snprintf(expect, sizeof(expect),
		 "out of contiguous memory: %s must give physically contiguous memory; asked %s, "
		 "free %" PRIu64 " bytes of %s (ion_test's dma_budget minus dma_used in " PARAMS
		 "); fix: smaller buffers, fewer buffers, or a bigger contiguous area (load "
		 "ion_test with a larger dma_budget)",
		 path, bytes(size, asked, sizeof(asked)), budget - used0 - fit * size,
		 bytes(budget, total, sizeof(total)));
	vm_check(strstr(d, expect) != NULL, "%s: the figures: %s", what, expect);
	vm_check(strstr(d, demand) != NULL, "%s: who demands contiguity: %s", what, demand);
	vm_check(param("dma_used") == used0, "%s: dma_used back to %" PRIu64 " (%" PRIu64 ")", what,
		 used0, param("dma_used"));
	vm_check(dmabufs >= 0 && live >= 0 && dmabuf_count() == dmabufs &&
			 ion_live_buffers() == live,
		 "%s: no dma-buf nor ION buffer left (%ld/%ld, %ld/%ld)", what, dmabuf_count(), dmabufs,
		 ion_live_buffers(), live);
	vm_check_fds(fds, "the failed set");

	ret = la_allocate_set(res, bufs, fit);
	vm_check(ret == 0 && param("dma_used") == used0 + fit * size,
		 "%s: %zu buffers fit: %s, dma_used %" PRIu64, what, fit,
		 ret ? la_last_diagnosis() : "ok", param("dma_used"));
	if (ret == 0) {
		ret = la_allocate(res, &one);
		vm_check(ret == -ENOMEM && strstr(la_last_diagnosis(), "free 0 bytes of"),
			 "%s: one more alone: ENOMEM, free 0 bytes: %s", what, la_last_diagnosis());
		la_buffer_destroy(one);
		for (size_t i = 0; i < fit; i++)
			la_buffer_destroy(bufs[i]);
	}
	vm_check(param("dma_used") == used0, "%s: all destroyed, dma_used %" PRIu64, what,
		 param("dma_used"));
	vm_check_fds(fds, "the sets");
out:
	la_result_destroy(res);
}

int main(void)
{
	struct la_context *ctx = test_context();
	struct la_constraints dma32 = {.dma_addr_bits = 32};
	struct la_constraints contig32 = {.dma_addr_bits = 32, .flags = LA_CONSTRAINT_CONTIGUOUS};
	uint32_t fmt = FMT_R8;

	if (param("dma_budget") == 0)
		vm_fatal("ion_test has no dma_budget: load it with dma_budget=8M");
	/* vivid on videobuf2-dma-contig behind a 32-bit DMA limit: only ion:dma fits */
	struct la_capset *by_rule[1] = {test_set("vivid (dma-contig)", "vivid", LA_USAGE_CAPTURE,
						 LA_IMPORT_CONTIGUOUS,
						 "videobuf2-dma-contig without IOMMU", &fmt, 1,
						 &dma32)};
	struct la_capset *by_constraint[1] = {test_vgem_set(LA_USAGE_SAMPLE, fmt, &contig32)};

	exhaust(ctx, by_rule, 1, "import rule",
		"; contiguous memory is required by vivid (dma-contig), which imports only "
		"contiguous memory (videobuf2-dma-contig without IOMMU)");
	exhaust(ctx, by_constraint, 1, "constraint",
		"; contiguous memory is required by vgem, whose capability set requires it "
		"(constraint 'contiguous')");
	la_capset_destroy(by_rule[0]);
	la_capset_destroy(by_constraint[0]);
	la_context_destroy(ctx);
	return vm_exit_status();
}
