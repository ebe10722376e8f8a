/* SPDX-License-Identifier: MIT */
/*
 * What negotiation reads of a capability set, built once per set and kept in
 * it (struct la_capset.index) until a candidate is added: the candidates
 * grouped by format, each group's distinct modifiers sorted by value, and
 * every candidate's (plane_count, constraints) interned so that a
 * negotiation merges each distinct combination once instead of per
 * candidate.
 */
#ifndef LA_CAPINDEX_H
#define LA_CAPINDEX_H

#include "private.h"

struct la_cap_mod {
	uint64_t modifier;
	uint32_t pos; /* the first candidate with this key: the device's preference */
	uint32_t cid; /* its interned (plane_count, constraints) */
};

struct la_cap_group {
	uint32_t format;
	uint32_t first; /* mods[first .. first + n), ascending modifier */
	uint32_t n;
	/*
	 * Interned (modifier, position - the group's first position) list:
	 * groups with one list id intersect with another device's alike and
	 * order their survivors alike, so a negotiation works that out once.
	 */
	uint32_t list;
	uint32_t cid; /* the interned limits all its entries share, or LA_CAP_MIXED */
};
#define LA_CAP_MIXED UINT32_MAX

struct la_capset_index {
	struct la_cap_group *groups; /* in order of first appearance */
	size_t n_groups;
	struct la_cap_mod *mods;
	uint32_t *table; /* open addressing on the format: group index + 1, 0 = empty */
	size_t mask;
	uint32_t *cid_pos; /* interned id -> a candidate that has it */
	size_t n_cids;
	size_t n_lists;
};

/*
 * The set's index, built now if it has none. Concurrent negotiations may
 * share a set (liballoc.h, thread safety): the first index published wins.
 */
int la_capset_index_get(struct la_capset *set, const struct la_capset_index **out);
void la_capset_index_free(struct la_capset_index *idx);
/* Drops the set's index (a candidate was added). */
void la_capset_index_reset(struct la_capset *set);

static inline size_t la_cap_hash_format(uint32_t format)
{
	uint64_t h = format * UINT64_C(0x9e3779b97f4a7c15);
	return (size_t)(h ^ (h >> 32));
}

/* The group of format, or NULL. */
static inline const struct la_cap_group *la_cap_group_of(const struct la_capset_index *idx,
							 uint32_t format)
{
	for (size_t i = la_cap_hash_format(format) & idx->mask;; i = (i + 1) & idx->mask) {
		uint32_t v = idx->table[i];
		if (v == 0)
			return NULL;
		if (idx->groups[v - 1].format == format)
			return &idx->groups[v - 1];
	}
}

/* The entry of modifier in group g, or NULL. */
const struct la_cap_mod *la_cap_find_mod(const struct la_capset_index *idx,
					 const struct la_cap_group *g, uint64_t modifier);

#endif
