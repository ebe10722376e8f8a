/* SPDX-License-Identifier: MIT */
/*
 * Linear layouts: where each plane of an image starts, its pitch and size,
 * under the merged constraints of every device that will touch the buffer.
 *
 * Rules (why each is chosen):
 *  - width_align/height_align pad the allocated image; the padded width
 *    sets the minimum pitch and the padded height the rows of each plane.
 *  - Chroma planes round odd sizes up (DIV_ROUND_UP), as the kernel's
 *    drm_format_info_plane_width()/_height() (drivers/gpu/drm/drm_fourcc.c)
 *    and v4l2_fill_pixfmt_mp() (drivers/media/v4l2-core/v4l2-common.c) do.
 *  - Chroma pitch is tied to the luma pitch the way V4L2's single-buffer
 *    formats require (Documentation/userspace-api/media/v4l/
 *    pixfmt-yuv-planar.rst: "the number of padding pixels at the end of the
 *    chroma lines is identical to the padding of the luma lines"):
 *      semi-planar 4:2:x  chroma pitch = luma pitch       (NV12, NV16, P010)
 *      semi-planar 4:4:4  chroma pitch = 2 x luma pitch   (NV24)
 *      planar             chroma pitch = luma pitch / hsub (YUV420: half)
 *    i.e. luma pitch x (chroma bytes per pixel) / (luma bytes per pixel x
 *    hsub). DRM takes any pitches, so this one rule serves both, and it is
 *    what gbm-like allocators do (minigbm drv_bo_from_format(): YVU420
 *    chroma stride = luma stride / 2). The luma pitch is chosen so that
 *    every plane's pitch_align holds: a YUV420 chroma align of 64 makes the
 *    luma pitch a multiple of 128.
 *  - Planes follow each other in order, each offset rounded up to its
 *    offset_align; without offset alignments they are contiguous as V4L2
 *    single-buffer formats need. plane_size is pitch x rows (what V4L2
 *    sizeimage counts), and the buffer size is the end of the last plane
 *    rounded up to size_align.
 *  - All arithmetic is 64-bit and checked. A layout must also fit 32 bits:
 *    DRM_IOCTL_MODE_ADDFB2 takes __u32 pitches[] and offsets[] and rejects a
 *    plane ending beyond UINT_MAX (framebuffer_check() in
 *    drivers/gpu/drm/drm_framebuffer.c), and V4L2 bytesperline/sizeimage are
 *    __u32. A buffer above 4 GiB - 1 could be allocated from a heap but no
 *    display or video device could be told where its planes are, so it is
 *    -EOVERFLOW (65536x65536 ARGB8888 is 16 GiB).
 */
#include <errno.h>
#include <inttypes.h>

#include "format.h"
#include "private.h"

#define LAYOUT_MAX_BYTES UINT64_C(0xffffffff)

/* What a format at a size needs before constraints on pitch and offsets. */
struct geom {
	const struct la_format_info *fi;
	uint64_t row_bytes[LA_MAX_PLANES];
	uint64_t rows[LA_MAX_PLANES];
};

static const struct la_constraints no_constraints;

static int check_size_limits(uint32_t width, uint32_t height, const struct la_constraints *c,
			     struct la_why *why)
{
	if (width == 0 || height == 0)
		return la_why_set(why, -EINVAL, "zero width or height");
	if (c->max_width && width > c->max_width)
		return la_why_set(why, -EINVAL,
				  "width %" PRIu32 " exceeds max_width %" PRIu32, width, c->max_width);
	if (c->max_height && height > c->max_height)
		return la_why_set(why, -EINVAL,
				  "height %" PRIu32 " exceeds max_height %" PRIu32, height, c->max_height);
	return 0;
}

static int geom_init(struct geom *g, uint32_t format, uint32_t width, uint32_t height,
		     const struct la_constraints *c, struct la_why *why)
{
	uint64_t w, h;
	int ret;

	g->fi = la_format_lookup(format);
	if (!g->fi)
		return la_why_set(why, -EINVAL, "unknown format: no linear layout rule");
	ret = check_size_limits(width, height, c, why);
	if (ret)
		return ret;
	/* u32 + u32 alignment: cannot overflow 64 bits. */
	la_align_u64(width, c->width_align, &w);
	la_align_u64(height, c->height_align, &h);
	for (uint32_t p = 0; p < g->fi->plane_count; p++) {
		g->row_bytes[p] = la_format_row_bytes(g->fi, p, w);
		g->rows[p] = la_format_plane_height(g->fi, p, h);
	}
	return 0;
}

/* chroma pitch = luma pitch * num / den (see the rule at the top). */
static void chroma_ratio(const struct la_format_info *fi, uint32_t p, uint64_t *num,
			 uint64_t *den)
{
	uint64_t n = (uint64_t)fi->bpp[p] * fi->block_w[0];
	uint64_t d = (uint64_t)fi->bpp[0] * fi->block_w[p] * fi->hsub;
	uint64_t g = la_gcd_u64(n, d);

	*num = n / g;
	*den = d / g;
}

/*
 * Smallest luma pitch P with P >= every plane's row (through the ratio) and
 * P * num / den a whole multiple of pitch_align[p] for every plane p:
 * P must be a multiple of a * den / gcd(num, a * den).
 */
static int luma_pitch(const struct geom *g, const struct la_constraints *c, uint64_t *out,
		      struct la_why *why)
{
	uint64_t need = g->row_bytes[0], step = c->pitch_align[0] ? c->pitch_align[0] : 1;

	for (uint32_t p = 1; p < g->fi->plane_count; p++) {
		uint64_t num, den, m, a = c->pitch_align[p] ? c->pitch_align[p] : 1;

		chroma_ratio(g->fi, p, &num, &den);
		/* row_bytes < 2^40 and den <= 256: no overflow */
		uint64_t need_p = (g->row_bytes[p] * den + num - 1) / num;
		if (need_p > need)
			need = need_p;
		if (!la_mul_u64(a, den, &m) || !la_lcm_u64(step, m / la_gcd_u64(num, m), &step))
			return la_why_set(why, -EOVERFLOW,
					  "plane %" PRIu32 ": pitch_align %" PRIu64 " overflows 64 bits", p,
				c->pitch_align[p]);
	}
	if (!la_align_u64(need, step, out))
		return la_why_set(why, -EOVERFLOW,
				  "pitch %" PRIu64 " aligned to %" PRIu64 " overflows 64 bits", need, step);
	return 0;
}

static int place_planes(const struct geom *g, const struct la_constraints *c, uint64_t luma,
			struct la_layout *out, struct la_why *why)
{
	uint64_t end = 0;

	out->plane_count = g->fi->plane_count;
	for (uint32_t p = 0; p < out->plane_count; p++) {
		uint64_t num = 1, den = 1;

		if (p > 0)
			chroma_ratio(g->fi, p, &num, &den);
		/* luma is a multiple of den (luma_pitch()), so the division is exact */
		if (!la_mul_u64(luma / den, num, &out->pitch[p]) ||
		    !la_mul_u64(out->pitch[p], g->rows[p], &out->plane_size[p]) ||
		    !la_align_u64(end, c->offset_align[p], &out->offset[p]) ||
		    !la_add_u64(out->offset[p], out->plane_size[p], &end))
			return la_why_set(why, -EOVERFLOW,
					  "plane %" PRIu32 " does not fit 64 bits", p);
	}
	if (!la_align_u64(end, c->size_align, &out->size))
		return la_why_set(why, -EOVERFLOW,
				  "size %" PRIu64 " aligned to size_align %" PRIu64 " overflows 64 bits", end,
			c->size_align);
	return 0;
}

/* Device limits are -EINVAL; the 32-bit limit every consumer has is -EOVERFLOW. */
static int check_layout_limits(const struct la_constraints *c, const struct la_layout *l,
			       struct la_why *why)
{
	for (uint32_t p = 0; p < l->plane_count; p++) {
		if (c->max_pitch && l->pitch[p] > c->max_pitch)
			return la_why_set(why, -EINVAL,
					  "plane %" PRIu32 ": pitch %" PRIu64 " exceeds max_pitch %" PRIu64, p,
				l->pitch[p], c->max_pitch);
	}
	if (c->max_size && l->size > c->max_size)
		return la_why_set(why, -EINVAL,
				  "size %" PRIu64 " exceeds max_size %" PRIu64, l->size, c->max_size);
	if (l->size > LAYOUT_MAX_BYTES)
		return la_why_set(why, -EOVERFLOW,
				  "size %" PRIu64 " exceeds 4 GiB - 1: DRM AddFB2 offsets/pitches and "
			"V4L2 sizeimage are 32-bit", l->size);
	return 0;
}

static void why_context(uint32_t format, uint32_t width, uint32_t height, struct la_why *why)
{
	char name[32];

	la_why_prefix(why, "layout %s %" PRIu32 "x%" PRIu32, la_format_name(format, name, sizeof(name)),
		       width, height);
}

int la_layout_compute_why(uint32_t format, uint32_t width, uint32_t height,
			  const struct la_constraints *c, struct la_layout *out, struct la_why *why)
{
	struct la_layout l = { 0 };
	struct geom g;
	uint64_t luma = 0;
	int ret;

	if (!out)
		return la_why_set(why, -EINVAL, "la_layout_compute: NULL layout");
	if (!c)
		c = &no_constraints;
	ret = geom_init(&g, format, width, height, c, why);
	if (!ret)
		ret = luma_pitch(&g, c, &luma, why);
	if (!ret)
		ret = place_planes(&g, c, luma, &l, why);
	if (!ret)
		ret = check_layout_limits(c, &l, why);
	if (ret) {
		why_context(format, width, height, why);
		return ret;
	}
	*out = l;
	return 0;
}

LA_EXPORT int la_layout_compute(uint32_t format, uint32_t width, uint32_t height,
				const struct la_constraints *c, struct la_layout *out)
{
	struct la_why why = {0};

	return la_publish(&why, la_layout_compute_why(format, width, height, c, out, &why));
}

/*
 * ---- validation of a layout someone else made ----
 * Chroma pitches may be independent of luma (DRM accepts that), but each
 * plane must hold pitch x rows bytes: DRM would accept a short last row
 * (drm_gem_fb_init_with_funcs() min_size), V4L2 sizeimage would not, and the
 * layout must serve both.
 */

static int check_plane(const struct geom *g, const struct la_constraints *c,
		       const struct la_layout *l, uint32_t p, struct la_why *why)
{
	uint64_t min_size, end;

	if (l->pitch[p] < g->row_bytes[p])
		return la_why_set(why, -EINVAL,
				  "plane %" PRIu32 ": pitch %" PRIu64 " < %" PRIu64 " bytes a row needs", p,
			l->pitch[p], g->row_bytes[p]);
	if (c->pitch_align[p] && l->pitch[p] % c->pitch_align[p])
		return la_why_set(why, -EINVAL,
				  "plane %" PRIu32 ": pitch %" PRIu64 " is not a multiple of pitch_align %" PRIu64,
			p, l->pitch[p], c->pitch_align[p]);
	if (c->offset_align[p] && l->offset[p] % c->offset_align[p])
		return la_why_set(why, -EINVAL,
				  "plane %" PRIu32 ": offset %" PRIu64 " is not a multiple of offset_align %" PRIu64,
			p, l->offset[p], c->offset_align[p]);
	if (!la_mul_u64(l->pitch[p], g->rows[p], &min_size) || l->plane_size[p] < min_size)
		return la_why_set(why, -EINVAL,
				  "plane %" PRIu32 ": size %" PRIu64 " < pitch %" PRIu64 " x %" PRIu64 " rows", p,
			l->plane_size[p], l->pitch[p], g->rows[p]);
	if (!la_add_u64(l->offset[p], l->plane_size[p], &end) || end > l->size)
		return la_why_set(why, -EINVAL,
				  "plane %" PRIu32 ": offset %" PRIu64 " + size %" PRIu64
			" ends beyond the buffer size %" PRIu64, p, l->offset[p], l->plane_size[p], l->size);
	return 0;
}

/* Planes already checked to end inside size, so offset + plane_size cannot wrap. */
static int check_overlap(const struct la_layout *l, struct la_why *why)
{
	for (uint32_t i = 0; i < l->plane_count; i++) {
		for (uint32_t j = i + 1; j < l->plane_count; j++) {
			if (l->offset[i] < l->offset[j] + l->plane_size[j] &&
			    l->offset[j] < l->offset[i] + l->plane_size[i])
				return la_why_set(why, -EINVAL,
						  "planes %" PRIu32 " and %" PRIu32 " overlap ([%" PRIu64 ", %" PRIu64
					") and [%" PRIu64 ", %" PRIu64 "))", i, j, l->offset[i],
					l->offset[i] + l->plane_size[i], l->offset[j],
					l->offset[j] + l->plane_size[j]);
		}
	}
	return 0;
}

static int validate(const struct geom *g, const struct la_constraints *c,
		    const struct la_layout *l, struct la_why *why)
{
	int ret;

	if (l->plane_count != g->fi->plane_count)
		return la_why_set(why, -EINVAL,
				  "%" PRIu32 " planes, the format has %" PRIu32, l->plane_count,
			g->fi->plane_count);
	for (uint32_t p = 0; p < l->plane_count; p++) {
		ret = check_plane(g, c, l, p, why);
		if (ret)
			return ret;
	}
	ret = check_overlap(l, why);
	if (ret)
		return ret;
	if (c->size_align && l->size % c->size_align)
		return la_why_set(why, -EINVAL,
				  "size %" PRIu64 " is not a multiple of size_align %" PRIu64, l->size,
			c->size_align);
	return check_layout_limits(c, l, why) ? -EINVAL : 0;
}

int la_layout_validate_why(uint32_t format, uint32_t width, uint32_t height,
			   const struct la_constraints *c, const struct la_layout *layout,
			   struct la_why *why)
{
	struct geom g;
	int ret;

	if (!layout)
		return la_why_set(why, -EINVAL, "la_layout_validate: NULL layout");
	if (!c)
		c = &no_constraints;
	ret = geom_init(&g, format, width, height, c, why);
	if (!ret)
		ret = validate(&g, c, layout, why);
	if (ret) {
		why_context(format, width, height, why);
		return -EINVAL;
	}
	return 0;
}

LA_EXPORT int la_layout_validate(uint32_t format, uint32_t width, uint32_t height,
				 const struct la_constraints *c, const struct la_layout *layout)
{
	struct la_why why = {0};

	return la_publish(&why, la_layout_validate_why(format, width, height, c, layout, &why));
}
