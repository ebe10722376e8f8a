// SPDX-License-Identifier: GPL-2.0
/*
 * PRIME into and out of contig_display. In a guest with more than 4 GiB
 * of RAM (swiotlb active): a scattered udmabuf is refused (EINVAL); one-page
 * system-heap buffers are taken when their page lies below 4 GiB and
 * refused (EIO, not bounced) when above, as swiotlb witnesses; one-page
 * udmabufs likewise, as /proc/self/pagemap shows. In a smaller guest every
 * one-page buffer is taken;
 * a contiguous camera buffer below 4 GiB (vivid on videobuf2-dma-contig,
 * MMAP + EXPBUF, one frame captured) is taken and scanned out through
 * AddFB2 over the imported handle, debugfs naming it and its checksum;
 * our own dumb buffer exports into vgem and back into ourselves.
 * Every import attempt is counted in debugfs "stats".
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <drm_fourcc.h>
#include <linux/dma-buf.h>
#include <linux/udmabuf.h>
#include <xf86drm.h>
#include <xf86drmMode.h>

#include "cd-util.h"
#include "kms.h"
#include "testlib.h"
#include "vivid.h"
#include "vmtest.h"

#define HEAP_TRIES 64

struct counts {
	long long imports, accepted, failed, scattered, above, self, objects;
};

static struct counts counts(void)
{
	return (struct counts){cd_stat("imports"), cd_stat("imports_accepted"),
			       cd_stat("imports_failed"), cd_stat("imports_refused_scattered"),
			       cd_stat("imports_refused_above_mask"), cd_stat("imports_self"),
			       cd_stat("gem_objects")};
}

static int import(int fd, int dmabuf, uint32_t *handle)
{
	return drmPrimeFDToHandle(fd, dmabuf, handle) ? -errno : 0;
}

static void scattered(int fd, int klog)
{
	struct counts c0 = counts(), c1;
	int buf = cd_scattered_udmabuf(), ret;
	uint32_t handle;

	if (buf < 0)
		vm_fatal("scattered udmabuf: %s", strerror(-buf));
	ret = import(fd, buf, &handle);
	vm_check(ret == -EINVAL, "scattered udmabuf (one page twice): %s (want EINVAL)",
		 strerror(-ret));
	c1 = counts();
	vm_check(c1.imports == c0.imports + 1 && c1.scattered == c0.scattered + 1 &&
		 c1.failed == c0.failed + 1 && c1.above == c0.above,
		 "debugfs: one import attempt, refused as scattered");
	vm_check(tl_klog_count(klog, "import refused: scattered") == 1,
		 "the kernel log (drm.debug) says why");
	close(buf);
}

#define HIWATER "/sys/kernel/debug/swiotlb/io_tlb_used_hiwater"

/* swiotlb's high-water mark of used slots, reset to 0 after reading. */
static long swiotlb_hiwater(void)
{
	long v = -1;
	FILE *f = fopen(HIWATER, "r+");

	if (f) {
		if (fscanf(f, "%ld", &v) != 1)
			v = -1;
		rewind(f);
		fputs("0\n", f);
		fclose(f);
	}
	return v;
}

/*
 * One-page system-heap buffers until one lies above 4 GiB (the page
 * allocator serves ZONE_NORMAL, above 4 GiB here, first). Their mappings
 * are PFN maps, which /proc/self/pagemap does not show; swiotlb is the
 * witness instead: the exporter's dma_map for our 32-bit device bounces
 * exactly the pages beyond the mask. Each buffer is taken exactly when
 * swiotlb was not used for it. A single page is contiguous, so a refusal
 * can only come from the mask check.
 */
static void heap_pages(int fd, int klog)
{
	int bufs[HEAP_TRIES], n = 0, above = 0, below = 0;

	if (swiotlb_hiwater() < 0)
		vm_fatal(HIWATER ": %s (swiotlb not active: is the guest above 4 GiB?)",
			 strerror(errno));
	for (; n < HEAP_TRIES && !above; n++) {
		struct counts c0 = counts(), c1;
		uint32_t handle;
		long bounced;
		int ret;

		bufs[n] = tl_heap_alloc(4096);
		if (bufs[n] < 0)
			vm_fatal("system heap, 4096 bytes: %s", strerror(-bufs[n]));
		swiotlb_hiwater();
		ret = import(fd, bufs[n], &handle);
		bounced = swiotlb_hiwater();
		c1 = counts();
		if (bounced > 0) {
			above++;
			vm_check(ret == -EIO && c1.above == c0.above + 1,
				 "system-heap page bounced by swiotlb (beyond 4 GiB): %s (want EIO,"
				 " counted as above the mask)", strerror(-ret));
		} else {
			below++;
			vm_check(ret == 0 && c1.accepted == c0.accepted + 1,
				 "system-heap page not bounced (below 4 GiB): %s (want taken)",
				 strerror(-ret));
			if (ret == 0)
				drmCloseBufferHandle(fd, handle);
		}
	}
	vm_check(above > 0, "%d one-page system-heap buffers, %d above 4 GiB, %d below", n, above,
		 below);
	vm_check(tl_klog_count(klog, "beyond the 32-bit DMA mask") == above,
		 "the kernel log (drm.debug) names the mask for each refusal");
	while (n--)
		close(bufs[n]);
}

/* A guest below 4 GiB: every one-page system-heap buffer is taken. */
static void heap_pages_low(int fd)
{
	for (int i = 0; i < 4; i++) {
		struct counts c0 = counts(), c1;
		int buf = tl_heap_alloc(4096), ret;
		uint32_t handle;

		if (buf < 0)
			vm_fatal("system heap, 4096 bytes: %s", strerror(-buf));
		ret = import(fd, buf, &handle);
		c1 = counts();
		vm_check(ret == 0 && c1.accepted == c0.accepted + 1 && c1.objects == c0.objects + 1,
			 "one-page system-heap buffer (all memory below 4 GiB) taken: %s",
			 strerror(-ret));
		if (ret == 0)
			drmCloseBufferHandle(fd, handle);
		close(buf);
	}
}

/* A one-page udmabuf: its memfd page's address is in /proc/self/pagemap. */
static void udmabuf_page(int fd, int klog)
{
	struct udmabuf_create create = {.flags = UDMABUF_FLAGS_CLOEXEC, .size = 4096};
	int memfd = memfd_create("cd-page", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	int dev = open("/dev/udmabuf", O_RDWR | O_CLOEXEC), buf, ret;
	struct counts c0 = counts(), c1;
	uint64_t phys = UINT64_MAX;
	uint32_t handle;
	char *map;

	if (memfd < 0 || dev < 0 || ftruncate(memfd, 4096) != 0 ||
	    fcntl(memfd, F_ADD_SEALS, F_SEAL_SHRINK) != 0)
		vm_fatal("memfd and /dev/udmabuf: %s", strerror(errno));
	create.memfd = (uint32_t)memfd;
	map = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
	if (map == MAP_FAILED)
		vm_fatal("mmap of the memfd: %s", strerror(errno));
	map[0] = 1;
	buf = ioctl(dev, UDMABUF_CREATE, &create);
	if (buf < 0)
		vm_fatal("UDMABUF_CREATE: %s", strerror(errno));
	phys = cd_phys(map); /* the page udmabuf pinned */
	if (phys == UINT64_MAX)
		vm_fatal("no physical address in /proc/self/pagemap");
	ret = import(fd, buf, &handle);
	c1 = counts();
	if (phys >= CD_4G)
		vm_check(ret == -EIO && c1.above == c0.above + 1 &&
			 tl_klog_count(klog, "beyond the 32-bit DMA mask") == 1,
			 "one-page udmabuf at 0x%" PRIx64 " (above 4 GiB): %s (want EIO, the"
			 " mask named in the log)", phys, strerror(-ret));
	else
		vm_check(ret == 0 && c1.accepted == c0.accepted + 1,
			 "one-page udmabuf at 0x%" PRIx64 " (below 4 GiB): %s (want taken)", phys,
			 strerror(-ret));
	if (ret == 0)
		drmCloseBufferHandle(fd, handle);
	munmap(map, 4096);
	close(buf);
	close(dev);
	close(memfd);
}

/* A mode of w x h on the connector, else exits. */
static void pick_mode(int fd, struct vm_kms_pipe *p, uint32_t w, uint32_t h)
{
	drmModeConnector *c = drmModeGetConnector(fd, p->conn);
	bool found = false;

	for (int i = 0; c && i < c->count_modes && !found; i++)
		if (c->modes[i].hdisplay == w && c->modes[i].vdisplay == h) {
			p->mode = c->modes[i];
			found = true;
		}
	drmModeFreeConnector(c);
	if (!found)
		vm_fatal("no %ux%u mode", w, h);
}

/* vivid instance 0 (videobuf2-dma-contig) captures one frame into its own
 * MMAP buffer; the buffer's dma-buf (EXPBUF), or exits. */
static int camera_frame(struct vm_vivid *v)
{
	struct v4l2_requestbuffers rb = {.count = 1, .type = V4L2_BUF_TYPE_VIDEO_CAPTURE,
					 .memory = V4L2_MEMORY_MMAP};
	struct v4l2_buffer b = {.type = V4L2_BUF_TYPE_VIDEO_CAPTURE, .memory = V4L2_MEMORY_MMAP};
	struct v4l2_exportbuffer e = {.type = V4L2_BUF_TYPE_VIDEO_CAPTURE, .flags = O_RDWR};
	int type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	struct pollfd pfd = {.events = POLLIN};

	if (vm_vivid_open(0, 640, 480, v) != 0)
		vm_fatal("vivid instance 0 at 640x480 XBGR32");
	pfd.fd = v->fd;
	if (vm_vivid_contig(v->fd) != 1)
		vm_fatal("vivid instance 0 is not on videobuf2-dma-contig (vivid.allocators=1)");
	if (tl_xioctl(v->fd, VIDIOC_REQBUFS, &rb) < 0 || rb.count < 1 ||
	    tl_xioctl(v->fd, VIDIOC_EXPBUF, &e) < 0 || tl_xioctl(v->fd, VIDIOC_QBUF, &b) < 0 ||
	    tl_xioctl(v->fd, VIDIOC_STREAMON, &type) < 0 || poll(&pfd, 1, 20000) != 1 ||
	    tl_xioctl(v->fd, VIDIOC_DQBUF, &b) < 0 || tl_xioctl(v->fd, VIDIOC_STREAMOFF, &type) < 0)
		vm_fatal("vivid MMAP capture and EXPBUF: %s", strerror(errno));
	return e.fd;
}

static void show_fb(int fd, const struct vm_kms_pipe *p, uint32_t fb)
{
	uint32_t blob;
	drmModeAtomicReq *req = vm_kms_modeset(fd, p, fb, &blob);
	int ret = drmModeAtomicCommit(fd, req, DRM_MODE_ATOMIC_ALLOW_MODESET |
				      DRM_MODE_PAGE_FLIP_EVENT, NULL) ? -errno : 0;

	drmModeAtomicFree(req);
	drmModeDestroyPropertyBlob(fd, blob);
	vm_check(ret == 0, "atomic modeset showing imported fb %u: %s", fb, strerror(-ret));
	vm_check(ret == 0 && cd_wait_flip(fd, 2000), "its event received");
}

static void camera(int fd)
{
	struct vm_vivid v;
	int buf = camera_frame(&v), ret;
	const struct v4l2_pix_format *pix = &v.fmt.fmt.pix;
	size_t len = pix->sizeimage;
	uint8_t *map = mmap(NULL, len, PROT_READ, MAP_SHARED, buf, 0);
	struct counts c0 = counts(), c1;
	uint64_t dma = 0;
	uint32_t handle = 0, fb = 0, sum, got = 0;
	struct vm_kms_pipe p;
	char val[256], *s;

	if (map == MAP_FAILED)
		vm_fatal("mmap of vivid's dma-buf: %s", strerror(errno));
	ret = import(fd, buf, &handle);
	c1 = counts();
	vm_check(ret == 0 && c1.accepted == c0.accepted + 1 && c1.imports == c0.imports + 1,
		 "vivid's contiguous buffer taken: %s", strerror(-ret));
	if (ret < 0)
		goto out;
	ret = drmModeAddFB2(fd, pix->width, pix->height, DRM_FORMAT_XRGB8888,
			    (uint32_t[4]){handle}, (uint32_t[4]){pix->bytesperline},
			    (uint32_t[4]){0}, &fb, 0) ? -errno : 0;
	vm_check(ret == 0, "AddFB2 over the imported handle: %s", strerror(-ret));
	vm_kms_pick(fd, &p);
	pick_mode(fd, &p, pix->width, pix->height);
	show_fb(fd, &p, fb);
	if (cd_debugfs_get("scanout", "plane0", val, sizeof(val)) == 0 && (s = strstr(val, " dma ")))
		dma = strtoull(s + 5, NULL, 0);
	vm_check(strstr(val, "source import") && dma + len <= CD_4G,
		 "debugfs scanout plane0: %s (the camera's buffer, below 4 GiB)", val);
	tl_dmabuf_sync(buf, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ);
	sum = cd_fnv1a32(map, pix->bytesperline, pix->width * 4,
			 (unsigned int)strtoul(cd_debugfs_get("scanout", "checksum_lines", val,
							      sizeof(val)) ? "0" : val, NULL, 10));
	tl_dmabuf_sync(buf, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ);
	if (cd_debugfs_get("scanout", "plane0_fnv1a32", val, sizeof(val)) == 0)
		got = (uint32_t)strtoul(val, NULL, 0);
	vm_check(got == sum, "checksum of the camera frame: debugfs 0x%08x, computed 0x%08x", got,
		 sum);
	/* switch off: the fb goes away with the display still on it otherwise */
	drmModeRmFB(fd, fb);
	drmCloseBufferHandle(fd, handle);
out:
	munmap(map, len);
	close(buf);
	vm_vivid_close(&v);
}

/* Our buffer through vgem and back: the same pixels, the same object. */
static void export(int fd, const char *node)
{
	uint32_t handle, pitch, vh, h2;
	uint64_t size;
	uint8_t *map, *via;
	int buf = -1, vgem = vm_vgem_open(), fd2 = open(node, O_RDWR | O_CLOEXEC), ret;
	struct counts c0, c1;

	if (cd_dumb(fd, 256, 64, 32, &handle, &pitch, &size, &map) != 0)
		vm_fatal("dumb buffer: %s", strerror(errno));
	memset(map, 0x5a, size);
	ret = drmPrimeHandleToFD(fd, handle, DRM_CLOEXEC | DRM_RDWR, &buf) ? -errno : 0;
	vm_check(ret == 0, "PRIME export of a dumb buffer: %s", strerror(-ret));
	ret = vm_vgem_import(vgem, buf, &vh);
	vm_check(ret == 0, "vgem imports it: %s", strerror(-ret));
	if (ret == 0)
		vm_vgem_close(vgem, vh);
	via = mmap(NULL, size, PROT_READ, MAP_SHARED, buf, 0);
	vm_check(via != MAP_FAILED && via[0] == 0x5a && via[size - 1] == 0x5a,
		 "the dma-buf's mmap shows the dumb buffer's bytes");
	if (via != MAP_FAILED)
		munmap(via, size);
	c0 = counts();
	ret = import(fd2, buf, &h2);
	c1 = counts();
	vm_check(ret == 0 && c1.self == c0.self + 1 && c1.objects == c0.objects,
		 "imported back through another open file: the same object (%s)", strerror(-ret));
	if (ret == 0)
		drmCloseBufferHandle(fd2, h2);
	close(buf);
	close(fd2);
	close(vgem);
	cd_dumb_free(fd, handle, map, size);
}

int main(void)
{
	char node[64];
	int fd = cd_open_card(node, sizeof(node)), before = tl_fd_count();
	long long objects = cd_stat("gem_objects");
	bool high;
	int klog;

	if (drmSetClientCap(fd, DRM_CLIENT_CAP_ATOMIC, 1) != 0)
		vm_fatal("DRM_CLIENT_CAP_ATOMIC: %s", strerror(errno));
	/* RAM beyond 4 GiB starts at 4 GiB: a guest with less has none (x86). */
	high = tl_meminfo_kib("MemTotal") > 4ll << 20;
	vm_note("guest RAM %lld KiB: %s", tl_meminfo_kib("MemTotal"),
		high ? "memory above 4 GiB exists" : "all of it below 4 GiB");
	klog = tl_klog_open();
	if (klog < 0)
		vm_fatal("/dev/kmsg: %s", strerror(-klog));
	scattered(fd, klog);
	if (high)
		heap_pages(fd, klog);
	else
		heap_pages_low(fd);
	udmabuf_page(fd, klog);
	camera(fd);
	export(fd, node);
	close(fd);
	close(klog);
	/* closing the fd drops what the display still showed */
	vm_check(cd_stat("gem_objects") == objects, "debugfs gem_objects back to %lld", objects);
	vm_check_fds(before - 1, "the tests");
	return vm_exit_status();
}
