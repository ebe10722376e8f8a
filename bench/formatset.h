/* SPDX-License-Identifier: MIT */
/*
 * How compositors intersect DRM format sets (wlroots' drm_format_set is
 * the model), written from the algorithm as the baseline of the
 * format-set points of bench/negotiate: a set is a list of formats, each
 * with its list of modifiers; a ∩ b searches each format of a linearly in
 * b's formats, then keeps each of its modifiers that a linear scan finds
 * in b's list, allocating one result format per common format. Three sets
 * are intersected as (a ∩ b) ∩ c. It merges no constraint and ranks
 * nothing, so the ratio against liballoc is conservative.
 */
#ifndef BENCH_FORMATSET_H
#define BENCH_FORMATSET_H

#include "profiles.h"

struct bench_fmt {
	uint32_t format;
	size_t len, cap;
	uint64_t mods[]; /* in the order they were added */
};

struct bench_fmtset {
	struct bench_fmt **formats;
	size_t len, cap;
};

/* Adds (format, modifier) unless present. 0 or -ENOMEM. */
int bench_fmtset_add(struct bench_fmtset *s, uint32_t format, uint64_t modifier);
/* *out = a ∩ b (out starts empty). 0 or -ENOMEM. */
int bench_fmtset_intersect(const struct bench_fmtset *a, const struct bench_fmtset *b,
			   struct bench_fmtset *out);
/* (format, modifier) pairs in s. */
size_t bench_fmtset_pairs(const struct bench_fmtset *s);
void bench_fmtset_fini(struct bench_fmtset *s);

/*
 * The devices of the format-set points: n_formats formats x n_mods
 * modifiers, starting at format fshift and modifier mshift of one synthetic
 * range (so that shifted devices overlap in part), every modifier tiled
 * (no linear layout to compute), one plane, pitch_align as given.
 */
int bench_shifted_device(size_t n_formats, size_t n_mods, size_t fshift, size_t mshift,
			 uint64_t pitch_align, const char *label, struct bench_device *out);
/* d's candidates as a format set. */
int bench_device_fmtset(const struct bench_device *d, struct bench_fmtset *out);

#endif
