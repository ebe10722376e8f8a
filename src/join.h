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

#endif
