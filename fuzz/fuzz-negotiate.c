/* SPDX-License-Identifier: MIT */
/*
 * N-device negotiation on random capability sets (la_negotiate_capsets,
 * offline: no backend, so no allocation path is needed). The result is
 * checked against a brute force written independently of negotiate.c:
 * for every (format, modifier) the caller allows, take each set's first
 * candidate for it and merge by hand (128-bit lcm, min of limits, caching
 * intersection, protection rule, plane counts, implicit-modifier rule (same
 * device number or declared layout domain), and
 * a linear layout for LINEAR). Then:
 *  - the result holds exactly the pairs the brute force finds, once each,
 *    so an empty result happens only when no pair exists;
 *  - each result candidate satisfies every input: its alignments are
 *    multiples of each set's, its limits the minimum, its caching the
 *    intersection, its flags the union (PROTECTED_OK only if every set
 *    may use protected memory);
 *  - candidates come in the caller's format order.
 */
#include <errno.h>
#include <liballoc/liballoc.h>
#include <sys/sysmacros.h>

#include "fuzz.h"

typedef unsigned __int128 u128;

#define FOURCC(a, b, c, d) ((uint32_t)(a) | (uint32_t)(b) << 8 | (uint32_t)(c) << 16 | (uint32_t)(d) << 24)
#define MAX_SETS 4
#define MAX_CANDS 6
#define PROT (LA_CONSTRAINT_PROTECTED_OK | LA_CONSTRAINT_PROTECTED_REQUIRED)

/* Few values, so that sets often share pairs. */
static const uint32_t formats[] = {
	FOURCC('X', 'R', '2', '4'), FOURCC('N', 'V', '1', '2'), FOURCC('Y', 'U', '1', '2'),
	FOURCC('Y', 'U', 'Y', 'V'), FOURCC('Z', 'Z', 'Z', 'Z'),
};
static const uint64_t modifiers[] = {LA_MODIFIER_LINEAR, 1, UINT64_C(0x0100000000000002), LA_MODIFIER_IMPLICIT};
static const char *const drivers[] = {"gpu", "vpu"};
static const char *const domains[] = {"", "soc-a", "soc-b"};

struct input {
	uint32_t width, height;
	uint32_t fmts[4];
	size_t n_fmts;
	uint64_t mods[3];
	size_t n_mods;
	bool mods_given;
	size_t n_sets;
	const char *driver[MAX_SETS];
	dev_t devnum[MAX_SETS];     /* 0: no device number */
	const char *domain[MAX_SETS]; /* layout domain, "" for none */
	struct la_candidate cands[MAX_SETS][MAX_CANDS];
	size_t n_cands[MAX_SETS];
};

static struct la_context *ctx;

static void init(void)
{
	if (ctx)
		return;
	/* Offline negotiation: no backend may take part. */
	setenv("LIBALLOC_BACKEND_PATH", "/nonexistent/liballoc-fuzz", 1);
	if (la_context_new(&ctx) < 0)
		abort();
	la_context_set_log_level(ctx, LA_LOG_ERROR);
}

/* like is a candidate of the first set (or NULL): often the same pair. */
static void read_candidate(struct fuzz_in *in, struct la_candidate *c, const struct la_candidate *like)
{
	struct la_constraints *k = &c->constraints;
	uint8_t b = fin_u8(in);

	memset(c, 0, sizeof(*c));
	c->format = formats[b % 5];
	c->modifier = modifiers[(b / 5) % 4];
	c->plane_count = (b / 20) % 4 == 3 ? fin_u8(in) % 4 : 0;
	if (like && b < 160) {
		c->format = like->format;
		c->modifier = like->modifier;
	}
	/* which fields get values: each bit set one time in four */
	b = fin_u8(in);
	b &= fin_u8(in);
	for (int p = 0; p < LA_MAX_PLANES; p++) {
		if (b & 1)
			k->pitch_align[p] = fin_value(in);
		if (b & 2)
			k->offset_align[p] = fin_value(in);
	}
	if (b & 4) {
		k->size_align = fin_value(in);
		k->base_align = fin_value(in);
		k->width_align = fin_value32(in);
		k->height_align = fin_value32(in);
	}
	if (b & 8) {
		k->max_pitch = fin_value(in);
		k->max_size = fin_value(in);
		k->max_width = fin_value32(in);
		k->max_height = fin_value32(in);
		k->dma_addr_bits = fin_u8(in) % 65;
	}
	if (b & 16)
		k->caching = fin_u8(in) & LA_CACHING_ANY;
	if (b & 32)
		k->flags = fin_u8(in) & 15;
}

static void read_input(struct fuzz_in *in, struct input *x)
{
	uint8_t b = fin_u8(in);

	memset(x, 0, sizeof(*x));
	x->n_sets = 1 + b % MAX_SETS;
	x->n_fmts = (b / 4) % 5;
	x->n_mods = (b / 20) % 4;
	x->mods_given = x->n_mods > 0 || (b & 0x80);
	if (x->n_mods > 3)
		x->n_mods = 3;
	x->width = 1 + (uint32_t)fin_bytes(in, 1) * (fin_u8(in) % 16 + 1);
	x->height = 1 + (uint32_t)fin_bytes(in, 1) * (fin_u8(in) % 16 + 1);
	for (size_t i = 0; i < x->n_fmts; i++)
		x->fmts[i] = formats[fin_u8(in) % 5];
	for (size_t i = 0; i < x->n_mods; i++)
		x->mods[i] = modifiers[fin_u8(in) % 4];
	/* the shape first, so a short input still has candidates in every set */
	for (size_t s = 0; s < x->n_sets; s++) {
		b = fin_u8(in);
		x->driver[s] = drivers[b & 1];
		x->n_cands[s] = b >= 0xf0 ? 0 : 1 + (b >> 1) % MAX_CANDS;
	}
	for (size_t s = 0; s < x->n_sets; s++) {
		b = fin_u8(in);
		x->devnum[s] = (b & 3) ? makedev(226, b & 3) : 0;
		x->domain[s] = domains[(b >> 2) % 3];
	}
	for (size_t s = 0; s < x->n_sets; s++) {
		for (size_t i = 0; i < x->n_cands[s]; i++)
			read_candidate(in, &x->cands[s][i],
				       s && x->n_cands[0] ? &x->cands[0][i % x->n_cands[0]] : NULL);
	}
}

/* ---- the brute force ---- */

static u128 gcd128(u128 a, u128 b)
{
	while (b) {
		u128 t = a % b;
		a = b;
		b = t;
	}
	return a;
}

/* lcm with 0 = none; false if it does not fit max. */
static bool lcm_into(uint64_t *acc, uint64_t v, uint64_t max)
{
	u128 r;

	if (!v)
		return true;
	if (!*acc) {
		*acc = v;
		return true;
	}
	r = (u128)*acc / gcd128(*acc, v) * v;
	if (r > max)
		return false;
	*acc = (uint64_t)r;
	return true;
}

static uint64_t min_nz(uint64_t a, uint64_t b)
{
	return !a ? b : !b ? a : a < b ? a : b;
}

static bool allowed(const struct input *x, uint32_t f, uint64_t m)
{
	bool ok = x->n_fmts == 0;
	for (size_t i = 0; i < x->n_fmts; i++)
		ok |= x->fmts[i] == f;
	if (!ok)
		return false;
	if (!x->mods_given || x->n_mods == 0)
		return true;
	for (size_t i = 0; i < x->n_mods; i++)
		if (x->mods[i] == m)
			return true;
	return false;
}

static const struct la_candidate *first_of(const struct input *x, size_t s, uint32_t f, uint64_t m)
{
	for (size_t i = 0; i < x->n_cands[s]; i++)
		if (x->cands[s][i].format == f && x->cands[s][i].modifier == m)
			return &x->cands[s][i];
	return NULL;
}

/*
 * Set s may share set 0's implicit layout: same declared domain, else the
 * same device number; sets without one (built by hand) are no device.
 */
static bool shares_implicit(const struct input *x, size_t s)
{
	if (s == 0 || (x->domain[0][0] && strcmp(x->domain[s], x->domain[0]) == 0))
		return true;
	if (x->devnum[0] || x->devnum[s])
		return x->devnum[s] == x->devnum[0];
	return false;
}

/* Merges the pair by hand; false if some device's constraint refuses it. */
static bool expect(const struct input *x, uint32_t f, uint64_t m, struct la_candidate *out)
{
	struct la_constraints *k = &out->constraints;
	uint64_t wa = 0, ha = 0;
	uint32_t caching = LA_CACHING_ANY, flags = 0;
	bool any_required = false, all_may = true;

	if (!allowed(x, f, m))
		return false;
	memset(out, 0, sizeof(*out));
	out->format = f;
	out->modifier = m;
	for (size_t s = 0; s < x->n_sets; s++) {
		const struct la_candidate *c = first_of(x, s, f, m);
		const struct la_constraints *in;
		if (!c)
			return false;
		in = &c->constraints;
		if (m == LA_MODIFIER_IMPLICIT && !shares_implicit(x, s))
			return false;
		if (c->plane_count && out->plane_count && c->plane_count != out->plane_count)
			return false;
		if (c->plane_count)
			out->plane_count = c->plane_count;
		for (int p = 0; p < LA_MAX_PLANES; p++) {
			if (!lcm_into(&k->pitch_align[p], in->pitch_align[p], UINT64_MAX) ||
			    !lcm_into(&k->offset_align[p], in->offset_align[p], UINT64_MAX))
				return false;
		}
		if (!lcm_into(&k->size_align, in->size_align, UINT64_MAX) ||
		    !lcm_into(&k->base_align, in->base_align, UINT64_MAX) ||
		    !lcm_into(&wa, in->width_align, UINT32_MAX) ||
		    !lcm_into(&ha, in->height_align, UINT32_MAX))
			return false;
		k->max_pitch = min_nz(k->max_pitch, in->max_pitch);
		k->max_size = min_nz(k->max_size, in->max_size);
		k->max_width = (uint32_t)min_nz(k->max_width, in->max_width);
		k->max_height = (uint32_t)min_nz(k->max_height, in->max_height);
		k->dma_addr_bits = (uint32_t)min_nz(k->dma_addr_bits, in->dma_addr_bits);
		caching &= in->caching ? in->caching : LA_CACHING_ANY;
		flags |= in->flags & ~PROT;
		any_required |= in->flags & LA_CONSTRAINT_PROTECTED_REQUIRED;
		all_may &= (in->flags & PROT) != 0;
	}
	k->width_align = (uint32_t)wa;
	k->height_align = (uint32_t)ha;
	if (!caching || (any_required && !all_may))
		return false;
	k->caching = caching;
	k->flags = flags | (any_required ? LA_CONSTRAINT_PROTECTED_REQUIRED : 0) |
		   (all_may ? LA_CONSTRAINT_PROTECTED_OK : 0);
	/* size limits bind every modifier, not only the linear layouts */
	if ((k->max_width && x->width > k->max_width) || (k->max_height && x->height > k->max_height))
		return false;
	if (m == LA_MODIFIER_LINEAR) {
		struct la_layout l;
		if (la_layout_compute(f, x->width, x->height, k, &l) < 0)
			return false;
	}
	return true;
}

/* ---- checking the result ---- */

static void check_candidate(const struct input *x, const struct la_candidate *got,
			    const struct la_candidate *want)
{
	const struct la_constraints *g = &got->constraints, *w = &want->constraints;
	uint32_t got_caching = g->caching ? g->caching : LA_CACHING_ANY;
	char name[32];

	la_format_name(got->format, name, sizeof(name));
	for (size_t s = 0; s < x->n_sets; s++) {
		const struct la_constraints *in = &first_of(x, s, got->format, got->modifier)->constraints;
		for (int p = 0; p < LA_MAX_PLANES; p++) {
			FUZZ_CHECK(!in->pitch_align[p] || g->pitch_align[p] % in->pitch_align[p] == 0,
				   "%s: pitch_align %llu does not serve set %zu", name,
				   (unsigned long long)g->pitch_align[p], s);
			FUZZ_CHECK(!in->offset_align[p] || g->offset_align[p] % in->offset_align[p] == 0,
				   "%s: offset_align does not serve set %zu", name, s);
		}
		FUZZ_CHECK(!in->size_align || g->size_align % in->size_align == 0, "size_align");
		FUZZ_CHECK(!in->base_align || g->base_align % in->base_align == 0, "base_align");
		FUZZ_CHECK(!in->width_align || g->width_align % in->width_align == 0, "width_align");
		FUZZ_CHECK(!in->height_align || g->height_align % in->height_align == 0, "height_align");
	}
	/* multiples of each, and the least such: exactly the brute force's lcm */
	for (int p = 0; p < LA_MAX_PLANES; p++)
		FUZZ_CHECK(g->pitch_align[p] == w->pitch_align[p] &&
			   g->offset_align[p] == w->offset_align[p], "%s: plane %d alignments", name, p);
	FUZZ_CHECK(g->size_align == w->size_align && g->base_align == w->base_align &&
		   g->width_align == w->width_align && g->height_align == w->height_align,
		   "%s: alignments are not the least common multiples", name);
	FUZZ_CHECK(g->max_pitch == w->max_pitch && g->max_size == w->max_size &&
		   g->max_width == w->max_width && g->max_height == w->max_height &&
		   g->dma_addr_bits == w->dma_addr_bits, "%s: limits are not the minimum", name);
	FUZZ_CHECK(got_caching == w->caching, "%s: caching 0x%x, expected 0x%x", name, got_caching,
		   w->caching);
	FUZZ_CHECK(g->flags == w->flags, "%s: flags 0x%x, expected 0x%x (%zu sets)", name, g->flags,
		   w->flags, x->n_sets);
	if (want->plane_count)
		FUZZ_CHECK(got->plane_count == want->plane_count, "%s: plane_count %u, a set wants %u",
			   name, got->plane_count, want->plane_count);
}

static size_t format_rank(const struct input *x, uint32_t f)
{
	for (size_t i = 0; i < x->n_fmts; i++)
		if (x->fmts[i] == f)
			return i;
	return 0;
}

static void check_result(const struct input *x, int ret, struct la_result *res)
{
	size_t n = la_result_get_candidate_count(res), expected = 0;
	struct la_candidate want;

	for (size_t fi = 0; fi < 5; fi++) {
		for (size_t mi = 0; mi < 4; mi++) {
			bool found = false;
			if (!expect(x, formats[fi], modifiers[mi], &want))
				continue;
			expected++;
			for (size_t i = 0; i < n; i++) {
				struct la_candidate got;
				la_result_get_candidate(res, i, &got);
				if (got.format != formats[fi] || got.modifier != modifiers[mi])
					continue;
				FUZZ_CHECK(!found, "pair %zu/%zu listed twice", fi, mi);
				found = true;
				check_candidate(x, &got, &want);
			}
			FUZZ_CHECK(found, "format %zu modifier %zu is common to every set but missing "
					  "from the result", fi, mi);
		}
	}
	FUZZ_CHECK(n == expected, "%zu candidates, the brute force finds %zu", n, expected);
	if (expected == 0) {
		FUZZ_CHECK(ret == -ENOENT, "no common candidate but %d", ret);
		FUZZ_CHECK(la_result_get_diagnosis(res)[0], "empty result without a diagnosis");
		return;
	}
	FUZZ_CHECK(ret == 0, "%zu common candidates but %d: %s", expected, ret, la_last_diagnosis());
	FUZZ_CHECK(la_result_get_chosen_candidate(res) == 0, "offline result chose %d",
		   la_result_get_chosen_candidate(res));
	for (size_t i = 1; i < n && x->n_fmts; i++) {
		struct la_candidate a, b;
		la_result_get_candidate(res, i - 1, &a);
		la_result_get_candidate(res, i, &b);
		FUZZ_CHECK(format_rank(x, a.format) <= format_rank(x, b.format),
			   "candidates out of the caller's format order");
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = {data, size};
	struct la_capset *sets[MAX_SETS] = {0};
	struct la_result *res = NULL;
	struct input x;
	int ret;

	init();
	read_input(&in, &x);
	for (size_t s = 0; s < x.n_sets; s++) {
		struct la_capset_info info = {.label = x.driver[s], .driver = x.driver[s],
					      .backend = "fuzz", .usage = LA_USAGE_RENDER,
					      .devnum = x.devnum[s]};
		FUZZ_CHECK(la_capset_new(&info, &sets[s]) == 0, "capset_new");
		FUZZ_CHECK(la_capset_set_layout_domain(sets[s], x.domain[s]) == 0, "layout domain");
		for (size_t i = 0; i < x.n_cands[s]; i++)
			FUZZ_CHECK(la_capset_add_candidate(sets[s], &x.cands[s][i]) == 0,
				   "add_candidate: %s", la_last_diagnosis());
	}
	struct la_assertion a = {
		.width = x.width,
		.height = x.height,
		.formats = x.n_fmts ? x.fmts : NULL,
		.n_formats = x.n_fmts,
		.modifiers = x.mods_given ? x.mods : NULL,
		.n_modifiers = x.n_mods,
	};
	ret = la_negotiate_capsets(ctx, &a, sets, x.n_sets, &res);
	FUZZ_CHECK(ret == 0 || ret == -ENOENT, "negotiation failed with %d: %s", ret,
		   la_last_diagnosis());
	FUZZ_CHECK(res != NULL, "no result object");
	check_result(&x, ret, res);
	la_result_destroy(res);
	for (size_t s = 0; s < x.n_sets; s++)
		la_capset_destroy(sets[s]);
	return 0;
}
