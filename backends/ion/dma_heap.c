/* SPDX-License-Identifier: MIT */
/*
 * dma-heaps: one node per heap under /dev/dma_heap (drivers/dma-buf/
 * dma-heap.c, devnode "dma_heap/%s"). DMA_HEAP_IOCTL_ALLOC wants fd == 0 on
 * input, fd_flags within O_CLOEXEC | O_ACCMODE and heap_flags == 0, and
 * rounds len up to pages itself.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <linux/dma-heap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "heap.h"

#define HEAP_DIR "/dev/dma_heap"

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Names of the heap nodes, sorted so that path order is stable. */
static int list_names(char ***out, size_t *count)
{
	DIR *d = opendir(HEAP_DIR);
	struct dirent *e;
	char **v = NULL;
	size_t n = 0;

	*out = NULL;
	*count = 0;
	if (!d)
		return -errno;
	while ((e = readdir(d))) {
		char **nv;
		if (e->d_name[0] == '.')
			continue;
		nv = realloc(v, (n + 1) * sizeof(*v));
		if (!nv)
			goto nomem;
		v = nv;
		if (!(v[n] = strdup(e->d_name)))
			goto nomem;
		n++;
	}
	closedir(d);
	if (n)
		qsort(v, n, sizeof(*v), cmp_name);
	*out = v;
	*count = n;
	return 0;
nomem:
	closedir(d);
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
	return -ENOMEM;
}

/* No CMA dma-heap: a stand-in path whose match explains what is missing. */
static int add_missing_cma(struct ion_backend *be, bool have_dir)
{
	struct heap *h = heap_new(HEAP_MISSING, "dma-heap:", "cma");
	uint64_t cma = be->cma_total;

	if (!h)
		return -ENOMEM;
	classify_dma_heap("linux,cma", &h->cls);
	h->cls.rank = 0;
	h->cls.why = "no contiguous dma-heap in this kernel";
	if (!have_dir)
		snprintf(h->missing_why, sizeof(h->missing_why),
			 "no %s: this kernel has no dma-heaps (CONFIG_DMABUF_HEAPS, Linux >= 5.6)",
			 HEAP_DIR);
	else if (!be->have_cma_total)
		snprintf(h->missing_why, sizeof(h->missing_why),
			 "no contiguous heap in %s: the kernel has no CMA (CONFIG_CMA off, no "
			 "CmaTotal in /proc/meminfo)", HEAP_DIR);
	else if (cma == 0)
		snprintf(h->missing_why, sizeof(h->missing_why),
			 "no contiguous heap in %s: CMA is built in but has no area (boot with "
			 "cma=<size>)", HEAP_DIR);
	else
		snprintf(h->missing_why, sizeof(h->missing_why),
			 "no contiguous heap in %s although the kernel has %llu MiB of CMA: "
			 "CONFIG_DMABUF_HEAPS_CMA is off", HEAP_DIR,
			 (unsigned long long)(cma >> 20));
	return heap_add(be, h);
}

int dma_heap_scan(struct ion_backend *be)
{
	char **names;
	size_t n;
	bool have_cma = false;
	int ret = list_names(&names, &n);

	if (ret == -ENOMEM)
		return ret;
	if (ret < 0) {
		ion_dbg(be, "%s: %s", HEAP_DIR, strerror(-ret));
		return add_missing_cma(be, false);
	}
	for (size_t i = 0; i < n && ret == 0; i++) {
		struct heap *h = heap_new(HEAP_DMA_HEAP, "dma-heap:", names[i]);
		char node[PATH_MAX];
		if (!h) {
			ret = -ENOMEM;
			break;
		}
		classify_dma_heap(names[i], &h->cls);
		snprintf(node, sizeof(node), "%s/%s", HEAP_DIR, names[i]);
		/* The ioctl needs no write access; the dma-buf's mode is fd_flags. */
		h->fd = open(node, O_RDONLY | O_CLOEXEC);
		if (h->fd < 0)
			h->open_err = errno;
		/* an unopenable CMA heap explains itself; no stand-in then */
		have_cma |= h->cls.is_cma;
		ret = heap_add(be, h);
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	if (ret == 0 && !have_cma)
		ret = add_missing_cma(be, true);
	return ret;
}

int dma_heap_alloc(struct ion_backend *be, struct heap *h, uint64_t len, int *fd,
		   struct la_why *why)
{
	struct dma_heap_allocation_data d = {
		.len = len,
		.fd = 0,
		.fd_flags = O_RDWR | O_CLOEXEC,
		.heap_flags = 0,
	};
	char size[32];
	int ret;

	do {
		ret = ioctl(h->fd, DMA_HEAP_IOCTL_ALLOC, &d);
	} while (ret < 0 && (errno == EINTR || errno == EAGAIN));
	if (ret < 0) {
		int err = errno;
		uint64_t ram = be->mem_total;
		char contig[512] = "";
		if (err == ENOMEM && h->cls.is_cma)
			contig_enomem_text(be, h, len, contig, sizeof(contig));
		ion_diag(why, "DMA_HEAP_IOCTL_ALLOC of %s on %s/%s failed: %s%s%s",
			 human_size(len, size, sizeof(size)), HEAP_DIR, h->kname, strerror(err),
			 contig[0] ? "; " : "",
			 err != ENOMEM || contig[0] ? contig
			 : len > ram ? " (more than the machine's RAM)"
				     : " (out of memory)");
		return -err;
	}
	*fd = (int)d.fd;
	return 0;
}
