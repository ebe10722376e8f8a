/* SPDX-License-Identifier: MIT */
/*
 * How many address bits a device's DMA reaches, as the kernel tells it in
 * sysfs. Shared by the device backends (each backend is its own .so and
 * compiles this file in; nothing here is exported).
 */
#ifndef LA_BACKEND_COMMON_DMA_MASK_H
#define LA_BACKEND_COMMON_DMA_MASK_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * The DMA address limit of the char device devnum: 0 with *bits (1..64) and
 * src naming the file it came from, or a negative errno with src saying
 * why nothing is known (-ENOENT: no device in sysfs exposes a mask).
 *
 * The kernel publishes a device's mask as `dma_mask_bits` on PCI devices
 * (drivers/pci/pci-sysfs.c); a DRM or V4L2 node's device is often a child
 * of the device doing the DMA (virtio-gpu's virtio device under its PCI
 * function), so the walk goes up from /sys/dev/char/M:m/device to the
 * first ancestor that has the file. Behind a translating IOMMU the mask
 * bounds I/O virtual addresses, not where memory may lie: *bits is then 64
 * and src says so.
 */
int be_dma_mask_bits(dev_t devnum, uint32_t *bits, char *src, size_t len);

/* Same, from a sysfs device folder (tests point it at a fake tree). */
int be_dma_mask_bits_at(const char *device_dir, uint32_t *bits, char *src, size_t len);
/* Same, from devnum's device folder already found by be_sysfs_device_dir. */
int be_dma_mask_bits_of(const char *sysfs_dir, dev_t devnum, uint32_t *bits, char *src,
			size_t len);

/*
 * The real folder of /sys/dev/char/M:m/device, the device the node hangs
 * off, with two readlink()s (realpath() would readlink every component, a
 * dozen system calls); 0 or a negative errno (-ENOENT: no sysfs).
 */
int be_sysfs_device_dir(dev_t devnum, char *dir, size_t len);
/* rel (a relative symlink target) applied to base, lexically; 0 or -errno. */
int be_path_join_rel(const char *base, const char *rel, char *out, size_t len);

#endif
