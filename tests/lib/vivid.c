/* SPDX-License-Identifier: MIT */
#include "vivid.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "testlib.h"
#include "vmtest.h"

int vm_each_v4l2(const char *driver, vm_v4l2_fn fn, void *data)
{
	DIR *d = opendir("/dev");
	struct dirent *e;
	bool stop = false;
	int n = 0;

	while (d && !stop && (e = readdir(d))) {
		struct v4l2_capability cap;
		char p[300];
		int fd;

		if (strncmp(e->d_name, "video", 5) != 0)
			continue;
		snprintf(p, sizeof(p), "/dev/%s", e->d_name);
		fd = open(p, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			continue;
		memset(&cap, 0, sizeof(cap));
		if (tl_xioctl(fd, VIDIOC_QUERYCAP, &cap) == 0 &&
		    strcmp((char *)cap.driver, driver) == 0) {
			n++;
			stop = fn(fd, p, &cap, data);
		}
		close(fd);
	}
	if (d)
		closedir(d);
	return n;
}

uint32_t vm_v4l2_caps(const struct v4l2_capability *cap)
{
	return cap->capabilities & V4L2_CAP_DEVICE_CAPS ? cap->device_caps : cap->capabilities;
}

struct lookup {
	const char *bus;
	char *path;
	size_t len;
	int fd;
};

static bool take_capture(int fd, const char *path, const struct v4l2_capability *cap, void *data)
{
	struct lookup *l = data;
	uint32_t caps = vm_v4l2_caps(cap);

	if ((l->bus && strcmp((char *)cap->bus_info, l->bus) != 0) ||
	    !(caps & (V4L2_CAP_VIDEO_CAPTURE | V4L2_CAP_VIDEO_CAPTURE_MPLANE)) ||
	    (caps & V4L2_CAP_TOUCH))
		return false;
	l->fd = dup(fd);
	if (l->fd >= 0 && l->path)
		snprintf(l->path, l->len, "%s", path);
	return l->fd >= 0;
}

int vm_open_v4l2(const char *driver, const char *bus, char *path, size_t len)
{
	struct lookup l = {.bus = bus, .path = path, .len = len, .fd = -ENODEV};

	vm_each_v4l2(driver, take_capture, &l);
	return l.fd;
}

int vm_vivid_contig(int fd)
{
	struct v4l2_requestbuffers rb = {.type = V4L2_BUF_TYPE_VIDEO_CAPTURE,
					 .memory = V4L2_MEMORY_MMAP};
	int ret = tl_xioctl(fd, VIDIOC_REQBUFS, &rb);

	if (ret < 0)
		return ret;
	if (!(rb.capabilities & V4L2_BUF_CAP_SUPPORTS_DMABUF))
		return -ENOTSUP;
	return !(rb.capabilities & V4L2_BUF_CAP_SUPPORTS_USERPTR);
}

int vm_vivid_open(int inst, uint32_t width, uint32_t height, struct vm_vivid *v)
{
	char path[300], bus[32];
	struct v4l2_pix_format *pix = &v->fmt.fmt.pix;

	snprintf(bus, sizeof(bus), "platform:vivid-%03d", inst);
	v->fd = vm_open_v4l2("vivid", bus, path, sizeof(path));
	if (v->fd < 0)
		return v->fd;
	memset(&v->fmt, 0, sizeof(v->fmt));
	v->fmt.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	*pix = (struct v4l2_pix_format){.width = width, .height = height,
					.pixelformat = V4L2_PIX_FMT_XBGR32, .field = V4L2_FIELD_NONE};
	if (tl_xioctl(v->fd, VIDIOC_S_FMT, &v->fmt) < 0 || pix->pixelformat != V4L2_PIX_FMT_XBGR32 ||
	    pix->width != width || pix->height != height) {
		vm_vivid_close(v);
		return -EINVAL;
	}
	vm_note("vivid instance %d: %s, %ux%u XR24, %u bytes/line, %u bytes", inst, path,
		pix->width, pix->height, pix->bytesperline, pix->sizeimage);
	return 0;
}

void vm_vivid_close(struct vm_vivid *v)
{
	if (v->fd >= 0)
		close(v->fd);
	v->fd = -1;
}

/* Waits for the frame and takes the buffer back; 0 or -errno. */
static int dequeue(struct vm_vivid *v, const char **step)
{
	struct pollfd p = {.fd = v->fd, .events = POLLIN};
	struct v4l2_buffer b = {.type = V4L2_BUF_TYPE_VIDEO_CAPTURE, .memory = V4L2_MEMORY_DMABUF};
	int ret;

	*step = "poll";
	ret = poll(&p, 1, 20000);
	if (ret <= 0)
		return ret ? -errno : -ETIMEDOUT;
	*step = "DQBUF";
	ret = tl_xioctl(v->fd, VIDIOC_DQBUF, &b);
	if (ret < 0)
		return ret;
	if (b.flags & V4L2_BUF_FLAG_ERROR)
		return -EIO;
	*step = "bytesused";
	return b.bytesused == v->fmt.fmt.pix.sizeimage ? 0 : -EIO;
}

int vm_vivid_capture(struct vm_vivid *v, int dmabuf, const char **step)
{
	struct v4l2_requestbuffers req = {.count = 1, .type = V4L2_BUF_TYPE_VIDEO_CAPTURE,
					  .memory = V4L2_MEMORY_DMABUF};
	struct v4l2_buffer b = {.type = V4L2_BUF_TYPE_VIDEO_CAPTURE, .memory = V4L2_MEMORY_DMABUF};
	int type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	int ret;

	*step = "REQBUFS";
	ret = tl_xioctl(v->fd, VIDIOC_REQBUFS, &req);
	if (ret < 0)
		return ret;
	b.m.fd = dmabuf;
	b.length = v->fmt.fmt.pix.sizeimage;
	*step = "QBUF";
	ret = tl_xioctl(v->fd, VIDIOC_QBUF, &b);
	if (ret == 0) {
		*step = "STREAMON";
		ret = tl_xioctl(v->fd, VIDIOC_STREAMON, &type);
	}
	if (ret == 0) {
		ret = dequeue(v, step);
		tl_xioctl(v->fd, VIDIOC_STREAMOFF, &type);
	}
	req.count = 0;
	v->released = tl_xioctl(v->fd, VIDIOC_REQBUFS, &req);
	return ret;
}

bool vm_vivid_bars(const struct vm_vivid *v, const uint8_t *pixels)
{
	/* vivid's default test pattern, left to right; 1 = that channel
	 * (R, G, B) is lit */
	static const char *const names[8] = {"white", "yellow", "cyan", "green",
					     "magenta", "red", "blue", "black"};
	static const uint8_t lit[8][3] = {{1, 1, 1}, {1, 1, 0}, {0, 1, 1}, {0, 1, 0},
					  {1, 0, 1}, {1, 0, 0}, {0, 0, 1}, {0, 0, 0}};
	const struct v4l2_pix_format *pix = &v->fmt.fmt.pix;
	bool ok = true;

	for (int i = 0; i < 8; i++) {
		unsigned int x = (2 * i + 1) * pix->width / 16;
		/* XBGR32 in memory: B, G, R, X */
		const uint8_t *px = pixels + (size_t)(pix->height / 2) * pix->bytesperline + x * 4;
		uint8_t rgb[3] = {px[2], px[1], px[0]};

		for (int c = 0; c < 3; c++) {
			if (lit[i][c] ? rgb[c] < 128 : rgb[c] > 64) {
				vm_note("bar %d (%s) at x=%u: R=%u G=%u B=%u", i, names[i], x, rgb[0],
					rgb[1], rgb[2]);
				ok = false;
				break;
			}
		}
	}
	return ok;
}
