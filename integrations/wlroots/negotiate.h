/* SPDX-License-Identifier: MIT */
#ifndef LA_WLR_NEGOTIATE_H
#define LA_WLR_NEGOTIATE_H

#include "la-wlr-private.h"

/*
 * Negotiates w x h of f's format with the modifiers f allows for every
 * device of ctx, logs what was chosen (WLR_INFO) or why nothing can be
 * (WLR_ERROR), and makes the shape's pool. A new shape (refs 1, a
 * reference on ctx), or NULL.
 */
struct lawlr_shape *lawlr_negotiate(struct lawlr_ctx *ctx, int w, int h,
				    const struct wlr_drm_format *f);

#endif
