/* SPDX-License-Identifier: MIT */
/*
 * la-wlr-compositor: the smallest wlroots compositor that shows a pattern
 * through liballoc's allocator. DRM backend on one KMS card (libseat
 * session: LIBSEAT_BACKEND=builtin as root where no seatd or logind runs), pixman
 * renderer, la_wlr_allocator_create() for the outputs' swapchains. Each
 * frame the renderer draws four quadrants (red, green, blue, white) in a
 * centred 640x480 frame on black into the buffer liballoc allocated.
 *
 *   la-wlr-compositor [--card /dev/dri/cardN] [--mode WxH[,WxH]...] [--frames N]
 *                     [--screenshot CMD]
 *                     [--also NODE:USAGE]... [--probe FORMAT[:WxH]] [-v]
 *
 * --card       the KMS card (default: the first /dev/dri/card* with connectors)
 * --mode       the output's mode (default: the connector's preferred one);
 *              a list (640x480,800x600,640x480) splits the frames between them
 * --frames     frames to show before exiting (default 30)
 * --screenshot a shell command run while the last frame is on screen; its
 *              exit status is the compositor's
 * --also       one more device every buffer must suit (la_wlr_allocator_add_device;
 *              USAGE as liballoc parses it, e.g. "capture" or "sample")
 * --probe      before starting the outputs, ask the allocator for one
 *              buffer of FORMAT (default size 640x480) with the implicit
 *              modifier, as wlroots would; exit 0 if it gave one, 1 if not
 *              (its error is in the log)
 * -v           wlroots' debug log
 */
#ifndef WLR_USE_UNSTABLE
#define WLR_USE_UNSTABLE
#endif
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <drm_fourcc.h>
#include <wayland-server-core.h>
#include <wlr/backend.h>
#include <wlr/backend/drm.h>
#include <wlr/backend/session.h>
#include <wlr/render/allocator.h>
#include <wlr/render/drm_format_set.h>
#include <wlr/render/pixman.h>
#include <wlr/render/wlr_renderer.h>
#include <wlr/types/wlr_buffer.h>
#include <wlr/types/wlr_output.h>
#include <wlr/util/box.h>
#include <wlr/util/log.h>
#include <xf86drmMode.h>

#include <liballoc/liballoc.h>

#include "../la-wlr-allocator.h"

#define FRAME_W 640
#define FRAME_H 480
#define MAX_ALSO 4
#define MAX_MODES 4

struct opts {
	const char *card;
	int frames;
	const char *screenshot;
	const char *also[MAX_ALSO];
	size_t n_also;
	const char *probe;
	int mode_w[MAX_MODES], mode_h[MAX_MODES]; /* none: the preferred mode */
	int n_modes;
	bool verbose;
};

struct comp {
	struct opts o;
	struct wl_display *display;
	struct wlr_backend *backend;
	struct wlr_renderer *renderer;
	struct wlr_allocator *allocator;
	struct wl_listener new_output;
	struct wl_event_source *timeout;
	int shown;
	int status;
	bool done;
};

struct out {
	struct comp *c;
	struct wlr_output *output;
	struct wl_listener frame;
	struct wl_listener destroy;
};

static void finish(struct comp *c, int status)
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
		finish(c, st);
		return;
	}
	if (!next_mode(c, out->output)) {
		finish(c, 1);
		return;
	}
	if (!wlr_output_attach_render(out->output, NULL)) {
		fprintf(stderr, "%s: cannot attach a render buffer (see the log)\n",
			out->output->name);
		finish(c, 1);
		return;
	}
	draw(c, out->output);
	if (!wlr_output_commit(out->output)) {
		fprintf(stderr, "%s: commit failed (see the log)\n", out->output->name);
		finish(c, 1);
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

static void on_new_output(struct wl_listener *l, void *data)
{
	struct comp *c = wl_container_of(l, c, new_output);
	struct wlr_output *o = data;
	struct out *out = calloc(1, sizeof(*out));

	if (!out || !wlr_output_init_render(o, c->allocator, c->renderer)) {
		free(out);
		finish(c, 1);
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
		finish(c, 1);
		return;
	}
	if (mode)
		wlr_output_set_mode(o, mode);
	wlr_output_enable(o, true);
	if (!wlr_output_commit(o)) {
		fprintf(stderr, "%s: enabling failed (see the log)\n", o->name);
		finish(c, 1);
		return;
	}
	printf("output %s: %dx%d\n", o->name, o->width, o->height);
	if (o->width < FRAME_W || o->height < FRAME_H) {
		fprintf(stderr, "%s: mode smaller than the %dx%d frame\n", o->name, FRAME_W, FRAME_H);
		finish(c, 1);
	}
}

static int on_timeout(void *data)
{
	struct comp *c = data;

	fprintf(stderr, "timeout: %d of %d frames shown in 60 s\n", c->shown, c->o.frames);
	finish(c, 1);
	return 0;
}

/* The first card with connectors: vgem and render-only drivers have none. */
static char *find_card(void)
{
	glob_t g;
	char *found = NULL;

	if (glob("/dev/dri/card*", 0, NULL, &g) != 0)
		return NULL;
	for (size_t i = 0; i < g.gl_pathc && !found; i++) {
		int fd = open(g.gl_pathv[i], O_RDWR | O_CLOEXEC);
		if (fd < 0)
			continue;
		drmModeRes *res = drmModeGetResources(fd);
		if (res && res->count_connectors > 0)
			found = strdup(g.gl_pathv[i]);
		drmModeFreeResources(res);
		close(fd);
	}
	globfree(&g);
	return found;
}

/* --probe FORMAT[:WxH]: one buffer as wlroots would ask for it. */
static int probe(struct comp *c)
{
	char name[64];
	unsigned w = FRAME_W, h = FRAME_H;
	uint32_t fourcc;

	snprintf(name, sizeof(name), "%s", c->o.probe);
	char *colon = strchr(name, ':');
	if (colon) {
		*colon = '\0';
		if (sscanf(colon + 1, "%ux%u", &w, &h) != 2) {
			fprintf(stderr, "--probe: size \"%s\" is not WxH\n", colon + 1);
			return 2;
		}
	}
	if (la_format_parse(name, &fourcc) < 0) {
		fprintf(stderr, "--probe: %s\n", la_last_diagnosis());
		return 2;
	}
	struct wlr_drm_format *f = calloc(1, sizeof(*f) + sizeof(uint64_t));
	if (!f)
		return 1;
	f->format = fourcc;
	f->len = f->capacity = 1;
	f->modifiers[0] = DRM_FORMAT_MOD_INVALID;
	struct wlr_buffer *b = wlr_allocator_create_buffer(c->allocator, (int)w, (int)h, f);
	free(f);
	if (!b) {
		printf("probe: no %ux%u %s buffer (the reason is in the log above)\n", w, h, name);
		return 1;
	}
	struct wlr_dmabuf_attributes d;
	bool ok = wlr_buffer_get_dmabuf(b, &d);
	printf("probe: %ux%u %s buffer, dma-buf %s, modifier 0x%016llx, stride %u\n", w, h, name,
	       ok ? "yes" : "no", ok ? (unsigned long long)d.modifier : 0ULL, ok ? d.stride[0] : 0);
	wlr_buffer_drop(b);
	return ok ? 0 : 1;
}

static int parse_modes(const char *arg, struct opts *o)
{
	const char *p = arg;

	o->n_modes = 0;
	while (*p) {
		int w, h, n = 0;
		if (o->n_modes == MAX_MODES || sscanf(p, "%dx%d%n", &w, &h, &n) != 2 || w < 1 ||
		    h < 1 || (p[n] != ',' && p[n] != '\0'))
			return -1;
		o->mode_w[o->n_modes] = w;
		o->mode_h[o->n_modes++] = h;
		p += n + (p[n] == ',');
	}
	return o->n_modes ? 0 : -1;
}

static int parse(int argc, char **argv, struct opts *o)
{
	static const struct option longs[] = {
		{"card", required_argument, NULL, 'c'},
		{"frames", required_argument, NULL, 'f'},
		{"screenshot", required_argument, NULL, 's'},
		{"also", required_argument, NULL, 'a'},
		{"probe", required_argument, NULL, 'p'},
		{"mode", required_argument, NULL, 'm'},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	int ch;

	o->frames = 30;
	while ((ch = getopt_long(argc, argv, "vh", longs, NULL)) != -1) {
		switch (ch) {
		case 'c': o->card = optarg; break;
		case 'f': o->frames = atoi(optarg); break;
		case 's': o->screenshot = optarg; break;
		case 'p': o->probe = optarg; break;
		case 'v': o->verbose = true; break;
		case 'm':
			if (parse_modes(optarg, o) < 0) {
				fprintf(stderr, "--mode %s: want WxH[,WxH]... (at most %d)\n", optarg,
					MAX_MODES);
				return -1;
			}
			break;
		case 'a':
			if (o->n_also == MAX_ALSO) {
				fprintf(stderr, "--also: at most %d\n", MAX_ALSO);
				return -1;
			}
			o->also[o->n_also++] = optarg;
			break;
		case 'h':
			printf("usage: la-wlr-compositor [--card NODE] [--mode WxH[,WxH]...] [--frames N] "
			       "[--screenshot CMD] [--also NODE:USAGE]... [--probe FORMAT[:WxH]] [-v]\n");
			exit(0);
		default:
			return -1;
		}
	}
	if (optind != argc || o->frames < 1 || o->frames < o->n_modes) {
		fprintf(stderr, "usage: see --help\n");
		return -1;
	}
	return 0;
}

static int add_also(struct comp *c)
{
	for (size_t i = 0; i < c->o.n_also; i++) {
		char node[256];
		uint64_t usage;
		snprintf(node, sizeof(node), "%s", c->o.also[i]);
		char *colon = strrchr(node, ':');
		if (!colon || la_usage_parse(colon + 1, &usage) < 0) {
			fprintf(stderr, "--also %s: want NODE:USAGE (%s)\n", c->o.also[i],
				colon ? la_last_diagnosis() : "no usage");
			return -1;
		}
		*colon = '\0';
		if (la_wlr_allocator_add_device(c->allocator, node, usage) < 0)
			return -1;
	}
	return 0;
}

/*
 * libseat says the seat is enabled through the event loop: until then
 * the DRM backend refuses every commit.
 */
static bool wait_active(struct comp *c, struct wlr_session *session)
{
	struct wl_event_loop *loop = wl_display_get_event_loop(c->display);

	for (int i = 0; i < 50 && !session->active; i++)
		wl_event_loop_dispatch(loop, 100);
	if (!session->active)
		fprintf(stderr, "the seat was not enabled within 5 s (Debian 12.s libseat 0.7 noop backend "
			"did not enable it in the test VM: as root, LIBSEAT_BACKEND=builtin)\n");
	return session->active;
}

static int run(struct comp *c, struct wlr_session *session, const char *card)
{
	if (!wait_active(c, session))
		return 1;
	struct wlr_device *dev = wlr_session_open_file(session, card);

	if (!dev) {
		fprintf(stderr, "%s: the session cannot open it (see the log)\n", card);
		return 1;
	}
	c->backend = wlr_drm_backend_create(c->display, session, dev, NULL);
	c->renderer = c->backend ? wlr_pixman_renderer_create() : NULL;
	c->allocator = c->renderer ? la_wlr_allocator_create(c->backend, c->renderer) : NULL;
	if (!c->allocator) {
		fprintf(stderr, "%s: no DRM backend, renderer or allocator (see the log)\n", card);
		return 1;
	}
	if (add_also(c) < 0)
		return 1;
	if (c->o.probe)
		return probe(c);
	c->new_output.notify = on_new_output;
	wl_signal_add(&c->backend->events.new_output, &c->new_output);
	c->timeout = wl_event_loop_add_timer(wl_display_get_event_loop(c->display), on_timeout, c);
	wl_event_source_timer_update(c->timeout, 60000);
	c->status = 1;
	if (!wlr_backend_start(c->backend)) {
		fprintf(stderr, "%s: the backend did not start (see the log)\n", card);
		return 1;
	}
	/* new_output ran inside wlr_backend_start(): it may have failed already */
	if (!c->done) {
		c->status = 1; /* until the frames are shown */
		wl_display_run(c->display);
	}
	return c->status;
}

int main(int argc, char **argv)
{
	struct comp c = {0};
	char *card = NULL;
	int status = 1;

	/* the builtin libseat backend forks its seatd: nothing buffered may be copied */
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (parse(argc, argv, &c.o) < 0)
		return 2;
	wlr_log_init(c.o.verbose ? WLR_DEBUG : WLR_INFO, NULL);
	card = c.o.card ? strdup(c.o.card) : find_card();
	if (!card) {
		fprintf(stderr, "no KMS card with connectors under /dev/dri\n");
		return 1;
	}
	printf("card: %s\n", card);
	c.display = wl_display_create();
	struct wlr_session *session = c.display ? wlr_session_create(c.display) : NULL;
	if (!session) {
		fprintf(stderr, "no session (libseat; as root LIBSEAT_BACKEND=builtin where no seatd runs)\n");
	} else {
		status = run(&c, session, card);
		if (c.timeout)
			wl_event_source_remove(c.timeout);
		/* outputs and their swapchains go with the backend, before the allocator */
		if (c.backend)
			wlr_backend_destroy(c.backend);
		if (c.allocator)
			wlr_allocator_destroy(c.allocator);
		if (c.renderer)
			wlr_renderer_destroy(c.renderer);
		wlr_session_destroy(session);
	}
	if (c.display)
		wl_display_destroy(c.display);
	free(card);
	printf("exit %d\n", status);
	return status;
}
