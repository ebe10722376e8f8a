/* SPDX-License-Identifier: MIT */
/*
 * liballoc-drm.so: DRM/KMS and GBM devices. The entry point and the
 * vtable; the work is in the files named after each concern.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <xf86drm.h>

#include "drm-backend.h"

#define MAX_DRM_DEVICES 64

static int drm_init(const struct la_backend_host *host, void **out, struct la_why *why)
{
	struct drm_backend *be;

	if (host->abi_version != LA_BACKEND_ABI_VERSION)
		return -EPROTO;
	be = calloc(1, sizeof(*be));
	if (!be)
		return -ENOMEM;
	be->host = host;
	be->level = LA_LOG_DEBUG; /* until the core says otherwise (backend.h) */
	*out = be;
	return 0;
}

static void drm_log_level(void *backend, enum la_log_level level)
{
	struct drm_backend *be = backend;

	__atomic_store_n(&be->level, (int)level, __ATOMIC_RELAXED);
}

static void drm_finish(void *backend)
{
	free(backend);
}

/* Every primary and render node libdrm finds (drmGetDevices2 reads
 * /dev/dri and sysfs); each node is a device of its own because what a
 * node allows differs (no KMS and no dumb buffers on render nodes). */
static int drm_enumerate(void *backend, la_enumerate_fn add, void *ctx, struct la_why *why)
{
	drmDevicePtr devs[MAX_DRM_DEVICES];
	int n = drmGetDevices2(0, devs, MAX_DRM_DEVICES);
	int ret = 0;

	(void)backend;
	if (n < 0)
		return n;
	if (n > MAX_DRM_DEVICES) /* the count of all devices, not of those stored */
		n = MAX_DRM_DEVICES;
	for (int i = 0; i < n && ret == 0; i++) {
		static const int kinds[] = {DRM_NODE_PRIMARY, DRM_NODE_RENDER};
		for (size_t k = 0; k < 2 && ret == 0; k++)
			if (devs[i]->available_nodes & (1 << kinds[k]))
				ret = add(ctx, devs[i]->nodes[kinds[k]]);
	}
	drmFreeDevices(devs, n);
	return ret;
}

static int drm_probe(void *backend, int fd, const char *node, void **device,
		     struct la_backend_device_info *info, struct la_why *why)
{
	struct drm_dev *dev;
	int ret = drm_dev_probe(backend, fd, node, &dev);

	if (ret < 0)
		return ret;
	snprintf(info->driver, sizeof(info->driver), "%s", dev->driver);
	info->usages = LA_USAGE_RENDER | LA_USAGE_SAMPLE | LA_USAGE_CPU_READ | LA_USAGE_CPU_WRITE;
	if (dev->kms)
		info->usages |= LA_USAGE_SCANOUT | (dev->has_overlay ? LA_USAGE_OVERLAY : 0) |
				(dev->has_cursor_plane || dev->cursor_w ? LA_USAGE_CURSOR : 0);
	*device = dev;
	return 0;
}

static void drm_device_close(void *backend, void *device)
{
	(void)backend;
	drm_dev_destroy(device);
}

static int drm_caps_hook(void *backend, void *device, uint64_t usage,
			 const struct la_assertion *assertion, struct la_capset *set,
			 struct la_why *why)
{
	(void)backend;
	return drm_get_capabilities(device, usage, assertion, set, why);
}

static int drm_list_paths_hook(void *backend, struct la_device *const *devices,
			       void *const *device_data, size_t n, la_path_sink_fn sink,
			       void *sink_data, struct la_why *why)
{
	return drm_list_paths(backend, devices, device_data, n, sink, sink_data, why);
}

static int drm_path_match_hook(void *backend, void *path, const struct la_alloc_request *req,
			       int *rank, struct la_why *why)
{
	(void)backend;
	return drm_path_match(path, req, rank, why);
}

static int drm_path_allocate_hook(void *backend, void *path, const struct la_alloc_request *req,
				  struct la_descriptor *out, struct la_why *why)
{
	(void)backend;
	return drm_path_allocate(path, req, out, why);
}

static void drm_path_release_hook(void *backend, void *path)
{
	(void)backend;
	drm_path_release(path);
}

static int drm_import_hook(void *backend, void *device, uint64_t usage,
			   const struct la_descriptor *desc, void **imp, struct la_why *why)
{
	(void)backend;
	return drm_import(device, usage, desc, imp, why);
}

static int drm_import_property_hook(void *backend, void *imp, const char *name, uint64_t *value,
				    struct la_why *why)
{
	(void)backend;
	return drm_import_get_property(imp, name, value, why);
}

static void drm_import_release_hook(void *backend, void *imp)
{
	(void)backend;
	drm_import_release(imp);
}

static void drm_layout_domain_hook(void *backend, void *device, char *key, size_t len)
{
	(void)backend;
	drm_dev_layout_domain(device, key, len);
}

static const struct la_backend_interface drm_interface = {
	.init = drm_init,
	.finish = drm_finish,
	.probe = drm_probe,
	.device_close = drm_device_close,
	.enumerate = drm_enumerate,
	.get_capabilities = drm_caps_hook,
	.list_paths = drm_list_paths_hook,
	.path_match = drm_path_match_hook,
	.path_allocate = drm_path_allocate_hook,
	.path_release = drm_path_release_hook,
	.import = drm_import_hook,
	.import_get_property = drm_import_property_hook,
	.import_release = drm_import_release_hook,
	.layout_domain = drm_layout_domain_hook,
	.log_level = drm_log_level,
};

LA_BACKEND_DEFINE("drm", drm_interface);
