/* SPDX-License-Identifier: MIT */
/*
 * ION (/dev/ion), both uapi generations, told apart at run time the way
 * Android's libion does (kernel/ion/README.md, "The uapi implemented"): ION_IOC_FREE of
 * handle 0 is ENOTTY only on the fd-based ABI (4.12-5.10); any other answer
 * means handles (<= 4.11). Kernel versions prove nothing: vendor 4.12 trees
 * kept the legacy ABI.
 *
 * Heaps come from ION_IOC_HEAP_QUERY (4.10 onwards). Without it (<= 4.9)
 * only the board's ids are known, so we follow the convention most such
 * boards used, heap id == heap type, and find which ids exist by allocating
 * one page from each.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "../common/ioctl.h"
#include "heap.h"
#include "../../kernel/ion/uapi/ion.h"

#define ION_NODE "/dev/ion"
#define MAX_HEAPS 32 /* heap ids are bits of a 32-bit mask */

static const char *const type_names[] = {"system", "system-contig", "carveout", "chunk", "dma"};

const char *ion_abi_name(enum ion_abi abi)
{
	switch (abi) {
	case ION_ABI_LEGACY_NOQUERY:
		return "legacy (handles, no heap query)";
	case ION_ABI_LEGACY:
		return "legacy (handles)";
	case ION_ABI_MODERN:
		return "modern (fds)";
	default:
		return "none";
	}
}

static enum ion_abi detect_abi(struct ion_backend *be)
{
	struct ion_handle_data free_zero = {.handle = 0};
	struct ion_heap_query q = {0};
	int ret = be_ioctl_again(be->ion_fd, ION_IOC_FREE, &free_zero);
	int err = ret < 0 ? errno : 0;

	if (ret < 0 && err == ENOTTY) {
		ion_dbg(be, "%s: ION_IOC_FREE(0) is ENOTTY: modern ABI", ION_NODE);
		return ION_ABI_MODERN;
	}
	ion_dbg(be, "%s: ION_IOC_FREE(0) answered %s: legacy ABI", ION_NODE,
		ret < 0 ? strerror(err) : "0");
	if (be_ioctl_again(be->ion_fd, ION_IOC_HEAP_QUERY, &q) < 0 && errno == ENOTTY)
		return ION_ABI_LEGACY_NOQUERY;
	return ION_ABI_LEGACY;
}

/* One heap id gives two paths: cached (ION_FLAG_CACHED) and write-combined. */
static int add_heap(struct ion_backend *be, const char *kname, uint32_t id, uint32_t type)
{
	for (int cached = 1; cached >= 0; cached--) {
		struct heap *h = heap_new(HEAP_ION, "ion:", kname);
		if (!h)
			return -ENOMEM;
		if (!cached)
			strncat(h->name, ":uncached", sizeof(h->name) - strlen(h->name) - 1);
		h->ion_id = id;
		h->ion_type = type;
		h->ion_flags = cached ? ION_FLAG_CACHED : 0;
		classify_ion(type, cached, &h->cls);
		int ret = heap_add(be, h);
		if (ret < 0)
			return ret;
	}
	return 0;
}

static int query_heaps(struct ion_backend *be)
{
	struct ion_heap_data data[MAX_HEAPS];
	struct ion_heap_query q = {0};
	int ret;

	if (be_ioctl_again(be->ion_fd, ION_IOC_HEAP_QUERY, &q) < 0) {
		ion_dbg(be, "%s: ION_IOC_HEAP_QUERY (count): %s", ION_NODE, strerror(errno));
		return 0;
	}
	memset(data, 0, sizeof(data));
	q.cnt = q.cnt < MAX_HEAPS ? q.cnt : MAX_HEAPS;
	q.heaps = (uint64_t)(uintptr_t)data;
	if (q.cnt && be_ioctl_again(be->ion_fd, ION_IOC_HEAP_QUERY, &q) < 0) {
		ion_dbg(be, "%s: ION_IOC_HEAP_QUERY: %s", ION_NODE, strerror(errno));
		return 0;
	}
	for (uint32_t i = 0; i < q.cnt && i < MAX_HEAPS; i++) {
		data[i].name[MAX_HEAP_NAME - 1] = '\0';
		if (data[i].heap_id >= MAX_HEAPS || !data[i].name[0]) {
			ion_dbg(be, "%s: heap %u: id %u or empty name: skipped", ION_NODE, i,
				data[i].heap_id);
			continue;
		}
		ret = add_heap(be, data[i].name, data[i].heap_id, data[i].type);
		if (ret < 0)
			return ret;
	}
	return 0;
}

static int legacy_alloc_handle(struct ion_backend *be, uint64_t len, uint32_t mask,
			       uint32_t flags, ion_user_handle_t *handle)
{
	struct ion_legacy_allocation_data d = {
		.len = (size_t)len, .align = 0, .heap_id_mask = mask, .flags = flags};

	if (len > SIZE_MAX) {
		errno = EOVERFLOW;
		return -1;
	}
	if (be_ioctl_again(be->ion_fd, ION_IOC_LEGACY_ALLOC, &d) < 0)
		return -1;
	*handle = d.handle;
	return 0;
}

static void legacy_free(struct ion_backend *be, ion_user_handle_t handle)
{
	struct ion_handle_data d = {.handle = handle};
	if (be_ioctl_again(be->ion_fd, ION_IOC_FREE, &d) < 0)
		ion_dbg(be, "%s: ION_IOC_FREE(%d): %s", ION_NODE, handle, strerror(errno));
}

/* <= 4.9: ids by convention; an id that allocates a page exists. */
static int probe_ids(struct ion_backend *be)
{
	for (uint32_t id = 0; id < MAX_HEAPS; id++) {
		ion_user_handle_t handle;
		char name[32];
		int ret = legacy_alloc_handle(be, be->page_size, 1u << id, 0, &handle);
		if (ret < 0 && errno != ENOMEM)
			continue; /* ENODEV: no heap with that id */
		if (ret == 0)
			legacy_free(be, handle);
		if (id < sizeof(type_names) / sizeof(type_names[0]))
			snprintf(name, sizeof(name), "%s", type_names[id]);
		else
			snprintf(name, sizeof(name), "heap%u", id);
		ion_dbg(be, "%s: heap id %u answers: taken as type %u by convention", ION_NODE, id,
			id);
		ret = add_heap(be, name, id, id);
		if (ret < 0)
			return ret;
	}
	return 0;
}

int ion_scan(struct ion_backend *be)
{
	/* libion opens it read-only: every ioctl works on any open mode */
	be->ion_fd = open(ION_NODE, O_RDONLY | O_CLOEXEC);
	if (be->ion_fd < 0) {
		int err = errno;
		struct heap *h;
		if (err == ENOENT) {
			ion_dbg(be, "%s: absent (ION left mainline after 5.10)", ION_NODE);
			return 0;
		}
		h = heap_new(HEAP_ION, "", "ion");
		if (!h)
			return -ENOMEM;
		classify_ion(ION_HEAP_TYPE_SYSTEM, true, &h->cls);
		h->open_err = err;
		return heap_add(be, h);
	}
	be->ion_abi = detect_abi(be);
	ion_dbg(be, "%s: %s ABI", ION_NODE, ion_abi_name(be->ion_abi));
	return be->ion_abi == ION_ABI_LEGACY_NOQUERY ? probe_ids(be) : query_heaps(be);
}

static void set_cloexec(int fd)
{
	int fl = fcntl(fd, F_GETFD);
	/* ION exports with O_CLOEXEC; this only guards odd vendor kernels */
	if (fl >= 0 && !(fl & FD_CLOEXEC))
		fcntl(fd, F_SETFD, fl | FD_CLOEXEC);
}

static void diag_alloc(struct ion_backend *be, struct heap *h, const char *call, uint64_t len,
		       int err, struct la_why *why)
{
	char size[32], contig[512] = "";

	if (err == ENOMEM && (h->cls.flags & LA_PATH_CONTIGUOUS))
		contig_enomem_text(be, h, len, contig, sizeof(contig));
	ion_diag(why, "%s of %s from heap id %u of /dev/ion (%s ABI) failed: %s%s%s", call,
		 human_size(len, size, sizeof(size)), h->ion_id, ion_abi_name(be->ion_abi),
		 strerror(err), contig[0] ? "; " : "",
		 contig[0] ? contig : err == ENODEV ? " (no heap with that id any more)" : "");
}

int ion_alloc(struct ion_backend *be, struct heap *h, uint64_t len, int *fd, struct la_why *why)
{
	if (be->ion_abi == ION_ABI_MODERN) {
		struct ion_new_allocation_data d = {
			.len = len, .heap_id_mask = 1u << h->ion_id, .flags = h->ion_flags};
		if (be_ioctl_again(be->ion_fd, ION_IOC_NEW_ALLOC, &d) < 0) {
			int err = errno;
			diag_alloc(be, h, "ION_IOC_ALLOC", len, err, why);
			return -err;
		}
		*fd = (int)d.fd;
	} else {
		struct ion_fd_data share = {0};
		int ret, err;
		if (legacy_alloc_handle(be, len, 1u << h->ion_id, h->ion_flags, &share.handle) < 0) {
			err = errno;
			diag_alloc(be, h, "ION_IOC_ALLOC", len, err, why);
			return -err;
		}
		/* libion's ion_alloc_fd(): the dma-buf keeps the buffer after FREE */
		ret = be_ioctl_again(be->ion_fd, ION_IOC_SHARE, &share);
		err = errno;
		legacy_free(be, share.handle);
		if (ret < 0) {
			diag_alloc(be, h, "ION_IOC_SHARE", len, err, why);
			return -err;
		}
		*fd = share.fd;
	}
	set_cloexec(*fd);
	return 0;
}
