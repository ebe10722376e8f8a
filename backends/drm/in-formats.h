/* SPDX-License-Identifier: MIT */
/*
 * Parser of the IN_FORMATS plane property blob (struct
 * drm_format_modifier_blob, include/uapi/drm/drm_mode.h). Pure code with no
 * kernel access so that unit tests and fuzzers can feed it any bytes: the
 * blob comes from the kernel, but a parser that trusts its offsets is one
 * driver bug away from reading out of bounds.
 */
#ifndef LA_DRM_IN_FORMATS_H
#define LA_DRM_IN_FORMATS_H

#include <stddef.h>
#include <stdint.h>

struct drm_format_pair {
	uint32_t format;
	uint64_t modifier;
};

/*
 * Called once per (format, modifier) the blob advertises, formats in blob
 * order and, per format, modifiers in blob order (the driver's preference).
 * A negative return stops the walk and is returned by the parser.
 */
typedef int (*drm_in_formats_fn)(void *data, uint32_t format, uint64_t modifier);

/*
 * Walks blob (len bytes, any alignment). 0 on success; -EINVAL with a
 * static explanation in *why (may be NULL) when the blob is malformed:
 * truncated header, unknown version, arrays outside the blob, sizes that
 * overflow, or a modifier that names a format index the blob does not
 * have. Nothing is reported for a malformed blob: the walk is validated
 * completely before the first callback.
 */
int drm_in_formats_parse(const void *blob, size_t len, drm_in_formats_fn fn, void *data,
			 const char **why);

#endif
