/* SPDX-License-Identifier: MIT */
/* CPU access: one mapping per dma-buf, shared by the planes that use it. */
#include <errno.h>
#include <linux/dma-buf.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "buffer.h"
#include "descriptor.h"

static int dmabuf_sync(struct la_buffer *buf, int fd, uint64_t flags)
{
	struct dma_buf_sync s = {.flags = flags};
	int ret;

	do {
		ret = ioctl(fd, DMA_BUF_IOCTL_SYNC, &s);
	} while (ret < 0 && (errno == EINTR || errno == EAGAIN));
	if (ret < 0 && errno == ENOTTY) {
		/* not a dma-buf (a memfd wrapped by the caller): nothing to sync */
		la_dbg(buf->ctx, "fd %d is not a dma-buf; no cache sync", fd);
		return 0;
	}
	return ret < 0 ? -errno : 0;
}

static uint64_t sync_dir(uint32_t flags)
{
	uint64_t d = 0;
	if (flags & LA_MAP_READ)
		d |= DMA_BUF_SYNC_READ;
	if (flags & LA_MAP_WRITE)
		d |= DMA_BUF_SYNC_WRITE;
	return d;
}

static int map_fd(struct la_buffer *buf, uint32_t first, uint32_t flags, struct la_why *why)
{
	struct la_mapping *m = &buf->maps[first];
	int fd = buf->desc.planes[first].fd;
	int prot = ((flags & LA_MAP_READ) ? PROT_READ : 0) | ((flags & LA_MAP_WRITE) ? PROT_WRITE : 0);
	int64_t size = la_fd_size(fd);

	if (size <= 0)
		return la_why_set(why, size < 0 ? (int)size : -EINVAL,
				  "map: cannot size the dma-buf of plane %u", first);
	m->base = mmap(NULL, (size_t)size, prot, MAP_SHARED, fd, 0);
	if (m->base == MAP_FAILED) {
		int err = errno;
		m->base = NULL;
		return la_why_set(why, -err,
				  "map: mmap of plane %u failed: %s%s", first, strerror(err),
				  err == EACCES ? " (dma-buf opened read-only?)" : "");
	}
	m->size = (size_t)size;
	m->flags = flags;
	return 0;
}

LA_EXPORT int la_buffer_map(struct la_buffer *buf, uint32_t plane, uint32_t flags, void **data)
{
	uint32_t first;
	int ret;

	if (!data)
		return -EINVAL;
	*data = NULL;
	if (!buf || plane >= buf->desc.plane_count || !(flags & (LA_MAP_READ | LA_MAP_WRITE)) ||
	    (flags & ~(LA_MAP_READ | LA_MAP_WRITE)))
		return -EINVAL;
	if (buf->desc.flags & LA_BUFFER_PROTECTED) {
		la_diag("map: protected buffers cannot be mapped by the CPU");
		return -EPERM;
	}
	first = la_descriptor_first_plane_of_fd(&buf->desc, plane);
	pthread_mutex_lock(&buf->lock);
	struct la_mapping *m = &buf->maps[first];
	if (m->base && (flags & ~m->flags)) {
		pthread_mutex_unlock(&buf->lock);
		la_diag("map: plane %u is already mapped with fewer access rights", plane);
		return -EBUSY;
	}
	struct la_why why = {0};
	ret = m->base ? 0 : map_fd(buf, first, flags, &why);
	if (ret == 0)
		ret = dmabuf_sync(buf, buf->desc.planes[first].fd, DMA_BUF_SYNC_START | sync_dir(flags));
	if (ret < 0) {
		if (m->refs == 0 && m->base) {
			munmap(m->base, m->size);
			m->base = NULL;
		}
		pthread_mutex_unlock(&buf->lock);
		if (!why.text[0])
			la_why_set(&why, ret, "map: DMA_BUF_IOCTL_SYNC start failed: %s", strerror(-ret));
		return la_publish(&why, ret);
	}
	m->refs++;
	buf->plane_maps[plane]++;
	*data = (uint8_t *)m->base + buf->desc.planes[plane].offset;
	pthread_mutex_unlock(&buf->lock);
	return 0;
}

LA_EXPORT int la_buffer_unmap(struct la_buffer *buf, uint32_t plane)
{
	uint32_t first;
	int ret;

	if (!buf || plane >= buf->desc.plane_count)
		return -EINVAL;
	first = la_descriptor_first_plane_of_fd(&buf->desc, plane);
	pthread_mutex_lock(&buf->lock);
	struct la_mapping *m = &buf->maps[first];
	if (buf->plane_maps[plane] == 0 || !m->base) {
		pthread_mutex_unlock(&buf->lock);
		la_diag("unmap: plane %u is not mapped", plane);
		return -EINVAL;
	}
	ret = dmabuf_sync(buf, buf->desc.planes[first].fd, DMA_BUF_SYNC_END | sync_dir(m->flags));
	buf->plane_maps[plane]--;
	if (--m->refs == 0) {
		munmap(m->base, m->size);
		m->base = NULL;
	}
	pthread_mutex_unlock(&buf->lock);
	if (ret < 0)
		la_diag("unmap: DMA_BUF_IOCTL_SYNC end failed: %s (plane %u unmapped all the same)",
			strerror(-ret), plane);
	return ret;
}
