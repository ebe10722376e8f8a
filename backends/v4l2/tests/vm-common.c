/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <linux/udmabuf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vm-common.h"

int vt_vivid_param(const char *name, int inst)
{
	char buf[256], *s = buf;

	if (tl_module_param("vivid", name, buf, sizeof(buf)) < 0)
		return -1;
	for (int i = 0; i < inst && s; i++) {
		s = strchr(s, ',');
		s = s ? s + 1 : NULL;
	}
	return s ? atoi(s) : -1;
}

int vt_scattered_alloc(uint64_t size)
{
	struct {
		struct udmabuf_create_list head;
		struct udmabuf_create_item items[2];
	} req;
	uint64_t half = ((size + 1) / 2 + 4095) / 4096 * 4096;
	int memfd = memfd_create("vt-scattered", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	int dev = open("/dev/udmabuf", O_RDWR | O_CLOEXEC), fd = -1;

	if (memfd >= 0 && dev >= 0 && ftruncate(memfd, (off_t)half) == 0 &&
	    fcntl(memfd, F_ADD_SEALS, F_SEAL_SHRINK) == 0) {
		memset(&req, 0, sizeof(req));
		req.head.flags = UDMABUF_FLAGS_CLOEXEC;
		req.head.count = 2;
		for (int i = 0; i < 2; i++)
			req.items[i] = (struct udmabuf_create_item){.memfd = (uint32_t)memfd,
								   .offset = 0, .size = half};
		fd = ioctl(dev, UDMABUF_CREATE_LIST, &req);
	}
	if (fd < 0)
		vm_note("udmabuf: %s", strerror(errno));
	if (memfd >= 0)
		close(memfd);
	if (dev >= 0)
		close(dev);
	return fd;
}

int vt_queue_buffers(int fd, uint32_t type)
{
	struct v4l2_create_buffers cb = {.count = 0, .memory = V4L2_MEMORY_MMAP};

	cb.format.type = type;
	if (ioctl(fd, VIDIOC_CREATE_BUFS, &cb) < 0)
		return -1;
	return (int)cb.index;
}

uint32_t vt_capture_type(int fd)
{
	struct v4l2_capability cap;

	memset(&cap, 0, sizeof(cap));
	if (ioctl(fd, VIDIOC_QUERYCAP, &cap) < 0)
		return 0;
	return (cap.device_caps & V4L2_CAP_VIDEO_CAPTURE_MPLANE) ? V4L2_BUF_TYPE_VIDEO_CAPTURE_MPLANE
								 : V4L2_BUF_TYPE_VIDEO_CAPTURE;
}

const char *vt_fourcc(uint32_t c, char buf[8])
{
	for (int i = 0; i < 4; i++)
		buf[i] = (char)((c >> (8 * i)) & 0x7f);
	buf[4] = '\0';
	return buf;
}

int vt_find_vivid(int inst, char *path, size_t len)
{
	char bus[32];
	int fd;

	snprintf(bus, sizeof(bus), "platform:vivid-%03d", inst);
	fd = vm_open_v4l2("vivid", bus, path, len);
	if (fd < 0)
		return -1;
	close(fd);
	return 0;
}

int vt_heap_alloc(uint64_t size)
{
	int fd = tl_heap_alloc(size);

	if (fd < 0)
		vm_note("dma-heap system: %s", strerror(-fd));
	return fd < 0 ? -1 : fd;
}
