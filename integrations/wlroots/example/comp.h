/* SPDX-License-Identifier: MIT */
/* la-wlr-compositor's parts: options, outputs, the main loop (compositor.c). */
#ifndef LA_WLR_COMPOSITOR_H
#define LA_WLR_COMPOSITOR_H

#ifndef WLR_USE_UNSTABLE
#define WLR_USE_UNSTABLE
#endif
#include <stdbool.h>
#include <stddef.h>

#include <wayland-server-core.h>

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

/* Ends the run with status (wl_display_terminate, also before it runs). */
void comp_finish(struct comp *c, int status);
/* The backend's new_output listener: render setup, mode, frames. */
void comp_on_new_output(struct wl_listener *l, void *data);
/* Options into *o; -1 after a message on stderr. --help exits. */
int comp_parse(int argc, char **argv, struct opts *o);

#endif
