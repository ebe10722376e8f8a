/* SPDX-License-Identifier: GPL-2.0 */
/*
 * contig_display.ko: a test DRM display that, like SoC display engines,
 * scans out only physically contiguous memory within its DMA mask.
 */
#ifndef CONTIG_DISPLAY_H
#define CONTIG_DISPLAY_H

#include <linux/atomic.h>
#include <linux/dma-mapping.h>
#include <drm/drm_connector.h>
#include <drm/drm_device.h>
#include <drm/drm_gem.h>
#include <drm/drm_simple_kms_helper.h>

#define CD_NAME "contig_display"

/* Counters the tests read in debugfs ("stats"). */
struct cd_stats {
	atomic_t gem_objects;		/* live GEM objects, ours and imported */
	atomic64_t gem_bytes;		/* live bytes of our own allocations */
	atomic_t alloc_enomem;		/* allocations refused with ENOMEM */
	atomic_t imports;		/* gem_prime_import calls */
	atomic_t imports_self;		/* ... that were our own dma-bufs */
	atomic_t imports_accepted;	/* ... foreign, accepted */
	atomic_t imports_scattered;	/* ... refused: not contiguous */
	atomic_t imports_above_mask;	/* ... refused: memory beyond the DMA mask */
	atomic_t imports_failed;	/* every refused or failed import */
	atomic_t flips;			/* plane updates with a framebuffer */
};

struct cd_device {
	struct drm_device drm;
	struct drm_simple_display_pipe pipe;
	struct drm_connector connector;
	struct dentry *debugfs;
};

/* A GEM object: our own dma_alloc_attrs() memory or an imported dma-buf
 * whose mapping for our device is one contiguous DMA range. */
struct cd_gem {
	struct drm_gem_object base;
	void *vaddr;		/* own memory only */
	dma_addr_t dma_addr;	/* start of the contiguous DMA range */
	struct sg_table *sgt;	/* imports only: the exporter's mapping */
	bool linear_wc;		/* x86: linear map switched to WC */
};

static inline struct cd_gem *to_cd_gem(struct drm_gem_object *obj)
{
	return container_of(obj, struct cd_gem, base);
}

static inline struct cd_device *to_cd(struct drm_device *drm)
{
	return container_of(drm, struct cd_device, drm);
}

extern struct cd_stats cd_stats;
extern unsigned int cd_max_order;
extern unsigned int cd_pitch_align;
extern unsigned int cd_checksum_lines;

/* cd_gem.c */
int cd_dumb_create(struct drm_file *file, struct drm_device *drm,
		   struct drm_mode_create_dumb *args);
struct drm_gem_object *cd_prime_import(struct drm_device *drm, struct dma_buf *buf);
struct drm_gem_object *cd_prime_import_sg_table(struct drm_device *drm,
						struct dma_buf_attachment *attach,
						struct sg_table *sgt);

/* cd_kms.c */
int cd_kms_init(struct cd_device *cd);
void cd_kms_probe_modes(struct cd_device *cd);

/* cd_debugfs.c */
void cd_debugfs_init(struct cd_device *cd);
void cd_debugfs_fini(struct cd_device *cd);

#endif
