/* SPDX-License-Identifier: MIT */
/*
 * Guest: what liballoc-v4l2 learns about three vivid instances (0 single-
 * planar vmalloc, 1 single-planar dma-contig, 2 multi-planar vmalloc; the
 * expected allocator is read back from /sys/module/vivid/parameters):
 * device found by driver name, every listed format through the table,
 * candidates whose layouts the driver's TRY_FMT accepts, memory types, the
 * import rule from the probe (once per device), odd sizes.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vm-common.h"

#define W 640
#define H 360 /* a vivid webcam size */

static int raw_try(int fd, uint32_t type, uint32_t code, uint32_t w, uint32_t h, uint32_t n,
		   const uint32_t *bpl, struct v4l2_format *f)
{
	memset(f, 0, sizeof(*f));
	f->type = type;
	if (type == V4L2_BUF_TYPE_VIDEO_CAPTURE_MPLANE) {
		f->fmt.pix_mp = (struct v4l2_pix_format_mplane){.width = w, .height = h,
			.pixelformat = code, .field = V4L2_FIELD_NONE, .num_planes = (uint8_t)n};
		for (uint32_t p = 0; p < n; p++)
			f->fmt.pix_mp.plane_fmt[p].bytesperline = bpl ? bpl[p] : 0;
	} else {
		f->fmt.pix = (struct v4l2_pix_format){.width = w, .height = h, .pixelformat = code,
			.field = V4L2_FIELD_NONE, .bytesperline = bpl ? bpl[0] : 0};
	}
	return ioctl(fd, VIDIOC_TRY_FMT, f) < 0 ? -errno : 0;
}

/*
 * The driver, asked with liballoc's layout, keeps every pitch and needs no
 * more bytes per memory plane than the layout gives.
 */
static bool layout_matches_driver(int fd, uint32_t type, uint32_t drm, uint32_t w, uint32_t h,
				  const struct la_constraints *c, uint32_t mem_planes, const char *what)
{
	uint32_t code = la_v4l2_format_from_drm(drm, mem_planes), bpl[4] = {0};
	struct la_layout l;
	struct v4l2_format f;
	char s[8];
	bool ok = true;

	if (la_layout_compute(drm, w, h, c, &l) < 0)
		return vm_check(false, "%s: layout %ux%u: %s", what, w, h, la_last_diagnosis());
	for (uint32_t p = 0; p < mem_planes; p++)
		bpl[p] = (uint32_t)l.pitch[p];
	if (raw_try(fd, type, code, w, h, mem_planes, bpl, &f) < 0)
		return vm_check(false, "%s: TRY_FMT failed", what);
	for (uint32_t p = 0; p < mem_planes; p++) {
		uint32_t got = type == V4L2_BUF_TYPE_VIDEO_CAPTURE_MPLANE
				       ? f.fmt.pix_mp.plane_fmt[p].bytesperline : f.fmt.pix.bytesperline;
		uint32_t size = type == V4L2_BUF_TYPE_VIDEO_CAPTURE_MPLANE
					? f.fmt.pix_mp.plane_fmt[p].sizeimage : f.fmt.pix.sizeimage;
		uint64_t have = mem_planes == 1 ? l.size : l.plane_size[p];
		uint32_t fw = type == V4L2_BUF_TYPE_VIDEO_CAPTURE_MPLANE ? f.fmt.pix_mp.width : f.fmt.pix.width;
		ok &= vm_check(got == bpl[p] && size <= have && fw == w,
			       "%s %s %ux%u plane %u: layout pitch %u size %llu, TRY_FMT bytesperline %u "
			       "sizeimage %u", what, vt_fourcc(code, s), w, h, p, bpl[p],
			       (unsigned long long)have, got, size);
	}
	return ok;
}

static struct la_capset *caps_for(struct la_device *dev, uint32_t w, uint32_t h,
				  const uint32_t *fmts, size_t n, int *err)
{
	struct la_assertion a = {.width = w, .height = h, .formats = fmts, .n_formats = n};
	struct la_capset *set = NULL;

	*err = la_device_get_capabilities(dev, LA_USAGE_CAPTURE, &a, &set);
	return set;
}

static const struct la_candidate *find_cand(struct la_capset *set, uint32_t drm,
					    struct la_candidate *c)
{
	for (size_t i = 0; i < la_capset_get_candidate_count(set); i++)
		if (la_capset_get_candidate(set, i, c) == 0 && c->format == drm)
			return c;
	return NULL;
}

static void check_formats(int inst, int fd, uint32_t type, struct la_capset *set)
{
	int listed = 0, mapped = 0, offered = 0, unmapped = 0;
	char s[8];

	for (uint32_t i = 0;; i++) {
		struct v4l2_fmtdesc d = {.index = i, .type = type};
		struct la_candidate c;
		struct la_format_info fi;
		uint32_t mp = 0, drm, back;

		if (ioctl(fd, VIDIOC_ENUM_FMT, &d) < 0)
			break;
		listed++;
		drm = la_v4l2_format_to_drm(d.pixelformat, &mp);
		if (!drm) {
			unmapped++;
			continue;
		}
		mapped++;
		back = la_v4l2_format_from_drm(drm, mp);
		vm_check(back == d.pixelformat || la_v4l2_format_to_drm(back, NULL) == drm,
			 "vivid-%d: '%s' -> DRM 0x%08x -> '%s' round trip", inst,
			 vt_fourcc(d.pixelformat, s), drm, vt_fourcc(back, s + 4 - 4));
		if (la_format_get_info(drm, &fi) == 0)
			offered += vm_check(find_cand(set, drm, &c) != NULL,
					    "vivid-%d: listed '%s' is offered as a candidate", inst,
					    vt_fourcc(d.pixelformat, s));
	}
	vm_note("vivid-%d: %d formats listed, %d mapped to DRM, %d offered, %d without DRM "
		"equivalent", inst, listed, mapped, offered, unmapped);
	vm_check(mapped >= 20, "vivid-%d: at least 20 formats mapped (%d)", inst, mapped);
	/* and nothing invented: every candidate is a format the queue lists */
	for (size_t i = 0; i < la_capset_get_candidate_count(set); i++) {
		struct la_candidate c;
		bool listed_it = false;
		la_capset_get_candidate(set, i, &c);
		for (uint32_t mp = 1; mp <= 3 && !listed_it; mp++) {
			uint32_t code = la_v4l2_format_from_drm(c.format, mp);
			for (uint32_t k = 0; code; k++) {
				struct v4l2_fmtdesc d = {.index = k, .type = type};
				if (ioctl(fd, VIDIOC_ENUM_FMT, &d) < 0)
					break;
				listed_it |= d.pixelformat == code;
			}
		}
		char name[32];
		vm_check(listed_it && c.modifier == 0, "vivid-%d: candidate %s listed, linear", inst,
			 la_format_name(c.format, name, sizeof(name)));
		uint32_t mp1 = la_v4l2_format_from_drm(c.format, 1) ? 1 : c.plane_count;
		layout_matches_driver(fd, type, c.format, W, H, &c.constraints, mp1, "candidate");
	}
}

static void check_memory_and_rule(struct la_context *ctx, int inst, int fd, uint32_t type,
				  struct la_device *dev, struct la_capset *set)
{
	struct v4l2_create_buffers cb = {.count = 0, .memory = V4L2_MEMORY_MMAP};
	struct la_capset_info info;
	int alloc = vt_vivid_param("allocators", inst);
	enum la_import_rule want;

	cb.format.type = type;
	vm_check(ioctl(fd, VIDIOC_CREATE_BUFS, &cb) == 0, "vivid-%d: CREATE_BUFS(0) caps 0x%x", inst,
		 cb.capabilities);
	la_capset_get_info(set, &info);
	want = !(cb.capabilities & V4L2_BUF_CAP_SUPPORTS_DMABUF) ? LA_IMPORT_NONE
	       : alloc == 1 ? LA_IMPORT_CONTIGUOUS : LA_IMPORT_ANY;
	vm_check(alloc >= 0, "vivid-%d: allocators parameter %d", inst, alloc);
	vm_check(info.import_rule == want, "vivid-%d (allocator %d): import rule %s (expected %s): %s",
		 inst, alloc, la_import_rule_name(info.import_rule), la_import_rule_name(want),
		 info.import_reason ? info.import_reason : "");
	if (want == LA_IMPORT_CONTIGUOUS)
		vm_check(info.import_reason && strstr(info.import_reason, "EFAULT"),
			 "vivid-%d: contiguity learnt from the kernel's EFAULT", inst);

	/* MMAP path offered iff the queue has MMAP buffers */
	uint32_t f = la_v4l2_format_to_drm(V4L2_PIX_FMT_YUYV, NULL);
	struct la_assertion a = {.width = W, .height = H, .formats = &f, .n_formats = 1};
	struct la_request r = {dev, LA_USAGE_CAPTURE};
	struct la_result *res = NULL;
	char want_name[96];
	bool found = false;
	const char *base = strrchr(la_device_get_node(dev), '/') + 1;

	snprintf(want_name, sizeof(want_name), "v4l2-mmap:vivid:%s", base);
	int ret = la_negotiate(ctx, &a, &r, 1, &res);
	for (size_t i = 0; res && i < la_result_get_path_count(res); i++) {
		struct la_path_info pi;
		la_result_get_path(res, i, &pi);
		vm_note("vivid-%d: path %s rank %d matched %d contiguous %d: %s", inst, pi.name,
			pi.rank, pi.matched, pi.contiguous, pi.reason);
		if (strcmp(pi.name, want_name) == 0) {
			found = pi.matched && pi.is_device_memory && pi.rank < 500;
			vm_check(pi.contiguous == (want == LA_IMPORT_CONTIGUOUS),
				 "vivid-%d: MMAP path contiguous = %d", inst, pi.contiguous);
		}
	}
	vm_check(found == !!(cb.capabilities & V4L2_BUF_CAP_SUPPORTS_MMAP) && ret == 0,
		 "vivid-%d: %s offered (device memory, below neutral rank) iff SUPPORTS_MMAP "
		 "(negotiate %d)", inst, want_name, ret);
	la_result_destroy(res);
}

/* Odd sizes need an input that scales: vivid's webcam input snaps to its sizes. */
static int select_scaling_input(int fd)
{
	for (uint32_t i = 0; i < 16; i++) {
		struct v4l2_input in = {.index = i};
		if (ioctl(fd, VIDIOC_ENUMINPUT, &in) < 0)
			break;
		if (strncmp((char *)in.name, "HDMI", 4) == 0 || strncmp((char *)in.name, "S-Video", 7) == 0) {
			int idx = (int)i;
			if (ioctl(fd, VIDIOC_S_INPUT, &idx) == 0) {
				vm_note("input %u '%s' selected", i, (char *)in.name);
				return 0;
			}
		}
	}
	return -1;
}

static void check_odd_sizes(int inst, int fd, uint32_t type, struct la_device *dev)
{
	static const struct { uint32_t v4l2, w, h; } sizes[] = {
		{V4L2_PIX_FMT_NV12, 641, 481}, {V4L2_PIX_FMT_YUYV, 333, 199},
		{V4L2_PIX_FMT_YUV420, 1001, 78}, {V4L2_PIX_FMT_XBGR32, 97, 61},
		{V4L2_PIX_FMT_NV12M, 641, 481}, {V4L2_PIX_FMT_YUV420M, 643, 362},
	};
	uint32_t nv12 = la_v4l2_format_to_drm(V4L2_PIX_FMT_NV12, NULL);
	struct la_candidate c;
	struct la_capset *set;
	int err, zero = 0;
	char s[8];

	/* webcam input: the driver snaps 641x481; liballoc says so instead of guessing */
	set = caps_for(dev, 641, 481, &nv12, 1, &err);
	vm_check(err == -ENOTSUP && strstr(la_last_diagnosis(), "TRY_FMT turns 641x481 into"),
		 "vivid-%d webcam input: NV12 641x481 refused: %d %s", inst, err, la_last_diagnosis());
	la_capset_destroy(set);
	if (!vm_check(select_scaling_input(fd) == 0, "vivid-%d: a scaling input", inst))
		return;
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		uint32_t mp = 0, drm = la_v4l2_format_to_drm(sizes[i].v4l2, &mp);
		struct v4l2_format f;
		char what[64];

		if (mp > 1 && type != V4L2_BUF_TYPE_VIDEO_CAPTURE_MPLANE)
			continue;
		set = caps_for(dev, sizes[i].w, sizes[i].h, &drm, 1, &err);
		snprintf(what, sizeof(what), "vivid-%d odd size", inst);
		if (vm_check(err == 0 && find_cand(set, drm, &c), "%s: %s %ux%u offered (%d %s)", what,
			     vt_fourcc(sizes[i].v4l2, s), sizes[i].w, sizes[i].h, err,
			     err ? la_last_diagnosis() : "")) {
			/* the minimum pitch the driver reports fits under liballoc's */
			raw_try(fd, type, sizes[i].v4l2, sizes[i].w, sizes[i].h, mp, NULL, &f);
			uint32_t min = type == V4L2_BUF_TYPE_VIDEO_CAPTURE_MPLANE
					       ? f.fmt.pix_mp.plane_fmt[0].bytesperline
					       : f.fmt.pix.bytesperline;
			vm_note("%s: %s %ux%u driver minimum bytesperline %u", what,
				vt_fourcc(sizes[i].v4l2, s), sizes[i].w, sizes[i].h, min);
			layout_matches_driver(fd, type, drm, sizes[i].w, sizes[i].h, &c.constraints, mp,
					      what);
		}
		la_capset_destroy(set);
	}
	ioctl(fd, VIDIOC_S_INPUT, &zero);
}

int main(void)
{
	struct la_context *ctx = vm_context();
	int before_fds = tl_fd_count();

	for (int inst = 0; inst < 3; inst++) {
		char path[64];
		struct la_device *dev = NULL, **all = NULL;
		struct la_capset *set;
		size_t n_all = 0;
		int fd, err, klog, efault;
		uint32_t type;
		bool listed = false;

		if (!vm_check(vt_find_vivid(inst, path, sizeof(path)) == 0, "vivid-%d capture node found "
			      "by driver name and bus_info", inst))
			continue;
		fd = open(path, O_RDWR | O_CLOEXEC);
		type = vt_capture_type(fd);
		vm_check(la_device_open(ctx, path, &dev) == 0, "vivid-%d: la_device_open(%s)", inst, path);
		if (!dev)
			continue;
		vm_check(strcmp(la_device_get_backend(dev), "v4l2") == 0 &&
				 strcmp(la_device_get_driver(dev), "vivid") == 0,
			 "vivid-%d: backend %s driver %s (%s)", inst, la_device_get_backend(dev),
			 la_device_get_driver(dev), la_device_get_label(dev));
		vm_check(la_context_enumerate(ctx, &all, &n_all) == 0, "enumerate");
		for (size_t i = 0; i < n_all; i++)
			listed |= la_device_get_devnum(all[i]) == la_device_get_devnum(dev);
		la_device_list_free(all, n_all);
		vm_check(listed, "vivid-%d: enumeration lists %s", inst, path);

		klog = tl_klog_open();
		set = caps_for(dev, W, H, NULL, 0, &err);
		vm_check(err == 0 && set, "vivid-%d: capabilities %dx%d: %d %s", inst, W, H, err,
			 err ? la_last_diagnosis() : "");
		if (set) {
			check_formats(inst, fd, type, set);
			check_memory_and_rule(ctx, inst, fd, type, dev, set);
		}
		/* the probe ran once: more queries leave the kernel log alone */
		for (int k = 0; k < 3; k++) {
			struct la_capset *again = caps_for(dev, W, H, NULL, 0, &err);
			la_capset_destroy(again);
		}
		efault = tl_klog_count(klog, "contiguous chunk is too small");
		if (klog >= 0)
			close(klog);
		vm_check(efault == (vt_vivid_param("allocators", inst) == 1 ? 1 : 0),
			 "vivid-%d: import probe ran once (%d contiguity refusals in the log)", inst,
			 efault);
		vm_check(vt_queue_buffers(fd, type) == 0, "vivid-%d: queue left empty", inst);
		la_capset_destroy(set);
		if (inst == 0 || inst == 2)
			check_odd_sizes(inst, fd, type, dev);
		la_device_unref(dev);
		close(fd);
	}
	la_context_destroy(ctx);
	vm_check_fds(before_fds, "caps");
	return vm_exit_status();
}
