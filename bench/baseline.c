/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "baseline.h"

static bool offers(const struct bench_device *d, uint32_t format, uint64_t modifier)
{
	for (size_t j = 0; j < d->n; j++)
		if (d->cands[j].format == format && d->cands[j].modifier == modifier)
			return true;
	return false;
}

int bench_nested_intersect(const struct bench_device *devs, size_t n, struct bench_pair **out,
			   size_t *n_out)
{
	struct bench_pair *cur = malloc((devs[0].n ? devs[0].n : 1) * sizeof(*cur));
	size_t k = 0;

	if (!cur)
		return -ENOMEM;
	for (size_t j = 0; j < devs[0].n; j++)
		cur[k++] = (struct bench_pair){devs[0].cands[j].format, devs[0].cands[j].modifier};
	/* keep what the next device also offers, in place */
	for (size_t i = 1; i < n; i++) {
		size_t kept = 0;
		for (size_t j = 0; j < k; j++)
			if (offers(&devs[i], cur[j].format, cur[j].modifier))
				cur[kept++] = cur[j];
		k = kept;
	}
	*out = cur;
	*n_out = k;
	return 0;
}

static int cmp_pair(const void *a, const void *b)
{
	const struct bench_pair *x = a, *y = b;
	if (x->format != y->format)
		return x->format < y->format ? -1 : 1;
	return x->modifier < y->modifier ? -1 : x->modifier > y->modifier;
}

bool bench_pairs_equal(struct bench_pair *a, size_t na, struct bench_pair *b, size_t nb)
{
	if (na != nb)
		return false;
	qsort(a, na, sizeof(*a), cmp_pair);
	qsort(b, nb, sizeof(*b), cmp_pair);
	for (size_t i = 0; i < na; i++)
		if (cmp_pair(&a[i], &b[i]) != 0)
			return false;
	return true;
}
