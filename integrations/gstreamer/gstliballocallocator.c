/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <unistd.h>

#include <liballoc/interop.h>

#include "gstliballocallocator.h"

GST_DEBUG_CATEGORY_STATIC(gst_liballoc_allocator_debug);
#define GST_CAT_DEFAULT gst_liballoc_allocator_debug

struct _GstLiballocAllocator {
	GstDmaBufAllocator parent;
	struct la_context *ctx;
	struct la_result *res;
	struct la_pool *pool;
	gchar *path;
	GMutex lock; /* desc, have_desc */
	gboolean have_desc;
	struct la_descriptor desc;
};

struct _GstLiballocAllocatorClass {
	GstDmaBufAllocatorClass parent_class;
};

G_DEFINE_TYPE(GstLiballocAllocator, gst_liballoc_allocator, GST_TYPE_DMABUF_ALLOCATOR)

/* What a memory keeps alive: its buffer, lent by the allocator's pool. */
struct lent {
	GstLiballocAllocator *alloc; /* the memory's own reference keeps it alive */
	struct la_buffer *buf;
};

static GQuark lent_quark(void)
{
	return g_quark_from_static_string("GstLiballocBuffer");
}

/*
 * Runs when the memory is freed, before the memory drops its allocator
 * reference (qdata goes first in gst_mini_object_unref()).
 */
static void lent_free(gpointer data)
{
	struct lent *l = data;

	/* A buffer still mapped through la_buffer_map() cannot go back: freed. */
	if (la_pool_release(l->alloc->pool, l->buf) < 0)
		la_buffer_destroy(l->buf);
	g_free(l);
}

static gsize dmabuf_size(const struct la_descriptor *d)
{
	off_t end = lseek(d->planes[0].fd, 0, SEEK_END);

	if (end > 0)
		return (gsize)end;
	/* A dma-buf that cannot seek (old kernels): where its planes end. */
	guint64 max = 0;
	for (guint32 p = 0; p < d->plane_count; p++)
		max = MAX(max, d->planes[p].offset + d->planes[p].size);
	return (gsize)max;
}

GstMemory *gst_liballoc_allocator_alloc_memory(GstLiballocAllocator *alloc,
					       struct la_descriptor *desc)
{
	struct la_buffer *buf = NULL;
	struct la_descriptor d;

	g_return_val_if_fail(GST_IS_LIBALLOC_ALLOCATOR(alloc), NULL);
	if (la_pool_acquire(alloc->pool, &buf) < 0)
		return NULL;
	la_buffer_get_descriptor(buf, &d);
	GstMemory *mem = gst_dmabuf_allocator_alloc_with_flags(GST_ALLOCATOR(alloc), d.planes[0].fd,
							       dmabuf_size(&d),
							       GST_FD_MEMORY_FLAG_DONT_CLOSE);
	if (!mem) {
		la_pool_release(alloc->pool, buf);
		return NULL;
	}
	struct lent *l = g_new(struct lent, 1);
	l->alloc = alloc;
	l->buf = buf;
	gst_mini_object_set_qdata(GST_MINI_OBJECT(mem), lent_quark(), l, lent_free);
	g_mutex_lock(&alloc->lock);
	if (!alloc->have_desc) {
		alloc->desc = d;
		alloc->have_desc = TRUE;
	}
	g_mutex_unlock(&alloc->lock);
	if (desc)
		*desc = d;
	return mem;
}

struct la_buffer *gst_liballoc_memory_get_buffer(GstMemory *mem)
{
	struct lent *l;

	if (!mem || !GST_IS_LIBALLOC_ALLOCATOR(mem->allocator))
		return NULL;
	l = gst_mini_object_get_qdata(GST_MINI_OBJECT(mem), lent_quark());
	return l ? l->buf : NULL;
}

gboolean gst_liballoc_allocator_get_descriptor(GstLiballocAllocator *alloc,
					       struct la_descriptor *desc)
{
	gboolean have;

	g_mutex_lock(&alloc->lock);
	have = alloc->have_desc;
	if (have)
		*desc = alloc->desc;
	g_mutex_unlock(&alloc->lock);
	return have;
}

void gst_liballoc_allocator_get_stats(GstLiballocAllocator *alloc, struct la_pool_stats *stats)
{
	la_pool_get_stats(alloc->pool, stats);
}

const char *gst_liballoc_allocator_get_path(GstLiballocAllocator *alloc)
{
	return alloc->path;
}

gboolean gst_liballoc_buffer_add_video_meta(GstBuffer *buf, const struct la_descriptor *desc,
					    GstVideoFormat format, gchar **why)
{
	struct la_gst_video_meta m;
	gsize offset[GST_VIDEO_MAX_PLANES] = {0};
	gint stride[GST_VIDEO_MAX_PLANES] = {0};

	if (la_gst_video_meta(desc, &m) < 0) {
		*why = g_strdup(la_last_diagnosis());
		return FALSE;
	}
	for (guint p = 0; p < m.n_planes; p++) {
		offset[p] = (gsize)m.offset[p];
		stride[p] = m.stride[p];
	}
	if (!gst_buffer_add_video_meta_full(buf, GST_VIDEO_FRAME_FLAG_NONE, format, desc->width,
					    desc->height, m.n_planes, offset, stride)) {
		*why = g_strdup_printf("gst_buffer_add_video_meta_full refused %s %ux%u with %u planes",
				       gst_video_format_to_string(format), desc->width,
				       desc->height, m.n_planes);
		return FALSE;
	}
	return TRUE;
}

GstLiballocAllocator *gst_liballoc_allocator_new(struct la_context *ctx, struct la_result *res,
						 guint max_buffers)
{
	struct la_pool_config cfg = {.max_buffers = max_buffers};
	struct la_pool *pool = NULL;
	struct la_path_info path;

	if (la_pool_new(res, &cfg, &pool) < 0)
		return NULL;
	GstLiballocAllocator *alloc = g_object_new(GST_TYPE_LIBALLOC_ALLOCATOR, NULL);
	gst_object_ref_sink(alloc);
	alloc->ctx = ctx;
	alloc->res = res;
	alloc->pool = pool;
	alloc->path = g_strdup(la_result_get_path(res, 0, &path) == 0 ? path.name : "");
	return alloc;
}

static void gst_liballoc_allocator_finalize(GObject *obj)
{
	GstLiballocAllocator *alloc = GST_LIBALLOC_ALLOCATOR(obj);

	/* No memory is left: each held a reference. The order is liballoc's. */
	la_pool_destroy(alloc->pool);
	la_result_destroy(alloc->res);
	la_context_destroy(alloc->ctx);
	g_free(alloc->path);
	g_mutex_clear(&alloc->lock);
	G_OBJECT_CLASS(gst_liballoc_allocator_parent_class)->finalize(obj);
}

/*
 * gst_allocator_alloc() on this allocator, for an element that allocates
 * with the allocator of the ALLOCATION query rather than the pool: a
 * buffer of the negotiated shape if size fits in it.
 */
static GstMemory *gst_liballoc_allocator_alloc(GstAllocator *allocator, gsize size,
					       GstAllocationParams *params)
{
	GstLiballocAllocator *alloc = GST_LIBALLOC_ALLOCATOR(allocator);
	GstMemory *mem = gst_liballoc_allocator_alloc_memory(alloc, NULL);

	if (!mem) {
		GST_WARNING_OBJECT(alloc, "%s", la_last_diagnosis());
		return NULL;
	}
	if (size + (params ? params->prefix + params->padding : 0) > mem->maxsize) {
		GST_WARNING_OBJECT(alloc, "%" G_GSIZE_FORMAT " bytes asked, the negotiated "
				   "buffers hold %" G_GSIZE_FORMAT, size, mem->maxsize);
		gst_memory_unref(mem);
		return NULL;
	}
	return mem;
}

static void gst_liballoc_allocator_class_init(GstLiballocAllocatorClass *klass)
{
	GST_ALLOCATOR_CLASS(klass)->alloc = gst_liballoc_allocator_alloc;
	G_OBJECT_CLASS(klass)->finalize = gst_liballoc_allocator_finalize;
	GST_DEBUG_CATEGORY_INIT(gst_liballoc_allocator_debug, "liballocallocator", 0,
				"liballoc buffers as dma-buf memory");
}

static void gst_liballoc_allocator_init(GstLiballocAllocator *alloc)
{
	g_mutex_init(&alloc->lock);
}
