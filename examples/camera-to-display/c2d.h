/* SPDX-License-Identifier: MIT */
/*
 * camera-to-display: shared state of the example's files.
 *   main.c     options, the frame loop, clean exit
 *   setup.c    negotiation, the zero-copy set or the two copy sets, report
 *   capture.c  V4L2 DMABUF streaming
 *   convert.c  the copy path's CPU conversion
 *   profile.c  --profile: the frame loop's CPU per phase
 */
#ifndef C2D_H
#define C2D_H

#include <stdbool.h>
#include <stdint.h>

#include <liballoc/liballoc.h>

#include "../common/kms.h"
#include "../common/scanout.h"
#include "capture.h"

#define CAM_BUFFERS 4   /* the ring the camera fills */
#define DISP_BUFFERS 3  /* copy path: shown, flip pending, being filled */
#define MAX_FORMATS 16

struct options {
	const char *camera, *display;   /* NULL: found by capability */
	uint32_t width, height;
	uint32_t formats[MAX_FORMATS];  /* DRM fourccs, preferred first */
	size_t n_formats;
	uint64_t frames;                /* 0: until SIGINT */
	uint32_t fps;                   /* asked of the camera */
	const char *shot_cmd;           /* run after shot_after frames are shown */
	uint64_t shot_after;
	const char *save_frame;         /* PPM of the shown frame, same moment */
	const char *save_raw;           /* its first plane's bytes as in memory */
	bool force_copy;
	bool check_leaks;               /* exit status 4 if an fd is left open */
	bool profile;                   /* per-phase CPU of the frame loop */
};

struct app {
	struct options opt;
	struct la_context *ctx;
	struct la_device *camera, *display;
	bool zero_copy;
	/* zero copy: res_cam is the joint negotiation and disp[] are cam[] */
	struct la_result *res_cam, *res_disp;
	/* each ring is lent by a pool: a frame's buffer goes back and comes again */
	struct la_pool *pool_cam, *pool_disp;
	struct la_buffer *cam[CAM_BUFFERS], *disp[DISP_BUFFERS];
	size_t n_cam, n_disp;
	struct scanout_fb fbs[CAM_BUFFERS];
	size_t n_fbs;
	struct capture cap;
	struct kms_output *kms;
};

/* Tries the shared buffer set; 0, or <0 with why it cannot be (app clean). */
int setup_zero_copy(struct app *a, char *why, size_t len);
/* Two buffer sets and a CPU copy; 0 or <0 with the reason. */
int setup_copy(struct app *a, char *err, size_t len);
/* Undoes setup_*(); the KMS output must be closed first. */
void teardown(struct app *a);

/*
 * Camera slot i's buffer has done its frame: back to its pool, and the
 * buffer the pool lends next goes into the slot (zero copy: with a new
 * framebuffer if it is another buffer). 0 or a negative errno.
 */
int recycle_camera_buffer(struct app *a, size_t i);
/* Buffers the pools allocated so far (not counting reuses). */
uint64_t pool_allocations(const struct app *a);
/* Prints what the pools did: allocations, reuses, peak. */
void print_pool_stats(const struct app *a, uint64_t before_first_frame);

/* The descriptor (borrowed fds) of what display buffer i shows. */
struct la_buffer *display_buffer(struct app *a, size_t i);

#endif
