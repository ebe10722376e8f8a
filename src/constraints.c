/* SPDX-License-Identifier: MIT */
/*
 * Merging the constraints of several devices into one set every device
 * accepts: alignments by least common multiple (0 = none, never divided
 * by), limits by minimum (0 = none), requirements by union.
 */
#include <errno.h>

#include "private.h"

uint64_t la_gcd_u64(uint64_t a, uint64_t b)
{
	while (b) {
		uint64_t t = a % b;
		a = b;
		b = t;
	}
	return a;
}

bool la_lcm_u64(uint64_t a, uint64_t b, uint64_t *r)
{
	if (a == 0 || b == 0) {
		*r = a ? a : b;
		return true;
	}
	return la_mul_u64(a / la_gcd_u64(a, b), b, r);
}

static bool lcm32(uint32_t a, uint32_t b, uint32_t *r)
{
	uint64_t v;
	if (!la_lcm_u64(a, b, &v) || v > UINT32_MAX)
		return false;
	*r = (uint32_t)v;
	return true;
}

static uint64_t min_limit(uint64_t a, uint64_t b)
{
	if (a == 0)
		return b;
	if (b == 0)
		return a;
	return a < b ? a : b;
}

static int merge_alignments(struct la_constraints *acc, const struct la_constraints *in,
			    const char **what)
{
	for (int p = 0; p < LA_MAX_PLANES; p++) {
		if (!la_lcm_u64(acc->pitch_align[p], in->pitch_align[p], &acc->pitch_align[p])) {
			*what = "pitch alignment";
			return -EOVERFLOW;
		}
		if (!la_lcm_u64(acc->offset_align[p], in->offset_align[p], &acc->offset_align[p])) {
			*what = "offset alignment";
			return -EOVERFLOW;
		}
	}
	if (!la_lcm_u64(acc->size_align, in->size_align, &acc->size_align)) {
		*what = "size alignment";
		return -EOVERFLOW;
	}
	if (!la_lcm_u64(acc->base_align, in->base_align, &acc->base_align)) {
		*what = "base address alignment";
		return -EOVERFLOW;
	}
	if (!lcm32(acc->width_align, in->width_align, &acc->width_align)) {
		*what = "width alignment";
		return -EOVERFLOW;
	}
	if (!lcm32(acc->height_align, in->height_align, &acc->height_align)) {
		*what = "height alignment";
		return -EOVERFLOW;
	}
	return 0;
}

static int merge_flags(struct la_constraints *acc, const struct la_constraints *in,
		       const char **what)
{
	uint32_t a = acc->caching ? acc->caching : LA_CACHING_ANY;
	uint32_t b = in->caching ? in->caching : LA_CACHING_ANY;
	uint32_t ok_a = acc->flags & (LA_CONSTRAINT_PROTECTED_OK | LA_CONSTRAINT_PROTECTED_REQUIRED);
	uint32_t ok_b = in->flags & (LA_CONSTRAINT_PROTECTED_OK | LA_CONSTRAINT_PROTECTED_REQUIRED);

	if (!(a & b)) {
		*what = "CPU caching";
		return -EINVAL;
	}
	acc->caching = (a & b) == LA_CACHING_ANY ? 0 : (a & b);
	/* Protected memory is possible only if every device may use it. */
	bool all_ok = ok_a && ok_b;
	uint32_t req = (acc->flags | in->flags) & LA_CONSTRAINT_PROTECTED_REQUIRED;
	if (req && !all_ok) {
		*what = "protected memory";
		return -EINVAL;
	}
	acc->flags = (acc->flags | in->flags) & ~LA_CONSTRAINT_PROTECTED_OK;
	if (all_ok)
		acc->flags |= LA_CONSTRAINT_PROTECTED_OK;
	return 0;
}

int la_constraints_merge(struct la_constraints *acc, const struct la_constraints *in,
			 const char **what)
{
	int ret = merge_alignments(acc, in, what);

	if (ret < 0)
		return ret;
	acc->max_pitch = min_limit(acc->max_pitch, in->max_pitch);
	acc->max_size = min_limit(acc->max_size, in->max_size);
	acc->max_width = (uint32_t)min_limit(acc->max_width, in->max_width);
	acc->max_height = (uint32_t)min_limit(acc->max_height, in->max_height);
	acc->dma_addr_bits = (uint32_t)min_limit(acc->dma_addr_bits, in->dma_addr_bits);
	return merge_flags(acc, in, what);
}
