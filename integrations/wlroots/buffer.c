/* SPDX-License-Identifier: MIT */
/*
 * A liballoc buffer as a wlr_buffer: its dma-buf for importers
 * (get_dmabuf), its CPU mapping for pixman (data-ptr access, each access
 * one la_buffer_map/unmap, i.e. DMA_BUF_IOCTL_SYNC START/END around it).
 */
#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <wlr/types/wlr_buffer.h>
#include <wlr/util/log.h>

#include "la-wlr-private.h"

struct lawlr_buffer {
	struct wlr_buffer base;
	struct lawlr_shape *shape;
	struct la_buffer *buf;
	struct wlr_dmabuf_attributes dmabuf; /* fds borrowed from buf */
	uint32_t map_flags;                  /* LA_MAP_* of the open access, 0 if none */
};

static const struct wlr_buffer_impl buffer_impl;

static struct lawlr_buffer *from_wlr(struct wlr_buffer *b)
{
	assert(b->impl == &buffer_impl);
	return (struct lawlr_buffer *)b;
}

static void buffer_destroy(struct wlr_buffer *wb)
{
	struct lawlr_buffer *b = from_wlr(wb);

	if (b->map_flags)
		la_buffer_unmap(b->buf, 0);
	/* back to the pool: the next swapchain buffer of this shape reuses it */
	if (la_pool_release(b->shape->pool, b->buf) < 0) {
		wlr_log(WLR_ERROR, "liballoc: releasing a buffer: %s", la_last_diagnosis());
		la_buffer_destroy(b->buf);
	}
	lawlr_shape_unref(b->shape);
	free(b);
}

static bool buffer_get_dmabuf(struct wlr_buffer *wb, struct wlr_dmabuf_attributes *attribs)
{
	*attribs = from_wlr(wb)->dmabuf;
	return true;
}

static bool buffer_begin_access(struct wlr_buffer *wb, uint32_t flags, void **data,
				uint32_t *format, size_t *stride)
{
	struct lawlr_buffer *b = from_wlr(wb);
	uint32_t mf = 0;

	if (flags & WLR_BUFFER_DATA_PTR_ACCESS_READ)
		mf |= LA_MAP_READ;
	if (flags & WLR_BUFFER_DATA_PTR_ACCESS_WRITE)
		mf |= LA_MAP_WRITE;
	/*
	 * wlroots' data pointer has one stride: one plane only, and a layout
	 * the CPU can walk (LINEAR, or implicit negotiated with CPU usage).
	 */
	if (b->dmabuf.n_planes != 1 || !mf ||
	    !(b->dmabuf.modifier == LA_MODIFIER_LINEAR ||
	      (b->dmabuf.modifier == LA_MODIFIER_IMPLICIT && b->shape->cpu_access))) {
		wlr_log(WLR_ERROR, "liballoc: no CPU access to a buffer of %d plane(s), "
			"modifier 0x%016" PRIx64, b->dmabuf.n_planes, b->dmabuf.modifier);
		return false;
	}
	int ret = la_buffer_map(b->buf, 0, mf, data);
	if (ret < 0) {
		wlr_log(WLR_ERROR, "liballoc: mapping a buffer for the CPU: %s",
			la_last_diagnosis());
		return false;
	}
	b->map_flags = mf;
	*format = b->dmabuf.format;
	*stride = b->dmabuf.stride[0];
	return true;
}

static void buffer_end_access(struct wlr_buffer *wb)
{
	struct lawlr_buffer *b = from_wlr(wb);

	if (!b->map_flags)
		return;
	if (la_buffer_unmap(b->buf, 0) < 0)
		wlr_log(WLR_ERROR, "liballoc: ending CPU access: %s", la_last_diagnosis());
	b->map_flags = 0;
}

static const struct wlr_buffer_impl buffer_impl = {
	.destroy = buffer_destroy,
	.get_dmabuf = buffer_get_dmabuf,
	.begin_data_ptr_access = buffer_begin_access,
	.end_data_ptr_access = buffer_end_access,
};

/* wlroots keeps offsets and strides in 32 bits. */
static int fill_dmabuf(const struct la_descriptor *d, struct wlr_dmabuf_attributes *a)
{
	memset(a, 0, sizeof(*a));
	a->width = (int32_t)d->width;
	a->height = (int32_t)d->height;
	a->format = d->format;
	a->modifier = d->modifier; /* LA_MODIFIER_IMPLICIT is DRM_FORMAT_MOD_INVALID */
	a->n_planes = (int)d->plane_count;
	for (uint32_t p = 0; p < d->plane_count; p++) {
		if (d->planes[p].offset > UINT32_MAX || d->planes[p].pitch > UINT32_MAX) {
			wlr_log(WLR_ERROR, "liballoc: plane %u offset %" PRIu64 " pitch %" PRIu64
				" do not fit wlroots' 32-bit fields", p, d->planes[p].offset,
				d->planes[p].pitch);
			return -EOVERFLOW;
		}
		a->offset[p] = (uint32_t)d->planes[p].offset;
		a->stride[p] = (uint32_t)d->planes[p].pitch;
		a->fd[p] = d->planes[p].fd;
	}
	for (int p = a->n_planes; p < WLR_DMABUF_MAX_PLANES; p++)
		a->fd[p] = -1;
	return 0;
}

/* A new allocation at WLR_INFO (where and how it is laid out), a reuse at WLR_DEBUG. */
static void log_buffer(struct lawlr_shape *s, const struct la_buffer *buf,
		       const struct la_descriptor *d)
{
	struct la_pool_stats st;
	char mod[32];

	la_pool_get_stats(s->pool, &st);
	if (st.allocations == s->logged_allocations) {
		wlr_log(WLR_DEBUG, "liballoc: buffer reused from the pool (%" PRIu64 " reuses)",
			st.reuses);
		return;
	}
	s->logged_allocations = st.allocations;
	wlr_log(WLR_INFO, "liballoc: allocated buffer %" PRIu64 " on %s: %ux%u, modifier %s, "
		"%u plane(s), plane 0 offset %" PRIu64 " pitch %" PRIu64 ", %" PRIu64 " bytes",
		st.allocations, la_buffer_get_path(buf), d->width, d->height,
		la_modifier_name(d->modifier, mod, sizeof(mod)), d->plane_count,
		d->planes[0].offset, d->planes[0].pitch, st.buffer_size);
}

struct wlr_buffer *lawlr_buffer_create(struct lawlr_shape *s)
{
	struct lawlr_buffer *b = calloc(1, sizeof(*b));
	struct la_descriptor d;

	if (!b)
		return NULL;
	int ret = la_pool_acquire(s->pool, &b->buf);
	if (ret < 0) {
		wlr_log(WLR_ERROR, "liballoc: %dx%d buffer: %s", s->width, s->height,
			la_last_diagnosis());
		free(b);
		return NULL;
	}
	la_buffer_get_descriptor(b->buf, &d);
	log_buffer(s, b->buf, &d);
	if (fill_dmabuf(&d, &b->dmabuf) < 0) {
		la_pool_release(s->pool, b->buf);
		free(b);
		return NULL;
	}
	s->refs++;
	b->shape = s;
	wlr_buffer_init(&b->base, &buffer_impl, s->width, s->height);
	return &b->base;
}
