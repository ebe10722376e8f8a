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
#include <fcntl.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "comp.h"

#include <drm_fourcc.h>
#include <wlr/backend.h>
#include <wlr/backend/drm.h>
#include <wlr/backend/session.h>
#include <wlr/render/allocator.h>
#include <wlr/render/drm_format_set.h>
#include <wlr/render/pixman.h>
#include <wlr/render/wlr_renderer.h>
#include <wlr/types/wlr_buffer.h>
#include <wlr/util/log.h>
#include <xf86drmMode.h>

#include <liballoc/liballoc.h>

#include "../la-wlr-allocator.h"

static int on_timeout(void *data)
{
	struct comp *c = data;

	fprintf(stderr, "timeout: %d of %d frames shown in 120 s\n", c->shown, c->o.frames);
	comp_finish(c, 1);
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
	c->new_output.notify = comp_on_new_output;
	wl_signal_add(&c->backend->events.new_output, &c->new_output);
	c->timeout = wl_event_loop_add_timer(wl_display_get_event_loop(c->display), on_timeout, c);
	wl_event_source_timer_update(c->timeout, 120000);
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
	if (comp_parse(argc, argv, &c.o) < 0)
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
