/* SPDX-License-Identifier: MIT */
/*
 * The negotiation index of a capability set (capindex.h). Building it is
 * linear in the candidates (hashing, then sorting each format's modifiers);
 * a set negotiated again reuses it, so a negotiation never sorts or hashes
 * a device's whole list.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "capindex.h"

/* Hashed and compared as bytes: the fields leave no hole up to flags. */
#define CONSTRAINT_BYTES (offsetof(struct la_constraints, flags) + sizeof(uint32_t))
_Static_assert(CONSTRAINT_BYTES == 2 * LA_MAX_PLANES * sizeof(uint64_t) + 4 * sizeof(uint64_t) +
		       7 * sizeof(uint32_t),
	       "struct la_constraints has padding before flags");

static bool same_limits(const struct la_candidate *a, const struct la_candidate *b)
{
	return a->plane_count == b->plane_count &&
	       memcmp(&a->constraints, &b->constraints, CONSTRAINT_BYTES) == 0;
}

static size_t limits_hash(const struct la_candidate *c)
{
	const unsigned char *p = (const unsigned char *)&c->constraints;
	uint64_t h = c->plane_count * UINT64_C(0x9e3779b97f4a7c15);

	for (size_t i = 0; i + sizeof(uint32_t) <= CONSTRAINT_BYTES; i += sizeof(uint32_t)) {
		uint32_t w;
		memcpy(&w, p + i, sizeof(w));
		h = (h ^ w) * UINT64_C(0x100000001b3);
	}
	return (size_t)(h ^ (h >> 29));
}

/* Scratch of one build: where each candidate went, and the interning table. */
struct build {
	const struct la_capset *set;
	struct la_capset_index *idx;
	uint32_t *group_of;
	uint32_t *ctab; /* interned id + 1, 0 = empty */
	size_t cmask;
};

static size_t table_size(size_t n)
{
	size_t size = 16;

	while (size < 2 * n)
		size *= 2;
	return size;
}

/*
 * Tables of entry + 1 (0 = empty), probed linearly. They start small and
 * double at half load, so that the memory a build touches follows the
 * distinct formats and limits, not the candidates.
 */
typedef size_t (*entry_hash)(const struct build *b, uint32_t entry);

static int table_fit(const struct build *b, uint32_t **slots, size_t *mask, size_t n,
		     entry_hash hash)
{
	size_t size = table_size(n);
	uint32_t *t;

	if (size <= *mask + 1)
		return 0;
	t = calloc(size, sizeof(*t));
	if (!t)
		return -ENOMEM;
	for (size_t i = 0; i <= *mask; i++) {
		if (!(*slots)[i])
			continue;
		size_t k = hash(b, (*slots)[i] - 1) & (size - 1);
		while (t[k])
			k = (k + 1) & (size - 1);
		t[k] = (*slots)[i];
	}
	free(*slots);
	*slots = t;
	*mask = size - 1;
	return 0;
}

static size_t group_hash(const struct build *b, uint32_t g)
{
	return la_cap_hash_format(b->idx->groups[g].format);
}

static size_t cid_hash(const struct build *b, uint32_t cid)
{
	return limits_hash(&b->set->cands[b->idx->cid_pos[cid]]);
}

static int group_for(struct build *b, uint32_t format, uint32_t *out)
{
	struct la_capset_index *idx = b->idx;
	size_t i = la_cap_hash_format(format) & idx->mask;

	for (;; i = (i + 1) & idx->mask) {
		uint32_t v = idx->table[i];
		if (v == 0)
			break;
		if (idx->groups[v - 1].format == format) {
			*out = v - 1;
			return 0;
		}
	}
	idx->groups[idx->n_groups] = (struct la_cap_group){.format = format};
	idx->table[i] = (uint32_t)++idx->n_groups;
	*out = (uint32_t)(idx->n_groups - 1);
	return table_fit(b, &idx->table, &idx->mask, idx->n_groups, group_hash);
}

static int intern(struct build *b, uint32_t pos, uint32_t *out)
{
	struct la_capset_index *idx = b->idx;
	const struct la_candidate *c = &b->set->cands[pos];
	size_t i = limits_hash(c) & b->cmask;

	for (;; i = (i + 1) & b->cmask) {
		uint32_t v = b->ctab[i];
		if (v == 0)
			break;
		if (same_limits(&b->set->cands[idx->cid_pos[v - 1]], c)) {
			*out = v - 1;
			return 0;
		}
	}
	idx->cid_pos[idx->n_cids] = pos;
	b->ctab[i] = (uint32_t)++idx->n_cids;
	*out = (uint32_t)(idx->n_cids - 1);
	return table_fit(b, &b->ctab, &b->cmask, idx->n_cids, cid_hash);
}

static int cmp_mod(const void *a, const void *b)
{
	const struct la_cap_mod *x = a, *y = b;
	if (x->modifier != y->modifier)
		return x->modifier < y->modifier ? -1 : 1;
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

/* By modifier, then position; the first of equal modifiers is kept. */
static uint32_t sort_group(struct la_cap_mod *m, uint32_t n)
{
	uint32_t kept = 0;

	if (n <= 16) {
		for (uint32_t i = 1; i < n; i++) {
			struct la_cap_mod v = m[i];
			uint32_t j = i;
			for (; j > 0 && cmp_mod(&m[j - 1], &v) > 0; j--)
				m[j] = m[j - 1];
			m[j] = v;
		}
	} else {
		qsort(m, n, sizeof(*m), cmp_mod);
	}
	for (uint32_t i = 0; i < n; i++)
		if (kept == 0 || m[kept - 1].modifier != m[i].modifier)
			m[kept++] = m[i];
	return kept;
}

static int place(struct build *b)
{
	struct la_capset_index *idx = b->idx;
	const struct la_candidate *cands = b->set->cands;
	uint32_t first = 0, cid = 0;

	for (size_t g = 0; g < idx->n_groups; g++) {
		idx->groups[g].first = first;
		first += idx->groups[g].n;
		idx->groups[g].n = 0;
	}
	for (uint32_t i = 0; i < b->set->n_cands; i++) {
		struct la_cap_group *g = &idx->groups[b->group_of[i]];
		/* lists usually repeat one device-wide set of limits */
		if ((i == 0 || !same_limits(&cands[i - 1], &cands[i])) && intern(b, i, &cid) < 0)
			return -ENOMEM;
		idx->mods[g->first + g->n++] = (struct la_cap_mod){cands[i].modifier, i, cid};
	}
	/* sort each group, then close the gaps its duplicates left */
	first = 0;
	for (size_t g = 0; g < idx->n_groups; g++) {
		struct la_cap_group *gr = &idx->groups[g];
		uint32_t n = sort_group(&idx->mods[gr->first], gr->n);
		memmove(&idx->mods[first], &idx->mods[gr->first], n * sizeof(*idx->mods));
		gr->first = first;
		gr->n = n;
		gr->cid = idx->mods[first].cid;
		for (uint32_t k = 1; k < n; k++)
			if (idx->mods[first + k].cid != gr->cid)
				gr->cid = LA_CAP_MIXED;
		first += n;
	}
	return 0;
}

static uint32_t group_base(const struct la_capset_index *idx, const struct la_cap_group *g)
{
	uint32_t base = UINT32_MAX;

	for (uint32_t k = 0; k < g->n; k++)
		base = idx->mods[g->first + k].pos < base ? idx->mods[g->first + k].pos : base;
	return base;
}

static size_t list_hash(const struct la_capset_index *idx, const struct la_cap_group *g)
{
	uint32_t base = group_base(idx, g);
	uint64_t h = g->n;

	for (uint32_t k = 0; k < g->n; k++) {
		const struct la_cap_mod *m = &idx->mods[g->first + k];
		h = (h ^ m->modifier ^ ((uint64_t)(m->pos - base) << 40)) * UINT64_C(0x100000001b3);
	}
	return (size_t)(h ^ (h >> 29));
}

static bool same_list(const struct la_capset_index *idx, const struct la_cap_group *a,
		      const struct la_cap_group *b)
{
	uint32_t ba = group_base(idx, a), bb = group_base(idx, b);

	if (a->n != b->n)
		return false;
	for (uint32_t k = 0; k < a->n; k++) {
		const struct la_cap_mod *x = &idx->mods[a->first + k], *y = &idx->mods[b->first + k];
		if (x->modifier != y->modifier || x->pos - ba != y->pos - bb)
			return false;
	}
	return true;
}

/* Numbers the groups' distinct lists; rep has room for one group per list. */
static int intern_lists(struct la_capset_index *idx, uint32_t *rep)
{
	size_t mask = table_size(idx->n_groups) - 1;
	uint32_t *ltab = calloc(mask + 1, sizeof(*ltab));

	if (!ltab)
		return -ENOMEM;
	for (size_t g = 0; g < idx->n_groups; g++) {
		struct la_cap_group *gr = &idx->groups[g];
		size_t i = list_hash(idx, gr) & mask;
		for (;; i = (i + 1) & mask) {
			uint32_t v = ltab[i];
			if (v == 0) {
				rep[idx->n_lists] = (uint32_t)g;
				gr->list = (uint32_t)idx->n_lists;
				ltab[i] = (uint32_t)++idx->n_lists;
				break;
			}
			if (same_list(idx, &idx->groups[rep[v - 1]], gr)) {
				gr->list = v - 1;
				break;
			}
		}
	}
	free(ltab);
	return 0;
}

static int fill(struct build *b)
{
	struct la_capset_index *idx = b->idx;

	for (size_t i = 0; i < b->set->n_cands; i++) {
		if (group_for(b, b->set->cands[i].format, &b->group_of[i]) < 0)
			return -ENOMEM;
		idx->groups[b->group_of[i]].n++;
	}
	if (place(b) < 0)
		return -ENOMEM;
	/* group_of is free again: it holds each list's first group */
	return intern_lists(idx, b->group_of);
}

static int build(const struct la_capset *set, struct la_capset_index **out)
{
	size_t alloc_n = set->n_cands ? set->n_cands : 1, size = table_size(0);
	struct la_capset_index *idx = calloc(1, sizeof(*idx));
	struct build b = {.set = set, .idx = idx, .cmask = size - 1};
	int ret = -ENOMEM;

	if (!idx)
		return -ENOMEM;
	idx->mask = size - 1;
	idx->table = calloc(size, sizeof(*idx->table));
	idx->groups = malloc(alloc_n * sizeof(*idx->groups));
	idx->mods = malloc(alloc_n * sizeof(*idx->mods));
	idx->cid_pos = malloc(alloc_n * sizeof(*idx->cid_pos));
	b.group_of = malloc(alloc_n * sizeof(*b.group_of));
	b.ctab = calloc(size, sizeof(*b.ctab));
	if (idx->table && idx->groups && idx->mods && idx->cid_pos && b.group_of && b.ctab)
		ret = fill(&b);
	free(b.group_of);
	free(b.ctab);
	if (ret < 0)
		la_capset_index_free(idx);
	else
		*out = idx;
	return ret;
}

int la_capset_index_get(struct la_capset *set, const struct la_capset_index **out)
{
	struct la_capset_index *idx = __atomic_load_n(&set->index, __ATOMIC_ACQUIRE), *none = NULL;
	int ret;

	if (!idx) {
		ret = build(set, &idx);
		if (ret < 0)
			return ret;
		if (!__atomic_compare_exchange_n(&set->index, &none, idx, false, __ATOMIC_ACQ_REL,
						 __ATOMIC_ACQUIRE)) {
			la_capset_index_free(idx);
			idx = none;
		}
	}
	*out = idx;
	return 0;
}

void la_capset_index_free(struct la_capset_index *idx)
{
	if (!idx)
		return;
	free(idx->table);
	free(idx->groups);
	free(idx->mods);
	free(idx->cid_pos);
	free(idx);
}

void la_capset_index_reset(struct la_capset *set)
{
	la_capset_index_free(set->index);
	set->index = NULL;
}

const struct la_cap_mod *la_cap_find_mod(const struct la_capset_index *idx,
					 const struct la_cap_group *g, uint64_t modifier)
{
	const struct la_cap_mod *m = &idx->mods[g->first];
	size_t lo = 0, hi = g->n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (m[mid].modifier < modifier)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < g->n && m[lo].modifier == modifier ? &m[lo] : NULL;
}
