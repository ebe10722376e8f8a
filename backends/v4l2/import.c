/* SPDX-License-Identifier: MIT */
/*
 * Import: can this queue use the descriptor's buffer as V4L2_MEMORY_DMABUF?
 *
 * 1. Without the queue: V4L2 can describe the layout (linear, the planes
 *    of a single-buffer code following each other as the V4L2 format
 *    defines, or one dma-buf at offset 0 per plane for an *M code: the
 *    DMABUF API has no offset into a dma-buf for capture queues), the
 *    driver keeps size and pitch under VIDIOC_TRY_FMT, and every dma-buf
 *    holds the sizeimage the driver asks for. A bad descriptor (wrong pitch,
 *    short buffer) is refused here, before the queue sees it.
 * 2. With the queue, if it is idle: S_FMT, REQBUFS(DMABUF, 1),
 *    VIDIOC_PREPARE_BUF (the kernel attaches and maps the dma-bufs: a
 *    contiguous-only queue refuses a scattered buffer here with EFAULT),
 *    REQBUFS(0). The format stays set, as the program will stream with it.
 *    A busy queue is not touched: property "kernel_checked" says 0.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "v4l2.h"

struct v4l2_import {
	uint32_t type, pixfmt, mem_planes;
	uint32_t bpl[VIDEO_MAX_PLANES];
	uint32_t sizeimage[VIDEO_MAX_PLANES];
	bool kernel_checked;
};

static bool all_one_fd(const struct la_descriptor *d)
{
	for (uint32_t p = 1; p < d->plane_count; p++)
		if (d->planes[p].fd != d->planes[0].fd)
			return false;
	return true;
}

/* Single-buffer code: planes where the V4L2 format puts them (layout.c's rule). */
static int check_packed_planes(struct v4l2_dev *dev, const struct la_descriptor *d,
			       const struct la_format_info *fi, struct la_why *why)
{
	uint64_t end = 0;

	for (uint32_t p = 0; p < d->plane_count; p++) {
		uint64_t num = p ? (uint64_t)fi->bpp[p] * fi->block_w[0] : 1;
		uint64_t den = p ? (uint64_t)fi->bpp[0] * fi->block_w[p] * fi->hsub : 1;
		uint64_t rows = p ? (d->height + fi->vsub - 1) / fi->vsub : d->height;
		uint64_t pitch = d->planes[0].pitch * num;

		if (pitch % den || d->planes[p].pitch != pitch / den) {
			v4l2_diag(why, "plane %u pitch %llu: V4L2 single-buffer formats imply %llu "
					   "from the luma pitch %llu", p,
				  (unsigned long long)d->planes[p].pitch,
				  (unsigned long long)(pitch / den),
				  (unsigned long long)d->planes[0].pitch);
			return -EINVAL;
		}
		if (d->planes[p].offset != end) {
			v4l2_diag(why,
				  "plane %u at offset %llu: V4L2 single-buffer formats put it at "
					   "%llu (planes follow each other from offset 0)", p,
				  (unsigned long long)d->planes[p].offset, (unsigned long long)end);
			return -EINVAL;
		}
		end += d->planes[p].pitch * rows;
	}
	return 0;
}

static int check_separate_planes(struct v4l2_dev *dev, const struct la_descriptor *d,
				 struct la_why *why)
{
	for (uint32_t p = 0; p < d->plane_count; p++) {
		if (d->planes[p].offset) {
			v4l2_diag(why,
				  "plane %u at offset %llu: a V4L2 DMABUF plane starts at offset 0 "
					   "of its own dma-buf", p, (unsigned long long)d->planes[p].offset);
			return -EINVAL;
		}
		for (uint32_t q = 0; q < p; q++) {
			if (d->planes[q].fd == d->planes[p].fd) {
				v4l2_diag(why,
					  "planes %u and %u share a dma-buf at offset 0", q, p);
				return -EINVAL;
			}
		}
	}
	return 0;
}

/* Which code, and whether V4L2 can describe the descriptor's layout at all. */
static int choose_code(struct v4l2_dev *dev, uint32_t type, const struct la_descriptor *d,
		       struct v4l2_import *imp, struct la_why *why)
{
	struct la_format_info fi;
	char name[32], s[8];
	bool one = all_one_fd(d);
	int ret;

	la_format_name(d->format, name, sizeof(name));
	if (d->modifier != 0) {
		v4l2_diag(why, "V4L2 buffers are linear: %s with modifier 0x%llx cannot be "
				   "described", name, (unsigned long long)d->modifier);
		return -EINVAL;
	}
	if (la_format_get_info(d->format, &fi) < 0 || d->plane_count != fi.plane_count) {
		v4l2_diag(why, "%s with %u planes is not a format liballoc can lay out", name,
			  d->plane_count);
		return -EINVAL;
	}
	imp->mem_planes = one ? 1 : d->plane_count;
	imp->pixfmt = la_v4l2_format_from_drm(d->format, imp->mem_planes);
	if (!imp->pixfmt || (imp->mem_planes > 1 && !v4l2_type_is_mplane(type)) ||
	    !v4l2_lists_format(dev, type, imp->pixfmt)) {
		v4l2_diag(why, "the queue does not list %s%s%s%s", name,
			  imp->pixfmt ? " as '" : "", imp->pixfmt ? v4l2_fourcc_str(imp->pixfmt, s) : "",
			  imp->pixfmt ? (one ? "' (all planes in one dma-buf)"
					     : "' (one dma-buf per plane)")
				      : " (no V4L2 code)");
		return -EINVAL;
	}
	ret = one ? check_packed_planes(dev, d, &fi, why) : check_separate_planes(dev, d, why);
	if (ret < 0)
		return ret;
	for (uint32_t p = 0; p < imp->mem_planes; p++)
		imp->bpl[p] = (uint32_t)d->planes[p].pitch;
	return 0;
}

/* What the driver says of this format and pitch, and whether each dma-buf holds it. */
static int check_with_driver(struct v4l2_dev *dev, uint32_t type, const struct la_descriptor *d,
			     struct v4l2_import *imp, struct v4l2_format *f, struct la_why *why)
{
	uint32_t w, h, n, bpl[VIDEO_MAX_PLANES], size[VIDEO_MAX_PLANES];
	char s[8];
	int ret;

	v4l2_fill_format(f, type, imp->pixfmt, d->width, d->height, imp->mem_planes, imp->bpl);
	ret = be_ioctl(dev->fd, VIDIOC_TRY_FMT, f);
	if (ret < 0) {
		v4l2_diag(why, "VIDIOC_TRY_FMT %s %ux%u: %s", v4l2_fourcc_str(imp->pixfmt, s),
			  d->width, d->height, strerror(-ret));
		return ret;
	}
	v4l2_read_format(f, &w, &h, &n, bpl, size);
	if (w != d->width || h != d->height || n != imp->mem_planes) {
		v4l2_diag(why, "VIDIOC_TRY_FMT turns %s %ux%u (%u planes) into %ux%u (%u planes)",
			  v4l2_fourcc_str(imp->pixfmt, s), d->width, d->height, imp->mem_planes, w, h,
			  n);
		return -EINVAL;
	}
	for (uint32_t p = 0; p < n; p++) {
		int64_t fd_size = v4l2_fd_size(d->planes[p].fd);
		if (bpl[p] != imp->bpl[p]) {
			v4l2_diag(why,
				  "wrong pitch: plane %u pitch %u, the driver wants bytesperline "
					   "%u for %s %ux%u", p, imp->bpl[p], bpl[p],
				  v4l2_fourcc_str(imp->pixfmt, s), w, h);
			return -EINVAL;
		}
		if (fd_size < 0) {
			v4l2_diag(why, "plane %u: cannot size its dma-buf: %s", p,
				  strerror((int)-fd_size));
			return (int)fd_size;
		}
		if ((uint64_t)fd_size < size[p]) {
			v4l2_diag(why,
				  "short buffer: the dma-buf of memory plane %u holds %lld bytes, "
					   "the driver needs sizeimage %u", p, (long long)fd_size, size[p]);
			return -EINVAL;
		}
		imp->sizeimage[p] = size[p];
	}
	return 0;
}

/* The kernel's own answer, on an idle queue only. */
static int check_with_queue(struct v4l2_dev *dev, enum v4l2_queue q, const struct la_descriptor *d,
			    struct v4l2_import *imp, struct v4l2_format *f, struct la_why *why)
{
	struct v4l2_requestbuffers rb = {.count = 1, .type = imp->type, .memory = V4L2_MEMORY_DMABUF};
	struct v4l2_plane planes[VIDEO_MAX_PLANES];
	struct v4l2_queue_state st;
	struct v4l2_buffer b;
	const char *call = "VIDIOC_S_FMT";
	int ret;

	ret = v4l2_queue_state(dev, imp->type, &st, why);
	if (ret < 0 || !st.exact || st.n_buffers) {
		v4l2_dbg(dev->be, "%s: import not tried on the queue (busy or unknown state)",
			 dev->label);
		return 0;
	}
	ret = be_ioctl(dev->fd, VIDIOC_S_FMT, f);
	if (ret == 0) {
		call = "VIDIOC_REQBUFS(DMABUF)";
		ret = be_ioctl(dev->fd, VIDIOC_REQBUFS, &rb);
	}
	if (ret < 0) {
		if (ret == -EBUSY)
			return 0; /* another file owns the queue: leave it alone */
		v4l2_diag(why, "%s: %s", call, strerror(-ret));
		return ret;
	}
	memset(&b, 0, sizeof(b));
	memset(planes, 0, sizeof(planes));
	b.type = imp->type;
	b.memory = V4L2_MEMORY_DMABUF;
	b.field = V4L2_FIELD_NONE;
	if (v4l2_type_is_mplane(imp->type)) {
		for (uint32_t p = 0; p < imp->mem_planes; p++) {
			planes[p].m.fd = d->planes[p].fd;
			planes[p].length = (uint32_t)v4l2_fd_size(d->planes[p].fd);
		}
		b.m.planes = planes;
		b.length = imp->mem_planes;
	} else {
		b.m.fd = d->planes[0].fd;
		b.length = (uint32_t)v4l2_fd_size(d->planes[0].fd);
	}
	call = "VIDIOC_PREPARE_BUF";
	ret = be_ioctl(dev->fd, VIDIOC_PREPARE_BUF, &b);
	if (ret == -ENOTTY) {
		call = "VIDIOC_QBUF";
		ret = be_ioctl(dev->fd, VIDIOC_QBUF, &b);
	}
	rb.count = 0;
	be_ioctl(dev->fd, VIDIOC_REQBUFS, &rb);
	if (ret == -EFAULT) {
		v4l2_diag(why, "%s refused the dma-buf with EFAULT: the queue needs physically "
				   "contiguous memory and this buffer is scattered (import rule: %s; %s)",
			  call, la_import_rule_name(dev->probe[q].rule), dev->probe[q].reason);
		return ret;
	}
	if (ret < 0) {
		v4l2_diag(why, "%s refused the dma-buf: %s", call, strerror(-ret));
		return ret;
	}
	imp->kernel_checked = true;
	return 0;
}

int v4l2_import(void *backend, void *device, uint64_t usage, const struct la_descriptor *desc,
		void **out, struct la_why *why)
{
	struct v4l2_dev *dev = device;
	struct v4l2_import *imp;
	struct v4l2_format f;
	enum v4l2_queue q;
	int ret;

	(void)backend;
	ret = v4l2_queue_for_usage(dev, usage, &q, why);
	if (ret < 0)
		return ret;
	imp = calloc(1, sizeof(*imp));
	if (!imp)
		return -ENOMEM;
	imp->type = dev->type[q];
	ret = choose_code(dev, imp->type, desc, imp, why);
	if (ret == 0)
		ret = check_with_driver(dev, imp->type, desc, imp, &f, why);
	if (ret == 0)
		ret = check_with_queue(dev, q, desc, imp, &f, why);
	if (ret < 0) {
		free(imp);
		return ret;
	}
	*out = imp;
	return 0;
}

int v4l2_import_get_property(void *backend, void *data, const char *name, uint64_t *value,
			     struct la_why *why)
{
	struct v4l2_import *imp = data;
	unsigned p;

	(void)backend;
	if (strcmp(name, "pixelformat") == 0)
		*value = imp->pixfmt;
	else if (strcmp(name, "buf_type") == 0)
		*value = imp->type;
	else if (strcmp(name, "num_planes") == 0)
		*value = imp->mem_planes;
	else if (strcmp(name, "kernel_checked") == 0)
		*value = imp->kernel_checked;
	else if (sscanf(name, "bytesperline%u", &p) == 1 && p < imp->mem_planes)
		*value = imp->bpl[p];
	else if (sscanf(name, "sizeimage%u", &p) == 1 && p < imp->mem_planes)
		*value = imp->sizeimage[p];
	else
		return -ENOENT;
	return 0;
}

void v4l2_import_release(void *backend, void *imp)
{
	(void)backend;
	free(imp);
}
