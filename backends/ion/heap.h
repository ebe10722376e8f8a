/* SPDX-License-Identifier: MIT */
/*
 * liballoc-ion: every heap-like kernel allocator (dma-heaps, udmabuf, ION)
 * as a neutral allocation path. Private to this backend.
 */
#ifndef LA_ION_HEAP_H
#define LA_ION_HEAP_H

#include <liballoc/backend.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HEAP_NAME_MAX 96

enum heap_kind {
	HEAP_DMA_HEAP,  /* /dev/dma_heap/<name> */
	HEAP_UDMABUF,   /* memfd + /dev/udmabuf */
	HEAP_ION,       /* /dev/ion, one heap id, cached or not */
	HEAP_MISSING,   /* stands for a heap this kernel lacks; never allocates */
};

enum ion_abi {
	ION_ABI_NONE,           /* no /dev/ion */
	ION_ABI_LEGACY_NOQUERY, /* handles, no HEAP_QUERY (<= 4.9) */
	ION_ABI_LEGACY,         /* handles + HEAP_QUERY (4.10, 4.11) */
	ION_ABI_MODERN,         /* fds (4.12 - 5.10) */
};

/* What a heap gives, and why we believe it (see classify.c). */
struct heap_class {
	uint32_t flags;         /* LA_PATH_* */
	uint32_t caching;       /* one LA_CACHING_* bit, 0 = unknown */
	uint32_t dma_addr_bits; /* 0 = anywhere */
	int rank;
	bool is_cma;            /* its size is bounded by /proc/meminfo CmaTotal */
	const char *why;        /* static text for the trace */
};

struct heap {
	enum heap_kind kind;
	char name[HEAP_NAME_MAX];  /* path name, "dma-heap:system" */
	char kname[64];            /* the kernel's name, "system" */
	struct heap_class cls;
	int fd;                    /* dma-heap node (owned), else -1 */
	int open_err;              /* errno of opening the node; 0 = usable */
	uint32_t ion_id;           /* heap id (bit of heap_id_mask) */
	uint32_t ion_type;
	uint32_t ion_flags;        /* ION_FLAG_CACHED or 0 */
	uint64_t size_limit;       /* bytes per buffer, 0 = none known */
	char missing_why[256];     /* HEAP_MISSING: what is absent and how to fix it */
};

struct ion_backend {
	const struct la_backend_host *host;
	bool scanned;
	struct heap **heaps;
	size_t n_heaps;
	uint64_t page_size;
	int ion_fd;                /* /dev/ion (owned) or -1 */
	enum ion_abi ion_abi;
	int udmabuf_fd;            /* /dev/udmabuf (owned) or -1 */
	/*
	 * /proc/meminfo read once at scan: MemTotal (0 = unreadable) decides
	 * when a request is large enough to be checked against MemAvailable;
	 * CmaTotal is reserved at boot and does not change.
	 */
	uint64_t mem_total;
	uint64_t cma_total;
	bool have_cma_total;       /* false: no CmaTotal (kernel without CMA) */
};

#define ion_dbg(be, ...) (be)->host->log((be)->host->host_data, LA_LOG_DEBUG, __VA_ARGS__)
/* The reason a hook hands back (struct la_why, backend.h). */
#define ion_diag(why, ...) la_why_set(why, 0, __VA_ARGS__)

/* backend.c: takes ownership of h (freed on failure). */
int heap_add(struct ion_backend *be, struct heap *h);
/* Finds the heaps once (first list_paths or enumerate). */
int backend_scan(struct ion_backend *be);
struct heap *heap_new(enum heap_kind kind, const char *prefix, const char *kname);

/* classify.c */
void classify_dma_heap(const char *name, struct heap_class *out);
void classify_ion(uint32_t type, bool cached, struct heap_class *out);
void classify_udmabuf(struct heap_class *out);
/* Rank adjusted for the usages of one negotiation; note says why. */
int rank_for_usage(const struct heap *h, uint64_t usage, int rank, char *note, size_t len);
const char *caching_name(uint32_t caching);

/* sysinfo.c: /proc/meminfo fields in bytes (0 if absent), sysfs numbers. */
bool meminfo_read(const char *field, uint64_t *bytes);
/* The text of /proc/meminfo, for several fields of one read; false if unreadable. */
bool meminfo_text(char *buf, size_t len);
bool sysfs_read_u64(const char *path, uint64_t *value);
/* "12 MiB" style, for diagnoses. */
const char *human_size(uint64_t bytes, char *buf, size_t len);
/* Rounds len up to pages; false on overflow or len == 0. */
bool page_round(const struct ion_backend *be, uint64_t len, uint64_t *out);
/*
 * A contiguous heap h refused len bytes with ENOMEM: what it must give,
 * its free and total bytes where the kernel says them, and the fix
 * (figures.h). Returns out.
 */
const char *contig_enomem_text(const struct ion_backend *be, const struct heap *h, uint64_t len,
			       char *out, size_t out_len);

/* dma_heap.c */
int dma_heap_scan(struct ion_backend *be);
int dma_heap_alloc(struct ion_backend *be, struct heap *h, uint64_t len, int *fd,
		   struct la_why *why);

/* udmabuf.c */
int udmabuf_scan(struct ion_backend *be);
int udmabuf_alloc(struct ion_backend *be, struct heap *h, uint64_t len, int *fd,
		  struct la_why *why);

/* ion.c */
int ion_scan(struct ion_backend *be);
int ion_alloc(struct ion_backend *be, struct heap *h, uint64_t len, int *fd, struct la_why *why);
const char *ion_abi_name(enum ion_abi abi);

/* device.c: the backend's device hooks (heap nodes listed as devices). */
int ion_probe(void *backend, int fd, const char *node, void **device,
	      struct la_backend_device_info *info, struct la_why *why);
void ion_device_close(void *backend, void *device);
int ion_enumerate(void *backend, la_enumerate_fn add, void *ctx, struct la_why *why);

#endif
