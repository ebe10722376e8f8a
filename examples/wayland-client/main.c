/* SPDX-License-Identifier: MIT */
/*
 * wayland-client: a Wayland client that learns what the compositor
 * imports from its dma-buf feedback (linux-dmabuf version 4), negotiates
 * that with a device of its own through liballoc, draws a pattern with
 * the CPU into the buffers it allocated (or has a camera capture into
 * them) and shows them fullscreen on an xdg_toplevel through
 * zwp_linux_buffer_params_v1.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../common/fdcount.h"
#include "wlc.h"

static const char usage_text[] =
	"usage: wayland-client [--device NODE] [--camera NODE] [--size WxH] [--frames N]\n"
	"                      [--screenshot CMD] [--check-leaks]\n"
	"\n"
	"Connects to $WAYLAND_DISPLAY, binds zwp_linux_dmabuf_v1 version 4, turns the\n"
	"compositor's default dma-buf feedback into capability sets\n"
	"(la_capset_from_wl_feedback), negotiates each tranche (most preferred first)\n"
	"with a device of this process for cpu-write (the tranche's own device's nodes\n"
	"first), allocates 2 buffers with the best matched path the compositor accepts,\n"
	"draws four quadrants (red, green, blue, white) and a moving grey square into\n"
	"them (la_buffer_map) and shows them fullscreen on an xdg_toplevel. It prints\n"
	"the feedback, every negotiation with its paths, and where it allocated.\n"
	"\n"
	"  --device NODE   allocate with this device only (e.g. /dev/dri/card0)\n"
	"  --camera NODE   show a V4L2 camera's frames instead: its capture set joins\n"
	"                  the negotiation (the device's usage is then sample), 4\n"
	"                  buffers, captured into with V4L2_MEMORY_DMABUF (no copy)\n"
	"  --size WxH      buffer size when the shell leaves it to the client\n"
	"                  (default 640x480; a fullscreen configure's size wins)\n"
	"  --frames N      frames to show, default 60\n"
	"  --screenshot CMD  run CMD with /bin/sh once the last frame is on screen\n"
	"                  (its frame callback came), still connected; its failure\n"
	"                  is the client's (status 4)\n"
	"  --check-leaks   at exit, fail if a file descriptor is left open\n"
	"\n"
	"Exit status: 0 shown, 1 usage, 2 no compositor or no linux-dmabuf v4,\n"
	"3 nothing negotiated or accepted (or the camera failed), 4 shown but\n"
	"--screenshot or --check-leaks failed. Backends from LIBALLOC_BACKEND_PATH as\n"
	"for every liballoc program.\n";

static int parse(int argc, char **argv, struct wlc_options *o)
{
	static const struct option longs[] = {
		{"device", required_argument, NULL, 'd'}, {"size", required_argument, NULL, 's'},
		{"camera", required_argument, NULL, 'c'},
		{"frames", required_argument, NULL, 'f'}, {"screenshot", required_argument, NULL, 'S'},
		{"check-leaks", no_argument, NULL, 'l'}, {"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0}};
	int opt;

	*o = (struct wlc_options){.width = 640, .height = 480, .frames = 60};
	while ((opt = getopt_long(argc, argv, "h", longs, NULL)) != -1) {
		char *end;
		switch (opt) {
		case 'd': o->device = optarg; break;
		case 'c':
#ifdef WLC_CAMERA
			o->camera = optarg;
			break;
#else
			return fprintf(stderr, "wayland-client: --camera: built without liballoc-v4l2-stream (the V4L2 backend)\n"), 1;
#endif
		case 's':
			if (sscanf(optarg, "%ux%u", &o->width, &o->height) != 2 || !o->width ||
			    !o->height || o->width > 16384 || o->height > 16384)
				return fprintf(stderr, "wayland-client: bad --size %s\n", optarg), 1;
			break;
		case 'f':
			o->frames = (uint32_t)strtoul(optarg, &end, 10);
			if (*end || !o->frames || o->frames > 1000000)
				return fprintf(stderr, "wayland-client: bad --frames %s\n", optarg), 1;
			break;
		case 'S': o->screenshot = optarg; break;
		case 'l': o->check_leaks = true; break;
		case 'h': fputs(usage_text, stdout); exit(0);
		default: fputs(usage_text, stderr); return 1;
		}
	}
	if (optind < argc)
		return fprintf(stderr, "wayland-client: unexpected argument %s\n", argv[optind]), 1;
	return 0;
}

static void on_ping(void *data, struct xdg_wm_base *wm, uint32_t serial)
{
	(void)data;
	xdg_wm_base_pong(wm, serial);
}

static const struct xdg_wm_base_listener wm_listener = {.ping = on_ping};

static void on_global(void *data, struct wl_registry *reg, uint32_t name, const char *iface,
		      uint32_t version)
{
	struct wlc *c = data;

	/* version 4: wl_surface.damage_buffer */
	if (strcmp(iface, wl_compositor_interface.name) == 0 && !c->compositor && version >= 4) {
		c->compositor = wl_registry_bind(reg, name, &wl_compositor_interface, 4);
	} else if (strcmp(iface, xdg_wm_base_interface.name) == 0 && !c->wm_base) {
		c->wm_base = wl_registry_bind(reg, name, &xdg_wm_base_interface, 1);
		xdg_wm_base_add_listener(c->wm_base, &wm_listener, c);
	} else if (strcmp(iface, zwp_linux_dmabuf_v1_interface.name) == 0 && !c->dmabuf) {
		c->dmabuf_version = version;
		if (version >= 4)
			c->dmabuf = wl_registry_bind(reg, name, &zwp_linux_dmabuf_v1_interface, 4);
	}
}

static void on_global_remove(void *data, struct wl_registry *reg, uint32_t name)
{
	(void)data, (void)reg, (void)name;
}

static const struct wl_registry_listener registry_listener = {
	.global = on_global, .global_remove = on_global_remove};

static void on_surface_configure(void *data, struct xdg_surface *s, uint32_t serial)
{
	struct wlc *c = data;
	xdg_surface_ack_configure(s, serial);
	c->configured = true;
}

static const struct xdg_surface_listener surface_listener = {.configure = on_surface_configure};

static void on_toplevel_configure(void *data, struct xdg_toplevel *t, int32_t w, int32_t h,
				  struct wl_array *states)
{
	struct wlc *c = data;
	(void)t, (void)states;
	c->conf_width = w > 0 ? (uint32_t)w : 0;
	c->conf_height = h > 0 ? (uint32_t)h : 0;
}

static void on_toplevel_close(void *data, struct xdg_toplevel *t)
{
	struct wlc *c = data;
	(void)t;
	c->closed = true;
}

static const struct xdg_toplevel_listener toplevel_listener = {
	.configure = on_toplevel_configure, .close = on_toplevel_close};

static int connect_globals(struct wlc *c)
{
	c->display = wl_display_connect(NULL);
	if (!c->display) {
		fprintf(stderr, "wayland-client: cannot connect to the compositor ($WAYLAND_DISPLAY %s): %s\n",
			getenv("WAYLAND_DISPLAY") ? getenv("WAYLAND_DISPLAY") : "unset", strerror(errno));
		return -1;
	}
	c->registry = wl_display_get_registry(c->display);
	wl_registry_add_listener(c->registry, &registry_listener, c);
	wl_display_roundtrip(c->display);
	if (!c->compositor || !c->wm_base || !c->dmabuf) {
		fprintf(stderr, "wayland-client: the compositor lacks %s\n",
			!c->compositor ? "wl_compositor version 4" : !c->wm_base ? "xdg_wm_base"
			: c->dmabuf_version ? "linux-dmabuf version 4 (dma-buf feedback; it offers an older one)"
					    : "zwp_linux_dmabuf_v1");
		return -1;
	}
	printf("compositor: zwp_linux_dmabuf_v1 version %u (bound 4)\n", c->dmabuf_version);
	return 0;
}

static int map_window(struct wlc *c)
{
	c->surface = wl_compositor_create_surface(c->compositor);
	c->xdg_surface = xdg_wm_base_get_xdg_surface(c->wm_base, c->surface);
	xdg_surface_add_listener(c->xdg_surface, &surface_listener, c);
	c->toplevel = xdg_surface_get_toplevel(c->xdg_surface);
	xdg_toplevel_add_listener(c->toplevel, &toplevel_listener, c);
	xdg_toplevel_set_title(c->toplevel, "liballoc wayland-client");
	xdg_toplevel_set_fullscreen(c->toplevel, NULL);
	wl_surface_commit(c->surface);
	while (!c->configured && !c->closed)
		if (wl_display_dispatch(c->display) < 0)
			return -1;
	return c->closed ? -1 : 0;
}

static void on_frame_done(void *data, struct wl_callback *cb, uint32_t time)
{
	bool *done = data;
	(void)time;
	*done = true;
	wl_callback_destroy(cb);
}

static const struct wl_callback_listener frame_listener = {.done = on_frame_done};

/* The pattern into a buffer the compositor released. */
static int next_drawn(struct wlc *c, uint32_t frame, size_t *index)
{
	size_t i = c->busy[0] ? 1 : 0;

	while (c->busy[i] && !c->closed)
		if (wl_display_dispatch(c->display) < 0)
			return -1;
	*index = i;
	return wlc_draw(c, i, frame);
}

/* A camera's filled buffer; the compositor's releases requeue the others. */
static int next_captured(struct wlc *c, size_t *index)
{
	int ret;

	while ((ret = wlc_camera_next(c, index)) == -EAGAIN)
		;
	return ret;
}

/* Each frame shown when the previous frame's callback came: the last
 * callback means it is painted. */
static int show(struct wlc *c)
{
	struct la_descriptor d;
	uint32_t shown = 0;

	la_buffer_get_descriptor(c->bufs[0], &d);
	if (c->cam && wlc_camera_start(c) < 0)
		return -1;
	for (uint32_t f = 0; f < c->opt.frames && !c->closed; f++) {
		size_t i;
		bool done = false;
		if ((c->cam ? next_captured(c, &i) : next_drawn(c, f, &i)) < 0)
			return -1;
		wl_surface_attach(c->surface, c->wl_bufs[i], 0, 0);
		c->busy[i] = true;
		wl_surface_damage_buffer(c->surface, 0, 0, (int32_t)d.width, (int32_t)d.height);
		wl_callback_add_listener(wl_surface_frame(c->surface), &frame_listener, &done);
		wl_surface_commit(c->surface);
		while (!done && !c->closed)
			if (wl_display_dispatch(c->display) < 0)
				return -1;
		shown += done;
	}
	printf("shown: %u %s frames, buffers from %s on %s (tranche %zu)\n", shown,
	       c->cam ? "camera" : "pattern", la_buffer_get_path(c->bufs[0]),
	       la_device_get_label(c->local), c->tranche);
	return 0;
}

static void teardown(struct wlc *c)
{
	if (c->stream)
		wlc_camera_stop(c);
	wlc_buffers_free(c);
	la_device_unref(c->local);
	la_device_unref(c->cam);
	wlc_feedback_fini(&c->fb);
	if (c->toplevel)
		xdg_toplevel_destroy(c->toplevel);
	if (c->xdg_surface)
		xdg_surface_destroy(c->xdg_surface);
	if (c->surface)
		wl_surface_destroy(c->surface);
	if (c->dmabuf)
		zwp_linux_dmabuf_v1_destroy(c->dmabuf);
	if (c->wm_base)
		xdg_wm_base_destroy(c->wm_base);
	if (c->compositor)
		wl_compositor_destroy(c->compositor);
	if (c->registry)
		wl_registry_destroy(c->registry);
	if (c->display)
		wl_display_disconnect(c->display);
	la_context_destroy(c->ctx);
}

int main(int argc, char **argv)
{
	struct wlc c = {0};
	int fds0 = fd_count(), status = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (parse(argc, argv, &c.opt))
		return 1;
	if (la_context_new(&c.ctx) < 0) {
		fprintf(stderr, "wayland-client: la_context_new: %s\n", la_last_diagnosis());
		return 3;
	}
	c.n_bufs = c.opt.camera ? 4 : 2;
	if (c.opt.camera && la_device_open(c.ctx, c.opt.camera, &c.cam) < 0) {
		fprintf(stderr, "wayland-client: %s: %s\n", c.opt.camera, la_last_diagnosis());
		status = 3;
	} else if (connect_globals(&c) < 0 || wlc_feedback_get(&c) < 0 || map_window(&c) < 0) {
		status = 2;
	}
	if (!status) {
		wlc_feedback_print(&c.fb);
		uint32_t w = c.conf_width ? c.conf_width : c.opt.width;
		uint32_t h = c.conf_height ? c.conf_height : c.opt.height;
		printf("window: fullscreen, configured %ux%u; buffers %ux%u\n", c.conf_width,
		       c.conf_height, w, h);
		if (wlc_allocate(&c, w, h) < 0 || show(&c) < 0)
			status = 3;
	}
	if (!status && c.opt.screenshot) {
		fflush(stdout);
		int ret = system(c.opt.screenshot);
		printf("screenshot command: exit %d\n", WIFEXITED(ret) ? WEXITSTATUS(ret) : -1);
		if (ret != 0)
			status = 4;
	}
	teardown(&c);
	if (c.opt.check_leaks) {
		int fds = fd_count();
		if (fds != fds0) {
			printf("%d fds left open (%d at start)\n", fds, fds0);
			status = status ? status : 4;
		} else {
			printf("no fd left open\n");
		}
	}
	return status;
}
