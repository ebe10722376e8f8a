/* SPDX-License-Identifier: MIT */
/*
 * What a user would write without liballoc: intersect the devices' lists
 * pairwise with nested loops. It only finds the common (format, modifier)
 * pairs; it merges no constraints, computes no layout and ranks no
 * allocation path, so the ratio against liballoc is conservative.
 */
#ifndef BENCH_BASELINE_H
#define BENCH_BASELINE_H

#include "profiles.h"

struct bench_pair {
	uint32_t format;
	uint64_t modifier;
};

/*
 * Common pairs of devs[0..n) in devs[0]'s order. *out is malloc()ed (free()
 * it), even when *n_out is 0. 0 or -ENOMEM.
 */
int bench_nested_intersect(const struct bench_device *devs, size_t n, struct bench_pair **out,
			   size_t *n_out);

/* Sorts both lists and compares them; true when they hold the same pairs. */
bool bench_pairs_equal(struct bench_pair *a, size_t na, struct bench_pair *b, size_t nb);

#endif
