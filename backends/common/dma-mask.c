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

int be_dma_mask_bits_at(const char *device_dir, uint32_t *bits, char *src, size_t len)
{
	char dir[PATH_MAX], path[PATH_MAX + 16], text[32], type[32];

	if (!realpath(device_dir, dir)) {
		int err = errno;
		snprintf(src, len, "%s: %s", device_dir, strerror(err));
		return -err;
	}
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
		 "for PCI devices only)", device_dir);
	return -ENOENT;
}

int be_dma_mask_bits(dev_t devnum, uint32_t *bits, char *src, size_t len)
{
	char dir[64];

	snprintf(dir, sizeof(dir), "/sys/dev/char/%u:%u/device", major(devnum), minor(devnum));
	return be_dma_mask_bits_at(dir, bits, src, len);
}
