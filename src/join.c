/* SPDX-License-Identifier: MIT */
/*
 * The keys every device lists, straight from the sets' indexes
 * (capindex.h). With caller formats, format by format in the caller's
 * order, each format's survivors and their order coming from pattern.c,
 * so a format costs a few lookups and its survivors' records; without
 * caller formats, the first device's list in its order, each run of one
 * format asking pattern.c which of its entries survive.
 * Either way the survivors come out in preference order, and nothing is
 * sorted or hashed per candidate. Limits are merged once per distinct
 * combination of the devices' interned limits (merge.c); a result record
 * is a few words pointing at the merged constraints.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grow.h"
#include "join.h"
#include "pattern.h"

/* A combination of interned limits, one per device, merged. */
struct merged_limits {
	int ret;           /* 0, or why the combination cannot be merged */
	uint32_t fail_set; /* the device whose merge failed; n when none did */
	uint32_t merged;   /* index into res->merged when ret == 0 */
	uint32_t plane_count;
	char *why;
};

#define SEEN UINT32_C(0x80000000) /* set 0's group already joined (a repeated caller format) */

/* Where the scratch of a negotiation starts: on the stack, uninitialised. */
struct join_bufs {
	struct merged_limits merges[4];
	uint32_t limits[4 * LA_MAX_DEVICES];
	struct la_pattern_bufs patterns;
	uint32_t gstate[256];
};

struct join {
	struct la_result *res;
	struct la_capset *const *sets;
	const struct la_capset_index *const *idx;
	size_t n, smallest;
	struct la_limits_in in;
	uint64_t *mods; /* the caller's modifiers, sorted; NULL = any */
	size_t n_mods;
	/* per combination of interned limits */
	struct la_tuple_map limits;
	struct merged_limits *merges;
	size_t cap_merges;
	struct la_patterns patterns;
	int8_t implicit[LA_MAX_DEVICES]; /* set 0's implicit layout shared with set i: 1, -1, 0 unknown */
	uint32_t *gstate; /* per group of set 0: SEEN | conflict index + 1 */
	uint32_t planes_format; /* the format table's plane count of the last format asked */
	uint32_t planes;
	bool planes_known;
	size_t cap_cands, cap_merged, cap_layouts;
	struct la_conflicts *conf;
	const struct join_bufs *bufs;
};

/* ---- the caller's modifier filter ---- */

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static bool modifier_allowed(const struct join *j, uint64_t mod)
{
	return !j->mods || bsearch(&mod, j->mods, j->n_mods, sizeof(mod), cmp_u64) != NULL;
}

/* ---- merged limits, once per combination ---- */

static int add_limits(struct join *j, const uint32_t *t)
{
	struct la_result *res = j->res;
	struct merged_limits *e;
	struct la_constraints m;
	char why[512];

	if (la_grow(&j->merges, &j->cap_merges, j->limits.n + 1, sizeof(*e), j->bufs->merges) < 0)
		return -ENOMEM;
	e = &j->merges[j->limits.n];
	*e = (struct merged_limits){0};
	e->ret = la_merge_limits(&j->in, t, &m, &e->plane_count, &e->fail_set, why, sizeof(why));
	if (e->ret < 0 && !(e->why = strdup(why)))
		return -ENOMEM;
	if (e->ret == 0) {
		if (la_grow(&res->merged, &j->cap_merged, res->n_merged + 1, sizeof(m), NULL) < 0)
			return -ENOMEM;
		e->merged = (uint32_t)res->n_merged;
		res->merged[res->n_merged++] = m;
	}
	if (la_tuple_map_add(&j->limits, t) < 0) {
		free(e->why);
		return -ENOMEM;
	}
	return 0;
}

/* The merge of the limits t names (one interned id per set): an index into j->merges. */
static int limits_of(struct join *j, const uint32_t *t, size_t *out)
{
	long found = la_tuple_map_find(&j->limits, t);

	if (found < 0) {
		if (add_limits(j, t) < 0)
			return -ENOMEM;
		found = (long)j->limits.n - 1;
	}
	*out = (size_t)found;
	return 0;
}

/* ---- one common key ---- */

/* The first device that cannot share set 0's implicit layout (why says so), or n. */
static size_t implicit_refused(struct join *j, char *why, size_t len)
{
	for (size_t i = 1; i < j->n; i++) {
		if (j->implicit[i] > 0)
			continue;
		bool shared = la_implicit_shared(j->sets[0], j->sets[i], why, len);
		j->implicit[i] = shared ? 1 : -1;
		if (!shared)
			return i;
	}
	return j->n;
}

static int record_conflict(struct join *j, uint32_t format, uint64_t mod, const char *why,
			   uint32_t spos, size_t group0)
{
	struct la_conflicts *cf = j->conf;
	uint32_t *state = &j->gstate[group0];
	char *text;

	if (la_log_enabled(j->res->ctx, LA_LOG_DEBUG)) {
		char name[32];
		la_format_name(format, name, sizeof(name));
		la_dbg(j->res->ctx, "negotiation: dropped %s modifier 0x%llx: %s", name,
		       (unsigned long long)mod, why);
	}
	/* one reason per format is enough for a diagnosis: the first in the smallest set */
	struct la_conflict *c = (*state & ~SEEN) ? &cf->c[(*state & ~SEEN) - 1] : NULL;
	if (c && c->spos < spos)
		return 0;
	if (!(text = strdup(why)))
		return -ENOMEM;
	if (c) {
		free(c->text);
		c->text = text;
		c->spos = spos;
		return 0;
	}
	if (la_grow(&cf->c, &cf->cap, cf->n + 1, sizeof(*cf->c), NULL) < 0) {
		free(text);
		return -ENOMEM;
	}
	cf->c[cf->n++] = (struct la_conflict){format, spos, text};
	*state |= (uint32_t)cf->n;
	return 0;
}

static uint32_t table_planes(struct join *j, uint32_t format)
{
	struct la_format_info fi;

	if (!j->planes_known || j->planes_format != format) {
		j->planes = la_format_get_info(format, &fi) == 0 ? fi.plane_count : 0;
		j->planes_format = format;
		j->planes_known = true;
	}
	return j->planes;
}

/* Apart from add_layout(): the reason buffer is large and only linear candidates need it. */
static __attribute__((noinline)) int add_linear_layout(struct join *j, struct la_result_cand *rec,
						       char *why, size_t len)
{
	struct la_result *res = j->res;
	struct la_why layout_why = {0};
	struct la_layout l;
	int ret = la_layout_compute_why(rec->format, res->width, res->height,
				    &res->merged[rec->merged], &l, &layout_why);
	if (ret < 0) {
		snprintf(why, len, "no valid layout: %.400s", layout_why.text);
		return ret;
	}
	if (la_grow(&res->layouts, &j->cap_layouts, res->n_layouts + 1, sizeof(l), NULL) < 0)
		return -ENOMEM;
	if (rec->plane_count == 0)
		rec->plane_count = l.plane_count;
	rec->layout = (uint32_t)res->n_layouts;
	res->layouts[res->n_layouts++] = l;
	return 0;
}

static int add_layout(struct join *j, struct la_result_cand *rec, char *why, size_t len)
{
	if (rec->modifier == LA_MODIFIER_LINEAR)
		return add_linear_layout(j, rec, why, len);
	if (rec->plane_count == 0)
		rec->plane_count = table_planes(j, rec->format);
	return 0;
}

/*
 * Keeps the key (format, modifier) every device lists, merged as m, unless
 * a conflict drops it. small is the key's entry in the smallest set.
 */
static __attribute__((noinline)) int take_checked(struct join *j, uint32_t format, uint64_t modifier, const struct merged_limits *m,
		const struct la_cap_mod *small, size_t group0, struct la_result_cand *rec,
		bool *kept)
{
	const char *text = NULL;
	char why[512];
	size_t refused = j->n;
	int ret;

	*kept = false;
	if (modifier == LA_MODIFIER_IMPLICIT)
		refused = implicit_refused(j, why, sizeof(why));
	/* device by device, the implicit layout is checked before the limits */
	if (refused < j->n && refused <= m->fail_set) {
		text = why;
	} else if (m->ret < 0) {
		text = m->why;
	} else {
		*rec = (struct la_result_cand){modifier, format, m->plane_count, m->merged,
					       LA_NO_LAYOUT};
		ret = add_layout(j, rec, why, sizeof(why));
		if (ret == -ENOMEM)
			return ret;
		if (ret < 0)
			text = why;
	}
	if (text)
		return record_conflict(j, format, modifier, text, small->pos, group0);
	*kept = true;
	return 0;
}

/* take_checked(), without a call for what most keys are: merged, tiled, plane count known. */
static inline int take(struct join *j, uint32_t format, uint64_t modifier,
		       const struct merged_limits *m, const struct la_cap_mod *small, size_t group0,
		       struct la_result_cand *rec, bool *kept)
{
	if (m->ret < 0 || m->plane_count == 0 || modifier == LA_MODIFIER_LINEAR ||
	    modifier == LA_MODIFIER_IMPLICIT)
		return take_checked(j, format, modifier, m, small, group0, rec, kept);
	*rec = (struct la_result_cand){modifier, format, m->plane_count, m->merged, LA_NO_LAYOUT};
	*kept = true;
	return 0;
}

static int append(struct join *j, const struct la_result_cand *rec)
{
	struct la_result *res = j->res;

	if (la_grow(&res->cands, &j->cap_cands, res->n_cands + 1, sizeof(*rec), NULL) < 0)
		return -ENOMEM;
	res->cands[res->n_cands++] = *rec;
	return 0;
}

/* ---- caller formats: one format at a time, in the caller's order ---- */

/* The modifiers of format f every device lists, in preference order. */
static int join_format(struct join *j, uint32_t f, const struct la_cap_group *const *g,
		       size_t group0)
{
	struct la_result *res = j->res;
	const struct la_cap_mod *base[LA_MAX_DEVICES];
	uint32_t t[LA_MAX_DEVICES];
	const uint32_t *pat;
	size_t n = j->n, lim = 0;
	bool uniform = true;
	int ret = la_patterns_get(&j->patterns, g, &pat);

	if (ret < 0)
		return ret;
	for (size_t i = 0; i < n; i++) {
		base[i] = &j->idx[i]->mods[g[i]->first];
		t[i] = g[i]->cid;
		uniform &= t[i] != LA_CAP_MIXED;
	}
	/* a format whose entries share their limits on every device merges them once */
	if (uniform && pat[0])
		ret = limits_of(j, t, &lim);
	if (ret == 0)
		ret = la_grow(&res->cands, &j->cap_cands, res->n_cands + pat[0], sizeof(*res->cands),
			      NULL);
	for (uint32_t k = 0; k < pat[0] && ret == 0; k++) {
		const uint32_t *at = &pat[1 + k * n];
		uint64_t mod = base[0][at[0]].modifier;
		bool kept;
		if (j->mods && !modifier_allowed(j, mod))
			continue;
		for (size_t i = 0; i < n && !uniform; i++)
			t[i] = base[i][at[i]].cid;
		if (!uniform && (ret = limits_of(j, t, &lim)) < 0)
			break;
		ret = take(j, f, mod, &j->merges[lim], &base[j->smallest][at[j->smallest]], group0,
			   &res->cands[res->n_cands], &kept);
		res->n_cands += kept;
	}
	return ret;
}

static int join_preferred(struct join *j, const struct la_assertion *a)
{
	const struct la_cap_group *g[LA_MAX_DEVICES];
	int ret = 0;

	for (size_t f = 0; f < a->n_formats && ret == 0; f++) {
		bool all = true;
		g[0] = la_cap_group_of(j->idx[0], a->formats[f]);
		if (!g[0])
			continue;
		size_t group0 = (size_t)(g[0] - j->idx[0]->groups);
		/* a repeated format keeps its first (most preferred) rank */
		if (j->gstate[group0] & SEEN)
			continue;
		j->gstate[group0] |= SEEN;
		for (size_t i = 1; i < j->n && all; i++)
			all = (g[i] = la_cap_group_of(j->idx[i], a->formats[f])) != NULL;
		if (all)
			ret = join_format(j, a->formats[f], g, group0);
	}
	return ret;
}

/* ---- no caller formats: the first device's order ---- */

/*
 * A run of set 0's list with one format: its groups and, per entry of set
 * 0's group, its survivor in the format's pattern (index + 1, 0 = none).
 */
struct run {
	uint32_t format;
	bool started, all;
	const struct la_cap_group *g[LA_MAX_DEVICES];
	const uint32_t *pat;
	uint32_t *slot;
	size_t cap_slot;
	uint32_t slot_start[64];
};

static int run_start(struct join *j, struct run *r, uint32_t format)
{
	int ret;

	r->format = format;
	r->started = r->all = true;
	for (size_t i = 0; i < j->n && r->all; i++)
		r->all = (r->g[i] = la_cap_group_of(j->idx[i], format)) != NULL;
	if (!r->all)
		return 0;
	ret = la_patterns_get(&j->patterns, r->g, &r->pat);
	if (ret == 0)
		ret = la_grow(&r->slot, &r->cap_slot, r->g[0]->n, sizeof(*r->slot), r->slot_start);
	if (ret < 0)
		return ret;
	memset(r->slot, 0, r->g[0]->n * sizeof(*r->slot));
	for (uint32_t k = 0; k < r->pat[0]; k++)
		r->slot[r->pat[1 + k * j->n]] = k + 1;
	return 0;
}

static int join_in_order(struct join *j)
{
	const struct la_capset *s0 = j->sets[0];
	const struct la_cap_mod *e[LA_MAX_DEVICES];
	uint32_t t[LA_MAX_DEVICES];
	struct run r;
	size_t lim;
	int ret = 0;

	r.started = false;
	r.slot = r.slot_start;
	r.cap_slot = LA_ARRAY_SIZE(r.slot_start);
	for (size_t c = 0; c < s0->n_cands && ret == 0; c++) {
		const struct la_candidate *cand = &s0->cands[c];
		struct la_result_cand rec;
		bool kept;
		if ((!r.started || cand->format != r.format) &&
		    (ret = run_start(j, &r, cand->format)) < 0)
			break;
		if (!r.all || !modifier_allowed(j, cand->modifier))
			continue;
		/* a device listing one key twice: its first entry wins */
		const struct la_cap_mod *mods0 = &j->idx[0]->mods[r.g[0]->first];
		e[0] = la_cap_find_mod(j->idx[0], r.g[0], cand->modifier);
		uint32_t k = r.slot[e[0] - mods0];
		if (e[0]->pos != c || k == 0)
			continue;
		const uint32_t *at = &r.pat[1 + (k - 1) * j->n];
		for (size_t i = 0; i < j->n; i++) {
			e[i] = &j->idx[i]->mods[r.g[i]->first + at[i]];
			t[i] = e[i]->cid;
		}
		ret = limits_of(j, t, &lim);
		if (ret == 0)
			ret = take(j, r.format, cand->modifier, &j->merges[lim], e[j->smallest],
				   (size_t)(r.g[0] - j->idx[0]->groups), &rec, &kept);
		if (ret == 0 && kept)
			ret = append(j, &rec);
	}
	la_grow_free(r.slot, r.slot_start);
	return ret;
}

/* ---- setup ---- */

static int filter_init(struct join *j, const struct la_assertion *a)
{
	if (!a->modifiers || !a->n_modifiers)
		return 0;
	j->mods = malloc(a->n_modifiers * sizeof(*j->mods));
	if (!j->mods)
		return -ENOMEM;
	memcpy(j->mods, a->modifiers, a->n_modifiers * sizeof(*j->mods));
	qsort(j->mods, a->n_modifiers, sizeof(*j->mods), cmp_u64);
	j->n_mods = a->n_modifiers;
	return 0;
}

static int cmp_conflict(const void *a, const void *b)
{
	const struct la_conflict *x = a, *y = b;
	return x->spos < y->spos ? -1 : x->spos > y->spos;
}

static void join_fini(struct join *j)
{
	for (size_t i = 0; i < j->limits.n; i++)
		free(j->merges[i].why);
	la_grow_free(j->merges, j->bufs->merges);
	la_tuple_map_fini(&j->limits);
	la_patterns_fini(&j->patterns);
	la_grow_free(j->gstate, j->bufs->gstate);
	free(j->mods);
}

/*
 * Room for the survivors at once when there are few: at most as many as the
 * smallest set has. Beyond a few thousand, doubling as needed keeps the
 * block of a smaller result below the allocator's mmap threshold.
 */
static int reserve_cands(struct join *j)
{
	size_t bound = j->sets[j->smallest]->n_cands;

	if (bound > 1024)
		bound = 1024;
	return bound ? la_grow(&j->res->cands, &j->cap_cands, bound, sizeof(*j->res->cands), NULL)
		     : 0;
}

static int join_start(struct join *j, struct join_bufs *b, const struct la_assertion *a)
{
	size_t n_groups = j->idx[0]->n_groups, n = j->n;

	j->bufs = b;
	j->merges = b->merges;
	j->cap_merges = LA_ARRAY_SIZE(b->merges);
	la_tuple_map_init(&j->limits, n, b->limits, LA_ARRAY_SIZE(b->limits) / n);
	la_patterns_init(&j->patterns, j->idx, n, &b->patterns);
	for (size_t i = 1; i < n; i++)
		if (j->sets[i]->n_cands < j->sets[j->smallest]->n_cands)
			j->smallest = i;
	if (n_groups <= LA_ARRAY_SIZE(b->gstate))
		j->gstate = memset(b->gstate, 0, n_groups * sizeof(*j->gstate));
	else if (!(j->gstate = calloc(n_groups, sizeof(*j->gstate))))
		return -ENOMEM;
	return filter_init(j, a) < 0 || reserve_cands(j) < 0 ? -ENOMEM : 0;
}

int la_join(struct la_result *res, const struct la_assertion *a, struct la_capset *const *sets,
	    const struct la_capset_index *const *idx, size_t n, struct la_conflicts *conf)
{
	struct join j = {
		.res = res, .sets = sets, .idx = idx, .n = n, .conf = conf,
		.in = {sets, idx, n, res->width, res->height},
	};
	struct join_bufs b;
	int ret = join_start(&j, &b, a);

	if (ret == 0)
		ret = a->n_formats ? join_preferred(&j, a) : join_in_order(&j);
	/* the diagnosis lists conflicts in the order the smallest set has them */
	if (ret == 0 && conf->n > 1)
		qsort(conf->c, conf->n, sizeof(*conf->c), cmp_conflict);
	join_fini(&j);
	return ret;
}

void la_conflicts_fini(struct la_conflicts *conf)
{
	for (size_t i = 0; i < conf->n; i++)
		free(conf->c[i].text);
	free(conf->c);
	*conf = (struct la_conflicts){0};
}
