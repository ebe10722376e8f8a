// SPDX-License-Identifier: GPL-2.0
#include "smaf-test.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <unistd.h>
#include <linux/dma-heap.h>
#include <xf86drm.h>

static int xioctl(int fd, unsigned long req, void *arg)
{
	int ret;

	do
		ret = ioctl(fd, req, arg);
	while (ret < 0 && errno == EINTR);
	return ret < 0 ? -errno : ret;
}

int smaf_open(void)
{
	int fd;

	/* the counters live in debugfs */
	if (access("/sys/kernel/debug/smaf", F_OK) &&
	    mount("debugfs", "/sys/kernel/debug", "debugfs", 0, NULL))
		vm_note("mount debugfs: %s", strerror(errno));
	/* the allocation choice is logged at debug level */
	fd = open("/sys/kernel/debug/dynamic_debug/control", O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, "module smaf +p", 14) != 14)
		vm_note("cannot enable SMAF's debug messages: %s", strerror(errno));
	if (fd >= 0)
		close(fd);
	fd = open("/dev/smaf", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		vm_fatal("open /dev/smaf: %s", strerror(errno));
	return fd;
}

int smaf_create(int smaf, uint64_t length, uint32_t flags, const char *name,
		int *fd)
{
	struct smaf_create_data d;
	int ret;

	memset(&d, 0, sizeof(d));
	d.length = length;
	d.flags = flags;
	d.fd = -1;
	if (name)
		snprintf((char *)d.name, sizeof(d.name), "%s", name);
	ret = xioctl(smaf, SMAF_IOC_CREATE, &d);
	if (!ret)
		*fd = d.fd;
	return ret;
}

int smaf_info(int smaf, int fd, struct smaf_buffer_info *info)
{
	memset(info, 0, sizeof(*info));
	info->fd = fd;
	return xioctl(smaf, SMAF_IOC_GET_BUFFER_INFO, info);
}

int smaf_set_secure(int smaf, int fd, unsigned int secure)
{
	struct smaf_secure_flag s;

	memset(&s, 0, sizeof(s));
	s.fd = fd;
	s.secure = secure;
	return xioctl(smaf, SMAF_IOC_SET_SECURE_FLAG, &s);
}

int smaf_get_secure(int smaf, int fd, unsigned int *secure)
{
	struct smaf_secure_flag s;
	int ret;

	memset(&s, 0, sizeof(s));
	s.fd = fd;
	ret = xioctl(smaf, SMAF_IOC_GET_SECURE_FLAG, &s);
	if (!ret)
		*secure = s.secure;
	return ret;
}

long long smaf_stat(const char *allocator, const char *key)
{
	FILE *f = fopen("/sys/kernel/debug/smaf/stats", "r");
	char line[512], name[128];
	long long val = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char *p;

		if (allocator) {
			if (sscanf(line, "allocator %127s", name) != 1 ||
			    strcmp(name, allocator))
				continue;
			p = strstr(line, key);
			if (p && p[strlen(key)] == ' ')
				val = atoll(p + strlen(key) + 1);
		} else if (!strncmp(line, key, strlen(key)) &&
			   line[strlen(key)] == ' ') {
			val = atoll(line + strlen(key) + 1);
		}
	}
	fclose(f);
	return val;
}

void smaf_check_no_leak(long long live_before)
{
	long long live = smaf_stat(NULL, "live_buffers");
	char line[512];
	FILE *f;

	if (vm_check(live == live_before, "no SMAF buffer left behind (%lld live, %lld before)",
		     live, live_before))
		return;
	f = fopen("/sys/kernel/debug/smaf/buffers", "r");
	while (f && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = 0;
		vm_note("left: %s", line);
	}
	if (f)
		fclose(f);
}

long long meminfo_kib(const char *key)
{
	FILE *f = fopen("/proc/meminfo", "r");
	char line[256];
	long long val = -1;
	size_t n = strlen(key);

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, n) && line[n] == ':')
			val = atoll(line + n + 1);
	fclose(f);
	return val;
}

int vgem_open(void)
{
	int fd = vm_open_drm("vgem", "renderD", NULL, 0);

	if (fd < 0)
		vm_fatal("no vgem render node");
	return fd;
}

int vgem_import(int vgem, int dmabuf, uint32_t *handle)
{
	return drmPrimeFDToHandle(vgem, dmabuf, handle) ? -errno : 0;
}

void vgem_close(int vgem, uint32_t handle)
{
	struct drm_gem_close c = { .handle = handle };

	drmIoctl(vgem, DRM_IOCTL_GEM_CLOSE, &c);
}

int vivid_open(int inst, struct vivid *v)
{
	char path[32], bus[32];
	int i;

	snprintf(bus, sizeof(bus), "platform:vivid-%03d", inst);
	for (i = 0; i < 64; i++) {
		struct v4l2_capability cap;
		int fd;

		snprintf(path, sizeof(path), "/dev/video%d", i);
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			continue;
		memset(&cap, 0, sizeof(cap));
		if (!xioctl(fd, VIDIOC_QUERYCAP, &cap) &&
		    !strcmp((char *)cap.driver, "vivid") &&
		    !strcmp((char *)cap.bus_info, bus) &&
		    (cap.device_caps & V4L2_CAP_VIDEO_CAPTURE)) {
			memset(&v->fmt, 0, sizeof(v->fmt));
			v->fmt.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
			v->fmt.fmt.pix.width = 640;
			v->fmt.fmt.pix.height = 480;
			v->fmt.fmt.pix.pixelformat = V4L2_PIX_FMT_XBGR32;
			v->fmt.fmt.pix.field = V4L2_FIELD_NONE;
			if (xioctl(fd, VIDIOC_S_FMT, &v->fmt) ||
			    v->fmt.fmt.pix.pixelformat != V4L2_PIX_FMT_XBGR32) {
				close(fd);
				return -EINVAL;
			}
			v->fd = fd;
			vm_note("vivid instance %d: %s, %ux%u XR24, %u bytes/line, %u bytes",
				inst, path, v->fmt.fmt.pix.width,
				v->fmt.fmt.pix.height,
				v->fmt.fmt.pix.bytesperline,
				v->fmt.fmt.pix.sizeimage);
			return 0;
		}
		close(fd);
	}
	return -ENODEV;
}

void vivid_close(struct vivid *v)
{
	close(v->fd);
	v->fd = -1;
}

int vivid_capture(struct vivid *v, int dmabuf, const char **step)
{
	struct v4l2_requestbuffers req = {
		.count = 1,
		.type = V4L2_BUF_TYPE_VIDEO_CAPTURE,
		.memory = V4L2_MEMORY_DMABUF,
	};
	struct v4l2_buffer b;
	int type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	struct pollfd p = { .fd = v->fd, .events = POLLIN };
	int ret;

	*step = "REQBUFS";
	ret = xioctl(v->fd, VIDIOC_REQBUFS, &req);
	if (ret)
		return ret;
	memset(&b, 0, sizeof(b));
	b.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	b.memory = V4L2_MEMORY_DMABUF;
	b.index = 0;
	b.m.fd = dmabuf;
	b.length = v->fmt.fmt.pix.sizeimage;
	*step = "QBUF";
	ret = xioctl(v->fd, VIDIOC_QBUF, &b);
	if (ret)
		goto free;
	*step = "STREAMON";
	ret = xioctl(v->fd, VIDIOC_STREAMON, &type);
	if (ret)
		goto free;
	*step = "poll";
	ret = poll(&p, 1, 20000);
	if (ret <= 0) {
		ret = ret ? -errno : -ETIMEDOUT;
		goto off;
	}
	memset(&b, 0, sizeof(b));
	b.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	b.memory = V4L2_MEMORY_DMABUF;
	*step = "DQBUF";
	ret = xioctl(v->fd, VIDIOC_DQBUF, &b);
	if (!ret && (b.flags & V4L2_BUF_FLAG_ERROR))
		ret = -EIO;
	if (!ret && b.bytesused != v->fmt.fmt.pix.sizeimage) {
		*step = "bytesused";
		ret = -EIO;
	}
off:
	xioctl(v->fd, VIDIOC_STREAMOFF, &type);
free:
	req.count = 0;
	xioctl(v->fd, VIDIOC_REQBUFS, &req);
	return ret;
}

bool vivid_check_bars(const struct vivid *v, const uint8_t *pixels)
{
	/* 75% bars left to right: white yellow cyan green magenta red blue
	 * black, as R G B "is this channel on" */
	static const char *names[8] = { "white", "yellow", "cyan", "green",
					"magenta", "red", "blue", "black" };
	static const uint8_t on[8][3] = {
		{1, 1, 1}, {1, 1, 0}, {0, 1, 1}, {0, 1, 0},
		{1, 0, 1}, {1, 0, 0}, {0, 0, 1}, {0, 0, 0},
	};
	unsigned int w = v->fmt.fmt.pix.width, h = v->fmt.fmt.pix.height;
	unsigned int stride = v->fmt.fmt.pix.bytesperline;
	bool ok = true;
	int i, c;

	for (i = 0; i < 8; i++) {
		unsigned int x = (2 * i + 1) * w / 16;
		/* XBGR32 in memory: B, G, R, X */
		const uint8_t *px = pixels + (size_t)(h / 2) * stride + x * 4;
		uint8_t rgb[3] = { px[2], px[1], px[0] };

		for (c = 0; c < 3; c++) {
			if (on[i][c] ? rgb[c] < 128 : rgb[c] > 64) {
				vm_note("bar %d (%s) at x=%u: R=%u G=%u B=%u",
					i, names[i], x, rgb[0], rgb[1], rgb[2]);
				ok = false;
				break;
			}
		}
	}
	return ok;
}

int system_heap_alloc(size_t len)
{
	struct dma_heap_allocation_data d = {
		.len = len,
		.fd_flags = O_RDWR | O_CLOEXEC,
	};
	int heap = open("/dev/dma_heap/system", O_RDONLY | O_CLOEXEC);
	int ret;

	if (heap < 0)
		return -errno;
	ret = xioctl(heap, DMA_HEAP_IOCTL_ALLOC, &d);
	close(heap);
	return ret ? ret : (int)d.fd;
}

int kmsg_count(const char *needle)
{
	static int fd = -1;
	char rec[2048];
	int n = 0;

	if (fd < 0) {
		fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
		if (fd < 0)
			return -errno;
	}
	for (;;) {
		ssize_t len = read(fd, rec, sizeof(rec) - 1);

		if (len < 0) {
			if (errno == EPIPE)
				continue;
			break;
		}
		rec[len] = 0;
		if (strstr(rec, needle))
			n++;
	}
	return n;
}
