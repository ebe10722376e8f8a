/* SPDX-License-Identifier: MIT */
/*
 * 1000 allocate/free cycles of 64 KiB on every usable scattered path:
 * open fds, live dma-bufs (debugfs), live ION buffers and the system's
 * available memory must not grow. Prints the time per cycle.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common.h"

#define CYCLES 1000

static uint64_t mem_available(void)
{
	FILE *f = fopen("/proc/meminfo", "re");
	char line[128];
	unsigned long long kb = 0;

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "MemAvailable: %llu kB", &kb) == 1)
			break;
	if (f)
		fclose(f);
	return kb * 1024;
}

/*
 * Available memory lost since avail, less what this process's own resident
 * set grew by: its heap is not a buffer leak, and under ASan the quarantine
 * of freed blocks alone grows by tens of MiB in 1000 cycles.
 */
static int64_t lost_outside(uint64_t avail, long rss_kib)
{
	int64_t grown = ((int64_t)tl_rss_kib() - rss_kib) * 1024;

	return (int64_t)avail - (int64_t)mem_available() - (grown > 0 ? grown : 0);
}

static void cycle_path(struct la_result *res, const char *path)
{
	int fds = tl_fd_count();
	long bufs = dmabuf_count(), live = ion_live_buffers();
	uint64_t avail = mem_available();
	long rss = tl_rss_kib();
	double t = tl_now();
	int failed = 0;

	for (int i = 0; i < CYCLES && !failed; i++) {
		struct la_buffer *buf;
		if (la_allocate_with_path(res, path, &buf) != 0) {
			vm_check(false, "%s: cycle %d: %s", path, i, la_last_diagnosis());
			failed = 1;
		}
		la_buffer_destroy(buf);
	}
	t = tl_now() - t;
	vm_note("%s: %d x 64 KiB allocate + free in %.3f s (%.1f us each)", path, CYCLES, t,
		t * 1e6 / CYCLES);
	vm_check_fds(fds, path);
	vm_check(dmabuf_count() == bufs, "%s: live dma-bufs %ld after, %ld before", path,
		 dmabuf_count(), bufs);
	vm_check(ion_live_buffers() == live, "%s: live ION buffers %ld after, %ld before", path,
		 ion_live_buffers(), live);
	/*
	 * 1000 x 64 KiB leaked would be 64 MiB; allow noise of the page cache.
	 * Memory some heaps give back late (ion_test's write-combined
	 * contiguous pages) gets 5 s to come back; a leak stays lost.
	 */
	int64_t lost = lost_outside(avail, rss);
	double waited = tl_now();
	for (int i = 0; i < 50 && lost >= (16 << 20); i++) {
		usleep(100000);
		lost = lost_outside(avail, rss);
	}
	waited = tl_now() - waited;
	vm_check(lost < (16 << 20), "%s: available memory changed by %lld KiB outside this process%s", path,
		 (long long)(lost / 1024), waited > 0.05 ? " (after waiting for late frees)" : "");
	if (waited > 0.05)
		vm_note("%s: memory came back %.2f s after the last free", path, waited);
}

int main(void)
{
	struct la_context *ctx = test_context();
	struct la_capset *sets[1] = {test_vgem_set(LA_USAGE_SAMPLE, FMT_XRGB, NULL)};
	struct la_result *res = NULL;
	size_t n = 0;

	/* 128 x 128 XRGB8888 = 64 KiB */
	if (test_negotiate(ctx, FMT_XRGB, 128, 128, sets, 1, &res) != 0)
		vm_fatal("negotiation: %s", la_last_diagnosis());
	for (size_t i = 0; i < la_result_get_path_count(res); i++) {
		struct la_path_info p;
		char name[96];
		la_result_get_path(res, i, &p);
		if (!p.matched)
			continue;
		snprintf(name, sizeof(name), "%s", p.name);
		cycle_path(res, name);
		n++;
	}
	vm_check(n >= 2, "%zu paths cycled", n);
	la_result_destroy(res);
	la_capset_destroy(sets[0]);
	la_context_destroy(ctx);
	return vm_exit_status();
}
