/* SPDX-License-Identifier: MIT */
/*
 * linux-dmabuf feedback <-> capability sets (liballoc/interop.h) on
 * feedback written out by hand: the sets a client gets, the table and
 * tranches a compositor sends, the round trip, negotiation against a
 * client's set, and the refusals of bad input.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>

#include <cmocka.h>
#include <liballoc/interop.h>

#define FOURCC(a, b, c, d) ((uint32_t)(a) | (uint32_t)(b) << 8 | (uint32_t)(c) << 16 | (uint32_t)(d) << 24)
#define XR24 FOURCC('X', 'R', '2', '4')
#define NV12 FOURCC('N', 'V', '1', '2')
#define MOD_Y UINT64_C(0x0100000000000002) /* a vendor tiling */
#define DRM_FORMAT_MOD_INVALID UINT64_C(0x00ffffffffffffff)

/* The table a compositor would mmap: NV12/XRGB8888 linear, tiled, implicit. */
static const struct la_wl_format_entry table[] = {
	{NV12, 0, 0},                      /* 0 */
	{XR24, 0, 0},                      /* 1 */
	{XR24, 0, MOD_Y},                  /* 2 */
	{XR24, 0, DRM_FORMAT_MOD_INVALID}, /* 3 */
	{NV12, 0, DRM_FORMAT_MOD_INVALID}, /* 4 */
};
static const uint16_t scanout_idx[] = {2, 1};
static const uint16_t render_idx[] = {3, 2, 1, 0, 4, 1}; /* 1 twice: counts once */

/* A copy one byte off alignment, as a caller's buffer may be. */
static unsigned char table_bytes[sizeof(table) + 1];

static struct la_wl_tranche tranches[2];
static struct la_wl_feedback feedback;

static void make_feedback(void)
{
	memcpy(table_bytes + 1, table, sizeof(table));
	tranches[0] = (struct la_wl_tranche){makedev(226, 1), LA_WL_TRANCHE_SCANOUT, scanout_idx, 2};
	tranches[1] = (struct la_wl_tranche){0, 0, render_idx, 6}; /* 0: the main device */
	feedback = (struct la_wl_feedback){
		.format_table = table_bytes + 1,
		.format_table_size = sizeof(table),
		.main_device = makedev(226, 0),
		.tranches = tranches,
		.n_tranches = 2,
	};
}

static void expect_cands(const struct la_capset *set, const uint32_t *formats,
			 const uint64_t *modifiers, size_t n)
{
	assert_int_equal(la_capset_get_candidate_count(set), n);
	for (size_t i = 0; i < n; i++) {
		struct la_candidate c;
		assert_int_equal(la_capset_get_candidate(set, i, &c), 0);
		assert_int_equal(c.format, formats[i]);
		assert_true(c.modifier == modifiers[i]);
		assert_int_equal(c.plane_count, 0);
	}
}

static void test_known_answer(void **state)
{
	struct la_capset *s0 = NULL, *s1 = NULL;
	struct la_capset_info info;

	make_feedback();
	assert_int_equal(la_capset_from_wl_feedback(&feedback, 0, &s0), 0);
	la_capset_get_info(s0, &info);
	assert_string_equal(info.label, "wayland tranche 0 (scanout) on 226:1");
	assert_string_equal(info.backend, "wayland");
	assert_true(info.devnum == makedev(226, 1));
	assert_true(info.usage == LA_USAGE_SCANOUT);
	assert_int_equal(info.import_rule, LA_IMPORT_ANY);
	assert_null(la_capset_get_device(s0));
	expect_cands(s0, (const uint32_t[]){XR24, XR24}, (const uint64_t[]){MOD_Y, LA_MODIFIER_LINEAR}, 2);

	assert_int_equal(la_capset_from_wl_feedback(&feedback, 1, &s1), 0);
	la_capset_get_info(s1, &info);
	assert_string_equal(info.label, "wayland tranche 1 on 226:0");
	assert_true(info.devnum == makedev(226, 0));
	assert_true(info.usage == LA_USAGE_SAMPLE);
	/* INVALID is liballoc's implicit, never LINEAR */
	expect_cands(s1, (const uint32_t[]){XR24, XR24, XR24, NV12, NV12},
		     (const uint64_t[]){LA_MODIFIER_IMPLICIT, MOD_Y, LA_MODIFIER_LINEAR,
					LA_MODIFIER_LINEAR, LA_MODIFIER_IMPLICIT}, 5);
	la_capset_destroy(s0);
	la_capset_destroy(s1);
}

static struct la_capset *hand_set(const char *label, dev_t devnum, const uint32_t *formats,
				  const uint64_t *modifiers, size_t n)
{
	struct la_capset_info info = {
		.label = label, .driver = "virtio_gpu", .backend = "offline", .devnum = devnum,
		.usage = LA_USAGE_SAMPLE,
	};
	struct la_capset *set = NULL;
	assert_int_equal(la_capset_new(&info, &set), 0);
	for (size_t i = 0; i < n; i++) {
		struct la_candidate c = {.format = formats[i], .modifier = modifiers[i]};
		c.constraints.pitch_align[0] = 256; /* not conveyed: the protocol has no place */
		assert_int_equal(la_capset_add_candidate(set, &c), 0);
	}
	return set;
}

static void test_compositor_side_and_round_trip(void **state)
{
	const uint32_t f0[] = {XR24, XR24, XR24};
	const uint64_t m0[] = {MOD_Y, LA_MODIFIER_LINEAR, MOD_Y}; /* MOD_Y twice: once */
	const uint32_t f1[] = {XR24, NV12, XR24};
	const uint64_t m1[] = {LA_MODIFIER_IMPLICIT, LA_MODIFIER_IMPLICIT, LA_MODIFIER_LINEAR};
	struct la_capset *sets[2] = {
		hand_set("card1", makedev(226, 1), f0, m0, 3),
		hand_set("card0", 0, f1, m1, 3),
	};
	struct la_wl_tranche_source src[2] = {
		{sets[0], 0, LA_WL_TRANCHE_SCANOUT}, /* 0: the set's devnum */
		{sets[1], 0, 0},                     /* set devnum 0 too: the main device */
	};
	struct la_wl_feedback *fb = NULL;

	assert_int_equal(la_wl_feedback_from_capsets(src, 2, makedev(226, 0), &fb), 0);
	assert_non_null(fb);
	assert_true(fb->main_device == makedev(226, 0));
	assert_int_equal(fb->n_tranches, 2);
	/* distinct pairs, first seen first, INVALID for implicit, padding 0 */
	const struct la_wl_format_entry want[] = {
		{XR24, 0, MOD_Y}, {XR24, 0, 0}, {XR24, 0, DRM_FORMAT_MOD_INVALID},
		{NV12, 0, DRM_FORMAT_MOD_INVALID},
	};
	assert_int_equal(fb->format_table_size, sizeof(want));
	assert_memory_equal(fb->format_table, want, sizeof(want));
	assert_true(fb->tranches[0].target_device == makedev(226, 1));
	assert_int_equal(fb->tranches[0].flags, LA_WL_TRANCHE_SCANOUT);
	assert_int_equal(fb->tranches[0].n_indices, 2);
	assert_int_equal(fb->tranches[0].indices[0], 0);
	assert_int_equal(fb->tranches[0].indices[1], 1);
	assert_true(fb->tranches[1].target_device == makedev(226, 0));
	assert_int_equal(fb->tranches[1].flags, 0);
	assert_int_equal(fb->tranches[1].n_indices, 3);
	assert_int_equal(fb->tranches[1].indices[0], 2);
	assert_int_equal(fb->tranches[1].indices[1], 3);
	assert_int_equal(fb->tranches[1].indices[2], 1);

	/* back to sets: the same pairs in the same order, on the same devices */
	for (size_t t = 0; t < 2; t++) {
		struct la_capset *back = NULL;
		struct la_capset_info info;
		assert_int_equal(la_capset_from_wl_feedback(fb, t, &back), 0);
		la_capset_get_info(back, &info);
		assert_true(info.devnum == fb->tranches[t].target_device);
		if (t == 0)
			expect_cands(back, f0, m0, 2);
		else
			expect_cands(back, f1, m1, 3);
		la_capset_destroy(back);
	}
	free(fb);
	la_capset_destroy(sets[0]);
	la_capset_destroy(sets[1]);
}

/* Modifiers of the result's candidates of format XR24, in order. */
static size_t negotiate_xr24(struct la_capset *client, struct la_capset *compositor, uint64_t *mods,
			     size_t len)
{
	struct la_context *ctx = NULL;
	struct la_result *res = NULL;
	struct la_capset *sets[2] = {client, compositor};
	const uint32_t fmt[] = {XR24};
	struct la_assertion a = {.width = 64, .height = 64, .formats = fmt, .n_formats = 1};
	size_t n;

	assert_int_equal(la_context_new(&ctx), 0);
	assert_int_equal(la_negotiate_capsets(ctx, &a, sets, 2, &res), 0);
	n = la_result_get_candidate_count(res);
	assert_true(n <= len);
	for (size_t i = 0; i < n; i++) {
		struct la_candidate c;
		assert_int_equal(la_result_get_candidate(res, i, &c), 0);
		assert_int_equal(c.format, XR24);
		mods[i] = c.modifier;
	}
	la_result_destroy(res);
	la_context_destroy(ctx);
	return n;
}

/*
 * A client's GPU against the compositor's render tranche: the implicit
 * layout is common only when the client renders on the tranche's device.
 */
static void test_negotiate_client_against_feedback(void **state)
{
	const uint32_t f[] = {XR24, XR24, XR24};
	const uint64_t m[] = {MOD_Y, LA_MODIFIER_IMPLICIT, LA_MODIFIER_LINEAR};
	struct la_capset *tranche = NULL;
	uint64_t mods[8];
	size_t n;

	make_feedback();
	assert_int_equal(la_capset_from_wl_feedback(&feedback, 1, &tranche), 0);

	struct la_capset *same = hand_set("client on 226:0", makedev(226, 0), f, m, 3);
	n = negotiate_xr24(same, tranche, mods, 8);
	assert_int_equal(n, 3);
	/* positions summed (implicit 1+0, Y 0+1, linear 2+2), ties by modifier value */
	assert_true(mods[0] == LA_MODIFIER_IMPLICIT);
	assert_true(mods[1] == MOD_Y);
	assert_true(mods[2] == LA_MODIFIER_LINEAR);

	struct la_capset *other = hand_set("client on 226:128", makedev(226, 128), f, m, 3);
	n = negotiate_xr24(other, tranche, mods, 8);
	assert_int_equal(n, 2);
	assert_true(mods[0] == MOD_Y);
	assert_true(mods[1] == LA_MODIFIER_LINEAR);

	/* the scanout tranche has no NV12: a client that only has NV12 gets nothing */
	struct la_capset *scan = NULL;
	assert_int_equal(la_capset_from_wl_feedback(&feedback, 0, &scan), 0);
	expect_cands(scan, (const uint32_t[]){XR24, XR24}, (const uint64_t[]){MOD_Y, 0}, 2);

	la_capset_destroy(same);
	la_capset_destroy(other);
	la_capset_destroy(scan);
	la_capset_destroy(tranche);
}

static void expect_refused(const struct la_wl_feedback *fb, size_t t, int err, const char *words)
{
	struct la_capset *set = (struct la_capset *)(uintptr_t)1; /* must come back NULL */

	assert_int_equal(la_capset_from_wl_feedback(fb, t, &set), err);
	assert_null(set);
	if (words)
		assert_non_null(strstr(la_last_diagnosis(), words));
}

static void test_bad_feedback(void **state)
{
	struct la_capset *set = NULL;
	struct la_wl_feedback fb;
	struct la_wl_tranche tr[2];
	const uint16_t beyond[] = {0, 9};

	make_feedback();
	assert_int_equal(la_capset_from_wl_feedback(NULL, 0, &set), -EINVAL);
	assert_int_equal(la_capset_from_wl_feedback(&feedback, 0, NULL), -EINVAL);
	expect_refused(&feedback, 2, -EINVAL, "tranche 2 of 2");

	fb = feedback;
	fb.format_table_size = sizeof(table) + 1;
	expect_refused(&fb, 0, -EINVAL, "not a multiple of 16");

	fb = feedback;
	fb.format_table = NULL;
	expect_refused(&fb, 0, -EINVAL, "NULL");

	memcpy(tr, tranches, sizeof(tr));
	tr[1].indices = beyond;
	tr[1].n_indices = 2;
	fb = feedback;
	fb.tranches = tr;
	expect_refused(&fb, 1, -EINVAL, "tranche 1: index 9");
	/* the other tranche is fine */
	assert_int_equal(la_capset_from_wl_feedback(&fb, 0, &set), 0);
	la_capset_destroy(set);

	memcpy(tr, tranches, sizeof(tr));
	tr[0].flags = 2;
	fb.tranches = tr;
	expect_refused(&fb, 0, -EINVAL, "unknown flags 0x2");

	memcpy(tr, tranches, sizeof(tr));
	tr[0].indices = NULL;
	expect_refused(&fb, 0, -EINVAL, "no array");

	fb.tranches = NULL;
	expect_refused(&fb, 0, -EINVAL, "tranche 0 of 0");

	/* empty table, empty tranche: an empty set, not an error */
	struct la_wl_tranche empty = {makedev(226, 0), 0, NULL, 0};
	fb = (struct la_wl_feedback){.tranches = &empty, .n_tranches = 1};
	assert_int_equal(la_capset_from_wl_feedback(&fb, 0, &set), 0);
	assert_int_equal(la_capset_get_candidate_count(set), 0);
	la_capset_destroy(set);
}

static void test_bad_sources(void **state)
{
	const uint32_t f[] = {XR24};
	const uint64_t m[] = {LA_MODIFIER_LINEAR};
	struct la_capset *set = hand_set("card0", makedev(226, 0), f, m, 1);
	struct la_wl_feedback *fb = (struct la_wl_feedback *)(uintptr_t)1;
	struct la_wl_tranche_source src[2] = {{set, 0, 0}, {NULL, 0, 0}};

	assert_int_equal(la_wl_feedback_from_capsets(NULL, 1, 0, &fb), -EINVAL);
	assert_null(fb);
	assert_int_equal(la_wl_feedback_from_capsets(src, 1, 0, NULL), -EINVAL);
	assert_int_equal(la_wl_feedback_from_capsets(src, 0, 0, &fb), -EINVAL);
	assert_int_equal(la_wl_feedback_from_capsets(src, 2, 0, &fb), -EINVAL);
	assert_non_null(strstr(la_last_diagnosis(), "tranche 1 has no capability set"));
	assert_null(fb);
	src[0].flags = 4;
	assert_int_equal(la_wl_feedback_from_capsets(src, 1, 0, &fb), -EINVAL);
	assert_non_null(strstr(la_last_diagnosis(), "unknown flags"));
	la_capset_destroy(set);

	struct la_capset_info own = {.label = "vpu", .devnum = makedev(81, 0),
				     .import_rule = LA_IMPORT_OWN_ONLY, .usage = LA_USAGE_DECODE};
	assert_int_equal(la_capset_new(&own, &set), 0);
	src[0] = (struct la_wl_tranche_source){set, 0, 0};
	assert_int_equal(la_wl_feedback_from_capsets(src, 1, 0, &fb), -ENOTSUP);
	assert_non_null(strstr(la_last_diagnosis(), "vpu"));
	assert_null(fb);
	la_capset_destroy(set);
}

/* 65536 distinct pairs fit the 16-bit indices; one more does not. */
static void test_too_many_pairs(void **state)
{
	struct la_capset_info info = {.label = "big", .devnum = makedev(226, 0),
				      .usage = LA_USAGE_SAMPLE};
	struct la_capset *big = NULL, *more = NULL;
	struct la_wl_feedback *fb = NULL;

	assert_int_equal(la_capset_new(&info, &big), 0);
	for (uint32_t i = 0; i < 65536; i++) {
		struct la_candidate c = {.format = XR24, .modifier = MOD_Y + i};
		assert_int_equal(la_capset_add_candidate(big, &c), 0);
	}
	struct la_wl_tranche_source src[2] = {{big, 0, 0}, {NULL, 0, 0}};
	assert_int_equal(la_wl_feedback_from_capsets(src, 1, 0, &fb), 0);
	assert_int_equal(fb->format_table_size, 65536 * 16);
	assert_int_equal(fb->tranches[0].indices[65535], 65535);
	free(fb);

	info.label = "one more";
	assert_int_equal(la_capset_new(&info, &more), 0);
	struct la_candidate c = {.format = NV12, .modifier = 0};
	assert_int_equal(la_capset_add_candidate(more, &c), 0);
	src[1].set = more;
	fb = (struct la_wl_feedback *)(uintptr_t)1;
	assert_int_equal(la_wl_feedback_from_capsets(src, 2, 0, &fb), -E2BIG);
	assert_null(fb);
	assert_non_null(strstr(la_last_diagnosis(), "65536"));
	la_capset_destroy(big);
	la_capset_destroy(more);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_known_answer),
		cmocka_unit_test(test_compositor_side_and_round_trip),
		cmocka_unit_test(test_negotiate_client_against_feedback),
		cmocka_unit_test(test_bad_feedback),
		cmocka_unit_test(test_bad_sources),
		cmocka_unit_test(test_too_many_pairs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
