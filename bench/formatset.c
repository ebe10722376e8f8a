/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formatset.h"

static struct bench_fmt *fmt_new(uint32_t format, size_t cap)
{
	struct bench_fmt *f = malloc(sizeof(*f) + (cap ? cap : 1) * sizeof(f->mods[0]));

	if (f) {
		f->format = format;
		f->len = 0;
		f->cap = cap ? cap : 1;
	}
	return f;
}

static struct bench_fmt *find(const struct bench_fmtset *s, uint32_t format)
{
	for (size_t i = 0; i < s->len; i++)
		if (s->formats[i]->format == format)
			return s->formats[i];
	return NULL;
}

static bool has(const struct bench_fmt *f, uint64_t modifier)
{
	for (size_t i = 0; i < f->len; i++)
		if (f->mods[i] == modifier)
			return true;
	return false;
}

static int push_format(struct bench_fmtset *s, struct bench_fmt *f)
{
	if (s->len == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 4;
		struct bench_fmt **p = realloc(s->formats, cap * sizeof(*p));
		if (!p)
			return -ENOMEM;
		s->formats = p;
		s->cap = cap;
	}
	s->formats[s->len++] = f;
	return 0;
}

int bench_fmtset_add(struct bench_fmtset *s, uint32_t format, uint64_t modifier)
{
	/* lists come grouped by format: try the last one first */
	size_t i = s->len && s->formats[s->len - 1]->format == format ? s->len - 1 : 0;

	while (i < s->len && s->formats[i]->format != format)
		i++;
	if (i == s->len) {
		struct bench_fmt *f = fmt_new(format, 4);
		if (!f || push_format(s, f) < 0) {
			free(f);
			return -ENOMEM;
		}
	}
	struct bench_fmt *f = s->formats[i];
	if (has(f, modifier))
		return 0;
	if (f->len == f->cap) {
		f = realloc(f, sizeof(*f) + 2 * f->cap * sizeof(f->mods[0]));
		if (!f)
			return -ENOMEM;
		f->cap *= 2;
		s->formats[i] = f;
	}
	f->mods[f->len++] = modifier;
	return 0;
}

int bench_fmtset_intersect(const struct bench_fmtset *a, const struct bench_fmtset *b,
			   struct bench_fmtset *out)
{
	*out = (struct bench_fmtset){0};
	out->formats = calloc(a->len ? a->len : 1, sizeof(*out->formats));
	if (!out->formats)
		return -ENOMEM;
	out->cap = a->len;
	for (size_t i = 0; i < a->len; i++) {
		const struct bench_fmt *fa = a->formats[i], *fb = find(b, fa->format);
		if (!fb)
			continue;
		struct bench_fmt *r = fmt_new(fa->format, fa->len < fb->len ? fa->len : fb->len);
		if (!r) {
			bench_fmtset_fini(out);
			return -ENOMEM;
		}
		for (size_t k = 0; k < fa->len; k++)
			if (has(fb, fa->mods[k]))
				r->mods[r->len++] = fa->mods[k];
		if (r->len == 0)
			free(r);
		else
			out->formats[out->len++] = r;
	}
	return 0;
}

size_t bench_fmtset_pairs(const struct bench_fmtset *s)
{
	size_t n = 0;

	for (size_t i = 0; i < s->len; i++)
		n += s->formats[i]->len;
	return n;
}

void bench_fmtset_fini(struct bench_fmtset *s)
{
	for (size_t i = 0; i < s->len; i++)
		free(s->formats[i]);
	free(s->formats);
	*s = (struct bench_fmtset){0};
}

/* Outside the fourcc and vendor ranges: liballoc knows no layout for them. */
#define SYNTH_FORMAT(f) (UINT32_C(0x20200000) + (uint32_t)(f))
#define SYNTH_MODIFIER(m) ((uint64_t)(m) | (UINT64_C(1) << 56))

int bench_shifted_device(size_t n_formats, size_t n_mods, size_t fshift, size_t mshift,
			 uint64_t pitch_align, const char *label, struct bench_device *out)
{
	size_t n = n_formats * n_mods;

	*out = (struct bench_device){.driver = "bench", .usage = LA_USAGE_SAMPLE};
	snprintf(out->label, sizeof(out->label), "%s", label);
	out->cands = calloc(n ? n : 1, sizeof(*out->cands));
	if (!out->cands)
		return -ENOMEM;
	for (size_t f = 0; f < n_formats; f++) {
		for (size_t m = 0; m < n_mods; m++) {
			struct la_candidate *c = &out->cands[out->n++];
			c->format = SYNTH_FORMAT(f + fshift);
			c->modifier = SYNTH_MODIFIER(m + mshift);
			c->plane_count = 1;
			c->constraints.pitch_align[0] = pitch_align;
		}
	}
	return 0;
}

int bench_device_fmtset(const struct bench_device *d, struct bench_fmtset *out)
{
	int ret = 0;

	*out = (struct bench_fmtset){0};
	for (size_t i = 0; i < d->n && ret == 0; i++)
		ret = bench_fmtset_add(out, d->cands[i].format, d->cands[i].modifier);
	if (ret < 0)
		bench_fmtset_fini(out);
	return ret;
}
