/* SPDX-License-Identifier: MIT */
/*
 * The common entries of one format's groups (one group per device) in
 * preference order: the devices' positions summed, then the modifier. Two
 * formats whose groups have the same interned lists (capindex.h: the same
 * modifiers at the same relative positions) have the same answer, since
 * their sums differ by a constant; so a negotiation merges the sorted
 * lists and orders the survivors once per combination of lists, and every
 * other format with it only reads the answer.
 */
#include <errno.h>
#include <stdlib.h>

#include "grow.h"
#include "pattern.h"

/*
 * For each of set 0's modifiers of a format, set i's entry (col[m * n + i])
 * or NULL: a merge of the two sorted lists.
 */
static void match_set(const struct la_patterns *p, const struct la_cap_group *const *g, size_t i,
		      const struct la_cap_mod **col)
{
	const struct la_cap_mod *x = &p->idx[0]->mods[g[0]->first];
	const struct la_cap_mod *y = &p->idx[i]->mods[g[i]->first];
	size_t a = 0, b = 0, n = p->n;

	for (size_t m = 0; m < g[0]->n; m++)
		col[m * n + i] = NULL;
	while (a < g[0]->n && b < g[i]->n) {
		uint64_t u = x[a].modifier, v = y[b].modifier;
		if (u == v)
			col[a * n + i] = &y[b];
		a += u <= v;
		b += v <= u;
	}
}

/* A survivor of a format while its order is worked out. */
struct scored {
	uint64_t score; /* the devices' positions summed: lower is preferred */
	uint64_t modifier;
	uint32_t m;     /* its modifier in set 0's group */
};

static int cmp_scored(const void *a, const void *b)
{
	const struct scored *x = a, *y = b;
	if (x->score != y->score)
		return x->score < y->score ? -1 : 1;
	return x->modifier < y->modifier ? -1 : x->modifier > y->modifier;
}

static void sort_scored(struct scored *s, size_t n)
{
	if (n > 16) {
		qsort(s, n, sizeof(*s), cmp_scored);
		return;
	}
	for (size_t i = 1; i < n; i++) {
		struct scored v = s[i];
		size_t k = i;
		for (; k > 0 && cmp_scored(&s[k - 1], &v) > 0; k--)
			s[k] = s[k - 1];
		s[k] = v;
	}
}

/* Works out the survivors of groups g (whose lists are t) as entry p->lists.n. */
static int add_pattern(struct la_patterns *p, const struct la_cap_group *const *g, const uint32_t *t)
{
	size_t n = p->n, n0 = g[0]->n, n_out = 0, at = p->n_pat;
	struct scored s_start[16], *s = s_start;
	size_t cap_s = LA_ARRAY_SIZE(s_start);
	int ret = la_grow(&s, &cap_s, n0, sizeof(*s), s_start);

	if (ret == 0)
		ret = la_grow(&p->col, &p->cap_col, n0 * n, sizeof(*p->col), p->bufs->col);

	if (ret == 0)
		ret = la_grow(&p->pat, &p->cap_pat, at + 1 + n0 * n, sizeof(*p->pat), p->bufs->pat);
	if (ret == 0)
		ret = la_grow(&p->pat_at, &p->cap_pat_at, p->lists.n + 1, sizeof(*p->pat_at),
			      p->bufs->pat_at);
	if (ret < 0) {
		la_grow_free(s, s_start);
		return ret;
	}
	for (size_t i = 1; i < n; i++)
		match_set(p, g, i, p->col);
	for (size_t m = 0; m < n0; m++) {
		const struct la_cap_mod *const *e = &p->col[m * n];
		const struct la_cap_mod *e0 = &p->idx[0]->mods[g[0]->first + m];
		uint64_t score = e0->pos;
		bool common = true;
		for (size_t i = 1; i < n && common; i++)
			if ((common = e[i] != NULL))
				score += e[i]->pos;
		if (common)
			s[n_out++] = (struct scored){score, e0->modifier, (uint32_t)m};
	}
	sort_scored(s, n_out);
	p->pat[at] = (uint32_t)n_out;
	for (size_t k = 0; k < n_out; k++) {
		uint32_t *out = &p->pat[at + 1 + k * n];
		out[0] = s[k].m;
		for (size_t i = 1; i < n; i++)
			out[i] = (uint32_t)(p->col[s[k].m * n + i] - &p->idx[i]->mods[g[i]->first]);
	}
	la_grow_free(s, s_start);
	ret = la_tuple_map_add(&p->lists, t);
	if (ret == 0) {
		p->pat_at[p->lists.n - 1] = (uint32_t)at;
		p->n_pat = at + 1 + n_out * n;
	}
	return ret;
}

int la_patterns_get(struct la_patterns *p, const struct la_cap_group *const *g, const uint32_t **out)
{
	uint32_t t[LA_MAX_DEVICES];
	long found;

	for (size_t i = 0; i < p->n; i++)
		t[i] = g[i]->list;
	found = la_tuple_map_find(&p->lists, t);
	if (found < 0) {
		int ret = add_pattern(p, g, t);
		if (ret < 0)
			return ret;
		found = (long)p->lists.n - 1;
	}
	*out = &p->pat[p->pat_at[found]];
	return 0;
}

void la_patterns_init(struct la_patterns *p, const struct la_capset_index *const *idx, size_t n,
		      struct la_pattern_bufs *bufs)
{
	*p = (struct la_patterns){
		.idx = idx, .n = n, .bufs = bufs,
		.pat = bufs->pat, .cap_pat = LA_ARRAY_SIZE(bufs->pat),
		.pat_at = bufs->pat_at, .cap_pat_at = LA_ARRAY_SIZE(bufs->pat_at),
		.col = bufs->col, .cap_col = LA_ARRAY_SIZE(bufs->col),
	};
	la_tuple_map_init(&p->lists, n, bufs->lists, LA_ARRAY_SIZE(bufs->lists) / n);
}

void la_patterns_fini(struct la_patterns *p)
{
	la_tuple_map_fini(&p->lists);
	la_grow_free(p->pat, p->bufs->pat);
	la_grow_free(p->pat_at, p->bufs->pat_at);
	la_grow_free(p->col, p->bufs->col);
}
