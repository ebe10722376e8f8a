/* SPDX-License-Identifier: MIT */
/*
 * The KMS half of the examples: one connector, its CRTC and primary plane,
 * an atomic modeset for the first frame and a non-blocking atomic page
 * flip (with an event) for each later one. liballoc does not drive the
 * display; it only gives buffers the display accepts.
 */
#ifndef EXAMPLES_KMS_H
#define EXAMPLES_KMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct kms_output;

/*
 * Picks the first connected connector, a CRTC it can use and that CRTC's
 * primary plane that takes format. fd is borrowed (the display's
 * la_device fd, so that framebuffers made by la_device_import() are valid
 * on it); it must be the DRM master. Sets DRM_CLIENT_CAP_ATOMIC on it.
 * 0 or a negative errno with the reason in err.
 */
int kms_output_open(int fd, uint32_t format, struct kms_output **out, char *err, size_t len);

/*
 * First frame: an atomic modeset that shows fb (width x height) unscaled.
 * Tries, with TEST_ONLY first: the CRTC's current (or the preferred) mode
 * with the plane centred, then a mode of exactly width x height, then the
 * preferred mode with the plane scaled to fill it. Blocking.
 */
int kms_output_show(struct kms_output *o, uint32_t fb_id, uint32_t width, uint32_t height,
		    char *err, size_t len);
/* Later frames: non-blocking flip to fb; -EBUSY while one is pending. */
int kms_output_flip(struct kms_output *o, uint32_t fb_id);
bool kms_output_flip_pending(const struct kms_output *o);
/* For poll(): readable when a flip completed. */
int kms_output_get_fd(const struct kms_output *o);
/* Reads DRM events; returns 1 if the pending flip completed, 0 if not. */
int kms_output_dispatch(struct kms_output *o);
/* "connector Virtual-1, CRTC 36, plane 31, mode 640x480 (plane at 0,0 640x480)" */
const char *kms_output_describe(const struct kms_output *o);
/* The screen area the frame covers, after kms_output_show(). */
void kms_output_get_mode(const struct kms_output *o, uint32_t *width, uint32_t *height);

/*
 * Waits for a pending flip, puts back what the CRTC showed before (or
 * switches it off) so that the caller may remove its framebuffers, and
 * frees o. NULL is fine.
 */
void kms_output_close(struct kms_output *o);

#endif
