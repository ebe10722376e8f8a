/* SPDX-License-Identifier: MIT */
/*
 * udmabuf: a dma-buf over the pages of a memfd (drivers/dma-buf/udmabuf.c).
 * The driver wants a shmem memfd with F_SEAL_SHRINK and without F_SEAL_WRITE
 * (the pages must not go away under a device), page-aligned offset and size,
 * and at most size_limit_mb (module parameter, default 64) per buffer.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/udmabuf.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "heap.h"

#define UDMABUF_NODE "/dev/udmabuf"
#define SIZE_LIMIT_PARAM "/sys/module/udmabuf/parameters/size_limit_mb"
#define DEFAULT_LIMIT_MB 64 /* the driver's default when the parameter is unreadable */

int udmabuf_scan(struct ion_backend *be)
{
	struct heap *h;
	uint64_t mb = DEFAULT_LIMIT_MB;

	be->udmabuf_fd = open(UDMABUF_NODE, O_RDWR | O_CLOEXEC);
	if (be->udmabuf_fd < 0 && errno == ENOENT) {
		ion_dbg(be, "%s: absent (CONFIG_UDMABUF off): no udmabuf path", UDMABUF_NODE);
		return 0;
	}
	h = heap_new(HEAP_UDMABUF, "", "udmabuf");
	if (!h)
		return -ENOMEM;
	classify_udmabuf(&h->cls);
	if (be->udmabuf_fd < 0)
		h->open_err = errno;
	if (!sysfs_read_u64(SIZE_LIMIT_PARAM, &mb))
		ion_dbg(be, "%s unreadable: assuming the default %d MiB", SIZE_LIMIT_PARAM,
			DEFAULT_LIMIT_MB);
	/* 0 would refuse everything; the driver reads it as a plain limit too */
	h->size_limit = mb > UINT64_MAX >> 20 ? UINT64_MAX : mb << 20;
	return heap_add(be, h);
}

int udmabuf_alloc(struct ion_backend *be, struct heap *h, uint64_t len, int *fd, struct la_why *why)
{
	struct udmabuf_create c = {.flags = UDMABUF_FLAGS_CLOEXEC, .offset = 0, .size = len};
	const char *step;
	int memfd, ret, err;

	if (len > (uint64_t)INT64_MAX) {
		ion_diag(why, "%llu bytes do not fit a memfd", (unsigned long long)len);
		return -EOVERFLOW;
	}
	memfd = memfd_create("liballoc-udmabuf", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (memfd < 0) {
		step = "memfd_create";
		goto fail;
	}
	if (ftruncate(memfd, (off_t)len) != 0) {
		step = "ftruncate of the memfd";
		goto fail;
	}
	if (fcntl(memfd, F_ADD_SEALS, F_SEAL_SHRINK) != 0) {
		step = "F_ADD_SEALS F_SEAL_SHRINK";
		goto fail;
	}
	c.memfd = (uint32_t)memfd;
	do {
		ret = ioctl(be->udmabuf_fd, UDMABUF_CREATE, &c);
	} while (ret < 0 && (errno == EINTR || errno == EAGAIN));
	if (ret < 0) {
		step = "UDMABUF_CREATE";
		goto fail;
	}
	/* The dma-buf holds the memfd's pages; the memfd itself is not needed. */
	close(memfd);
	*fd = ret;
	return 0;
fail:
	err = errno;
	if (memfd >= 0)
		close(memfd);
	char size[32];
	ion_diag(why, "%s for %s failed: %s", step, human_size(len, size, sizeof(size)),
		 strerror(err));
	(void)h;
	return -err;
}
