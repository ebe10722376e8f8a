/* SPDX-License-Identifier: MIT */
/* The intersection of capability sets into a result's candidates (join.c). */
#ifndef LA_JOIN_H
#define LA_JOIN_H

#include "capindex.h"
#include "result.h"

/* Why a format lost all its candidates: the first reason in the smallest set's order. */
struct la_conflict {
	uint32_t format;
	uint32_t spos; /* position of the dropped key in the smallest set */
	char *text;
};

struct la_conflicts {
	struct la_conflict *c;
	size_t n, cap;
};

/*
 * Fills res->cands (and the arrays they index) with the (format, modifier)
 * keys every set lists, merged, in preference order: the caller's format
 * order, then the devices' summed positions, then the modifier; without
 * caller formats the first set's order. idx[i] is sets[i]'s index.
 * Formats that lost every candidate to a conflict are in *conf, in the
 * smallest set's order. Returns 0 or -ENOMEM.
 */
int la_join(struct la_result *res, const struct la_assertion *a, struct la_capset *const *sets,
	    const struct la_capset_index *const *idx, size_t n, struct la_conflicts *conf);
void la_conflicts_fini(struct la_conflicts *conf);

/* merge.c: what merging a combination of interned limits reads. */
struct la_limits_in {
	struct la_capset *const *sets;
	const struct la_capset_index *const *idx;
	size_t n;
	uint32_t width, height;
};
/*
 * Merges the limits t[i] of each set i into *m and *planes. On a conflict,
 * why names it and *fail_set is the set that caused it (n for a size limit
 * of the merged constraints), as a merge device by device would find it.
 */
int la_merge_limits(const struct la_limits_in *in, const uint32_t *t, struct la_constraints *m,
		    uint32_t *planes, uint32_t *fail_set, char *why, size_t len);
/* An implicit layout is read back only by a device that shares it (implicit.c). */
bool la_implicit_shared(const struct la_capset *a, const struct la_capset *b, char *why,
			size_t why_len);

#endif
