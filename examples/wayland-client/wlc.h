/* SPDX-License-Identifier: MIT */
/* wayland-client: shared state of the example's parts. */
#ifndef WLC_H
#define WLC_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <wayland-client.h>
#include <liballoc/liballoc.h>
#include <liballoc/interop.h>

#include "linux-dmabuf-unstable-v1-client-protocol.h"
#include "xdg-shell-client-protocol.h"

#define WLC_MAX_TRANCHES 16
#define WLC_MAX_BUFFERS 4

/* One zwp_linux_dmabuf_feedback_v1, collected between two done events. */
struct wlc_feedback {
	void *table;            /* mmap'ed format table */
	size_t table_size;
	dev_t main_device;
	struct la_wl_tranche tranches[WLC_MAX_TRANCHES];
	uint16_t *indices[WLC_MAX_TRANCHES]; /* owned copies behind tranches[i].indices */
	size_t n_tranches;
	struct la_wl_tranche pending; /* the tranche being received */
	uint16_t *pending_indices;
	bool done;
	bool overflow;          /* more tranches than WLC_MAX_TRANCHES */
};

struct wlc_options {
	const char *device;     /* --device: allocate with this node only */
	const char *camera;     /* --camera: show its frames instead of the pattern */
	uint32_t width, height; /* --size, used when the shell leaves it to us */
	uint32_t frames;
	const char *screenshot; /* run once the last frame is shown */
	bool check_leaks;
};

struct wlc {
	struct wlc_options opt;
	struct wl_display *display;
	struct wl_registry *registry;
	struct wl_compositor *compositor;
	struct xdg_wm_base *wm_base;
	struct zwp_linux_dmabuf_v1 *dmabuf;
	uint32_t dmabuf_version;
	struct wl_surface *surface;
	struct xdg_surface *xdg_surface;
	struct xdg_toplevel *toplevel;
	bool configured, closed;
	uint32_t conf_width, conf_height;
	struct wlc_feedback fb;

	struct la_context *ctx;
	struct la_device *local;    /* the device whose path allocated */
	size_t n_bufs;              /* 2 for the pattern, 4 for a camera's ring */
	struct la_buffer *bufs[WLC_MAX_BUFFERS];
	struct wl_buffer *wl_bufs[WLC_MAX_BUFFERS];
	bool busy[WLC_MAX_BUFFERS]; /* attached, not released yet */
	struct wlc_slot {
		struct wlc *c;
		size_t i;
	} slots[WLC_MAX_BUFFERS];   /* what a wl_buffer's release names */
	size_t tranche;             /* the tranche the buffers were negotiated with */

	struct la_device *cam;      /* --camera */
	struct la_capset *cam_set;  /* its capture set for the size being negotiated */
	struct la_v4l2_stream *stream;
	bool streaming;
};

/* feedback.c: the default feedback, up to its first done event. */
int wlc_feedback_get(struct wlc *c);
void wlc_feedback_fini(struct wlc_feedback *fb);
void wlc_feedback_print(const struct wlc_feedback *fb);
const char *wlc_devnum_name(dev_t dev, char *buf, size_t len);

/* negotiate.c: buffers the compositor accepted, as wl_buffers. */
int wlc_allocate(struct wlc *c, uint32_t width, uint32_t height);
void wlc_buffers_free(struct wlc *c);

/* draw.c */
int wlc_draw(struct wlc *c, size_t i, uint32_t frame);

/* camera.c: a V4L2 capture queue importing the buffers (DMABUF). */
#ifdef WLC_CAMERA
int wlc_camera_start(struct wlc *c);
int wlc_camera_next(struct wlc *c, size_t *index);
int wlc_camera_requeue(struct wlc *c, size_t i);
void wlc_camera_stop(struct wlc *c);
#else
/* Built without the V4L2 backend: --camera is refused when the options are
 * parsed, so no camera is ever opened and these only keep the callers whole. */
static inline int wlc_camera_start(struct wlc *c) { (void)c; return -ENOTSUP; }
static inline int wlc_camera_next(struct wlc *c, size_t *index) { (void)c; (void)index; return -ENOTSUP; }
static inline int wlc_camera_requeue(struct wlc *c, size_t i) { (void)c; (void)i; return -ENOTSUP; }
static inline void wlc_camera_stop(struct wlc *c) { (void)c; }
#endif

#endif
