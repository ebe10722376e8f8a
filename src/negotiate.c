/* SPDX-License-Identifier: MIT */
/*
 * N-device negotiation. The smallest device's (format, modifier) keys go in
 * a hash table; every device's list is scanned once against it (a hash
 * join), so the cost is linear in the candidates instead of pairwise nested
 * loops or sorting every list (which was ~80% of a negotiation).
 * Survivors get merged constraints and a linear layout, then are ordered by
 * the caller's format preference and the devices' modifier preference.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "result.h"

struct entry {
	uint32_t format;
	uint32_t pos; /* position in the device's own list: its preference */
	uint64_t modifier;
};

/* Where one device lists each key: entries[key].pos, or NO_POS. */
struct located {
	struct entry *entries;
	size_t n_entries;
};

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* Caller's formats sorted by code, with their preference rank. */
struct pref {
	uint32_t format;
	uint32_t rank;
};

static int cmp_pref(const void *a, const void *b)
{
	const struct pref *x = a, *y = b;
	if (x->format != y->format)
		return x->format < y->format ? -1 : 1;
	return x->rank < y->rank ? -1 : x->rank > y->rank;
}

struct filter {
	struct pref *prefs;
	size_t n_prefs;
	uint64_t *mods;
	size_t n_mods;
};

static const struct pref *find_pref(const struct filter *f, uint32_t format)
{
	struct pref key = {format, 0};
	size_t lo = 0, hi = f->n_prefs;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (cmp_pref(&f->prefs[mid], &key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < f->n_prefs && f->prefs[lo].format == format ? &f->prefs[lo] : NULL;
}

static bool modifier_allowed(const struct filter *f, uint64_t mod)
{
	if (!f->mods)
		return true;
	return bsearch(&mod, f->mods, f->n_mods, sizeof(mod), cmp_u64) != NULL;
}

static int filter_init(struct filter *f, const struct la_assertion *a)
{
	memset(f, 0, sizeof(*f));
	if (a->n_formats) {
		f->prefs = malloc(a->n_formats * sizeof(*f->prefs));
		if (!f->prefs)
			return -ENOMEM;
		for (size_t i = 0; i < a->n_formats; i++)
			f->prefs[i] = (struct pref){a->formats[i], (uint32_t)i};
		qsort(f->prefs, a->n_formats, sizeof(*f->prefs), cmp_pref);
		/* keep the first (most preferred) of duplicate formats */
		size_t n = 0;
		for (size_t i = 0; i < a->n_formats; i++)
			if (n == 0 || f->prefs[n - 1].format != f->prefs[i].format)
				f->prefs[n++] = f->prefs[i];
		f->n_prefs = n;
	}
	if (a->modifiers && a->n_modifiers) {
		f->mods = malloc(a->n_modifiers * sizeof(*f->mods));
		if (!f->mods) {
			free(f->prefs);
			return -ENOMEM;
		}
		memcpy(f->mods, a->modifiers, a->n_modifiers * sizeof(*f->mods));
		qsort(f->mods, a->n_modifiers, sizeof(*f->mods), cmp_u64);
		f->n_mods = a->n_modifiers;
	}
	return 0;
}

static void filter_fini(struct filter *f)
{
	free(f->prefs);
	free(f->mods);
}

/*
 * One key (format, modifier) of the smallest device, and where each
 * device lists it: per device an array aligned with the keys, pos
 * NO_POS where the device lacks it.
 */
#define NO_POS UINT32_MAX

struct keys {
	struct entry *unique; /* in the smallest device's order */
	size_t n_unique;
	uint32_t *table;   /* open addressing: key index + 1, 0 = empty */
	size_t mask;
};

static size_t key_hash(uint32_t format, uint64_t modifier)
{
	uint64_t h = (format * UINT64_C(0x9e3779b97f4a7c15)) ^ modifier;
	h ^= h >> 29;
	h *= UINT64_C(0xbf58476d1ce4e5b9);
	return (size_t)(h ^ (h >> 32));
}

/* Index of the key, or -1; *slot is where it would go. */
static long keys_find(const struct keys *k, uint32_t format, uint64_t modifier, size_t *slot)
{
	size_t i = key_hash(format, modifier) & k->mask;
	for (;; i = (i + 1) & k->mask) {
		uint32_t v = k->table[i];
		if (v == 0) {
			*slot = i;
			return -1;
		}
		const struct entry *e = &k->unique[v - 1];
		if (e->format == format && e->modifier == modifier)
			return (long)(v - 1);
	}
}

static int keys_build(struct keys *k, const struct la_capset *set, const struct filter *f)
{
	size_t size = 16;

	while (size < 2 * set->n_cands)
		size *= 2;
	k->n_unique = 0;
	k->mask = size - 1;
	k->unique = malloc((set->n_cands ? set->n_cands : 1) * sizeof(*k->unique));
	k->table = calloc(size, sizeof(*k->table));
	if (!k->unique || !k->table)
		return -ENOMEM;
	for (size_t i = 0; i < set->n_cands; i++) {
		const struct la_candidate *c = &set->cands[i];
		size_t slot;
		if (f->prefs && !find_pref(f, c->format))
			continue;
		if (!modifier_allowed(f, c->modifier))
			continue;
		/* a device listing one (format, modifier) twice: its first entry wins */
		if (keys_find(k, c->format, c->modifier, &slot) >= 0)
			continue;
		k->unique[k->n_unique] = (struct entry){c->format, (uint32_t)i, c->modifier};
		k->table[slot] = (uint32_t)++k->n_unique;
	}
	return 0;
}

static void keys_fini(struct keys *k)
{
	free(k->unique);
	free(k->table);
}

/* Where set lists each key (its first entry); filters already applied to the keys. */
static int locate(const struct keys *k, const struct la_capset *set, struct located *out)
{
	out->n_entries = k->n_unique;
	out->entries = malloc((k->n_unique ? k->n_unique : 1) * sizeof(*out->entries));
	if (!out->entries)
		return -ENOMEM;
	for (size_t i = 0; i < k->n_unique; i++)
		out->entries[i] = (struct entry){k->unique[i].format, NO_POS, k->unique[i].modifier};
	for (size_t i = 0; i < set->n_cands; i++) {
		const struct la_candidate *c = &set->cands[i];
		size_t slot;
		long idx = keys_find(k, c->format, c->modifier, &slot);
		if (idx >= 0 && out->entries[idx].pos == NO_POS)
			out->entries[idx].pos = (uint32_t)i;
	}
	return 0;
}

/* ---- diagnosis ---- */

static void fmt_name(uint32_t f, char *buf, size_t len)
{
	la_format_name(f, buf, len);
}

static void offered_formats(struct la_strbuf *sb, const struct la_capset *set)
{
	uint32_t seen[8];
	size_t n = 0;
	bool more = false;

	for (size_t i = 0; i < set->n_cands; i++) {
		uint32_t f = set->cands[i].format;
		bool dup = false;
		for (size_t j = 0; j < n; j++)
			dup |= seen[j] == f;
		if (dup)
			continue;
		if (n == LA_ARRAY_SIZE(seen)) {
			more = true;
			break;
		}
		seen[n++] = f;
	}
	if (n == 0) {
		la_strbuf_printf(sb, "nothing for this size and usage");
		return;
	}
	la_strbuf_printf(sb, "%s", n == 1 ? "only " : "");
	for (size_t j = 0; j < n; j++) {
		char name[32];
		fmt_name(seen[j], name, sizeof(name));
		la_strbuf_printf(sb, "%s%s", j ? ", " : "", name);
	}
	if (more)
		la_strbuf_printf(sb, ", ...");
}

/* Failure path only: the raw list, since located keys hold only formats worth merging. */
static bool set_has_format(const struct la_capset *set, uint32_t f)
{
	for (size_t i = 0; i < set->n_cands; i++)
		if (set->cands[i].format == f)
			return true;
	return false;
}

static const char *usage_text(uint64_t usage, char *buf, size_t len)
{
	size_t off = 0;
	buf[0] = '\0';
	for (int b = 0; b < 64 && off < len; b++) {
		uint64_t bit = UINT64_C(1) << b;
		if (!(usage & bit))
			continue;
		const char *n = la_usage_name(bit);
		int w = n ? snprintf(buf + off, len - off, "%s%s", off ? "+" : "", n)
			  : snprintf(buf + off, len - off, "%sbackend-usage-%d", off ? "+" : "", b);
		if (w < 0)
			break;
		off += (size_t)w;
	}
	return buf;
}

/* Why format f did not survive: the first device that lacks it, or the recorded conflict. */
static void explain_format(struct la_strbuf *sb, struct la_capset *const *sets, size_t n,
			   uint32_t f, const char *conflict)
{
	char name[32], usage[128];

	fmt_name(f, name, sizeof(name));
	for (size_t i = 0; i < n; i++) {
		if (set_has_format(sets[i], f))
			continue;
		la_strbuf_printf(sb, "%s: %s %s offers ", name, sets[i]->identity.label,
				 usage_text(sets[i]->identity.usage, usage, sizeof(usage)));
		offered_formats(sb, sets[i]);
		return;
	}
	if (conflict)
		la_strbuf_printf(sb, "%s: %s", name, conflict);
	else
		la_strbuf_printf(sb, "%s: the devices share no modifier for it", name);
}

/* ---- merging one common (format, modifier) ---- */

struct conflict {
	uint32_t format;
	char *text;
};

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

static int merge_candidate(struct la_capset *const *sets, const struct located *loc, size_t key,
			   size_t n, struct la_merged_candidate *out, char *why, size_t why_len)
{
	const struct entry *e0 = &loc[0].entries[key];
	struct la_candidate m = sets[0]->cands[e0->pos];
	uint64_t score = e0->pos;

	for (size_t i = 1; i < n; i++) {
		const struct entry *e = &loc[i].entries[key];
		const struct la_candidate *c = &sets[i]->cands[e->pos];
		const char *what = NULL;
		score += e->pos;
		if (e0->modifier == LA_MODIFIER_IMPLICIT && !implicit_shared(sets[0], sets[i], why, why_len))
			return -EINVAL;
		if (c->plane_count && m.plane_count && c->plane_count != m.plane_count) {
			snprintf(why, why_len, "%s wants %u memory planes, %s wants %u",
				 sets[0]->identity.label, m.plane_count, sets[i]->identity.label, c->plane_count);
			return -EINVAL;
		}
		if (c->plane_count)
			m.plane_count = c->plane_count;
		int ret = la_constraints_merge(&m.constraints, &c->constraints, &what);
		if (ret < 0) {
			snprintf(why, why_len, "%s of %s %s", what, sets[i]->identity.label,
				 ret == -EOVERFLOW ? "overflows when merged with the others"
						   : "conflicts with the others");
			return ret;
		}
	}
	/*
	 * Requiring protected memory implies being able to use it. Merging
	 * (merge_flags()) records that for two or more devices; a device
	 * negotiating alone must get the same, or paths.c would find that
	 * "not every device may access" the protected memory it requires.
	 */
	if (m.constraints.flags & LA_CONSTRAINT_PROTECTED_REQUIRED)
		m.constraints.flags |= LA_CONSTRAINT_PROTECTED_OK;
	out->cand = m;
	out->modifier_score = score;
	return 0;
}

static int add_layout(struct la_merged_candidate *merged, uint32_t w, uint32_t h, char *why, size_t len)
{
	struct la_format_info fi;
	int ret;

	if (merged->cand.modifier != LA_MODIFIER_LINEAR) {
		if (merged->cand.plane_count == 0 && la_format_get_info(merged->cand.format, &fi) == 0)
			merged->cand.plane_count = fi.plane_count;
		return 0;
	}
	struct la_why layout_why = {0};
	ret = la_layout_compute_why(merged->cand.format, w, h, &merged->cand.constraints,
				    &merged->layout, &layout_why);
	if (ret < 0) {
		snprintf(why, len, "no valid layout: %.400s", layout_why.text);
		return ret;
	}
	if (merged->cand.plane_count == 0)
		merged->cand.plane_count = merged->layout.plane_count;
	merged->has_layout = true;
	return 0;
}

static int cmp_merged_candidate(const void *a, const void *b)
{
	const struct la_merged_candidate *x = a, *y = b;
	if (x->format_rank != y->format_rank)
		return x->format_rank < y->format_rank ? -1 : 1;
	if (x->modifier_score != y->modifier_score)
		return x->modifier_score < y->modifier_score ? -1 : 1;
	if (x->cand.modifier != y->cand.modifier)
		return x->cand.modifier < y->cand.modifier ? -1 : 1;
	return 0;
}

struct walk {
	struct la_result *res;
	struct la_capset *const *sets;
	struct located *loc;
	size_t n_sets;
	const struct filter *filter;
	struct conflict *conflicts;
	size_t n_conflicts;
};

static uint32_t format_rank(const struct walk *w, uint32_t format, uint32_t pos0)
{
	const struct pref *p = w->filter->prefs ? find_pref(w->filter, format) : NULL;
	/* without a caller preference, the first device's order decides */
	return p ? p->rank : pos0;
}

static int record_conflict(struct walk *w, uint32_t format, uint64_t mod, const char *why)
{
	struct conflict *c;

	if (la_log_enabled(w->res->ctx, LA_LOG_DEBUG)) {
		char name[32];
		fmt_name(format, name, sizeof(name));
		la_dbg(w->res->ctx, "negotiation: dropped %s modifier 0x%llx: %s", name,
		       (unsigned long long)mod, why);
	}
	for (size_t i = 0; i < w->n_conflicts; i++)
		if (w->conflicts[i].format == format)
			return 0; /* first reason per format is enough for a diagnosis */
	c = realloc(w->conflicts, (w->n_conflicts + 1) * sizeof(*c));
	if (!c)
		return -ENOMEM;
	w->conflicts = c;
	c[w->n_conflicts].format = format;
	c[w->n_conflicts].text = strdup(why);
	if (!c[w->n_conflicts].text)
		return -ENOMEM;
	w->n_conflicts++;
	return 0;
}

/*
 * Width and height limits hold whatever the modifier. The layout code
 * checks them for linear candidates only, so check every candidate here and
 * name the device whose limit refused it.
 */
static int check_size_limits(const struct walk *w, size_t key,
			     const struct la_merged_candidate *merged, char *why, size_t len)
{
	const struct la_constraints *c = &merged->cand.constraints;
	uint32_t width = w->res->width, height = w->res->height;
	bool wide = c->max_width && width > c->max_width;
	const char *owner = "the merged constraints";

	if (!wide && !(c->max_height && height > c->max_height))
		return 0;
	for (size_t i = 0; i < w->n_sets; i++) {
		const struct la_capset *set = w->sets[i];
		const struct la_constraints *k = &set->cands[w->loc[i].entries[key].pos].constraints;
		if (wide ? k->max_width == c->max_width : k->max_height == c->max_height) {
			owner = set->identity.label;
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

static int take_common(struct walk *w, size_t key)
{
	struct la_result *res = w->res;
	struct la_merged_candidate *merged = &res->cands[res->n_cands];
	const struct entry *e0 = &w->loc[0].entries[key];
	char why[512];
	int ret;

	memset(merged, 0, sizeof(*merged));
	ret = merge_candidate(w->sets, w->loc, key, w->n_sets, merged, why, sizeof(why));
	if (ret == 0)
		ret = check_size_limits(w, key, merged, why, sizeof(why));
	if (ret == 0)
		ret = add_layout(merged, res->width, res->height, why, sizeof(why));
	if (ret == -ENOMEM)
		return ret;
	if (ret < 0)
		return record_conflict(w, e0->format, e0->modifier, why);
	merged->format_rank = format_rank(w, e0->format, e0->pos);
	res->n_cands++;
	return 0;
}

/* Keys every device lists, in the smallest device's order (sorted later). */
static int intersect(struct walk *w)
{
	for (size_t key = 0; key < w->loc[0].n_entries; key++) {
		bool all = true;
		for (size_t i = 0; i < w->n_sets && all; i++)
			all = w->loc[i].entries[key].pos != NO_POS;
		if (!all)
			continue;
		int ret = take_common(w, key);
		if (ret < 0)
			return ret;
	}
	return 0;
}

static const char *conflict_for(const struct walk *w, uint32_t f)
{
	for (size_t i = 0; i < w->n_conflicts; i++)
		if (w->conflicts[i].format == f)
			return w->conflicts[i].text;
	return NULL;
}

static int build_diagnosis(struct walk *w, const struct la_assertion *a)
{
	struct la_strbuf sb = {0};
	size_t shown = 0;

	la_strbuf_printf(&sb, "no buffer format every device accepts at %ux%u: ", a->width,
			 a->height);
	if (a->n_formats) {
		for (size_t i = 0; i < a->n_formats && shown < 8; i++, shown++) {
			la_strbuf_printf(&sb, "%s", shown ? "; " : "");
			explain_format(&sb, w->sets, w->n_sets, a->formats[i],
				       conflict_for(w, a->formats[i]));
		}
	} else {
		for (size_t i = 0; i < w->n_sets; i++) {
			char usage[128];
			la_strbuf_printf(&sb, "%s%s %s offers ", i ? "; " : "", w->sets[i]->identity.label,
					 usage_text(w->sets[i]->identity.usage, usage, sizeof(usage)));
			offered_formats(&sb, w->sets[i]);
		}
		for (size_t i = 0; i < w->n_conflicts; i++) {
			char name[32];
			fmt_name(w->conflicts[i].format, name, sizeof(name));
			la_strbuf_printf(&sb, "; %s: %s", name, w->conflicts[i].text);
		}
	}
	if (a->modifiers)
		la_strbuf_printf(&sb, " (with the caller's %zu modifier(s) only)", a->n_modifiers);
	w->res->diagnosis = la_strbuf_steal(&sb);
	return w->res->diagnosis ? 0 : -ENOMEM;
}

/* ---- participants and the result object ---- */

static int add_participants(struct la_result *res, struct la_capset *const *sets, size_t n)
{
	res->parts = calloc(n, sizeof(*res->parts));
	if (!res->parts)
		return -ENOMEM;
	res->n_parts = n;
	for (size_t i = 0; i < n; i++) {
		if (la_identity_copy(&res->parts[i], &sets[i]->identity) < 0)
			return -ENOMEM;
		res->usage |= sets[i]->identity.usage & LA_USAGE_CORE_MASK;
	}
	return 0;
}

static int check_inputs(const struct la_assertion *a, struct la_capset *const *sets, size_t n,
			struct la_why *why)
{
	if (!a || !sets || n == 0)
		return la_why_set(why, -EINVAL,
				  "negotiate: assertion and at least one device are required");
	if (n > LA_MAX_DEVICES)
		return la_why_set(why, -E2BIG,
				  "negotiate: %zu devices, at most %d", n, LA_MAX_DEVICES);
	if (a->version != 0)
		return la_why_set(why, -EINVAL, "negotiate: assertion version %u unknown (this "
				  "liballoc knows 0)", a->version);
	if (a->width == 0 || a->height == 0)
		return la_why_set(why, -EINVAL,
				  "negotiate: width and height must be non-zero (got %ux%u)", a->width,
			a->height);
	if ((a->n_formats && !a->formats) || (a->n_modifiers && !a->modifiers))
		return la_why_set(why, -EINVAL,
				  "negotiate: format or modifier count without an array");
	for (size_t i = 0; i < n; i++) {
		if (!sets[i])
			return la_why_set(why, -EINVAL, "negotiate: capability set %zu is NULL", i);
	}
	return 0;
}

static int find_candidates(struct la_result *res, const struct la_assertion *a,
			   struct la_capset *const *sets, size_t n)
{
	struct located loc[LA_MAX_DEVICES] = {{0}};
	struct walk w = {.res = res, .sets = sets, .loc = loc, .n_sets = n};
	struct filter f;
	size_t cap = 0;
	int ret = filter_init(&f, a);

	if (ret < 0)
		return ret;
	w.filter = &f;
	size_t smallest = 0;
	for (size_t i = 1; i < n; i++)
		if (sets[i]->n_cands < sets[smallest]->n_cands)
			smallest = i;
	struct keys keys = {0};
	ret = keys_build(&keys, sets[smallest], &f);
	for (size_t i = 0; i < n && ret == 0; i++)
		ret = locate(&keys, sets[i], &loc[i]);
	cap = keys.n_unique;
	if (ret == 0) {
		res->cands = calloc(cap ? cap : 1, sizeof(*res->cands));
		ret = res->cands ? intersect(&w) : -ENOMEM;
	}
	if (ret == 0 && res->n_cands)
		qsort(res->cands, res->n_cands, sizeof(*res->cands), cmp_merged_candidate);
	if (ret == 0 && res->n_cands == 0) {
		ret = build_diagnosis(&w, a);
		if (ret == 0)
			ret = -ENOENT;
	}
	for (size_t i = 0; i < n; i++)
		free(loc[i].entries);
	for (size_t i = 0; i < w.n_conflicts; i++)
		free(w.conflicts[i].text);
	free(w.conflicts);
	keys_fini(&keys);
	filter_fini(&f);
	return ret;
}

static int negotiate_capsets(struct la_context *ctx, const struct la_assertion *assertion,
			     struct la_capset *const *sets, size_t n, struct la_result **out,
			     struct la_why *why)
{
	struct la_result *res;
	int ret = check_inputs(assertion, sets, n, why);

	if (ret < 0)
		return ret;
	res = calloc(1, sizeof(*res));
	if (!res)
		return -ENOMEM;
	res->ctx = ctx;
	res->chosen = -1;
	res->width = assertion->width;
	res->height = assertion->height;
	res->buffer_count = assertion->buffer_count ? assertion->buffer_count : 1;
	ret = add_participants(res, sets, n);
	if (ret == 0)
		ret = find_candidates(res, assertion, sets, n);
	if (ret == 0)
		ret = la_paths_list(res, why);
	if (ret == 0)
		ret = la_paths_choose(res);
	if (ret == -ENOENT || ret == -ENODEV) {
		la_why_set(why, ret, "%s", res->diagnosis ? res->diagnosis : "negotiation failed");
		la_dbg(ctx, "negotiation failed: %s", why->text);
		*out = res;
		return ret;
	}
	if (ret < 0) {
		la_result_destroy(res);
		return ret;
	}
	if (!res->diagnosis && !(res->diagnosis = strdup(""))) {
		la_result_destroy(res);
		return -ENOMEM;
	}
	*out = res;
	return 0;
}

LA_EXPORT int la_negotiate_capsets(struct la_context *ctx, const struct la_assertion *assertion,
				   struct la_capset *const *sets, size_t n, struct la_result **out)
{
	struct la_why why = {0};

	if (!out)
		return -EINVAL;
	*out = NULL;
	if (!ctx)
		return -EINVAL;
	la_diag_clear();
	return la_publish(&why, negotiate_capsets(ctx, assertion, sets, n, out, &why));
}

LA_EXPORT int la_negotiate(struct la_context *ctx, const struct la_assertion *assertion,
			   const struct la_request *requests, size_t n, struct la_result **out)
{
	struct la_capset *sets[LA_MAX_DEVICES] = {0};
	struct la_why why = {0};
	int ret = 0;

	if (!out)
		return -EINVAL;
	*out = NULL;
	if (!ctx || !assertion || !requests || n == 0 || n > LA_MAX_DEVICES) {
		la_diag("negotiate: need 1..%d (device, usage) requests and an assertion",
			LA_MAX_DEVICES);
		return n > LA_MAX_DEVICES ? -E2BIG : -EINVAL;
	}
	for (size_t i = 0; i < n && ret == 0; i++) {
		ret = la_capset_query(requests[i].device, requests[i].usage, assertion, &sets[i],
				      &why);
		if (ret < 0 && requests[i].device) {
			if (!why.text[0])
				la_why_set(&why, ret, "capabilities: %s", strerror(-ret));
			la_why_prefix(&why, "%s", la_device_get_label(requests[i].device));
		}
	}
	if (ret == 0) {
		la_diag_clear();
		ret = negotiate_capsets(ctx, assertion, sets, n, out, &why);
	}
	for (size_t i = 0; i < n; i++)
		la_capset_destroy(sets[i]);
	return la_publish(&why, ret);
}
