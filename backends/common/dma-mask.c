/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "dma-mask.h"

/* Reads a small sysfs file into buf, trailing newline removed. */
static int read_small(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = '\0';
	return 0;
}

/*
 * A translating IOMMU maps any page into the device's address window.
 * "identity" (passthrough) and "blocked" domains translate nothing.
 */
static bool behind_translating_iommu(const char *dir, char *type, size_t len)
{
	char path[PATH_MAX];

	if (snprintf(path, sizeof(path), "%s/iommu_group/type", dir) >= (int)sizeof(path))
		return false;
	if (read_small(path, type, len) < 0)
		return false;
	return strncmp(type, "DMA", 3) == 0; /* "DMA", "DMA-FQ" */
}

static int parse_bits(const char *text, uint32_t *bits)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(text, &end, 10);
	if (errno || end == text || *end || v == 0 || v > 64)
		return -EINVAL;
	*bits = (uint32_t)v;
	return 0;
}

/*
 * rel (a symlink's target) applied to the folder base, lexically: "."
 * and ".." folded, no link followed. Right for sysfs's own links, whose
 * targets the kernel computes between real folders of its tree.
 */
int be_path_join_rel(const char *base, const char *rel, char *out, size_t len)
{
	size_t n;

	if (rel[0] == '/' || strlen(base) >= len)
		return -EINVAL;
	strcpy(out, base);
	n = strlen(out);
	while (*rel) {
		size_t w = strcspn(rel, "/");
		if (w == 2 && rel[0] == '.' && rel[1] == '.') {
			while (n > 0 && out[n - 1] != '/')
				n--;
			n = n > 1 ? n - 1 : 1; /* never above "/" */
			out[n] = '\0';
		} else if (w && !(w == 1 && rel[0] == '.')) {
			if (n + 1 + w >= len)
				return -ENAMETOOLONG;
			if (n > 1 || out[0] != '/')
				out[n++] = '/';
			memcpy(out + n, rel, w);
			n += w;
			out[n] = '\0';
		}
		rel += w + (rel[w] == '/');
	}
	return 0;
}

/* Follows the link at folder/name into out (lexically, see be_path_join_rel). */
static int follow(const char *folder, const char *name, char *out, size_t len)
{
	char link[PATH_MAX], target[PATH_MAX];
	ssize_t n;

	if (snprintf(link, sizeof(link), "%s/%s", folder, name) >= (int)sizeof(link))
		return -ENAMETOOLONG;
	n = readlink(link, target, sizeof(target) - 1);
	if (n < 0)
		return -errno;
	target[n] = '\0';
	return be_path_join_rel(folder, target, out, len);
}

int be_sysfs_device_dir(dev_t devnum, char *dir, size_t len)
{
	char node[PATH_MAX], name[24], link[64];
	int ret;

	/* /sys/dev/char/M:m -> ../../devices/.../card0, its device -> the parent device */
	snprintf(name, sizeof(name), "%u:%u", major(devnum), minor(devnum));
	ret = follow("/sys/dev/char", name, node, sizeof(node));
	if (ret == 0)
		ret = follow(node, "device", dir, len);
	if (ret == 0 && strncmp(dir, "/sys/devices/", strlen("/sys/devices/")) == 0)
		return 0;
	/* not the layout of every kernel since 2.6.26: the slow, general way */
	snprintf(link, sizeof(link), "/sys/dev/char/%s/device", name);
	if (!realpath(link, node))
		return -errno;
	if (strlen(node) >= len)
		return -ENAMETOOLONG;
	strcpy(dir, node);
	return 0;
}

/* The walk up from dir, already resolved; shown names the start in texts. */
static int mask_bits_in(char *dir, const char *shown, uint32_t *bits, char *src, size_t len)
{
	char path[PATH_MAX + 16], text[32], type[32];

	/* Stop below /sys/devices: the roots are buses, not DMA masters. */
	while (strlen(dir) > strlen("/sys/devices") && strchr(dir + 1, '/')) {
		snprintf(path, sizeof(path), "%s/dma_mask_bits", dir);
		if (read_small(path, text, sizeof(text)) == 0) {
			if (parse_bits(text, bits) < 0) {
				snprintf(src, len, "%s: unreadable value '%s'", path, text);
				return -EINVAL;
			}
			if (*bits < 64 && behind_translating_iommu(dir, type, sizeof(type))) {
				snprintf(src, len, "%s says %u, but the device is behind an IOMMU "
					 "(iommu_group type %s): memory may lie anywhere", path,
					 *bits, type);
				*bits = 64;
				return 0;
			}
			snprintf(src, len, "%s", path);
			return 0;
		}
		*strrchr(dir, '/') = '\0';
	}
	snprintf(src, len, "no dma_mask_bits in sysfs from %s up (the kernel publishes it "
		 "for PCI devices only)", shown);
	return -ENOENT;
}

int be_dma_mask_bits_at(const char *device_dir, uint32_t *bits, char *src, size_t len)
{
	char dir[PATH_MAX];

	if (!realpath(device_dir, dir)) {
		int err = errno;
		snprintf(src, len, "%s: %s", device_dir, strerror(err));
		return -err;
	}
	return mask_bits_in(dir, device_dir, bits, src, len);
}

int be_dma_mask_bits_of(const char *sysfs_dir, dev_t devnum, uint32_t *bits, char *src,
			size_t len)
{
	char dir[PATH_MAX], shown[64];

	snprintf(shown, sizeof(shown), "/sys/dev/char/%u:%u/device", major(devnum), minor(devnum));
	if (strlen(sysfs_dir) >= sizeof(dir))
		return -ENAMETOOLONG;
	strcpy(dir, sysfs_dir);
	return mask_bits_in(dir, shown, bits, src, len);
}

int be_dma_mask_bits(dev_t devnum, uint32_t *bits, char *src, size_t len)
{
	char dir[PATH_MAX];
	int ret = be_sysfs_device_dir(devnum, dir, sizeof(dir));

	if (ret < 0) {
		snprintf(src, len, "/sys/dev/char/%u:%u/device: %s", major(devnum), minor(devnum),
			 strerror(-ret));
		return ret;
	}
	return be_dma_mask_bits_of(dir, devnum, bits, src, len);
}
