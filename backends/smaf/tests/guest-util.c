/* SPDX-License-Identifier: MIT */
#include "guest-util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <xf86drm.h>

struct la_capset *gu_capset(const char *label, const char *driver, uint64_t usage,
			    enum la_import_rule rule, uint32_t cflags, uint32_t dma_bits)
{
	struct la_capset_info info = {
		.label = label,
		.driver = driver,
		.backend = "test",
		.usage = usage,
		.import_rule = rule,
		.import_reason = rule == LA_IMPORT_CONTIGUOUS ? "vb2-dma-contig queue" : NULL,
	};
	struct la_candidate c = {
		.format = GU_XRGB8888,
		.modifier = 0, /* DRM_FORMAT_MOD_LINEAR */
		.constraints = {.flags = cflags, .dma_addr_bits = dma_bits},
	};
	struct la_capset *set = NULL;

	if (la_capset_new(&info, &set) < 0 || la_capset_add_candidate(set, &c) < 0)
		vm_fatal("capset %s: %s", label, la_last_diagnosis());
	return set;
}

int gu_negotiate(struct la_context *ctx, uint32_t w, uint32_t h, struct la_capset **sets,
		 size_t n, struct la_result **res)
{
	uint32_t fmt = GU_XRGB8888;
	struct la_assertion a = {.width = w, .height = h, .formats = &fmt, .n_formats = 1};
	int ret = la_negotiate_capsets(ctx, &a, sets, n, res);

	vm_note("negotiation %ux%u, %zu device(s): %s%s%s", w, h, n, ret ? strerror(-ret) : "ok",
		*res && la_result_get_diagnosis(*res)[0] ? ": " : "",
		*res ? la_result_get_diagnosis(*res) : "");
	for (size_t i = 0; *res && i < la_result_get_path_count(*res); i++) {
		struct la_path_info p;
		if (la_result_get_path(*res, i, &p) == 0)
			vm_note("  path %s (%s) rank %d %s: %s", p.name, p.backend, p.rank,
				p.matched ? "matched" : "refused", p.reason);
	}
	return ret;
}

int gu_negotiate_quiet(struct la_context *ctx, uint32_t w, uint32_t h, struct la_capset **sets,
		       size_t n, struct la_result **res)
{
	uint32_t fmt = GU_XRGB8888;
	struct la_assertion a = {.width = w, .height = h, .formats = &fmt, .n_formats = 1};

	return la_negotiate_capsets(ctx, &a, sets, n, res);
}

bool gu_no_path(int ret, const struct la_result *res)
{
	return ret == -ENODEV || (ret == 0 && !gu_best_path(res)[0]);
}

const char *gu_best_path(const struct la_result *res)
{
	struct la_path_info p;

	if (!res || la_result_get_path(res, 0, &p) < 0 || !p.matched)
		return "";
	return p.name;
}

const char *gu_path_reason(const struct la_result *res, const char *name, bool *matched)
{
	struct la_path_info p;

	*matched = false;
	for (size_t i = 0; res && i < la_result_get_path_count(res); i++) {
		if (la_result_get_path(res, i, &p) == 0 && strcmp(p.name, name) == 0) {
			*matched = p.matched;
			return p.reason;
		}
	}
	return "";
}

struct la_import *gu_watch(struct la_device *smaf, const struct la_buffer *buf)
{
	struct la_import *imp = NULL;
	int ret = la_device_import(smaf, LA_USAGE_CPU_READ, buf, &imp);

	if (ret < 0)
		vm_fatal("SMAF view of the buffer: %s (%s)", strerror(-ret), la_last_diagnosis());
	return imp;
}

uint64_t gu_prop(struct la_import *w, const char *name)
{
	uint64_t v = 0;
	int ret = la_import_get_property(w, name, &v);

	if (!vm_check(ret == 0, "property %s: %s", name, ret ? strerror(-ret) : "ok"))
		return UINT64_MAX;
	return v;
}

int gu_count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n - 1; /* the directory's own fd */
}

int gu_vgem_open(void)
{
	int fd = vm_open_drm("vgem", "renderD", NULL, 0);

	if (fd < 0)
		vm_fatal("no vgem render node");
	return fd;
}

int gu_vgem_import(int vgem, int dmabuf, uint32_t *handle)
{
	return drmPrimeFDToHandle(vgem, dmabuf, handle) ? -errno : 0;
}

void gu_vgem_close(int vgem, uint32_t handle)
{
	drmCloseBufferHandle(vgem, handle);
}

static int xioctl(int fd, unsigned long req, void *arg)
{
	int ret;

	do {
		ret = ioctl(fd, req, arg);
	} while (ret < 0 && errno == EINTR);
	return ret < 0 ? -errno : 0;
}

void gu_vivid_open(int inst, struct gu_vivid *v)
{
	char path[32], bus[32];

	/* by bus_info, never by node number: numbering follows load order */
	snprintf(bus, sizeof(bus), "platform:vivid-%03d", inst);
	for (int i = 0; i < 64; i++) {
		struct v4l2_capability cap = {0};
		struct v4l2_format f = {.type = V4L2_BUF_TYPE_VIDEO_CAPTURE};
		int fd;

		snprintf(path, sizeof(path), "/dev/video%d", i);
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (xioctl(fd, VIDIOC_QUERYCAP, &cap) || strcmp((char *)cap.driver, "vivid") ||
		    strcmp((char *)cap.bus_info, bus) || !(cap.device_caps & V4L2_CAP_VIDEO_CAPTURE)) {
			close(fd);
			continue;
		}
		f.fmt.pix = (struct v4l2_pix_format){.width = GU_W, .height = GU_H,
						     .pixelformat = V4L2_PIX_FMT_XBGR32,
						     .field = V4L2_FIELD_NONE};
		if (xioctl(fd, VIDIOC_S_FMT, &f) || f.fmt.pix.pixelformat != V4L2_PIX_FMT_XBGR32 ||
		    f.fmt.pix.width != GU_W || f.fmt.pix.height != GU_H)
			vm_fatal("vivid %d: cannot set %dx%d XR24", inst, GU_W, GU_H);
		v->fd = fd;
		v->pix = f.fmt.pix;
		vm_note("vivid instance %d: %s, %u bytes/line, %u bytes", inst, path,
			v->pix.bytesperline, v->pix.sizeimage);
		return;
	}
	vm_fatal("vivid instance %d: no capture node", inst);
}

void gu_vivid_close(struct gu_vivid *v)
{
	close(v->fd);
	v->fd = -1;
}

int gu_vivid_capture(struct gu_vivid *v, int dmabuf, const char **step)
{
	struct v4l2_requestbuffers req = {.count = 1, .type = V4L2_BUF_TYPE_VIDEO_CAPTURE,
					  .memory = V4L2_MEMORY_DMABUF};
	struct v4l2_buffer b = {.type = V4L2_BUF_TYPE_VIDEO_CAPTURE, .memory = V4L2_MEMORY_DMABUF};
	struct pollfd p = {.fd = v->fd, .events = POLLIN};
	int type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	int ret;

	*step = "REQBUFS";
	ret = xioctl(v->fd, VIDIOC_REQBUFS, &req);
	if (ret)
		return ret;
	b.m.fd = dmabuf;
	b.length = v->pix.sizeimage;
	*step = "QBUF";
	ret = xioctl(v->fd, VIDIOC_QBUF, &b);
	if (ret)
		goto release;
	*step = "STREAMON";
	ret = xioctl(v->fd, VIDIOC_STREAMON, &type);
	if (ret)
		goto release;
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
	if (!ret && ((b.flags & V4L2_BUF_FLAG_ERROR) || b.bytesused != v->pix.sizeimage))
		ret = -EIO;
off:
	xioctl(v->fd, VIDIOC_STREAMOFF, &type);
release:
	req.count = 0;
	xioctl(v->fd, VIDIOC_REQBUFS, &req);
	return ret;
}

bool gu_vivid_bars(const struct gu_vivid *v, const uint8_t *pixels)
{
	/* vivid's default test pattern: 75 % bars white, yellow, cyan, green,
	 * magenta, red, blue, black; 1 = that channel (R, G, B) is lit */
	static const uint8_t lit[8][3] = {{1, 1, 1}, {1, 1, 0}, {0, 1, 1}, {0, 1, 0},
					  {1, 0, 1}, {1, 0, 0}, {0, 0, 1}, {0, 0, 0}};
	bool ok = true;

	for (int i = 0; i < 8; i++) {
		unsigned int x = (2 * i + 1) * v->pix.width / 16;
		const uint8_t *px = pixels + (size_t)(v->pix.height / 2) * v->pix.bytesperline + x * 4;
		uint8_t rgb[3] = {px[2], px[1], px[0]};

		for (int c = 0; c < 3; c++) {
			if (lit[i][c] ? rgb[c] < 128 : rgb[c] > 64) {
				vm_note("bar %d at x=%u: R=%u G=%u B=%u", i, x, rgb[0], rgb[1], rgb[2]);
				ok = false;
				break;
			}
		}
	}
	return ok;
}
