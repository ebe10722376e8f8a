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

/* Room for the usual path names, so that a recycled object takes any of them. */
#define PATH_CAP_MIN 48

/*
 * Buffer objects are recycled: the context keeps one freed object for the
 * next buffer, so a buffer per frame costs no malloc and free (about 130
 * instructions, a tenth of a small buffer's cycle on an emulated CPU). One
 * slot, taken and given back by atomic exchange: no lock, and no ABA as a
 * list would have. The context outlives its buffers (la_context_destroy).
 */
static struct la_buffer *take_spare(struct la_context *ctx, size_t len)
{
	struct la_buffer *buf = ctx ? __atomic_exchange_n(&ctx->spare_buffer, NULL,
							   __ATOMIC_ACQUIRE) : NULL;

	if (buf && buf->path_cap <= len) {
		pthread_mutex_destroy(&buf->lock);
		free(buf);
		return NULL;
	}
	return buf;
}

/* Whatever the object owned (maps, fds) is already released. */
static void recycle(struct la_buffer *buf)
{
	struct la_buffer *expected = NULL;

	if (buf->ctx && __atomic_compare_exchange_n(&buf->ctx->spare_buffer, &expected, buf, false,
						    __ATOMIC_RELEASE, __ATOMIC_RELAXED))
		return;
	pthread_mutex_destroy(&buf->lock);
	free(buf);
}

void la_buffer_drop_spare(struct la_context *ctx)
{
	struct la_buffer *buf = __atomic_exchange_n(&ctx->spare_buffer, NULL, __ATOMIC_ACQUIRE);

	if (buf) {
		pthread_mutex_destroy(&buf->lock);
		free(buf);
	}
}

/*
 * An empty descriptor (no fd), stored field by field: GCC makes the
 * struct's initialiser a rep stos, one step per 8 bytes, and on an
 * emulated CPU (QEMU's TCG) every step of it a jump back to the
 * instruction. Unrolled: a loop's jump back costs the same there.
 */
static inline void plane_clear(struct la_plane *p)
{
	p->fd = -1;
	p->offset = 0;
	p->pitch = 0;
	p->size = 0;
}

static void desc_clear(struct la_descriptor *d)
{
	d->format = 0;
	d->modifier = 0;
	d->width = 0;
	d->height = 0;
	d->plane_count = 0;
	d->flags = 0;
	_Static_assert(LA_MAX_PLANES == 4, "one plane_clear() per plane");
	plane_clear(&d->planes[0]);
	plane_clear(&d->planes[1]);
	plane_clear(&d->planes[2]);
	plane_clear(&d->planes[3]);
}

struct la_buffer *la_buffer_new(struct la_context *ctx, const char *path, size_t len)
{
	struct la_buffer *buf = take_spare(ctx, len);

	if (!buf) {
		/* one allocation with its name: a buffer per frame should cost little */
		size_t cap = len < PATH_CAP_MIN ? PATH_CAP_MIN : len + 1;
		buf = malloc(sizeof(*buf) + cap);
		if (!buf)
			return NULL;
		buf->path_cap = cap;
		/* pthread_mutex_init() with default attributes, without the call; a
		 * recycled object's mutex is unlocked and stays initialised */
		buf->lock = (pthread_mutex_t)PTHREAD_MUTEX_INITIALIZER;
		/*
		 * A recycled object's are unmapped already: unmap_all() clears
		 * them if a plane was still mapped; else every base is NULL, so
		 * every refs and plane_maps 0 (a reference holds a base), and
		 * only an old size and flags remain, which map_fd() writes
		 * before it reads them.
		 */
		memset(buf->maps, 0, sizeof(buf->maps));
		memset(buf->plane_maps, 0, sizeof(buf->plane_maps));
	}
	/*
	 * Every other field, a recycled object's too (it is clean as a new
	 * one: no fd, map, origin or pool of its last buffer), field by field:
	 * the origin (a few hundred bytes) is written only for the buffers
	 * that have one (has_origin).
	 */
	buf->ctx = ctx;
	desc_clear(&buf->desc);
	buf->has_origin = false;
	buf->pool = NULL;
	buf->pool_gen = 0;
	buf->pool_slot = 0;
	buf->pool_out = false;
	if (len)
		memcpy(buf->path, path, len);
	buf->path[len] = '\0';
	return buf;
}

int la_buffer_wrap(struct la_context *ctx, struct la_descriptor *desc, const char *path,
		   struct la_buffer **out)
{
	struct la_buffer *buf = la_buffer_new(ctx, path, path ? strlen(path) : 0);

	*out = NULL;
	if (!buf) {
		la_descriptor_close_fds(desc);
		return -ENOMEM;
	}
	buf->desc = *desc;
	*out = buf;
	return 0;
}

static void unmap_all(struct la_buffer *buf)
{
	uintptr_t any = 0;

	/* most buffers were never mapped: one test, no loop with a call in it */
	for (uint32_t p = 0; p < LA_MAX_PLANES; p++)
		any |= (uintptr_t)buf->maps[p].base;
	if (!any)
		return;
	for (uint32_t p = 0; p < LA_MAX_PLANES; p++) {
		if (buf->maps[p].base) {
			la_dbg(buf->ctx, "buffer destroyed while plane %u is mapped", p);
			munmap(buf->maps[p].base, buf->maps[p].size);
		}
	}
	/* left as la_buffer_new() makes them, for the object's next buffer */
	memset(buf->maps, 0, sizeof(buf->maps));
	memset(buf->plane_maps, 0, sizeof(buf->plane_maps));
}

/* The object itself, once unmapped; closes the fds it still owns. */
static void release(struct la_buffer *buf)
{
	la_descriptor_close_fds(&buf->desc);
	recycle(buf);
}

void la_buffer_free(struct la_buffer *buf)
{
	unmap_all(buf);
	release(buf);
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
	*desc = buf->desc; /* its fds are the caller's now: nothing to close */
	recycle(buf);
	return 0;
}

LA_EXPORT const char *la_buffer_get_path(const struct la_buffer *buf)
{
	return buf ? buf->path : NULL;
}

