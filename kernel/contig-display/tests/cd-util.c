// SPDX-License-Identifier: GPL-2.0
#include "cd-util.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/udmabuf.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <xf86drm.h>

#include "testlib.h"
#include "vmtest.h"

int cd_open_card(char *path, size_t len)
{
	int fd = vm_open_drm("contig_display", "card", path, len);

	if (fd < 0)
		vm_fatal("no contig_display card node (module not loaded?)");
	return fd;
}

int cd_debugfs_get(const char *name, const char *key, char *val, size_t len)
{
	char file[128], line[256];
	size_t klen = strlen(key);
	int ret = -ENOENT;
	FILE *f;

	snprintf(file, sizeof(file), CD_DEBUGFS "/%s", name);
	f = fopen(file, "r");
	if (!f)
		return -errno;
	while (ret && fgets(line, sizeof(line), f)) {
		if (strncmp(line, key, klen) == 0 && line[klen] == ':' && line[klen + 1] == ' ') {
			snprintf(val, len, "%s", line + klen + 2);
			val[strcspn(val, "\n")] = '\0';
			ret = 0;
		}
	}
	fclose(f);
	return ret;
}

long long cd_stat(const char *key)
{
	char v[64];

	if (cd_debugfs_get("stats", key, v, sizeof(v)) != 0)
		vm_fatal("debugfs stats has no %s", key);
	return strtoll(v, NULL, 10);
}

uint64_t cd_phys(const void *addr)
{
	long page = sysconf(_SC_PAGESIZE);
	uint64_t entry = 0;
	int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	off_t off = (off_t)((uintptr_t)addr / (uintptr_t)page * sizeof(entry));
	bool ok;

	if (fd < 0)
		return UINT64_MAX;
	ok = pread(fd, &entry, sizeof(entry), off) == (ssize_t)sizeof(entry);
	close(fd);
	/* bit 63: present; bits 0-54: the PFN (0 without CAP_SYS_ADMIN) */
	if (!ok || !(entry >> 63) || !(entry & ((1ull << 55) - 1)))
		return UINT64_MAX;
	return (entry & ((1ull << 55) - 1)) * (uint64_t)page + (uintptr_t)addr % (uintptr_t)page;
}

uint32_t cd_fnv1a32(const uint8_t *p, size_t pitch, size_t bytes, unsigned int lines)
{
	uint32_t h = 0x811c9dc5u;

	for (unsigned int y = 0; y < lines; y++)
		for (size_t i = 0; i < bytes; i++) {
			h ^= p[y * pitch + i];
			h *= 0x01000193u;
		}
	return h;
}

int cd_dumb(int fd, uint32_t w, uint32_t h, uint32_t bpp, uint32_t *handle, uint32_t *pitch,
	    uint64_t *size, uint8_t **map)
{
	struct drm_mode_create_dumb c = {.width = w, .height = h, .bpp = bpp};
	struct drm_mode_map_dumb m = {0};
	int ret = tl_xioctl(fd, DRM_IOCTL_MODE_CREATE_DUMB, &c);

	if (ret < 0)
		return ret;
	*handle = c.handle;
	*pitch = c.pitch;
	*size = c.size;
	if (!map)
		return 0;
	m.handle = c.handle;
	ret = tl_xioctl(fd, DRM_IOCTL_MODE_MAP_DUMB, &m);
	if (ret == 0) {
		*map = mmap(NULL, c.size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)m.offset);
		if (*map == MAP_FAILED)
			ret = -errno;
	}
	if (ret < 0)
		drmCloseBufferHandle(fd, c.handle);
	return ret;
}

void cd_dumb_free(int fd, uint32_t handle, uint8_t *map, uint64_t size)
{
	if (map)
		munmap(map, size);
	drmCloseBufferHandle(fd, handle);
}

int cd_scattered_udmabuf(void)
{
	struct {
		struct udmabuf_create_list head;
		struct udmabuf_create_item items[2];
	} req;
	int memfd = memfd_create("cd-scattered", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	int dev = open("/dev/udmabuf", O_RDWR | O_CLOEXEC), fd = -1;

	memset(&req, 0, sizeof(req));
	if (memfd >= 0 && dev >= 0 && ftruncate(memfd, 4096) == 0 &&
	    fcntl(memfd, F_ADD_SEALS, F_SEAL_SHRINK) == 0) {
		req.head.flags = UDMABUF_FLAGS_CLOEXEC;
		req.head.count = 2;
		for (int i = 0; i < 2; i++) {
			req.items[i].memfd = (uint32_t)memfd;
			req.items[i].size = 4096;
		}
		fd = ioctl(dev, UDMABUF_CREATE_LIST, &req);
	}
	if (fd < 0)
		fd = -errno;
	if (memfd >= 0)
		close(memfd);
	if (dev >= 0)
		close(dev);
	return fd;
}

static int flips_seen;

static void flip_done(int fd, unsigned int seq, unsigned int sec, unsigned int usec,
		      unsigned int crtc, void *data)
{
	(void)fd, (void)seq, (void)sec, (void)usec, (void)crtc, (void)data;
	flips_seen++;
}

int cd_wait_flip(int fd, int ms)
{
	drmEventContext ev = {.version = 3, .page_flip_handler2 = flip_done};
	struct pollfd p = {.fd = fd, .events = POLLIN};
	int before = flips_seen;

	if (poll(&p, 1, ms) > 0)
		drmHandleEvent(fd, &ev);
	return flips_seen > before;
}
