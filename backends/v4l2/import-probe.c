/* SPDX-License-Identifier: MIT */
/*
 * Does a queue import any dma-buf, or only physically contiguous ones?
 *
 * No uapi says which videobuf2 allocator a queue uses. What differs is the
 * import: videobuf2-dma-contig maps an imported dma-buf and refuses it with
 * EFAULT when its DMA addresses are not one contiguous range
 * (vb2_dc_map_dmabuf(): "contiguous chunk is too small"), while
 * videobuf2-vmalloc and -dma-sg take any. So once per device and queue we
 * import a buffer that is scattered for certain and watch the answer:
 * a udmabuf whose two halves are the same memfd pages (UDMABUF_CREATE_LIST
 * with two items at offset 0), so page N of the second half can never
 * follow the last page of the first. The buffer is prepared, not queued for
 * capture (VIDIOC_PREPARE_BUF maps it; VIDIOC_QBUF without streaming if the
 * driver has no PREPARE_BUF), then the queue is freed again.
 *
 * A kernel with swiotlb (any x86 guest with memory above 4 GiB, many
 * arm64 boards) bounces pages a device with a 32-bit DMA mask cannot reach
 * into its bounce slots, which lie next to each other: vb2-dma-contig then
 * sees one contiguous range and takes the scattered buffer (measured in the
 * 6 GiB test guest with vivid on dma-contig), and the camera would capture
 * through a hidden copy. Where the kernel shows page frame numbers (to
 * CAP_SYS_ADMIN, /proc/self/pagemap), a probe buffer whose pages lie above
 * 4 GiB is therefore inconclusive: the cautious answer, probed again on the
 * next query, definite after the probe cache's bound. Where it does not
 * show them, success means `any` as before.
 *
 * The probe only runs on an idle queue (no buffers): on a busy one it would
 * disturb whoever streams, so the answer is then the cautious
 * "contiguous only" with the reason. Such a fallback is not final: later
 * queries probe again, BE_PROBE_CACHE_ATTEMPTS times in all per device and
 * process, and the last fallback is then the answer, saying so. Answers
 * live in the process-wide probe cache (../common/probe-cache.h), keyed by
 * the node's device number, the driver, the queue and the boot id, so
 * another context or another open of the node does not probe again.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/udmabuf.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../common/probe-buffers.h"
#include "v4l2.h"

#define BOUNCE_LIMIT (UINT64_C(1) << 32)

static void set_rule(struct v4l2_probe *p, enum la_import_rule rule, bool cache, const char *fmt,
		     ...) __attribute__((format(printf, 4, 5)));
static void set_rule(struct v4l2_probe *p, enum la_import_rule rule, bool cache, const char *fmt,
		     ...)
{
	va_list ap;

	p->rule = rule;
	p->done = cache;
	va_start(ap, fmt);
	vsnprintf(p->reason, sizeof(p->reason), fmt, ap);
	va_end(ap);
}

/* Imports fd into buffer 0 of type; 0 or the kernel's -errno, *call names the ioctl. */
static int try_import(struct v4l2_dev *dev, uint32_t type, int fd, uint32_t length,
		      uint32_t n_planes, const char **call)
{
	struct v4l2_plane planes[VIDEO_MAX_PLANES];
	struct v4l2_buffer b;
	int ret;

	memset(&b, 0, sizeof(b));
	memset(planes, 0, sizeof(planes));
	b.index = 0;
	b.type = type;
	b.memory = V4L2_MEMORY_DMABUF;
	b.field = V4L2_FIELD_NONE;
	if (v4l2_type_is_mplane(type)) {
		for (uint32_t p = 0; p < n_planes; p++) {
			planes[p].m.fd = fd;
			planes[p].length = length;
		}
		b.m.planes = planes;
		b.length = n_planes;
	} else {
		b.m.fd = fd;
		b.length = length;
	}
	*call = "VIDIOC_PREPARE_BUF";
	ret = be_ioctl(dev->fd, VIDIOC_PREPARE_BUF, &b);
	if (ret == -ENOTTY) {
		*call = "VIDIOC_QBUF";
		ret = be_ioctl(dev->fd, VIDIOC_QBUF, &b);
	}
	return ret;
}

/* Probes the queue: p->done says whether the answer is definite. */
static void run_probe(struct v4l2_dev *dev, enum v4l2_queue q, struct v4l2_probe *p)
{
	uint32_t type = dev->type[q];
	struct v4l2_queue_state st;
	struct v4l2_format f = {.type = type};
	uint32_t w, h, n, bpl[VIDEO_MAX_PLANES], size[VIDEO_MAX_PLANES], need = 0;
	struct v4l2_requestbuffers rb = {.count = 1, .type = type, .memory = V4L2_MEMORY_DMABUF};
	const char *call = "";
	char why[160];
	uint64_t high = 0;
	int fd = -1, ret;

	ret = v4l2_queue_state(dev, type, &st, NULL);
	if (ret == 0 && st.exact && st.n_buffers) {
		set_rule(p, LA_IMPORT_CONTIGUOUS, false, "not probed: the queue holds %u buffers; "
			 "assuming contiguous-only", st.n_buffers);
		return;
	}
	ret = be_ioctl(dev->fd, VIDIOC_G_FMT, &f);
	if (ret < 0) {
		set_rule(p, LA_IMPORT_CONTIGUOUS, false, "not probed: VIDIOC_G_FMT: %s; assuming "
			 "contiguous-only", strerror(-ret));
		return;
	}
	v4l2_read_format(&f, &w, &h, &n, bpl, size);
	for (uint32_t i = 0; i < n; i++)
		need = size[i] > need ? size[i] : need;
	ret = be_scattered_dmabuf(need, &fd, why, sizeof(why), &high);
	if (ret < 0) {
		set_rule(p, LA_IMPORT_CONTIGUOUS, false, "not probed: no scattered test buffer (%s); "
			 "assuming contiguous-only", why);
		return;
	}
	ret = be_ioctl(dev->fd, VIDIOC_REQBUFS, &rb);
	if (ret < 0) {
		set_rule(p, LA_IMPORT_CONTIGUOUS, ret != -EBUSY, "not probed: VIDIOC_REQBUFS(DMABUF): %s; "
			 "assuming contiguous-only", strerror(-ret));
		close(fd);
		return;
	}
	ret = try_import(dev, type, fd, (uint32_t)v4l2_fd_size(fd), n, &call);
	rb.count = 0;
	be_ioctl(dev->fd, VIDIOC_REQBUFS, &rb);
	close(fd);
	if (ret == 0 && high >= BOUNCE_LIMIT)
		/* see the top of this file: swiotlb may have made it look contiguous */
		set_rule(p, LA_IMPORT_CONTIGUOUS, false, "%s took a scattered dma-buf, but its pages "
			 "lie above 4 GiB (up to 0x%llx), where swiotlb bounces them into contiguous "
			 "slots for a 32-bit device: inconclusive, assuming contiguous-only", call,
			 (unsigned long long)high);
	else if (ret == 0)
		set_rule(p, LA_IMPORT_ANY, true, "%s took a scattered dma-buf (udmabuf, 2 pieces%s)",
			 call, high ? ", below 4 GiB" : "");
	else if (ret == -EFAULT)
		set_rule(p, LA_IMPORT_CONTIGUOUS, true, "%s refused a scattered dma-buf with EFAULT: "
			 "the queue needs one contiguous DMA range (videobuf2-dma-contig)", call);
	else
		set_rule(p, LA_IMPORT_CONTIGUOUS, false, "%s refused a scattered dma-buf: %s; "
			 "assuming contiguous-only", call, strerror(-ret));
}

static void use_answer(struct v4l2_probe *p, const struct be_probe_answer *a)
{
	p->rule = a->rule;
	p->done = a->definite;
	snprintf(p->reason, sizeof(p->reason), "%s", a->reason);
}

void v4l2_probe_import_rule(struct v4l2_dev *dev, enum v4l2_queue q, uint32_t mem_caps)
{
	struct v4l2_probe *p = &dev->probe[q];
	struct be_probe_key key = {.devnum = dev->devnum};
	struct be_probe_answer a;
	char note[300];
	int ret;

	if (p->done)
		return;
	if (!(mem_caps & V4L2_BUF_CAP_SUPPORTS_DMABUF)) {
		set_rule(p, LA_IMPORT_NONE, true, "queue lacks V4L2_BUF_CAP_SUPPORTS_DMABUF "
			 "(capabilities 0x%x): it can only use its own MMAP buffers", mem_caps);
		return;
	}
	snprintf(key.driver, sizeof(key.driver), "%s", dev->driver);
	snprintf(key.what, sizeof(key.what), "%s", q == V4L2_Q_CAPTURE ? "capture" : "output");
	ret = be_probe_cache_lookup(&key, &a);
	if (be_probe_cache_note(note, sizeof(note)))
		v4l2_dbg(dev->be, "probe cache: %s", note);
	if (ret == 1) {
		use_answer(p, &a);
		v4l2_dbg(dev->be, "%s: %s queue: import rule from an earlier probe in this %s: "
			 "%s: %s", dev->label, key.what, a.from_file ? "boot (probe cache file)"
								   : "process",
			 la_import_rule_name(p->rule), p->reason);
		return;
	}
	run_probe(dev, q, p);
	if (p->done) {
		ret = be_probe_cache_store(&key, p->rule, p->reason);
	} else {
		ret = be_probe_cache_fail(&key, p->rule, p->reason, &a);
		use_answer(p, &a);
	}
	if (be_probe_cache_note(note, sizeof(note)))
		v4l2_dbg(dev->be, "probe cache: %s", note);
	if (ret < 0)
		v4l2_dbg(dev->be, "%s: probe cache: %s (this device object keeps its own answer)",
			 dev->label, strerror(-ret));
	v4l2_dbg(dev->be, "%s: import probe: %s: %s", dev->label, la_import_rule_name(p->rule),
		 p->reason);
}
