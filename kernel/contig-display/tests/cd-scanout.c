// SPDX-License-Identifier: GPL-2.0
/*
 * contig_display's own memory on its display: dma_mask_bits found as user
 * space finds a PCI GPU's; dumb buffers (pitch, the contiguous limit,
 * ENOMEM past it), write-combined mapping, AddFB2, an atomic modeset and a
 * page flip whose event arrives, and debugfs reporting that framebuffer,
 * its DMA address below 4 GiB and the
 * checksum of the pixels written. XRGB8888 and NV12 (two planes).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <drm_fourcc.h>
#include <xf86drm.h>
#include <xf86drmMode.h>

#include "cd-util.h"
#include "kms.h"
#include "testlib.h"
#include "vmtest.h"

/* As user space does for any GPU: /sys/dev/char/M:m/device, then its
 * parents, up to the first dma_mask_bits. */
static int dma_mask_bits(const char *node)
{
	struct stat st;
	char dir[512], file[600], real[512];
	int bits = -1;

	if (stat(node, &st) != 0)
		return -1;
	snprintf(dir, sizeof(dir), "/sys/dev/char/%u:%u/device", major(st.st_rdev),
		 minor(st.st_rdev));
	if (!realpath(dir, real))
		return -1;
	while (bits < 0 && strlen(real) > strlen("/sys/devices")) {
		FILE *f;

		snprintf(file, sizeof(file), "%s/dma_mask_bits", real);
		f = fopen(file, "r");
		if (f) {
			if (fscanf(f, "%d", &bits) != 1)
				bits = -1;
			fclose(f);
			vm_note("%s: %d", file, bits);
			break;
		}
		*strrchr(real, '/') = '\0';
	}
	return bits;
}

static void fill(uint8_t *map, uint32_t pitch, uint32_t bytes, uint32_t lines, uint32_t seed)
{
	for (uint32_t y = 0; y < lines; y++)
		for (uint32_t x = 0; x < bytes; x++)
			map[(size_t)y * pitch + x] = (uint8_t)((x * 7 + y * 13 + seed) ^ (x >> 8));
}

static uint64_t hexval(const char *s, const char *key)
{
	const char *p = strstr(s, key);

	return p ? strtoull(p + strlen(key), NULL, 0) : UINT64_MAX;
}

/* debugfs "scanout" shows fb with these planes, below 4 GiB, and the
 * checksums of the pixels at maps[i] (pitch[i], bytes[i] per line, lines[i]). */
static void check_scanout(uint32_t fb, const char *fourcc, uint32_t w, uint32_t h, int planes,
			  uint8_t *const maps[], const uint32_t pitch[], const uint32_t bytes[],
			  const uint32_t lines[])
{
	char v[256], key[32], want[64];
	unsigned int n = 0;

	vm_check(cd_debugfs_get("scanout", "fb", v, sizeof(v)) == 0 && strtoul(v, NULL, 10) == fb,
		 "debugfs scanout: fb %s (want %u)", v, fb);
	vm_check(cd_debugfs_get("scanout", "active", v, sizeof(v)) == 0 && strcmp(v, "1") == 0,
		 "debugfs scanout: active %s", v);
	vm_check(cd_debugfs_get("scanout", "format", v, sizeof(v)) == 0 &&
		 strncmp(v, fourcc, 4) == 0, "debugfs scanout: format %s (want %s)", v, fourcc);
	snprintf(want, sizeof(want), "%ux%u", w, h);
	vm_check(cd_debugfs_get("scanout", "size", v, sizeof(v)) == 0 && strcmp(v, want) == 0,
		 "debugfs scanout: size %s (want %s)", v, want);
	vm_check(cd_debugfs_get("scanout", "below_4g", v, sizeof(v)) == 0 && strcmp(v, "1") == 0,
		 "debugfs scanout: below_4g %s", v);
	if (cd_debugfs_get("scanout", "checksum_lines", v, sizeof(v)) == 0)
		n = (unsigned int)strtoul(v, NULL, 10);
	vm_check(n > 0, "debugfs scanout: checksum_lines %u", n);
	for (int i = 0; i < planes; i++) {
		uint64_t dma;
		uint32_t sum, got;

		snprintf(key, sizeof(key), "plane%d", i);
		if (!vm_check(cd_debugfs_get("scanout", key, v, sizeof(v)) == 0, "%s: %s", key, v))
			continue;
		dma = hexval(v, " dma ");
		vm_check(hexval(v, "pitch ") == pitch[i], "%s pitch %" PRIu64 " (want %u)", key,
			 hexval(v, "pitch "), pitch[i]);
		vm_check(dma + (uint64_t)pitch[i] * lines[i] <= CD_4G,
			 "%s DMA address 0x%" PRIx64 " below 4 GiB", key, dma);
		snprintf(key, sizeof(key), "plane%d_fnv1a32", i);
		sum = cd_fnv1a32(maps[i], pitch[i], bytes[i], n < lines[i] ? n : lines[i]);
		got = cd_debugfs_get("scanout", key, v, sizeof(v)) == 0 ? (uint32_t)strtoul(v, NULL, 0)
									 : ~sum;
		vm_check(got == sum, "%s: debugfs 0x%08x, computed 0x%08x", key, got, sum);
	}
}

static int commit_fb(int fd, const struct vm_kms_pipe *p, uint32_t fb, uint32_t flags)
{
	uint32_t fb_prop = vm_kms_prop(fd, p->plane, DRM_MODE_OBJECT_PLANE, "FB_ID", NULL);
	drmModeAtomicReq *req = drmModeAtomicAlloc();
	int ret;

	drmModeAtomicAddProperty(req, p->plane, fb_prop, fb);
	ret = drmModeAtomicCommit(fd, req, flags, NULL) ? -errno : 0;
	drmModeAtomicFree(req);
	return ret;
}

/* Shows fb with a modeset, then fb2 with a non-blocking flip and event. */
static void show(int fd, const struct vm_kms_pipe *p, uint32_t fb, uint32_t fb2)
{
	uint32_t blob;
	drmModeAtomicReq *req = vm_kms_modeset(fd, p, fb, &blob);
	long long flips = cd_stat("flips");
	int ret = drmModeAtomicCommit(fd, req, DRM_MODE_ATOMIC_ALLOW_MODESET, NULL) ? -errno : 0;

	drmModeAtomicFree(req);
	drmModeDestroyPropertyBlob(fd, blob);
	vm_check(ret == 0, "atomic modeset with fb %u: %s", fb, strerror(-ret));
	ret = commit_fb(fd, p, fb2, DRM_MODE_ATOMIC_NONBLOCK | DRM_MODE_PAGE_FLIP_EVENT);
	vm_check(ret == 0, "atomic flip to fb %u with DRM_MODE_PAGE_FLIP_EVENT: %s", fb2,
		 strerror(-ret));
	vm_check(ret == 0 && cd_wait_flip(fd, 2000), "flip event received");
	vm_check(cd_stat("flips") >= flips + 2, "debugfs flips counted the modeset and the flip");
}

static void off(int fd, const struct vm_kms_pipe *p)
{
	drmModeAtomicReq *req = drmModeAtomicAlloc();
	const struct {
		uint32_t obj, type;
		const char *name;
	} props[] = {{p->plane, DRM_MODE_OBJECT_PLANE, "FB_ID"},
		     {p->plane, DRM_MODE_OBJECT_PLANE, "CRTC_ID"},
		     {p->crtc, DRM_MODE_OBJECT_CRTC, "MODE_ID"},
		     {p->crtc, DRM_MODE_OBJECT_CRTC, "ACTIVE"},
		     {p->conn, DRM_MODE_OBJECT_CONNECTOR, "CRTC_ID"}};

	for (size_t i = 0; i < sizeof(props) / sizeof(props[0]); i++)
		drmModeAtomicAddProperty(req, props[i].obj,
					 vm_kms_prop(fd, props[i].obj, props[i].type, props[i].name,
						     NULL), 0);
	int ret = drmModeAtomicCommit(fd, req, DRM_MODE_ATOMIC_ALLOW_MODESET, NULL) ? -errno : 0;

	vm_check(ret == 0, "display switched off: %s", strerror(-ret));
	drmModeAtomicFree(req);
}

static void xrgb(int fd, const struct vm_kms_pipe *p)
{
	uint32_t w = p->mode.hdisplay, h = p->mode.vdisplay, handle[2], pitch[2], fb[2];
	uint64_t size[2];
	uint8_t *map[2];

	for (int i = 0; i < 2; i++) {
		int ret = cd_dumb(fd, w, h, 32, &handle[i], &pitch[i], &size[i], &map[i]);

		if (ret < 0)
			vm_fatal("dumb buffer %ux%u: %s", w, h, strerror(-ret));
		vm_check(pitch[i] == w * 4, "dumb pitch %u = width * 4 (pitch_align 1)", pitch[i]);
		fill(map[i], pitch[i], w * 4, h, 17 * (uint32_t)i);
		if (drmModeAddFB2(fd, w, h, DRM_FORMAT_XRGB8888, (uint32_t[4]){handle[i]},
				  (uint32_t[4]){pitch[i]}, (uint32_t[4]){0}, &fb[i], 0) != 0)
			vm_fatal("AddFB2 XRGB8888: %s", strerror(errno));
	}
	show(fd, p, fb[0], fb[1]);
	check_scanout(fb[1], "XR24", w, h, 1, (uint8_t *const[]){map[1]}, (uint32_t[]){pitch[1]},
		      (uint32_t[]){w * 4}, (uint32_t[]){h});
	/* Pixels written after the flip are what the engine reads next. */
	map[1][0] ^= 0xff;
	check_scanout(fb[1], "XR24", w, h, 1, (uint8_t *const[]){map[1]}, (uint32_t[]){pitch[1]},
		      (uint32_t[]){w * 4}, (uint32_t[]){h});
	off(fd, p);
	for (int i = 0; i < 2; i++) {
		drmModeRmFB(fd, fb[i]);
		cd_dumb_free(fd, handle[i], map[i], size[i]);
	}
}

/* NV12 in one dumb buffer: Y then interleaved CbCr. */
static void nv12(int fd, const struct vm_kms_pipe *p)
{
	uint32_t w = p->mode.hdisplay, h = p->mode.vdisplay, handle, pitch, fb[2] = {0, 0};
	uint64_t size;
	uint8_t *map;
	int ret = cd_dumb(fd, w, h * 3 / 2, 8, &handle, &pitch, &size, &map);
	uint32_t off1 = pitch * h;

	if (!vm_check(ret == 0, "NV12 dumb buffer %ux%u: %s", w, h * 3 / 2, strerror(-ret)))
		return;
	fill(map, pitch, w, h, 3);
	fill(map + off1, pitch, w, h / 2, 5);
	for (int i = 0; i < 2; i++)
		if (drmModeAddFB2(fd, w, h, DRM_FORMAT_NV12, (uint32_t[4]){handle, handle},
				  (uint32_t[4]){pitch, pitch}, (uint32_t[4]){0, off1}, &fb[i], 0))
			vm_fatal("AddFB2 NV12: %s", strerror(errno));
	show(fd, p, fb[0], fb[1]);
	check_scanout(fb[1], "NV12", w, h, 2, (uint8_t *const[]){map, map + off1},
		      (uint32_t[]){pitch, pitch}, (uint32_t[]){w, w}, (uint32_t[]){h, h / 2});
	off(fd, p);
	drmModeRmFB(fd, fb[0]);
	drmModeRmFB(fd, fb[1]);
	cd_dumb_free(fd, handle, map, size);
}

/* Without CMA the largest buffer is one buddy block: 4 MiB. */
static void limits(int fd)
{
	uint32_t handle, pitch;
	uint64_t size;
	long long enomem = cd_stat("alloc_enomem");
	int ret = cd_dumb(fd, 1024, 1024, 32, &handle, &pitch, &size, NULL);

	vm_check(ret == 0 && size == 4u << 20, "1024x1024 XRGB8888 (4 MiB, the limit): %s",
		 strerror(-ret));
	if (ret == 0)
		cd_dumb_free(fd, handle, NULL, size);
	ret = cd_dumb(fd, 1024, 1025, 32, &handle, &pitch, &size, NULL);
	vm_check(ret == -ENOMEM, "1024x1025 XRGB8888 (4 MiB + 4 KiB): %s (want ENOMEM)",
		 strerror(-ret));
	ret = cd_dumb(fd, 1920, 1080, 32, &handle, &pitch, &size, NULL);
	vm_check(ret == -ENOMEM, "1920x1080 XRGB8888 (7.9 MiB): %s (want ENOMEM)", strerror(-ret));
	vm_check(cd_stat("alloc_enomem") == enomem + 2, "debugfs alloc_enomem counted both");
	ret = cd_dumb(fd, 1920, 1080, 16, &handle, &pitch, &size, NULL);
	vm_check(ret == 0, "1920x1080 RGB565 (3.96 MiB): %s", strerror(-ret));
	if (ret == 0)
		cd_dumb_free(fd, handle, NULL, size);
}

int main(void)
{
	char node[64];
	int fd = cd_open_card(node, sizeof(node)), before = tl_fd_count();
	long long objects = cd_stat("gem_objects");
	struct vm_kms_pipe p;

	vm_check(dma_mask_bits(node) == 32, "%s: dma_mask_bits 32 through /sys/dev/char", node);
	if (drmSetClientCap(fd, DRM_CLIENT_CAP_ATOMIC, 1) != 0)
		vm_fatal("DRM_CLIENT_CAP_ATOMIC: %s", strerror(errno));
	vm_kms_pick(fd, &p);
	vm_check(p.mode.hdisplay == 1024 && p.mode.vdisplay == 768, "preferred mode %s",
		 p.mode.name);
	xrgb(fd, &p);
	nv12(fd, &p);
	limits(fd);
	vm_check(cd_stat("gem_objects") == objects, "debugfs gem_objects back to %lld", objects);
	vm_check_fds(before, "the tests");
	close(fd);
	return vm_exit_status();
}
