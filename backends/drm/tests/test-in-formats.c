/* SPDX-License-Identifier: MIT */
/*
 * IN_FORMATS blob parser: blobs built here byte by byte the way the
 * kernel writes them (drm_plane.c create_in_format_blob: header, formats
 * at 24, modifiers 8-aligned after them), then truncated and corrupted.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <liballoc/liballoc.h>

#include "../in-formats.h"

#define XR24 0x34325258u
#define AR24 0x34325241u
#define NV12 0x3231564eu
#define MOD_X 0x0100000000000001ull /* a vendor modifier */

struct blob {
	unsigned char b[4096];
	size_t len;
};

static void put32(struct blob *bl, size_t off, uint32_t v)
{
	memcpy(bl->b + off, &v, 4);
}

static void put64(struct blob *bl, size_t off, uint64_t v)
{
	memcpy(bl->b + off, &v, 8);
}

struct mod {
	uint64_t formats;
	uint32_t offset;
	uint64_t modifier;
};

/* Kernel layout; returns the modifiers' offset. */
static size_t build(struct blob *bl, const uint32_t *fmts, uint32_t nf, const struct mod *mods,
		    uint32_t nm)
{
	size_t fo = 24, mo = (fo + 4 * nf + 7) & ~(size_t)7;

	memset(bl, 0, sizeof(*bl));
	put32(bl, 0, 1);
	put32(bl, 4, 0);
	put32(bl, 8, nf);
	put32(bl, 12, (uint32_t)fo);
	put32(bl, 16, nm);
	put32(bl, 20, (uint32_t)mo);
	for (uint32_t i = 0; i < nf; i++)
		put32(bl, fo + 4 * i, fmts[i]);
	for (uint32_t i = 0; i < nm; i++) {
		put64(bl, mo + 24 * i, mods[i].formats);
		put32(bl, mo + 24 * i + 8, mods[i].offset);
		put32(bl, mo + 24 * i + 12, 0);
		put64(bl, mo + 24 * i + 16, mods[i].modifier);
	}
	bl->len = mo + 24 * nm;
	return mo;
}

struct got {
	uint32_t f[256];
	uint64_t m[256];
	size_t n;
};

static int collect(void *data, uint32_t format, uint64_t modifier)
{
	struct got *g = data;
	if (g->n == 256)
		return -E2BIG;
	g->f[g->n] = format;
	g->m[g->n] = modifier;
	g->n++;
	return 0;
}

static const uint32_t three[] = {XR24, AR24, NV12};
static const struct mod two_mods[] = {
	{0x3, 0, MOD_X},      /* XR24, AR24 */
	{0x7, 0, LA_MODIFIER_LINEAR}, /* all three */
};

static void test_valid(void **state)
{
	struct blob bl;
	struct got g = {0};
	const char *why = "x";

	(void)state;
	build(&bl, three, 3, two_mods, 2);
	assert_int_equal(drm_in_formats_parse(bl.b, bl.len, collect, &g, &why), 0);
	assert_null(why);
	/* formats in blob order, per format the modifiers in blob order */
	assert_int_equal(g.n, 5);
	assert_int_equal(g.f[0], XR24);
	assert_true(g.m[0] == MOD_X);
	assert_int_equal(g.f[1], XR24);
	assert_true(g.m[1] == LA_MODIFIER_LINEAR);
	assert_int_equal(g.f[2], AR24);
	assert_true(g.m[2] == MOD_X);
	assert_int_equal(g.f[3], AR24);
	assert_int_equal(g.f[4], NV12);
	assert_true(g.m[4] == LA_MODIFIER_LINEAR);
}

/* Every prefix of a valid blob shorter than its full length is refused,
 * none is read past (ASan builds catch an overread). */
static void test_truncated(void **state)
{
	struct blob bl;

	(void)state;
	build(&bl, three, 3, two_mods, 2);
	for (size_t len = 0; len < bl.len; len++) {
		unsigned char *copy = malloc(len ? len : 1);
		struct got g = {0};
		const char *why = NULL;
		memcpy(copy, bl.b, len);
		assert_int_equal(drm_in_formats_parse(copy, len, collect, &g, &why), -EINVAL);
		assert_non_null(why);
		assert_int_equal(g.n, 0);
		free(copy);
	}
	assert_int_equal(drm_in_formats_parse(NULL, 100, collect, NULL, NULL), -EINVAL);
}

static void expect_invalid(struct blob *bl, const char *what)
{
	struct got g = {0};
	const char *why = NULL;

	assert_int_equal(drm_in_formats_parse(bl->b, bl->len, collect, &g, &why), -EINVAL);
	assert_non_null(why);
	assert_non_null(strstr(why, what));
	assert_int_equal(g.n, 0);
}

static void test_malicious(void **state)
{
	struct blob bl;
	size_t mo;

	(void)state;
	build(&bl, three, 3, two_mods, 2);
	put32(&bl, 0, 2);
	expect_invalid(&bl, "version");

	build(&bl, three, 3, two_mods, 2);
	put32(&bl, 12, 0xfffffff0u); /* formats far outside */
	expect_invalid(&bl, "format array");

	build(&bl, three, 3, two_mods, 2);
	put32(&bl, 12, 8); /* formats inside the header */
	expect_invalid(&bl, "format array");

	build(&bl, three, 3, two_mods, 2);
	put32(&bl, 8, 0x40000001u); /* 4 * count wraps a 32-bit size */
	expect_invalid(&bl, "format array");

	build(&bl, three, 3, two_mods, 2);
	put32(&bl, 16, 0x0aaaaaabu); /* 24 * count wraps a 32-bit size */
	expect_invalid(&bl, "modifier array");

	build(&bl, three, 3, two_mods, 2);
	put32(&bl, 20, (uint32_t)bl.len - 8); /* last entry runs past the end */
	expect_invalid(&bl, "modifier array");

	mo = build(&bl, three, 3, two_mods, 2);
	put64(&bl, mo, 0x8); /* bit 3: a fourth format that does not exist */
	expect_invalid(&bl, "past count_formats");

	mo = build(&bl, three, 3, two_mods, 2);
	put32(&bl, mo + 8, 3); /* window starting past the formats */
	expect_invalid(&bl, "past count_formats");

	mo = build(&bl, three, 3, two_mods, 2);
	put32(&bl, mo + 8, 0xffffffffu); /* offset + bit would wrap */
	expect_invalid(&bl, "past count_formats");

	mo = build(&bl, three, 3, two_mods, 2);
	put64(&bl, mo, UINT64_C(1) << 63);
	expect_invalid(&bl, "past count_formats");
}

/* Degenerate but well-formed blobs give nothing, and no error. */
static void test_empty_and_unaligned(void **state)
{
	struct blob bl;
	struct got g = {0};
	unsigned char *shifted;

	(void)state;
	build(&bl, NULL, 0, NULL, 0);
	assert_int_equal(drm_in_formats_parse(bl.b, bl.len, collect, &g, NULL), 0);
	assert_int_equal(g.n, 0);

	/* a modifier entry with no format bits is skipped */
	static const struct mod none[] = {{0, 0, MOD_X}};
	build(&bl, three, 3, none, 1);
	assert_int_equal(drm_in_formats_parse(bl.b, bl.len, collect, &g, NULL), 0);
	assert_int_equal(g.n, 0);

	/* the blob at an odd address parses the same */
	build(&bl, three, 3, two_mods, 2);
	shifted = malloc(bl.len + 1);
	memcpy(shifted + 1, bl.b, bl.len);
	assert_int_equal(drm_in_formats_parse(shifted + 1, bl.len, collect, &g, NULL), 0);
	assert_int_equal(g.n, 5);
	free(shifted);
}

/* A sliding window (offset 64) reaches formats 64..127. */
static void test_window(void **state)
{
	uint32_t fmts[70];
	struct mod m = {UINT64_C(1) << 5, 64, MOD_X}; /* format index 69 */
	struct blob bl;
	struct got g = {0};

	(void)state;
	for (uint32_t i = 0; i < 70; i++)
		fmts[i] = XR24 + i;
	build(&bl, fmts, 70, &m, 1);
	assert_int_equal(drm_in_formats_parse(bl.b, bl.len, collect, &g, NULL), 0);
	assert_int_equal(g.n, 1);
	assert_int_equal(g.f[0], XR24 + 69);
}

static int stop_at_two(void *data, uint32_t format, uint64_t modifier)
{
	int *n = data;
	(void)format;
	(void)modifier;
	return ++*n == 2 ? -ECANCELED : 0;
}

static void test_callback_stops(void **state)
{
	struct blob bl;
	int n = 0;

	(void)state;
	build(&bl, three, 3, two_mods, 2);
	assert_int_equal(drm_in_formats_parse(bl.b, bl.len, stop_at_two, &n, NULL), -ECANCELED);
	assert_int_equal(n, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_malicious),
		cmocka_unit_test(test_empty_and_unaligned),
		cmocka_unit_test(test_window),
		cmocka_unit_test(test_callback_stops),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
