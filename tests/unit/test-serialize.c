/* SPDX-License-Identifier: MIT */
/*
 * Binary serialization of capability sets ("LACS") and descriptors ("LADS").
 * Offsets below are the layout documented in docs/serialization.md; the
 * malformed-blob tests patch a valid blob at those offsets.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cmocka.h>
#include <liballoc/backend.h>
#include <liballoc/liballoc.h>

#include "testlib.h"

#define FOURCC(a, b, c, d) ((uint32_t)(a) | (uint32_t)(b) << 8 | (uint32_t)(c) << 16 | (uint32_t)(d) << 24)
#define NV12 FOURCC('N', 'V', '1', '2')
#define XR24 FOURCC('X', 'R', '2', '4')
#define YU12 FOURCC('Y', 'U', '1', '2')

/* Layout offsets (docs/serialization.md, "Binary layout, version 1"). */
#define OFF_VERSION 4
#define OFF_RESERVED 6
#define OFF_TOTAL 8
#define CS_OFF_COUNT 12
#define CS_OFF_RULE 32
#define CS_OFF_LABEL 33
#define CAND_SIZE 140
#define CAND_OFF_PLANES 12
#define CAND_OFF_DMA_BITS 128
#define CAND_OFF_CACHING 132
#define CAND_OFF_FLAGS 136
#define DS_OFF_PLANE_COUNT 32
#define DS_OFF_FLAGS 36
#define DS_OFF_FD_COUNT 40
#define DS_OFF_PLANES 44
#define PLANE_SIZE 28

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Every constraint field set to a distinct non-zero value. */
static struct la_candidate full_candidate(uint32_t format, uint64_t modifier, uint32_t seed)
{
	struct la_candidate c = {.format = format, .modifier = modifier, .plane_count = 2};
	struct la_constraints *k = &c.constraints;

	for (int i = 0; i < LA_MAX_PLANES; i++) {
		k->pitch_align[i] = seed + 1 + i;
		k->offset_align[i] = (UINT64_C(1) << 40) + seed + i;
	}
	k->size_align = 4096 + seed;
	k->base_align = UINT64_C(1) << 21;
	k->width_align = 16 + seed;
	k->height_align = 2 + seed;
	k->max_pitch = UINT64_MAX - seed;
	k->max_size = (UINT64_C(1) << 33) + seed;
	k->max_width = 8192 + seed;
	k->max_height = 4320 + seed;
	k->dma_addr_bits = 32;
	k->caching = LA_CACHING_WRITECOMBINE | LA_CACHING_UNCACHED;
	k->flags = LA_CONSTRAINT_CONTIGUOUS | LA_CONSTRAINT_PROTECTED_OK | LA_CONSTRAINT_NO_CPU_ACCESS;
	return c;
}

static struct la_capset *make_set(size_t n)
{
	struct la_capset_info info = {
		.label = "vivid (/dev/video0)",
		.driver = "vivid",
		.backend = "v4l2",
		.devnum = makedev(81, 3),
		.usage = LA_USAGE_CAPTURE | LA_USAGE_CPU_READ | (UINT64_C(1) << 40),
		.import_rule = LA_IMPORT_CONTIGUOUS,
	};
	static const uint64_t mods[] = {0, LA_MODIFIER_IMPLICIT, UINT64_C(0x0100000000000001)};
	struct la_capset *set = NULL;

	assert_int_equal(la_capset_new(&info, &set), 0);
	assert_int_equal(la_capset_set_import_rule(set, LA_IMPORT_CONTIGUOUS, "CMA probe: -EINVAL"), 0);
	for (size_t i = 0; i < n; i++) {
		struct la_candidate c = full_candidate(i % 2 ? XR24 : NV12, mods[i % 3], (uint32_t)i);
		assert_int_equal(la_capset_add_candidate(set, &c), 0);
	}
	return set;
}

static void assert_constraints_equal(const struct la_constraints *a, const struct la_constraints *b)
{
	for (int i = 0; i < LA_MAX_PLANES; i++) {
		assert_true(a->pitch_align[i] == b->pitch_align[i]);
		assert_true(a->offset_align[i] == b->offset_align[i]);
	}
	assert_true(a->size_align == b->size_align);
	assert_true(a->base_align == b->base_align);
	assert_int_equal(a->width_align, b->width_align);
	assert_int_equal(a->height_align, b->height_align);
	assert_true(a->max_pitch == b->max_pitch);
	assert_true(a->max_size == b->max_size);
	assert_int_equal(a->max_width, b->max_width);
	assert_int_equal(a->max_height, b->max_height);
	assert_int_equal(a->dma_addr_bits, b->dma_addr_bits);
	assert_int_equal(a->caching, b->caching);
	assert_int_equal(a->flags, b->flags);
}

static void assert_sets_equal(const struct la_capset *a, const struct la_capset *b)
{
	struct la_capset_info ia, ib;
	size_t n = la_capset_get_candidate_count(a);

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
	assert_int_equal(la_capset_get_candidate_count(b), n);
	for (size_t i = 0; i < n; i++) {
		struct la_candidate ca, cb;
		assert_int_equal(la_capset_get_candidate(a, i, &ca), 0);
		assert_int_equal(la_capset_get_candidate(b, i, &cb), 0);
		assert_int_equal(ca.format, cb.format);
		assert_true(ca.modifier == cb.modifier);
		assert_int_equal(ca.plane_count, cb.plane_count);
		assert_constraints_equal(&ca.constraints, &cb.constraints);
	}
}

static void serialize_set(size_t n, uint8_t **blob, size_t *size)
{
	struct la_capset *set = make_set(n);

	assert_int_equal(la_capset_serialize(set, (void **)blob, size), 0);
	la_capset_destroy(set);
}

/* Expects -EINVAL, no set, and a diagnosis containing want. */
static void expect_bad_capset(const uint8_t *blob, size_t size, const char *want)
{
	struct la_capset *out = (struct la_capset *)0x1;

	assert_int_equal(la_capset_deserialize(blob, size, &out), -EINVAL);
	assert_null(out);
	if (want && !strstr(la_last_diagnosis(), want))
		fail_msg("diagnosis \"%s\" lacks \"%s\"", la_last_diagnosis(), want);
}

/* ---------------- capability sets ---------------- */

/*
 * A set with a layout domain is a version 2 blob with one more string
 * after import_reason; one without stays version 1, byte for byte what
 * older readers take.
 */
static void test_capset_layout_domain(void **state)
{
	struct la_capset *set = make_set(2), *back = NULL;
	uint8_t *v1, *v2;
	size_t s1, s2;

	(void)state;
	assert_int_equal(la_capset_serialize(set, (void **)&v1, &s1), 0);
	assert_int_equal(v1[OFF_VERSION], 1);
	assert_int_equal(la_capset_set_layout_domain(set, "fake_gpu:gen3"), 0);
	assert_int_equal(la_capset_serialize(set, (void **)&v2, &s2), 0);
	assert_int_equal(v2[OFF_VERSION], 2);
	assert_int_equal(s2, s1 + 1 + strlen("fake_gpu:gen3"));
	assert_int_equal(la_capset_deserialize(v2, s2, &back), 0);
	assert_sets_equal(set, back);
	assert_string_equal(la_capset_get_layout_domain(back), "fake_gpu:gen3");
	la_capset_destroy(back);
	assert_int_equal(la_capset_deserialize(v1, s1, &back), 0);
	assert_string_equal(la_capset_get_layout_domain(back), "");
	la_capset_destroy(back);
	/* a version 1 blob labelled 2 lacks the string: refused, not misread */
	v1[OFF_VERSION] = 2;
	expect_bad_capset(v1, s1, NULL);
	/* the domain bound holds on reading too */
	size_t at = s2 - 2 * CAND_SIZE - 1 - strlen("fake_gpu:gen3");
	assert_int_equal(v2[at], strlen("fake_gpu:gen3"));
	size_t big = s2 + 64;
	uint8_t *b = calloc(1, big);
	memcpy(b, v2, at);
	b[at] = 13 + 64;
	memset(b + at + 1, 'k', 13 + 64);
	memcpy(b + at + 1 + 13 + 64, v2 + at + 1 + 13, s2 - at - 1 - 13);
	put32(b + OFF_TOTAL, (uint32_t)big);
	expect_bad_capset(b, big, "layout_domain longer than 63 bytes");
	free(b);
	free(v1);
	free(v2);
	la_capset_destroy(set);
}

static void test_capset_roundtrip(void **state)
{
	struct la_capset *set = make_set(5), *back = NULL;
	void *blob;
	size_t size;

	(void)state;
	assert_int_equal(la_capset_serialize(set, &blob, &size), 0);
	assert_int_equal(la_capset_deserialize(blob, size, &back), 0);
	assert_sets_equal(set, back);
	/* The implicit modifier stays itself, never becomes LINEAR. */
	struct la_candidate c;
	assert_int_equal(la_capset_get_candidate(back, 1, &c), 0);
	assert_true(c.modifier == LA_MODIFIER_IMPLICIT);
	assert_null(la_capset_get_device(back));
	la_capset_destroy(back);
	la_capset_destroy(set);
	free(blob);
}

static void test_capset_roundtrip_empty(void **state)
{
	struct la_capset_info info = {.import_rule = LA_IMPORT_NONE};
	struct la_capset *set = NULL, *back = NULL;
	void *blob;
	size_t size;

	(void)state;
	assert_int_equal(la_capset_new(&info, &set), 0);
	assert_int_equal(la_capset_serialize(set, &blob, &size), 0);
	assert_int_equal(size, 37); /* fixed part only: no strings, no candidates */
	assert_int_equal(la_capset_deserialize(blob, size, &back), 0);
	assert_sets_equal(set, back);
	assert_int_equal(la_capset_get_candidate_count(back), 0);
	la_capset_destroy(back);
	la_capset_destroy(set);
	free(blob);
}

/* Pins the wire format: little endian, byte offsets, not a struct dump. */
static void test_capset_layout(void **state)
{
	uint8_t *b;
	size_t size, cand;

	(void)state;
	serialize_set(2, &b, &size);
	assert_memory_equal(b, "LACS", 4);
	assert_int_equal(b[OFF_VERSION], 1);
	assert_int_equal(b[OFF_VERSION + 1], 0);
	assert_int_equal(get32(b + OFF_TOTAL), size);
	assert_int_equal(get32(b + CS_OFF_COUNT), 2);
	assert_int_equal(get32(b + 16), 81);     /* major */
	assert_int_equal(get32(b + 20), 3);      /* minor */
	assert_int_equal(b[24 + 5], 1);          /* usage bit 40 in byte 5 */
	assert_int_equal(b[CS_OFF_RULE], LA_IMPORT_CONTIGUOUS);
	assert_int_equal(b[CS_OFF_LABEL], strlen("vivid (/dev/video0)"));
	assert_memory_equal(b + CS_OFF_LABEL + 1, "vivid", 5);
	cand = size - 2 * CAND_SIZE;
	assert_memory_equal(b + cand, "NV12", 4); /* fourcc in LE = its letters */
	assert_int_equal(get32(b + cand + CAND_OFF_PLANES), 2);
	assert_int_equal(get32(b + cand + CAND_OFF_DMA_BITS), 32);
	free(b);
}

static void test_capset_truncated_everywhere(void **state)
{
	uint8_t *b, *copy;
	size_t size;

	(void)state;
	serialize_set(3, &b, &size);
	for (size_t len = 0; len < size; len++) {
		/* Exact-size copy so ASan/valgrind see any read past len. */
		copy = malloc(len ? len : 1);
		memcpy(copy, b, len);
		expect_bad_capset(copy, len, NULL);
		/* Same with the total length patched to match: inner bounds checks. */
		if (len >= 12) {
			put32(copy + OFF_TOTAL, (uint32_t)len);
			expect_bad_capset(copy, len, "byte");
		}
		free(copy);
	}
	free(b);
}

static void test_capset_bad_header(void **state)
{
	uint8_t *b;
	size_t size;

	(void)state;
	serialize_set(1, &b, &size);
	b[0] = 'X';
	expect_bad_capset(b, size, "magic");
	memcpy(b, "LADS", 4); /* a descriptor is not a capset */
	expect_bad_capset(b, size, "magic");
	memcpy(b, "LACS", 4);
	b[OFF_VERSION] = 3; /* 2 adds the layout domain (test_capset_layout_domain) */
	expect_bad_capset(b, size, "byte 4: unsupported version 3");
	b[OFF_VERSION] = 0;
	expect_bad_capset(b, size, "version 0");
	b[OFF_VERSION] = 1;
	b[OFF_RESERVED] = 1;
	expect_bad_capset(b, size, "reserved");
	b[OFF_RESERVED] = 0;
	put32(b + OFF_TOTAL, 0xffffffff);
	expect_bad_capset(b, size, "truncated");
	put32(b + OFF_TOTAL, 20);
	expect_bad_capset(b, 20, "minimum");
	free(b);
	expect_bad_capset(NULL, 0, "truncated header");
}

static void test_capset_huge_counts(void **state)
{
	uint8_t *b;
	size_t size;

	(void)state;
	serialize_set(2, &b, &size);
	put32(b + CS_OFF_COUNT, 0xffffffff);
	expect_bad_capset(b, size, "byte 12: candidate count 4294967295 exceeds");
	put32(b + CS_OFF_COUNT, 65537);
	expect_bad_capset(b, size, "exceeds 65536");
	put32(b + CS_OFF_COUNT, 65536); /* allowed count, but not that many bytes */
	expect_bad_capset(b, size, "65536 candidates need");
	put32(b + CS_OFF_COUNT, 3);
	expect_bad_capset(b, size, "3 candidates need");
	put32(b + CS_OFF_COUNT, 1); /* one record left over */
	expect_bad_capset(b, size, "trailing bytes inside");
	free(b);
}

static void test_capset_bad_strings(void **state)
{
	uint8_t *b;
	size_t size;

	(void)state;
	serialize_set(0, &b, &size);
	b[CS_OFF_LABEL] = 255; /* label runs past the end */
	expect_bad_capset(b, size, "label length runs past");
	b[CS_OFF_LABEL] = (uint8_t)strlen("vivid (/dev/video0)");
	b[CS_OFF_LABEL + 3] = '\0';
	expect_bad_capset(b, size, "byte 33: label contains a NUL");
	free(b);
}

static void test_capset_bad_fields(void **state)
{
	uint8_t *b;
	size_t size, cand;

	(void)state;
	serialize_set(1, &b, &size);
	cand = size - CAND_SIZE;
	b[CS_OFF_RULE] = 4;
	expect_bad_capset(b, size, "byte 32: unknown import_rule 4");
	b[CS_OFF_RULE] = LA_IMPORT_ANY;
	put32(b + cand + CAND_OFF_PLANES, 5);
	expect_bad_capset(b, size, "plane_count 5");
	put32(b + cand + CAND_OFF_PLANES, 0);
	put32(b + cand + CAND_OFF_FLAGS, 1u << 7);
	expect_bad_capset(b, size, "unknown constraint flags");
	put32(b + cand + CAND_OFF_FLAGS, 0);
	put32(b + cand + CAND_OFF_CACHING, 1u << 5);
	expect_bad_capset(b, size, "candidate 0");
	put32(b + cand + CAND_OFF_CACHING, 0);
	put32(b + cand + CAND_OFF_DMA_BITS, 65);
	expect_bad_capset(b, size, "candidate 0");
	put32(b + cand + CAND_OFF_DMA_BITS, 64);
	struct la_capset *ok = NULL;
	assert_int_equal(la_capset_deserialize(b, size, &ok), 0);
	la_capset_destroy(ok);
	free(b);
}

static void test_capset_trailing(void **state)
{
	uint8_t *b;
	size_t size;

	(void)state;
	serialize_set(1, &b, &size);
	b = realloc(b, size + 1);
	b[size] = 0;
	expect_bad_capset(b, size + 1, "byte 8: total length");
	put32(b + OFF_TOTAL, (uint32_t)size + 1);
	expect_bad_capset(b, size + 1, "trailing bytes inside");
	free(b);
}

/* Every single-byte corruption either parses or fails cleanly. */
static void test_capset_bitflips(void **state)
{
	uint8_t *b;
	size_t size;

	(void)state;
	serialize_set(2, &b, &size);
	for (size_t i = 0; i < size; i++) {
		for (int bit = 0; bit < 8; bit++) {
			struct la_capset *out = NULL;
			b[i] ^= (uint8_t)(1u << bit);
			int ret = la_capset_deserialize(b, size, &out);
			assert_true(ret == 0 || ret == -EINVAL);
			assert_true((ret == 0) == (out != NULL));
			la_capset_destroy(out);
			b[i] ^= (uint8_t)(1u << bit);
		}
	}
	free(b);
}

static void test_capset_args(void **state)
{
	struct la_capset *set = make_set(1), *out;
	void *blob;
	size_t size;

	(void)state;
	assert_int_equal(la_capset_serialize(NULL, &blob, &size), -EINVAL);
	assert_int_equal(la_capset_serialize(set, NULL, &size), -EINVAL);
	assert_int_equal(la_capset_deserialize("LACS", 4, NULL), -EINVAL);
	assert_int_equal(la_capset_deserialize(NULL, 10, &out), -EINVAL);
	la_capset_destroy(set);
}

/* ---------------- descriptors ---------------- */

static struct la_descriptor nv12_desc(int fd)
{
	return (struct la_descriptor){
		.format = NV12,
		.modifier = LA_MODIFIER_IMPLICIT,
		.width = 1920,
		.height = 1080,
		.plane_count = 2,
		.flags = LA_BUFFER_CACHED,
		.planes = {{fd, 0, 1920, 1920 * 1080},
			   {fd, 1920 * 1088, 1920, 1920 * 540},
			   {-1, 0, 0, 0},
			   {-1, 0, 0, 0}},
	};
}

/* Expects -EINVAL and a diagnosis containing want. */
static void expect_bad_desc(const uint8_t *blob, size_t size, const int *fds, size_t n,
			    const char *want)
{
	struct la_descriptor out;

	assert_int_equal(la_descriptor_deserialize(blob, size, fds, n, &out), -EINVAL);
	if (want && !strstr(la_last_diagnosis(), want))
		fail_msg("diagnosis \"%s\" lacks \"%s\"", la_last_diagnosis(), want);
}

/* Shared fd: one index; fds are borrowed both ways (no dup, no close). */
static void test_desc_roundtrip_shared_fd(void **state)
{
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	struct la_descriptor desc = nv12_desc(fd), back;
	int fds[LA_MAX_PLANES] = {-1, -1, -1, -1}, received[1];
	size_t n_fds = 99, size;
	uint8_t *blob;
	int before;

	(void)state;
	assert_true(fd >= 0);
	before = tl_fd_count();
	assert_int_equal(la_descriptor_serialize(&desc, (void **)&blob, &size, fds, &n_fds), 0);
	assert_int_equal(n_fds, 1);
	assert_int_equal(fds[0], fd);
	assert_int_equal(size, DS_OFF_PLANES + 2 * PLANE_SIZE);
	assert_memory_equal(blob, "LADS", 4);
	assert_int_equal(get32(blob + DS_OFF_FD_COUNT), 1);
	assert_int_equal(get32(blob + DS_OFF_PLANES), 0);
	assert_int_equal(get32(blob + DS_OFF_PLANES + PLANE_SIZE), 0);
	/* The receiver's fd number differs from the sender's. */
	received[0] = 1000;
	assert_int_equal(la_descriptor_deserialize(blob, size, received, 1, &back), 0);
	assert_int_equal(tl_fd_count(), before);
	assert_int_equal(back.format, NV12);
	assert_true(back.modifier == LA_MODIFIER_IMPLICIT);
	assert_int_equal(back.width, 1920);
	assert_int_equal(back.height, 1080);
	assert_int_equal(back.plane_count, 2);
	assert_int_equal(back.flags, LA_BUFFER_CACHED);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(back.planes[i].fd, 1000);
		assert_true(back.planes[i].offset == desc.planes[i].offset);
		assert_true(back.planes[i].pitch == desc.planes[i].pitch);
		assert_true(back.planes[i].size == desc.planes[i].size);
	}
	assert_int_equal(back.planes[2].fd, -1);
	assert_int_equal(back.planes[3].fd, -1);
	free(blob);
	close(fd);
}

static void test_desc_roundtrip_distinct_fds(void **state)
{
	struct la_descriptor desc = {
		.format = YU12,
		.modifier = 0,
		.width = 641,
		.height = 481,
		.plane_count = 3,
		.planes = {{7, 0, 704, 1}, {9, 0, 352, 2}, {7, 4096, 352, UINT64_MAX}},
	}, back;
	int fds[LA_MAX_PLANES], received[2] = {30, 31};
	size_t n_fds, size;
	void *blob;

	(void)state;
	assert_int_equal(la_descriptor_serialize(&desc, &blob, &size, fds, &n_fds), 0);
	assert_int_equal(n_fds, 2);
	assert_int_equal(fds[0], 7);
	assert_int_equal(fds[1], 9);
	assert_int_equal(la_descriptor_deserialize(blob, size, received, 2, &back), 0);
	assert_int_equal(back.planes[0].fd, 30);
	assert_int_equal(back.planes[1].fd, 31);
	assert_int_equal(back.planes[2].fd, 30);
	assert_true(back.planes[2].size == UINT64_MAX);
	assert_true(back.modifier == 0);
	free(blob);
}

static void serialize_desc(uint8_t **blob, size_t *size)
{
	struct la_descriptor desc = nv12_desc(5);
	int fds[LA_MAX_PLANES];
	size_t n;

	desc.planes[1].fd = 6; /* two fds */
	assert_int_equal(la_descriptor_serialize(&desc, (void **)blob, size, fds, &n), 0);
	assert_int_equal(n, 2);
}

static void test_desc_truncated_everywhere(void **state)
{
	const int fds[2] = {5, 6};
	uint8_t *b, *copy;
	size_t size;

	(void)state;
	serialize_desc(&b, &size);
	for (size_t len = 0; len < size; len++) {
		copy = malloc(len ? len : 1);
		memcpy(copy, b, len);
		expect_bad_desc(copy, len, fds, 2, NULL);
		if (len >= 12) {
			put32(copy + OFF_TOTAL, (uint32_t)len);
			expect_bad_desc(copy, len, fds, 2, "byte");
		}
		free(copy);
	}
	free(b);
}

static void test_desc_malformed(void **state)
{
	const int fds[3] = {5, 6, 7}, neg[2] = {5, -1};
	uint8_t *b;
	size_t size;

	(void)state;
	serialize_desc(&b, &size);
	expect_bad_desc(b, size, fds, 1, "2 fds expected, 1 received");
	expect_bad_desc(b, size, fds, 3, "2 fds expected, 3 received");
	expect_bad_desc(b, size, neg, 2, "invalid");
	put32(b + DS_OFF_PLANES + PLANE_SIZE, 2);
	expect_bad_desc(b, size, fds, 2, "plane 1 fd index 2 >= fd count 2");
	put32(b + DS_OFF_PLANES + PLANE_SIZE, 0xffffffff);
	expect_bad_desc(b, size, fds, 2, "fd index");
	put32(b + DS_OFF_PLANES + PLANE_SIZE, 0); /* fd 1 used by nobody */
	expect_bad_desc(b, size, fds, 2, "fd 1 is used by no plane");
	put32(b + DS_OFF_PLANES + PLANE_SIZE, 1);
	put32(b + DS_OFF_PLANE_COUNT, 0);
	expect_bad_desc(b, size, fds, 2, "plane_count 0");
	put32(b + DS_OFF_PLANE_COUNT, 5);
	expect_bad_desc(b, size, fds, 2, "plane_count 5");
	put32(b + DS_OFF_PLANE_COUNT, 1); /* second plane record left over */
	expect_bad_desc(b, size, fds, 2, "fd count 2 not in 1..1");
	put32(b + DS_OFF_FD_COUNT, 1);
	expect_bad_desc(b, size, fds, 1, "trailing bytes inside");
	put32(b + DS_OFF_PLANE_COUNT, 2);
	put32(b + DS_OFF_FD_COUNT, 2);
	put32(b + DS_OFF_FLAGS, 1u << 9);
	expect_bad_desc(b, size, fds, 2, "unknown buffer flags");
	put32(b + DS_OFF_FLAGS, 0);
	b[OFF_VERSION] = 7;
	expect_bad_desc(b, size, fds, 2, "unsupported version 7");
	b[OFF_VERSION] = 1;
	memcpy(b, "LACS", 4);
	expect_bad_desc(b, size, fds, 2, "magic");
	memcpy(b, "LADS", 4);
	struct la_descriptor ok;
	assert_int_equal(la_descriptor_deserialize(b, size, fds, 2, &ok), 0);
	b = realloc(b, size + 3);
	expect_bad_desc(b, size + 3, fds, 2, "byte 8: total length");
	free(b);
}

static void test_desc_serialize_errors(void **state)
{
	struct la_descriptor desc = nv12_desc(3);
	int fds[LA_MAX_PLANES];
	size_t n, size;
	void *blob;

	(void)state;
	desc.plane_count = 0;
	assert_int_equal(la_descriptor_serialize(&desc, &blob, &size, fds, &n), -EINVAL);
	desc.plane_count = 5;
	assert_int_equal(la_descriptor_serialize(&desc, &blob, &size, fds, &n), -EINVAL);
	desc.plane_count = 2;
	desc.planes[1].fd = -1;
	assert_int_equal(la_descriptor_serialize(&desc, &blob, &size, fds, &n), -EINVAL);
	assert_non_null(strstr(la_last_diagnosis(), "plane 1 has no fd"));
	assert_int_equal(la_descriptor_serialize(&desc, &blob, &size, NULL, &n), -EINVAL);
}

/* ---------------- fuzz seed corpus ---------------- */

static int load_bin(const void *data, size_t size)
{
	struct la_capset *set = NULL;
	int ret = la_capset_deserialize(data, size, &set);

	la_capset_destroy(set);
	return ret;
}

/* Seeds named valid-* must load, every other seed must be refused. */
static void test_corpus(void **state)
{
	char err[512];
	int ret = tl_check_seeds(LA_TEST_SRCDIR "/../../fuzz/corpus/capset-bin", load_bin, 2, 5, err,
				 sizeof(err));

	(void)state;
	if (ret != 0)
		fail_msg("%s (%s)", ret > 0 ? err : strerror(-ret), la_last_diagnosis());
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_capset_roundtrip),
		cmocka_unit_test(test_capset_roundtrip_empty),
		cmocka_unit_test(test_capset_layout),
		cmocka_unit_test(test_capset_layout_domain),
		cmocka_unit_test(test_capset_truncated_everywhere),
		cmocka_unit_test(test_capset_bad_header),
		cmocka_unit_test(test_capset_huge_counts),
		cmocka_unit_test(test_capset_bad_strings),
		cmocka_unit_test(test_capset_bad_fields),
		cmocka_unit_test(test_capset_trailing),
		cmocka_unit_test(test_capset_bitflips),
		cmocka_unit_test(test_capset_args),
		cmocka_unit_test(test_desc_roundtrip_shared_fd),
		cmocka_unit_test(test_desc_roundtrip_distinct_fds),
		cmocka_unit_test(test_desc_truncated_everywhere),
		cmocka_unit_test(test_desc_malformed),
		cmocka_unit_test(test_desc_serialize_errors),
		cmocka_unit_test(test_corpus),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
