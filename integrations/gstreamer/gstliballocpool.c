/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <liballoc/interop.h>

#include "gstliballocbufferpool.h"
#include "gstliballocpool.h"

GST_DEBUG_CATEGORY_STATIC(gst_liballoc_pool_debug);
#define GST_CAT_DEFAULT gst_liballoc_pool_debug

#define DEFAULT_UPSTREAM_USAGE "capture"
#define DEFAULT_DOWNSTREAM_USAGE "scanout"
#define DEFAULT_MAX_BUFFERS 16
#define MIN_BUFFERS 4
#define MAX_HOPS 8 /* capsfilters, queues ... between us and the device elements */

typedef struct {
	GstBaseTransform parent;
	GMutex lock; /* the properties and the pool */
	gchar *up_node, *down_node;   /* properties: NULL means discover */
	gchar *up_usage, *down_usage;
	guint max_buffers;
	GstLiballocAllocator *alloc;
	GstBufferPool *pool;
	guint64 frames, in_pool;
	gboolean warned;
} GstLiballocPool;

typedef struct {
	GstBaseTransformClass parent_class;
} GstLiballocPoolClass;

#define GST_LIBALLOC_POOL(o) (G_TYPE_CHECK_INSTANCE_CAST((o), GST_TYPE_LIBALLOC_POOL, GstLiballocPool))

G_DEFINE_TYPE(GstLiballocPool, gst_liballoc_pool, GST_TYPE_BASE_TRANSFORM)

enum {
	PROP_0,
	PROP_UPSTREAM_DEVICE,
	PROP_UPSTREAM_USAGE,
	PROP_DOWNSTREAM_DEVICE,
	PROP_DOWNSTREAM_USAGE,
	PROP_MAX_BUFFERS,
};

#define CAPS "video/x-raw; video/x-raw(memory:DMABuf)"
static GstStaticPadTemplate sink_template =
	GST_STATIC_PAD_TEMPLATE("sink", GST_PAD_SINK, GST_PAD_ALWAYS, GST_STATIC_CAPS(CAPS));
static GstStaticPadTemplate src_template =
	GST_STATIC_PAD_TEMPLATE("src", GST_PAD_SRC, GST_PAD_ALWAYS, GST_STATIC_CAPS(CAPS));

/* ---- finding the devices on the neighbours ---- */

/* The element `hops` links away through `dir` pads ("sink": upstream). */
static GstElement *neighbour(GstElement *el, const char *pad_name)
{
	GstPad *pad = gst_element_get_static_pad(el, pad_name);
	GstPad *peer = pad ? gst_pad_get_peer(pad) : NULL;
	GstElement *next = peer ? gst_pad_get_parent_element(peer) : NULL;

	if (peer)
		gst_object_unref(peer);
	if (pad)
		gst_object_unref(pad);
	return next;
}

/* "/dev/dri/card0" of an open character device, from sysfs. */
static gchar *node_of_fd(int fd)
{
	struct stat st;
	gchar *path, *text = NULL, *node = NULL;

	if (fstat(fd, &st) < 0 || !S_ISCHR(st.st_mode))
		return NULL;
	path = g_strdup_printf("/sys/dev/char/%u:%u/uevent", major(st.st_rdev), minor(st.st_rdev));
	if (g_file_get_contents(path, &text, NULL, NULL)) {
		gchar *name = strstr(text, "DEVNAME=");
		if (name) {
			name += strlen("DEVNAME=");
			name[strcspn(name, "\n")] = '\0';
			node = g_strdup_printf("/dev/%s", name);
		}
	}
	g_free(text);
	g_free(path);
	return node;
}

/* The node an element works on: its "device" string or its open "fd". */
static gchar *element_node(GstElement *el, gchar **how)
{
	GObjectClass *oc = G_OBJECT_GET_CLASS(el);
	GParamSpec *ps;
	gchar *node = NULL;

	ps = g_object_class_find_property(oc, "device");
	if (ps && ps->value_type == G_TYPE_STRING && (ps->flags & G_PARAM_READABLE)) {
		g_object_get(el, "device", &node, NULL);
		if (node && node[0] == '/') {
			*how = g_strdup_printf("%s's device", GST_ELEMENT_NAME(el));
			return node;
		}
		g_free(node);
		node = NULL;
	}
	ps = g_object_class_find_property(oc, "fd");
	if (ps && ps->value_type == G_TYPE_INT && (ps->flags & G_PARAM_READABLE)) {
		int fd = -1;
		g_object_get(el, "fd", &fd, NULL);
		/* A node of our own: sharing the element's file would share its GEM handles. */
		if (fd >= 0 && (node = node_of_fd(fd)))
			*how = g_strdup_printf("%s's fd %d", GST_ELEMENT_NAME(el), fd);
	}
	return node;
}

static gchar *discover(GstLiballocPool *self, const char *pad_name, gchar **how)
{
	GstElement *el = gst_object_ref(GST_ELEMENT(self));
	gchar *node = NULL;

	for (int hop = 0; hop < MAX_HOPS && !node; hop++) {
		GstElement *next = neighbour(el, pad_name);
		gst_object_unref(el);
		if (!(el = next))
			return NULL;
		node = element_node(el, how);
	}
	gst_object_unref(el);
	return node;
}

/* ---- negotiation ---- */

struct side {
	const char *what; /* "upstream" */
	gchar *node;
	gchar *how;
	gchar *usage_text;
	uint64_t usage;
	struct la_device *dev;
};

static gboolean open_side(GstLiballocPool *self, struct la_context *ctx, struct side *s,
			  const gchar *prop_node, const gchar *usage_text, const char *pad_name)
{
	int ret;

	s->usage_text = g_strdup(usage_text);
	if (la_usage_parse(usage_text, &s->usage) < 0) {
		GST_ELEMENT_ERROR(self, RESOURCE, SETTINGS,
				  ("liballoc: %s-usage \"%s\": %s", s->what, usage_text,
				   la_last_diagnosis()), (NULL));
		return FALSE;
	}
	if (prop_node) {
		s->node = g_strdup(prop_node);
		s->how = g_strdup_printf("%s-device", s->what);
	} else if (!(s->node = discover(self, pad_name, &s->how))) {
		GST_ELEMENT_ERROR(self, RESOURCE, NOT_FOUND,
				  ("liballoc: no %s device: set %s-device (no %s element has a "
				   "\"device\" or an open \"fd\")", s->what, s->what, s->what), (NULL));
		return FALSE;
	}
	if ((ret = la_device_open(ctx, s->node, &s->dev)) < 0) {
		GST_ELEMENT_ERROR(self, RESOURCE, OPEN_READ_WRITE,
				  ("liballoc: %s device %s (%s): %s", s->what, s->node, s->how,
				   la_last_diagnosis()), (NULL));
		return FALSE;
	}
	return TRUE;
}

/* The fourccs of the upstream device that GStreamer calls by caps' format. */
static size_t formats_for(GstLiballocPool *self, struct side *up, const GstVideoInfo *info,
			  uint32_t *out, size_t max)
{
	struct la_assertion a = {.width = GST_VIDEO_INFO_WIDTH(info),
				 .height = GST_VIDEO_INFO_HEIGHT(info)};
	const char *want = gst_video_format_to_string(GST_VIDEO_INFO_FORMAT(info));
	struct la_capset *set = NULL;
	size_t n = 0;

	if (la_device_get_capabilities(up->dev, up->usage, &a, &set) < 0) {
		GST_ELEMENT_ERROR(self, RESOURCE, SETTINGS,
				  ("liballoc: %s: %s", la_device_get_label(up->dev),
				   la_last_diagnosis()), (NULL));
		return 0;
	}
	for (size_t i = 0; i < la_capset_get_candidate_count(set) && n < max; i++) {
		struct la_candidate c;
		const char *name;
		gboolean seen = FALSE;
		if (la_capset_get_candidate(set, i, &c) < 0 || !(name = la_gst_format_name(c.format)) ||
		    strcmp(name, want) != 0)
			continue;
		for (size_t k = 0; k < n; k++)
			seen |= out[k] == c.format;
		if (!seen)
			out[n++] = c.format;
	}
	la_capset_destroy(set);
	if (n == 0)
		GST_ELEMENT_ERROR(self, STREAM, FORMAT,
				  ("liballoc: %s offers no format GStreamer calls %s at %ux%u",
				   la_device_get_label(up->dev), want, a.width, a.height), (NULL));
	return n;
}

static void post_negotiated(GstLiballocPool *self, struct side *up, struct side *down,
			    const struct la_descriptor *d)
{
	char fmt[32], mod[64];
	GstStructure *s = gst_structure_new(
		"liballoc-negotiated",
		"upstream", G_TYPE_STRING, la_device_get_label(up->dev),
		"upstream-found-by", G_TYPE_STRING, up->how,
		"downstream", G_TYPE_STRING, la_device_get_label(down->dev),
		"downstream-found-by", G_TYPE_STRING, down->how,
		"format", G_TYPE_STRING, la_format_name(d->format, fmt, sizeof(fmt)),
		"modifier", G_TYPE_STRING, la_modifier_name(d->modifier, mod, sizeof(mod)),
		"width", G_TYPE_UINT, d->width, "height", G_TYPE_UINT, d->height,
		"pitch", G_TYPE_UINT64, d->planes[0].pitch,
		"path", G_TYPE_STRING, gst_liballoc_allocator_get_path(self->alloc), NULL);
	GST_INFO_OBJECT(self, "%" GST_PTR_FORMAT, s);
	gst_element_post_message(GST_ELEMENT(self), gst_message_new_element(GST_OBJECT(self), s));
}

static gboolean negotiate(GstLiballocPool *self, const GstVideoInfo *info)
{
	struct la_context *ctx = NULL;
	struct la_result *res = NULL;
	struct side up = {.what = "upstream"}, down = {.what = "downstream"};
	uint32_t formats[16];
	size_t n;
	gboolean ok = FALSE;
	int ret;

	if (la_context_new(&ctx) < 0) {
		GST_ELEMENT_ERROR(self, LIBRARY, INIT, ("liballoc: %s", la_last_diagnosis()), (NULL));
		return FALSE;
	}
	g_mutex_lock(&self->lock);
	gboolean opened = open_side(self, ctx, &up, self->up_node, self->up_usage, "sink") &&
			  open_side(self, ctx, &down, self->down_node, self->down_usage, "src");
	guint max_buffers = self->max_buffers;
	g_mutex_unlock(&self->lock);
	if (!opened || !(n = formats_for(self, &up, info, formats, G_N_ELEMENTS(formats))))
		goto out;

	struct la_assertion a = {.width = GST_VIDEO_INFO_WIDTH(info),
				 .height = GST_VIDEO_INFO_HEIGHT(info),
				 .formats = formats, .n_formats = n, .buffer_count = MIN_BUFFERS};
	struct la_request req[] = {{up.dev, up.usage}, {down.dev, down.usage}};
	if ((ret = la_negotiate(ctx, &a, req, 2, &res)) < 0) {
		/* the constraint in the message itself: applications often show only that */
		GST_ELEMENT_ERROR(self, RESOURCE, SETTINGS,
				  ("liballoc: no buffer both %s for %s and %s for %s can use for "
				   "%s %ux%u: %s", la_device_get_label(up.dev), up.usage_text,
				   la_device_get_label(down.dev), down.usage_text,
				   gst_video_format_to_string(GST_VIDEO_INFO_FORMAT(info)), a.width,
				   a.height, res ? la_result_get_diagnosis(res) : la_last_diagnosis()),
				  (NULL));
		goto out;
	}
	GstLiballocAllocator *alloc = gst_liballoc_allocator_new(ctx, res, max_buffers);
	if (!alloc) {
		GST_ELEMENT_ERROR(self, RESOURCE, NO_SPACE_LEFT,
				  ("liballoc: buffer pool: %s", la_last_diagnosis()), (NULL));
		goto out;
	}
	ctx = NULL; /* the allocator's now, with res */
	res = NULL;
	/* One buffer now: its allocation fails here, with the reason, not in upstream's hands. */
	struct la_descriptor d;
	GstMemory *mem = gst_liballoc_allocator_alloc_memory(alloc, &d);
	if (!mem) {
		GST_ELEMENT_ERROR(self, RESOURCE, NO_SPACE_LEFT,
				  ("liballoc: allocation for %s and %s: %s", la_device_get_label(up.dev),
				   la_device_get_label(down.dev), la_last_diagnosis()), (NULL));
		gst_object_unref(alloc);
		goto out;
	}
	gst_memory_unref(mem);
	GstBufferPool *pool = gst_liballoc_buffer_pool_new(alloc, info);
	g_mutex_lock(&self->lock);
	if (self->pool)
		gst_object_unref(self->pool);
	if (self->alloc)
		gst_object_unref(self->alloc);
	self->pool = pool;
	self->alloc = alloc;
	g_mutex_unlock(&self->lock);
	post_negotiated(self, &up, &down, &d);
	ok = TRUE;
out:
	la_device_unref(up.dev);
	la_device_unref(down.dev);
	g_free(up.node);
	g_free(up.how);
	g_free(up.usage_text);
	g_free(down.node);
	g_free(down.how);
	g_free(down.usage_text);
	la_result_destroy(res);
	if (ctx)
		la_context_destroy(ctx);
	return ok;
}

static gboolean gst_liballoc_pool_set_caps(GstBaseTransform *trans, GstCaps *incaps,
					   GstCaps *outcaps)
{
	GstLiballocPool *self = GST_LIBALLOC_POOL(trans);
	GstVideoInfo info;

	if (!gst_video_info_from_caps(&info, incaps)) {
		GST_ELEMENT_ERROR(self, STREAM, FORMAT,
				  ("liballoc: not video caps: %" GST_PTR_FORMAT, incaps), (NULL));
		return FALSE;
	}
	return negotiate(self, &info);
}

/* ---- the ALLOCATION query: downstream's metas, our pool and allocator ---- */

static gboolean gst_liballoc_pool_propose_allocation(GstBaseTransform *trans,
						     GstQuery *decide_query, GstQuery *query)
{
	GstLiballocPool *self = GST_LIBALLOC_POOL(trans);
	GstBufferPool *pool;
	GstLiballocAllocator *alloc;
	struct la_descriptor d;

	/* downstream says which metas it reads; its pools and allocators are replaced */
	gst_pad_peer_query(GST_BASE_TRANSFORM_SRC_PAD(trans), query);
	g_mutex_lock(&self->lock);
	pool = self->pool ? gst_object_ref(self->pool) : NULL;
	alloc = self->alloc ? gst_object_ref(self->alloc) : NULL;
	g_mutex_unlock(&self->lock);
	if (!pool)
		return FALSE;
	while (gst_query_get_n_allocation_pools(query) > 0)
		gst_query_remove_nth_allocation_pool(query, 0);
	while (gst_query_get_n_allocation_params(query) > 0)
		gst_query_remove_nth_allocation_param(query, 0);
	gst_liballoc_allocator_get_descriptor(alloc, &d);
	guint size = (guint)(d.planes[d.plane_count - 1].offset + d.planes[d.plane_count - 1].size);
	gst_query_add_allocation_pool(query, pool, size, MIN_BUFFERS, self->max_buffers);
	gst_query_add_allocation_param(query, GST_ALLOCATOR(alloc), NULL);
	/* our buffers carry one whatever downstream said */
	if (!gst_query_find_allocation_meta(query, GST_VIDEO_META_API_TYPE, NULL))
		gst_query_add_allocation_meta(query, GST_VIDEO_META_API_TYPE, NULL);
	GST_DEBUG_OBJECT(self, "proposed %" GST_PTR_FORMAT " (%u bytes, %u..%u buffers)", pool,
			 size, MIN_BUFFERS, self->max_buffers);
	gst_object_unref(pool);
	gst_object_unref(alloc);
	return TRUE;
}

/* ---- frames: counted, passed on untouched ---- */

static GstFlowReturn gst_liballoc_pool_transform_ip(GstBaseTransform *trans, GstBuffer *buf)
{
	GstLiballocPool *self = GST_LIBALLOC_POOL(trans);
	gboolean ours = self->pool && buf->pool == self->pool;

	self->frames++;
	if (ours)
		self->in_pool++;
	else if (!self->warned) {
		self->warned = TRUE;
		GST_ELEMENT_WARNING(self, STREAM, FAILED,
				    ("liballoc: frame %" G_GUINT64_FORMAT " is not in a liballoc "
				     "buffer: upstream did not capture into the proposed pool (use "
				     "v4l2src io-mode=dmabuf-import); downstream may copy it",
				     self->frames), (NULL));
	}
	return GST_FLOW_OK;
}

static void post_stats(GstLiballocPool *self)
{
	struct la_pool_stats st = {0};
	guint imported = 0;

	g_mutex_lock(&self->lock);
	if (self->alloc)
		gst_liballoc_allocator_get_stats(self->alloc, &st);
	if (self->pool)
		imported = gst_liballoc_buffer_pool_get_imported(self->pool);
	g_mutex_unlock(&self->lock);
	/* every frame in our buffers, every buffer shown by kmssink as it is */
	gboolean zero_copy = self->frames > 0 && self->in_pool == self->frames &&
			     st.allocations > 0 && imported == st.allocations;
	GstStructure *s = gst_structure_new(
		"liballoc-stats", "zero-copy", G_TYPE_BOOLEAN, zero_copy,
		"frames", G_TYPE_UINT64, self->frames,
		"frames-in-liballoc-buffers", G_TYPE_UINT64, self->in_pool,
		"buffers-allocated", G_TYPE_UINT64, st.allocations,
		"reuses", G_TYPE_UINT64, st.reuses,
		"buffers-imported-by-kmssink", G_TYPE_UINT, imported, NULL);
	GST_INFO_OBJECT(self, "%" GST_PTR_FORMAT, s);
	gst_element_post_message(GST_ELEMENT(self), gst_message_new_element(GST_OBJECT(self), s));
}

static gboolean gst_liballoc_pool_sink_event(GstBaseTransform *trans, GstEvent *event)
{
	if (GST_EVENT_TYPE(event) == GST_EVENT_EOS)
		post_stats(GST_LIBALLOC_POOL(trans));
	return GST_BASE_TRANSFORM_CLASS(gst_liballoc_pool_parent_class)->sink_event(trans, event);
}

static gboolean gst_liballoc_pool_stop(GstBaseTransform *trans)
{
	GstLiballocPool *self = GST_LIBALLOC_POOL(trans);

	g_mutex_lock(&self->lock);
	/* buffers still out keep the allocator (and liballoc) alive */
	g_clear_object(&self->pool);
	g_clear_object(&self->alloc);
	g_mutex_unlock(&self->lock);
	self->frames = self->in_pool = 0;
	self->warned = FALSE;
	return TRUE;
}

/* ---- properties ---- */

static void gst_liballoc_pool_set_property(GObject *obj, guint id, const GValue *v, GParamSpec *ps)
{
	GstLiballocPool *self = GST_LIBALLOC_POOL(obj);
	gchar **field = NULL;

	g_mutex_lock(&self->lock);
	switch (id) {
	case PROP_UPSTREAM_DEVICE: field = &self->up_node; break;
	case PROP_DOWNSTREAM_DEVICE: field = &self->down_node; break;
	case PROP_UPSTREAM_USAGE: field = &self->up_usage; break;
	case PROP_DOWNSTREAM_USAGE: field = &self->down_usage; break;
	case PROP_MAX_BUFFERS: self->max_buffers = g_value_get_uint(v); break;
	default: G_OBJECT_WARN_INVALID_PROPERTY_ID(obj, id, ps); break;
	}
	if (field) {
		g_free(*field);
		*field = g_value_dup_string(v);
	}
	g_mutex_unlock(&self->lock);
}

static void gst_liballoc_pool_get_property(GObject *obj, guint id, GValue *v, GParamSpec *ps)
{
	GstLiballocPool *self = GST_LIBALLOC_POOL(obj);

	g_mutex_lock(&self->lock);
	switch (id) {
	case PROP_UPSTREAM_DEVICE: g_value_set_string(v, self->up_node); break;
	case PROP_DOWNSTREAM_DEVICE: g_value_set_string(v, self->down_node); break;
	case PROP_UPSTREAM_USAGE: g_value_set_string(v, self->up_usage); break;
	case PROP_DOWNSTREAM_USAGE: g_value_set_string(v, self->down_usage); break;
	case PROP_MAX_BUFFERS: g_value_set_uint(v, self->max_buffers); break;
	default: G_OBJECT_WARN_INVALID_PROPERTY_ID(obj, id, ps); break;
	}
	g_mutex_unlock(&self->lock);
}

static void gst_liballoc_pool_finalize(GObject *obj)
{
	GstLiballocPool *self = GST_LIBALLOC_POOL(obj);

	g_clear_object(&self->pool);
	g_clear_object(&self->alloc);
	g_free(self->up_node);
	g_free(self->down_node);
	g_free(self->up_usage);
	g_free(self->down_usage);
	g_mutex_clear(&self->lock);
	G_OBJECT_CLASS(gst_liballoc_pool_parent_class)->finalize(obj);
}

static void gst_liballoc_pool_class_init(GstLiballocPoolClass *klass)
{
	GObjectClass *oc = G_OBJECT_CLASS(klass);
	GstElementClass *ec = GST_ELEMENT_CLASS(klass);
	GstBaseTransformClass *tc = GST_BASE_TRANSFORM_CLASS(klass);
	const GParamFlags rw = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS;

	oc->set_property = gst_liballoc_pool_set_property;
	oc->get_property = gst_liballoc_pool_get_property;
	oc->finalize = gst_liballoc_pool_finalize;
	g_object_class_install_property(oc, PROP_UPSTREAM_DEVICE,
		g_param_spec_string("upstream-device", "Upstream device",
				    "Node of the device that writes the frames (NULL: the "
				    "nearest upstream element's \"device\")", NULL, rw));
	g_object_class_install_property(oc, PROP_UPSTREAM_USAGE,
		g_param_spec_string("upstream-usage", "Upstream usage",
				    "liballoc usage of the upstream device", DEFAULT_UPSTREAM_USAGE, rw));
	g_object_class_install_property(oc, PROP_DOWNSTREAM_DEVICE,
		g_param_spec_string("downstream-device", "Downstream device",
				    "Node of the device that reads the frames (NULL: the nearest "
				    "downstream element's \"device\" or open DRM \"fd\")", NULL, rw));
	g_object_class_install_property(oc, PROP_DOWNSTREAM_USAGE,
		g_param_spec_string("downstream-usage", "Downstream usage",
				    "liballoc usage of the downstream device", DEFAULT_DOWNSTREAM_USAGE,
				    rw));
	g_object_class_install_property(oc, PROP_MAX_BUFFERS,
		g_param_spec_uint("max-buffers", "Max buffers", "Buffers the pool allocates at most",
				  MIN_BUFFERS, 4096, DEFAULT_MAX_BUFFERS, rw));

	gst_element_class_set_static_metadata(ec, "liballoc pool", "Filter/Video",
		"Answers upstream's allocation query with liballoc buffers negotiated between "
		"the upstream and downstream devices (zero copy from camera to display)",
		"liballoc");
	gst_element_class_add_static_pad_template(ec, &sink_template);
	gst_element_class_add_static_pad_template(ec, &src_template);

	tc->set_caps = gst_liballoc_pool_set_caps;
	tc->propose_allocation = gst_liballoc_pool_propose_allocation;
	tc->transform_ip = gst_liballoc_pool_transform_ip;
	tc->transform_ip_on_passthrough = TRUE;
	tc->sink_event = gst_liballoc_pool_sink_event;
	tc->stop = gst_liballoc_pool_stop;
	GST_DEBUG_CATEGORY_INIT(gst_liballoc_pool_debug, "liballocpool", 0,
				"liballoc pool between two devices");
}

static void gst_liballoc_pool_init(GstLiballocPool *self)
{
	g_mutex_init(&self->lock);
	self->up_usage = g_strdup(DEFAULT_UPSTREAM_USAGE);
	self->down_usage = g_strdup(DEFAULT_DOWNSTREAM_USAGE);
	self->max_buffers = DEFAULT_MAX_BUFFERS;
	gst_base_transform_set_passthrough(GST_BASE_TRANSFORM(self), TRUE);
	gst_base_transform_set_in_place(GST_BASE_TRANSFORM(self), TRUE);
}
