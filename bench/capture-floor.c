/* SPDX-License-Identifier: MIT */
/*
 * capture-floor: the least a program can do per frame of a camera: wait for
 * a frame (poll), VIDIOC_DQBUF it, VIDIOC_QBUF it back. bench/frame-path
 * runs it next to camera-to-display, on the same node, format, size, frame
 * rate and buffer count, so that what the example spends per frame can be
 * read as overhead over this floor.
 *
 * --memory dmabuf (default): the buffers camera-to-display's zero-copy run
 * uses, negotiated and allocated the same way with liballoc (camera capture
 * + display scanout, drm-dumb on the display) and imported with
 * V4L2_MEMORY_DMABUF; liballoc is only used before streaming. --memory
 * mmap: the camera's own buffers (no display, no negotiation), a second
 * floor.
 *
 * It prints the lines camera-to-display prints about its stream and rate
 * (bench/frame-path reads them) and measures CPU time the same way: from
 * the first dequeued frame to the end, getrusage(RUSAGE_SELF).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/videodev2.h>
#include <drm_fourcc.h>

#include <liballoc/liballoc.h>

#include "measure.h"

#define MAX_BUFFERS 32
#define NO_FRAME_TIMEOUT_MS 3000

struct floor_opts {
	const char *camera, *display;
	uint32_t width, height, fps, count;
	uint64_t frames;
	bool mmap;
};

struct floor {
	struct floor_opts o;
	struct la_context *ctx;
	struct la_device *cam, *disp;
	struct la_result *res;
	struct la_buffer *bufs[MAX_BUFFERS];
	size_t n_bufs;
	int fd;
	uint32_t memory, count, bytesperline, sizeimage;
	bool have_bufs, streaming;
};

static int xioctl(int fd, unsigned long req, void *arg)
{
	int ret;

	do
		ret = ioctl(fd, req, arg);
	while (ret < 0 && errno == EINTR);
	return ret < 0 ? -errno : 0;
}

/* The zero-copy set of camera-to-display: same assertion, same request. */
static int allocate_shared(struct floor *f)
{
	static const uint32_t xrgb = DRM_FORMAT_XRGB8888;
	struct la_assertion as = {.width = f->o.width, .height = f->o.height, .formats = &xrgb,
				  .n_formats = 1, .buffer_count = f->o.count};
	struct la_request req[2];
	struct la_descriptor d;
	int ret;

	if ((ret = la_device_open(f->ctx, f->o.camera, &f->cam)) < 0 ||
	    (ret = la_device_open(f->ctx, f->o.display, &f->disp)) < 0) {
		fprintf(stderr, "capture-floor: %s\n", la_last_diagnosis());
		return ret;
	}
	req[0] = (struct la_request){f->cam, LA_USAGE_CAPTURE};
	req[1] = (struct la_request){f->disp, LA_USAGE_SCANOUT};
	ret = la_negotiate(f->ctx, &as, req, 2, &f->res);
	if (ret == 0)
		ret = la_allocate_set(f->res, f->bufs, f->o.count);
	if (ret < 0) {
		fprintf(stderr, "capture-floor: no shared buffers: %s\n",
			f->res ? la_result_get_diagnosis(f->res) : la_last_diagnosis());
		return ret;
	}
	f->n_bufs = f->o.count;
	f->fd = la_device_get_fd(f->cam);
	la_buffer_get_descriptor(f->bufs[0], &d);
	f->bytesperline = (uint32_t)d.planes[0].pitch;
	return 0;
}

static int set_format(struct floor *f)
{
	struct v4l2_format fmt = {.type = V4L2_BUF_TYPE_VIDEO_CAPTURE};
	struct v4l2_streamparm p = {.type = V4L2_BUF_TYPE_VIDEO_CAPTURE};
	int ret;

	fmt.fmt.pix.width = f->o.width;
	fmt.fmt.pix.height = f->o.height;
	fmt.fmt.pix.pixelformat = V4L2_PIX_FMT_XBGR32; /* DRM XRGB8888 */
	fmt.fmt.pix.field = V4L2_FIELD_NONE;
	fmt.fmt.pix.bytesperline = f->bytesperline; /* 0 in MMAP: the driver's */
	ret = xioctl(f->fd, VIDIOC_S_FMT, &fmt);
	if (ret < 0) {
		fprintf(stderr, "capture-floor: %s: VIDIOC_S_FMT: %s\n", f->o.camera, strerror(-ret));
		return ret;
	}
	if (fmt.fmt.pix.width != f->o.width || fmt.fmt.pix.height != f->o.height ||
	    fmt.fmt.pix.pixelformat != V4L2_PIX_FMT_XBGR32 ||
	    (f->bytesperline && fmt.fmt.pix.bytesperline != f->bytesperline)) {
		fprintf(stderr, "capture-floor: %s changed the format to %ux%u, bytesperline %u\n",
			f->o.camera, fmt.fmt.pix.width, fmt.fmt.pix.height, fmt.fmt.pix.bytesperline);
		return -EINVAL;
	}
	f->bytesperline = fmt.fmt.pix.bytesperline;
	f->sizeimage = fmt.fmt.pix.sizeimage;
	/* As camera-to-display: the rate before REQBUFS, ignored if refused. */
	if (xioctl(f->fd, VIDIOC_G_PARM, &p) == 0 &&
	    (p.parm.capture.capability & V4L2_CAP_TIMEPERFRAME)) {
		p.parm.capture.timeperframe.numerator = 1;
		p.parm.capture.timeperframe.denominator = f->o.fps;
		xioctl(f->fd, VIDIOC_S_PARM, &p);
	}
	return 0;
}

static int queue(struct floor *f, uint32_t index)
{
	struct v4l2_buffer b = {.type = V4L2_BUF_TYPE_VIDEO_CAPTURE, .memory = f->memory,
				.index = index};

	if (f->memory == V4L2_MEMORY_DMABUF) {
		struct la_descriptor d;
		la_buffer_get_descriptor(f->bufs[index], &d);
		b.m.fd = d.planes[0].fd;
		b.length = (uint32_t)(d.planes[0].offset + d.planes[0].size);
	}
	return xioctl(f->fd, VIDIOC_QBUF, &b);
}

static int start(struct floor *f)
{
	struct v4l2_requestbuffers rb = {.count = f->o.count, .type = V4L2_BUF_TYPE_VIDEO_CAPTURE,
					 .memory = f->memory};
	int type = V4L2_BUF_TYPE_VIDEO_CAPTURE, ret;

	if ((ret = set_format(f)) < 0)
		return ret;
	ret = xioctl(f->fd, VIDIOC_REQBUFS, &rb);
	f->have_bufs = ret == 0;
	if (ret == 0 && rb.count != f->o.count)
		ret = -ENOBUFS; /* the same count or no comparison */
	if (ret < 0) {
		fprintf(stderr, "capture-floor: %s: VIDIOC_REQBUFS(%u): %s (granted %u)\n",
			f->o.camera, f->o.count, strerror(-ret), rb.count);
		return ret;
	}
	f->count = rb.count;
	for (uint32_t i = 0; i < f->count; i++) {
		if ((ret = queue(f, i)) < 0) {
			fprintf(stderr, "capture-floor: VIDIOC_QBUF(%u): %s\n", i, strerror(-ret));
			return ret;
		}
	}
	ret = xioctl(f->fd, VIDIOC_STREAMON, &type);
	f->streaming = ret == 0;
	if (ret < 0)
		fprintf(stderr, "capture-floor: VIDIOC_STREAMON: %s\n", strerror(-ret));
	return ret;
}

static int run(struct floor *f)
{
	uint64_t captured = 0, errors = 0;
	double t0 = 0, cpu0 = 0, t, cpu;

	while (captured < f->o.frames) {
		struct pollfd p = {.fd = f->fd, .events = POLLIN};
		struct v4l2_buffer b = {.type = V4L2_BUF_TYPE_VIDEO_CAPTURE, .memory = f->memory};
		int n = poll(&p, 1, NO_FRAME_TIMEOUT_MS), ret;

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			fprintf(stderr, "capture-floor: no frame for %d ms\n", NO_FRAME_TIMEOUT_MS);
			return n < 0 ? -errno : -ETIMEDOUT;
		}
		ret = xioctl(f->fd, VIDIOC_DQBUF, &b);
		if (ret == -EAGAIN)
			continue;
		if (ret < 0) {
			fprintf(stderr, "capture-floor: VIDIOC_DQBUF: %s\n", strerror(-ret));
			return ret;
		}
		if (captured++ == 0) {
			t0 = bench_now_us() / 1e6;
			cpu0 = bench_process_cpu_us() / 1e6;
		}
		errors += (b.flags & V4L2_BUF_FLAG_ERROR) != 0;
		if ((ret = queue(f, b.index)) < 0) {
			fprintf(stderr, "capture-floor: VIDIOC_QBUF(%u): %s\n", b.index, strerror(-ret));
			return ret;
		}
	}
	t = bench_now_us() / 1e6 - t0;
	cpu = bench_process_cpu_us() / 1e6 - cpu0;
	printf("frames: captured %" PRIu64 ", requeued %" PRIu64 ", errors %" PRIu64 "\n", captured,
	       captured, errors);
	if (captured > 1 && t > 0)
		printf("rate: %.1f fps captured over %.2f s; CPU %.2f ms per frame\n",
		       (double)(captured - 1) / t, t, cpu * 1000.0 / (double)captured);
	return 0;
}

static void stop(struct floor *f)
{
	int type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	struct v4l2_requestbuffers rb = {.count = 0, .type = V4L2_BUF_TYPE_VIDEO_CAPTURE,
					 .memory = f->memory};

	if (f->streaming)
		xioctl(f->fd, VIDIOC_STREAMOFF, &type);
	if (f->have_bufs)
		xioctl(f->fd, VIDIOC_REQBUFS, &rb);
	for (size_t i = 0; i < f->n_bufs; i++)
		la_buffer_destroy(f->bufs[i]);
	la_result_destroy(f->res);
	la_device_unref(f->cam);
	la_device_unref(f->disp);
	la_context_destroy(f->ctx);
	if (f->o.mmap && f->fd >= 0)
		close(f->fd);
}

static const char usage[] =
	"usage: capture-floor --camera PATH [--display PATH] [--memory dmabuf|mmap]\n"
	"                     [--size WxH] [--fps N] [--buffers N] [--frames N]\n"
	"  Streams XRGB8888 from a single-planar V4L2 capture node and only dequeues\n"
	"  and requeues each frame: the per-frame floor of any camera program.\n"
	"  --memory dmabuf  (default) buffers negotiated for camera capture + display\n"
	"                   scanout with liballoc (as camera-to-display's zero copy),\n"
	"                   imported with V4L2_MEMORY_DMABUF; needs --display\n"
	"  --memory mmap    the camera's own buffers (V4L2_MEMORY_MMAP), never mapped\n"
	"  --size WxH       default 640x480;  --fps N  default 30 (asked of the camera)\n"
	"  --buffers N      default 4 (camera-to-display's ring); --frames N  default 300\n"
	"Exit status: 0 done, 1 setup or streaming failed, 2 usage.\n";

static int parse(int argc, char **argv, struct floor_opts *o)
{
	static const struct option opts[] = {
		{"camera", required_argument, NULL, 'c'}, {"display", required_argument, NULL, 'd'},
		{"memory", required_argument, NULL, 'm'}, {"size", required_argument, NULL, 's'},
		{"fps", required_argument, NULL, 'r'},    {"buffers", required_argument, NULL, 'b'},
		{"frames", required_argument, NULL, 'n'}, {"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c;

	*o = (struct floor_opts){.width = 640, .height = 480, .fps = 30, .count = 4,
				 .frames = 300};
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		char *end = NULL;
		switch (c) {
		case 'c': o->camera = optarg; break;
		case 'd': o->display = optarg; break;
		case 'm':
			if (strcmp(optarg, "mmap") != 0 && strcmp(optarg, "dmabuf") != 0)
				return -EINVAL;
			o->mmap = strcmp(optarg, "mmap") == 0;
			break;
		case 's':
			o->width = (uint32_t)strtoul(optarg, &end, 10);
			if (*end != 'x')
				return -EINVAL;
			o->height = (uint32_t)strtoul(end + 1, &end, 10);
			break;
		case 'r': o->fps = (uint32_t)strtoul(optarg, &end, 10); break;
		case 'b': o->count = (uint32_t)strtoul(optarg, &end, 10); break;
		case 'n': o->frames = strtoull(optarg, &end, 10); break;
		case 'h': fputs(usage, stdout); exit(0);
		default: return -EINVAL;
		}
		if (end && (*end || end == optarg))
			return -EINVAL;
	}
	if (optind < argc || !o->camera || (!o->mmap && !o->display) || !o->width || !o->height ||
	    o->width > 16384 || o->height > 16384 || !o->fps || o->fps > 1000 || !o->count ||
	    o->count > MAX_BUFFERS || !o->frames)
		return -EINVAL;
	return 0;
}

int main(int argc, char **argv)
{
	struct floor f = {.fd = -1};
	int ret;

	if (parse(argc, argv, &f.o) < 0) {
		fputs(usage, stderr);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	f.memory = f.o.mmap ? V4L2_MEMORY_MMAP : V4L2_MEMORY_DMABUF;
	ret = la_context_new(&f.ctx);
	if (ret == 0 && !f.o.mmap)
		ret = allocate_shared(&f);
	/* As liballoc opens a node (camera-to-display's fd): blocking. */
	if (ret == 0 && f.o.mmap && (f.fd = open(f.o.camera, O_RDWR | O_CLOEXEC)) < 0) {
		ret = -errno;
		fprintf(stderr, "capture-floor: %s: %s\n", f.o.camera, strerror(errno));
	}
	if (ret == 0 && (ret = start(&f)) == 0) {
		printf("floor: %s, XRGB8888 %ux%u, bytesperline %u, %u buffers%s%s, %u fps asked\n",
		       f.o.mmap ? "MMAP" : "DMABUF", f.o.width, f.o.height, f.bytesperline, f.count,
		       f.o.mmap ? "" : ", allocation path ",
		       f.o.mmap ? "" : la_buffer_get_path(f.bufs[0]), f.o.fps);
		ret = run(&f);
	}
	stop(&f);
	return ret < 0 ? 1 : 0;
}
