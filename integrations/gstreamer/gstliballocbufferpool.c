/* SPDX-License-Identifier: MIT */
#include "gstliballocbufferpool.h"

GST_DEBUG_CATEGORY_STATIC(gst_liballoc_buffer_pool_debug);
#define GST_CAT_DEFAULT gst_liballoc_buffer_pool_debug

struct _GstLiballocBufferPool {
	GstBufferPool parent;
	GstLiballocAllocator *alloc;
	GstVideoInfo info;
	gint imported; /* atomic: buffers seen with a downstream import */
};

struct _GstLiballocBufferPoolClass {
	GstBufferPoolClass parent_class;
};

G_DEFINE_TYPE(GstLiballocBufferPool, gst_liballoc_buffer_pool, GST_TYPE_BUFFER_POOL)

/*
 * kmssink keeps the framebuffer it made of an imported dma-buf as qdata
 * "kmsmem" on that memory (gstkmssink.c, set_cached_kmsmem()); seeing it
 * is seeing kmssink scan out our buffer rather than a copy into its own.
 */
static GQuark kmsmem_quark(void)
{
	return g_quark_from_static_string("kmsmem");
}

static GQuark counted_quark(void)
{
	return g_quark_from_static_string("GstLiballocImportCounted");
}

static const gchar **gst_liballoc_buffer_pool_get_options(GstBufferPool *pool)
{
	static const gchar *options[] = {GST_BUFFER_POOL_OPTION_VIDEO_META,
					 GST_BUFFER_POOL_OPTION_VIDEO_ALIGNMENT, NULL};
	return options;
}

static gboolean gst_liballoc_buffer_pool_set_config(GstBufferPool *pool, GstStructure *config)
{
	GstLiballocBufferPool *self = GST_LIBALLOC_BUFFER_POOL(pool);
	GstCaps *caps = NULL;
	guint size, min, max;
	GstVideoInfo info;
	struct la_descriptor d;

	if (!gst_buffer_pool_config_get_params(config, &caps, &size, &min, &max) || !caps ||
	    !gst_video_info_from_caps(&info, caps)) {
		GST_WARNING_OBJECT(pool, "no video caps in the configuration");
		return FALSE;
	}
	/* The buffers were negotiated for one shape; another needs a new pool. */
	if (GST_VIDEO_INFO_FORMAT(&info) != GST_VIDEO_INFO_FORMAT(&self->info) ||
	    GST_VIDEO_INFO_WIDTH(&info) != GST_VIDEO_INFO_WIDTH(&self->info) ||
	    GST_VIDEO_INFO_HEIGHT(&info) != GST_VIDEO_INFO_HEIGHT(&self->info)) {
		GST_WARNING_OBJECT(pool, "caps %" GST_PTR_FORMAT " are not the negotiated %s %dx%d",
				   caps, gst_video_format_to_string(GST_VIDEO_INFO_FORMAT(&self->info)),
				   GST_VIDEO_INFO_WIDTH(&self->info),
				   GST_VIDEO_INFO_HEIGHT(&self->info));
		return FALSE;
	}
	if (gst_liballoc_allocator_get_descriptor(self->alloc, &d)) {
		guint64 end = 0;
		for (guint32 p = 0; p < d.plane_count; p++)
			end = MAX(end, d.planes[p].offset + d.planes[p].size);
		if (size > end) {
			GST_WARNING_OBJECT(pool, "%u bytes asked, the negotiated buffers hold %"
					   G_GUINT64_FORMAT, size, end);
			return FALSE;
		}
	}
	return GST_BUFFER_POOL_CLASS(gst_liballoc_buffer_pool_parent_class)->set_config(pool, config);
}

static GstFlowReturn gst_liballoc_buffer_pool_alloc_buffer(GstBufferPool *pool, GstBuffer **out,
							   GstBufferPoolAcquireParams *params)
{
	GstLiballocBufferPool *self = GST_LIBALLOC_BUFFER_POOL(pool);
	struct la_descriptor d;
	gchar *why = NULL;
	GstMemory *mem = gst_liballoc_allocator_alloc_memory(self->alloc, &d);

	if (!mem) {
		GST_ERROR_OBJECT(pool, "liballoc: %s", la_last_diagnosis());
		return GST_FLOW_ERROR;
	}
	GstBuffer *buf = gst_buffer_new();
	gst_buffer_append_memory(buf, mem);
	if (!gst_liballoc_buffer_add_video_meta(buf, &d, GST_VIDEO_INFO_FORMAT(&self->info), &why)) {
		GST_ERROR_OBJECT(pool, "video meta: %s", why);
		g_free(why);
		gst_buffer_unref(buf);
		return GST_FLOW_ERROR;
	}
	*out = buf;
	return GST_FLOW_OK;
}

static void gst_liballoc_buffer_pool_release_buffer(GstBufferPool *pool, GstBuffer *buf)
{
	GstLiballocBufferPool *self = GST_LIBALLOC_BUFFER_POOL(pool);
	GstMemory *mem = gst_buffer_n_memory(buf) ? gst_buffer_peek_memory(buf, 0) : NULL;

	if (mem && gst_mini_object_get_qdata(GST_MINI_OBJECT(mem), kmsmem_quark()) &&
	    !gst_mini_object_get_qdata(GST_MINI_OBJECT(mem), counted_quark())) {
		gst_mini_object_set_qdata(GST_MINI_OBJECT(mem), counted_quark(), GINT_TO_POINTER(1),
					  NULL);
		g_atomic_int_inc(&self->imported);
	}
	GST_BUFFER_POOL_CLASS(gst_liballoc_buffer_pool_parent_class)->release_buffer(pool, buf);
}

guint gst_liballoc_buffer_pool_get_imported(GstBufferPool *pool)
{
	g_return_val_if_fail(GST_IS_LIBALLOC_BUFFER_POOL(pool), 0);
	return (guint)g_atomic_int_get(&GST_LIBALLOC_BUFFER_POOL(pool)->imported);
}

GstBufferPool *gst_liballoc_buffer_pool_new(GstLiballocAllocator *alloc, const GstVideoInfo *info)
{
	GstLiballocBufferPool *self = g_object_new(GST_TYPE_LIBALLOC_BUFFER_POOL, NULL);

	gst_object_ref_sink(self);
	self->alloc = gst_object_ref(alloc);
	self->info = *info;
	return GST_BUFFER_POOL(self);
}

static void gst_liballoc_buffer_pool_finalize(GObject *obj)
{
	GstLiballocBufferPool *self = GST_LIBALLOC_BUFFER_POOL(obj);

	G_OBJECT_CLASS(gst_liballoc_buffer_pool_parent_class)->finalize(obj);
	/* after the parent freed its idle buffers, whose memories need the allocator */
	gst_object_unref(self->alloc);
}

static void gst_liballoc_buffer_pool_class_init(GstLiballocBufferPoolClass *klass)
{
	GstBufferPoolClass *pc = GST_BUFFER_POOL_CLASS(klass);

	G_OBJECT_CLASS(klass)->finalize = gst_liballoc_buffer_pool_finalize;
	pc->get_options = gst_liballoc_buffer_pool_get_options;
	pc->set_config = gst_liballoc_buffer_pool_set_config;
	pc->alloc_buffer = gst_liballoc_buffer_pool_alloc_buffer;
	pc->release_buffer = gst_liballoc_buffer_pool_release_buffer;
	GST_DEBUG_CATEGORY_INIT(gst_liballoc_buffer_pool_debug, "liballocbufferpool", 0,
				"buffer pool of liballoc buffers");
}

static void gst_liballoc_buffer_pool_init(GstLiballocBufferPool *self)
{
}
