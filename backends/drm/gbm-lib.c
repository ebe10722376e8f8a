/* SPDX-License-Identifier: MIT */
/*
 * libgbm, opened at the first use of GBM instead of at the module's load:
 * libgbm brings libwayland-server, libexpat and libffi with it, which a
 * program that never renders through liballoc (CPU, display, V4L2 and heap
 * users) would load for nothing in every process. Opened once per process
 * and never closed (RTLD_NODELETE: Mesa is not safe to unload).
 */
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "drm-backend.h"
#include "gbm-lib.h"

struct drm_gbm_lib drm_gbm_fn;

static pthread_once_t once = PTHREAD_ONCE_INIT;
static bool loaded;
static char load_error[200];

#define SYM(field, name)                                                                 \
	do {                                                                             \
		*(void **)&drm_gbm_fn.field = dlsym(h, #name);                           \
		if (!drm_gbm_fn.field && required) {                                     \
			snprintf(load_error, sizeof(load_error), "libgbm.so.1 lacks %s", #name); \
			return;                                                          \
		}                                                                        \
	} while (0)

static void load(void)
{
	void *h = dlopen("libgbm.so.1", RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
	bool required = true;

	if (!h) {
		const char *e = dlerror();
		snprintf(load_error, sizeof(load_error), "cannot load libgbm.so.1: %s",
			 e ? e : "unknown error");
		return;
	}
	SYM(create_device, gbm_create_device);
	SYM(device_destroy, gbm_device_destroy);
	SYM(device_get_backend_name, gbm_device_get_backend_name);
	SYM(device_is_format_supported, gbm_device_is_format_supported);
	SYM(bo_create, gbm_bo_create);
	SYM(bo_destroy, gbm_bo_destroy);
	SYM(bo_get_plane_count, gbm_bo_get_plane_count);
	SYM(bo_get_modifier, gbm_bo_get_modifier);
	SYM(bo_get_handle_for_plane, gbm_bo_get_handle_for_plane);
	SYM(bo_get_offset, gbm_bo_get_offset);
	SYM(bo_get_stride_for_plane, gbm_bo_get_stride_for_plane);
	required = false; /* Mesa 21.3+: without it, no explicit modifiers */
	SYM(bo_create_with_modifiers2, gbm_bo_create_with_modifiers2);
	loaded = true;
}

bool drm_gbm_lib_load(const char **error)
{
	pthread_once(&once, load);
	*error = load_error;
	return loaded;
}
