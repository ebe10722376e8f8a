/* SPDX-License-Identifier: MIT */
/* libgbm's functions, resolved at the first use of GBM (gbm-lib.c). */
#ifndef LA_DRM_GBM_LIB_H
#define LA_DRM_GBM_LIB_H

#include <gbm.h>
#include <stdbool.h>

struct drm_gbm_lib {
	__typeof__(gbm_create_device) *create_device;
	__typeof__(gbm_device_destroy) *device_destroy;
	__typeof__(gbm_device_get_backend_name) *device_get_backend_name;
	__typeof__(gbm_device_is_format_supported) *device_is_format_supported;
	__typeof__(gbm_bo_create) *bo_create;
	__typeof__(gbm_bo_create_with_modifiers2) *bo_create_with_modifiers2; /* may be NULL */
	__typeof__(gbm_bo_destroy) *bo_destroy;
	__typeof__(gbm_bo_get_plane_count) *bo_get_plane_count;
	__typeof__(gbm_bo_get_modifier) *bo_get_modifier;
	__typeof__(gbm_bo_get_handle_for_plane) *bo_get_handle_for_plane;
	__typeof__(gbm_bo_get_offset) *bo_get_offset;
	__typeof__(gbm_bo_get_stride_for_plane) *bo_get_stride_for_plane;
};

/* Filled by drm_gbm_lib_load; valid once it returned true. */
extern struct drm_gbm_lib drm_gbm_fn;

/* Opens libgbm once per process; false with *error saying why. */
bool drm_gbm_lib_load(const char **error);

#endif
