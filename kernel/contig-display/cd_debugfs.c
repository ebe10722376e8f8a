// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/kernel/debug/contig_display/: "scanout" (what the primary plane
 * shows: framebuffer, format, DMA addresses, a checksum of the first lines
 * of each plane) and "stats" (counters for tests). Formats in README.md.
 */
#include <linux/debugfs.h>
#include <linux/dma-buf.h>
#include <linux/iosys-map.h>
#include <linux/seq_file.h>
#include <drm/drm_fourcc.h>
#include <drm/drm_framebuffer.h>
#include <drm/drm_gem_framebuffer_helper.h>
#include <drm/drm_modeset_lock.h>

#include "contig_display.h"

#define FNV1A32_INIT 0x811c9dc5u
#define FNV1A32_PRIME 0x01000193u

static u32 fnv1a32(u32 h, const u8 *p, size_t n)
{
	while (n--) {
		h ^= *p++;
		h *= FNV1A32_PRIME;
	}
	return h;
}

static void cd_show_checksums(struct seq_file *m, struct drm_framebuffer *fb)
{
	const struct drm_format_info *info = fb->format;
	struct iosys_map map[DRM_FORMAT_MAX_PLANES], data[DRM_FORMAT_MAX_PLANES];
	int ret, i;

	ret = drm_gem_fb_vmap(fb, map, data);
	if (ret) {
		seq_printf(m, "checksum_error: vmap %d\n", ret);
		return;
	}
	ret = drm_gem_fb_begin_cpu_access(fb, DMA_FROM_DEVICE);
	if (ret) {
		seq_printf(m, "checksum_error: begin_cpu_access %d\n", ret);
		goto out;
	}
	seq_printf(m, "checksum_lines: %u\n", cd_checksum_lines);
	for (i = 0; i < info->num_planes; i++) {
		unsigned int w = drm_format_info_plane_width(info, fb->width, i);
		unsigned int h = drm_format_info_plane_height(info, fb->height, i);
		unsigned int lines = min(h, cd_checksum_lines), y;
		const u8 *p = data[i].vaddr;
		u32 sum = FNV1A32_INIT;

		if (data[i].is_iomem || !p) {
			seq_printf(m, "plane%d_fnv1a32: none\n", i);
			continue;
		}
		for (y = 0; y < lines; y++)
			sum = fnv1a32(sum, p + (size_t)y * fb->pitches[i], (size_t)w * info->cpp[i]);
		seq_printf(m, "plane%d_fnv1a32: 0x%08x\n", i, sum);
	}
	drm_gem_fb_end_cpu_access(fb, DMA_FROM_DEVICE);
out:
	drm_gem_fb_vunmap(fb, map);
}

static int cd_scanout_show(struct seq_file *m, void *unused)
{
	struct cd_device *cd = m->private;
	struct drm_plane *plane = &cd->pipe.plane;
	struct drm_framebuffer *fb;
	bool active, all_below = true;
	int i;

	/* The plane's and its CRTC's committed state, read together. */
	drm_modeset_lock_all(&cd->drm);
	fb = plane->state->fb;
	active = plane->state->crtc && plane->state->crtc->state->active;
	if (fb)
		drm_framebuffer_get(fb);
	drm_modeset_unlock_all(&cd->drm);

	seq_printf(m, "active: %d\n", active);
	seq_printf(m, "fb: %u\n", fb ? fb->base.id : 0);
	if (!fb)
		return 0;
	seq_printf(m, "format: %p4cc\n", &fb->format->format);
	seq_printf(m, "modifier: 0x%llx\n", fb->modifier);
	seq_printf(m, "size: %ux%u\n", fb->width, fb->height);
	seq_printf(m, "planes: %d\n", fb->format->num_planes);
	for (i = 0; i < fb->format->num_planes; i++) {
		struct cd_gem *bo = to_cd_gem(drm_gem_fb_get_obj(fb, i));
		u64 dma = (u64)bo->dma_addr + fb->offsets[i];
		u64 end = (u64)bo->dma_addr + bo->base.size - 1;

		all_below &= end <= U32_MAX;
		seq_printf(m, "plane%d: pitch %u offset %u dma 0x%llx source %s\n", i,
			   fb->pitches[i], fb->offsets[i], dma,
			   bo->base.import_attach ? "import" : "own");
	}
	seq_printf(m, "below_4g: %d\n", all_below);
	cd_show_checksums(m, fb);
	drm_framebuffer_put(fb);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(cd_scanout);

static int cd_stats_show(struct seq_file *m, void *unused)
{
	seq_printf(m, "gem_objects: %d\n", atomic_read(&cd_stats.gem_objects));
	seq_printf(m, "gem_bytes: %lld\n", (long long)atomic64_read(&cd_stats.gem_bytes));
	seq_printf(m, "alloc_enomem: %d\n", atomic_read(&cd_stats.alloc_enomem));
	seq_printf(m, "imports: %d\n", atomic_read(&cd_stats.imports));
	seq_printf(m, "imports_self: %d\n", atomic_read(&cd_stats.imports_self));
	seq_printf(m, "imports_accepted: %d\n", atomic_read(&cd_stats.imports_accepted));
	seq_printf(m, "imports_failed: %d\n", atomic_read(&cd_stats.imports_failed));
	seq_printf(m, "imports_refused_scattered: %d\n", atomic_read(&cd_stats.imports_scattered));
	seq_printf(m, "imports_refused_above_mask: %d\n",
		   atomic_read(&cd_stats.imports_above_mask));
	seq_printf(m, "flips: %d\n", atomic_read(&cd_stats.flips));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(cd_stats);

void cd_debugfs_init(struct cd_device *cd)
{
	cd->debugfs = debugfs_create_dir(CD_NAME, NULL);
	debugfs_create_file("scanout", 0444, cd->debugfs, cd, &cd_scanout_fops);
	debugfs_create_file("stats", 0444, cd->debugfs, cd, &cd_stats_fops);
}

void cd_debugfs_fini(struct cd_device *cd)
{
	debugfs_remove_recursive(cd->debugfs);
}
