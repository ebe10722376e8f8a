/* SPDX-License-Identifier: MIT */
/*
 * Allocation on every path the backend offers, through the public API:
 * sizes of 1 byte, one page and an odd size (the dma-buf is the size rounded
 * up to pages), written through la_buffer_map (DMA_BUF_IOCTL_SYNC around it)
 * and read back through vgem's own mapping of its PRIME import; 256 MiB; a
 * size the kernel must refuse (about 4 GiB in a 1 GiB guest) with a
 * diagnosis naming the heap, the ioctl and the errno, and nothing leaked.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common.h"

struct size_case {
	uint32_t fmt, w, h;
	uint64_t bytes; /* the layout's size: 1 byte per R8 pixel, no constraints */
};

static const struct size_case sizes[] = {
	{FMT_R8, 1, 1, 1},
	{FMT_R8, 4096, 1, 4096},
	{FMT_R8, 4097, 3, 4097 * 3},
};

static void alloc_small(struct la_context *ctx, const char *path, const struct size_case *s,
			const struct la_path_info *info)
{
	struct la_capset *sets[2] = {test_vgem_set(LA_USAGE_SAMPLE, s->fmt, NULL),
				     test_cpu_set(LA_USAGE_CPU_WRITE, s->fmt)};
	struct la_result *res = NULL;
	struct la_buffer *buf = NULL;
	struct la_descriptor d;
	char what[128];
	uint8_t *p;
	int ret;

	snprintf(what, sizeof(what), "%s %llu bytes", path, (unsigned long long)s->bytes);
	if (!vm_check(test_negotiate(ctx, s->fmt, s->w, s->h, sets, 2, &res) == 0, "%s: negotiate",
		      what))
		goto out;
	ret = la_allocate_with_path(res, path, &buf);
	if (!vm_check(ret == 0, "%s: allocated (%s)", what, ret ? la_last_diagnosis() : "ok"))
		goto out;
	vm_check(strcmp(la_buffer_get_path(buf), path) == 0, "%s: buffer says path %s", what,
		 la_buffer_get_path(buf));
	la_buffer_get_descriptor(buf, &d);
	off_t end = lseek(d.planes[0].fd, 0, SEEK_END);
	vm_check((uint64_t)end == page_round_up(s->bytes), "%s: dma-buf of %lld bytes (%llu rounded to pages)",
		 what, (long long)end, (unsigned long long)page_round_up(s->bytes));
	vm_check(d.planes[0].size == s->bytes && d.planes[0].offset == 0, "%s: plane size %llu",
		 what, (unsigned long long)d.planes[0].size);
	vm_check((fcntl(d.planes[0].fd, F_GETFD) & FD_CLOEXEC) &&
			 (fcntl(d.planes[0].fd, F_GETFL) & O_ACCMODE) == O_RDWR,
		 "%s: fd is O_RDWR and close-on-exec", what);
	vm_check(!!(d.flags & LA_BUFFER_CACHED) == (info->caching == LA_CACHING_CACHED) &&
			 !!(d.flags & LA_BUFFER_CONTIGUOUS) == info->contiguous,
		 "%s: descriptor flags 0x%x agree with the path", what, d.flags);
	ret = la_buffer_map(buf, 0, LA_MAP_READ | LA_MAP_WRITE, (void **)&p);
	if (vm_check(ret == 0, "%s: la_buffer_map (%s)", what, ret ? la_last_diagnosis() : "ok")) {
		fill_pattern(p, s->bytes, (uint8_t)s->w);
		vm_check(la_buffer_unmap(buf, 0) == 0, "%s: la_buffer_unmap (SYNC END)", what);
		vgem_readback(d.planes[0].fd, s->bytes, (uint8_t)s->w, what);
	}
out:
	la_buffer_destroy(buf);
	la_result_destroy(res);
	la_capset_destroy(sets[0]);
	la_capset_destroy(sets[1]);
}

/* 256 MiB: scattered heaps give it, udmabuf's limit and contiguous heaps refuse. */
static void alloc_big(struct la_context *ctx, const char *path, const struct la_path_info *info)
{
	struct la_capset *sets[1] = {test_vgem_set(LA_USAGE_SAMPLE, FMT_XRGB, NULL)};
	struct la_result *res = NULL;
	struct la_buffer *buf = NULL;
	const uint64_t size = 256ull << 20;
	double t;
	int ret;

	if (test_negotiate(ctx, FMT_XRGB, 8192, 8192, sets, 1, &res) != 0) {
		vm_check(false, "256 MiB negotiation: %s", la_last_diagnosis());
		goto out;
	}
	t = tl_now();
	ret = la_allocate_with_path(res, path, &buf);
	t = tl_now() - t;
	if (strcmp(path, "udmabuf") == 0) {
		vm_check(ret == -EINVAL && strstr(la_last_diagnosis(), "size_limit_mb"),
			 "udmabuf refuses 256 MiB before asking the kernel: %s", la_last_diagnosis());
	} else if (info->contiguous) {
		/* ion_test's contiguous heaps stop at 4 MiB (contig_max_order) */
		vm_check(ret == -ENOMEM && strstr(la_last_diagnosis(), "physically contiguous") &&
				 strstr(la_last_diagnosis(), "ION_IOC_ALLOC"),
			 "%s: 256 MiB refused by the kernel: %s", path, la_last_diagnosis());
	} else if (vm_check(ret == 0, "%s: 256 MiB allocated in %.3f s (%s)", path, t,
			    ret ? la_last_diagnosis() : "ok")) {
		struct la_descriptor d;
		uint8_t *p;
		la_buffer_get_descriptor(buf, &d);
		vm_check((uint64_t)lseek(d.planes[0].fd, 0, SEEK_END) == size, "%s: dma-buf of 256 MiB",
			 path);
		if (vm_check(la_buffer_map(buf, 0, LA_MAP_WRITE | LA_MAP_READ, (void **)&p) == 0,
			     "%s: 256 MiB mapped", path)) {
			bool ok = true;
			for (uint64_t o = 0; o < size; o += 1 << 20)
				p[o] = (uint8_t)(o >> 20);
			for (uint64_t o = 0; o < size; o += 1 << 20)
				ok &= p[o] == (uint8_t)(o >> 20);
			vm_check(ok, "%s: every MiB written and read", path);
			la_buffer_unmap(buf, 0);
		}
	}
out:
	la_buffer_destroy(buf);
	la_result_destroy(res);
	la_capset_destroy(sets[0]);
}

/*
 * R8 65535x65535: about 4 GiB, more than the guest's RAM. ION's kernel
 * refuses it; the dma-heap system heap would run the OOM killer, so the
 * backend refuses it first, against MemAvailable.
 */
static void alloc_refused(struct la_context *ctx, const char *path)
{
	struct la_capset *sets[1] = {test_vgem_set(LA_USAGE_SAMPLE, FMT_R8, NULL)};
	struct la_result *res = NULL;
	struct la_buffer *buf = NULL;
	bool ion = strncmp(path, "ion:", 4) == 0;
	int ret;

	ret = test_negotiate(ctx, FMT_R8, 65535, 65535, sets, 1, &res);
	if (!vm_check(res != NULL, "about 4 GiB: negotiation result (%d)", ret))
		goto out;
	/* only ION lets it through to the kernel */
	struct la_path_info info = {.reason = ""};
	bool found = vm_find_path(res, path, &info);
	if (!ion)
		vm_check(found && !info.matched && strstr(info.reason, "MemAvailable"),
			 "about 4 GiB: %s does not match: %s", path, info.reason);
	ret = la_allocate_with_path(res, path, &buf);
	if (ion)
		vm_check(ret == -ENOMEM && buf == NULL && strstr(la_last_diagnosis(), path) &&
				 strstr(la_last_diagnosis(), "ION_IOC_ALLOC") &&
				 strstr(la_last_diagnosis(), "Cannot allocate memory"),
			 "%s: about 4 GiB refused by the kernel: %s", path, la_last_diagnosis());
	else
		vm_check(ret == -EINVAL && buf == NULL && strstr(la_last_diagnosis(), path) &&
				 strstr(la_last_diagnosis(), "MemAvailable"),
			 "%s: about 4 GiB refused before the OOM killer: %s", path,
			 la_last_diagnosis());
out:
	la_buffer_destroy(buf);
	la_result_destroy(res);
	la_capset_destroy(sets[0]);
}

int main(void)
{
	struct la_context *ctx = test_context();
	struct la_capset *sets[1] = {test_vgem_set(LA_USAGE_SAMPLE, FMT_R8, NULL)};
	struct la_result *res = NULL;
	int fds, fds_after;
	long bufs, bufs_after, ion_live = ion_live_buffers();
	size_t tested = 0;

	if (test_negotiate(ctx, FMT_R8, 16, 16, sets, 1, &res) != 0)
		vm_fatal("negotiation: %s", la_last_diagnosis());
	/* after the first negotiation: the backend's own fds (heap nodes) are open */
	fds = tl_fd_count();
	bufs = dmabuf_count();
	for (size_t i = 0; i < la_result_get_path_count(res); i++) {
		struct la_path_info info;
		char name[96];
		la_result_get_path(res, i, &info);
		if (!info.matched)
			continue;
		snprintf(name, sizeof(name), "%s", info.name);
		tested++;
		for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++)
			alloc_small(ctx, name, &sizes[s], &info);
		alloc_big(ctx, name, &info);
		if (strcmp(name, "dma-heap:system") == 0 || strcmp(name, "ion:system") == 0)
			alloc_refused(ctx, name);
	}
	vm_check(tested >= 2, "%zu paths allocated from", tested);
	fds_after = tl_fd_count();
	bufs_after = dmabuf_count();
	vm_check(fds_after == fds, "open fds %d after, %d before", fds_after, fds);
	vm_check(bufs_after == bufs, "live dma-bufs %ld after, %ld before", bufs_after, bufs);
	vm_check(ion_live_buffers() == ion_live, "live ION buffers %ld after, %ld before",
		 ion_live_buffers(), ion_live);
	la_result_destroy(res);
	la_capset_destroy(sets[0]);
	la_context_destroy(ctx);
	return vm_exit_status();
}
