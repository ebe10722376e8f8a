/* SPDX-License-Identifier: MIT */
/*
 * GstLiballocBufferPool: a GstBufferPool whose buffers are one liballoc
 * buffer each (GstLiballocAllocator memory) with its GstVideoMeta, for
 * the caps the pool was made for. It is what liballocpool answers the
 * ALLOCATION query with: v4l2src io-mode=dmabuf-import captures into its
 * buffers, kmssink imports them.
 */
#ifndef GST_LIBALLOC_BUFFER_POOL_H
#define GST_LIBALLOC_BUFFER_POOL_H

#include <gst/video/video.h>

#include "gstliballocallocator.h"

G_BEGIN_DECLS

#define GST_TYPE_LIBALLOC_BUFFER_POOL (gst_liballoc_buffer_pool_get_type())
#define GST_LIBALLOC_BUFFER_POOL(o) \
	(G_TYPE_CHECK_INSTANCE_CAST((o), GST_TYPE_LIBALLOC_BUFFER_POOL, GstLiballocBufferPool))
#define GST_IS_LIBALLOC_BUFFER_POOL(o) (G_TYPE_CHECK_INSTANCE_TYPE((o), GST_TYPE_LIBALLOC_BUFFER_POOL))

typedef struct _GstLiballocBufferPool GstLiballocBufferPool;
typedef struct _GstLiballocBufferPoolClass GstLiballocBufferPoolClass;

GType gst_liballoc_buffer_pool_get_type(void);

/* A pool (owned reference) of alloc's buffers described by info. */
GstBufferPool *gst_liballoc_buffer_pool_new(GstLiballocAllocator *alloc, const GstVideoInfo *info);

/*
 * How many distinct buffers of the pool came back from downstream with
 * kmssink's import of them cached on their memory (its framebuffer of our
 * dma-buf: shown without a copy).
 */
guint gst_liballoc_buffer_pool_get_imported(GstBufferPool *pool);

G_END_DECLS

#endif
