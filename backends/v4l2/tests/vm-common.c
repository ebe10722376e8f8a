/* SPDX-License-Identifier: MIT */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/dma-heap.h>
#include <linux/udmabuf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/klog.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vm-common.h"

int vt_find_vivid(int inst, char *path, size_t len)
{
	char want[32];
	DIR *d = opendir("/dev");
	struct dirent *e;
	int found = -1;

	snprintf(want, sizeof(want), "platform:vivid-%03d", inst);
	while (d && (e = readdir(d)) && found < 0) {
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
		if (ioctl(fd, VIDIOC_QUERYCAP, &cap) == 0 && strcmp((char *)cap.driver, "vivid") == 0 &&
		    strcmp((char *)cap.bus_info, want) == 0 &&
		    (cap.device_caps & (V4L2_CAP_VIDEO_CAPTURE | V4L2_CAP_VIDEO_CAPTURE_MPLANE)) &&
		    !(cap.device_caps & V4L2_CAP_TOUCH)) {
			snprintf(path, len, "%s", p);
			found = 0;
		}
		close(fd);
	}
	if (d)
		closedir(d);
	return found;
}

int vt_vivid_param(const char *name, int inst)
{
	char p[128], buf[256], *s;
	FILE *f;

	snprintf(p, sizeof(p), "/sys/module/vivid/parameters/%s", name);
	f = fopen(p, "re");
	if (!f || !fgets(buf, sizeof(buf), f)) {
		if (f)
			fclose(f);
		return -1;
	}
	fclose(f);
	s = buf;
	for (int i = 0; i < inst && s; i++) {
		s = strchr(s, ',');
		s = s ? s + 1 : NULL;
	}
	return s ? atoi(s) : -1;
}

int vt_heap_alloc(uint64_t size)
{
	struct dma_heap_allocation_data a = {.len = size, .fd_flags = O_RDWR | O_CLOEXEC};
	int heap = open("/dev/dma_heap/system", O_RDONLY | O_CLOEXEC);

	if (heap < 0 || ioctl(heap, DMA_HEAP_IOCTL_ALLOC, &a) < 0) {
		vm_note("dma-heap system: %s", strerror(errno));
		if (heap >= 0)
			close(heap);
		return -1;
	}
	close(heap);
	return (int)a.fd;
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

int vt_count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	while (d && (e = readdir(d)))
		n += e->d_name[0] != '.';
	if (d)
		closedir(d);
	return n - 1; /* the DIR's own fd */
}

int vt_dmesg_count(const char *needle)
{
	int len = klogctl(10 /* SYSLOG_ACTION_SIZE_BUFFER */, NULL, 0);
	char *buf, *p;
	int n = 0;

	if (len <= 0 || !(buf = malloc((size_t)len + 1)))
		return -1;
	len = klogctl(3 /* SYSLOG_ACTION_READ_ALL */, buf, len);
	if (len < 0) {
		free(buf);
		return -1;
	}
	buf[len] = '\0';
	for (p = buf; (p = strstr(p, needle)); p++)
		n++;
	free(buf);
	return n;
}

static void log_to_stdout(void *data, enum la_log_level level, const char *msg)
{
	(void)data;
	if (level <= LA_LOG_WARN)
		printf("liballoc: %s\n", msg);
}

struct la_context *vt_context(void)
{
	struct la_context *ctx;

	if (la_context_new(&ctx) < 0)
		vm_fatal("la_context_new failed");
	la_context_set_log_handler(ctx, log_to_stdout, NULL);
	return ctx;
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
