/* SPDX-License-Identifier: MIT */
/*
 * Capabilities of one V4L2 queue for one assertion, read from the kernel:
 *  - formats: VIDIOC_ENUM_FMT on the queue's buffer type, mapped through
 *    the one table (fourcc.c); a DRM format served by both a single-buffer
 *    and an *M code is offered once, with the single-buffer code, because
 *    a liballoc descriptor with all planes in one dma-buf describes it;
 *  - size: VIDIOC_ENUM_FRAMESIZES for the limits, VIDIOC_TRY_FMT for the
 *    truth: a format whose TRY_FMT answer changes the asked size is not
 *    offered (drivers snap to what they can do: vivid's webcam input);
 *  - pitch: TRY_FMT with bytesperline = the minimum + 1 tells whether the
 *    driver takes any pitch (align 1), rounds (align = the step it added)
 *    or ignores the field (the pitch is fixed: align = max = its value);
 *  - size: the layout the core will compute is checked with one more
 *    TRY_FMT; a sizeimage larger than that layout becomes size_align.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "v4l2.h"


struct fmt_entry {
	uint32_t v4l2;
	uint32_t drm;
	uint32_t mem_planes;
};

#define MAX_FORMATS 128

/*
 * Unique DRM formats the queue lists, single-buffer codes preferred. The
 * codes also fill the queue's enumeration (struct v4l2_formats) when the
 * list was read to its end, so that the path listing of this negotiation
 * does not send the same VIDIOC_ENUM_FMTs again; only for a device without
 * an output queue, whose capture list cannot change with a format the
 * program sets in between (a mem2mem device's does).
 */
static size_t list_formats(struct v4l2_dev *dev, uint32_t type, const struct la_assertion *a,
			   struct fmt_entry *out)
{
	struct v4l2_formats *fl = &dev->formats[type == dev->type[V4L2_Q_OUTPUT] ? V4L2_Q_OUTPUT
										 : V4L2_Q_CAPTURE];
	bool complete = false;
	size_t n = 0;
	char s[8];

	fl->n = 0;
	for (uint32_t i = 0; i < 1024 && n < MAX_FORMATS; i++) {
		struct v4l2_fmtdesc d = {.index = i, .type = type};
		uint32_t mp = 0, drm;
		bool wanted = a->n_formats == 0, dup = false;

		if (be_ioctl(dev->fd, VIDIOC_ENUM_FMT, &d) < 0) {
			complete = true;
			break;
		}
		if (fl->n < V4L2_FORMATS_MAX)
			fl->codes[fl->n] = d.pixelformat;
		fl->n++;
		drm = la_v4l2_format_to_drm(d.pixelformat, &mp);
		if (!drm) {
			v4l2_dbg(dev->be, "%s: format '%s' (%.32s) has no DRM equivalent in the table",
				 dev->label, v4l2_fourcc_str(d.pixelformat, s), (const char *)d.description);
			continue;
		}
		for (size_t k = 0; k < a->n_formats; k++)
			wanted |= a->formats[k] == drm;
		if (!wanted)
			continue;
		for (size_t k = 0; k < n; k++) {
			if (out[k].drm != drm)
				continue;
			dup = true;
			if (mp == 1 && out[k].mem_planes > 1)
				out[k] = (struct fmt_entry){d.pixelformat, drm, mp};
		}
		if (!dup)
			out[n++] = (struct fmt_entry){d.pixelformat, drm, mp};
	}
	fl->valid = complete && fl->n <= V4L2_FORMATS_MAX && !dev->type[V4L2_Q_OUTPUT];
	if (!fl->valid)
		fl->n = 0;
	dev->formats_from_caps = fl->valid;
	return n;
}

/* Limits from ENUM_FRAMESIZES (stepwise/continuous); discrete sizes are left to TRY_FMT. */
static void frame_limits(struct v4l2_dev *dev, uint32_t pixfmt, struct la_constraints *c)
{
	struct v4l2_frmsizeenum fs = {.index = 0, .pixel_format = pixfmt};

	if (be_ioctl(dev->fd, VIDIOC_ENUM_FRAMESIZES, &fs) < 0)
		return;
	if (fs.type == V4L2_FRMSIZE_TYPE_CONTINUOUS || fs.type == V4L2_FRMSIZE_TYPE_STEPWISE) {
		c->max_width = fs.stepwise.max_width;
		c->max_height = fs.stepwise.max_height;
		if (fs.type == V4L2_FRMSIZE_TYPE_STEPWISE && fs.stepwise.step_width > 1 &&
		    fs.stepwise.min_width % fs.stepwise.step_width == 0)
			c->width_align = fs.stepwise.step_width;
		if (fs.type == V4L2_FRMSIZE_TYPE_STEPWISE && fs.stepwise.step_height > 1 &&
		    fs.stepwise.min_height % fs.stepwise.step_height == 0)
			c->height_align = fs.stepwise.step_height;
	}
}

struct try_result {
	uint32_t w, h, n;
	uint32_t bpl[VIDEO_MAX_PLANES];
	uint32_t size[VIDEO_MAX_PLANES];
};

static int try_fmt(struct v4l2_dev *dev, uint32_t type, const struct fmt_entry *e, uint32_t w,
		   uint32_t h, const uint32_t *bpl, struct try_result *r)
{
	struct v4l2_format f;
	int ret;

	v4l2_fill_format(&f, type, e->v4l2, w, h, e->mem_planes, bpl);
	ret = be_ioctl(dev->fd, VIDIOC_TRY_FMT, &f);
	if (ret < 0)
		return ret;
	v4l2_read_format(&f, &r->w, &r->h, &r->n, r->bpl, r->size);
	return 0;
}

/* Largest pitch of any plane per unit of luma pitch (NV24 chroma: 2). */
static uint32_t max_pitch_ratio(const struct la_format_info *fi)
{
	uint32_t r = 1;

	for (uint32_t p = 1; p < fi->plane_count; p++) {
		uint64_t num = (uint64_t)fi->bpp[p] * fi->block_w[0];
		uint64_t den = (uint64_t)fi->bpp[0] * fi->block_w[p] * fi->hsub;
		if (num / den > r)
			r = (uint32_t)(num / den);
	}
	return r;
}

/*
 * Pitch rule of memory plane p from two TRY_FMT answers: the minimum
 * (bpl0) and the answer to bpl0 + 1.
 */
static void pitch_rule(uint32_t bpl0, uint32_t bpl1, uint64_t *align, bool *fixed)
{
	*fixed = false;
	if (bpl1 == bpl0 + 1) {
		*align = 1;
	} else if (bpl1 > bpl0 + 1 && bpl0 % (bpl1 - bpl0) == 0) {
		*align = bpl1 - bpl0;
	} else {
		*align = bpl0;
		*fixed = true;
	}
}

/* Fills cand for one format; -ERANGE (debug reason in reason) if the device cannot do this size. */
static int format_candidate(struct v4l2_dev *dev, uint32_t type, const struct fmt_entry *e,
			    uint32_t w, uint32_t h, struct la_candidate *cand, char *reason, size_t len)
{
	struct la_constraints *c = &cand->constraints;
	struct la_format_info fi;
	struct try_result r0, r1, rv;
	uint32_t bpl[VIDEO_MAX_PLANES] = {0};
	struct la_layout l;
	int ret;

	memset(cand, 0, sizeof(*cand));
	if (la_format_get_info(e->drm, &fi) < 0) {
		snprintf(reason, len, "liballoc has no layout rule for it");
		return -ERANGE;
	}
	ret = try_fmt(dev, type, e, w, h, NULL, &r0);
	if (ret < 0) {
		snprintf(reason, len, "VIDIOC_TRY_FMT failed: %s", strerror(-ret));
		return ret == -EINVAL ? -ERANGE : ret;
	}
	if (r0.w != w || r0.h != h) {
		snprintf(reason, len, "VIDIOC_TRY_FMT turns %ux%u into %ux%u", w, h, r0.w, r0.h);
		return -ERANGE;
	}
	if (r0.n != e->mem_planes) {
		snprintf(reason, len, "VIDIOC_TRY_FMT reports %u memory planes, the format has %u", r0.n,
			 e->mem_planes);
		return -ERANGE;
	}
	cand->format = e->drm;
	cand->modifier = LA_MODIFIER_LINEAR; /* V4L2 names tiled layouts as their own codes */
	cand->plane_count = fi.plane_count;
	frame_limits(dev, e->v4l2, c);
	c->dma_addr_bits = dev->dma_bits; /* whoever allocates, the device reaches no further */
	/* one memory plane: its pitch is DRM plane 0's; *M: one DRM plane per memory plane */
	for (uint32_t p = 0; p < r0.n; p++) {
		uint64_t align;
		bool fixed;

		memcpy(bpl, r0.bpl, sizeof(bpl));
		bpl[p] = r0.bpl[p] + 1;
		ret = try_fmt(dev, type, e, w, h, bpl, &r1);
		if (ret < 0) {
			snprintf(reason, len, "VIDIOC_TRY_FMT with bytesperline %u failed: %s", bpl[p],
				 strerror(-ret));
			return -ERANGE;
		}
		pitch_rule(r0.bpl[p], r1.bpl[p], &align, &fixed);
		c->pitch_align[p] = align;
		if (fixed) {
			c->max_pitch = (uint64_t)r0.bpl[p] * (r0.n == 1 ? max_pitch_ratio(&fi) : 1);
		}
	}
	/* the layout the core will make for this device alone must be what the driver takes */
	ret = la_layout_compute(e->drm, w, h, c, &l);
	if (ret < 0) {
		snprintf(reason, len, "no layout fits the driver's pitch rule: %s", la_last_diagnosis());
		return -ERANGE;
	}
	for (uint32_t p = 0; p < r0.n; p++)
		bpl[p] = (uint32_t)l.pitch[p];
	ret = try_fmt(dev, type, e, w, h, bpl, &rv);
	if (ret < 0 || memcmp(rv.bpl, bpl, r0.n * sizeof(bpl[0])) != 0) {
		snprintf(reason, len, "VIDIOC_TRY_FMT does not keep bytesperline %u of liballoc's layout "
				   "(answer %u)", bpl[0], rv.bpl[0]);
		return -ERANGE;
	}
	if (r0.n == 1 && rv.size[0] > l.size) {
		/* sizeimage beyond pitch x rows (driver padding): the buffer must hold it */
		c->size_align = rv.size[0];
	}
	return 0;
}

int v4l2_get_capabilities(void *backend, void *device, uint64_t usage,
			  const struct la_assertion *assertion, struct la_capset *set,
			  struct la_why *why)
{
	struct v4l2_dev *dev = device;
	struct fmt_entry fmts[MAX_FORMATS];
	struct v4l2_queue_state st;
	enum v4l2_queue q;
	char last_why[256] = "", s[8];
	size_t n, added = 0;
	uint32_t type;
	int ret;

	(void)backend;
	v4l2_forget_formats(dev); /* a new negotiation reads the device afresh */
	ret = v4l2_queue_for_usage(dev, usage, &q, why);
	if (ret < 0)
		return ret;
	type = dev->type[q];
	ret = v4l2_queue_state(dev, type, &st, why);
	if (ret < 0)
		return ret;
	if (!(st.mem_caps & (V4L2_BUF_CAP_SUPPORTS_MMAP | V4L2_BUF_CAP_SUPPORTS_DMABUF))) {
		v4l2_diag(why, "%s: the queue supports neither MMAP nor DMABUF buffers "
				   "(capabilities 0x%x)", dev->label, st.mem_caps);
		return -ENOTSUP;
	}
	v4l2_probe_import_rule(dev, q, st.mem_caps);
	ret = la_capset_set_import_rule(set, dev->probe[q].rule, dev->probe[q].reason);
	if (ret < 0)
		return ret;

	n = list_formats(dev, type, assertion, fmts);
	for (size_t i = 0; i < n; i++) {
		struct la_candidate cand;
		char reason[200];

		ret = format_candidate(dev, type, &fmts[i], assertion->width, assertion->height,
				       &cand, reason, sizeof(reason));
		if (ret == -ERANGE) {
			v4l2_dbg(dev->be, "%s: %s not offered: %s", dev->label,
				 v4l2_fourcc_str(fmts[i].v4l2, s), reason);
			snprintf(last_why, sizeof(last_why), "%s: %s", v4l2_fourcc_str(fmts[i].v4l2, s),
				 reason);
			continue;
		}
		if (ret < 0) {
			v4l2_diag(why,
				  "%s: %s: %s", dev->label, v4l2_fourcc_str(fmts[i].v4l2, s), reason);
			return ret;
		}
		ret = la_capset_add_candidate(set, &cand);
		if (ret < 0)
			return ret;
		added++;
	}
	if (added == 0) {
		v4l2_diag(why, "%s: no format for %ux%u on the %s queue%s%s%s", dev->label,
			  assertion->width, assertion->height,
			  q == V4L2_Q_CAPTURE ? "capture" : "output", last_why[0] ? " (last refused: " : "",
			  last_why, last_why[0] ? ")" : "");
		return -ENOTSUP;
	}
	return 0;
}
