/* SPDX-License-Identifier: MIT */
#include "in-formats.h"

#include <errno.h>
#include <string.h>

/* Layout of include/uapi/drm/drm_mode.h, read field by field with memcpy so
 * that neither the blob's alignment nor the host's struct padding matters. */
#define BLOB_HEADER_SIZE 24u  /* struct drm_format_modifier_blob */
#define MODIFIER_SIZE 24u     /* struct drm_format_modifier */
#define FORMAT_BLOB_CURRENT 1u
/* The walk is O(formats * modifiers); real planes list a few dozen of each.
 * A blob beyond this bound is refused rather than walked for minutes. */
#define MAX_PAIRS_WALKED (UINT64_C(1) << 22)

struct header {
	uint32_t version, flags, count_formats, formats_offset, count_modifiers,
		modifiers_offset;
};

struct modifier {
	uint64_t formats; /* bit i: formats[offset + i] */
	uint32_t offset;
	uint64_t modifier;
};

static uint32_t rd32(const unsigned char *p)
{
	uint32_t v;
	memcpy(&v, p, sizeof(v));
	return v;
}

static uint64_t rd64(const unsigned char *p)
{
	uint64_t v;
	memcpy(&v, p, sizeof(v));
	return v;
}

static void read_modifier(const unsigned char *base, const struct header *h, uint32_t i,
			  struct modifier *m)
{
	const unsigned char *p = base + h->modifiers_offset + (size_t)i * MODIFIER_SIZE;
	m->formats = rd64(p);
	m->offset = rd32(p + 8);
	/* p + 12: pad */
	m->modifier = rd64(p + 16);
}

/* An array of count * size bytes at offset lies inside len, without overflow. */
static int array_fits(size_t len, uint32_t offset, uint32_t count, uint32_t size)
{
	uint64_t bytes = (uint64_t)count * size; /* at most 2^32 * 24: no overflow */
	if (offset < BLOB_HEADER_SIZE || offset > len)
		return 0;
	return bytes <= len - offset;
}

static int fail(const char **why, const char *text)
{
	if (why)
		*why = text;
	return -EINVAL;
}

static int validate(const unsigned char *b, size_t len, struct header *h, const char **why)
{
	if (!b || len < BLOB_HEADER_SIZE)
		return fail(why, "blob shorter than its 24-byte header");
	h->version = rd32(b);
	h->flags = rd32(b + 4);
	h->count_formats = rd32(b + 8);
	h->formats_offset = rd32(b + 12);
	h->count_modifiers = rd32(b + 16);
	h->modifiers_offset = rd32(b + 20);
	if (h->version != FORMAT_BLOB_CURRENT)
		return fail(why, "unknown blob version (FORMAT_BLOB_CURRENT is 1)");
	if (h->count_formats && !array_fits(len, h->formats_offset, h->count_formats, 4))
		return fail(why, "format array lies outside the blob");
	if (h->count_modifiers &&
	    !array_fits(len, h->modifiers_offset, h->count_modifiers, MODIFIER_SIZE))
		return fail(why, "modifier array lies outside the blob");
	if ((uint64_t)h->count_formats * h->count_modifiers > MAX_PAIRS_WALKED)
		return fail(why, "implausibly many formats times modifiers");
	for (uint32_t i = 0; i < h->count_modifiers; i++) {
		struct modifier m;
		read_modifier(b, h, i, &m);
		if (!m.formats)
			continue;
		/* highest bit set must name an existing format */
		unsigned top = 63u - (unsigned)__builtin_clzll(m.formats);
		if (m.offset >= h->count_formats || top >= h->count_formats - m.offset)
			return fail(why, "a modifier names a format index past count_formats");
	}
	return 0;
}

int drm_in_formats_parse(const void *blob, size_t len, drm_in_formats_fn fn, void *data,
			 const char **why)
{
	const unsigned char *b = blob;
	struct header h;
	int ret = validate(b, len, &h, why);

	if (ret < 0)
		return ret;
	if (why)
		*why = NULL;
	/* Per format, every modifier entry whose window covers it. */
	for (uint32_t f = 0; f < h.count_formats; f++) {
		uint32_t format = rd32(b + h.formats_offset + (size_t)f * 4);
		for (uint32_t i = 0; i < h.count_modifiers; i++) {
			struct modifier m;
			read_modifier(b, &h, i, &m);
			if (f < m.offset || f - m.offset >= 64)
				continue;
			if (!(m.formats >> (f - m.offset) & 1))
				continue;
			ret = fn ? fn(data, format, m.modifier) : 0;
			if (ret < 0)
				return ret;
		}
	}
	return 0;
}
