/* SPDX-License-Identifier: MIT */
/* Each format's common entries in preference order, per combination of lists (pattern.c). */
#ifndef LA_PATTERN_H
#define LA_PATTERN_H

#include "capindex.h"
#include "tuplemap.h"

/* Where the scratch starts: the caller's, uninitialised (on its stack). */
struct la_pattern_bufs {
	uint32_t lists[4 * LA_MAX_DEVICES];
	uint32_t pat[128];
	uint32_t pat_at[8];
	const struct la_cap_mod *col[64];
};

struct la_patterns {
	const struct la_capset_index *const *idx;
	size_t n;
	/*
	 * Per combination of interned lists (entry e of lists): at
	 * pat[pat_at[e]], the number of survivors, then for each, in order,
	 * its entry in each group.
	 */
	struct la_tuple_map lists;
	uint32_t *pat, *pat_at;
	size_t n_pat, cap_pat, cap_pat_at;
	const struct la_cap_mod **col; /* add_pattern(): n entries per modifier of set 0 */
	size_t cap_col;
	const struct la_pattern_bufs *bufs;
};

void la_patterns_init(struct la_patterns *p, const struct la_capset_index *const *idx, size_t n,
		      struct la_pattern_bufs *bufs);
/*
 * The survivors of groups g (g[i] in idx[i], one format): *out[0] is their
 * number, then for each, in preference order, n indexes into the groups.
 * Valid until the next call. 0 or -ENOMEM.
 */
int la_patterns_get(struct la_patterns *p, const struct la_cap_group *const *g,
		    const uint32_t **out);
void la_patterns_fini(struct la_patterns *p);

#endif
