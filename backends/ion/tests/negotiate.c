/* SPDX-License-Identifier: MIT */
/*
 * Which heap a negotiation picks, and why:
 *  - vgem + CPU: a neutral heap, with the reason; CPU writes only pick
 *    udmabuf, device writes the system heap (documented ranks);
 *  - a device importing only contiguous buffers (vivid on videobuf2-dma-contig,
 *    the import rule a V4L2 backend would report) or a contiguity constraint:
 *    only contiguous heaps match, and without one the diagnosis says so. The
 *    choice is then proven on the real vivid: the chosen buffer captures a
 *    frame, a scattered one is refused at QBUF with EFAULT;
 *  - a 32-bit DMA limit: only heaps below 4 GiB;
 *  - CPU_READ_OFTEN: cached memory; a write-combine-only device: uncached.
 *
 * Needs: vm-run --param vivid.allocators=1 (vb2-dma-contig, no IOMMU)
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/videodev2.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "common.h"
#include "vivid.h"

static bool have_ion;

struct cam {
	int fd;
	char path[64];
	uint32_t w, h, sizeimage;
};

/* A vivid capture node on vb2-dma-contig, set to YUYV at its current size. */
static bool take_contig_cam(int fd, const char *path, const struct v4l2_capability *cap,
			    void *data)
{
	struct cam *c = data;
	struct v4l2_format f = {.type = V4L2_BUF_TYPE_VIDEO_CAPTURE};

	if (!(vm_v4l2_caps(cap) & V4L2_CAP_VIDEO_CAPTURE) || vm_vivid_contig(fd) != 1 ||
	    ioctl(fd, VIDIOC_G_FMT, &f) != 0)
		return false;
	f.fmt.pix.pixelformat = V4L2_PIX_FMT_YUYV;
	if (ioctl(fd, VIDIOC_S_FMT, &f) != 0 || f.fmt.pix.pixelformat != V4L2_PIX_FMT_YUYV ||
	    f.fmt.pix.bytesperline != f.fmt.pix.width * 2)
		return false;
	c->fd = dup(fd);
	snprintf(c->path, sizeof(c->path), "%s", path);
	c->w = f.fmt.pix.width;
	c->h = f.fmt.pix.height;
	c->sizeimage = f.fmt.pix.sizeimage;
	return c->fd >= 0;
}

static bool find_contig_cam(struct cam *c)
{
	c->fd = -1;
	vm_each_v4l2("vivid", take_contig_cam, c);
	return c->fd >= 0;
}

/* QBUF of buf's dma-buf: 0 and a frame captured into it, or the errno. */
static int capture(struct cam *c, struct la_buffer *buf, const char *what)
{
	struct v4l2_requestbuffers rb = {.count = 1, .type = V4L2_BUF_TYPE_VIDEO_CAPTURE,
					 .memory = V4L2_MEMORY_DMABUF};
	enum v4l2_buf_type type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	struct v4l2_buffer b = {.type = V4L2_BUF_TYPE_VIDEO_CAPTURE, .memory = V4L2_MEMORY_DMABUF};
	struct pollfd pfd = {.fd = c->fd, .events = POLLIN};
	struct la_descriptor d;
	int err = 0;

	la_buffer_get_descriptor(buf, &d);
	b.m.fd = d.planes[0].fd;
	b.length = (uint32_t)lseek(d.planes[0].fd, 0, SEEK_END);
	if (ioctl(c->fd, VIDIOC_REQBUFS, &rb) != 0)
		return -errno;
	if (ioctl(c->fd, VIDIOC_QBUF, &b) != 0) {
		err = -errno;
		goto out;
	}
	if (ioctl(c->fd, VIDIOC_STREAMON, &type) == 0 && poll(&pfd, 1, 20000) == 1) {
		memset(&b, 0, sizeof(b));
		b.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
		b.memory = V4L2_MEMORY_DMABUF;
		if (ioctl(c->fd, VIDIOC_DQBUF, &b) == 0) {
			uint8_t *p;
			size_t nz = 0;
			vm_check(b.bytesused == c->sizeimage && !(b.flags & V4L2_BUF_FLAG_ERROR),
				 "%s: vivid wrote a frame of %u bytes", what, b.bytesused);
			if (la_buffer_map(buf, 0, LA_MAP_READ, (void **)&p) == 0) {
				for (uint32_t i = 0; i < c->sizeimage; i++)
					nz += p[i] != 0;
				la_buffer_unmap(buf, 0);
			}
			/* vivid's colour bars in YUYV have no zero bytes */
			vm_check(nz > c->sizeimage / 2, "%s: the frame is in the buffer (%zu non-zero bytes)",
				 what, nz);
		} else {
			err = -errno;
		}
	} else {
		err = -ETIMEDOUT;
	}
	ioctl(c->fd, VIDIOC_STREAMOFF, &type);
out:
	rb.count = 0;
	ioctl(c->fd, VIDIOC_REQBUFS, &rb);
	return err;
}

static bool all_matched_contiguous(const struct la_result *res)
{
	for (size_t i = 0; i < la_result_get_path_count(res); i++) {
		struct la_path_info p;
		la_result_get_path(res, i, &p);
		if (p.matched && !p.contiguous)
			return false;
	}
	return true;
}

static void contiguous(struct la_context *ctx, struct cam *cam)
{
	struct la_constraints contig = {.flags = LA_CONSTRAINT_CONTIGUOUS};
	uint32_t fmt = FMT_YUYV;
	struct la_capset *by_rule[2] = {
		test_set("vivid (dma-contig)", "vivid", LA_USAGE_CAPTURE, LA_IMPORT_CONTIGUOUS,
			 "videobuf2-dma-contig without IOMMU", &fmt, 1, NULL),
		test_vgem_set(LA_USAGE_SAMPLE, fmt, NULL)};
	struct la_capset *by_constraint[1] = {test_vgem_set(LA_USAGE_SAMPLE, fmt, &contig)};
	struct la_capset *scattered[1] = {test_vgem_set(LA_USAGE_SAMPLE, fmt, NULL)};
	struct la_result *res = NULL, *res2 = NULL, *res3 = NULL;
	struct la_buffer *buf = NULL;
	int ret = test_negotiate(ctx, fmt, cam->w, cam->h, by_rule, 2, &res);
	int ret2 = test_negotiate(ctx, fmt, cam->w, cam->h, by_constraint, 1, &res2);

	if (!have_ion) {
		vm_check(test_no_path(ret, res) &&
				 strstr(la_result_get_diagnosis(res), "imports only physically contiguous") &&
				 strstr(la_result_get_diagnosis(res), "no contiguous heap"),
			 "no contiguous heap: import rule finds no path and says why: %s",
			 res ? la_result_get_diagnosis(res) : "-");
		vm_check(test_no_path(ret2, res2) &&
				 strstr(la_result_get_diagnosis(res2), "no contiguous heap"),
			 "no contiguous heap: constraint finds no path and says why: %s",
			 res2 ? la_result_get_diagnosis(res2) : "-");
	} else {
		vm_check(ret == 0 && all_matched_contiguous(res),
			 "import rule: only contiguous heaps match, best %s", vm_best_path(res));
		vm_check(ret2 == 0 && all_matched_contiguous(res2) &&
				 !strcmp(vm_best_path(res), vm_best_path(res2)),
			 "constraint: only contiguous heaps match, best %s", vm_best_path(res2));
		if (ret == 0 && vm_check(la_allocate(res, &buf) == 0, "allocate on %s: %s",
					 vm_best_path(res), la_last_diagnosis())) {
			char what[96];
			snprintf(what, sizeof(what), "%s into %s", la_buffer_get_path(buf), cam->path);
			vm_check(capture(cam, buf, what) == 0, "%s: dma-contig accepts the chosen buffer",
				 what);
			la_buffer_destroy(buf);
			buf = NULL;
		}
	}
	/* The rule is right: the real device refuses what the negotiation excluded. */
	if (test_negotiate(ctx, fmt, cam->w, cam->h, scattered, 1, &res3) == 0 &&
	    la_allocate(res3, &buf) == 0) {
		char what[96];
		snprintf(what, sizeof(what), "scattered %s into %s", la_buffer_get_path(buf), cam->path);
		ret = capture(cam, buf, what);
		vm_check(!(la_buffer_get_path(buf)[0] && ret != -EFAULT),
			 "%s: refused at QBUF with EFAULT (%s)", what, strerror(-ret));
	} else {
		vm_check(false, "scattered buffer for the vivid check: %s", la_last_diagnosis());
	}
	la_buffer_destroy(buf);
	la_result_destroy(res);
	la_result_destroy(res2);
	la_result_destroy(res3);
	la_capset_destroy(by_rule[0]);
	la_capset_destroy(by_rule[1]);
	la_capset_destroy(by_constraint[0]);
	la_capset_destroy(scattered[0]);
}

static void dma32(struct la_context *ctx)
{
	struct la_constraints c = {.dma_addr_bits = 32};
	struct la_capset *sets[1] = {test_vgem_set(LA_USAGE_SAMPLE, FMT_XRGB, &c)};
	struct ion_heap_fact f[32];
	int n = ion_heap_facts(f, 32);
	struct la_result *res = NULL;
	int ret = test_negotiate(ctx, FMT_XRGB, 256, 256, sets, 1, &res);

	if (!have_ion) {
		vm_check(test_no_path(ret, res) && strstr(la_result_get_diagnosis(res), "32-bit DMA limit"),
			 "32-bit DMA limit: no heap below 4 GiB, said: %s", la_result_get_diagnosis(res));
	} else {
		bool only_dma = ret == 0;
		for (size_t i = 0; ret == 0 && i < la_result_get_path_count(res); i++) {
			struct la_path_info p;
			bool is_dma = false;
			la_result_get_path(res, i, &p);
			for (int k = 0; k < n; k++) {
				char a[80], b[80];
				snprintf(a, sizeof(a), "ion:%s", f[k].name);
				snprintf(b, sizeof(b), "ion:%s:uncached", f[k].name);
				is_dma |= f[k].type == 4 && (!strcmp(p.name, a) || !strcmp(p.name, b));
			}
			if (p.matched != is_dma)
				only_dma = false;
		}
		vm_check(only_dma, "32-bit DMA limit: exactly the ION DMA heap matches, best %s",
			 vm_best_path(res));
	}
	la_result_destroy(res);
	la_capset_destroy(sets[0]);
}

static int rank_of(const struct la_result *res, const char *name)
{
	struct la_path_info p;
	return vm_find_path(res, name, &p) && p.matched ? p.rank : -1;
}

static void caching(struct la_context *ctx)
{
	struct la_constraints wc = {.caching = LA_CACHING_WRITECOMBINE};
	struct la_capset *often[2] = {test_vgem_set(LA_USAGE_RENDER, FMT_XRGB, NULL),
				      test_cpu_set(LA_USAGE_CPU_READ | LA_USAGE_CPU_READ_OFTEN, FMT_XRGB)};
	struct la_capset *wc_only[1] = {test_vgem_set(LA_USAGE_SAMPLE, FMT_XRGB, &wc)};
	struct la_result *res = NULL, *res2 = NULL;
	struct la_path_info best = {.name = "-", .reason = "-"};
	int ret = test_negotiate(ctx, FMT_XRGB, 256, 256, often, 2, &res), got;

	if (vm_check(ret == 0 && la_result_get_path(res, 0, &best) == 0 && best.matched,
		     "CPU_READ_OFTEN negotiates"))
		vm_check(best.caching == LA_CACHING_CACHED && strstr(best.reason, "cached for CPU reads"),
			 "CPU_READ_OFTEN picks cached memory: %s (%s)", best.name, best.reason);
	if (have_ion)
		vm_check(rank_of(res, "ion:system") > rank_of(res, "ion:system:uncached") + 100,
			 "CPU reads: ion:system (%d) far above ion:system:uncached (%d)",
			 rank_of(res, "ion:system"), rank_of(res, "ion:system:uncached"));
	ret = test_negotiate(ctx, FMT_XRGB, 256, 256, wc_only, 1, &res2);
	got = la_result_get_path(res2, 0, &best);
	if (have_ion)
		vm_check(ret == 0 && got == 0 && best.matched && best.caching == LA_CACHING_WRITECOMBINE,
			 "write-combine-only device: %s", best.name);
	else
		vm_check(test_no_path(ret, res2) && strstr(la_result_get_diagnosis(res2), "cached CPU mappings"),
			 "write-combine-only device, only cached heaps: %s",
			 la_result_get_diagnosis(res2));
	la_result_destroy(res);
	la_result_destroy(res2);
	la_capset_destroy(often[0]);
	la_capset_destroy(often[1]);
	la_capset_destroy(wc_only[0]);
}

static void vgem_cpu(struct la_context *ctx)
{
	struct la_capset *upload[2] = {test_vgem_set(LA_USAGE_SAMPLE, FMT_XRGB, NULL),
				       test_cpu_set(LA_USAGE_CPU_WRITE, FMT_XRGB)};
	struct la_capset *readback[2] = {test_vgem_set(LA_USAGE_RENDER, FMT_XRGB, NULL),
					 test_cpu_set(LA_USAGE_CPU_READ, FMT_XRGB)};
	struct la_result *res = NULL, *res2 = NULL;
	struct la_path_info best = {.name = "-", .reason = "-"};
	int ret = test_negotiate(ctx, FMT_XRGB, 640, 480, upload, 2, &res);
	int got = la_result_get_path(res, 0, &best);

	if (vm_check(ret == 0 && got == 0 && best.matched &&
			     !best.is_device_memory && strstr(best.reason, "neutral allocator"),
		     "vgem + CPU write picks heap %s because: %s", ret ? "-" : best.name,
		     ret ? la_last_diagnosis() : best.reason))
		vm_check(!have_node("/dev/udmabuf") ||
				 (!strcmp(best.name, "udmabuf") &&
				  strstr(best.reason, "the CPU writes and no device does")),
			 "CPU producer, device consumer: udmabuf first, the reason says why (%s)",
			 best.name);
	ret = test_negotiate(ctx, FMT_XRGB, 640, 480, readback, 2, &res2);
	vm_check(ret == 0 && !strcmp(vm_best_path(res2), "dma-heap:system"),
		 "vgem renders, CPU reads: dma-heap:system first (%s)", vm_best_path(res2));
	la_result_destroy(res);
	la_result_destroy(res2);
	for (int i = 0; i < 2; i++) {
		la_capset_destroy(upload[i]);
		la_capset_destroy(readback[i]);
	}
}

int main(int argc, char **argv)
{
	struct la_context *ctx = test_context();
	struct cam cam = {.fd = -1};
	bool found;

	have_ion = argc > 1 && strcmp(argv[1], "--ion") == 0;
	vgem_cpu(ctx);
	caching(ctx);
	dma32(ctx);
	/* called first: the message's arguments may be evaluated before it */
	found = find_contig_cam(&cam);
	if (vm_check(found, "vivid capture node on dma-contig (%s %ux%u, %u bytes)",
		     cam.path, cam.w, cam.h, cam.sizeimage)) {
		contiguous(ctx, &cam);
		close(cam.fd);
	}
	la_context_destroy(ctx);
	return vm_exit_status();
}
