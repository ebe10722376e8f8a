/* SPDX-License-Identifier: MIT */
/*
 * Atomic KMS for the guest programs that put a frame on virtio-gpu's
 * screen and check it on a screendump: a pipe (connector, CRTC, primary
 * plane), the modeset request that shows a framebuffer full screen, and
 * the four-quadrant test image.
 */
#ifndef LIBALLOC_TESTS_KMS_H
#define LIBALLOC_TESTS_KMS_H

#include <stddef.h>
#include <stdint.h>
#include <xf86drmMode.h>

struct vm_kms_pipe {
	uint32_t conn, crtc, plane;
	drmModeModeInfo mode;
};

/* The id of property name of a KMS object, its value in *value if not
 * NULL; exits the program if the object has no such property. */
uint32_t vm_kms_prop(int fd, uint32_t obj, uint32_t type, const char *name, uint64_t *value);

/* The first connected connector with its preferred (else first) mode, the
 * first CRTC and its primary plane; exits the program if one is missing.
 * fd has DRM_CLIENT_CAP_ATOMIC set. */
void vm_kms_pick(int fd, struct vm_kms_pipe *p);

/* An atomic request that shows fb unscaled over the whole mode (a
 * modeset); *blob is the mode's property blob, to destroy after the
 * commit. Exits the program if the blob cannot be made. */
drmModeAtomicReq *vm_kms_modeset(int fd, const struct vm_kms_pipe *p, uint32_t fb,
				 uint32_t *blob);

/* Fills a w x h XRGB8888 image with four quadrants of the colours q
 * (top-left, top-right, bottom-left, bottom-right). */
void vm_fill_quadrants(uint8_t *map, size_t pitch, uint32_t w, uint32_t h, const uint32_t q[4]);

/*
 * Screendumps as NAME until the screen shows those quadrants at w x h,
 * three attempts 200 ms apart: QEMU may update its copy of the scanout
 * after the commit returned. Returns how many of 36 sampled pixels (centre
 * and inner corners of each quadrant) differ at the last attempt, or -1 if
 * it was not w x h; its size in *got_w, *got_h. Exits if a screendump fails.
 */
int vm_screenshot_quadrants(const char *name, int w, int h, const uint32_t q[4], int *got_w,
			    int *got_h);

#endif
