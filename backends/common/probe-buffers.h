/* SPDX-License-Identifier: MIT */
/*
 * Foreign dma-bufs that the import probes of the device backends offer a
 * device to learn its import rule (compiled into each backend).
 */
#ifndef LA_BACKEND_COMMON_PROBE_BUFFERS_H
#define LA_BACKEND_COMMON_PROBE_BUFFERS_H

#include <stddef.h>
#include <stdint.h>

/*
 * A dma-buf of at least size bytes that is scattered for certain: a udmabuf
 * whose two halves are the same memfd pages (UDMABUF_CREATE_LIST, two items
 * at offset 0), so the first page of the second half can never follow the
 * last page of the first. 0 and *out, or -errno and why. high (may be
 * NULL): the highest physical address of its pages, 0 if the kernel does
 * not tell (be_memfd_highest_phys()).
 */
int be_scattered_dmabuf(uint64_t size, int *out, char *why, size_t len, uint64_t *high);

/*
 * A one-page dma-buf no device driver owns (one page is always physically
 * contiguous): from the system dma-heap, else a udmabuf. 0 and *out with
 * src naming it, or -errno and src saying why.
 */
int be_page_dmabuf(int *out, char *src, size_t len);

/*
 * The highest physical address of the first size bytes of a memfd, from
 * /proc/self/pagemap: 0 and *phys, or -EPERM when the kernel hides page
 * frame numbers (it shows them to CAP_SYS_ADMIN only), or another -errno.
 */
int be_memfd_highest_phys(int fd, uint64_t size, uint64_t *phys);

#endif
