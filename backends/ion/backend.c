/* SPDX-License-Identifier: MIT */
/*
 * liballoc-ion: dma-heaps, udmabuf and ION as neutral allocation paths.
 *
 * Heaps are found once, at the first negotiation or enumeration, and live
 * until finish(): the paths handed to the core point at them, so
 * path_release has nothing to free. A heap that appears later (a module
 * loaded afterwards) needs a new context.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "figures.h"
#include "heap.h"

struct heap *heap_new(enum heap_kind kind, const char *prefix, const char *kname)
{
	struct heap *h = calloc(1, sizeof(*h));

	if (!h)
		return NULL;
	h->kind = kind;
	h->fd = -1;
	snprintf(h->kname, sizeof(h->kname), "%s", kname);
	snprintf(h->name, sizeof(h->name), "%s%s", prefix, h->kname);
	return h;
}

static void heap_free(struct heap *h)
{
	if (!h)
		return;
	if (h->fd >= 0)
		close(h->fd);
	free(h);
}

int heap_add(struct ion_backend *be, struct heap *h)
{
	struct heap **v = realloc(be->heaps, (be->n_heaps + 1) * sizeof(*v));

	if (!v) {
		heap_free(h);
		return -ENOMEM;
	}
	be->heaps = v;
	be->heaps[be->n_heaps++] = h;
	return 0;
}

/* The trace alloc-info and LIBALLOC_DEBUG=1 show: how each heap was read. */
static void log_heap(struct ion_backend *be, const struct heap *h)
{
	char limit[32];

	if (h->kind == HEAP_MISSING) {
		ion_dbg(be, "%s: not available: %s", h->name, h->missing_why);
		return;
	}
	if (h->open_err) {
		ion_dbg(be, "%s: unusable: %s", h->name, strerror(h->open_err));
		return;
	}
	ion_dbg(be, "%s: %s, %s%s%s, rank %d%s%s: %s", h->name,
		(h->cls.flags & LA_PATH_CONTIGUOUS) ? "contiguous" : "scattered",
		caching_name(h->cls.caching), h->cls.dma_addr_bits ? ", below 2^" : "",
		h->cls.dma_addr_bits == 32 ? "32" : "", h->cls.rank,
		h->size_limit ? ", at most " : "",
		h->size_limit ? human_size(h->size_limit, limit, sizeof(limit)) : "", h->cls.why);
}

int backend_scan(struct ion_backend *be)
{
	int ret;

	if (be->scanned)
		return 0;
	be->scanned = true;
	char text[8192];
	if (meminfo_text(text, sizeof(text))) { /* one read for both */
		meminfo_parse(text, "MemTotal", &be->mem_total); /* stays 0 if absent */
		be->have_cma_total = meminfo_parse(text, "CmaTotal", &be->cma_total);
	}
	ret = dma_heap_scan(be);
	if (ret == 0)
		ret = udmabuf_scan(be);
	if (ret == 0)
		ret = ion_scan(be);
	for (size_t i = 0; i < be->n_heaps; i++)
		log_heap(be, be->heaps[i]);
	return ret;
}

static int backend_init(const struct la_backend_host *host, void **backend, struct la_why *why)
{
	struct ion_backend *be = calloc(1, sizeof(*be));
	long page = sysconf(_SC_PAGESIZE);

	if (!be)
		return -ENOMEM;
	be->host = host;
	be->page_size = page > 0 ? (uint64_t)page : 4096;
	be->ion_fd = -1;
	be->udmabuf_fd = -1;
	*backend = be;
	return 0;
}

static void backend_finish(void *backend)
{
	struct ion_backend *be = backend;

	for (size_t i = 0; i < be->n_heaps; i++)
		heap_free(be->heaps[i]);
	free(be->heaps);
	if (be->ion_fd >= 0)
		close(be->ion_fd);
	if (be->udmabuf_fd >= 0)
		close(be->udmabuf_fd);
	free(be);
}

static int list_paths(void *backend, struct la_device *const *devices, void *const *device_data,
		      size_t n, la_path_sink_fn sink, void *sink_data, struct la_why *why)
{
	struct ion_backend *be = backend;
	int ret = backend_scan(be);

	(void)devices;
	(void)device_data;
	(void)n;
	if (ret < 0)
		return ret;
	for (size_t i = 0; i < be->n_heaps; i++) {
		const struct heap *h = be->heaps[i];
		struct la_path_desc d = {
			.name = h->name,
			.rank = h->cls.rank,
			/* a dma-heap or udmabuf buffer is an ioctl on a node opened at
			 * scan, with checks that only read what the scan found */
			.flags = h->cls.flags | (h->kind == HEAP_DMA_HEAP || h->kind == HEAP_UDMABUF
							 ? LA_PATH_CONCURRENT : 0),
			.caching = h->cls.caching,
			.dma_addr_bits = h->cls.dma_addr_bits,
			.owner = NULL,
		};
		ret = sink(sink_data, &d, be->heaps[i]);
		if (ret == -ENOMEM)
			return ret;
	}
	return 0;
}

static int diag_unusable(struct ion_backend *be, const struct heap *h, struct la_why *why)
{
	const char *node = h->kind == HEAP_DMA_HEAP ? "/dev/dma_heap/"
			   : h->kind == HEAP_UDMABUF ? "/dev/udmabuf"
						     : "/dev/ion";
	const char *sub = h->kind == HEAP_DMA_HEAP ? h->kname : "";

	(void)be;
	if (h->kind == HEAP_MISSING) {
		ion_diag(why, "missing heap: %s", h->missing_why);
		return -ENODEV;
	}
	/* the node exists (it was listed or found) but this user may not open it */
	if (h->open_err == EACCES || h->open_err == EPERM) {
		ion_diag(why, "no permission to open %s%s (%s): the heap exists, this user may not "
			     "use it; %s", node, sub, strerror(h->open_err),
			 h->kind == HEAP_UDMABUF ? "usually group kvm: add the user to it"
						 : "root only by default: a udev rule must grant access");
		return -h->open_err;
	}
	ion_diag(why, "cannot open %s%s: %s", node, sub, strerror(h->open_err));
	return -h->open_err;
}

/*
 * Requests up to this fraction of MemTotal are not checked against
 * MemAvailable: the check is there for the oversize request the kernel
 * would not refuse (see check_size), and reading /proc/meminfo (open, read,
 * close; the kernel sums every zone) cost more than a small allocation.
 */
#define MEM_CHECK_FRACTION 16

/* Would total bytes run the kernel out of memory? Reads MemAvailable if large. */
static bool exceeds_available(const struct ion_backend *be, uint64_t total, uint64_t *avail)
{
	if (be->mem_total && total <= be->mem_total / MEM_CHECK_FRACTION)
		return false;
	return meminfo_read("MemAvailable", avail) && total > *avail;
}

/*
 * Diagnoses leave out the path's name: the core puts it in front of them.
 *
 * Size checks shared by match and allocate; *len is the page-rounded size.
 * "Too big for this heap" is -ENOSPC: the core takes -ENOMEM from a hook for
 * its own allocation failure and aborts the negotiation.
 */
static int check_size(struct ion_backend *be, const struct heap *h,
		      const struct la_alloc_request *req, uint64_t *len, struct la_why *why)
{
	uint32_t count = req->buffer_count ? req->buffer_count : 1;
	char a[32], b[32], c[32];
	uint64_t total, avail;

	if (!req->layout) {
		ion_diag(why, "allocates linear layouts only, the candidate has none");
		return -ENOTSUP;
	}
	if (!page_round(be, req->layout->size, len) ||
	    __builtin_mul_overflow(*len, (uint64_t)count, &total)) {
		ion_diag(why, "%u buffer(s) of %llu bytes overflow 64 bits", count,
			 (unsigned long long)req->layout->size);
		return -EOVERFLOW;
	}
	if (h->size_limit && *len > h->size_limit) {
		ion_diag(why, "a buffer of %s exceeds the driver's limit of %s per buffer "
			     "(/sys/module/udmabuf/parameters/size_limit_mb)",
			 human_size(*len, a, sizeof(a)),
			 human_size(h->size_limit, b, sizeof(b)));
		return -E2BIG;
	}
	/*
	 * The dma-heap system heap has no size check: on 6.12 a request larger
	 * than RAM runs the OOM killer instead of failing. udmabuf pins shmem
	 * pages the same way. (ION's system heap refused more than half the RAM.)
	 * Only requests above MemTotal / MEM_CHECK_FRACTION are checked.
	 */
	if ((h->kind == HEAP_UDMABUF || (h->kind == HEAP_DMA_HEAP && !h->cls.is_cma)) &&
	    exceeds_available(be, total, &avail)) {
		ion_diag(why, "%u buffer(s) of %s (%s in all) exceed the available memory (%s, "
			     "MemAvailable in /proc/meminfo); the kernel would not refuse but run "
			     "the OOM killer",
			 count, human_size(*len, a, sizeof(a)),
			 human_size(total, b, sizeof(b)), human_size(avail, c, sizeof(c)));
		return -ENOSPC;
	}
	if (h->cls.is_cma && be->have_cma_total && total > be->cma_total) {
		ion_diag(why, "%u buffer(s) of %s (%s in all) exceed the whole CMA area (%s, "
			     "CmaTotal in /proc/meminfo; boot with a larger cma=)",
			 count, human_size(*len, a, sizeof(a)),
			 human_size(total, b, sizeof(b)), human_size(be->cma_total, c, sizeof(c)));
		return -ENOSPC;
	}
	return 0;
}

static int path_match(void *backend, void *path, const struct la_alloc_request *req, int *rank,
		      struct la_why *why)
{
	struct ion_backend *be = backend;
	struct heap *h = path;
	uint64_t len;
	int ret;

	if (h->kind == HEAP_MISSING || h->open_err)
		return diag_unusable(be, h, why);
	ret = check_size(be, h, req, &len, why);
	if (ret < 0)
		return ret;
	char note[200];
	*rank = rank_for_usage(h, req->usage, *rank, note, sizeof(note));
	/* on success the core adds this to the path's reason (backend.h) */
	ion_diag(why, "%s", note);
	return 0;
}

static int path_allocate(void *backend, void *path, const struct la_alloc_request *req,
			 struct la_descriptor *out, struct la_why *why)
{
	struct ion_backend *be = backend;
	struct heap *h = path;
	const struct la_layout *l = req->layout;
	uint64_t len;
	int fd = -1, ret;

	if (h->kind == HEAP_MISSING || h->open_err)
		return diag_unusable(be, h, why);
	ret = check_size(be, h, req, &len, why);
	if (ret < 0)
		return ret;
	if (l->plane_count == 0 || l->plane_count > LA_MAX_PLANES) {
		ion_diag(why, "layout with %u planes", l->plane_count);
		return -EINVAL;
	}
	switch (h->kind) {
	case HEAP_DMA_HEAP:
		ret = dma_heap_alloc(be, h, len, &fd, why);
		break;
	case HEAP_UDMABUF:
		ret = udmabuf_alloc(be, h, len, &fd, why);
		break;
	case HEAP_ION:
		ret = ion_alloc(be, h, len, &fd, why);
		break;
	default:
		ret = -ENODEV;
		break;
	}
	if (ret < 0)
		return ret;
	/* out arrives zeroed, its planes' fds -1 (backend.h): the fields only */
	out->format = req->format;
	out->modifier = req->modifier;
	out->width = req->width;
	out->height = req->height;
	out->plane_count = l->plane_count;
	out->flags = (h->cls.caching == LA_CACHING_CACHED ? LA_BUFFER_CACHED : 0) |
		     ((h->cls.flags & LA_PATH_CONTIGUOUS) ? LA_BUFFER_CONTIGUOUS : 0);
	/* one dma-buf for every plane: the core closes a shared fd once */
	for (uint32_t p = 0; p < l->plane_count; p++)
		out->planes[p] = (struct la_plane){
			.fd = fd, .offset = l->offset[p], .pitch = l->pitch[p], .size = l->plane_size[p]};
	return 0;
}

static void path_release(void *backend, void *path)
{
	/* heaps belong to the backend until finish() */
	(void)backend;
	(void)path;
}

static const struct la_backend_interface ion_interface = {
	.init = backend_init,
	.finish = backend_finish,
	.probe = ion_probe,
	.device_close = ion_device_close,
	.enumerate = ion_enumerate,
	.list_paths = list_paths,
	.path_match = path_match,
	.path_allocate = path_allocate,
	.path_release = path_release,
};

LA_BACKEND_DEFINE("ion", ion_interface);
