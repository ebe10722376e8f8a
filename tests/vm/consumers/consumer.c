/* SPDX-License-Identifier: MIT */
#include "consumer.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "result.h"
#include "vmtest.h"

struct la_device *cs_open_vgem(struct la_context *ctx)
{
	char node[64];
	struct la_device *dev = NULL;
	int fd = vm_open_drm("vgem", "renderD", node, sizeof(node));

	if (fd < 0)
		vm_fatal("no vgem render node");
	close(fd);
	if (la_device_open(ctx, node, &dev) < 0)
		vm_fatal("la_device_open %s: %s", node, la_last_diagnosis());
	return dev;
}

uint32_t cs_pixel(uint32_t x, uint32_t y)
{
	uint32_t r = (x * 7 + y) & 0xff, g = (y * 5 + 3) & 0xff, b = (x ^ y) & 0xff;

	return 0x5au << 24 | r << 16 | g << 8 | b;
}

uint32_t cs_pixel_as_rgba(uint32_t x, uint32_t y)
{
	uint32_t p = cs_pixel(x, y);

	return 0xffu << 24 | (p & 0xff) << 16 | (p & 0xff00) | (p >> 16 & 0xff);
}

/* dev's set for usage, and with pitch_align a second consumer that wants
 * rows a multiple of pitch_align bytes apart, negotiated together. */
static struct la_result *negotiate(struct la_context *ctx, struct la_device *dev, uint64_t usage,
				   uint32_t format, uint32_t w, uint32_t h, uint64_t pitch_align)
{
	struct la_assertion a = {.width = w, .height = h, .formats = &format, .n_formats = 1};
	struct la_capset_info info = {.label = "padded-pitch consumer", .driver = "test",
				      .backend = "test", .usage = LA_USAGE_SAMPLE,
				      .import_rule = LA_IMPORT_ANY};
	struct la_candidate cand = {.format = format, .modifier = LA_MODIFIER_LINEAR};
	struct la_capset *sets[2] = {NULL, NULL};
	struct la_result *res = NULL;
	int ret;

	cand.constraints.pitch_align[0] = pitch_align;
	ret = la_device_get_capabilities(dev, usage, &a, &sets[0]);
	if (ret == 0) {
		sets[1] = pitch_align ? vm_capset(&info, &cand, 1) : NULL;
		ret = la_negotiate_capsets(ctx, &a, sets, pitch_align ? 2 : 1, &res);
	}
	if (ret == 0)
		ret = la_result_get_chosen_candidate(res) < 0 ? -ENODEV : 0;
	la_capset_destroy(sets[0]);
	la_capset_destroy(sets[1]);
	if (ret < 0) {
		la_result_destroy(res);
		return NULL;
	}
	return res;
}

struct la_buffer *cs_alloc(struct la_context *ctx, struct la_device *dev, uint64_t usage,
			   uint32_t format, uint32_t w, uint32_t h, uint64_t pitch_align)
{
	struct la_result *res = negotiate(ctx, dev, usage, format, w, h, pitch_align);
	struct la_buffer *buf = NULL;
	struct la_descriptor d;
	char name[32];

	if (!res || la_allocate(res, &buf) < 0)
		vm_fatal("%s %ux%u for %s on %s: %s", la_format_name(format, name, sizeof(name)), w,
			 h, la_usage_name(usage), la_device_get_label(dev), la_last_diagnosis());
	la_result_destroy(res);
	la_buffer_get_descriptor(buf, &d);
	vm_note("liballoc buffer: %s %ux%u, modifier %s, path %s",
		la_format_name(d.format, name, sizeof(name)), d.width, d.height,
		la_modifier_name(d.modifier, (char[24]){0}, 24), la_buffer_get_path(buf));
	for (uint32_t p = 0; p < d.plane_count; p++)
		vm_note("  plane %u: fd %d, pitch %llu, offset %llu", p, d.planes[p].fd,
			(unsigned long long)d.planes[p].pitch, (unsigned long long)d.planes[p].offset);
	return buf;
}

void cs_fill_pixels(struct la_buffer *buf)
{
	struct la_descriptor d;
	void *map;

	la_buffer_get_descriptor(buf, &d);
	if (la_buffer_map(buf, 0, LA_MAP_WRITE, &map) < 0)
		vm_fatal("la_buffer_map: %s", la_last_diagnosis());
	for (uint32_t y = 0; y < d.height; y++) {
		uint32_t *row = (uint32_t *)((uint8_t *)map + y * d.planes[0].pitch);
		for (uint32_t x = 0; x < d.width; x++)
			row[x] = cs_pixel(x, y);
	}
	if (la_buffer_unmap(buf, 0) < 0)
		vm_fatal("la_buffer_unmap: %s", la_last_diagnosis());
}

void cs_plane_extent(const struct la_descriptor *d, uint32_t p, uint32_t *row_bytes,
		     uint32_t *rows)
{
	struct la_format_info fi;

	if (la_format_get_info(d->format, &fi) < 0)
		vm_fatal("format 0x%08x unknown to liballoc", d->format);
	uint32_t hs = p ? fi.hsub : 1, vs = p ? fi.vsub : 1;
	*row_bytes = (d->width + hs - 1) / hs * fi.bpp[p] / 8;
	*rows = (d->height + vs - 1) / vs;
}

uint64_t cs_compare(const uint8_t *data, uint64_t pitch, uint32_t w, uint32_t h, uint32_t mask,
		    uint32_t (*want)(uint32_t x, uint32_t y), const char *what)
{
	uint64_t bad = 0;

	for (uint32_t y = 0; y < h; y++) {
		for (uint32_t x = 0; x < w; x++) {
			uint32_t got;
			memcpy(&got, data + y * pitch + x * 4u, 4);
			if ((got & mask) == (want(x, y) & mask))
				continue;
			if (bad++ < 4)
				vm_note("%s: pixel (%u, %u) is 0x%08x, want 0x%08x", what, x, y,
					got & mask, want(x, y) & mask);
		}
	}
	return bad;
}
