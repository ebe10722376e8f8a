/* SPDX-License-Identifier: MIT */
/*
 * paths: liballoc-smaf on the real smaf.ko. The backend claims /dev/smaf
 * only; a vgem negotiation offers "smaf" (chosen) and "smaf-secure"
 * (refused, with a reason); the buffer is created unallocated, vgem's
 * import makes the kernel choose smaf-page (scattered); a 32-bit device
 * makes the backend force smaf-contig before any import, a 31-bit one is
 * refused with a reason; non-linear layouts are refused. 500 cycles of
 * negotiate, allocate, vgem import and free leave no fd and no SMAF buffer
 * behind (smaf.ko's debugfs counts them) and are timed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "guest-util.h"

static void check_device(struct la_context *ctx, struct la_device *smaf)
{
	struct la_device *dev = NULL, **list = NULL;
	size_t n = 0;
	bool listed = false;
	int ret;

	vm_check(!strcmp(la_device_get_backend(smaf), "smaf") &&
			 !strcmp(la_device_get_driver(smaf), "smaf"),
		 "/dev/smaf claimed by backend %s, driver %s", la_device_get_backend(smaf),
		 la_device_get_driver(smaf));
	ret = la_device_open(ctx, "/dev/null", &dev);
	vm_check(ret == -ENODEV, "/dev/null not claimed: %s (%s)", strerror(-ret),
		 la_last_diagnosis());
	la_device_unref(dev);
	ret = la_context_enumerate(ctx, &list, &n);
	for (size_t i = 0; ret == 0 && i < n; i++)
		listed |= !strcmp(la_device_get_node(list[i]), "/dev/smaf");
	vm_check(ret == 0 && listed, "enumeration lists /dev/smaf (%zu devices)", n);
	la_device_list_free(list, n);
}

/* vgem alone: the kernel picks the memory at vgem's import. */
static void check_deferred_vgem(struct la_context *ctx, struct la_device *smaf, int vgem)
{
	struct la_capset *set = gu_capset("vgem", "vgem", LA_USAGE_RENDER, LA_IMPORT_ANY, 0, 0);
	struct la_result *res = NULL;
	struct la_buffer *buf = NULL;
	struct la_descriptor d;
	struct la_import *w;
	uint32_t handle;
	uint64_t v;
	bool matched;
	uint8_t *px;
	int ret = gu_negotiate(ctx, GU_W, GU_H, &set, 1, &res);

	vm_check(ret == 0 && !strcmp(vm_best_path(res), "smaf"), "vgem: best path smaf (%s)",
		 vm_best_path(res));
	const char *why = gu_path_reason(res, "smaf-secure", &matched);
	vm_check(!matched && why[0], "vgem: smaf-secure refused: %s", why);
	ret = la_allocate(res, &buf);
	if (!vm_check(ret == 0, "allocate: %s (%s)", strerror(-ret), la_last_diagnosis()))
		goto out;
	la_buffer_get_descriptor(buf, &d);
	vm_check(!strcmp(la_buffer_get_path(buf), "smaf"), "buffer path %s", la_buffer_get_path(buf));
	vm_check(d.plane_count == 1 && d.planes[0].pitch == GU_W * 4 &&
			 lseek(d.planes[0].fd, 0, SEEK_END) == GU_W * GU_H * 4,
		 "descriptor: %u plane(s), pitch %llu, dma-buf %lld bytes", d.plane_count,
		 (unsigned long long)d.planes[0].pitch, (long long)lseek(d.planes[0].fd, 0, SEEK_END));
	vm_check(!(d.flags & (LA_BUFFER_CONTIGUOUS | LA_BUFFER_PROTECTED)),
		 "descriptor flags 0x%x: neither contiguous nor protected", d.flags);
	w = gu_watch(smaf, buf);
	vm_check(gu_prop(w, "smaf.allocated") == 0 && gu_prop(w, "smaf.forced") == 0 &&
			 gu_prop(w, "smaf.allocator=smaf-page") == 0 &&
			 gu_prop(w, "smaf.allocator=smaf-contig") == 0,
		 "created, not allocated, no allocator forced");
	ret = la_import_get_property(w, "smaf.allocator=no-such", &v);
	vm_check(ret == -ENOENT, "unknown allocator name: %s (%s)", strerror(-ret),
		 la_last_diagnosis());
	ret = la_import_get_property(w, "smaf.bogus", &v);
	vm_check(ret == -ENOENT, "unknown property: %s", strerror(-ret));

	ret = vm_vgem_import(vgem, d.planes[0].fd, &handle);
	if (vm_check(ret == 0, "vgem imports: %s", strerror(-ret))) {
		uint64_t seg = gu_prop(w, "smaf.segments");
		/* smaf-page promises no contiguity either way: the buddy allocator
		 * may hand out adjacent pages (seen once in an ASan boot), so one
		 * segment proves nothing wrong; what matters is who allocated */
		vm_check(gu_prop(w, "smaf.allocated") == 1 &&
				 gu_prop(w, "smaf.allocator=smaf-page") == 1 && seg >= 1,
			 "vgem's import allocated smaf-page memory in %llu segments",
			 (unsigned long long)seg);
		vm_vgem_close(vgem, handle);
	}
	ret = la_buffer_map(buf, 0, LA_MAP_WRITE, (void **)&px);
	if (vm_check(ret == 0, "map for writing: %s", strerror(-ret))) {
		for (size_t i = 0; i < (size_t)GU_W * GU_H * 4; i++)
			px[i] = (uint8_t)(i * 7);
		la_buffer_unmap(buf, 0);
	}
	ret = la_buffer_map(buf, 0, LA_MAP_READ, (void **)&px);
	if (vm_check(ret == 0, "map for reading: %s", strerror(-ret))) {
		size_t bad = 0;
		for (size_t i = 0; i < (size_t)GU_W * GU_H * 4; i++)
			bad += px[i] != (uint8_t)(i * 7);
		vm_check(bad == 0, "CPU pattern read back (%zu bytes differ)", bad);
		la_buffer_unmap(buf, 0);
	}
	la_import_destroy(w);
out:
	la_buffer_destroy(buf);
	la_result_destroy(res);
	la_capset_destroy(set);
}

/* A device limited to 32 address bits: smaf-contig forced at create. */
static void check_low_memory(struct la_context *ctx, struct la_device *smaf, int vgem)
{
	struct la_capset *set = gu_capset("dma32 device", "vgem", LA_USAGE_RENDER, LA_IMPORT_ANY,
					  0, 32);
	struct la_result *res = NULL;
	struct la_buffer *buf = NULL;
	struct la_descriptor d;
	uint32_t handle;
	int ret = gu_negotiate(ctx, GU_W, GU_H, &set, 1, &res);

	ret = ret ? ret : la_allocate(res, &buf);
	if (vm_check(ret == 0, "32-bit device: allocated: %s (%s)", strerror(-ret),
		     la_last_diagnosis())) {
		struct la_import *w = gu_watch(smaf, buf);
		la_buffer_get_descriptor(buf, &d);
		vm_check((d.flags & LA_BUFFER_CONTIGUOUS) && gu_prop(w, "smaf.forced") == 1 &&
				 gu_prop(w, "smaf.allocator=smaf-contig") == 1 &&
				 gu_prop(w, "smaf.allocated") == 0,
			 "32-bit device: smaf-contig forced before any import (flags 0x%x)", d.flags);
		if (vm_check(vm_vgem_import(vgem, d.planes[0].fd, &handle) == 0, "vgem imports it")) {
			vm_check(gu_prop(w, "smaf.segments") == 1, "one physically contiguous segment");
			vm_vgem_close(vgem, handle);
		}
		la_import_destroy(w);
	}
	la_buffer_destroy(buf);
	la_result_destroy(res);
	la_capset_destroy(set);

	set = gu_capset("dma31 device", "vgem", LA_USAGE_RENDER, LA_IMPORT_ANY, 0, 31);
	ret = gu_negotiate(ctx, GU_W, GU_H, &set, 1, &res);
	vm_check(gu_no_path(ret, res) && strstr(la_result_get_diagnosis(res), "below 4 GiB"),
		 "31-bit device: no path, diagnosis names the 4 GiB limit");
	la_result_destroy(res);
	la_capset_destroy(set);
}

static void check_linear_only(struct la_context *ctx)
{
	struct la_capset_info info = {.label = "tiled", .driver = "vgem", .backend = "test",
				      .usage = LA_USAGE_RENDER};
	/* I915_FORMAT_MOD_X_TILED: any non-linear explicit modifier */
	struct la_candidate c = {.format = GU_XRGB8888, .modifier = 0x0100000000000001ull};
	struct la_capset *set = vm_capset(&info, &c, 1);
	struct la_result *res = NULL;
	bool matched;
	int ret;

	ret = gu_negotiate(ctx, GU_W, GU_H, &set, 1, &res);
	const char *why = gu_path_reason(res, "smaf", &matched);
	vm_check(gu_no_path(ret, res) && !matched && strstr(why, "linear"),
		 "tiled modifier: smaf refused: %s", why);
	la_result_destroy(res);
	la_capset_destroy(set);
}

/* "live_buffers N" of smaf.ko's debugfs stats, -1 if unreadable. */
static long long live_buffers(void)
{
	FILE *f = fopen("/sys/kernel/debug/smaf/stats", "re");
	char line[256];
	long long v = -1;

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "live_buffers %lld", &v) == 1)
			break;
	if (f)
		fclose(f);
	return v;
}

static void check_cycles(struct la_context *ctx, int vgem)
{
	enum { N = 500 };
	struct la_capset *set = gu_capset("vgem", "vgem", LA_USAGE_RENDER, LA_IMPORT_ANY, 0, 0);
	long long live0 = live_buffers();
	int fds0 = tl_fd_count(), failed = 0;
	double t_neg = 0, t_alloc = 0, t0 = tl_now();

	for (int i = 0; i < N && !failed; i++) {
		struct la_result *res = NULL;
		struct la_buffer *buf = NULL;
		struct la_descriptor d;
		uint32_t handle;
		double t = tl_now();
		/* odd sizes: the kernel rounds to pages */
		int ret = vm_negotiate_sets(ctx, GU_XRGB8888, 64 + (uint32_t)i % 61,
					    48 + (uint32_t)i % 7, &set, 1, &res);
		t_neg += tl_now() - t;
		t = tl_now();
		ret = ret ? ret : la_allocate(res, &buf);
		t_alloc += tl_now() - t;
		if (ret == 0) {
			la_buffer_get_descriptor(buf, &d);
			ret = vm_vgem_import(vgem, d.planes[0].fd, &handle);
			if (ret == 0)
				vm_vgem_close(vgem, handle);
		}
		if (ret < 0) {
			vm_check(false, "cycle %d: %s (%s)", i, strerror(-ret), la_last_diagnosis());
			failed = 1;
		}
		la_buffer_destroy(buf);
		la_result_destroy(res);
	}
	vm_note("%d cycles in %.2f s: negotiation %.2f ms, la_allocate %.2f ms per cycle", N,
		tl_now() - t0, t_neg * 1e3 / N, t_alloc * 1e3 / N);
	vm_check(tl_fd_count() == fds0 && live_buffers() == live0,
		 "cycles leave no fd (%d, %d before) and no SMAF buffer (%lld live, %lld before)",
		 tl_fd_count(), fds0, live_buffers(), live0);
	la_capset_destroy(set);
}

int main(void)
{
	struct la_context *ctx = NULL;
	struct la_device *smaf = NULL;
	int vgem = vm_vgem_open();
	int fds0;

	smaf = gu_smaf_device(&ctx);
	check_device(ctx, smaf);
	fds0 = tl_fd_count();
	check_deferred_vgem(ctx, smaf, vgem);
	check_low_memory(ctx, smaf, vgem);
	check_linear_only(ctx);
	check_cycles(ctx, vgem);
	vm_check_fds(fds0, "paths");
	la_device_unref(smaf);
	la_context_destroy(ctx);
	close(vgem);
	return vm_exit_status();
}
