/* SPDX-License-Identifier: MIT */
/*
 * liballoc-gst-show: liballoc buffers through appsrc ! kmssink.
 *
 *   liballoc-gst-show [--display NODE] [--size WxH] [--frames N]
 *                     [--screenshot CMD]
 *
 * Negotiates buffers the display scans out and the CPU writes (one
 * device, usage scanout + cpu-write), draws four quadrants (red, green,
 * blue, white) into them through la_buffer_map(), wraps them as dma-buf
 * memory with their GstVideoMeta (GstLiballocBufferPool: la_gst_video_meta)
 * and pushes N frames through appsrc ! kmssink. After EOS, with the last
 * frame still on screen, CMD runs (a screenshot check); then it prints how
 * many of the buffers kmssink imported as they are (its framebuffer of our
 * dma-buf cached on the memory) rather than copied into its own.
 * Without --display the first device that can scan out is taken; kmssink
 * gets that node's file (its "fd" property).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gst/app/gstappsrc.h>
#include <gst/gst.h>

#include <liballoc/interop.h>

#include "gstliballocbufferpool.h"

#define FPS 30
#define BUFFERS 3

struct opts {
	const char *display;
	guint width, height, frames;
	const char *screenshot;
};

static const uint32_t xrgb8888 = 0x34325258; /* 'XR24' */

static int usage_error(const char *msg)
{
	fprintf(stderr, "liballoc-gst-show: %s\nusage: liballoc-gst-show [--display NODE] "
		"[--size WxH] [--frames N] [--screenshot CMD]\n", msg);
	return 2;
}

static int parse(int argc, char **argv, struct opts *o)
{
	*o = (struct opts){.width = 640, .height = 480, .frames = 30};
	for (int i = 1; i < argc; i++) {
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			printf("usage: liballoc-gst-show [--display NODE] [--size WxH] [--frames N] "
			       "[--screenshot CMD]\n");
			exit(0);
		}
		if (!v)
			return usage_error("an option without its value");
		if (!strcmp(argv[i], "--display"))
			o->display = v;
		else if (!strcmp(argv[i], "--screenshot"))
			o->screenshot = v;
		else if (!strcmp(argv[i], "--size")) {
			if (sscanf(v, "%ux%u", &o->width, &o->height) != 2 || !o->width || !o->height)
				return usage_error("--size wants WxH");
		} else if (!strcmp(argv[i], "--frames")) {
			o->frames = (guint)strtoul(v, NULL, 10);
			if (!o->frames)
				return usage_error("--frames wants a count above 0");
		} else
			return usage_error("unknown option");
		i++;
	}
	return 0;
}

/*
 * The display's node: the one given, else the first device that can scan
 * out (every device the enumeration opened is closed again: see kms_fd).
 */
static int find_display(struct la_context *ctx, const struct opts *o,
			const struct la_assertion *a, char *node, size_t len)
{
	struct la_device **devs = NULL;
	size_t n = 0;
	int ret;

	if (o->display) {
		snprintf(node, len, "%s", o->display);
		return 0;
	}
	if ((ret = la_context_enumerate(ctx, &devs, &n)) < 0)
		return ret;
	ret = -ENODEV;
	for (size_t i = 0; i < n && ret < 0; i++) {
		struct la_capset *set = NULL;
		if (la_device_get_capabilities(devs[i], LA_USAGE_SCANOUT, a, &set) == 0 &&
		    la_capset_get_candidate_count(set) > 0 && la_device_get_node(devs[i])[0]) {
			snprintf(node, len, "%s", la_device_get_node(devs[i]));
			ret = 0;
		}
		la_capset_destroy(set);
	}
	la_device_list_free(devs, n);
	return ret;
}

/* Four quadrants, as examples/tests/check-screen expects them. */
static int draw(GstBuffer *gbuf, const struct la_descriptor *d)
{
	static const uint32_t colours[4] = {0xffff0000, 0xff00ff00, 0xff0000ff, 0xffffffff};
	struct la_buffer *buf = gst_liballoc_memory_get_buffer(gst_buffer_peek_memory(gbuf, 0));
	void *p;
	int ret = la_buffer_map(buf, 0, LA_MAP_WRITE, &p);

	if (ret < 0)
		return ret;
	for (uint32_t y = 0; y < d->height; y++) {
		uint32_t *row = (uint32_t *)((uint8_t *)p + d->planes[0].pitch * y);
		for (uint32_t x = 0; x < d->width; x++)
			row[x] = colours[(x >= d->width / 2) + 2 * (y >= d->height / 2)];
	}
	return la_buffer_unmap(buf, 0);
}

struct app {
	struct opts o;
	GstElement *pipeline, *src;
	GstBufferPool *pool;
	GstLiballocAllocator *alloc;
	struct la_descriptor desc;
	char node[256];
	/*
	 * kmssink's own file of the display, opened before liballoc opens
	 * its own: the first file of a DRM node is its master, and kmssink
	 * sets the mode. A file of its own, not liballoc's: files share GEM
	 * handles, which kmssink closes after its imports.
	 */
	int kms_fd;
};

static GstCaps *caps_of(const struct la_descriptor *d)
{
	char text[LA_GST_CAPS_MAX];

	if (la_gst_caps_string(d, LA_GST_CAPS_FORMAT, text, sizeof(text)) < 0) {
		fprintf(stderr, "liballoc-gst-show: caps: %s\n", la_last_diagnosis());
		return NULL;
	}
	GstCaps *caps = gst_caps_from_string(text);
	/*
	 * GStreamer 1.22's kmssink takes system-memory caps only; dma-buf
	 * memory travels in them (v4l2src io-mode=dmabuf does the same). The
	 * memory:DMABuf feature is for DMA_DRM caps (1.24).
	 */
	gst_caps_set_features(caps, 0, gst_caps_features_new_empty());
	gst_caps_set_simple(caps, "framerate", GST_TYPE_FRACTION, FPS, 1, NULL);
	return caps;
}

static int setup(struct app *app)
{
	struct la_context *ctx = NULL;
	struct la_device *disp = NULL;
	struct la_result *res = NULL;
	struct la_assertion a = {.width = app->o.width, .height = app->o.height,
				 .formats = &xrgb8888, .n_formats = 1, .buffer_count = BUFFERS};
	int ret;

	if ((ret = la_context_new(&ctx)) < 0 ||
	    (ret = find_display(ctx, &app->o, &a, app->node, sizeof(app->node))) < 0) {
		fprintf(stderr, "liballoc-gst-show: display: %s\n",
			ret == -ENODEV ? "no device can scan out" : la_last_diagnosis());
		goto fail;
	}
	if ((app->kms_fd = open(app->node, O_RDWR | O_CLOEXEC)) < 0) {
		ret = -errno;
		fprintf(stderr, "liballoc-gst-show: %s: %s\n", app->node, strerror(errno));
		goto fail;
	}
	if ((ret = la_device_open(ctx, app->node, &disp)) < 0) {
		fprintf(stderr, "liballoc-gst-show: display: %s\n", la_last_diagnosis());
		goto fail;
	}
	struct la_request req = {disp, LA_USAGE_SCANOUT | LA_USAGE_CPU_WRITE};
	if ((ret = la_negotiate(ctx, &a, &req, 1, &res)) < 0) {
		fprintf(stderr, "liballoc-gst-show: %s\n",
			res ? la_result_get_diagnosis(res) : la_last_diagnosis());
		goto fail;
	}
	printf("display: %s\n", la_device_get_label(disp));
	disp = la_device_unref(disp); /* res holds its own reference */
	if (!(app->alloc = gst_liballoc_allocator_new(ctx, res, BUFFERS))) {
		fprintf(stderr, "liballoc-gst-show: pool: %s\n", la_last_diagnosis());
		ret = -ENOMEM;
		goto fail;
	}
	ctx = NULL; /* the allocator's, with res */
	res = NULL;
	GstMemory *mem = gst_liballoc_allocator_alloc_memory(app->alloc, &app->desc);
	if (!mem) {
		fprintf(stderr, "liballoc-gst-show: allocation: %s\n", la_last_diagnosis());
		return -ENOMEM;
	}
	gst_memory_unref(mem);
	return 0;
fail:
	la_result_destroy(res);
	la_device_unref(disp);
	if (ctx)
		la_context_destroy(ctx);
	return ret < 0 ? ret : -EINVAL;
}

static int make_pipeline(struct app *app, GstCaps *caps)
{
	GstVideoInfo info;
	GError *err = NULL;

	app->pipeline = gst_parse_launch("appsrc name=src format=time is-live=false ! "
					 "kmssink name=sink force-modesetting=true", &err);
	if (!app->pipeline) {
		fprintf(stderr, "liballoc-gst-show: pipeline: %s\n", err->message);
		g_error_free(err);
		return -EINVAL;
	}
	app->src = gst_bin_get_by_name(GST_BIN(app->pipeline), "src");
	GstElement *sink = gst_bin_get_by_name(GST_BIN(app->pipeline), "sink");
	g_object_set(sink, "fd", app->kms_fd, NULL); /* lent: kmssink closes only what it opened */
	gst_object_unref(sink);
	g_object_set(app->src, "caps", caps, NULL);
	gst_video_info_from_caps(&info, caps);
	app->pool = gst_liballoc_buffer_pool_new(app->alloc, &info);
	GstStructure *cfg = gst_buffer_pool_get_config(app->pool);
	gst_buffer_pool_config_set_params(cfg, caps, (guint)info.size, BUFFERS, BUFFERS);
	if (!gst_buffer_pool_set_config(app->pool, cfg) ||
	    !gst_buffer_pool_set_active(app->pool, TRUE)) {
		fprintf(stderr, "liballoc-gst-show: the buffer pool refused its configuration\n");
		return -EINVAL;
	}
	return 0;
}

/* Waits for EOS or an error; FALSE on error (printed). */
static gboolean wait_eos(GstElement *pipeline)
{
	GstBus *bus = gst_element_get_bus(pipeline);
	GstMessage *m = gst_bus_timed_pop_filtered(bus, 30 * GST_SECOND,
						   GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
	gboolean ok = m && GST_MESSAGE_TYPE(m) == GST_MESSAGE_EOS;

	if (m && !ok) {
		GError *e = NULL;
		gchar *dbg = NULL;
		gst_message_parse_error(m, &e, &dbg);
		fprintf(stderr, "liballoc-gst-show: %s: %s (%s)\n", GST_OBJECT_NAME(m->src),
			e->message, dbg ? dbg : "");
		g_error_free(e);
		g_free(dbg);
	} else if (!m)
		fprintf(stderr, "liballoc-gst-show: no EOS within 30 s\n");
	if (m)
		gst_message_unref(m);
	gst_object_unref(bus);
	return ok;
}

static int run(struct app *app)
{
	char fmt[32];

	printf("buffers: %s %ux%u, pitch %llu, modifier %s, allocation path %s\n",
	       la_format_name(app->desc.format, fmt, sizeof(fmt)), app->desc.width,
	       app->desc.height, (unsigned long long)app->desc.planes[0].pitch,
	       app->desc.modifier == LA_MODIFIER_LINEAR ? "linear" : "other",
	       gst_liballoc_allocator_get_path(app->alloc));
	if (gst_element_set_state(app->pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
		fprintf(stderr, "liballoc-gst-show: the pipeline does not start\n");
		wait_eos(app->pipeline);
		return 1;
	}
	for (guint i = 0; i < app->o.frames; i++) {
		GstBuffer *buf = NULL;
		if (gst_buffer_pool_acquire_buffer(app->pool, &buf, NULL) != GST_FLOW_OK) {
			fprintf(stderr, "liballoc-gst-show: no buffer: %s\n", la_last_diagnosis());
			return 1;
		}
		if (draw(buf, &app->desc) < 0) {
			fprintf(stderr, "liballoc-gst-show: map: %s\n", la_last_diagnosis());
			gst_buffer_unref(buf);
			return 1;
		}
		GST_BUFFER_PTS(buf) = gst_util_uint64_scale(i, GST_SECOND, FPS);
		GST_BUFFER_DURATION(buf) = GST_SECOND / FPS;
		if (gst_app_src_push_buffer(GST_APP_SRC(app->src), buf) != GST_FLOW_OK) {
			fprintf(stderr, "liballoc-gst-show: push refused at frame %u\n", i);
			break;
		}
	}
	gst_app_src_end_of_stream(GST_APP_SRC(app->src));
	if (!wait_eos(app->pipeline))
		return 1;
	printf("shown %u frames\n", app->o.frames);
	fflush(stdout);
	int status = app->o.screenshot ? system(app->o.screenshot) : 0;
	struct la_pool_stats st;
	gst_liballoc_allocator_get_stats(app->alloc, &st);
	guint imported = gst_liballoc_buffer_pool_get_imported(app->pool);
	printf("%s: kmssink imported %u of %llu liballoc buffers\n",
	       imported > 0 && imported == st.allocations ? "zero copy" : "not zero copy", imported,
	       (unsigned long long)st.allocations);
	if (status != 0)
		fprintf(stderr, "liballoc-gst-show: --screenshot command failed (%d)\n", status);
	return status != 0;
}

int main(int argc, char **argv)
{
	struct app app = {.kms_fd = -1};
	GstCaps *caps = NULL;
	int ret;

	gst_init(&argc, &argv);
	if ((ret = parse(argc, argv, &app.o)) != 0)
		return ret;
	ret = 1;
	if (setup(&app) < 0 || !(caps = caps_of(&app.desc)) || make_pipeline(&app, caps) < 0)
		goto out;
	ret = run(&app);
out:
	if (app.pipeline)
		gst_element_set_state(app.pipeline, GST_STATE_NULL);
	if (app.pool) {
		gst_buffer_pool_set_active(app.pool, FALSE);
		gst_object_unref(app.pool);
	}
	if (app.src)
		gst_object_unref(app.src);
	if (app.pipeline)
		gst_object_unref(app.pipeline);
	if (caps)
		gst_caps_unref(caps);
	if (app.alloc)
		gst_object_unref(app.alloc);
	if (app.kms_fd >= 0)
		close(app.kms_fd);
	return ret;
}
