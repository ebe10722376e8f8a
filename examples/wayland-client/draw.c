/* SPDX-License-Identifier: MIT */
/*
 * The pattern: four quadrants (red, green, blue, white: exact in XRGB8888
 * and ARGB8888, and a red/blue swap shows) and a grey square that moves
 * along the middle row each frame, so that a stuck frame would show.
 * Drawn by the CPU inside la_buffer_map() (DMA_BUF_IOCTL_SYNC).
 */
#include <stdio.h>

#include "wlc.h"

int wlc_draw(struct wlc *c, size_t i, uint32_t frame)
{
	static const uint32_t quad[4] = {0xffff0000, 0xff00ff00, 0xff0000ff, 0xffffffff};
	struct la_descriptor d;
	void *map;
	int ret = la_buffer_map(c->bufs[i], 0, LA_MAP_WRITE, &map);

	if (ret < 0) {
		printf("  buffer %zu: la_buffer_map: %s\n", i, la_last_diagnosis());
		return ret;
	}
	la_buffer_get_descriptor(c->bufs[i], &d);
	uint8_t *p = map;
	uint32_t sq = d.height / 10, sx = (frame * 8) % (d.width - sq);
	uint32_t y0 = d.height / 2 - sq / 2, y1 = d.height / 2 + sq / 2;
	for (uint32_t y = 0; y < d.height; y++) {
		uint32_t *row = (uint32_t *)(void *)(p + y * d.planes[0].pitch);
		for (uint32_t x = 0; x < d.width; x++) {
			bool in_sq = y >= y0 && y < y1 && x >= sx && x < sx + sq;
			row[x] = in_sq ? 0xff808080
				       : quad[(y >= d.height / 2) * 2 + (x >= d.width / 2)];
		}
	}
	return la_buffer_unmap(c->bufs[i], 0);
}
