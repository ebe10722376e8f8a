/* SPDX-License-Identifier: MIT */
/*
 * The linear layout calculator. For random formats, sizes and constraints,
 * a layout la_layout_compute() returns must:
 *  - put every plane inside the buffer, without overlap, with no sum that
 *    wraps (checked here in 128 bits);
 *  - give each plane a pitch of at least the bytes one row needs and a size
 *    of at least pitch x rows (recomputed here from la_format_get_info());
 *  - honour every alignment and limit, and fit the 32-bit consumers;
 *  - be accepted by la_layout_validate().
 * The second half of the input is a layout from "someone else": whatever
 * la_layout_validate() accepts must satisfy the same geometric rules.
 */
#include <errno.h>
#include <liballoc/liballoc.h>

#include "fuzz.h"

typedef unsigned __int128 u128;

#define FOURCC(a, b, c, d) ((uint32_t)(a) | (uint32_t)(b) << 8 | (uint32_t)(c) << 16 | (uint32_t)(d) << 24)

/* One of each shape the table knows, plus codes it does not. */
static const uint32_t formats[] = {
	FOURCC('C', '8', ' ', ' '), FOURCC('R', 'G', '1', '6'), FOURCC('R', 'G', '2', '4'),
	FOURCC('X', 'R', '2', '4'), FOURCC('X', 'R', '4', 'H'), FOURCC('Y', 'U', 'Y', 'V'),
	FOURCC('A', 'Y', 'U', 'V'), FOURCC('N', 'V', '1', '2'), FOURCC('N', 'V', '1', '6'),
	FOURCC('N', 'V', '2', '4'), FOURCC('P', '0', '1', '0'), FOURCC('Y', 'U', 'V', '9'),
	FOURCC('Y', 'U', '1', '1'), FOURCC('Y', 'U', '1', '2'), FOURCC('Y', 'U', '1', '6'),
	FOURCC('Y', 'U', '2', '4'), FOURCC('Z', 'Z', 'Z', 'Z'), 0,
};

struct shape {
	struct la_format_info fi;
	u128 row_bytes[LA_MAX_PLANES]; /* at the padded width */
	u128 rows[LA_MAX_PLANES];      /* at the padded height */
};

static u128 div_up(u128 v, u128 d)
{
	return (v + d - 1) / d;
}

static u128 align_up(u128 v, u128 a)
{
	return a ? div_up(v, a) * a : v;
}

/* The kernel's rule (drm_format_info_plane_width/height): chroma rounds up. */
static void shape_of(const struct la_format_info *fi, uint32_t w, uint32_t h,
		     const struct la_constraints *c, struct shape *s)
{
	u128 pw = align_up(w, c->width_align), ph = align_up(h, c->height_align);

	s->fi = *fi;
	for (uint32_t p = 0; p < fi->plane_count; p++) {
		u128 x = p ? div_up(pw, fi->hsub) : pw;
		u128 y = p ? div_up(ph, fi->vsub) : ph;
		s->row_bytes[p] = div_up(div_up(x, fi->block_w[p]) * fi->bpp[p], 8);
		s->rows[p] = y;
	}
}

/* Geometry every accepted layout has; returns false with a reason. */
static bool geometry_ok(const struct shape *s, const struct la_layout *l, const char **why)
{
	if (l->plane_count != s->fi.plane_count)
		return *why = "plane count differs from the format's", false;
	for (uint32_t p = 0; p < l->plane_count; p++) {
		u128 end = (u128)l->offset[p] + l->plane_size[p];
		if (end > l->size)
			return *why = "a plane ends beyond the buffer", false;
		if (l->pitch[p] < s->row_bytes[p])
			return *why = "pitch below the bytes a row needs", false;
		if ((u128)l->plane_size[p] < (u128)l->pitch[p] * s->rows[p])
			return *why = "plane smaller than pitch x rows", false;
		for (uint32_t q = 0; q < p; q++) {
			u128 qend = (u128)l->offset[q] + l->plane_size[q];
			if (l->offset[p] < qend && l->offset[q] < end)
				return *why = "planes overlap", false;
		}
	}
	return true;
}

static bool constraints_ok(const struct la_constraints *c, const struct la_layout *l,
			   const char **why)
{
	for (uint32_t p = 0; p < l->plane_count; p++) {
		if (c->pitch_align[p] && l->pitch[p] % c->pitch_align[p])
			return *why = "pitch_align", false;
		if (c->offset_align[p] && l->offset[p] % c->offset_align[p])
			return *why = "offset_align", false;
		if (c->max_pitch && l->pitch[p] > c->max_pitch)
			return *why = "max_pitch", false;
	}
	if (c->size_align && l->size % c->size_align)
		return *why = "size_align", false;
	if (c->max_size && l->size > c->max_size)
		return *why = "max_size", false;
	if (l->size > UINT32_MAX)
		return *why = "size beyond 32 bits", false;
	return true;
}

static void read_constraints(struct fuzz_in *in, struct la_constraints *c)
{
	for (int p = 0; p < LA_MAX_PLANES; p++) {
		c->pitch_align[p] = fin_value(in);
		c->offset_align[p] = fin_value(in);
	}
	c->size_align = fin_value(in);
	c->width_align = fin_value32(in);
	c->height_align = fin_value32(in);
	c->max_pitch = fin_value(in);
	c->max_size = fin_value(in);
	c->max_width = fin_value32(in);
	c->max_height = fin_value32(in);
}

static uint32_t read_size(struct fuzz_in *in)
{
	uint8_t b = fin_u8(in);
	/* mostly ordinary image sizes, sometimes the extremes */
	if (b < 128)
		return 1 + (uint32_t)fin_bytes(in, 1);
	if (b < 224)
		return 1 + (uint32_t)fin_bytes(in, 2);
	return (uint32_t)fin_bytes(in, 4);
}

/* c may be NULL ("no constraints"), as the API allows. */
static void check_computed(uint32_t format, uint32_t w, uint32_t h, const struct la_constraints *cc)
{
	static const struct la_constraints none;
	const struct la_constraints *c = cc ? cc : &none;
	struct la_format_info fi;
	struct la_layout l;
	struct shape s;
	const char *why = "";
	int ret = la_layout_compute(format, w, h, cc, &l);

	if (ret < 0) {
		FUZZ_CHECK(ret == -EINVAL || ret == -EOVERFLOW, "unexpected error %d", ret);
		FUZZ_CHECK(la_last_diagnosis()[0], "failure without a diagnosis");
		return;
	}
	FUZZ_CHECK(la_format_get_info(format, &fi) == 0, "layout for an unknown format");
	FUZZ_CHECK(w && h && (!c->max_width || w <= c->max_width) &&
		   (!c->max_height || h <= c->max_height), "size limits ignored");
	shape_of(&fi, w, h, c, &s);
	FUZZ_CHECK(geometry_ok(&s, &l, &why), "%s (%s %ux%u)", why, fi.name, w, h);
	FUZZ_CHECK(constraints_ok(c, &l, &why), "%s not honoured (%s %ux%u)", why, fi.name, w, h);
	ret = la_layout_validate(format, w, h, cc, &l);
	FUZZ_CHECK(ret == 0, "validate refuses what compute made: %s", la_last_diagnosis());
}

static void check_foreign(struct fuzz_in *in, uint32_t format, uint32_t w, uint32_t h,
			  const struct la_constraints *c)
{
	struct la_format_info fi;
	struct la_layout l = {0};
	struct shape s;
	const char *why = "";

	l.plane_count = fin_u8(in) % (LA_MAX_PLANES + 2);
	for (int p = 0; p < LA_MAX_PLANES; p++) {
		l.offset[p] = fin_value(in);
		l.pitch[p] = fin_value(in);
		l.plane_size[p] = fin_value(in);
	}
	l.size = fin_value(in);
	if (la_layout_validate(format, w, h, c, &l) < 0)
		return;
	FUZZ_CHECK(la_format_get_info(format, &fi) == 0, "accepted a layout of an unknown format");
	shape_of(&fi, w, h, c, &s);
	FUZZ_CHECK(geometry_ok(&s, &l, &why), "validate accepted a layout where %s", why);
	FUZZ_CHECK(constraints_ok(c, &l, &why), "validate accepted a layout that breaks %s", why);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = {data, size};
	struct la_constraints c = {0};
	uint8_t f = fin_u8(&in);
	uint32_t format = f < 240 ? formats[f % (sizeof(formats) / sizeof(formats[0]))]
				  : (uint32_t)fin_bytes(&in, 4);
	uint32_t w = read_size(&in), h = read_size(&in);

	read_constraints(&in, &c);
	check_computed(format, w, h, &c);
	check_computed(format, w, h, NULL);
	check_foreign(&in, format, w, h, &c);
	return 0;
}
