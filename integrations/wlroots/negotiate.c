/* SPDX-License-Identifier: MIT */
/*
 * One negotiation per shape wlroots asks for, logged the way alloc-info
 * prints one: the devices with their usages, what was asked, the chosen
 * candidate and allocation path; or, when none fits, liballoc's diagnosis
 * (which names the device and the constraint).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <wlr/render/drm_format_set.h>
#include <wlr/util/log.h>

#include "negotiate.h"

#define MAX_MODS 64

static void usage_text(uint64_t usage, char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = '\0';
	for (int b = 0; b < 64 && n < len; b++) {
		const char *name = la_usage_name(UINT64_C(1) << b);
		if (!(usage & (UINT64_C(1) << b)))
			continue;
		n += (size_t)snprintf(buf + n, len - n, "%s%s", n ? "," : "", name ? name : "?");
	}
}

/* "virtio_gpu (/dev/dri/card0) [scanout,cpu-read,cpu-write], ..." */
static void devices_text(const struct la_request *req, size_t n_req, char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < n_req && n < len; i++) {
		char u[128];
		usage_text(req[i].usage, u, sizeof(u));
		n += (size_t)snprintf(buf + n, len - n, "%s%s [%s]", i ? ", " : "",
				      la_device_get_label(req[i].device), u);
	}
}

static void mods_text(const uint64_t *mods, size_t n_mods, char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < n_mods && n < len; i++) {
		char m[32];
		n += (size_t)snprintf(buf + n, len - n, "%s%s", i ? "," : "",
				      la_modifier_name(mods[i], m, sizeof(m)));
	}
	if (!n_mods)
		snprintf(buf, len, "none");
}

static bool has_mod(const uint64_t *mods, size_t n, uint64_t m)
{
	for (size_t i = 0; i < n; i++)
		if (mods[i] == m)
			return true;
	return false;
}

/*
 * wlroots' list as liballoc's: INVALID is liballoc's implicit (the same
 * value); with it, LINEAR too, which wlroots documents as the other layout
 * a buffer allocated without explicit modifiers may have.
 */
static size_t la_mods(const struct wlr_drm_format *f, uint64_t *out)
{
	size_t n = 0;

	for (size_t i = 0; i < f->len && n < MAX_MODS - 1; i++)
		if (!has_mod(out, n, f->modifiers[i]))
			out[n++] = f->modifiers[i];
	if (has_mod(out, n, LA_MODIFIER_IMPLICIT) && !has_mod(out, n, LA_MODIFIER_LINEAR))
		out[n++] = LA_MODIFIER_LINEAR;
	return n;
}

static void log_choice(const struct lawlr_shape *s, const char *devs, const char *asked)
{
	struct la_candidate c;
	struct la_path_info p = {0};
	char fmt[32], mod[32];
	int chosen = la_result_get_chosen_candidate(s->res);

	la_result_get_candidate(s->res, (size_t)chosen, &c);
	la_result_get_path(s->res, 0, &p);
	wlr_log(WLR_INFO, "liballoc: negotiated %dx%d for %s; asked %s, modifiers %s",
		s->width, s->height, devs, la_format_name(s->format, fmt, sizeof(fmt)), asked);
	wlr_log(WLR_INFO, "liballoc: chosen: %s modifier %s (candidate %d of %zu); "
		"allocation path: %s (rank %d): %s",
		la_format_name(c.format, fmt, sizeof(fmt)),
		la_modifier_name(c.modifier, mod, sizeof(mod)), chosen + 1,
		la_result_get_candidate_count(s->res), p.name ? p.name : "?", p.rank,
		p.reason ? p.reason : "");
	for (size_t i = 1; i < la_result_get_path_count(s->res); i++) {
		if (la_result_get_path(s->res, i, &p) == 0)
			wlr_log(WLR_DEBUG, "liballoc:   other path %s: %s: %s", p.name,
				p.matched ? "matched" : "refused", p.reason ? p.reason : "");
	}
	const char *note = la_result_get_diagnosis(s->res);
	if (note && note[0])
		wlr_log(WLR_INFO, "liballoc: note: %s", note);
}

static struct lawlr_shape *shape_new(struct lawlr_ctx *c, int w, int h,
				     const struct wlr_drm_format *f)
{
	struct lawlr_shape *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->mods = f->len ? malloc(f->len * sizeof(uint64_t)) : NULL;
	if (f->len && !s->mods) {
		free(s);
		return NULL;
	}
	if (f->len)
		memcpy(s->mods, f->modifiers, f->len * sizeof(uint64_t));
	s->n_mods = f->len;
	s->refs = 1;
	s->ctx = c;
	c->refs++;
	s->width = w;
	s->height = h;
	s->format = f->format;
	for (size_t i = 0; i < c->n_req; i++)
		s->cpu_access |= (c->req[i].usage & (LA_USAGE_CPU_READ | LA_USAGE_CPU_WRITE)) != 0;
	return s;
}

/* Cursor planes are at most this big on the drivers we know (64 to 256 pixels). */
#define CURSOR_MAX 512

/*
 * wlroots 0.15's create_buffer does not say what a buffer is for, and the
 * DRM backend's cursor swapchain asks for small ARGB8888 buffers a
 * primary plane may refuse (virtio_gpu's takes XRGB8888 only). When the
 * primary plane refused a cursor-sized buffer, the cursor plane is asked.
 * On success the shape gets the cursor's result and devs says "cursor";
 * on failure the primary plane's result (and its diagnosis) stays.
 */
static int cursor_retry(const struct lawlr_ctx *c, const struct la_assertion *as,
			struct lawlr_shape *s, char *devs, size_t len)
{
	struct la_request req[LAWLR_MAX_DEVICES];
	struct la_result *res = NULL;
	bool scanout = false;

	if (as->width > CURSOR_MAX || as->height > CURSOR_MAX)
		return -ENOENT;
	for (size_t i = 0; i < c->n_req; i++) {
		req[i] = c->req[i];
		if (req[i].usage & LA_USAGE_SCANOUT) {
			req[i].usage = (req[i].usage & ~LA_USAGE_SCANOUT) | LA_USAGE_CURSOR;
			scanout = true;
		}
	}
	if (!scanout)
		return -ENOENT;
	int ret = la_negotiate(c->la, as, req, c->n_req, &res);
	if (ret < 0) {
		la_result_destroy(res);
		return ret;
	}
	wlr_log(WLR_INFO, "liballoc: %ux%u refused for the primary plane (%s); "
		"negotiated for the cursor plane", as->width, as->height,
		s->res ? la_result_get_diagnosis(s->res) : "");
	la_result_destroy(s->res);
	s->res = res;
	devices_text(req, c->n_req, devs, len);
	return 0;
}

struct lawlr_shape *lawlr_negotiate(struct lawlr_ctx *c, int w, int h,
				    const struct wlr_drm_format *f)
{
	uint64_t mods[MAX_MODS];
	size_t n_mods = la_mods(f, mods);
	char devs[1024], asked[512], fmt[32];
	struct la_assertion as = {.width = w > 0 ? (uint32_t)w : 0,
				  .height = h > 0 ? (uint32_t)h : 0,
				  .formats = &f->format, .n_formats = 1,
				  .modifiers = mods, .n_modifiers = n_mods};
	struct lawlr_shape *s;

	devices_text(c->req, c->n_req, devs, sizeof(devs));
	mods_text(mods, n_mods, asked, sizeof(asked));
	la_format_name(f->format, fmt, sizeof(fmt));
	if (w <= 0 || h <= 0 || n_mods == 0) {
		wlr_log(WLR_ERROR, "liballoc: no %dx%d %s buffer for %s: %s", w, h, fmt, devs,
			n_mods ? "the size must be positive" : "wlroots allowed no modifier");
		return NULL;
	}
	s = shape_new(c, w, h, f);
	if (!s)
		return NULL;
	int ret = la_negotiate(c->la, &as, c->req, c->n_req, &s->res);
	if (ret < 0 && cursor_retry(c, &as, s, devs, sizeof(devs)) == 0)
		ret = 0;
	if (ret < 0) {
		wlr_log(WLR_ERROR, "liballoc: no %dx%d %s buffer (modifiers %s) for %s: %s",
			w, h, fmt, asked, devs,
			s->res ? la_result_get_diagnosis(s->res) : la_last_diagnosis());
		lawlr_shape_unref(s);
		return NULL;
	}
	/* a swapchain holds up to 4; the cursor's and a resize's come as new shapes */
	struct la_pool_config pc = {.max_buffers = 8, .max_idle = 4};
	ret = la_pool_new(s->res, &pc, &s->pool);
	if (ret < 0) {
		wlr_log(WLR_ERROR, "liballoc: %dx%d %s buffer pool for %s: %s", w, h, fmt, devs,
			la_last_diagnosis());
		lawlr_shape_unref(s);
		return NULL;
	}
	log_choice(s, devs, asked);
	return s;
}
