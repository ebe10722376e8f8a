/* SPDX-License-Identifier: MIT */
/* The buffer object: its descriptor, the path it came from, export. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "buffer.h"
#include "descriptor.h"

int la_buffer_wrap(struct la_context *ctx, struct la_descriptor *desc, const char *path,
		   struct la_buffer **out)
{
	size_t len = path ? strlen(path) : 0;
	struct la_buffer *buf;

	*out = NULL;
	/* one allocation with its name: a buffer per frame should cost little */
	buf = malloc(sizeof(*buf) + len + 1);
	if (!buf) {
		la_descriptor_close_fds(desc);
		return -ENOMEM;
	}
	memset(buf, 0, sizeof(*buf));
	memcpy(buf->path, path ? path : "", len + 1);
	buf->ctx = ctx;
	buf->desc = *desc;
	pthread_mutex_init(&buf->lock, NULL);
	*out = buf;
	return 0;
}

static void unmap_all(struct la_buffer *buf)
{
	for (uint32_t p = 0; p < LA_MAX_PLANES; p++) {
		if (buf->maps[p].base) {
			la_dbg(buf->ctx, "buffer destroyed while plane %u is mapped", p);
			munmap(buf->maps[p].base, buf->maps[p].size);
			buf->maps[p].base = NULL;
		}
	}
}

void la_buffer_free(struct la_buffer *buf)
{
	unmap_all(buf);
	la_descriptor_close_fds(&buf->desc);
	pthread_mutex_destroy(&buf->lock);
	free(buf);
}

bool la_buffer_is_mapped(struct la_buffer *buf)
{
	bool mapped = false;

	pthread_mutex_lock(&buf->lock);
	for (uint32_t p = 0; p < LA_MAX_PLANES; p++)
		mapped |= buf->maps[p].base != NULL;
	pthread_mutex_unlock(&buf->lock);
	return mapped;
}

LA_EXPORT void la_buffer_destroy(struct la_buffer *buf)
{
	if (!buf)
		return;
	/* written by its pool under the pool's lock */
	if (__atomic_load_n(&buf->pool, __ATOMIC_ACQUIRE))
		la_pool_forget(buf);
	la_buffer_free(buf);
}

LA_EXPORT int la_buffer_from_descriptor(struct la_context *ctx, const struct la_descriptor *desc,
					struct la_buffer **out)
{
	struct la_descriptor own;
	int ret;

	if (!out)
		return -EINVAL;
	*out = NULL;
	if (!ctx || !desc)
		return -EINVAL;
	int64_t sizes[LA_MAX_PLANES];
	struct la_why why = {0};
	ret = la_descriptor_check_shape(desc, sizes, &why);
	if (ret == 0)
		ret = la_descriptor_check_peer_fds(desc, &why);
	if (ret < 0)
		return la_publish(&why, ret);
	own = *desc;
	for (uint32_t p = 0; p < own.plane_count; p++)
		own.planes[p].fd = -1;
	for (uint32_t p = 0; p < own.plane_count; p++) {
		uint32_t first = la_descriptor_first_plane_of_fd(desc, p);
		own.planes[p].fd = first == p ? fcntl(desc->planes[p].fd, F_DUPFD_CLOEXEC, 3)
					       : own.planes[first].fd;
		if (own.planes[p].fd < 0) {
			ret = -errno;
			la_diag("descriptor: cannot duplicate plane %u fd: %s", p, strerror(errno));
			la_descriptor_close_fds(&own);
			return ret;
		}
	}
	ret = la_buffer_wrap(ctx, &own, "", out);
	if (ret < 0)
		la_diag("descriptor: out of memory for the buffer");
	return ret;
}

LA_EXPORT void la_buffer_get_descriptor(const struct la_buffer *buf, struct la_descriptor *desc)
{
	if (buf && desc)
		*desc = buf->desc;
}

LA_EXPORT int la_buffer_export(const struct la_buffer *buf, struct la_descriptor *desc)
{
	struct la_descriptor d;

	if (!buf || !desc)
		return -EINVAL;
	d = buf->desc;
	for (uint32_t p = 0; p < d.plane_count; p++)
		d.planes[p].fd = -1;
	for (uint32_t p = 0; p < d.plane_count; p++) {
		uint32_t first = la_descriptor_first_plane_of_fd(&buf->desc, p);
		d.planes[p].fd = first == p ? fcntl(buf->desc.planes[p].fd, F_DUPFD_CLOEXEC, 3)
					    : d.planes[first].fd;
		if (d.planes[p].fd < 0) {
			int ret = -errno;
			la_diag("export: cannot duplicate plane %u fd: %s", p, strerror(errno));
			la_descriptor_close_fds(&d);
			return ret;
		}
	}
	*desc = d;
	return 0;
}

LA_EXPORT int la_buffer_export_take(struct la_buffer *buf, struct la_descriptor *desc)
{
	struct la_why why;

	if (!buf || !desc)
		return -EINVAL;
	if (__atomic_load_n(&buf->pool, __ATOMIC_ACQUIRE))
		return la_publish(&why, la_why_set(&why, -EINVAL, "export: buffer on %s belongs to "
						   "a pool: its fds cannot be taken (release it, or "
						   "la_buffer_export() a duplicate)", buf->path));
	unmap_all(buf);
	*desc = buf->desc;
	/* la_buffer_free() without its second unmap and a close of no fd: per buffer */
	pthread_mutex_destroy(&buf->lock);
	free(buf);
	return 0;
}

LA_EXPORT const char *la_buffer_get_path(const struct la_buffer *buf)
{
	return buf ? buf->path : NULL;
}

