/* SPDX-License-Identifier: MIT */
/* JSON dump/load of capability sets (schema: USAGE.md, "JSON schema of capability sets"). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>

#include <cmocka.h>
#include <liballoc/backend.h>
#include <liballoc/liballoc.h>

#include "testlib.h"

#define FOURCC(a, b, c, d) ((uint32_t)(a) | (uint32_t)(b) << 8 | (uint32_t)(c) << 16 | (uint32_t)(d) << 24)
#define NV12 FOURCC('N', 'V', '1', '2')
#define XRGB8888 FOURCC('X', 'R', '2', '4')
#define AFBC_MOD UINT64_C(0x0800000000000001)

static struct la_candidate full_candidate(uint32_t format, uint64_t modifier)
{
	struct la_candidate c = {.format = format, .modifier = modifier, .plane_count = 2};
	struct la_constraints *k = &c.constraints;

	for (int i = 0; i < LA_MAX_PLANES; i++) {
		k->pitch_align[i] = 64u << i;
		k->offset_align[i] = 4096 + i;
	}
	k->size_align = 1u << 20;
	k->base_align = 3;
	k->width_align = 16;
	k->height_align = 2;
	k->max_pitch = UINT64_MAX; /* beyond int64: must stay exact */
	k->max_size = UINT64_C(1) << 40;
	k->max_width = 8192;
	k->max_height = UINT32_MAX;
	k->dma_addr_bits = 64;
	k->caching = LA_CACHING_ANY;
	k->flags = LA_CONSTRAINT_CONTIGUOUS | LA_CONSTRAINT_PROTECTED_REQUIRED |
		   LA_CONSTRAINT_PROTECTED_OK | LA_CONSTRAINT_NO_CPU_ACCESS;
	return c;
}

static struct la_capset *make_set(void)
{
	struct la_capset_info info = {
		.label = "virtio_gpu (/dev/dri/card1)",
		.driver = "virtio_gpu",
		.backend = "drm",
		.devnum = makedev(226, 1),
		.usage = LA_USAGE_SCANOUT | LA_USAGE_CPU_WRITE | (UINT64_C(1) << 40) |
			 (UINT64_C(1) << 63),
		.import_rule = LA_IMPORT_OWN_ONLY,
	};
	struct la_candidate sparse = {.format = NV12, .modifier = 0};
	struct la_candidate c1 = full_candidate(XRGB8888, LA_MODIFIER_IMPLICIT);
	struct la_candidate c2 = full_candidate(NV12, AFBC_MOD);
	struct la_capset *set = NULL;

	sparse.constraints.pitch_align[2] = 256; /* one non-zero entry: whole array written */
	assert_int_equal(la_capset_new(&info, &set), 0);
	assert_int_equal(la_capset_set_import_rule(set, LA_IMPORT_OWN_ONLY, "PRIME import: -ENOSYS"), 0);
	assert_int_equal(la_capset_add_candidate(set, &c1), 0);
	assert_int_equal(la_capset_add_candidate(set, &c2), 0);
	assert_int_equal(la_capset_add_candidate(set, &sparse), 0);
	return set;
}

static void assert_sets_equal(const struct la_capset *a, const struct la_capset *b)
{
	struct la_capset_info ia, ib;

	la_capset_get_info(a, &ia);
	la_capset_get_info(b, &ib);
	assert_string_equal(ia.label, ib.label);
	assert_string_equal(ia.driver, ib.driver);
	assert_string_equal(ia.backend, ib.backend);
	assert_string_equal(ia.import_reason ? ia.import_reason : "",
			    ib.import_reason ? ib.import_reason : "");
	assert_true(ia.devnum == ib.devnum);
	assert_true(ia.usage == ib.usage);
	assert_int_equal(ia.import_rule, ib.import_rule);
	assert_int_equal(la_capset_get_candidate_count(a), la_capset_get_candidate_count(b));
	for (size_t i = 0; i < la_capset_get_candidate_count(a); i++) {
		struct la_candidate x, y;
		const struct la_constraints *p = &x.constraints, *q = &y.constraints;
		assert_int_equal(la_capset_get_candidate(a, i, &x), 0);
		assert_int_equal(la_capset_get_candidate(b, i, &y), 0);
		assert_int_equal(x.format, y.format);
		assert_true(x.modifier == y.modifier);
		assert_int_equal(x.plane_count, y.plane_count);
		for (int j = 0; j < LA_MAX_PLANES; j++) {
			assert_true(p->pitch_align[j] == q->pitch_align[j]);
			assert_true(p->offset_align[j] == q->offset_align[j]);
		}
		assert_true(p->size_align == q->size_align && p->base_align == q->base_align);
		assert_int_equal(p->width_align, q->width_align);
		assert_int_equal(p->height_align, q->height_align);
		assert_true(p->max_pitch == q->max_pitch && p->max_size == q->max_size);
		assert_int_equal(p->max_width, q->max_width);
		assert_int_equal(p->max_height, q->max_height);
		assert_int_equal(p->dma_addr_bits, q->dma_addr_bits);
		assert_int_equal(p->caching, q->caching);
		assert_int_equal(p->flags, q->flags);
	}
}

static void test_roundtrip(void **state)
{
	struct la_capset *set = make_set(), *back = NULL;
	char *json = NULL, *again = NULL;

	(void)state;
	assert_int_equal(la_capset_to_json(set, &json), 0);
	if (la_capset_from_json(json, &back) != 0)
		fail_msg("%s\n%s", la_last_diagnosis(), json);
	assert_sets_equal(set, back);
	/* Dump of the loaded set is byte-identical: the format is canonical. */
	assert_int_equal(la_capset_to_json(back, &again), 0);
	assert_string_equal(json, again);
	free(again);
	free(json);
	la_capset_destroy(back);
	la_capset_destroy(set);
}

/*
 * A layout domain makes the document schema version 2 with
 * device.layout_domain; without one it stays version 1. Version 1 does not
 * know the key.
 */
static void test_layout_domain(void **state)
{
	struct la_capset *set = make_set(), *back = NULL;
	char *json = NULL;

	(void)state;
	assert_int_equal(la_capset_to_json(set, &json), 0);
	assert_non_null(strstr(json, "\"liballoc_capset\": 1"));
	assert_null(strstr(json, "layout_domain"));
	free(json);
	assert_int_equal(la_capset_set_layout_domain(set, "fake_gpu:gen3"), 0);
	assert_int_equal(la_capset_to_json(set, &json), 0);
	assert_non_null(strstr(json, "\"liballoc_capset\": 2"));
	assert_non_null(strstr(json, "\"layout_domain\": \"fake_gpu:gen3\""));
	if (la_capset_from_json(json, &back) != 0)
		fail_msg("%s\n%s", la_last_diagnosis(), json);
	assert_sets_equal(set, back);
	assert_string_equal(la_capset_get_layout_domain(back), "fake_gpu:gen3");
	la_capset_destroy(back);
	/* the same document as version 1: the key is unknown there */
	char *v1 = strdup(json);
	memcpy(strstr(v1, "\"liballoc_capset\": 2") + strlen("\"liballoc_capset\": "), "1", 1);
	back = (struct la_capset *)0x1;
	assert_int_equal(la_capset_from_json(v1, &back), -EINVAL);
	assert_null(back);
	assert_non_null(strstr(la_last_diagnosis(), "device.layout_domain: unknown field"));
	free(v1);
	free(json);
	la_capset_destroy(set);
}

static void test_roundtrip_empty(void **state)
{
	struct la_capset_info info = {.import_rule = LA_IMPORT_NONE};
	struct la_capset *set = NULL, *back = NULL;
	char *json;

	(void)state;
	assert_int_equal(la_capset_new(&info, &set), 0);
	assert_int_equal(la_capset_to_json(set, &json), 0);
	assert_int_equal(la_capset_from_json(json, &back), 0);
	assert_sets_equal(set, back);
	assert_non_null(strstr(json, "\"candidates\": [\n  ]")); /* present even when empty */
	free(json);
	la_capset_destroy(back);
	la_capset_destroy(set);
}

static void assert_contains(const char *hay, const char *needle)
{
	if (!hay || !strstr(hay, needle))
		fail_msg("\"%s\" not in:\n%s", needle, hay ? hay : "(null)");
}

/* Pins the schema's spelling: names, strings for modifiers, zeros omitted. */
static void test_output_shape(void **state)
{
	struct la_capset *set = make_set();
	char *json;

	(void)state;
	assert_int_equal(la_capset_to_json(set, &json), 0);
	assert_contains(json, "\"liballoc_capset\": 1");
	assert_contains(json, "\"devnum\": \"226:1\"");
	assert_contains(json, "\"scanout\"");
	assert_contains(json, "\"cpu-write\"");
	assert_contains(json, "1099511627776"); /* backend bit 40 as a number */
	assert_contains(json, "9223372036854775808"); /* bit 63 */
	assert_contains(json, "\"import_rule\": \"own-only\"");
	assert_contains(json, "\"import_reason\": \"PRIME import: -ENOSYS\"");
	assert_contains(json, "\"format\": \"XRGB8888\"");
	assert_contains(json, "\"modifier\": \"implicit\"");
	assert_contains(json, "\"modifier\": \"linear\"");
	assert_contains(json, "\"modifier\": \"0x0800000000000001\"");
	assert_contains(json, "\"max_pitch\": 18446744073709551615");
	assert_contains(json, "\"writecombine\"");
	assert_contains(json, "\"protected_required\": true");
	/* The sparse candidate is last: nothing but its pitch_align array. */
	const char *last = strrchr(json, '{');
	assert_non_null(last);
	assert_contains(last, "256");
	assert_null(strstr(last, "size_align"));
	assert_null(strstr(last, "contiguous"));
	free(json);
	la_capset_destroy(set);
}

#define DEV "\"device\": {\"label\": \"cam\", \"driver\": \"vivid\", \"backend\": \"v4l2\", " \
	    "\"usage\": [\"capture\"], \"import_rule\": \"any\"}"
#define DOC(cands) "{\"liballoc_capset\": 1, " DEV ", \"candidates\": [" cands "]}"
#define CAND(extra) "{\"format\": \"NV12\", \"modifier\": \"linear\"" extra "}"

static void test_minimal_and_fourcc(void **state)
{
	struct la_capset *set = NULL;
	struct la_candidate c;
	struct la_capset_info info;

	(void)state;
	assert_int_equal(la_capset_from_json(DOC(CAND("") ", {\"format\": \"XR24\", \"modifier\": "
						       "\"0x8\"}, {\"format\": \"0x3231564e\", "
						       "\"modifier\": \"implicit\"}"),
					     &set),
			 0);
	la_capset_get_info(set, &info);
	assert_true(info.usage == LA_USAGE_CAPTURE);
	assert_true(info.devnum == 0);
	assert_int_equal(la_capset_get_candidate_count(set), 3);
	assert_int_equal(la_capset_get_candidate(set, 0, &c), 0);
	assert_int_equal(c.format, NV12);
	assert_true(c.modifier == 0);
	assert_int_equal(c.plane_count, 0);
	assert_int_equal(la_capset_get_candidate(set, 1, &c), 0);
	assert_int_equal(c.format, XRGB8888);
	assert_true(c.modifier == 8);
	assert_int_equal(la_capset_get_candidate(set, 2, &c), 0);
	assert_int_equal(c.format, NV12);
	assert_true(c.modifier == LA_MODIFIER_IMPLICIT);
	la_capset_destroy(set);
}

struct bad_case {
	const char *json;
	const char *diag; /* substring of la_last_diagnosis() */
};

static const struct bad_case bad_cases[] = {
	/* not a document */
	{"", "truncated"},
	{"{", "truncated"},
	{"[1, 2]", "(root): expected an object"},
	{DOC("") " x", "JSON:"},
	{"[[[[[[[[[[[[1]]]]]]]]]]]]", "nesting too deep"},
	/* top level */
	{"{" DEV ", \"candidates\": []}", "liballoc_capset: missing"},
	{"{\"liballoc_capset\": 3, " DEV ", \"candidates\": []}",
	 "liballoc_capset: unsupported schema version 3"},
	{"{\"liballoc_capset\": \"1\", " DEV ", \"candidates\": []}",
	 "liballoc_capset: expected a non-negative integer, got string"},
	{"{\"liballoc_capset\": -1, " DEV ", \"candidates\": []}", "liballoc_capset: negative value -1"},
	{"{\"liballoc_capset\": 1, " DEV ", \"candidates\": [], \"extra\": 0}", "extra: unknown field"},
	{"{\"liballoc_capset\": 1, \"candidates\": []}", "device: missing"},
	{"{\"liballoc_capset\": 1, \"device\": [], \"candidates\": []}", "device: expected an object"},
	{"{\"liballoc_capset\": 1, " DEV "}", "candidates: missing"},
	{"{\"liballoc_capset\": 1, " DEV ", \"candidates\": {}}", "candidates: expected an array"},
	/* device */
	{"{\"liballoc_capset\": 1, \"device\": {\"driver\": \"d\", \"backend\": \"b\", \"usage\": [], "
	 "\"import_rule\": \"any\"}, \"candidates\": []}", "device.label: missing"},
	{"{\"liballoc_capset\": 1, \"device\": {\"label\": 5, \"driver\": \"d\", \"backend\": \"b\", "
	 "\"usage\": [], \"import_rule\": \"any\"}, \"candidates\": []}",
	 "device.label: expected a string, got int"},
	{"{\"liballoc_capset\": 1, \"device\": {\"label\": null, \"driver\": \"d\", \"backend\": \"b\", "
	 "\"usage\": [], \"import_rule\": \"any\"}, \"candidates\": []}",
	 "device.label: expected a value, got null"},
	{"{\"liballoc_capset\": 1, \"device\": {\"label\": \"a\\u0000b\", \"driver\": \"d\", "
	 "\"backend\": \"b\", \"usage\": [], \"import_rule\": \"any\"}, \"candidates\": []}",
	 "device.label: string contains a NUL"},
	{"{\"liballoc_capset\": 1, \"device\": {\"label\": \"l\", \"driver\": \"d\", \"backend\": \"b\", "
	 "\"usage\": [], \"import_rule\": \"any\", \"colour\": 1}, \"candidates\": []}",
	 "device.colour: unknown field"},
	{"{\"liballoc_capset\": 1, \"device\": {\"label\": \"l\", \"driver\": \"d\", \"backend\": \"b\", "
	 "\"devnum\": \"226\", \"usage\": [], \"import_rule\": \"any\"}, \"candidates\": []}",
	 "device.devnum: expected \"major:minor\""},
	{"{\"liballoc_capset\": 1, \"device\": {\"label\": \"l\", \"driver\": \"d\", \"backend\": \"b\", "
	 "\"devnum\": \"-1:0\", \"usage\": [], \"import_rule\": \"any\"}, \"candidates\": []}",
	 "device.devnum: expected"},
	{"{\"liballoc_capset\": 1, \"device\": {\"label\": \"l\", \"driver\": \"d\", \"backend\": \"b\", "
	 "\"devnum\": \"4294967296:0\", \"usage\": [], \"import_rule\": \"any\"}, \"candidates\": []}",
	 "device.devnum: expected"},
	{"{\"liballoc_capset\": 1, \"device\": {\"label\": \"l\", \"driver\": \"d\", \"backend\": \"b\", "
	 "\"devnum\": \"1:\", \"usage\": [], \"import_rule\": \"any\"}, \"candidates\": []}",
	 "device.devnum: expected"},
	{"{\"liballoc_capset\": 1, \"device\": {\"label\": \"l\", \"driver\": \"d\", \"backend\": \"b\", "
	 "\"usage\": \"scanout\", \"import_rule\": \"any\"}, \"candidates\": []}",
	 "device.usage: expected an array"},
	{"{\"liballoc_capset\": 1, \"device\": {\"label\": \"l\", \"driver\": \"d\", \"backend\": \"b\", "
	 "\"usage\": [\"scanout\", \"warp\"], \"import_rule\": \"any\"}, \"candidates\": []}",
	 "device.usage[1]: unknown usage 'warp'"},
	{"{\"liballoc_capset\": 1, \"device\": {\"label\": \"l\", \"driver\": \"d\", \"backend\": \"b\", "
	 "\"usage\": [3], \"import_rule\": \"any\"}, \"candidates\": []}",
	 "device.usage[0]: 0x3 is not a single usage bit"},
	{"{\"liballoc_capset\": 1, \"device\": {\"label\": \"l\", \"driver\": \"d\", \"backend\": \"b\", "
	 "\"usage\": [-4], \"import_rule\": \"any\"}, \"candidates\": []}",
	 "device.usage[0]: negative value -4"},
	{"{\"liballoc_capset\": 1, \"device\": {\"label\": \"l\", \"driver\": \"d\", \"backend\": \"b\", "
	 "\"usage\": [true], \"import_rule\": \"any\"}, \"candidates\": []}",
	 "device.usage[0]: expected a usage name"},
	{"{\"liballoc_capset\": 1, \"device\": {\"label\": \"l\", \"driver\": \"d\", \"backend\": \"b\", "
	 "\"usage\": [], \"import_rule\": \"sometimes\"}, \"candidates\": []}",
	 "device.import_rule: unknown import rule \"sometimes\""},
	{"{\"liballoc_capset\": 1, \"device\": {\"label\": \"l\", \"driver\": \"d\", \"backend\": \"b\", "
	 "\"usage\": []}, \"candidates\": []}", "device.import_rule: missing"},
	/* candidates */
	{DOC("\"NV12\""), "candidates[0]: expected an object, got string"},
	{DOC("{\"modifier\": \"linear\"}"), "candidates[0].format: missing"},
	{DOC("{\"format\": 842094158, \"modifier\": \"linear\"}"),
	 "candidates[0].format: expected a string, got int"},
	{DOC("{\"format\": \"NV1\", \"modifier\": \"linear\"}"), "candidates[0].format"},
	{DOC("{\"format\": \"NV12\"}"), "candidates[0].modifier: missing"},
	{DOC("{\"format\": \"NV12\", \"modifier\": 0}"), "candidates[0].modifier: expected a string"},
	{DOC("{\"format\": \"NV12\", \"modifier\": \"LINEAR\"}"), "candidates[0].modifier: expected"},
	{DOC("{\"format\": \"NV12\", \"modifier\": \"0x\"}"), "candidates[0].modifier: expected"},
	{DOC("{\"format\": \"NV12\", \"modifier\": \"0xfg\"}"), "candidates[0].modifier: expected"},
	{DOC("{\"format\": \"NV12\", \"modifier\": \"0x11112222333344445\"}"),
	 "candidates[0].modifier: expected"},
	{DOC(CAND(", \"plane_count\": 5")), "candidates[0].plane_count: 5 out of range (at most 4)"},
	{DOC(CAND(", \"plane_count\": -1")), "candidates[0].plane_count: negative value -1"},
	{DOC(CAND(", \"plane_count\": 1.5")), "candidates[0].plane_count: expected a non-negative integer, got double"},
	{DOC(CAND(", \"planes\": 1")), "candidates[0].planes: unknown field"},
	{DOC(CAND(", \"constraints\": []")), "candidates[0].constraints: expected an object"},
	/* constraints, the bad one at index 3 to check the path */
	{DOC(CAND("") "," CAND("") "," CAND("") "," CAND(", \"constraints\": {\"pitch_align\": [1, 2, 3]}")),
	 "candidates[3].constraints.pitch_align: expected array of 4 integers"},
	{DOC(CAND(", \"constraints\": {\"pitch_align\": 64}")),
	 "candidates[0].constraints.pitch_align: expected array of 4 integers"},
	{DOC(CAND(", \"constraints\": {\"offset_align\": [1, 2, 3, -4]}")),
	 "candidates[0].constraints.offset_align[3]: negative value -4"},
	{DOC(CAND(", \"constraints\": {\"pitch_align\": [1, 2, \"3\", 4]}")),
	 "candidates[0].constraints.pitch_align[2]: expected a non-negative integer, got string"},
	{DOC(CAND(", \"constraints\": {\"width_align\": 4294967296}")),
	 "candidates[0].constraints.width_align: 4294967296 out of range"},
	{DOC(CAND(", \"constraints\": {\"dma_addr_bits\": 65}")),
	 "candidates[0].constraints.dma_addr_bits: 65 out of range (at most 64)"},
	{DOC(CAND(", \"constraints\": {\"max_size\": -1}")),
	 "candidates[0].constraints.max_size: negative value -1"},
	{DOC(CAND(", \"constraints\": {\"size_align\": 1e3}")),
	 "candidates[0].constraints.size_align: expected a non-negative integer, got double"},
	{DOC(CAND(", \"constraints\": {\"caching\": [\"cachy\"]}")),
	 "candidates[0].constraints.caching[0]: unknown caching \"cachy\""},
	{DOC(CAND(", \"constraints\": {\"caching\": \"cached\"}")),
	 "candidates[0].constraints.caching: expected an array"},
	{DOC(CAND(", \"constraints\": {\"contiguous\": 1}")),
	 "candidates[0].constraints.contiguous: expected a boolean, got int"},
	{DOC(CAND(", \"constraints\": {\"pitch_aling\": [1, 1, 1, 1]}")),
	 "candidates[0].constraints.pitch_aling: unknown field"},
};

static void test_malformed(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		struct la_capset *set = (struct la_capset *)0x1;
		int ret = la_capset_from_json(bad_cases[i].json, &set);
		if (ret != -EINVAL || set != NULL)
			fail_msg("case %zu: ret %d for %s", i, ret, bad_cases[i].json);
		if (!strstr(la_last_diagnosis(), bad_cases[i].diag))
			fail_msg("case %zu: diagnosis \"%s\" lacks \"%s\"", i, la_last_diagnosis(),
				 bad_cases[i].diag);
	}
}

static void test_long_string(void **state)
{
	char json[1024], label[300];
	struct la_capset *set = NULL;

	(void)state;
	memset(label, 'a', 256);
	label[256] = '\0';
	snprintf(json, sizeof(json),
		 "{\"liballoc_capset\": 1, \"device\": {\"label\": \"%s\", \"driver\": \"d\", "
		 "\"backend\": \"b\", \"usage\": [], \"import_rule\": \"any\"}, \"candidates\": []}",
		 label);
	assert_int_equal(la_capset_from_json(json, &set), -EINVAL);
	assert_non_null(strstr(la_last_diagnosis(), "device.label: string longer than 255"));
	label[255] = '\0'; /* 255 is the limit, not 254 */
	snprintf(json, sizeof(json),
		 "{\"liballoc_capset\": 1, \"device\": {\"label\": \"%s\", \"driver\": \"d\", "
		 "\"backend\": \"b\", \"usage\": [], \"import_rule\": \"any\"}, \"candidates\": []}",
		 label);
	assert_int_equal(la_capset_from_json(json, &set), 0);
	la_capset_destroy(set);
}

static void test_args(void **state)
{
	struct la_capset *set = NULL;
	char *json;

	(void)state;
	assert_int_equal(la_capset_from_json(NULL, &set), -EINVAL);
	assert_int_equal(la_capset_from_json("{}", NULL), -EINVAL);
	assert_int_equal(la_capset_to_json(NULL, &json), -EINVAL);
}

static int load_json(const void *data, size_t size)
{
	struct la_capset *set = NULL;
	int ret = la_capset_from_json(data, &set);

	(void)size;
	la_capset_destroy(set);
	return ret;
}

/* Seeds named valid-* must load, every other seed must be refused. */
static void test_corpus(void **state)
{
	char err[512];
	int ret = tl_check_seeds(LA_TEST_SRCDIR "/../../fuzz/corpus/capset-json", load_json, 2, 4, err,
				 sizeof(err));

	(void)state;
	if (ret != 0)
		fail_msg("%s (%s)", ret > 0 ? err : strerror(-ret), la_last_diagnosis());
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_roundtrip_empty),
		cmocka_unit_test(test_layout_domain),
		cmocka_unit_test(test_output_shape),
		cmocka_unit_test(test_minimal_and_fourcc),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_long_string),
		cmocka_unit_test(test_args),
		cmocka_unit_test(test_corpus),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
