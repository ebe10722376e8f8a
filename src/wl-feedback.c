/* SPDX-License-Identifier: MIT */
/*
 * linux-dmabuf feedback (zwp_linux_dmabuf_feedback_v1) as capability sets
 * and back (include/liballoc/interop.h). Pure data: the caller speaks the
 * protocol, so liballoc needs no libwayland.
 *
 * DRM_FORMAT_MOD_INVALID and LA_MODIFIER_IMPLICIT are the same value, so
 * modifiers cross unchanged both ways: implicit never becomes LINEAR.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>

#include <liballoc/interop.h>

#include "private.h"

#define ENTRY_SIZE 16
/* tranche_formats indices are uint16_t. */
#define MAX_ENTRIES 65536

_Static_assert(sizeof(struct la_wl_format_entry) == ENTRY_SIZE, "format table entry is 16 bytes");

static int check_feedback(const struct la_wl_feedback *fb, size_t tranche)
{
	if (fb->format_table_size % ENTRY_SIZE) {
		la_diag("wayland feedback: format table of %zu bytes is not a multiple of %d",
			fb->format_table_size, ENTRY_SIZE);
		return -EINVAL;
	}
	if (!fb->format_table && fb->format_table_size) {
		la_diag("wayland feedback: format table of %zu bytes is NULL", fb->format_table_size);
		return -EINVAL;
	}
	if (!fb->tranches || tranche >= fb->n_tranches) {
		la_diag("wayland feedback: tranche %zu of %zu", tranche, fb->tranches ? fb->n_tranches : 0);
		return -EINVAL;
	}
	return 0;
}

static int check_tranche(const struct la_wl_feedback *fb, size_t n)
{
	const struct la_wl_tranche *t = &fb->tranches[n];
	size_t n_entries = fb->format_table_size / ENTRY_SIZE;

	if (t->flags & ~LA_WL_TRANCHE_SCANOUT) {
		la_diag("wayland tranche %zu: unknown flags 0x%x", n, t->flags);
		return -EINVAL;
	}
	if (!t->indices && t->n_indices) {
		la_diag("wayland tranche %zu: %zu indices but no array", n, t->n_indices);
		return -EINVAL;
	}
	for (size_t i = 0; i < t->n_indices; i++) {
		if (t->indices[i] >= n_entries) {
			la_diag("wayland tranche %zu: index %u (position %zu) beyond the format table of %zu entries",
				n, t->indices[i], i, n_entries);
			return -EINVAL;
		}
	}
	return 0;
}

static struct la_wl_format_entry table_entry(const struct la_wl_feedback *fb, uint16_t index)
{
	struct la_wl_format_entry e;

	/* the mmap'ed table is page-aligned, but a caller's copy need not be */
	memcpy(&e, (const unsigned char *)fb->format_table + (size_t)index * ENTRY_SIZE, sizeof(e));
	return e;
}

static int fill_tranche(struct la_capset *set, const struct la_wl_feedback *fb,
			const struct la_wl_tranche *t, struct la_why *why)
{
	/* one bit per addressable entry: a repeated index counts once */
	unsigned char *seen = calloc(MAX_ENTRIES / 8, 1);
	int ret = 0;

	if (!seen)
		return -ENOMEM;
	for (size_t i = 0; i < t->n_indices && ret == 0; i++) {
		uint16_t idx = t->indices[i];
		if (seen[idx / 8] & (1u << (idx % 8)))
			continue;
		seen[idx / 8] |= (unsigned char)(1u << (idx % 8));
		struct la_wl_format_entry e = table_entry(fb, idx);
		struct la_candidate c = {.format = e.format, .modifier = e.modifier};
		ret = la_capset_add_candidate_why(set, &c, why);
	}
	free(seen);
	return ret;
}

LA_EXPORT int la_capset_from_wl_feedback(const struct la_wl_feedback *fb, size_t tranche,
					 struct la_capset **out)
{
	struct la_why why = {0};
	struct la_capset *set = NULL;
	char label[96];
	int ret;

	if (out)
		*out = NULL;
	if (!fb || !out) {
		la_diag("la_capset_from_wl_feedback: feedback or out NULL");
		return -EINVAL;
	}
	if ((ret = check_feedback(fb, tranche)) < 0 || (ret = check_tranche(fb, tranche)) < 0)
		return ret;

	const struct la_wl_tranche *t = &fb->tranches[tranche];
	dev_t dev = t->target_device ? t->target_device : fb->main_device;
	bool scanout = t->flags & LA_WL_TRANCHE_SCANOUT;
	snprintf(label, sizeof(label), "wayland tranche %zu%s on %u:%u", tranche,
		 scanout ? " (scanout)" : "", major(dev), minor(dev));
	struct la_capset_info info = {
		.label = label,
		.driver = "",
		.backend = "wayland",
		.devnum = dev,
		.usage = scanout ? LA_USAGE_SCANOUT : LA_USAGE_SAMPLE,
		.import_rule = LA_IMPORT_ANY,
	};
	ret = la_capset_new_why(&info, &set, &why);
	if (ret == 0)
		ret = fill_tranche(set, fb, t, &why);
	if (ret < 0) {
		la_capset_destroy(set);
		return la_publish(&why, ret);
	}
	*out = set;
	return 0;
}

/* ---- the compositor's side ---- */

/* (format, modifier) -> table index, open addressing; slot value index + 1. */
struct pair_map {
	uint32_t *slots;
	size_t mask;
};

static size_t pair_hash(uint32_t format, uint64_t modifier)
{
	uint64_t h = ((uint64_t)format * UINT64_C(0x9e3779b97f4a7c15)) ^ modifier;

	h ^= h >> 29;
	h *= UINT64_C(0xbf58476d1ce4e5b9);
	return (size_t)(h ^ (h >> 32));
}

/* Work state while the tranches are gathered. */
struct builder {
	struct pair_map map;
	struct la_wl_format_entry *table;
	size_t n_table;
	uint16_t *indices; /* every tranche's, one after the other */
	size_t n_indices;
	uint32_t *last_tranche; /* per table entry: last tranche that listed it, + 1 */
};

/* The index of the pair, adding it to the table if new; -E2BIG past 65536. */
static int intern(struct builder *b, uint32_t format, uint64_t modifier, uint32_t *index)
{
	size_t s = pair_hash(format, modifier) & b->map.mask;

	for (; b->map.slots[s]; s = (s + 1) & b->map.mask) {
		const struct la_wl_format_entry *e = &b->table[b->map.slots[s] - 1];
		if (e->format == format && e->modifier == modifier) {
			*index = b->map.slots[s] - 1;
			return 0;
		}
	}
	if (b->n_table == MAX_ENTRIES) {
		la_diag("wayland feedback: more than %d distinct format/modifier pairs", MAX_ENTRIES);
		return -E2BIG;
	}
	b->table[b->n_table] = (struct la_wl_format_entry){.format = format, .modifier = modifier};
	b->map.slots[s] = (uint32_t)++b->n_table;
	*index = (uint32_t)(b->n_table - 1);
	return 0;
}

static int gather(struct builder *b, const struct la_wl_tranche_source *src, size_t n,
		  size_t *counts)
{
	for (size_t t = 0; t < n; t++) {
		size_t nc = la_capset_get_candidate_count(src[t].set);
		counts[t] = 0;
		for (size_t i = 0; i < nc; i++) {
			struct la_candidate c;
			uint32_t idx = 0;
			int ret = la_capset_get_candidate(src[t].set, i, &c);
			if (ret == 0)
				ret = intern(b, c.format, c.modifier, &idx);
			if (ret < 0)
				return ret;
			if (b->last_tranche[idx] == t + 1)
				continue;
			b->last_tranche[idx] = (uint32_t)(t + 1);
			b->indices[b->n_indices++] = (uint16_t)idx;
			counts[t]++;
		}
	}
	return 0;
}

static int check_sources(const struct la_wl_tranche_source *src, size_t n, size_t *total)
{
	*total = 0;
	for (size_t t = 0; t < n; t++) {
		struct la_capset_info info;
		if (!src[t].set) {
			la_diag("wayland feedback: tranche %zu has no capability set", t);
			return -EINVAL;
		}
		la_capset_get_info(src[t].set, &info);
		if (src[t].flags & ~LA_WL_TRANCHE_SCANOUT) {
			la_diag("wayland feedback: tranche %zu (%s): unknown flags 0x%x", t, info.label,
				src[t].flags);
			return -EINVAL;
		}
		if (info.import_rule != LA_IMPORT_ANY) {
			la_diag("wayland feedback: tranche %zu (%s): import rule \"%s\", a client's dma-buf must import as it comes",
				t, info.label, la_import_rule_name(info.import_rule));
			return -ENOTSUP;
		}
		if (__builtin_add_overflow(*total, la_capset_get_candidate_count(src[t].set), total) ||
		    t + 1 > UINT32_MAX) {
			la_diag("wayland feedback: candidate count overflows");
			return -EOVERFLOW;
		}
	}
	return 0;
}

static size_t align_up(size_t v, size_t a)
{
	return (v + a - 1) / a * a;
}

/* One block: the struct, its tranches, the table and the indices, so one free() ends it. */
static int pack(const struct builder *b, const struct la_wl_tranche_source *src, size_t n,
		const size_t *counts, dev_t main_device, struct la_wl_feedback **out)
{
	size_t off_tr = align_up(sizeof(struct la_wl_feedback), _Alignof(struct la_wl_tranche));
	size_t tr_bytes, off_table, off_idx, size;

	/* the table and indices were allocated already; n times a tranche may still not fit */
	if (__builtin_mul_overflow(n, sizeof(struct la_wl_tranche), &tr_bytes) ||
	    __builtin_add_overflow(off_tr, tr_bytes, &off_table) ||
	    off_table > SIZE_MAX - _Alignof(struct la_wl_format_entry) ||
	    __builtin_add_overflow(align_up(off_table, _Alignof(struct la_wl_format_entry)),
				   b->n_table * sizeof(struct la_wl_format_entry), &off_idx) ||
	    __builtin_add_overflow(off_idx, b->n_indices * sizeof(uint16_t), &size)) {
		la_diag("wayland feedback: %zu tranches overflow the block size", n);
		return -EOVERFLOW;
	}
	off_table = align_up(off_table, _Alignof(struct la_wl_format_entry));

	unsigned char *block = malloc(size ? size : 1);
	if (!block)
		return -ENOMEM;
	struct la_wl_feedback *fb = (struct la_wl_feedback *)block;
	struct la_wl_tranche *tr = (struct la_wl_tranche *)(block + off_tr);
	uint16_t *idx = (uint16_t *)(block + off_idx);

	if (b->n_table)
		memcpy(block + off_table, b->table, b->n_table * sizeof(*b->table));
	if (b->n_indices)
		memcpy(idx, b->indices, b->n_indices * sizeof(*idx));
	for (size_t t = 0, at = 0; t < n; at += counts[t], t++) {
		struct la_capset_info info;
		la_capset_get_info(src[t].set, &info);
		dev_t dev = src[t].target_device ? src[t].target_device
			  : info.devnum		 ? info.devnum
						 : main_device;
		tr[t] = (struct la_wl_tranche){
			.target_device = dev,
			.flags = src[t].flags,
			.indices = counts[t] ? idx + at : NULL,
			.n_indices = counts[t],
		};
	}
	*fb = (struct la_wl_feedback){
		.format_table = b->n_table ? block + off_table : NULL,
		.format_table_size = b->n_table * sizeof(struct la_wl_format_entry),
		.main_device = main_device,
		.tranches = tr,
		.n_tranches = n,
	};
	*out = fb;
	return 0;
}

static void builder_fini(struct builder *b)
{
	free(b->map.slots);
	free(b->table);
	free(b->indices);
	free(b->last_tranche);
}

LA_EXPORT int la_wl_feedback_from_capsets(const struct la_wl_tranche_source *sources, size_t n,
					  dev_t main_device, struct la_wl_feedback **out)
{
	struct builder b = {0};
	size_t total, distinct, slots = 16, *counts = NULL;
	int ret;

	if (out)
		*out = NULL;
	if (!sources || !out || n == 0) {
		la_diag("la_wl_feedback_from_capsets: sources or out NULL, or no tranche");
		return -EINVAL;
	}
	if ((ret = check_sources(sources, n, &total)) < 0)
		return ret;
	/* the table never holds more than MAX_ENTRIES; intern() says -E2BIG beyond */
	distinct = total < MAX_ENTRIES ? total : MAX_ENTRIES;
	while (slots < 2 * distinct)
		slots *= 2;
	b.map.mask = slots - 1;
	b.map.slots = calloc(slots, sizeof(*b.map.slots));
	b.table = calloc(distinct ? distinct : 1, sizeof(*b.table));
	b.last_tranche = calloc(distinct ? distinct : 1, sizeof(*b.last_tranche));
	b.indices = calloc(total ? total : 1, sizeof(*b.indices));
	counts = calloc(n, sizeof(*counts));
	if (!b.map.slots || !b.table || !b.last_tranche || !b.indices || !counts)
		ret = -ENOMEM;
	if (ret == 0)
		ret = gather(&b, sources, n, counts);
	if (ret == 0)
		ret = pack(&b, sources, n, counts, main_device, out);
	if (ret == -ENOMEM)
		la_diag("la_wl_feedback_from_capsets: out of memory");
	builder_fini(&b);
	free(counts);
	return ret;
}
