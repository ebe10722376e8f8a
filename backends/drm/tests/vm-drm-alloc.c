/* Negotiation, allocation, export and import on the real drivers:
 *  - virtio_gpu scanout + vgem render ends on XRGB8888 LINEAR allocated
 *    on virtio_gpu (it imports nothing foreign) and vgem imports it;
 *  - dumb and GBM paths, odd and maximum sizes;
 *  - a foreign buffer and a malformed one refused for scanout, with the
 *    kernel's reason.
 * --trace-only: the negotiation alone (for the LIBALLOC_DEBUG=1 check). */
#include "drmtest.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <xf86drm.h>
#include <xf86drmMode.h>
#include <drm_fourcc.h>

static const uint32_t formats[] = {DRM_FORMAT_XRGB8888, DRM_FORMAT_ARGB8888};

static struct la_result *negotiate(struct la_context *ctx, struct la_device *scan,
				   struct la_device *render, uint32_t w, uint32_t h, int *ret)
{
	struct la_assertion a = {.width = w, .height = h, .formats = formats, .n_formats = 2};
	struct la_request req[2] = {{scan, LA_USAGE_SCANOUT}, {render, LA_USAGE_RENDER}};
	struct la_result *res = NULL;

	*ret = la_negotiate(ctx, &a, req, render ? 2 : 1, &res);
	return res;
}

static void check_main_case(struct la_context *ctx, struct la_device *virtio,
			    struct la_device *vgem)
{
	struct la_result *res;
	struct la_candidate c;
	struct la_path_info best;
	struct la_buffer *buf;
	struct la_import *imp;
	struct la_descriptor d;
	uint64_t v;
	char link[64], target[128];
	int ret;

	res = negotiate(ctx, virtio, vgem, 1920, 1080, &ret);
	if (ret < 0)
		vm_fatal("negotiation virtio_gpu scanout + vgem render: %s", la_last_diagnosis());
	dt_print_result(res);
	la_result_get_candidate(res, (size_t)la_result_get_chosen_candidate(res), &c);
	vm_check(c.format == DRM_FORMAT_XRGB8888 && c.modifier == LA_MODIFIER_LINEAR,
		 "chosen candidate XRGB8888 LINEAR");
	la_result_get_path(res, 0, &best);
	vm_check(best.matched && !strcmp(best.name, "drm-dumb:virtio_gpu") && best.is_device_memory,
		 "best path %s (memory of virtio_gpu)", best.name);
	for (size_t i = 0; i < la_result_get_path_count(res); i++) {
		struct la_path_info p;
		la_result_get_path(res, i, &p);
		if (strstr(p.name, ":vgem"))
			vm_check(!p.matched && strstr(p.reason, "imports no buffer it did not allocate"),
				 "%s refused because virtio_gpu imports nothing foreign", p.name);
	}
	ret = la_allocate(res, &buf);
	if (ret < 0)
		vm_fatal("la_allocate: %s", la_last_diagnosis());
	vm_check(!strcmp(la_buffer_get_path(buf), "drm-dumb:virtio_gpu"), "allocated on %s",
		 la_buffer_get_path(buf));

	/* PRIME export: a real dma-buf, big enough */
	ret = la_buffer_export(buf, &d);
	vm_check(ret == 0, "la_buffer_export");
	snprintf(link, sizeof(link), "/proc/self/fd/%d", d.planes[0].fd);
	ssize_t n = readlink(link, target, sizeof(target) - 1);
	target[n > 0 ? n : 0] = '\0';
	vm_check(strstr(target, "dmabuf") != NULL, "exported fd is a dma-buf (%s)", target);
	vm_check(lseek(d.planes[0].fd, 0, SEEK_END) >= (off_t)(d.planes[0].pitch * 1080),
		 "dma-buf holds pitch %llu x 1080", (unsigned long long)d.planes[0].pitch);
	vm_check(fcntl(d.planes[0].fd, F_GETFD) & FD_CLOEXEC, "exported fd has O_CLOEXEC");
	la_descriptor_close(&d);

	ret = la_device_import(vgem, LA_USAGE_RENDER, buf, &imp);
	vm_check(ret == 0, "vgem imports the virtio_gpu buffer: %s", ret ? la_last_diagnosis() : "ok");
	if (ret == 0) {
		v = 0;
		ret = la_import_get_property(imp, "handle0", &v);
		vm_check(ret == 0 && v, "vgem GEM handle %llu", (unsigned long long)v);
		la_import_destroy(imp);
	}
	ret = la_device_import(virtio, LA_USAGE_SCANOUT, buf, &imp);
	vm_check(ret == 0, "virtio_gpu makes a framebuffer of it: %s",
		 ret ? la_last_diagnosis() : "ok");
	if (ret == 0) {
		v = 0;
		ret = la_import_get_property(imp, "fb_id", &v);
		vm_check(ret == 0 && v, "fb_id %llu", (unsigned long long)v);
		la_import_destroy(imp);
	}
	la_buffer_destroy(buf);
	la_result_destroy(res);
}

/* Sizes for scanout + render: odd ones allocate with the driver's pitch
 * rule, the maximum width and height allocate, outside the framebuffer
 * limits (read here from the kernel) is refused naming them. Rendering
 * alone at 1x1 is in check_paths. The maxima are not combined: QEMU's
 * virtio-gpu refuses host resources above its max_hostmem (256 MiB), and
 * 8192x8192x4 is exactly that, an error the guest kernel only logs. */
static void check_sizes(struct la_context *ctx, struct la_device *virtio, struct la_device *vgem)
{
	drmModeRes *kr = drmModeGetResources(la_device_get_fd(virtio));
	if (!kr)
		vm_fatal("GETRESOURCES: %s", strerror(errno));
	const uint32_t sizes[][2] = {{1, 1}, {1921, 1081}, {33, 1081}, {4096, 2160},
				     {kr->max_width, 2048}, {2048, kr->max_height},
				     {kr->max_width + 1, 64}, {64, kr->max_height + 1}};
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		uint32_t w = sizes[i][0], h = sizes[i][1];
		int ret;
		struct la_result *res = negotiate(ctx, virtio, vgem, w, h, &ret);
		struct la_buffer *buf = NULL;
		struct la_descriptor d;
		bool fits = w >= kr->min_width && h >= kr->min_height && w <= kr->max_width &&
			    h <= kr->max_height;

		if (!fits) {
			vm_check(ret < 0 && strstr(la_last_diagnosis(), "framebuffer limits"),
				 "%ux%u scanout refused: %s", w, h, la_last_diagnosis());
			la_result_destroy(res);
			continue;
		}
		if (!vm_check(ret == 0, "%ux%u negotiated: %s", w, h, ret ? la_last_diagnosis() : "ok")) {
			la_result_destroy(res);
			continue;
		}
		ret = la_allocate(res, &buf);
		if (vm_check(ret == 0, "%ux%u allocated on %s: %s", w, h,
			     ret ? "-" : la_buffer_get_path(buf), ret ? la_last_diagnosis() : "ok")) {
			la_buffer_get_descriptor(buf, &d);
			vm_check(d.planes[0].pitch == (uint64_t)w * 4 && d.width == w && d.height == h,
				 "%ux%u pitch %llu", w, h, (unsigned long long)d.planes[0].pitch);
		}
		la_buffer_destroy(buf);
		la_result_destroy(res);
	}
	drmModeFreeResources(kr);
}

/* Render-only on a node that can allocate: both paths work, GBM can
 * give the implicit layout, dumb the odd sizes. */
/*
 * The byte at offset of a dma-buf, read through another route than the
 * mapping that wrote it: PRIME-imported into a fresh vgem file and mapped
 * with MAP_DUMB there (the GEM mmap of vgem's object, or the exporter's
 * mmap for a foreign one). -1 if any step fails.
 */
static int read_via_vgem(int dmabuf, uint64_t offset)
{
	struct drm_mode_map_dumb m = {0};
	struct drm_gem_close c = {0};
	char path[64];
	int fd = vm_open_drm("vgem", "card", path, sizeof(path)), v = -1;
	size_t len = (size_t)((offset + 4096) & ~(uint64_t)4095);
	void *p;

	if (fd < 0)
		return -1;
	if (drmPrimeFDToHandle(fd, dmabuf, &m.handle) == 0) {
		c.handle = m.handle;
		if (drmIoctl(fd, DRM_IOCTL_MODE_MAP_DUMB, &m) == 0) {
			/* GEM mmap offsets name whole objects: map from the start */
			p = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, (off_t)m.offset);
			if (p != MAP_FAILED) {
				v = ((volatile uint8_t *)p)[offset];
				munmap(p, len);
			}
		}
		drmIoctl(fd, DRM_IOCTL_GEM_CLOSE, &c);
	}
	close(fd);
	return v;
}

/* The byte at offset of a dma-buf, through a fresh map of its fd. */
static int read_via_dmabuf(int dmabuf, uint64_t offset)
{
	size_t len = (size_t)((offset + 4096) & ~(uint64_t)4095);
	void *p = mmap(NULL, len, PROT_READ, MAP_SHARED, dmabuf, 0);
	int v;

	if (p == MAP_FAILED)
		return -1;
	v = ((volatile uint8_t *)p)[offset];
	munmap(p, len);
	return v;
}

/* GBM on a node Mesa has no driver for: refused, naming the missing file. */
static void check_gbm_refused(struct la_result *res, struct la_device *dev, const char *path)
{
	char file[80];
	struct la_buffer *buf;
	int ret = la_allocate_with_path(res, path, &buf);

	snprintf(file, sizeof(file), "%s_dri.so", la_device_get_driver(dev));
	vm_check(ret < 0 && strstr(la_last_diagnosis(), file), "%s refused (no Mesa driver): %s",
		 path, ret < 0 ? la_last_diagnosis() : "allocated");
	if (ret == 0)
		la_buffer_destroy(buf);
}

static void check_paths(struct la_context *ctx, struct la_device *card)
{
	static const uint32_t sizes[][2] = {{1, 1}, {1921, 3}, {4096, 16}};
	const char *drv = la_device_get_driver(card);
	bool mesa = dt_mesa_driver(drv);
	char dumb[64], gbm[64];

	snprintf(dumb, sizeof(dumb), "drm-dumb:%s", drv);
	snprintf(gbm, sizeof(gbm), "drm-gbm:%s", drv);
	for (size_t i = 0; i < 3; i++) {
		struct la_assertion a = {.width = sizes[i][0], .height = sizes[i][1],
					 .formats = formats, .n_formats = 1};
		struct la_request r = {card, LA_USAGE_RENDER | LA_USAGE_CPU_WRITE};
		struct la_result *res;
		struct la_buffer *buf;
		struct la_descriptor d;
		void *map;
		int ret = la_negotiate(ctx, &a, &r, 1, &res);

		if (!vm_check(ret == 0, "%s render %ux%u: %s", drv, a.width, a.height,
			      ret ? la_last_diagnosis() : "ok")) {
			la_result_destroy(res);
			continue;
		}
		for (int k = 0; k < 2; k++) {
			const char *path = k ? gbm : dumb;
			if (k && !mesa) {
				check_gbm_refused(res, card, path);
				continue;
			}
			ret = la_allocate_with_path(res, path, &buf);
			if (!vm_check(ret == 0, "%s %ux%u: %s", path, a.width, a.height,
				      ret ? la_last_diagnosis() : "ok"))
				continue;
			la_buffer_get_descriptor(buf, &d);
			vm_note("%s: pitch %llu modifier 0x%llx", path,
				(unsigned long long)d.planes[0].pitch, (unsigned long long)d.modifier);
			ret = la_buffer_map(buf, 0, LA_MAP_WRITE | LA_MAP_READ, &map);
			if (vm_check(ret == 0, "CPU map of %s: %s", path, ret ? la_last_diagnosis() : "ok")) {
				uint64_t last = d.planes[0].pitch * a.height - 1;
				memset(map, 0x5a, last + 1);
				la_buffer_unmap(buf, 0);
				/* vgem maps virtio_gpu's imports with neither CPU
				 * path: its own buffers are read through its map */
				bool vgem = !strcmp(drv, "vgem");
				int got = vgem ? read_via_vgem(d.planes[0].fd, last)
					       : read_via_dmabuf(d.planes[0].fd, last);
				vm_check(got == 0x5a, "written through the map, read back through %s: "
					 "0x%x", vgem ? "a vgem import" : "a map of the dma-buf",
					 (unsigned)got);
			}
			la_buffer_destroy(buf);
		}
		la_result_destroy(res);
	}
	/* implicit layout through GBM for rendering alone, where Mesa has a driver */
	struct la_assertion a = {.width = 640, .height = 480, .formats = formats, .n_formats = 1};
	struct la_request r = {card, LA_USAGE_RENDER};
	uint64_t implicit = LA_MODIFIER_IMPLICIT;
	a.modifiers = &implicit;
	a.n_modifiers = 1;
	struct la_result *res;
	struct la_buffer *buf;
	int ret = la_negotiate(ctx, &a, &r, 1, &res);
	if (!mesa) {
		vm_check(ret == -ENOENT, "%s: no implicit layout without a Mesa driver (%d): %s", drv,
			 ret, ret ? la_last_diagnosis() : "negotiated");
	} else if (vm_check(ret == 0, "%s implicit-modifier negotiation: %s", drv,
			    ret ? la_last_diagnosis() : "ok")) {
		dt_print_result(res);
		ret = la_allocate(res, &buf);
		if (vm_check(ret == 0 && !strcmp(la_buffer_get_path(buf), gbm),
			     "implicit layout allocated by %s", ret ? la_last_diagnosis() : la_buffer_get_path(buf)))
			la_buffer_destroy(buf);
	}
	la_result_destroy(res);
}

static void check_refusals(struct la_context *ctx, struct la_device *virtio)
{
	struct la_descriptor d = {.format = DRM_FORMAT_XRGB8888, .modifier = LA_MODIFIER_LINEAR,
				  .width = 256, .height = 256, .plane_count = 1};
	struct la_buffer *buf;
	struct la_import *imp;
	struct la_result *res;
	int ret;

	/* a foreign dma-buf (system heap) offered to virtio_gpu for scanout */
	d.planes[0] = (struct la_plane){.fd = dt_heap_buffer(256 * 256 * 4), .pitch = 1024,
					.size = 256 * 1024};
	if (la_buffer_from_descriptor(ctx, &d, &buf) < 0)
		vm_fatal("wrap: %s", la_last_diagnosis());
	close(d.planes[0].fd);
	ret = la_device_import(virtio, LA_USAGE_SCANOUT, buf, &imp);
	vm_check(ret == -ENODEV && strstr(la_last_diagnosis(), "PRIME import") &&
		 strstr(la_last_diagnosis(), strerror(ENODEV)),
		 "foreign buffer refused for scanout (%d): %s", ret, la_last_diagnosis());
	la_buffer_destroy(buf);

	/* virtio_gpu's own buffer with a pitch shorter than a row */
	res = negotiate(ctx, virtio, NULL, 256, 256, &ret);
	if (ret < 0 || la_allocate(res, &buf) < 0)
		vm_fatal("allocate 256x256: %s", la_last_diagnosis());
	la_buffer_get_descriptor(buf, &d);
	d.planes[0].pitch = 256; /* 64 pixels */
	struct la_buffer *bad;
	if (la_buffer_from_descriptor(ctx, &d, &bad) < 0)
		vm_fatal("wrap: %s", la_last_diagnosis());
	ret = la_device_import(virtio, LA_USAGE_SCANOUT, bad, &imp);
	vm_check(ret == -EINVAL && strstr(la_last_diagnosis(), "DRM_IOCTL_MODE_ADDFB2") &&
		 strstr(la_last_diagnosis(), strerror(EINVAL)),
		 "framebuffer with a short pitch refused (%d): %s", ret, la_last_diagnosis());
	la_buffer_destroy(bad);

	/* a format no plane shows */
	d.planes[0].pitch = 1024;
	d.format = DRM_FORMAT_NV12;
	d.plane_count = 2;
	d.planes[1] = d.planes[0];
	d.planes[1].offset = 256 * 1024;
	d.planes[1].size = 128 * 1024;
	d.planes[0].size = 256 * 1024;
	if (la_buffer_from_descriptor(ctx, &d, &bad) == 0) {
		ret = la_device_import(virtio, LA_USAGE_SCANOUT, bad, &imp);
		vm_check(ret < 0 && strstr(la_last_diagnosis(), "ADDFB2"),
			 "NV12 framebuffer refused (%d): %s", ret, la_last_diagnosis());
		la_buffer_destroy(bad);
	}
	la_buffer_destroy(buf);
	la_result_destroy(res);
}

int main(int argc, char **argv)
{
	struct la_context *ctx = dt_context();
	struct la_device *virtio = dt_open(ctx, "virtio_gpu", "card");
	struct la_device *vgem = dt_open(ctx, "vgem", "renderD");
	struct la_device *vgem_card = dt_open(ctx, "vgem", "card");
	int ret;

	if (argc > 1 && !strcmp(argv[1], "--trace-only")) {
		struct la_result *res = negotiate(ctx, virtio, vgem, 1920, 1080, &ret);
		dt_print_result(res);
		la_result_destroy(res);
		goto out;
	}
	check_main_case(ctx, virtio, vgem);
	check_sizes(ctx, virtio, vgem);
	check_paths(ctx, vgem_card);
	check_paths(ctx, virtio);
	check_refusals(ctx, virtio);
out:
	la_device_unref(vgem_card);
	la_device_unref(vgem);
	la_device_unref(virtio);
	la_context_destroy(ctx);
	return vm_exit_status();
}
