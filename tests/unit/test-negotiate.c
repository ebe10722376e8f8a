/* SPDX-License-Identifier: MIT */
/*
 * Negotiation on capability sets built by hand (what an offline tool or
 * another process would hand us): intersection, constraint merging, the
 * caller's preferences, and the diagnosis a human reads when it fails.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <liballoc/liballoc.h>
#include <stdio.h>
#include <string.h>
#include <sys/sysmacros.h>

#define FOURCC(a, b, c, d) ((uint32_t)(a) | (uint32_t)(b) << 8 | (uint32_t)(c) << 16 | (uint32_t)(d) << 24)
#define XR24 FOURCC('X', 'R', '2', '4')
#define AR24 FOURCC('A', 'R', '2', '4')
#define NV12 FOURCC('N', 'V', '1', '2')
#define YUYV FOURCC('Y', 'U', 'Y', 'V')
#define MOD_X UINT64_C(0x0100000000000001) /* a vendor tiling */
#define MOD_Y UINT64_C(0x0100000000000002)

static struct la_context *ctx;

static struct la_capset *new_set(const char *label, const char *driver, uint64_t usage)
{
	struct la_capset_info info = {
		.label = label, .driver = driver, .backend = "offline", .usage = usage,
	};
	struct la_capset *set = NULL;
	assert_int_equal(la_capset_new(&info, &set), 0);
	return set;
}

static void add(struct la_capset *set, uint32_t format, uint64_t modifier, uint64_t pitch_align)
{
	struct la_candidate c = {.format = format, .modifier = modifier};
	for (int p = 0; p < LA_MAX_PLANES; p++)
		c.constraints.pitch_align[p] = pitch_align;
	assert_int_equal(la_capset_add_candidate(set, &c), 0);
}

static void add_c(struct la_capset *set, uint32_t format, uint64_t modifier,
		  const struct la_constraints *k)
{
	struct la_candidate c = {.format = format, .modifier = modifier, .constraints = *k};
	assert_int_equal(la_capset_add_candidate(set, &c), 0);
}

static int negotiate(struct la_capset **sets, size_t n, const uint32_t *formats, size_t nf,
		     struct la_result **res)
{
	struct la_assertion a = {.width = 640, .height = 480, .formats = formats, .n_formats = nf};
	return la_negotiate_capsets(ctx, &a, sets, n, res);
}

static struct la_candidate chosen(struct la_result *res)
{
	struct la_candidate c;
	int i = la_result_get_chosen_candidate(res);
	assert_true(i >= 0);
	assert_int_equal(la_result_get_candidate(res, (size_t)i, &c), 0);
	return c;
}

static void destroy_sets(struct la_capset **sets, size_t n)
{
	for (size_t i = 0; i < n; i++)
		la_capset_destroy(sets[i]);
}

static void test_common_format_and_lcm(void **state)
{
	struct la_capset *s[2] = {new_set("cam", "vivid", LA_USAGE_CAPTURE),
				  new_set("disp", "virtio_gpu", LA_USAGE_SCANOUT)};
	struct la_result *res = NULL;

	(void)state;
	add(s[0], YUYV, LA_MODIFIER_LINEAR, 48);
	add(s[0], XR24, LA_MODIFIER_LINEAR, 48);
	add(s[1], XR24, LA_MODIFIER_LINEAR, 64);
	add(s[1], AR24, LA_MODIFIER_LINEAR, 64);
	assert_int_equal(negotiate(s, 2, NULL, 0, &res), 0);
	assert_int_equal(la_result_get_candidate_count(res), 1);
	struct la_candidate c = chosen(res);
	assert_int_equal(c.format, XR24);
	assert_true(c.modifier == LA_MODIFIER_LINEAR);
	assert_int_equal(c.constraints.pitch_align[0], 192); /* lcm(48, 64) */
	la_result_destroy(res);
	destroy_sets(s, 2);
}

static void test_disjoint_diagnosis(void **state)
{
	struct la_capset *s[2] = {new_set("vivid (/dev/video0)", "vivid", LA_USAGE_CAPTURE),
				  new_set("virtio_gpu (/dev/dri/card0)", "virtio_gpu",
					  LA_USAGE_SCANOUT)};
	struct la_result *res = NULL;
	uint32_t want[] = {XR24, YUYV};

	(void)state;
	add(s[0], YUYV, LA_MODIFIER_LINEAR, 0);
	add(s[1], XR24, LA_MODIFIER_LINEAR, 0);
	assert_int_equal(negotiate(s, 2, want, 2, &res), -ENOENT);
	assert_non_null(res); /* the result carries the explanation */
	assert_int_equal(la_result_get_candidate_count(res), 0);
	assert_true(la_result_get_chosen_candidate(res) < 0);
	const char *d = la_result_get_diagnosis(res);
	assert_non_null(strstr(d, "XRGB8888: vivid (/dev/video0) capture offers only YUYV"));
	assert_non_null(strstr(d, "YUYV: virtio_gpu (/dev/dri/card0) scanout offers only XRGB8888"));
	assert_string_equal(la_last_diagnosis(), d);
	la_result_destroy(res);
	destroy_sets(s, 2);
}

static void test_caller_preference_order(void **state)
{
	struct la_capset *s[2] = {new_set("a", "x", LA_USAGE_RENDER), new_set("b", "y", LA_USAGE_SAMPLE)};
	struct la_result *res = NULL;
	uint32_t nv12_first[] = {NV12, XR24}, xr24_first[] = {XR24, NV12};

	(void)state;
	for (int i = 0; i < 2; i++) {
		add(s[i], XR24, LA_MODIFIER_LINEAR, 0);
		add(s[i], NV12, LA_MODIFIER_LINEAR, 0);
	}
	assert_int_equal(negotiate(s, 2, nv12_first, 2, &res), 0);
	assert_int_equal(chosen(res).format, NV12);
	assert_int_equal(la_result_get_candidate_count(res), 2);
	la_result_destroy(res);
	assert_int_equal(negotiate(s, 2, xr24_first, 2, &res), 0);
	assert_int_equal(chosen(res).format, XR24);
	la_result_destroy(res);
	/* A format only the caller lists is not invented. */
	uint32_t only_ar24[] = {AR24};
	assert_int_equal(negotiate(s, 2, only_ar24, 1, &res), -ENOENT);
	la_result_destroy(res);
	destroy_sets(s, 2);
}

static void test_modifier_intersection(void **state)
{
	struct la_capset *s[2] = {new_set("gpu", "i915", LA_USAGE_RENDER),
				  new_set("disp", "i915", LA_USAGE_SCANOUT)};
	struct la_result *res = NULL;
	uint32_t want[] = {XR24};

	(void)state;
	add(s[0], XR24, MOD_Y, 0);
	add(s[0], XR24, MOD_X, 0);
	add(s[0], XR24, LA_MODIFIER_LINEAR, 0);
	add(s[1], XR24, MOD_X, 0);
	add(s[1], XR24, LA_MODIFIER_LINEAR, 0);
	assert_int_equal(negotiate(s, 2, want, 1, &res), 0);
	assert_int_equal(la_result_get_candidate_count(res), 2);
	/* Both devices list X before LINEAR: their order wins over linear. */
	assert_true(chosen(res).modifier == MOD_X);
	for (size_t i = 0; i < 2; i++) {
		struct la_candidate c;
		assert_int_equal(la_result_get_candidate(res, i, &c), 0);
		assert_true(c.modifier != MOD_Y);
	}
	la_result_destroy(res);

	/* The caller's modifier list filters. */
	uint64_t mods[] = {LA_MODIFIER_LINEAR};
	struct la_assertion a = {.width = 64, .height = 64, .formats = want, .n_formats = 1,
				 .modifiers = mods, .n_modifiers = 1};
	assert_int_equal(la_negotiate_capsets(ctx, &a, s, 2, &res), 0);
	assert_int_equal(la_result_get_candidate_count(res), 1);
	assert_true(chosen(res).modifier == LA_MODIFIER_LINEAR);
	la_result_destroy(res);
	destroy_sets(s, 2);
}

static struct la_capset *new_dev_set(const char *label, const char *driver, uint64_t usage,
				      unsigned minor_nr)
{
	struct la_capset_info info = {
		.label = label, .driver = driver, .backend = "offline", .usage = usage,
		.devnum = makedev(226, minor_nr),
	};
	struct la_capset *set = NULL;
	assert_int_equal(la_capset_new(&info, &set), 0);
	add(set, XR24, LA_MODIFIER_IMPLICIT, 0);
	return set;
}

/*
 * An implicit layout is the device's own: two sets of one device (same
 * devnum) share it, two devices of one driver do not unless they declare
 * the same layout domain, and different drivers never do by default.
 */
static void test_implicit_modifier_same_device_only(void **state)
{
	struct la_capset *same[2] = {new_dev_set("card0", "virtio_gpu", LA_USAGE_SCANOUT, 0),
				     new_dev_set("card0 render", "virtio_gpu", LA_USAGE_RENDER, 0)};
	struct la_capset *two[2] = {same[0], new_dev_set("card1", "virtio_gpu", LA_USAGE_RENDER, 1)};
	struct la_capset *s[2] = {new_set("card0", "virtio_gpu", LA_USAGE_SCANOUT),
				  new_set("card1", "virtio_gpu", LA_USAGE_RENDER)};
	struct la_capset *t[2] = {s[0], new_set("cam", "vivid", LA_USAGE_CAPTURE)};
	struct la_result *res = NULL;
	uint32_t want[] = {XR24};

	(void)state;
	assert_int_equal(negotiate(same, 2, want, 1, &res), 0);
	assert_true(chosen(res).modifier == LA_MODIFIER_IMPLICIT);
	la_result_destroy(res);

	/* one driver, two devices: refused, and the diagnosis says which rule */
	assert_int_equal(negotiate(two, 2, want, 1, &res), -ENOENT);
	const char *d = la_result_get_diagnosis(res);
	assert_non_null(strstr(d, "card0 (devnum 226:0, no layout domain)"));
	assert_non_null(strstr(d, "card1 (devnum 226:1, no layout domain)"));
	assert_non_null(strstr(d, "different devices of driver virtio_gpu"));
	assert_non_null(strstr(d, "shared only within one device"));
	la_result_destroy(res);
	/* declared by their backend as one layout: shared */
	assert_int_equal(la_capset_set_layout_domain(two[0], "virtio_gpu:virgl"), 0);
	assert_int_equal(la_capset_set_layout_domain(two[1], "virtio_gpu:virgl"), 0);
	assert_string_equal(la_capset_get_layout_domain(two[1]), "virtio_gpu:virgl");
	assert_int_equal(negotiate(two, 2, want, 1, &res), 0);
	assert_true(chosen(res).modifier == LA_MODIFIER_IMPLICIT);
	la_result_destroy(res);
	/* a domain on one side only is no declaration */
	assert_int_equal(la_capset_set_layout_domain(two[1], NULL), 0);
	assert_string_equal(la_capset_get_layout_domain(two[1]), "");
	assert_int_equal(negotiate(two, 2, want, 1, &res), -ENOENT);
	la_result_destroy(res);

	/* sets built by hand without a device number name no device: not shared */
	add(s[0], XR24, LA_MODIFIER_IMPLICIT, 0);
	add(s[1], XR24, LA_MODIFIER_IMPLICIT, 0);
	add(t[1], XR24, LA_MODIFIER_IMPLICIT, 0);
	assert_int_equal(negotiate(s, 2, want, 1, &res), -ENOENT);
	la_result_destroy(res);
	assert_int_equal(negotiate(t, 2, want, 1, &res), -ENOENT);
	assert_non_null(strstr(la_result_get_diagnosis(res), "different drivers"));
	la_result_destroy(res);
	/* different drivers in one declared domain (a SoC's GPU and decoder) */
	assert_int_equal(la_capset_set_layout_domain(t[0], "soc:tiles"), 0);
	assert_int_equal(la_capset_set_layout_domain(t[1], "soc:tiles"), 0);
	assert_int_equal(negotiate(t, 2, want, 1, &res), 0);
	la_result_destroy(res);

	char longkey[LA_LAYOUT_DOMAIN_MAX + 1];
	memset(longkey, 'k', sizeof(longkey) - 1);
	longkey[LA_LAYOUT_DOMAIN_MAX] = '\0';
	assert_int_equal(la_capset_set_layout_domain(t[1], longkey), -EINVAL);
	assert_string_equal(la_capset_get_layout_domain(t[1]), "soc:tiles");
	longkey[LA_LAYOUT_DOMAIN_MAX - 1] = '\0';
	assert_int_equal(la_capset_set_layout_domain(t[1], longkey), 0);
	assert_int_equal(la_capset_set_layout_domain(NULL, "x"), -EINVAL);
	assert_null(la_capset_get_layout_domain(NULL));
	la_capset_destroy(t[1]);
	destroy_sets(s, 2);
	la_capset_destroy(two[1]);
	destroy_sets(same, 2);
}

static void test_merge_limits_and_flags(void **state)
{
	struct la_capset *s[3] = {new_set("a", "a", LA_USAGE_CAPTURE), new_set("b", "b", LA_USAGE_SCANOUT),
				  new_set("c", "c", LA_USAGE_CPU_READ)};
	struct la_constraints ka = {.max_pitch = 8192, .size_align = 4096, .dma_addr_bits = 32,
				    .flags = LA_CONSTRAINT_CONTIGUOUS,
				    .caching = LA_CACHING_CACHED | LA_CACHING_WRITECOMBINE};
	struct la_constraints kb = {.max_pitch = 4096, .height_align = 16, .dma_addr_bits = 40,
				    .caching = LA_CACHING_WRITECOMBINE | LA_CACHING_UNCACHED};
	struct la_constraints kc = {.width_align = 32, .height_align = 6};
	struct la_result *res = NULL;

	(void)state;
	add_c(s[0], XR24, LA_MODIFIER_LINEAR, &ka);
	add_c(s[1], XR24, LA_MODIFIER_LINEAR, &kb);
	add_c(s[2], XR24, LA_MODIFIER_LINEAR, &kc);
	assert_int_equal(negotiate(s, 3, NULL, 0, &res), 0);
	struct la_candidate c = chosen(res);
	assert_int_equal(c.constraints.max_pitch, 4096);
	assert_int_equal(c.constraints.size_align, 4096);
	assert_int_equal(c.constraints.dma_addr_bits, 32);
	assert_int_equal(c.constraints.height_align, 48);
	assert_int_equal(c.constraints.width_align, 32);
	assert_int_equal(c.constraints.caching, LA_CACHING_WRITECOMBINE);
	assert_true(c.constraints.flags & LA_CONSTRAINT_CONTIGUOUS);
	la_result_destroy(res);
	destroy_sets(s, 3);
}

static void test_caching_conflict(void **state)
{
	struct la_capset *s[2] = {new_set("a", "a", LA_USAGE_CAPTURE), new_set("b", "b", LA_USAGE_SCANOUT)};
	struct la_constraints ka = {.caching = LA_CACHING_CACHED};
	struct la_constraints kb = {.caching = LA_CACHING_UNCACHED};
	struct la_result *res = NULL;

	(void)state;
	add_c(s[0], XR24, LA_MODIFIER_LINEAR, &ka);
	add_c(s[1], XR24, LA_MODIFIER_LINEAR, &kb);
	assert_int_equal(negotiate(s, 2, NULL, 0, &res), -ENOENT);
	assert_non_null(strstr(la_result_get_diagnosis(res), "of b"));
	la_result_destroy(res);
	destroy_sets(s, 2);
}

static void test_pitch_too_wide(void **state)
{
	struct la_capset *s[2] = {new_set("a", "a", LA_USAGE_CAPTURE), new_set("b", "b", LA_USAGE_SCANOUT)};
	struct la_constraints kb = {.max_pitch = 1024}; /* 640 * 4 = 2560 */
	struct la_result *res = NULL;

	(void)state;
	add(s[0], XR24, LA_MODIFIER_LINEAR, 0);
	add(s[0], YUYV, LA_MODIFIER_LINEAR, 0);
	add_c(s[1], XR24, LA_MODIFIER_LINEAR, &kb);
	add_c(s[1], YUYV, LA_MODIFIER_LINEAR, &kb);
	assert_int_equal(negotiate(s, 2, NULL, 0, &res), -ENOENT);
	assert_non_null(strstr(la_result_get_diagnosis(res), "no valid layout"));
	la_result_destroy(res);
	destroy_sets(s, 2);
}

/*
 * Size limits hold whatever the modifier: a display limited to 640 pixels
 * refuses a wider buffer with a tiled modifier too (the layout code, which
 * checks them for linear candidates, never sees a tiled one).
 */
static void test_size_limit_any_modifier(void **state)
{
	const uint64_t tiled = UINT64_C(0x0100000000000001);
	struct la_capset *s[2] = {new_set("gpu", "a", LA_USAGE_RENDER), new_set("disp", "b", LA_USAGE_SCANOUT)};
	struct la_constraints narrow = {.max_width = 320};
	struct la_constraints low = {.max_height = 240};
	struct la_result *res = NULL;

	(void)state;
	add(s[0], XR24, tiled, 0);
	add_c(s[1], XR24, tiled, &narrow);
	assert_int_equal(negotiate(s, 2, NULL, 0, &res), -ENOENT);
	assert_non_null(strstr(la_result_get_diagnosis(res), "width 640 exceeds max_width 320 of disp"));
	la_result_destroy(res);
	destroy_sets(s, 2);

	s[0] = new_set("gpu", "a", LA_USAGE_RENDER);
	s[1] = new_set("disp", "b", LA_USAGE_SCANOUT);
	add_c(s[0], XR24, tiled, &low);
	add(s[1], XR24, tiled, 0);
	assert_int_equal(negotiate(s, 2, NULL, 0, &res), -ENOENT);
	assert_non_null(strstr(la_result_get_diagnosis(res), "height 480 exceeds max_height 240 of gpu"));
	la_result_destroy(res);
	destroy_sets(s, 2);
}

static void test_lcm_overflow(void **state)
{
	struct la_capset *s[2] = {new_set("a", "a", LA_USAGE_CAPTURE), new_set("b", "b", LA_USAGE_SCANOUT)};
	struct la_result *res = NULL;

	(void)state;
	/* Two large coprime alignments: their lcm does not fit in 64 bits. */
	add(s[0], XR24, LA_MODIFIER_LINEAR, (UINT64_C(1) << 62) + 1);
	add(s[1], XR24, LA_MODIFIER_LINEAR, (UINT64_C(1) << 62) - 1);
	assert_int_equal(negotiate(s, 2, NULL, 0, &res), -ENOENT);
	assert_non_null(strstr(la_result_get_diagnosis(res), "overflows"));
	la_result_destroy(res);
	destroy_sets(s, 2);
}

static void test_zero_align_is_no_constraint(void **state)
{
	struct la_capset *s[2] = {new_set("a", "a", LA_USAGE_CAPTURE), new_set("b", "b", LA_USAGE_SCANOUT)};
	struct la_result *res = NULL;

	(void)state;
	add(s[0], XR24, LA_MODIFIER_LINEAR, 0);
	add(s[1], XR24, LA_MODIFIER_LINEAR, 256);
	assert_int_equal(negotiate(s, 2, NULL, 0, &res), 0);
	assert_int_equal(chosen(res).constraints.pitch_align[0], 256);
	la_result_destroy(res);
	destroy_sets(s, 2);
}

static void test_empty_set(void **state)
{
	struct la_capset *s[2] = {new_set("a", "a", LA_USAGE_CAPTURE),
				  new_set("mute (/dev/x)", "b", LA_USAGE_SCANOUT)};
	struct la_result *res = NULL;

	(void)state;
	add(s[0], XR24, LA_MODIFIER_LINEAR, 0);
	assert_int_equal(negotiate(s, 2, NULL, 0, &res), -ENOENT);
	assert_non_null(strstr(la_result_get_diagnosis(res),
			       "mute (/dev/x) scanout offers nothing for this size and usage"));
	la_result_destroy(res);
	destroy_sets(s, 2);
}

static void test_eight_devices(void **state)
{
	struct la_capset *s[8];
	struct la_result *res = NULL;
	char label[8];

	(void)state;
	for (int i = 0; i < 8; i++) {
		snprintf(label, sizeof(label), "d%d", i);
		s[i] = new_set(label, label, LA_USAGE_SAMPLE);
		add(s[i], AR24, LA_MODIFIER_LINEAR, 16);
		add(s[i], XR24, LA_MODIFIER_LINEAR, (uint64_t)1 << (i % 4 + 4)); /* 16..128 */
		if (i != 5)
			add(s[i], NV12, LA_MODIFIER_LINEAR, 0); /* one device lacks NV12 */
	}
	assert_int_equal(negotiate(s, 8, NULL, 0, &res), 0);
	assert_int_equal(la_result_get_candidate_count(res), 2);
	for (size_t i = 0; i < 2; i++) {
		struct la_candidate c;
		assert_int_equal(la_result_get_candidate(res, i, &c), 0);
		assert_true(c.format != NV12);
		if (c.format == XR24)
			assert_int_equal(c.constraints.pitch_align[0], 128);
	}
	la_result_destroy(res);
	destroy_sets(s, 8);
}

static void test_bad_arguments(void **state)
{
	struct la_capset *s[1] = {new_set("a", "a", LA_USAGE_CAPTURE)};
	struct la_capset *many[LA_MAX_DEVICES + 1];
	struct la_assertion a = {.width = 64, .height = 64};
	struct la_result *res = (struct la_result *)0x1;

	(void)state;
	add(s[0], XR24, LA_MODIFIER_LINEAR, 0);
	assert_int_equal(la_negotiate_capsets(ctx, &a, s, 0, &res), -EINVAL);
	assert_null(res);
	assert_int_equal(la_negotiate_capsets(ctx, NULL, s, 1, &res), -EINVAL);
	a.width = 0;
	assert_int_equal(la_negotiate_capsets(ctx, &a, s, 1, &res), -EINVAL);
	assert_non_null(strstr(la_last_diagnosis(), "width and height"));
	a.width = 64;
	a.version = 1; /* a layout this liballoc does not know */
	assert_int_equal(la_negotiate_capsets(ctx, &a, s, 1, &res), -EINVAL);
	assert_non_null(strstr(la_last_diagnosis(), "assertion version 1"));
	a.version = 0;
	a.n_formats = 2; /* without an array */
	assert_int_equal(la_negotiate_capsets(ctx, &a, s, 1, &res), -EINVAL);
	a.n_formats = 0;
	for (size_t i = 0; i < sizeof(many) / sizeof(many[0]); i++)
		many[i] = s[0];
	assert_true(la_negotiate_capsets(ctx, &a, many, LA_MAX_DEVICES + 1, &res) < 0);
	assert_non_null(strstr(la_last_diagnosis(), "at most"));
	struct la_capset *with_null[2] = {s[0], NULL};
	assert_int_equal(la_negotiate_capsets(ctx, &a, with_null, 2, &res), -EINVAL);
	destroy_sets(s, 1);
}

static void test_capset_limits(void **state)
{
	struct la_capset *s = new_set("a", "a", LA_USAGE_CAPTURE);
	struct la_candidate c = {.format = XR24, .modifier = LA_MODIFIER_LINEAR};
	struct la_capset_info bad = {.label = NULL, .driver = "x", .backend = "y"};
	struct la_capset *none = NULL;
	char longname[300];

	(void)state;
	c.modifier = LA_MODIFIER_LINEAR;
	c.plane_count = LA_MAX_PLANES + 1;
	assert_int_equal(la_capset_add_candidate(s, &c), -EINVAL);
	assert_int_equal(la_capset_get_candidate_count(s), 0);
	memset(longname, 'x', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	bad.label = longname;
	assert_true(la_capset_new(&bad, &none) < 0);
	assert_null(none);
	la_capset_destroy(s);
}

static int setup(void **state)
{
	(void)state;
	return la_context_new(&ctx);
}

/* ---- many modifiers and limits per format, sets negotiated again ---- */

#define MANY 40

static uint64_t many_mod(size_t i)
{
	return UINT64_C(0x0100000000000100) + (i * 7) % MANY; /* values not in list order */
}

static uint64_t gcd_u64(uint64_t a, uint64_t b)
{
	while (b) {
		uint64_t t = a % b;
		a = b;
		b = t;
	}
	return a;
}

/*
 * Set a lists modifier i at position i with pitch alignment 16 (i + 1), set
 * b at position (3 i) mod MANY with 32 (i mod 5 + 1): each candidate has
 * its own limits, and the order (summed positions, then modifier) is
 * neither list's.
 */
static void many_sets(struct la_capset **s)
{
	struct la_constraints k = {0};

	s[0] = new_set("a", "x", LA_USAGE_RENDER);
	s[1] = new_set("b", "y", LA_USAGE_SAMPLE);
	for (size_t i = 0; i < MANY; i++) {
		k.pitch_align[0] = 16 * (i + 1);
		add_c(s[0], XR24, many_mod(i), &k);
	}
	for (size_t pos = 0; pos < MANY; pos++) {
		size_t i = 0;
		while ((3 * i) % MANY != pos)
			i++;
		k.pitch_align[0] = 32 * (i % 5 + 1);
		add_c(s[1], XR24, many_mod(i), &k);
	}
}

static void check_many(struct la_result *res)
{
	bool done[MANY] = {false};

	assert_int_equal(la_result_get_candidate_count(res), MANY);
	for (size_t k = 0; k < MANY; k++) {
		size_t best = MANY;
		for (size_t i = 0; i < MANY; i++) {
			if (done[i])
				continue;
			size_t si = i + (3 * i) % MANY, sb = best + (3 * best) % MANY;
			if (best == MANY || si < sb || (si == sb && many_mod(i) < many_mod(best)))
				best = i;
		}
		done[best] = true;
		struct la_candidate c;
		uint64_t a = 16 * (best + 1), b = 32 * (best % 5 + 1);
		assert_int_equal(la_result_get_candidate(res, k, &c), 0);
		assert_int_equal(c.format, XR24);
		assert_int_equal(c.modifier, many_mod(best));
		assert_int_equal(c.constraints.pitch_align[0], a / gcd_u64(a, b) * b);
	}
}

static void test_many_modifiers_and_limits(void **state)
{
	struct la_capset *s[2];
	struct la_result *res = NULL;
	uint32_t formats[] = {NV12, XR24, XR24}; /* NV12 offered by none, XR24 twice */
	struct la_candidate extra = {.format = NV12, .modifier = MOD_X};

	(void)state;
	many_sets(s);
	/* negotiated again, the sets give the same answer */
	for (int round = 0; round < 2; round++) {
		assert_int_equal(negotiate(s, 2, formats, 3, &res), 0);
		check_many(res);
		la_result_destroy(res);
	}
	assert_int_equal(negotiate(s, 2, NULL, 0, &res), 0);
	assert_int_equal(la_result_get_candidate_count(res), MANY);
	la_result_destroy(res);
	/* a candidate added after a negotiation takes part in the next */
	for (int i = 0; i < 2; i++)
		assert_int_equal(la_capset_add_candidate(s[i], &extra), 0);
	assert_int_equal(negotiate(s, 2, formats, 3, &res), 0);
	assert_int_equal(la_result_get_candidate_count(res), MANY + 1);
	assert_int_equal(chosen(res).format, NV12);
	la_result_destroy(res);
	destroy_sets(s, 2);
}

/* Of two reasons a format lost its candidates, the diagnosis gives the one listed first. */
static void test_first_conflict_in_list_order(void **state)
{
	struct la_capset *s[2] = {new_set("a", "x", LA_USAGE_RENDER), new_set("b", "y", LA_USAGE_SAMPLE)};
	struct la_constraints cached = {.caching = LA_CACHING_CACHED};
	struct la_constraints uncached = {.caching = LA_CACHING_UNCACHED};
	struct la_constraints narrow = {.max_width = 100};
	struct la_result *res = NULL;
	uint32_t formats[] = {XR24};

	(void)state;
	/* b is the smaller set: its order, not the modifiers', decides which is reported */
	add_c(s[0], XR24, MOD_Y, &cached);
	add_c(s[0], XR24, MOD_X, &cached);
	add_c(s[0], AR24, MOD_X, &cached);
	add_c(s[1], XR24, MOD_Y, &narrow);
	add_c(s[1], XR24, MOD_X, &uncached);
	assert_int_equal(negotiate(s, 2, formats, 1, &res), -ENOENT);
	assert_non_null(strstr(la_result_get_diagnosis(res), "XRGB8888: width 640 exceeds max_width 100"));
	la_result_destroy(res);
	destroy_sets(s, 2);
}

static int teardown(void **state)
{
	(void)state;
	la_context_destroy(ctx);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_common_format_and_lcm),
		cmocka_unit_test(test_disjoint_diagnosis),
		cmocka_unit_test(test_caller_preference_order),
		cmocka_unit_test(test_modifier_intersection),
		cmocka_unit_test(test_implicit_modifier_same_device_only),
		cmocka_unit_test(test_merge_limits_and_flags),
		cmocka_unit_test(test_caching_conflict),
		cmocka_unit_test(test_pitch_too_wide),
		cmocka_unit_test(test_size_limit_any_modifier),
		cmocka_unit_test(test_lcm_overflow),
		cmocka_unit_test(test_zero_align_is_no_constraint),
		cmocka_unit_test(test_empty_set),
		cmocka_unit_test(test_eight_devices),
		cmocka_unit_test(test_bad_arguments),
		cmocka_unit_test(test_capset_limits),
		cmocka_unit_test(test_many_modifiers_and_limits),
		cmocka_unit_test(test_first_conflict_in_list_order),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
