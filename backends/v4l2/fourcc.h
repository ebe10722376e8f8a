/* SPDX-License-Identifier: MIT */
/* The V4L2 <-> DRM format table (fourcc.c), shared by the backend and the
 * streaming helper. The lookups are declared in <liballoc/v4l2-stream.h>. */
#ifndef LA_V4L2_FOURCC_H
#define LA_V4L2_FOURCC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/videodev2.h>

#include <liballoc/v4l2-stream.h>

struct la_v4l2_fourcc {
	uint32_t v4l2;       /* V4L2_PIX_FMT_* */
	uint32_t drm;        /* DRM fourcc */
	uint8_t mem_planes;  /* V4L2 memory planes: 1, or 2/3 for the *M variants */
	bool alias;          /* deprecated V4L2 code: read, never chosen for a DRM format */
};

/* The whole table (for tests and listings). */
const struct la_v4l2_fourcc *la_v4l2_fourcc_table(size_t *count);

#endif
