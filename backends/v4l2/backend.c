/* SPDX-License-Identifier: MIT */
/*
 * liballoc-v4l2.so: V4L2 video capture/output devices. Everything the
 * backend says about a device is read from the kernel at the time it is
 * asked (VIDIOC_QUERYCAP, ENUM_FMT, ENUM_FRAMESIZES, TRY_FMT, the
 * CREATE_BUFS/REQBUFS capability bits); see README.md.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../common/dma-mask.h"
#include "v4l2.h"

int64_t v4l2_fd_size(int fd)
{
	off_t end = lseek(fd, 0, SEEK_END);

	return end < 0 ? -errno : (int64_t)end;
}

const char *v4l2_fourcc_str(uint32_t code, char buf[8])
{
	for (int i = 0; i < 4; i++) {
		char c = (char)((code >> (8 * i)) & 0xff);
		buf[i] = c >= 0x20 && c < 0x7f ? c : '?';
	}
	buf[4] = '\0';
	return buf;
}

bool v4l2_type_is_mplane(uint32_t type)
{
	return type == V4L2_BUF_TYPE_VIDEO_CAPTURE_MPLANE || type == V4L2_BUF_TYPE_VIDEO_OUTPUT_MPLANE;
}

int v4l2_queue_for_usage(struct v4l2_dev *dev, uint64_t usage, enum v4l2_queue *q,
			 struct la_why *why)
{
	const uint64_t reads = LA_USAGE_ENCODE;
	const uint64_t writes = LA_USAGE_CAPTURE | LA_USAGE_DECODE;
	const uint64_t cpu = LA_USAGE_CPU_READ | LA_USAGE_CPU_WRITE | LA_USAGE_CPU_READ_OFTEN;
	uint64_t other = usage & ~(reads | writes | cpu);

	if (other || ((usage & reads) && (usage & writes)) || !(usage & (reads | writes))) {
		v4l2_diag(why, "%s: a V4L2 video queue serves capture/decode (device writes) "
				   "or encode (device reads), not usage 0x%llx",
			  dev->label, (unsigned long long)usage);
		return -ENOTSUP;
	}
	*q = (usage & writes) ? V4L2_Q_CAPTURE : V4L2_Q_OUTPUT;
	if (!dev->type[*q]) {
		v4l2_diag(why, "%s: no video %s queue (device_caps 0x%08x)", dev->label,
			  *q == V4L2_Q_CAPTURE ? "capture" : "output", dev->caps);
		return -ENOTSUP;
	}
	return 0;
}

/*
 * VIDIOC_CREATE_BUFS with count 0 only reports: the queue's capability bits
 * and, in index, how many buffers it holds (vb2_ioctl_create_bufs(),
 * drivers/media/common/videobuf2/videobuf2-v4l2.c: "If count == 0, then
 * just check if memory and type are valid"). REQBUFS(0) would report the
 * same bits but also free the buffers of whoever shares our open file, so
 * it is only the fallback for drivers without CREATE_BUFS.
 */
int v4l2_queue_state(struct v4l2_dev *dev, uint32_t type, struct v4l2_queue_state *st,
		     struct la_why *why)
{
	struct v4l2_create_buffers cb = {.count = 0, .memory = V4L2_MEMORY_MMAP};
	int ret;

	memset(st, 0, sizeof(*st));
	cb.format.type = type;
	ret = be_ioctl(dev->fd, VIDIOC_CREATE_BUFS, &cb);
	if (ret == -EINVAL) {
		/* EINVAL may only mean "no MMAP": ask again for DMABUF */
		cb.memory = V4L2_MEMORY_DMABUF;
		ret = be_ioctl(dev->fd, VIDIOC_CREATE_BUFS, &cb);
	}
	if (ret == 0) {
		st->mem_caps = cb.capabilities;
		st->n_buffers = cb.index;
		st->exact = true;
		return 0;
	}
	if (ret != -ENOTTY && ret != -EINVAL) {
		v4l2_diag(why, "%s: VIDIOC_CREATE_BUFS(count 0) failed: %s", dev->label,
			  strerror(-ret));
		return ret;
	}
	/* No CREATE_BUFS (or no MMAP): ask REQBUFS for each memory type. */
	static const uint32_t mems[] = {V4L2_MEMORY_MMAP, V4L2_MEMORY_DMABUF};
	static const uint32_t bits[] = {V4L2_BUF_CAP_SUPPORTS_MMAP, V4L2_BUF_CAP_SUPPORTS_DMABUF};
	for (size_t i = 0; i < 2; i++) {
		struct v4l2_requestbuffers rb = {.count = 0, .type = type, .memory = mems[i]};
		ret = be_ioctl(dev->fd, VIDIOC_REQBUFS, &rb);
		if (ret == -EBUSY) {
			v4l2_diag(why, "%s: queue busy (VIDIOC_REQBUFS: %s)", dev->label,
				  strerror(-ret));
			return ret;
		}
		if (ret == 0)
			st->mem_caps |= rb.capabilities ? rb.capabilities : bits[i];
	}
	return 0;
}

void v4l2_forget_formats(struct v4l2_dev *dev)
{
	dev->formats[V4L2_Q_CAPTURE].valid = false;
	dev->formats[V4L2_Q_OUTPUT].valid = false;
	dev->formats_from_caps = false;
}

static void enumerate_formats(struct v4l2_dev *dev, uint32_t type, struct v4l2_formats *fl)
{
	fl->n = 0;
	for (uint32_t i = 0; fl->n < V4L2_FORMATS_MAX; i++) {
		struct v4l2_fmtdesc d = {.index = i, .type = type};
		if (be_ioctl(dev->fd, VIDIOC_ENUM_FMT, &d) < 0)
			break;
		fl->codes[fl->n++] = d.pixelformat;
	}
	fl->valid = true;
}

bool v4l2_lists_format(struct v4l2_dev *dev, uint32_t type, uint32_t pixfmt)
{
	enum v4l2_queue q = type == dev->type[V4L2_Q_OUTPUT] ? V4L2_Q_OUTPUT : V4L2_Q_CAPTURE;
	struct v4l2_formats *fl = &dev->formats[q];

	if (!type || type != dev->type[q])
		return false; /* not a queue of this device */
	if (!fl->valid)
		enumerate_formats(dev, type, fl);
	for (uint32_t i = 0; i < fl->n; i++)
		if (fl->codes[i] == pixfmt)
			return true;
	return false;
}

uint32_t v4l2_pick_format(struct v4l2_dev *dev, uint32_t type, uint32_t drm, uint32_t *mem_planes)
{
	for (uint32_t mp = 1; mp <= 3; mp++) {
		uint32_t code = la_v4l2_format_from_drm(drm, mp);
		if (code && (mp == 1 || v4l2_type_is_mplane(type)) && v4l2_lists_format(dev, type, code)) {
			*mem_planes = mp;
			return code;
		}
	}
	return 0;
}

void v4l2_fill_format(struct v4l2_format *f, uint32_t type, uint32_t pixfmt, uint32_t w,
		      uint32_t h, uint32_t mem_planes, const uint32_t *bpl)
{
	memset(f, 0, sizeof(*f));
	f->type = type;
	if (v4l2_type_is_mplane(type)) {
		f->fmt.pix_mp.width = w;
		f->fmt.pix_mp.height = h;
		f->fmt.pix_mp.pixelformat = pixfmt;
		f->fmt.pix_mp.field = V4L2_FIELD_NONE;
		f->fmt.pix_mp.num_planes = (uint8_t)mem_planes;
		for (uint32_t p = 0; bpl && p < mem_planes && p < VIDEO_MAX_PLANES; p++)
			f->fmt.pix_mp.plane_fmt[p].bytesperline = bpl[p];
	} else {
		f->fmt.pix.width = w;
		f->fmt.pix.height = h;
		f->fmt.pix.pixelformat = pixfmt;
		f->fmt.pix.field = V4L2_FIELD_NONE;
		f->fmt.pix.bytesperline = bpl ? bpl[0] : 0;
	}
}

void v4l2_read_format(const struct v4l2_format *f, uint32_t *w, uint32_t *h, uint32_t *n_planes,
		      uint32_t bpl[VIDEO_MAX_PLANES], uint32_t size[VIDEO_MAX_PLANES])
{
	if (v4l2_type_is_mplane(f->type)) {
		const struct v4l2_pix_format_mplane *mp = &f->fmt.pix_mp;
		*w = mp->width;
		*h = mp->height;
		*n_planes = mp->num_planes < VIDEO_MAX_PLANES ? mp->num_planes : VIDEO_MAX_PLANES;
		for (uint32_t p = 0; p < *n_planes; p++) {
			bpl[p] = mp->plane_fmt[p].bytesperline;
			size[p] = mp->plane_fmt[p].sizeimage;
		}
	} else {
		*w = f->fmt.pix.width;
		*h = f->fmt.pix.height;
		*n_planes = 1;
		bpl[0] = f->fmt.pix.bytesperline;
		size[0] = f->fmt.pix.sizeimage;
	}
}

/* ---- backend and device lifetime ---- */

static int v4l2_init(const struct la_backend_host *host, void **backend, struct la_why *why)
{
	struct v4l2_backend *be = calloc(1, sizeof(*be));

	if (!be)
		return -ENOMEM;
	be->host = host;
	*backend = be;
	return 0;
}

static void v4l2_finish(void *backend)
{
	free(backend);
}

/* Video nodes with a streaming capture or output queue; touch, VBI, SDR, meta are not ours. */
static void pick_queues(struct v4l2_dev *dev)
{
	uint32_t c = dev->caps;

	if (!(c & V4L2_CAP_STREAMING) || (c & V4L2_CAP_TOUCH))
		return;
	if (c & (V4L2_CAP_VIDEO_CAPTURE_MPLANE | V4L2_CAP_VIDEO_M2M_MPLANE))
		dev->type[V4L2_Q_CAPTURE] = V4L2_BUF_TYPE_VIDEO_CAPTURE_MPLANE;
	else if (c & (V4L2_CAP_VIDEO_CAPTURE | V4L2_CAP_VIDEO_M2M))
		dev->type[V4L2_Q_CAPTURE] = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	if (c & (V4L2_CAP_VIDEO_OUTPUT_MPLANE | V4L2_CAP_VIDEO_M2M_MPLANE))
		dev->type[V4L2_Q_OUTPUT] = V4L2_BUF_TYPE_VIDEO_OUTPUT_MPLANE;
	else if (c & (V4L2_CAP_VIDEO_OUTPUT | V4L2_CAP_VIDEO_M2M))
		dev->type[V4L2_Q_OUTPUT] = V4L2_BUF_TYPE_VIDEO_OUTPUT;
}

/*
 * The device's DMA address limit where sysfs tells it (PCI capture cards:
 * ../common/dma-mask.h); platform devices such as vivid have no such file.
 */
static void learn_dma_limit(struct v4l2_backend *be, struct v4l2_dev *dev)
{
	char src[200];
	uint32_t bits = 0;

	if (!dev->devnum || be_dma_mask_bits(dev->devnum, &bits, src, sizeof(src)) < 0) {
		v4l2_dbg(be, "%s: DMA limit unknown: %s", dev->label,
			 dev->devnum ? src : "no device number");
		return;
	}
	dev->dma_bits = bits < 64 ? bits : 0;
	v4l2_dbg(be, "%s: DMA addresses: %u bits (%s)", dev->label, bits, src);
}

static int v4l2_probe_device(void *backend, int fd, const char *node, void **device,
			     struct la_backend_device_info *info, struct la_why *why)
{
	struct v4l2_backend *be = backend;
	struct v4l2_capability cap;
	struct v4l2_dev *dev;
	const char *base;

	memset(&cap, 0, sizeof(cap));
	if (be_ioctl(fd, VIDIOC_QUERYCAP, &cap) < 0)
		return -ENODEV; /* not a V4L2 node */
	dev = calloc(1, sizeof(*dev));
	if (!dev)
		return -ENOMEM;
	dev->be = be;
	dev->fd = fd;
	/* device_caps describe this node; capabilities the whole physical device */
	dev->caps = (cap.capabilities & V4L2_CAP_DEVICE_CAPS) ? cap.device_caps : cap.capabilities;
	pick_queues(dev);
	if (!dev->type[V4L2_Q_CAPTURE] && !dev->type[V4L2_Q_OUTPUT]) {
		v4l2_dbg(be, "%s: %.32s has no streaming video queue (caps 0x%08x): not ours",
			 node ? node : "fd", (const char *)cap.driver, dev->caps);
		free(dev);
		return -ENODEV;
	}
	snprintf(info->driver, sizeof(info->driver), "%.32s", (const char *)cap.driver);
	snprintf(dev->driver, sizeof(dev->driver), "%.31s", (const char *)cap.driver);
	struct stat st;
	dev->devnum = fstat(fd, &st) == 0 && S_ISCHR(st.st_mode) ? st.st_rdev : 0;
	base = node && node[0] ? strrchr(node, '/') : NULL;
	base = base ? base + 1 : (node && node[0] ? node : "fd");
	snprintf(dev->label, sizeof(dev->label), "%s (%s)", info->driver,
		 node && node[0] ? node : "fd");
	snprintf(dev->name, sizeof(dev->name), "%.31s:%.31s", info->driver, base);
	learn_dma_limit(be, dev);
	info->usages = LA_USAGE_CPU_READ | LA_USAGE_CPU_WRITE | LA_USAGE_CPU_READ_OFTEN;
	if (dev->type[V4L2_Q_CAPTURE])
		info->usages |= (dev->caps & (V4L2_CAP_VIDEO_M2M | V4L2_CAP_VIDEO_M2M_MPLANE))
					? LA_USAGE_DECODE
					: LA_USAGE_CAPTURE;
	if (dev->type[V4L2_Q_OUTPUT])
		info->usages |= LA_USAGE_ENCODE;
	*device = dev;
	return 0;
}

static void v4l2_device_close(void *backend, void *device)
{
	free(device);
}

static int v4l2_enumerate(void *backend, la_enumerate_fn add, void *ctx, struct la_why *why)
{
	DIR *d = opendir("/dev");
	struct dirent *e;
	char path[300];

	if (!d)
		return 0; /* no /dev: nothing to offer */
	while ((e = readdir(d))) {
		if (strncmp(e->d_name, "video", 5) != 0)
			continue;
		snprintf(path, sizeof(path), "/dev/%s", e->d_name);
		add(ctx, path);
	}
	closedir(d);
	return 0;
}

static const struct la_backend_interface v4l2_interface = {
	.init = v4l2_init,
	.finish = v4l2_finish,
	.probe = v4l2_probe_device,
	.device_close = v4l2_device_close,
	.enumerate = v4l2_enumerate,
	.get_capabilities = v4l2_get_capabilities,
	.list_paths = v4l2_list_paths,
	.path_match = v4l2_path_match,
	.path_allocate = v4l2_path_allocate,
	.path_release = v4l2_path_release,
	.import = v4l2_import,
	.import_get_property = v4l2_import_get_property,
	.import_release = v4l2_import_release,
};

LA_BACKEND_DEFINE("v4l2", v4l2_interface);
