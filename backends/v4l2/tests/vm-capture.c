/* SPDX-License-Identifier: MIT */
/*
 * Guest: capture for real. vivid writes its colour-bar test pattern into
 *  - dma-heap buffers negotiated by liballoc and imported as DMABUF
 *    (instance 0, vmalloc, YUYV; instance 2, multi-planar, NV12M with one
 *    dma-heap buffer per plane),
 *  - the device's own MMAP+EXPBUF buffers allocated through the
 *    v4l2-mmap path (instances 0 and 1, 1 being dma-contig),
 * and the pixels are checked (bars: several distinct luma values along the
 * middle row, identical in both captures of instance 0). The contiguous-only
 * instance refuses a scattered dma-buf as liballoc predicted; bad
 * descriptors are refused before the queue sees them; the streaming helper
 * leaves no buffer and no fd behind, also when it fails.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "vm-common.h"

#define W 640
#define H 360
#define NBUF 2 /* vivid starts streaming with 2 queued buffers */

struct setup {
	int inst;
	char path[64];
	int fd;
	uint32_t type;
	struct la_device *dev;
};

static bool open_inst(struct la_context *ctx, int inst, struct setup *s)
{
	memset(s, 0, sizeof(*s));
	s->inst = inst;
	s->fd = -1;
	if (!vm_check(vt_find_vivid(inst, s->path, sizeof(s->path)) == 0, "vivid-%d found", inst))
		return false;
	s->fd = open(s->path, O_RDWR | O_CLOEXEC);
	s->type = vt_capture_type(s->fd);
	return vm_check(la_device_open(ctx, s->path, &s->dev) == 0, "vivid-%d: open %s", inst, s->path);
}

static void close_inst(struct setup *s)
{
	la_device_unref(s->dev);
	if (s->fd >= 0)
		close(s->fd);
}

static struct la_result *negotiate(struct la_context *ctx, struct setup *s, uint32_t v4l2)
{
	uint32_t f = la_v4l2_format_to_drm(v4l2, NULL);
	struct la_assertion a = {.width = W, .height = H, .formats = &f, .n_formats = 1,
				 .buffer_count = NBUF};
	struct la_request r = {s->dev, LA_USAGE_CAPTURE | LA_USAGE_CPU_READ};
	struct la_result *res = NULL;
	int ret = la_negotiate(ctx, &a, &r, 1, &res);

	vm_check(ret == 0, "vivid-%d: negotiate %ux%u: %d %s", s->inst, W, H, ret,
		 ret ? (res ? la_result_get_diagnosis(res) : la_last_diagnosis()) : "");
	return res;
}

/* Wraps heap dma-bufs (one per plane if separate) in the layout of res' chosen candidate. */
static struct la_buffer *heap_buffer(struct la_context *ctx, struct la_result *res, bool per_plane,
				     uint64_t shrink)
{
	struct la_candidate c;
	struct la_layout l;
	struct la_descriptor d = {0};
	struct la_buffer *buf = NULL;
	int idx = la_result_get_chosen_candidate(res);

	if (idx < 0 || la_result_get_candidate(res, (size_t)idx, &c) < 0 ||
	    la_layout_compute(c.format, W, H, &c.constraints, &l) < 0)
		return NULL;
	d = (struct la_descriptor){.format = c.format, .modifier = c.modifier, .width = W,
				   .height = H, .plane_count = l.plane_count};
	for (uint32_t p = 0; p < l.plane_count; p++) {
		if (per_plane) {
			d.planes[p] = (struct la_plane){vt_heap_alloc(l.plane_size[p]), 0, l.pitch[p],
							l.plane_size[p]};
		} else {
			if (p == 0)
				d.planes[0].fd = vt_heap_alloc(l.size - shrink);
			/* a short buffer says so honestly: its plane ends inside the dma-buf */
			uint64_t size = l.plane_size[p];
			if (shrink && l.offset[p] + size > l.size - shrink)
				size = l.size - shrink - l.offset[p];
			d.planes[p] = (struct la_plane){d.planes[0].fd, l.offset[p], l.pitch[p], size};
		}
	}
	la_buffer_from_descriptor(ctx, &d, &buf);
	for (uint32_t p = 0; p < d.plane_count; p++)
		if (per_plane || p == 0)
			close(d.planes[p].fd);
	return buf;
}

/* Captures one frame into bufs (imported as DMABUF); index of the filled buffer or -1. */
static int capture(struct setup *s, struct la_buffer **bufs, int n)
{
	struct la_v4l2_stream_config cfg;
	struct la_v4l2_stream *st = NULL;
	struct la_descriptor d;
	struct la_why why = {0};
	uint32_t index = 0, used = 0;
	int ret, filled = -1;

	la_buffer_get_descriptor(bufs[0], &d);
	ret = la_v4l2_stream_config_from_descriptor(&d, &cfg, &why);
	if (!vm_check(ret == 0, "config from descriptor: %s", why.text))
		return -1;
	cfg.type = s->type;
	cfg.count = (uint32_t)n;
	ret = la_v4l2_stream_open(s->fd, &cfg, &st, &why);
	if (!vm_check(ret == 0, "vivid-%d: stream open: %s", s->inst, why.text))
		return -1;
	for (int i = 0; i < n && ret == 0; i++) {
		la_buffer_get_descriptor(bufs[i], &d);
		ret = la_v4l2_stream_queue_dmabuf(st, (uint32_t)i, &d, &why);
	}
	if (ret == 0)
		ret = la_v4l2_stream_start(st, &why);
	if (ret == 0)
		ret = la_v4l2_stream_dequeue(st, 10000, &index, &used, &why);
	if (vm_check(ret == 0, "vivid-%d: captured buffer %u (%u bytes): %s", s->inst, index, used,
		     why.text))
		filled = (int)index;
	la_v4l2_stream_close(st);
	vm_check(vt_queue_buffers(s->fd, s->type) == 0, "vivid-%d: helper left the queue empty",
		 s->inst);
	return filled;
}

/* Middle row of plane 0, sampled every `step` bytes; distinct values counted. */
static int middle_row(struct la_buffer *buf, uint32_t plane, uint32_t step, uint8_t *row,
		      size_t max)
{
	struct la_descriptor d;
	uint8_t *p;
	int distinct = 0;
	bool seen[256] = {false};
	size_t n = 0;

	la_buffer_get_descriptor(buf, &d);
	if (la_buffer_map(buf, plane, LA_MAP_READ, (void **)&p) < 0) {
		vm_check(false, "map plane %u: %s", plane, la_last_diagnosis());
		return -1;
	}
	uint32_t rows = plane ? H / 2 : H;
	const uint8_t *r = p + (uint64_t)(rows / 2) * d.planes[plane].pitch;
	for (uint64_t x = 0; x < d.planes[plane].pitch && n < max; x += step) {
		row[n++] = r[x];
		distinct += !seen[r[x]];
		seen[r[x]] = true;
	}
	la_buffer_unmap(buf, plane);
	return distinct;
}

static void test_heap_capture(struct la_context *ctx, struct setup *s, uint8_t *row, size_t *len)
{
	struct la_result *res = negotiate(ctx, s, V4L2_PIX_FMT_YUYV);
	struct la_buffer *bufs[NBUF] = {0};
	struct la_import *imp = NULL;
	uint64_t v = 0;
	int idx, distinct;

	if (!res)
		return;
	for (int i = 0; i < NBUF; i++)
		bufs[i] = heap_buffer(ctx, res, false, 0);
	if (!vm_check(bufs[0] && bufs[1], "vivid-%d: two dma-heap buffers in the negotiated layout",
		      s->inst))
		goto out;
	vm_check(la_device_import(s->dev, LA_USAGE_CAPTURE, bufs[0], &imp) == 0,
		 "vivid-%d: import of a dma-heap buffer: %s", s->inst, la_last_diagnosis());
	if (imp) {
		la_import_get_property(imp, "kernel_checked", &v);
		vm_check(v == 1, "vivid-%d: the queue itself accepted it (PREPARE_BUF)", s->inst);
		la_import_destroy(imp);
	}
	idx = capture(s, bufs, NBUF);
	if (idx >= 0) {
		distinct = middle_row(bufs[idx], 0, 2, row, 640);
		*len = 640;
		vm_check(distinct >= 4, "vivid-%d: dma-heap capture: %d distinct luma values on the "
			 "middle row (colour bars)", s->inst, distinct);
	}
out:
	for (int i = 0; i < NBUF; i++)
		la_buffer_destroy(bufs[i]);
	la_result_destroy(res);
}

static void test_mmap_capture(struct la_context *ctx, struct setup *s, const uint8_t *ref,
			      size_t ref_len)
{
	struct la_result *res = negotiate(ctx, s, V4L2_PIX_FMT_YUYV);
	struct la_buffer *bufs[NBUF] = {0};
	char path[96];
	uint8_t row[640];
	int idx, distinct;

	if (!res)
		return;
	snprintf(path, sizeof(path), "v4l2-mmap:vivid:%s", strrchr(s->path, '/') + 1);
	for (int i = 0; i < NBUF; i++)
		vm_check(la_allocate_with_path(res, path, &bufs[i]) == 0, "vivid-%d: %s buffer %d: %s",
			 s->inst, path, i, la_last_diagnosis());
	if (!bufs[0] || !bufs[1])
		goto out;
	struct la_descriptor d;
	la_buffer_get_descriptor(bufs[0], &d);
	vm_check(strcmp(la_buffer_get_path(bufs[0]), path) == 0 && d.planes[0].fd >= 0,
		 "vivid-%d: buffer from %s, flags 0x%x", s->inst, la_buffer_get_path(bufs[0]), d.flags);
	idx = capture(s, bufs, NBUF);
	if (idx >= 0) {
		distinct = middle_row(bufs[idx], 0, 2, row, sizeof(row));
		vm_check(distinct >= 4, "vivid-%d: MMAP+EXPBUF capture: %d distinct luma values",
			 s->inst, distinct);
		if (ref_len)
			vm_check(memcmp(row, ref, ref_len) == 0,
				 "vivid-%d: middle row identical to the dma-heap capture", s->inst);
	}
out:
	for (int i = 0; i < NBUF; i++)
		la_buffer_destroy(bufs[i]);
	la_result_destroy(res);
}

static void test_contiguous_refusal(struct la_context *ctx, struct setup *s)
{
	struct la_result *res = negotiate(ctx, s, V4L2_PIX_FMT_YUYV);
	struct la_capset *set = NULL;
	struct la_capset_info info;
	struct la_import *imp = NULL;
	struct la_buffer *buf = NULL;
	struct la_candidate c;
	struct la_layout l;
	uint32_t f = la_v4l2_format_to_drm(V4L2_PIX_FMT_YUYV, NULL);
	struct la_assertion a = {.width = W, .height = H, .formats = &f, .n_formats = 1};
	int ret;

	if (!res)
		return;
	la_device_get_capabilities(s->dev, LA_USAGE_CAPTURE, &a, &set);
	la_capset_get_info(set, &info);
	vm_check(info.import_rule == LA_IMPORT_CONTIGUOUS, "vivid-%d: predicted contiguous-only",
		 s->inst);
	la_result_get_candidate(res, (size_t)la_result_get_chosen_candidate(res), &c);
	la_layout_compute(c.format, W, H, &c.constraints, &l);
	struct la_descriptor d = {.format = c.format, .modifier = 0, .width = W, .height = H,
				  .plane_count = 1};
	d.planes[0] = (struct la_plane){vt_scattered_alloc(l.size), 0, l.pitch[0], l.plane_size[0]};
	la_buffer_from_descriptor(ctx, &d, &buf);
	close(d.planes[0].fd);
	ret = la_device_import(s->dev, LA_USAGE_CAPTURE, buf, &imp);
	vm_check(ret == -EFAULT && strstr(la_last_diagnosis(), "contiguous"),
		 "vivid-%d: scattered dma-buf refused: %d %s", s->inst, ret, la_last_diagnosis());
	la_import_destroy(imp);
	la_buffer_destroy(buf);
	la_capset_destroy(set);
	la_result_destroy(res);
}

static void test_nv12m(struct la_context *ctx, struct setup *s)
{
	struct la_result *res = negotiate(ctx, s, V4L2_PIX_FMT_NV12);
	struct la_buffer *bufs[NBUF] = {0};
	struct la_import *imp = NULL;
	uint64_t code = 0, n = 0;
	uint8_t row[640];
	int idx, d0, d1;

	if (!res)
		return;
	for (int i = 0; i < NBUF; i++)
		bufs[i] = heap_buffer(ctx, res, true, 0);
	if (!vm_check(bufs[0] && bufs[1], "vivid-%d: NV12 in one dma-heap buffer per plane", s->inst))
		goto out;
	if (vm_check(la_device_import(s->dev, LA_USAGE_CAPTURE, bufs[0], &imp) == 0,
		     "vivid-%d: import NV12 planes in 2 dma-bufs: %s", s->inst, la_last_diagnosis())) {
		la_import_get_property(imp, "pixelformat", &code);
		la_import_get_property(imp, "num_planes", &n);
		vm_check(code == V4L2_PIX_FMT_NV12M && n == 2, "vivid-%d: queued as NM12, 2 planes",
			 s->inst);
		la_import_destroy(imp);
	}
	idx = capture(s, bufs, NBUF);
	if (idx >= 0) {
		d0 = middle_row(bufs[idx], 0, 1, row, sizeof(row));
		d1 = middle_row(bufs[idx], 1, 1, row, sizeof(row));
		vm_check(d0 >= 4 && d1 >= 4, "vivid-%d: NV12M capture: %d distinct Y, %d distinct CbCr "
			 "values on the middle rows", s->inst, d0, d1);
	}
out:
	for (int i = 0; i < NBUF; i++)
		la_buffer_destroy(bufs[i]);
	la_result_destroy(res);
}

static void test_bad_descriptors(struct la_context *ctx, struct setup *s)
{
	struct la_result *res = negotiate(ctx, s, V4L2_PIX_FMT_YUYV);
	struct la_import *imp = NULL;
	struct la_buffer *buf;
	struct la_descriptor d;
	int ret, klog;

	if (!res)
		return;
	klog = tl_klog_open();
	/* short buffer: half a page less than the frame */
	buf = heap_buffer(ctx, res, false, 8192);
	ret = la_device_import(s->dev, LA_USAGE_CAPTURE, buf, &imp);
	vm_check(ret == -EINVAL && strstr(la_last_diagnosis(), "short buffer"),
		 "vivid-%d: short buffer refused: %s", s->inst, la_last_diagnosis());
	la_import_destroy(imp);
	imp = NULL;
	la_buffer_destroy(buf);

	/* wrong pitch: less than a row needs */
	buf = heap_buffer(ctx, res, false, 0);
	la_buffer_export(buf, &d);
	la_buffer_destroy(buf);
	d.planes[0].pitch -= 4;
	la_buffer_from_descriptor(ctx, &d, &buf);
	la_descriptor_close(&d);
	ret = la_device_import(s->dev, LA_USAGE_CAPTURE, buf, &imp);
	vm_check(ret == -EINVAL && strstr(la_last_diagnosis(), "wrong pitch"),
		 "vivid-%d: wrong pitch refused: %s", s->inst, la_last_diagnosis());
	la_import_destroy(imp);
	la_buffer_destroy(buf);
	vm_check(vt_queue_buffers(s->fd, s->type) == 0 && tl_klog_count(klog, "videobuf2") == 0,
		 "vivid-%d: the queue never saw them", s->inst);
	if (klog >= 0)
		close(klog);
	la_result_destroy(res);
}

/* The helper undoes what it did when a later step fails. */
static void test_helper_cleanup(struct setup *s)
{
	struct la_v4l2_stream_config cfg = {.type = s->type, .memory = V4L2_MEMORY_MMAP,
		.pixelformat = V4L2_PIX_FMT_YUYV, .width = W, .height = H, .num_planes = 1, .count = 3};
	struct la_v4l2_stream *st = NULL;
	struct la_descriptor d = {0};
	struct la_why why = {0};
	int fds = tl_fd_count(), ret, efd = -1;

	/* size the webcam input cannot do: S_FMT changes it, open fails, nothing kept */
	cfg.width = 641;
	ret = la_v4l2_stream_open(s->fd, &cfg, &st, &why);
	vm_check(ret == -EINVAL && !st && strstr(why.text, "changed"), "helper: refused size: %s",
		 why.text);
	vm_check(vt_queue_buffers(s->fd, s->type) == 0 && tl_fd_count() == fds,
		 "helper: no buffer, no fd left after a failed open");
	/* MMAP stream, export, close: queue empty, only the exported fd remains */
	cfg.width = W;
	why = (struct la_why){0};
	ret = la_v4l2_stream_open(s->fd, &cfg, &st, &why);
	if (vm_check(ret == 0, "helper: MMAP stream: %s", why.text)) {
		vm_check(la_v4l2_stream_export(st, 0, 0, &efd, &why) == 0 && efd >= 0,
			 "helper: EXPBUF");
		vm_check(la_v4l2_stream_queue(st, 0, &why) == 0 &&
				 la_v4l2_stream_queue(st, 1, &why) == 0 &&
				 la_v4l2_stream_start(st, &why) == 0,
			 "helper: streaming: %s", why.text);
		la_v4l2_stream_close(st); /* while streaming */
	}
	if (efd >= 0)
		close(efd);
	vm_check(vt_queue_buffers(s->fd, s->type) == 0 && tl_fd_count() == fds,
		 "helper: close while streaming frees the queue and its fd");
	/* DMABUF stream with a dma-buf too small: QBUF fails, close still cleans up */
	cfg.memory = V4L2_MEMORY_DMABUF;
	cfg.count = 2;
	why = (struct la_why){0};
	ret = la_v4l2_stream_open(s->fd, &cfg, &st, &why);
	if (vm_check(ret == 0, "helper: DMABUF stream: %s", why.text)) {
		d.plane_count = 1;
		d.planes[0].fd = vt_heap_alloc(4096);
		ret = la_v4l2_stream_queue_dmabuf(st, 0, &d, &why);
		vm_check(ret == -EINVAL, "helper: 4 KiB dma-buf refused by QBUF: %s", why.text);
		close(d.planes[0].fd);
		la_v4l2_stream_close(st);
	}
	vm_check(vt_queue_buffers(s->fd, s->type) == 0 && tl_fd_count() == fds,
		 "helper: failed QBUF, close: queue empty, no fd left");
}

int main(void)
{
	struct la_context *ctx = vm_context();
	struct setup s;
	uint8_t ref[640];
	size_t ref_len = 0;
	int fds = tl_fd_count();

	if (open_inst(ctx, 0, &s)) {
		test_heap_capture(ctx, &s, ref, &ref_len);
		test_mmap_capture(ctx, &s, ref, ref_len);
		test_bad_descriptors(ctx, &s);
		test_helper_cleanup(&s);
	}
	close_inst(&s);
	if (open_inst(ctx, 1, &s)) {
		test_contiguous_refusal(ctx, &s);
		test_mmap_capture(ctx, &s, NULL, 0);
	}
	close_inst(&s);
	if (open_inst(ctx, 2, &s))
		test_nv12m(ctx, &s);
	close_inst(&s);
	la_context_destroy(ctx);
	vm_check_fds(fds, "capture");
	return vm_exit_status();
}
