/* SPDX-License-Identifier: MIT */
/* The dumb-buffer probe's answer as probe cache text (dumb-answer.c). */
#ifndef LA_DRM_DUMB_ANSWER_H
#define LA_DRM_DUMB_ANSWER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Larger alignments than this are not believed (a corrupt answer). */
#define DRM_DUMB_ALIGN_MAX (1u << 20)

/* "<align> <reason>" into out; -1 if align is not 0 or a power of two up to
 * DRM_DUMB_ALIGN_MAX, reason is empty or out too short. */
int drm_dumb_answer_format(uint32_t align, const char *reason, char *out, size_t len);
/* The reverse; false (nothing written) for any text format would not give
 * or a reason longer than len - 1. */
bool drm_dumb_answer_parse(const char *text, uint32_t *align, char *reason, size_t len);

#endif
