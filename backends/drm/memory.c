/* SPDX-License-Identifier: MIT */
/*
 * What memory a DRM device's own buffers are, learnt rather than assumed:
 *
 * - its DMA address limit, from the kernel's `dma_mask_bits` in sysfs
 *   (../common/dma-mask.c). Memory the device allocates for itself lies
 *   within that limit (the DMA API allocates within the device's mask), and
 *   a limit below 64 bits binds every buffer the device takes;
 * - how the driver maps its GEM objects for the CPU, from the table below:
 *   the kernel tells user space nothing about it, so each entry names the
 *   kernel source that decides it. A driver not in the table is taken as
 *   write-combined: claiming "cached" for memory that is not could skip a
 *   cache maintenance the device needs, the other mistake only costs speed.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>

#include "../common/dma-mask.h"
#include "drm-backend.h"

#define SHMEM_WC "drm_gem_shmem object with map_wc set"
#define DMA_HELPER "drivers/gpu/drm/drm_gem_dma_helper.c: drm_gem_dma_mmap() maps write-combined " \
		   "(dma_mmap_wc) unless map_noncoherent"

static const struct {
	const char *driver;
	uint32_t caching;
	const char *why;
} caching_table[] = {
	{"virtio_gpu", LA_CACHING_CACHED,
	 "drivers/gpu/drm/virtio/virtgpu_object.c: drm_gem_shmem objects without map_wc, "
	 "mapped write-back"},
	{"vgem", LA_CACHING_WRITECOMBINE,
	 "drivers/gpu/drm/vgem/vgem_drv.c: vgem_gem_create_object() sets map_wc "
	 "(no CPU-access ioctls, so maps must be coherent)"},
	{"v3d", LA_CACHING_WRITECOMBINE, "drivers/gpu/drm/v3d/v3d_bo.c: " SHMEM_WC},
	{"lima", LA_CACHING_WRITECOMBINE, "drivers/gpu/drm/lima/lima_gem.c: " SHMEM_WC},
	{"panfrost", LA_CACHING_WRITECOMBINE,
	 "drivers/gpu/drm/panfrost/panfrost_gem.c: " SHMEM_WC " (unless created write-back)"},
	{"contig_display", LA_CACHING_WRITECOMBINE,
	 "kernel/contig-display (liballoc's test display): dma_alloc_wc + dma_mmap_wc, "
	 "as the GEM DMA helper"},
	{"sun4i-drm", LA_CACHING_WRITECOMBINE, DMA_HELPER},
	{"mxsfb-drm", LA_CACHING_WRITECOMBINE, DMA_HELPER},
	{"imx-lcdif", LA_CACHING_WRITECOMBINE, DMA_HELPER},
	{"tidss", LA_CACHING_WRITECOMBINE, DMA_HELPER},
	{"meson", LA_CACHING_WRITECOMBINE, DMA_HELPER},
	{"stm", LA_CACHING_WRITECOMBINE, DMA_HELPER},
	{"pl111", LA_CACHING_WRITECOMBINE, DMA_HELPER},
	{"hdlcd", LA_CACHING_WRITECOMBINE, DMA_HELPER},
	{"rcar-du", LA_CACHING_WRITECOMBINE, DMA_HELPER},
};

uint32_t drm_driver_caching(const char *driver, const char **reason)
{
	for (size_t i = 0; i < sizeof(caching_table) / sizeof(caching_table[0]); i++) {
		if (strcmp(caching_table[i].driver, driver) == 0) {
			*reason = caching_table[i].why;
			return caching_table[i].caching;
		}
	}
	*reason = "driver not in liballoc's table: assumed write-combined "
		  "(claiming cached could skip a needed sync)";
	return LA_CACHING_WRITECOMBINE;
}

void drm_dev_learn_memory(struct drm_dev *dev)
{
	uint32_t bits = 0;
	int ret;

	dev->caching = drm_driver_caching(dev->driver, &dev->caching_reason);
	drm_dbg(dev, "CPU maps %s: %s", la_caching_name(dev->caching), dev->caching_reason);
	/* found once: the DMA limit and the layout domain both start there */
	ret = be_sysfs_device_dir(dev->devnum, dev->sysfs_dir, sizeof(dev->sysfs_dir));
	if (ret < 0) {
		dev->sysfs_dir[0] = '\0';
		snprintf(dev->dma_reason, sizeof(dev->dma_reason), "/sys/dev/char/%u:%u/device: %s",
			 major(dev->devnum), minor(dev->devnum), strerror(-ret));
	} else {
		ret = be_dma_mask_bits_of(dev->sysfs_dir, dev->devnum, &bits, dev->dma_reason,
					  sizeof(dev->dma_reason));
	}
	if (ret < 0) {
		dev->dma_bits = 0;
		drm_dbg(dev, "DMA limit unknown: %s", dev->dma_reason);
		return;
	}
	dev->dma_bits = bits < 64 ? bits : 0;
	drm_dbg(dev, "DMA addresses: %u bits (%s)", bits, dev->dma_reason);
}

/*
 * The card and render nodes of one GPU are one device with two device
 * numbers: what decides an implicit layout is the driver on that device,
 * so the key is the sysfs device both nodes hang off (found at probe).
 * Too long a path is folded into a hash (FNV-1a, 64 bits).
 */
void drm_dev_layout_domain(struct drm_dev *dev, char *key, size_t len)
{
	const char *dir = dev->sysfs_dir;
	uint64_t h = 0xcbf29ce484222325ull;

	if (!dir[0])
		return; /* no sysfs: this node only */
	if ((size_t)snprintf(key, len, "drm:%s:%s", dev->driver, dir) < len)
		return;
	for (const char *c = dir; *c; c++)
		h = (h ^ (uint8_t)*c) * 0x100000001b3ull;
	snprintf(key, len, "drm:%s:%016llx", dev->driver, (unsigned long long)h);
}
