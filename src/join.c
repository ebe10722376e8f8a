/* SPDX-License-Identifier: MIT */
/*
 * The keys every device lists, straight from the sets' indexes
 * (capindex.h): per caller format, a merge of the devices' sorted modifier
 * lists; without caller formats, the first device's list in its order. So
 * the survivors come out in preference order (only a format's own few
 * candidates are sorted) and nothing is hashed or sorted per candidate.
 * Constraints are merged once per distinct combination of the devices'
 * interned limits (memo below), not once per candidate; a result record is
 * a few words pointing at the merged constraints.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "join.h"

/* A combination of interned limits, one per device, merged. */
struct memo_entry {
	int ret;           /* 0, or why the combination cannot be merged */
	uint32_t fail_set; /* the device whose merge failed; n when none did */
	uint32_t merged;   /* index into res->merged when ret == 0 */
	uint32_t plane_count;
	char *why;
};

#define MEMO_LINEAR 8 /* entries searched linearly before a hash table pays */

struct memo {
	struct memo_entry *e;
	size_t n, cap;
	uint32_t *tuples; /* n_sets ids per entry */
	size_t cap_tuples;
	uint32_t *table;  /* entry + 1, 0 = empty; NULL while n <= MEMO_LINEAR */
	size_t mask;
	size_t last;      /* the entry found last: consecutive keys mostly share one */
};

/* A survivor of one format waiting to be ordered. */
struct scored {
	uint64_t score;
	struct la_result_cand rec;
};

#define SEEN UINT32_C(0x80000000) /* set 0's group already joined (a repeated caller format) */

struct join {
	struct la_result *res;
	struct la_capset *const *sets;
	const struct la_capset_index *const *idx;
	size_t n, smallest;
	uint64_t *mods; /* the caller's modifiers, sorted; NULL = any */
	size_t n_mods;
	struct memo memo;
	int8_t implicit[LA_MAX_DEVICES]; /* set 0's implicit layout shared with set i: 1, -1, 0 unknown */
	uint32_t *gstate; /* per group of set 0: SEEN | conflict index + 1 */
	uint32_t gstate_inline[256];
	uint32_t planes_format; /* the format table's plane count of the last format asked */
	uint32_t planes;
	bool planes_known;
	struct scored *scratch;
	size_t cap_scratch, cap_cands, cap_merged, cap_layouts;
	struct la_conflicts *conf;
};

static int grow(void **p, size_t *cap, size_t need, size_t size, size_t first)
{
	size_t c = *cap ? *cap : first;
	void *q;

	if (need <= *cap)
		return 0;
	while (c < need)
		c *= 2;
	q = realloc(*p, c * size);
	if (!q)
		return -ENOMEM;
	*p = q;
	*cap = c;
	return 0;
}

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

/* ---- merging one combination of limits ---- */

static const struct la_candidate *rep(const struct join *j, size_t set, uint32_t cid)
{
	return &j->sets[set]->cands[j->idx[set]->cid_pos[cid]];
}

/*
 * Width and height limits hold whatever the modifier. The layout code
 * checks them for linear candidates only, so check every combination here
 * and name the device whose limit refused it.
 */
static int check_size_limits(const struct join *j, const uint32_t *t,
			     const struct la_constraints *c, char *why, size_t len)
{
	uint32_t width = j->res->width, height = j->res->height;
	bool wide = c->max_width && width > c->max_width;
	const char *owner = "the merged constraints";

	if (!wide && !(c->max_height && height > c->max_height))
		return 0;
	for (size_t i = 0; i < j->n; i++) {
		const struct la_constraints *k = &rep(j, i, t[i])->constraints;
		if (wide ? k->max_width == c->max_width : k->max_height == c->max_height) {
			owner = j->sets[i]->identity.label;
			break;
		}
	}
	if (wide)
		snprintf(why, len, "width %u exceeds max_width %u of %s", width, c->max_width, owner);
	else
		snprintf(why, len, "height %u exceeds max_height %u of %s", height, c->max_height,
			 owner);
	return -EINVAL;
}

/* Merges the limits t names into m; on a conflict, *fail_set is the device that caused it. */
static int merge_limits(const struct join *j, const uint32_t *t, struct la_constraints *m,
			uint32_t *planes, uint32_t *fail_set, char *why, size_t len)
{
	const struct la_candidate *c0 = rep(j, 0, t[0]);

	*m = c0->constraints;
	*planes = c0->plane_count;
	for (size_t i = 1; i < j->n; i++) {
		const struct la_candidate *c = rep(j, i, t[i]);
		const char *what = NULL;
		*fail_set = (uint32_t)i;
		if (c->plane_count && *planes && c->plane_count != *planes) {
			snprintf(why, len, "%s wants %u memory planes, %s wants %u",
				 j->sets[0]->identity.label, *planes, j->sets[i]->identity.label,
				 c->plane_count);
			return -EINVAL;
		}
		if (c->plane_count)
			*planes = c->plane_count;
		int ret = la_constraints_merge(m, &c->constraints, &what);
		if (ret < 0) {
			snprintf(why, len, "%s of %s %s", what, j->sets[i]->identity.label,
				 ret == -EOVERFLOW ? "overflows when merged with the others"
						   : "conflicts with the others");
			return ret;
		}
	}
	*fail_set = (uint32_t)j->n;
	/*
	 * Requiring protected memory implies being able to use it. Merging
	 * (merge_flags()) records that for two or more devices; a device
	 * negotiating alone must get the same, or paths.c would find that
	 * "not every device may access" the protected memory it requires.
	 */
	if (m->flags & LA_CONSTRAINT_PROTECTED_REQUIRED)
		m->flags |= LA_CONSTRAINT_PROTECTED_OK;
	return check_size_limits(j, t, m, why, len);
}

static int memo_add(struct join *j, const uint32_t *t, struct memo_entry *e)
{
	struct la_result *res = j->res;
	struct la_constraints m;
	char why[512];

	*e = (struct memo_entry){0};
	e->ret = merge_limits(j, t, &m, &e->plane_count, &e->fail_set, why, sizeof(why));
	if (e->ret < 0)
		return (e->why = strdup(why)) ? 0 : -ENOMEM;
	if (grow((void **)&res->merged, &j->cap_merged, res->n_merged + 1, sizeof(m), 4) < 0)
		return -ENOMEM;
	e->merged = (uint32_t)res->n_merged;
	res->merged[res->n_merged++] = m;
	return 0;
}

static size_t tuple_hash(const uint32_t *t, size_t n)
{
	uint64_t h = 0;

	for (size_t i = 0; i < n; i++)
		h = (h ^ t[i]) * UINT64_C(0x9e3779b97f4a7c15);
	return (size_t)(h ^ (h >> 31));
}

static bool tuple_is(const struct join *j, size_t e, const uint32_t *t)
{
	return memcmp(&j->memo.tuples[e * j->n], t, j->n * sizeof(*t)) == 0;
}

/* The hash table over the entries, rebuilt at twice their number. */
static int memo_rehash(struct join *j)
{
	struct memo *mm = &j->memo;
	size_t size = 16;

	while (size < 2 * mm->n)
		size *= 2;
	if (mm->table && size <= mm->mask + 1)
		return 0;
	free(mm->table);
	mm->table = calloc(size, sizeof(*mm->table));
	if (!mm->table)
		return -ENOMEM;
	mm->mask = size - 1;
	for (size_t e = 0; e < mm->n; e++) {
		size_t i = tuple_hash(&mm->tuples[e * j->n], j->n) & mm->mask;
		while (mm->table[i])
			i = (i + 1) & mm->mask;
		mm->table[i] = (uint32_t)(e + 1);
	}
	return 0;
}

static long memo_find(const struct join *j, const uint32_t *t)
{
	const struct memo *mm = &j->memo;

	if (!mm->table) {
		for (size_t e = 0; e < mm->n; e++)
			if (tuple_is(j, e, t))
				return (long)e;
		return -1;
	}
	for (size_t i = tuple_hash(t, j->n) & mm->mask; mm->table[i]; i = (i + 1) & mm->mask)
		if (tuple_is(j, mm->table[i] - 1, t))
			return (long)(mm->table[i] - 1);
	return -1;
}

/* The merge of the devices' limits for key e[]; the entry lives until the next call. */
static int memo_get(struct join *j, const struct la_cap_mod *const *e,
		    const struct memo_entry **out)
{
	struct memo *mm = &j->memo;
	uint32_t t[LA_MAX_DEVICES];
	long found;

	for (size_t i = 0; i < j->n; i++)
		t[i] = e[i]->cid;
	if (mm->n && tuple_is(j, mm->last, t)) {
		*out = &mm->e[mm->last];
		return 0;
	}
	found = memo_find(j, t);
	if (found < 0) {
		if (grow((void **)&mm->e, &mm->cap, mm->n + 1, sizeof(*mm->e), 4) < 0 ||
		    grow((void **)&mm->tuples, &mm->cap_tuples, (mm->n + 1) * j->n, sizeof(*t),
			 4 * j->n) < 0)
			return -ENOMEM;
		memcpy(&mm->tuples[mm->n * j->n], t, j->n * sizeof(*t));
		if (memo_add(j, t, &mm->e[mm->n]) < 0)
			return -ENOMEM;
		found = (long)mm->n++;
		if (mm->n > MEMO_LINEAR && memo_rehash(j) < 0)
			return -ENOMEM;
	}
	mm->last = (size_t)found;
	*out = &mm->e[found];
	return 0;
}

static void memo_fini(struct memo *mm)
{
	for (size_t i = 0; i < mm->n; i++)
		free(mm->e[i].why);
	free(mm->e);
	free(mm->tuples);
	free(mm->table);
}

/* ---- one common key ---- */

/* An implicit layout is read back only by a device that shares it (implicit.c). */
static bool implicit_shared(const struct la_capset *a, const struct la_capset *b, char *why,
			    size_t why_len)
{
	const struct la_identity *x = &a->identity, *y = &b->identity;
	struct la_layout_id ia, ib;
	char da[96], db[96];

	la_layout_id_of_identity(x, &ia);
	la_layout_id_of_identity(y, &ib);
	if (la_layout_id_shared(&ia, &ib))
		return true;
	la_layout_id_describe(&ia, da, sizeof(da));
	la_layout_id_describe(&ib, db, sizeof(db));
	if (strcmp(x->driver, y->driver) != 0)
		snprintf(why, why_len, "implicit modifier cannot be shared between %s and %s "
			 "(different drivers, no common layout domain)", x->label, y->label);
	else
		snprintf(why, why_len, "implicit modifier cannot be shared between %s (%s) and %s (%s): "
			 "different devices of driver %s; an implicit layout is shared only within "
			 "one device or a layout domain its backend declares", x->label, da, y->label,
			 db, x->driver);
	return false;
}

/* The first device that cannot share set 0's implicit layout (why says so), or n. */
static size_t implicit_refused(struct join *j, char *why, size_t len)
{
	for (size_t i = 1; i < j->n; i++) {
		if (j->implicit[i] > 0)
			continue;
		bool shared = implicit_shared(j->sets[0], j->sets[i], why, len);
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
	if (grow((void **)&cf->c, &cf->cap, cf->n + 1, sizeof(*cf->c), 4) < 0) {
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

static int add_layout(struct join *j, struct la_result_cand *rec, char *why, size_t len)
{
	struct la_result *res = j->res;
	struct la_why layout_why = {0};
	struct la_layout l;
	int ret;

	if (rec->modifier != LA_MODIFIER_LINEAR) {
		if (rec->plane_count == 0)
			rec->plane_count = table_planes(j, rec->format);
		return 0;
	}
	ret = la_layout_compute_why(rec->format, res->width, res->height,
				    &res->merged[rec->merged], &l, &layout_why);
	if (ret < 0) {
		snprintf(why, len, "no valid layout: %.400s", layout_why.text);
		return ret;
	}
	if (grow((void **)&res->layouts, &j->cap_layouts, res->n_layouts + 1, sizeof(l), 4) < 0)
		return -ENOMEM;
	if (rec->plane_count == 0)
		rec->plane_count = l.plane_count;
	rec->layout = (uint32_t)res->n_layouts;
	res->layouts[res->n_layouts++] = l;
	return 0;
}

/* Merges the key every device lists at e[]; *kept unless a conflict dropped it. */
static int take(struct join *j, const struct la_cap_mod *const *e, uint32_t format,
		size_t group0, struct la_result_cand *rec, bool *kept)
{
	const struct memo_entry *m;
	const char *text = NULL;
	char why[512];
	size_t refused = j->n;
	int ret = memo_get(j, e, &m);

	*kept = false;
	if (ret < 0)
		return ret;
	if (e[0]->modifier == LA_MODIFIER_IMPLICIT)
		refused = implicit_refused(j, why, sizeof(why));
	/* device by device, the implicit layout is checked before the limits */
	if (refused < j->n && refused <= m->fail_set) {
		text = why;
	} else if (m->ret < 0) {
		text = m->why;
	} else {
		*rec = (struct la_result_cand){e[0]->modifier, format, m->plane_count, m->merged,
					       LA_NO_LAYOUT};
		ret = add_layout(j, rec, why, sizeof(why));
		if (ret == -ENOMEM)
			return ret;
		if (ret < 0)
			text = why;
	}
	if (text)
		return record_conflict(j, format, e[0]->modifier, text, e[j->smallest]->pos, group0);
	*kept = true;
	return 0;
}

static int append(struct join *j, const struct la_result_cand *rec)
{
	struct la_result *res = j->res;

	if (grow((void **)&res->cands, &j->cap_cands, res->n_cands + 1, sizeof(*rec), 64) < 0)
		return -ENOMEM;
	res->cands[res->n_cands++] = *rec;
	return 0;
}

/* ---- caller formats: one format at a time, in the caller's order ---- */

static int cmp_scored(const void *a, const void *b)
{
	const struct scored *x = a, *y = b;
	if (x->score != y->score)
		return x->score < y->score ? -1 : 1;
	return x->rec.modifier < y->rec.modifier ? -1 : x->rec.modifier > y->rec.modifier;
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

/* The modifiers of format f every device lists: a merge of their sorted lists. */
static int join_format(struct join *j, uint32_t f, const struct la_cap_group *const *g,
		       size_t group0)
{
	const struct la_cap_mod *e[LA_MAX_DEVICES];
	size_t cur[LA_MAX_DEVICES] = {0}, n_out = 0;
	const struct la_cap_mod *mods0 = &j->idx[0]->mods[g[0]->first];
	int ret = grow((void **)&j->scratch, &j->cap_scratch, g[0]->n, sizeof(*j->scratch), 16);

	for (size_t m = 0; m < g[0]->n && ret == 0; m++) {
		uint64_t mod = mods0[m].modifier;
		uint64_t score = mods0[m].pos;
		bool common = true, kept;
		e[0] = &mods0[m];
		for (size_t i = 1; i < j->n && common; i++) {
			const struct la_cap_mod *mi = &j->idx[i]->mods[g[i]->first];
			while (cur[i] < g[i]->n && mi[cur[i]].modifier < mod)
				cur[i]++;
			if (cur[i] == g[i]->n)
				goto done; /* this device lists no larger modifier */
			common = mi[cur[i]].modifier == mod;
			e[i] = &mi[cur[i]];
			score += e[i]->pos;
		}
		if (!common || !modifier_allowed(j, mod))
			continue;
		ret = take(j, e, f, group0, &j->scratch[n_out].rec, &kept);
		if (kept)
			j->scratch[n_out++].score = score;
	}
done:
	sort_scored(j->scratch, n_out);
	for (size_t i = 0; i < n_out && ret == 0; i++)
		ret = append(j, &j->scratch[i].rec);
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

static int join_in_order(struct join *j)
{
	const struct la_capset *s0 = j->sets[0];
	const struct la_cap_group *g[LA_MAX_DEVICES];
	const struct la_cap_mod *e[LA_MAX_DEVICES];
	bool all = false, have = false;
	uint32_t format = 0;
	int ret = 0;

	for (size_t c = 0; c < s0->n_cands && ret == 0; c++) {
		const struct la_candidate *cand = &s0->cands[c];
		struct la_result_cand rec;
		bool kept;
		if (!have || cand->format != format) {
			format = cand->format;
			have = all = true;
			for (size_t i = 0; i < j->n && all; i++)
				all = (g[i] = la_cap_group_of(j->idx[i], format)) != NULL;
		}
		if (!all || !modifier_allowed(j, cand->modifier))
			continue;
		/* a device listing one key twice: its first entry wins */
		e[0] = la_cap_find_mod(j->idx[0], g[0], cand->modifier);
		if (e[0]->pos != c)
			continue;
		bool common = true;
		for (size_t i = 1; i < j->n && common; i++)
			common = (e[i] = la_cap_find_mod(j->idx[i], g[i], cand->modifier)) != NULL;
		if (!common)
			continue;
		ret = take(j, e, format, (size_t)(g[0] - j->idx[0]->groups), &rec, &kept);
		if (ret == 0 && kept)
			ret = append(j, &rec);
	}
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

int la_join(struct la_result *res, const struct la_assertion *a, struct la_capset *const *sets,
	    const struct la_capset_index *const *idx, size_t n, struct la_conflicts *conf)
{
	struct join jj = {.res = res, .sets = sets, .idx = idx, .n = n, .conf = conf}, *j = &jj;
	size_t n_groups = idx[0]->n_groups;
	int ret;

	for (size_t i = 1; i < n; i++)
		if (sets[i]->n_cands < sets[j->smallest]->n_cands)
			j->smallest = i;
	j->gstate = n_groups <= LA_ARRAY_SIZE(j->gstate_inline)
			    ? j->gstate_inline
			    : calloc(n_groups, sizeof(*j->gstate));
	ret = j->gstate ? filter_init(j, a) : -ENOMEM;
	if (ret == 0)
		ret = a->n_formats ? join_preferred(j, a) : join_in_order(j);
	/* the diagnosis lists conflicts in the order the smallest set has them */
	if (ret == 0 && conf->n > 1)
		qsort(conf->c, conf->n, sizeof(*conf->c), cmp_conflict);
	if (j->gstate != j->gstate_inline)
		free(j->gstate);
	memo_fini(&j->memo);
	free(j->mods);
	free(j->scratch);
	return ret;
}

void la_conflicts_fini(struct la_conflicts *conf)
{
	for (size_t i = 0; i < conf->n; i++)
		free(conf->c[i].text);
	free(conf->c);
	*conf = (struct la_conflicts){0};
}
