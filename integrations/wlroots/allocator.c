/* SPDX-License-Identifier: MIT */
/*
 * The wlr_allocator: devices from the backend and the renderer, one
 * negotiated shape per (size, format, modifier list) wlroots asks for,
 * kept while wlroots keeps asking (a primary and a cursor swapchain
 * alternate), buffers from each shape's pool.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <wlr/backend.h>
#include <wlr/render/allocator.h>
#include <wlr/render/drm_format_set.h>
#include <wlr/render/wlr_renderer.h>
#include <wlr/types/wlr_buffer.h>
#include <wlr/util/log.h>

#include "la-wlr-allocator.h"
#include "la-wlr-private.h"
#include "negotiate.h"

#define MAX_SHAPES 4

struct lawlr_allocator {
	struct wlr_allocator base;
	struct lawlr_ctx *ctx;
	struct lawlr_shape *shapes[MAX_SHAPES];
	uint64_t clock;
};

static const struct wlr_allocator_interface allocator_impl;

bool la_wlr_allocator_is(const struct wlr_allocator *alloc)
{
	return alloc && alloc->impl == &allocator_impl;
}

static struct lawlr_allocator *from_wlr(struct wlr_allocator *a)
{
	return la_wlr_allocator_is(a) ? (struct lawlr_allocator *)a : NULL;
}

void lawlr_ctx_unref(struct lawlr_ctx *c)
{
	if (!c || --c->refs > 0)
		return;
	for (size_t i = 0; i < c->n_req; i++)
		la_device_unref(c->req[i].device);
	la_context_destroy(c->la);
	free(c);
}

void lawlr_shape_unref(struct lawlr_shape *s)
{
	if (!s || --s->refs > 0)
		return;
	if (s->pool) {
		struct la_pool_stats st;
		char fmt[32];
		la_pool_get_stats(s->pool, &st);
		wlr_log(WLR_INFO, "liballoc: %dx%d %s pool done: %" PRIu64 " buffers allocated, "
			"%" PRIu64 " reuses, at most %u at once", s->width, s->height,
			la_format_name(s->format, fmt, sizeof(fmt)), st.allocations, st.reuses, st.peak);
	}
	la_pool_destroy(s->pool);
	la_result_destroy(s->res);
	lawlr_ctx_unref(s->ctx);
	free(s->mods);
	free(s);
}

static void drop_shapes(struct lawlr_allocator *a)
{
	for (size_t i = 0; i < MAX_SHAPES; i++) {
		lawlr_shape_unref(a->shapes[i]);
		a->shapes[i] = NULL;
	}
}

/* liballoc's own messages (a backend that failed to load ...) go to wlroots' log. */
static void log_to_wlr(void *data, enum la_log_level level, const char *msg)
{
	enum wlr_log_importance imp = level <= LA_LOG_ERROR ? WLR_ERROR
				    : level <= LA_LOG_INFO   ? WLR_INFO
							     : WLR_DEBUG;
	wlr_log(imp, "liballoc: %s", msg);
}

static int add_request(struct lawlr_ctx *c, struct la_device *dev, uint64_t usage)
{
	if (c->n_req >= LAWLR_MAX_DEVICES) {
		la_device_unref(dev);
		return -E2BIG;
	}
	c->req[c->n_req++] = (struct la_request){dev, usage};
	return 0;
}

/* Opens a wlroots fd through liballoc, which keeps its own duplicate. */
static int add_fd(struct lawlr_ctx *c, int fd, const char *role, uint64_t usage)
{
	struct la_device *dev = NULL;
	int ret = la_device_open_fd(c->la, fd, &dev);

	if (ret < 0) {
		wlr_log(WLR_ERROR, "liballoc: the %s device (fd %d) is not usable: %s", role, fd,
			la_last_diagnosis());
		return ret;
	}
	for (size_t i = 0; i < c->n_req; i++) {
		/* a renderer on the display's own device: one device, both usages */
		if (la_device_get_devnum(c->req[i].device) == la_device_get_devnum(dev) &&
		    la_device_get_devnum(dev) != 0) {
			c->req[i].usage |= usage;
			la_device_unref(dev);
			return 0;
		}
	}
	wlr_log(WLR_INFO, "liballoc: %s device %s", role, la_device_get_label(dev));
	return add_request(c, dev, usage);
}

static struct lawlr_ctx *ctx_create(struct wlr_backend *backend, struct wlr_renderer *renderer)
{
	struct lawlr_ctx *c = calloc(1, sizeof(*c));
	int render_fd = renderer ? wlr_renderer_get_drm_fd(renderer) : -1;
	int scanout_fd = backend ? wlr_backend_get_drm_fd(backend) : -1;
	/* without a render device the renderer is the CPU (pixman) */
	uint64_t cpu = render_fd < 0 ? LA_USAGE_CPU_READ | LA_USAGE_CPU_WRITE : 0;

	if (!c)
		return NULL;
	c->refs = 1;
	if (la_context_new(&c->la) < 0) {
		free(c);
		return NULL;
	}
	la_context_set_log_handler(c->la, log_to_wlr, NULL);
	if (scanout_fd >= 0 && add_fd(c, scanout_fd, "scanout", LA_USAGE_SCANOUT | cpu) < 0)
		goto fail;
	if (render_fd >= 0 && add_fd(c, render_fd, "render", LA_USAGE_RENDER) < 0)
		goto fail;
	if (c->n_req == 0) {
		wlr_log(WLR_ERROR, "liballoc: neither the backend nor the renderer has a DRM "
			"device to negotiate for");
		goto fail;
	}
	return c;
fail:
	lawlr_ctx_unref(c);
	return NULL;
}

struct wlr_allocator *la_wlr_allocator_create(struct wlr_backend *backend,
					      struct wlr_renderer *renderer)
{
	struct lawlr_allocator *a = calloc(1, sizeof(*a));

	if (!a)
		return NULL;
	a->ctx = ctx_create(backend, renderer);
	if (!a->ctx) {
		free(a);
		return NULL;
	}
	wlr_allocator_init(&a->base, &allocator_impl,
			   WLR_BUFFER_CAP_DMABUF | WLR_BUFFER_CAP_DATA_PTR);
	return &a->base;
}

int la_wlr_allocator_add_device(struct wlr_allocator *alloc, const char *node, uint64_t usage)
{
	struct lawlr_allocator *a = from_wlr(alloc);
	struct la_device *dev = NULL;

	if (!a || !node || !usage)
		return -EINVAL;
	if (a->ctx->n_req >= LAWLR_MAX_DEVICES)
		return -E2BIG;
	int ret = la_device_open(a->ctx->la, node, &dev);
	if (ret < 0) {
		wlr_log(WLR_ERROR, "liballoc: cannot add %s: %s", node, la_last_diagnosis());
		return ret;
	}
	wlr_log(WLR_INFO, "liballoc: also for %s", la_device_get_label(dev));
	drop_shapes(a); /* negotiated without it */
	return add_request(a->ctx, dev, usage);
}

static bool same_shape(const struct lawlr_shape *s, int w, int h, const struct wlr_drm_format *f)
{
	return s && s->width == w && s->height == h && s->format == f->format &&
	       s->n_mods == f->len &&
	       (f->len == 0 || !memcmp(s->mods, f->modifiers, f->len * sizeof(uint64_t)));
}

/* The cached shape, or a new one in the least recently used slot. */
static struct lawlr_shape *get_shape(struct lawlr_allocator *a, int w, int h,
				     const struct wlr_drm_format *f)
{
	size_t slot = 0;

	for (size_t i = 0; i < MAX_SHAPES; i++) {
		if (same_shape(a->shapes[i], w, h, f)) {
			a->shapes[i]->last_use = ++a->clock;
			return a->shapes[i];
		}
		if (!a->shapes[i] || (a->shapes[slot] && a->shapes[i]->last_use < a->shapes[slot]->last_use))
			slot = i;
	}
	struct lawlr_shape *s = lawlr_negotiate(a->ctx, w, h, f);
	if (!s)
		return NULL;
	lawlr_shape_unref(a->shapes[slot]);
	a->shapes[slot] = s;
	s->last_use = ++a->clock;
	return s;
}

static struct wlr_buffer *allocator_create_buffer(struct wlr_allocator *alloc, int width,
						  int height, const struct wlr_drm_format *format)
{
	struct lawlr_allocator *a = from_wlr(alloc);
	struct lawlr_shape *s = get_shape(a, width, height, format);

	return s ? lawlr_buffer_create(s) : NULL;
}

static void allocator_destroy(struct wlr_allocator *alloc)
{
	struct lawlr_allocator *a = from_wlr(alloc);

	drop_shapes(a); /* shapes with buffers left live on until those go */
	lawlr_ctx_unref(a->ctx);
	free(a);
}

static const struct wlr_allocator_interface allocator_impl = {
	.create_buffer = allocator_create_buffer,
	.destroy = allocator_destroy,
};
