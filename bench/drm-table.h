/* SPDX-License-Identifier: MIT */
/*
 * Real DRM format codes and vendor modifiers, so the benchmark sorts and
 * compares the values a kernel really reports (their distribution matters
 * to comparison costs: fourccs share low bytes, modifiers share the vendor
 * byte).
 */
#ifndef BENCH_DRM_TABLE_H
#define BENCH_DRM_TABLE_H

#include <stddef.h>
#include <stdint.h>

#define BENCH_MOD_LINEAR UINT64_C(0)

/* Every fourcc of include/uapi/drm/drm_fourcc.h (Linux 6.1), in its order. */
extern const uint32_t bench_fourccs[];
extern const size_t bench_n_fourccs;

/*
 * Fills out with up to max distinct vendor modifiers (Intel, AMD, NVIDIA,
 * ARM AFBC, Qualcomm, Samsung, Vivante, Broadcom, Allwinner), LINEAR not
 * included. Returns how many were written.
 */
size_t bench_vendor_modifiers(uint64_t *out, size_t max);

#endif
