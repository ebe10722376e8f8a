/* SPDX-License-Identifier: MIT */
/*
 * A KMS framebuffer for a liballoc buffer. The DRM backend's import
 * (la_device_import for LA_USAGE_SCANOUT) makes it and reports "fb_id";
 * a backend without that property gets the compositor's usual route:
 * PRIME import of each plane's dma-buf and ADDFB2 done here.
 */
#ifndef EXAMPLES_SCANOUT_H
#define EXAMPLES_SCANOUT_H

#include <stddef.h>
#include <stdint.h>

#include <liballoc/liballoc.h>

struct scanout_fb {
	struct la_import *imp; /* the backend's import, if it gave an fb */
	int fd;                /* borrowed display fd, for the fallback */
	uint32_t fb_id;
	uint32_t handles[LA_MAX_PLANES]; /* fallback only; 0 = none */
};

/*
 * Makes fb for buf on display. 0 or a negative errno with liballoc's (or
 * the kernel's) reason in err. *how says which route ("liballoc import" or
 * "PRIME + ADDFB2 in the example"). fb is zeroed first, so
 * scanout_fb_destroy() is safe after a failure.
 */
int scanout_fb_create(struct la_device *display, const struct la_buffer *buf,
		      struct scanout_fb *fb, const char **how, char *err, size_t len);
/* Removes the framebuffer and drops the handles/import. Zeroed fb ok. */
void scanout_fb_destroy(struct scanout_fb *fb);

#endif
