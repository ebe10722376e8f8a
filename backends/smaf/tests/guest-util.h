/* SPDX-License-Identifier: MIT */
/*
 * Helpers for the liballoc-smaf programs that run in the test guest
 * (tests/vm): capability sets as the device backends report them, the
 * SMAF exporter's view of a buffer through liballoc. The real importers
 * (vgem PRIME, vivid DMABUF capture) and the checks are tests/lib's
 * (vmtest.h, vivid.h).
 */
#ifndef SMAF_GUEST_UTIL_H
#define SMAF_GUEST_UTIL_H

#include <liballoc/liballoc.h>
#include <stdbool.h>
#include <stdint.h>

#include "result.h"
#include "testlib.h"
#include "vivid.h"
#include "vmtest.h"

#define GU_XRGB8888 0x34325258u /* DRM 'XR24' = V4L2 XBGR32 in memory (B, G, R, X) */
#define GU_W 640
#define GU_H 480

/*
 * One XRGB8888 linear candidate. rule: the device's import rule;
 * cflags/dma_bits: LA_CONSTRAINT_* and DMA address bits of the candidate.
 * Exits the program if the set cannot be built.
 */
struct la_capset *gu_capset(const char *label, const char *driver, uint64_t usage,
			    enum la_import_rule rule, uint32_t cflags, uint32_t dma_bits);
/* la_negotiate_capsets at w x h, printing the ranked paths and the diagnosis. */
int gu_negotiate(struct la_context *ctx, uint32_t w, uint32_t h, struct la_capset **sets,
		 size_t n, struct la_result **res);
/*
 * No path for these devices: -ENODEV, or, for capability sets without a
 * live device (ours are built by hand), success with no matched path.
 */
bool gu_no_path(int ret, const struct la_result *res);
/* The reason recorded for path name, "" if absent. */
const char *gu_path_reason(const struct la_result *res, const char *name, bool *matched);

/* A new context and the /dev/smaf device in it; exits the program if either fails. */
struct la_device *gu_smaf_device(struct la_context **ctx);
/* SMAF's view of buf: an import into the /dev/smaf device (never NULL: exits). */
struct la_import *gu_watch(struct la_device *smaf, const struct la_buffer *buf);
/* A property of that import; UINT64_MAX (and a failed check) on error. */
uint64_t gu_prop(struct la_import *w, const char *name);

/* Capture node of vivid instance inst at GU_W x GU_H XBGR32 (exits if absent). */
void gu_vivid_open(int inst, struct vm_vivid *v);

#endif
