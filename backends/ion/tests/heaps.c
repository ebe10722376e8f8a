/* SPDX-License-Identifier: MIT */
/*
 * Every heap the kernel has is enumerated and offered as a path, classified
 * as its driver allocates: dma-heaps by name, ION heaps by the type in
 * ion_test's debugfs (an independent source from the backend's ioctls); the
 * ION ABI the backend detected is the one the module was loaded with; the
 * debug trace says how each heap was classified and ranked.
 *
 * Usage: ion-backend-heaps [--ion]   (--ion: ion_test.ko must be loaded)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"

static void check_enumeration(struct la_context *ctx, bool want_ion)
{
	char names[32][64], path[128];
	size_t n = dma_heap_names(names, 32), count = 0;
	struct la_device **devs;

	if (!vm_check(la_context_enumerate(ctx, &devs, &count) == 0, "la_context_enumerate"))
		return;
	for (size_t i = 0; i < n; i++) {
		bool seen = false;
		snprintf(path, sizeof(path), "/dev/dma_heap/%s", names[i]);
		for (size_t d = 0; d < count; d++)
			seen |= strcmp(la_device_get_node(devs[d]), path) == 0 &&
				strcmp(la_device_get_backend(devs[d]), "ion") == 0 &&
				strcmp(la_device_get_driver(devs[d]), "dma-heap") == 0;
		vm_check(seen, "%s enumerated as a dma-heap device of backend ion", path);
	}
	const char *nodes[] = {"/dev/udmabuf", "/dev/ion"};
	for (size_t k = 0; k < 2; k++) {
		bool seen = false;
		for (size_t d = 0; d < count; d++)
			seen |= strcmp(la_device_get_node(devs[d]), nodes[k]) == 0;
		vm_check(seen == have_node(nodes[k]), "%s %s", nodes[k],
			 have_node(nodes[k]) ? "enumerated" : "absent and not enumerated");
	}
	vm_check(have_node("/dev/ion") == want_ion, "/dev/ion %s", want_ion ? "present" : "absent");
	/* A heap node is memory, not a participant: no capabilities. */
	for (size_t d = 0; d < count; d++) {
		struct la_capset *set = NULL;
		struct la_assertion a = {.width = 16, .height = 16};
		if (strcmp(la_device_get_backend(devs[d]), "ion") != 0)
			continue;
		vm_check(la_device_get_capabilities(devs[d], LA_USAGE_RENDER, &a, &set) == -ENOTSUP,
			 "%s takes part in no negotiation (-ENOTSUP)", la_device_get_label(devs[d]));
		la_capset_destroy(set);
	}
	la_device_list_free(devs, count);
}

static void check_path(const struct la_result *res, const char *name, bool contiguous,
		       uint32_t caching, const char *why)
{
	struct la_path_info p;
	if (!vm_check(vm_find_path(res, name, &p), "path %s offered (%s)", name, why))
		return;
	vm_check(p.contiguous == contiguous && p.caching == caching && !p.is_device_memory &&
			 strcmp(p.backend, "ion") == 0,
		 "%s classified %s, caching 0x%x (want %s, 0x%x)", name,
		 p.contiguous ? "contiguous" : "scattered", p.caching,
		 contiguous ? "contiguous" : "scattered", caching);
}

static void check_dma_heaps(const struct la_result *res)
{
	char names[32][64], path[96], trace[160];
	size_t n = dma_heap_names(names, 32);
	bool cma = false;

	vm_check(n > 0, "the kernel has %zu dma-heap(s)", n);
	for (size_t i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "dma-heap:%s", names[i]);
		if (strcmp(names[i], "system") == 0) {
			/* system_heap.c: order-0..8 pages, cached */
			check_path(res, path, false, LA_CACHING_CACHED, "system heap");
			snprintf(trace, sizeof(trace), "%s: scattered, cached", path);
			vm_check(test_log_has(trace), "trace shows '%s ... rank'", trace);
		} else if (strstr(names[i], "cma") || !strcmp(names[i], "reserved")) {
			check_path(res, path, true, LA_CACHING_CACHED, "CMA heap");
			cma = true;
		} else {
			struct la_path_info p;
			vm_check(vm_find_path(res, path, &p), "path %s offered", path);
		}
	}
	struct la_path_info p;
	if (!cma && vm_check(vm_find_path(res, "dma-heap:cma", &p),
			     "no CMA dma-heap: a dma-heap:cma stand-in says why"))
		vm_check(!p.matched && strstr(p.reason, "no contiguous heap"),
			 "dma-heap:cma unmatched: %s", p.reason);
	if (have_node("/dev/udmabuf"))
		check_path(res, "udmabuf", false, LA_CACHING_CACHED, "udmabuf");
	vm_check(test_log_has("rank 500"), "trace shows the ranks");
}

static void check_ion(const struct la_result *res)
{
	struct ion_heap_fact f[32];
	int n = ion_heap_facts(f, 32);
	const char *abi = ion_param_abi();
	char name[96];

	if (!vm_check(n > 0, "ion_test debugfs lists %d heap(s)", n))
		return;
	/* The ABI the backend told apart (libion's FREE probe, then HEAP_QUERY). */
	const char *want = !strcmp(abi, "modern")   ? "modern (fds) ABI"
			   : !strcmp(abi, "legacy") ? "legacy (handles) ABI"
						    : "legacy (handles, no heap query) ABI";
	vm_check(test_log_has(want), "module abi=%s, backend detected '%s'", abi, want);
	for (int i = 0; i < n; i++) {
		/* mainline heap types: 1 system-contig, 2 carveout, 4 dma are contiguous */
		bool contig = f[i].type == 1 || f[i].type == 2 || f[i].type == 4;
		snprintf(name, sizeof(name), "ion:%s", f[i].name);
		check_path(res, name, contig, LA_CACHING_CACHED, "ION heap, ION_FLAG_CACHED");
		snprintf(name, sizeof(name), "ion:%s:uncached", f[i].name);
		check_path(res, name, contig, LA_CACHING_WRITECOMBINE, "ION heap, uncached");
		if (f[i].type == 4) {
			snprintf(name, sizeof(name), "ion:%s: contiguous, cached, below 2^32", f[i].name);
			vm_check(test_log_has(name), "trace: '%s'", name);
		}
	}
}

/* alloc-info.sh: a vgem set for sampling and CPU writes, as alloc-info saves one. */
static int save_vgem(const char *file)
{
	struct la_capset *set = test_vgem_set(LA_USAGE_SAMPLE | LA_USAGE_CPU_WRITE, FMT_XRGB, NULL);
	char *json = NULL;
	FILE *f = fopen(file, "we");
	bool ok = f && la_capset_to_json(set, &json) == 0 && fputs(json, f) >= 0;

	if (f && fclose(f) != 0)
		ok = false;
	free(json);
	la_capset_destroy(set);
	if (!ok)
		vm_fatal("cannot save the vgem set to %s", file);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc > 2 && strcmp(argv[1], "--save-vgem") == 0)
		return save_vgem(argv[2]);
	bool want_ion = argc > 1 && strcmp(argv[1], "--ion") == 0;
	struct la_context *ctx = test_context();
	struct la_capset *sets[1] = {test_vgem_set(LA_USAGE_RENDER, FMT_XRGB, NULL)};
	struct la_result *res = NULL;

	check_enumeration(ctx, want_ion);
	int ret = test_negotiate(ctx, FMT_XRGB, 64, 64, sets, 1, &res);

	vm_check(ret == 0, "vgem alone negotiates: best path %s", res ? vm_best_path(res) : "-");
	if (res) {
		check_dma_heaps(res);
		if (want_ion) {
			check_ion(res);
		} else {
			size_t n_ion = 0;
			for (size_t i = 0; i < la_result_get_path_count(res); i++) {
				struct la_path_info p;
				la_result_get_path(res, i, &p);
				n_ion += strncmp(p.name, "ion:", 4) == 0;
			}
			vm_check(n_ion == 0, "no ION paths without /dev/ion (%zu)", n_ion);
		}
	}
	vm_note("backend trace:\n%s", test_log());
	la_result_destroy(res);
	la_capset_destroy(sets[0]);
	la_context_destroy(ctx);
	return vm_exit_status();
}
