/* SPDX-License-Identifier: MIT */
/*
 * Outputs: liballoc's allocator and the pixman renderer for each, the
 * mode(s), and every frame four quadrants drawn by the renderer into the
 * buffer wlroots' swapchain took from the allocator.
 */
#include <stdio.h>
#include <stdlib.h>

#include <wlr/render/wlr_renderer.h>
#include <wlr/types/wlr_output.h>
#include <wlr/util/box.h>

#include "comp.h"

struct out {
	struct comp *c;
	struct wlr_output *output;
	struct wl_listener frame;
	struct wl_listener destroy;
};

void comp_finish(struct comp *c, int status)
{
	c->status = status;
	c->done = true;
	wl_display_terminate(c->display);
}

static void draw(struct comp *c, struct wlr_output *o)
{
	static const float colors[4][4] = {
		{1, 0, 0, 1}, {0, 1, 0, 1}, {0, 0, 1, 1}, {1, 1, 1, 1},
	};
	int x0 = (o->width - FRAME_W) / 2, y0 = (o->height - FRAME_H) / 2;

	wlr_renderer_begin(c->renderer, (uint32_t)o->width, (uint32_t)o->height);
	wlr_renderer_clear(c->renderer, (float[4]){0, 0, 0, 1});
	for (int i = 0; i < 4; i++) {
		struct wlr_box box = {x0 + (i % 2) * FRAME_W / 2, y0 + (i / 2) * FRAME_H / 2,
				      FRAME_W / 2, FRAME_H / 2};
		wlr_render_rect(c->renderer, &box, colors[i], o->transform_matrix);
	}
	wlr_renderer_end(c->renderer);
}

static bool next_mode(struct comp *c, struct wlr_output *o);

static void on_frame(struct wl_listener *l, void *data)
{
	struct out *out = wl_container_of(l, out, frame);
	struct comp *c = out->c;

	if (c->shown >= c->o.frames) {
		/* the last committed frame is on screen now */
		int st = 0;
		if (c->o.screenshot) {
			st = system(c->o.screenshot);
			st = st == -1 ? 1 : WEXITSTATUS(st);
			printf("screenshot command: exit %d\n", st);
		}
		comp_finish(c, st);
		return;
	}
	if (!next_mode(c, out->output)) {
		comp_finish(c, 1);
		return;
	}
	if (!wlr_output_attach_render(out->output, NULL)) {
		fprintf(stderr, "%s: cannot attach a render buffer (see the log)\n",
			out->output->name);
		comp_finish(c, 1);
		return;
	}
	draw(c, out->output);
	if (!wlr_output_commit(out->output)) {
		fprintf(stderr, "%s: commit failed (see the log)\n", out->output->name);
		comp_finish(c, 1);
		return;
	}
	if (++c->shown == 1)
		printf("first frame shown on %s\n", out->output->name);
}

static void on_output_destroy(struct wl_listener *l, void *data)
{
	struct out *out = wl_container_of(l, out, destroy);

	wl_list_remove(&out->frame.link);
	wl_list_remove(&out->destroy.link);
	free(out);
}

/* --mode's i-th mode, or the preferred one without --mode; NULL if the connector lacks it */
static struct wlr_output_mode *pick_mode(struct comp *c, struct wlr_output *o, int i)
{
	struct wlr_output_mode *m;

	if (!c->o.n_modes)
		return wlr_output_preferred_mode(o);
	wl_list_for_each(m, &o->modes, link) {
		if (m->width == c->o.mode_w[i] && m->height == c->o.mode_h[i])
			return m;
	}
	fprintf(stderr, "%s: no %dx%d mode\n", o->name, c->o.mode_w[i], c->o.mode_h[i]);
	return NULL;
}

/*
 * With several --mode sizes the frames are split between them: each change
 * makes wlroots build a new swapchain, and coming back to a size liballoc
 * has seen takes the buffers of that shape's pool again.
 */
static bool next_mode(struct comp *c, struct wlr_output *o)
{
	int per = c->o.frames / (c->o.n_modes ? c->o.n_modes : 1);
	int i = per ? c->shown / per : 0;

	if (c->o.n_modes < 2 || c->shown == 0 || c->shown % per || i >= c->o.n_modes)
		return true;
	struct wlr_output_mode *m = pick_mode(c, o, i);
	if (!m)
		return false;
	wlr_output_set_mode(o, m);
	printf("mode %dx%d from frame %d\n", m->width, m->height, c->shown + 1);
	return true;
}

void comp_on_new_output(struct wl_listener *l, void *data)
{
	struct comp *c = wl_container_of(l, c, new_output);
	struct wlr_output *o = data;
	struct out *out = calloc(1, sizeof(*out));

	if (!out || !wlr_output_init_render(o, c->allocator, c->renderer)) {
		free(out);
		comp_finish(c, 1);
		return;
	}
	out->c = c;
	out->output = o;
	out->frame.notify = on_frame;
	wl_signal_add(&o->events.frame, &out->frame);
	out->destroy.notify = on_output_destroy;
	wl_signal_add(&o->events.destroy, &out->destroy);
	struct wlr_output_mode *mode = pick_mode(c, o, 0);
	if (!mode && c->o.n_modes) {
		comp_finish(c, 1);
		return;
	}
	if (mode)
		wlr_output_set_mode(o, mode);
	wlr_output_enable(o, true);
	if (!wlr_output_commit(o)) {
		fprintf(stderr, "%s: enabling failed (see the log)\n", o->name);
		comp_finish(c, 1);
		return;
	}
	printf("output %s: %dx%d\n", o->name, o->width, o->height);
	if (o->width < FRAME_W || o->height < FRAME_H) {
		fprintf(stderr, "%s: mode smaller than the %dx%d frame\n", o->name, FRAME_W, FRAME_H);
		comp_finish(c, 1);
	}
}
