/* SPDX-License-Identifier: MIT */
/*
 * Leak cycles on real allocation paths: for each path named on the command
 * line, N cycles of allocate (la_allocate_with_path), export (and close the
 * export), map, write, unmap, destroy. After 20 warm-up cycles and again
 * after the N, the program compares its open fds, its resident pages, the
 * number of live dma-bufs in the whole system
 * (/sys/kernel/debug/dma_buf/bufinfo, "Total N objects") and, where the
 * path's kernel module publishes one, the module's live counter (ion_test's
 * dma_used for ion:dma*). Every one must be back where it was.
 *
 *   vm-cycles N PATH...      (N / 10 in an ASan build)
 *
 * The device a path serves is picked from its name: drm-*:virtio_gpu on
 * virtio_gpu's card (scanout), drm-*:vgem on vgem's card (render),
 * v4l2-mmap:* on vivid's first capture node, everything else (heaps,
 * udmabuf, ION, SMAF) for vgem's render node, which imports any memory.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <drm_fourcc.h>
#include <liballoc/liballoc.h>

#include "testlib.h"
#include "vivid.h"
#include "vmtest.h"

#define WARMUP 20

struct sample {
	int fds;
	long rss, dmabufs, module;
};

static void sample(const char *path, struct sample *s)
{
	s->fds = tl_fd_count();
	s->rss = tl_rss_kib();
	s->dmabufs = tl_dmabuf_count();
	s->module = strncmp(path, "ion:dma", 7) == 0 ? tl_module_param_long("ion_test", "dma_used")
						     : 0;
}

static struct la_device *device_for(struct la_context *ctx, const char *path, uint64_t *usage)
{
	const char *driver = "vgem", *kind = "renderD";
	struct la_device *dev = NULL;
	char node[64];
	int fd;

	*usage = LA_USAGE_RENDER | LA_USAGE_CPU_WRITE;
	if (strncmp(path, "v4l2-mmap:", 10) == 0) {
		fd = vm_open_v4l2("vivid", NULL, node, sizeof(node));
		if (fd < 0)
			return NULL;
		close(fd);
		*usage = LA_USAGE_CAPTURE | LA_USAGE_CPU_READ;
		return la_device_open(ctx, node, &dev) == 0 ? dev : NULL;
	}
	if (strncmp(path, "drm-", 4) == 0) {
		kind = "card";
		if (strstr(path, ":virtio_gpu")) {
			driver = "virtio_gpu";
			*usage = LA_USAGE_SCANOUT | LA_USAGE_CPU_WRITE;
		}
	}
	fd = vm_open_drm(driver, kind, node, sizeof(node));
	if (fd < 0)
		return NULL;
	close(fd);
	return la_device_open(ctx, node, &dev) == 0 ? dev : NULL;
}

/* One cycle; 0 or the first failing call's -errno. */
static int cycle(struct la_result *res, const char *path)
{
	struct la_buffer *buf;
	struct la_descriptor d;
	void *map;
	int ret = la_allocate_with_path(res, path, &buf);

	if (ret < 0)
		return ret;
	ret = la_buffer_export(buf, &d);
	if (ret == 0)
		la_descriptor_close(&d);
	if (ret == 0)
		ret = la_buffer_map(buf, 0, LA_MAP_READ | LA_MAP_WRITE, &map);
	if (ret == 0) {
		((volatile uint8_t *)map)[0] = 0x5a;
		ret = la_buffer_unmap(buf, 0);
	}
	la_buffer_destroy(buf);
	return ret;
}

static void run_path(struct la_context *ctx, const char *path, int n)
{
	uint32_t fmt = DRM_FORMAT_XRGB8888;
	struct la_assertion a = {.width = 320, .height = 240, .formats = &fmt, .n_formats = 1};
	struct sample s0, s1;
	struct la_result *res = NULL;
	struct la_request r;
	int failed = 0, first = 0;

	r.device = device_for(ctx, path, &r.usage);
	if (!vm_check(r.device != NULL, "%s: a device to serve (%s)", path, la_last_diagnosis()))
		return;
	if (strncmp(path, "v4l2-mmap:", 10) == 0) {
		fmt = DRM_FORMAT_YUYV;
		a.width = 640; /* vivid keeps 4:3 sizes of its inputs */
		a.height = 480;
	}
	if (!vm_check(la_negotiate(ctx, &a, &r, 1, &res) == 0, "%s: negotiated (%s)", path,
		      la_last_diagnosis()))
		goto out;
	for (int i = 0; i < WARMUP + n; i++) {
		if (i == WARMUP)
			sample(path, &s0);
		int ret = cycle(res, path);
		if (ret < 0 && !failed++)
			first = ret;
		if (ret < 0 && failed == 1)
			vm_note("%s: cycle %d: %s", path, i, la_last_diagnosis());
	}
	sample(path, &s1);
	vm_check(failed == 0, "%s: %d cycles, %d failed (first %d)", path, WARMUP + n, failed, first);
	vm_check(s1.fds == s0.fds && s1.dmabufs == s0.dmabufs && s1.module == s0.module,
		 "%s: fds %d -> %d, live dma-bufs %ld -> %ld, module counter %ld -> %ld", path,
		 s0.fds, s1.fds, s0.dmabufs, s1.dmabufs, s0.module, s1.module);
#ifdef __SANITIZE_ADDRESS__
	vm_note("%s: resident KiB %ld -> %ld (not checked under ASan: its quarantine grows)",
		path, s0.rss, s1.rss);
#else
	vm_check(s1.rss - s0.rss <= 256, "%s: resident KiB %ld -> %ld (slack 256)", path, s0.rss,
		 s1.rss);
#endif
out:
	la_result_destroy(res);
	la_device_unref(r.device);
}

int main(int argc, char **argv)
{
	struct la_context *ctx;
	int n = argc > 2 ? atoi(argv[1]) : 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (n <= 0)
		vm_fatal("usage: vm-cycles N PATH...");
#ifdef __SANITIZE_ADDRESS__
	/* the same code paths, a tenth of the cycles: ASan is ~5x slower */
	n = n / 10 > 0 ? n / 10 : 1;
	vm_note("ASan build: %d cycles per path", n);
#endif
	if (la_context_new(&ctx) < 0)
		vm_fatal("context: %s", la_last_diagnosis());
	for (int i = 2; i < argc; i++)
		run_path(ctx, argv[i], n);
	la_context_destroy(ctx);
	return vm_exit_status();
}
