/* SPDX-License-Identifier: MIT */
/*
 * GstLiballocAllocator: liballoc buffers as GStreamer dma-buf memory.
 *
 * A GstDmaBufAllocator whose memories are buffers of a liballoc pool
 * (la_pool) for one negotiated shape. Each GstMemory borrows the buffer's
 * fd (GST_FD_MEMORY_FLAG_DONT_CLOSE) and keeps the buffer lent from the
 * pool until the memory is freed; every memory holds a reference on the
 * allocator, which owns the pool, the negotiation result and the liballoc
 * context, so those outlive the last memory whoever frees it last.
 * gst_is_dmabuf_memory() and gst_dmabuf_memory_get_fd() work on them:
 * kmssink, v4l2src io-mode=dmabuf-import and the GL elements import them.
 */
#ifndef GST_LIBALLOC_ALLOCATOR_H
#define GST_LIBALLOC_ALLOCATOR_H

#include <gst/allocators/allocators.h>
#include <gst/video/video.h>

#include <liballoc/liballoc.h>

G_BEGIN_DECLS

#define GST_TYPE_LIBALLOC_ALLOCATOR (gst_liballoc_allocator_get_type())
#define GST_LIBALLOC_ALLOCATOR(o) \
	(G_TYPE_CHECK_INSTANCE_CAST((o), GST_TYPE_LIBALLOC_ALLOCATOR, GstLiballocAllocator))
#define GST_IS_LIBALLOC_ALLOCATOR(o) (G_TYPE_CHECK_INSTANCE_TYPE((o), GST_TYPE_LIBALLOC_ALLOCATOR))

typedef struct _GstLiballocAllocator GstLiballocAllocator;
typedef struct _GstLiballocAllocatorClass GstLiballocAllocatorClass;

GType gst_liballoc_allocator_get_type(void);

/*
 * A new allocator (floating reference sunk: the caller owns one) that
 * takes ownership of ctx and res (res must have a chosen candidate and a
 * matched path) and allocates through la_pool_new(res) with at most
 * max_buffers buffers. On failure ctx and res are still the caller's,
 * NULL is returned and la_last_diagnosis() says why.
 */
GstLiballocAllocator *gst_liballoc_allocator_new(struct la_context *ctx, struct la_result *res,
						 guint max_buffers);

/*
 * One buffer of the pool as a GstMemory (the whole dma-buf), or NULL with
 * la_last_diagnosis() saying why (-ENOBUFS: max_buffers are out). desc, if
 * not NULL, gets the buffer's descriptor (fds borrowed from the memory).
 */
GstMemory *gst_liballoc_allocator_alloc_memory(GstLiballocAllocator *alloc,
					       struct la_descriptor *desc);

/* The liballoc buffer behind a memory of this allocator (borrowed), else NULL. */
struct la_buffer *gst_liballoc_memory_get_buffer(GstMemory *mem);

/* The descriptor of the pool's buffers (the first one allocated); FALSE before one. */
gboolean gst_liballoc_allocator_get_descriptor(GstLiballocAllocator *alloc,
					       struct la_descriptor *desc);

void gst_liballoc_allocator_get_stats(GstLiballocAllocator *alloc, struct la_pool_stats *stats);
/* The allocation path of the result ("drm-dumb:virtio_gpu"), borrowed. */
const char *gst_liballoc_allocator_get_path(GstLiballocAllocator *alloc);

/*
 * Adds the GstVideoMeta of desc (one dma-buf, planes at their offsets and
 * pitches: la_gst_video_meta()) to buf. FALSE with a GStreamer-style
 * message in *why (g_free) when desc cannot be described that way.
 */
gboolean gst_liballoc_buffer_add_video_meta(GstBuffer *buf, const struct la_descriptor *desc,
					    GstVideoFormat format, gchar **why);

G_END_DECLS

#endif
