/* Capability sets against what the kernel and GBM say when asked directly:
 * scanout formats (IN_FORMATS or plane formats), framebuffer limits,
 * cursor size, GBM render formats, the pitch rule and the import rule. */
#include "drmtest.h"

#include <errno.h>
#include <fcntl.h>
#include <gbm.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <xf86drm.h>
#include <xf86drmMode.h>
#include <drm_fourcc.h>

static bool set_has(const struct la_capset *set, uint32_t f, uint64_t m)
{
	for (size_t i = 0; i < la_capset_get_candidate_count(set); i++) {
		struct la_candidate c;
		la_capset_get_candidate(set, i, &c);
		if (c.format == f && c.modifier == m)
			return true;
	}
	return false;
}

static uint64_t plane_prop(int fd, uint32_t id, const char *name, bool *found)
{
	drmModeObjectProperties *props = drmModeObjectGetProperties(fd, id, DRM_MODE_OBJECT_PLANE);
	uint64_t v = 0;

	*found = false;
	for (uint32_t i = 0; props && i < props->count_props; i++) {
		drmModePropertyRes *p = drmModeGetProperty(fd, props->props[i]);
		if (p && !strcmp(p->name, name)) {
			v = props->prop_values[i];
			*found = true;
		}
		drmModeFreeProperty(p);
	}
	drmModeFreeObjectProperties(props);
	return v;
}

/* The pairs of the primary planes, read here with libdrm's own parser. */
static size_t kernel_primary_pairs(int fd, uint32_t *f, uint64_t *m, size_t max)
{
	drmModePlaneRes *pr;
	uint64_t addfb2_mods = 0;
	size_t n = 0;

	drmSetClientCap(fd, DRM_CLIENT_CAP_UNIVERSAL_PLANES, 1);
	drmGetCap(fd, DRM_CAP_ADDFB2_MODIFIERS, &addfb2_mods);
	pr = drmModeGetPlaneResources(fd);
	for (uint32_t i = 0; pr && i < pr->count_planes; i++) {
		drmModePlane *pl = drmModeGetPlane(fd, pr->planes[i]);
		bool has_type, has_in;
		uint64_t type = plane_prop(fd, pl->plane_id, "type", &has_type);
		uint64_t blob = plane_prop(fd, pl->plane_id, "IN_FORMATS", &has_in);

		if (type == DRM_PLANE_TYPE_PRIMARY && has_in && addfb2_mods) {
			drmModePropertyBlobRes *b = drmModeGetPropertyBlob(fd, (uint32_t)blob);
			drmModeFormatModifierIterator it = {0};
			vm_note("plane %u has IN_FORMATS", pl->plane_id);
			while (b && drmModeFormatModifierBlobIterNext(b, &it) && n < max) {
				f[n] = it.fmt;
				m[n++] = it.mod;
			}
			drmModeFreePropertyBlob(b);
		} else if (type == DRM_PLANE_TYPE_PRIMARY) {
			vm_note("plane %u: no IN_FORMATS (ADDFB2_MODIFIERS %llu), %u formats",
				pl->plane_id, (unsigned long long)addfb2_mods, pl->count_formats);
			for (uint32_t k = 0; k < pl->count_formats && n < max; k++) {
				f[n] = pl->formats[k];
				m[n++] = LA_MODIFIER_LINEAR;
			}
		}
		drmModeFreePlane(pl);
	}
	drmModeFreePlaneResources(pr);
	return n;
}

static void check_scanout(struct la_device *dev)
{
	int fd = la_device_get_fd(dev);
	uint32_t f[256];
	uint64_t m[256];
	size_t n = kernel_primary_pairs(fd, f, m, 256);
	drmModeRes *res = drmModeGetResources(fd);
	struct la_assertion a = {.width = 1024, .height = 768};
	struct la_capset *set;
	struct la_candidate c;
	char name[32];
	int ret;

	if (!res)
		vm_fatal("GETRESOURCES: %s", strerror(errno));
	ret = la_device_get_capabilities(dev, LA_USAGE_SCANOUT, &a, &set);
	if (ret < 0)
		vm_fatal("scanout capabilities: %s", la_last_diagnosis());
	vm_check(la_capset_get_candidate_count(set) == n,
		 "scanout: %zu candidates, the kernel's primary planes list %zu",
		 la_capset_get_candidate_count(set), n);
	for (size_t i = 0; i < n; i++)
		vm_check(set_has(set, f[i], m[i]), "scanout offers %s modifier 0x%llx",
			 la_format_name(f[i], name, sizeof(name)), (unsigned long long)m[i]);
	vm_check(n == 1 && f[0] == DRM_FORMAT_XRGB8888 && m[0] == LA_MODIFIER_LINEAR,
		 "virtio_gpu primary plane: XRGB8888 linear only");
	la_capset_get_candidate(set, 0, &c);
	vm_check(c.constraints.max_width == res->max_width &&
		 c.constraints.max_height == res->max_height,
		 "max framebuffer %ux%u from mode resources (kernel: %ux%u)",
		 c.constraints.max_width, c.constraints.max_height, res->max_width, res->max_height);
	la_capset_destroy(set);

	/* outside the limits: refused, naming them */
	a.width = res->max_width + 1;
	ret = la_device_get_capabilities(dev, LA_USAGE_SCANOUT, &a, &set);
	vm_check(ret == -ENOTSUP && strstr(la_last_diagnosis(), "framebuffer limits"),
		 "scanout %ux%u refused: %s", a.width, a.height, la_last_diagnosis());
	a.width = res->min_width > 1 ? res->min_width - 1 : 1;
	ret = la_device_get_capabilities(dev, LA_USAGE_SCANOUT, &a, &set);
	vm_check(res->min_width > 1 ? ret == -ENOTSUP : ret == 0, "scanout %ux%u: %s", a.width,
		 a.height, ret ? la_last_diagnosis() : "accepted");
	if (ret == 0)
		la_capset_destroy(set);
	drmModeFreeResources(res);
}

static void check_cursor(struct la_device *dev)
{
	int fd = la_device_get_fd(dev);
	uint64_t cw = 0, ch = 0;
	struct la_assertion a = {.width = 32, .height = 32};
	struct la_capset *set;
	struct la_candidate c;
	int ret;

	drmGetCap(fd, DRM_CAP_CURSOR_WIDTH, &cw);
	drmGetCap(fd, DRM_CAP_CURSOR_HEIGHT, &ch);
	ret = la_device_get_capabilities(dev, LA_USAGE_CURSOR, &a, &set);
	if (!vm_check(ret == 0, "cursor capabilities: %s", ret ? la_last_diagnosis() : "ok"))
		return;
	vm_check(set_has(set, DRM_FORMAT_ARGB8888, LA_MODIFIER_LINEAR), "cursor offers ARGB8888 linear");
	la_capset_get_candidate(set, 0, &c);
	vm_check(c.constraints.max_width == cw && c.constraints.max_height == ch,
		 "cursor at most %ux%u (DRM_CAP_CURSOR_WIDTH/HEIGHT: %llux%llu)",
		 c.constraints.max_width, c.constraints.max_height, (unsigned long long)cw,
		 (unsigned long long)ch);
	la_capset_destroy(set);
	a.width = (uint32_t)cw + 1;
	ret = la_device_get_capabilities(dev, LA_USAGE_CURSOR, &a, &set);
	vm_check(ret == -ENOTSUP && strstr(la_last_diagnosis(), "DRM_CAP_CURSOR"),
		 "cursor %ux%u refused: %s", a.width, a.height, la_last_diagnosis());
}

/* Without a Mesa driver: the RGB formats liballoc lays out, no implicit
 * layout, and the GBM path refused with the file that is missing. */
static void check_render_without_mesa(struct la_context *ctx, struct la_device *dev, const struct la_capset *set,
				      const uint32_t *formats, size_t n)
{
	char name[32], file[80];

	for (size_t i = 0; i < n; i++) {
		struct la_format_info fi;
		bool want = la_format_get_info(formats[i], &fi) == 0 && !fi.is_yuv;
		vm_check(set_has(set, formats[i], LA_MODIFIER_LINEAR) == want,
			 "%s (no Mesa driver): %s %s for rendering", la_device_get_label(dev),
			 la_format_name(formats[i], name, sizeof(name)),
			 want ? "offered" : "not offered");
		vm_check(!set_has(set, formats[i], LA_MODIFIER_IMPLICIT),
			 "%s (no Mesa driver): no implicit %s", la_device_get_label(dev), name);
	}
	snprintf(file, sizeof(file), "%s_dri.so", la_device_get_driver(dev));
	struct la_assertion a = {.width = 64, .height = 64, .formats = formats, .n_formats = 1};
	struct la_request r = {dev, LA_USAGE_RENDER};
	struct la_result *res = NULL;
	struct la_buffer *buf;
	char path[64];
	int ret = la_negotiate(ctx, &a, &r, 1, &res);

	snprintf(path, sizeof(path), "drm-gbm:%s", la_device_get_driver(dev));
	if (ret == 0)
		ret = la_allocate_with_path(res, path, &buf);
	vm_check(ret < 0 && strstr(la_last_diagnosis(), file),
		 "%s: %s refused, naming %s: %s", la_device_get_label(dev), path, file,
		 la_last_diagnosis());
	if (ret == 0)
		la_buffer_destroy(buf);
	la_result_destroy(res);
}

/* Render formats must be GBM's answers, asked here directly. */
static void check_render(struct la_context *ctx, struct la_device *dev)
{
	static const uint32_t formats[] = {DRM_FORMAT_XRGB8888, DRM_FORMAT_ARGB8888,
					   DRM_FORMAT_RGB565, DRM_FORMAT_NV12};
	struct la_assertion a = {.width = 256, .height = 256, .formats = formats, .n_formats = 4};
	bool mesa = dt_mesa_driver(la_device_get_driver(dev));
	struct gbm_device *gbm = mesa ? gbm_create_device(la_device_get_fd(dev)) : NULL;
	struct gbm_bo *bo = gbm ? gbm_bo_create(gbm, 64, 64, DRM_FORMAT_XRGB8888,
						GBM_BO_USE_RENDERING) : NULL;
	struct la_capset *set;
	char name[32];
	int ret = la_device_get_capabilities(dev, LA_USAGE_RENDER, &a, &set);

	if (!vm_check(ret == 0, "%s render capabilities: %s", la_device_get_label(dev),
		      ret ? la_last_diagnosis() : "ok"))
		return;
	if (!mesa)
		check_render_without_mesa(ctx, dev, set, formats, 4);
	for (size_t i = 0; gbm && i < 4; i++) {
		bool want = gbm_device_is_format_supported(gbm, formats[i], GBM_BO_USE_RENDERING);
		vm_check(set_has(set, formats[i], LA_MODIFIER_LINEAR) == want, "%s: %s %s for rendering (GBM: %d)",
			 la_device_get_label(dev), la_format_name(formats[i], name, sizeof(name)),
			 want ? "offered" : "not offered", want);
		vm_check(set_has(set, formats[i], LA_MODIFIER_IMPLICIT) == (want && bo != NULL),
			 "%s: implicit %s offered iff GBM allocates here (%d)",
			 la_device_get_label(dev), name, bo != NULL);
	}
	if (bo)
		gbm_bo_destroy(bo);
	if (gbm)
		gbm_device_destroy(gbm);
	la_capset_destroy(set);
}

/* The pitch rule equals what a dumb buffer of odd width shows here. */
static void check_pitch(struct la_device *dev)
{
	struct la_assertion a = {.width = 100, .height = 100};
	uint32_t handle, pitch;
	uint64_t size;
	struct la_capset *set;
	struct la_candidate c;
	int fd = la_device_get_fd(dev);

	if (drmModeCreateDumbBuffer(fd, 1921, 1, 32, 0, &handle, &pitch, &size) != 0)
		vm_fatal("CREATE_DUMB 1921: %s", strerror(errno));
	drmModeDestroyDumbBuffer(fd, handle);
	if (la_device_get_capabilities(dev, LA_USAGE_RENDER, &a, &set) < 0)
		vm_fatal("render caps: %s", la_last_diagnosis());
	la_capset_get_candidate(set, 0, &c);
	vm_check(c.constraints.pitch_align[0] == dt_lowbit(pitch),
		 "%s: pitch_align %llu; CREATE_DUMB 1921 px gave pitch %u (multiple of %llu)",
		 la_device_get_label(dev), (unsigned long long)c.constraints.pitch_align[0], pitch,
		 (unsigned long long)dt_lowbit(pitch));
	la_capset_destroy(set);
}

/* The import rule equals what a dma-heap buffer import does here. */
static void check_import_rule(struct la_device *dev, enum la_import_rule expect)
{
	struct la_assertion a = {.width = 64, .height = 64};
	struct la_capset *set;
	struct la_capset_info info;
	int buf = dt_heap_buffer(4096);
	uint32_t handle;
	int ok = drmPrimeFDToHandle(la_device_get_fd(dev), buf, &handle) == 0;
	int err = errno;

	if (ok) {
		struct drm_gem_close gc = {.handle = handle};
		drmIoctl(la_device_get_fd(dev), DRM_IOCTL_GEM_CLOSE, &gc);
	}
	close(buf);
	if (la_device_get_capabilities(dev, LA_USAGE_RENDER, &a, &set) < 0)
		vm_fatal("render caps: %s", la_last_diagnosis());
	la_capset_get_info(set, &info);
	vm_note("%s: direct import %s; liballoc: %s (%s)", la_device_get_label(dev),
		ok ? "works" : strerror(err), la_import_rule_name(info.import_rule),
		info.import_reason);
	vm_check(info.import_rule == (ok ? LA_IMPORT_ANY : LA_IMPORT_OWN_ONLY),
		 "%s: import rule matches a direct import", la_device_get_label(dev));
	vm_check(info.import_rule == expect, "%s: import rule is %s", la_device_get_label(dev),
		 la_import_rule_name(expect));
	vm_check(ok || strstr(info.import_reason, strerror(err)),
		 "the reason carries the kernel's errno");
	la_capset_destroy(set);
}

int main(void)
{
	struct la_context *ctx = dt_context();
	struct la_device *virtio = dt_open(ctx, "virtio_gpu", "card");
	struct la_device *vgem_card = dt_open(ctx, "vgem", "card");
	struct la_device *vgem = dt_open(ctx, "vgem", "renderD");
	struct la_assertion a = {.width = 64, .height = 64};
	struct la_capset *set;

	check_scanout(virtio);
	check_cursor(virtio);
	check_render(ctx, virtio);
	check_render(ctx, vgem_card);
	check_render(ctx, vgem);
	check_pitch(virtio);
	check_pitch(vgem_card);
	check_import_rule(virtio, LA_IMPORT_OWN_ONLY);
	check_import_rule(vgem, LA_IMPORT_ANY);
	check_import_rule(vgem_card, LA_IMPORT_ANY);
	vm_check(la_device_get_capabilities(vgem, LA_USAGE_SCANOUT, &a, &set) == -ENOTSUP,
		 "vgem refuses scanout: %s", la_last_diagnosis());
	vm_check(la_device_get_capabilities(virtio, LA_USAGE_CAPTURE, &a, &set) == -ENOTSUP,
		 "virtio_gpu refuses capture: %s", la_last_diagnosis());
	la_device_unref(vgem);
	la_device_unref(vgem_card);
	la_device_unref(virtio);
	la_context_destroy(ctx);
	return vm_exit_status();
}
