/* SPDX-License-Identifier: MIT */
/*
 * The realistic profiles follow an Intel laptop with a USB camera: i915's
 * planes list LINEAR, X, Y, Yf and the CCS variants (60 formats across
 * primary and overlay planes); the render node adds Tile4 and DG2 CCS and
 * drops media compression; uvcvideo + a bridge chip gives packed and planar
 * YUV plus a handful of RGB formats, LINEAR only, 32-bit DMA addressing.
 *
 * LINEAR is only offered for formats liballoc can lay out: liballoc drops
 * a linear candidate it has no layout for (which a real backend would not
 * report), and the baseline knows nothing of layouts, so the two results
 * would differ for a reason that is not the intersection.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drm-table.h"
#include "profiles.h"

#define MOD_INTEL(v) ((UINT64_C(0x01) << 56) | (v))
#define FOURCC_C8 UINT32_C(0x20203843) /* 'C' '8' ' ' ' ' */

static bool layout_known(uint32_t f)
{
	struct la_format_info fi;
	return la_format_get_info(f, &fi) == 0;
}

static bool is_yuv(uint32_t f)
{
	struct la_format_info fi;
	return la_format_get_info(f, &fi) == 0 && fi.is_yuv;
}

static int push(struct bench_device *d, size_t *cap, uint32_t f, uint64_t mod,
		const struct la_constraints *k)
{
	if (d->n == *cap) {
		size_t nc = *cap ? *cap * 2 : 64;
		struct la_candidate *c = realloc(d->cands, nc * sizeof(*c));
		if (!c)
			return -ENOMEM;
		d->cands = c;
		*cap = nc;
	}
	d->cands[d->n++] = (struct la_candidate){.format = f, .modifier = mod, .constraints = *k};
	return 0;
}

/* Which fourccs a profile lists, in its preference order. */
static size_t pick_formats(enum bench_profile p, uint32_t *out, size_t max)
{
	size_t n = 0;

	if (p == BENCH_CAMERA) {
		static const char *rgb[] = {"XRGB8888", "XBGR8888", "ARGB8888", "ABGR8888",
					    "RGBX8888", "BGRX8888", "RGB888", "BGR888",
					    "RGB565", "BGR565", "XRGB1555", "RGB332", "R8", "R16"};
		for (size_t i = 0; i < bench_n_fourccs && n < max; i++)
			if (is_yuv(bench_fourccs[i]))
				out[n++] = bench_fourccs[i];
		for (size_t i = 0; i < sizeof(rgb) / sizeof(rgb[0]) && n < max; i++)
			if (la_format_parse(rgb[i], &out[n]) == 0)
				n++;
		return n;
	}
	for (size_t i = 0; i < bench_n_fourccs && n < max; i++) {
		uint32_t f = bench_fourccs[i];
		struct la_format_info fi;
		bool known = la_format_get_info(f, &fi) == 0;
		/* no palette (C8) and no 4:1:0, 4:1:1 or 4:4:4 three-plane YUV on planes */
		if (p == BENCH_DISPLAY && (!known || f == FOURCC_C8 ||
					   (fi.plane_count == 3 && fi.hsub != 2)))
			continue;
		if (p == BENCH_GPU && !known)
			continue;
		out[n++] = f;
	}
	/* the GPU also samples formats liballoc has no linear layout for */
	for (size_t i = 0; p == BENCH_GPU && i < bench_n_fourccs && n < max; i++)
		if (!layout_known(bench_fourccs[i]))
			out[n++] = bench_fourccs[i];
	return n;
}

static const char *const profile_label[] = {
	[BENCH_DISPLAY] = "i915 (/dev/dri/card0)",
	[BENCH_CAMERA] = "uvcvideo (/dev/video0)",
	[BENCH_GPU] = "i915 (/dev/dri/renderD128)",
};

int bench_profile_device(enum bench_profile p, struct bench_device *d)
{
	static const unsigned display_mods[] = {1, 2, 3, 4, 5, 6, 7};
	static const unsigned gpu_mods[] = {1, 2, 3, 4, 5, 6, 8, 9, 10, 11, 12};
	const unsigned *mods = p == BENCH_DISPLAY ? display_mods : gpu_mods;
	size_t n_mods = p == BENCH_DISPLAY ? 7 : p == BENCH_GPU ? 11 : 0;
	size_t max_f = p == BENCH_DISPLAY ? 60 : p == BENCH_CAMERA ? 40 : 80;
	struct la_constraints k = {0};
	uint32_t formats[128];
	size_t cap = 0, nf;
	int ret = 0;

	memset(d, 0, sizeof(*d));
	snprintf(d->label, sizeof(d->label), "%s", profile_label[p]);
	if (p == BENCH_DISPLAY) {
		d->driver = "i915";
		d->usage = LA_USAGE_SCANOUT;
		k.pitch_align[0] = 64; /* i915 linear framebuffer stride */
		k.max_width = k.max_height = 8192;
	} else if (p == BENCH_CAMERA) {
		d->driver = "uvcvideo";
		d->usage = LA_USAGE_CAPTURE;
		k.pitch_align[0] = 32;
		k.dma_addr_bits = 32;
		k.max_width = 4096;
		k.max_height = 2160;
	} else {
		d->driver = "i915";
		d->usage = LA_USAGE_RENDER | LA_USAGE_SAMPLE;
		for (int i = 0; i < LA_MAX_PLANES; i++)
			k.pitch_align[i] = 128;
		k.size_align = 4096;
		k.height_align = 4;
	}
	nf = pick_formats(p, formats, max_f);
	/* tiled first: what i915 prefers when both sides can use it */
	for (size_t f = 0; f < nf && ret == 0; f++) {
		for (size_t m = 0; m < n_mods && ret == 0; m++)
			ret = push(d, &cap, formats[f], MOD_INTEL(mods[m]), &k);
		if (ret == 0 && layout_known(formats[f]))
			ret = push(d, &cap, formats[f], BENCH_MOD_LINEAR, &k);
	}
	if (ret < 0)
		bench_device_fini(d);
	return ret;
}

/* xorshift64: a fixed, portable sequence so every run shuffles alike. */
static uint64_t next_rand(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void shuffle(struct la_candidate *c, size_t n, uint64_t seed)
{
	for (size_t i = n; i > 1; i--) {
		size_t j = (size_t)(next_rand(&seed) % i);
		struct la_candidate t = c[i - 1];
		c[i - 1] = c[j];
		c[j] = t;
	}
}

/* Every (fourcc, modifier) pair liballoc accepts, shuffled. */
static int universe(struct la_candidate **out, size_t *n_out)
{
	uint64_t mods[128];
	size_t n_mods = bench_vendor_modifiers(mods, 127);
	size_t n = 0;
	struct la_candidate *u;

	mods[n_mods++] = BENCH_MOD_LINEAR;
	u = calloc(bench_n_fourccs * n_mods, sizeof(*u));
	if (!u)
		return -ENOMEM;
	for (size_t f = 0; f < bench_n_fourccs; f++)
		for (size_t m = 0; m < n_mods; m++)
			if (mods[m] != BENCH_MOD_LINEAR || layout_known(bench_fourccs[f]))
				u[n++] = (struct la_candidate){.format = bench_fourccs[f],
							       .modifier = mods[m]};
	shuffle(u, n, UINT64_C(0x9e3779b97f4a7c15));
	*out = u;
	*n_out = n;
	return 0;
}

int bench_synthetic_devices(size_t m, size_t n_devices, struct bench_device *out)
{
	static const uint64_t pitch[] = {64, 256, 32, 128};
	size_t common = m / 2, own = m - common, n_u;
	struct la_candidate *u;
	int ret = universe(&u, &n_u);

	if (ret < 0)
		return ret;
	if (common + n_devices * own > n_u) {
		free(u);
		return -E2BIG;
	}
	for (size_t i = 0; i < n_devices; i++) {
		struct bench_device *d = &out[i];
		memset(d, 0, sizeof(*d));
		snprintf(d->label, sizeof(d->label), "synthetic%zu", i);
		d->driver = "synthetic";
		d->usage = i == 0 ? LA_USAGE_SCANOUT : LA_USAGE_SAMPLE;
		d->cands = calloc(m ? m : 1, sizeof(*d->cands));
		if (!d->cands) {
			while (i--)
				bench_device_fini(&out[i]);
			free(u);
			return -ENOMEM;
		}
		memcpy(d->cands, u, common * sizeof(*u));
		memcpy(d->cands + common, u + common + i * own, own * sizeof(*u));
		d->n = m;
		for (size_t c = 0; c < m; c++)
			d->cands[c].constraints.pitch_align[0] = pitch[i % 4];
		shuffle(d->cands, m, 0x1234567u + i);
	}
	free(u);
	return 0;
}

void bench_device_fini(struct bench_device *d)
{
	free(d->cands);
	d->cands = NULL;
	d->n = 0;
}

int bench_device_capset(const struct bench_device *d, struct la_capset **out)
{
	struct la_capset_info info = {
		.label = d->label, .driver = d->driver, .backend = "bench", .usage = d->usage,
	};
	int ret = la_capset_new(&info, out);

	for (size_t i = 0; i < d->n && ret == 0; i++)
		ret = la_capset_add_candidate(*out, &d->cands[i]);
	if (ret < 0) {
		la_capset_destroy(*out);
		*out = NULL;
	}
	return ret;
}
