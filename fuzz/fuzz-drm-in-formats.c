/* SPDX-License-Identifier: MIT */
/*
 * The DRM backend's IN_FORMATS blob parser (backends/drm/in-formats.c) on
 * any bytes, against a reference walk written here from the uapi
 * (struct drm_format_modifier_blob / drm_format_modifier in
 * include/uapi/drm/drm_mode.h):
 *  - a blob is accepted exactly when the reference finds it well formed;
 *  - a refused blob gets a reason and no callback (validated first);
 *  - an accepted one reports exactly the reference's (format, modifier)
 *    pairs, in the same order (formats in blob order, then modifiers);
 *  - a callback's negative return stops the walk and is returned.
 * Input: byte 0 = after how many callbacks to stop (0xff: never), then
 * the blob.
 */
#include <errno.h>

#include "fuzz.h"
#include "in-formats.h"

#define MAX_RECORDED 65536

struct pair {
	uint32_t format;
	uint64_t modifier;
};

struct record {
	struct pair got[MAX_RECORDED];
	size_t n;
	size_t stop_after; /* SIZE_MAX: never */
};

static struct record rec, want;

static int on_pair(void *data, uint32_t format, uint64_t modifier)
{
	struct record *r = data;

	if (r->n < MAX_RECORDED)
		r->got[r->n] = (struct pair){format, modifier};
	if (r->n++ == r->stop_after)
		return -ECANCELED;
	return 0;
}

static uint64_t le(const uint8_t *p, unsigned bytes)
{
	uint64_t v = 0;
	for (unsigned i = 0; i < bytes; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

/* The reference: fills want, returns whether the blob is well formed. */
static bool reference(const uint8_t *b, size_t len)
{
	uint64_t count_f, off_f, count_m, off_m;

	want.n = 0;
	if (len < 24 || le(b, 4) != 1)
		return false;
	count_f = le(b + 8, 4), off_f = le(b + 12, 4);
	count_m = le(b + 16, 4), off_m = le(b + 20, 4);
	if (count_f && (off_f < 24 || off_f + 4 * count_f > len))
		return false;
	if (count_m && (off_m < 24 || off_m + 24 * count_m > len))
		return false;
	if (count_f * count_m > (UINT64_C(1) << 22))
		return false;
	for (uint64_t j = 0; j < count_m; j++) {
		const uint8_t *m = b + off_m + 24 * j;
		uint64_t mask = le(m, 8), first = le(m + 8, 4);
		for (unsigned bit = 0; bit < 64; bit++)
			if ((mask >> bit & 1) && first + bit >= count_f)
				return false;
	}
	for (uint64_t f = 0; f < count_f; f++) {
		for (uint64_t j = 0; j < count_m; j++) {
			const uint8_t *m = b + off_m + 24 * j;
			uint64_t mask = le(m, 8), first = le(m + 8, 4);
			if (f >= first && f - first < 64 && (mask >> (f - first) & 1)) {
				if (want.n < MAX_RECORDED)
					want.got[want.n] = (struct pair){(uint32_t)le(b + off_f + 4 * f, 4),
									 le(m + 16, 8)};
				want.n++;
			}
		}
	}
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *why = NULL;
	bool ok;
	int ret;

	if (size < 1)
		return 0;
	rec.n = 0;
	rec.stop_after = data[0] == 0xff ? SIZE_MAX : data[0];
	ok = reference(data + 1, size - 1);
	ret = drm_in_formats_parse(data + 1, size - 1, on_pair, &rec, &why);
	if (!ok) {
		FUZZ_CHECK(ret == -EINVAL, "malformed blob accepted (%d)", ret);
		FUZZ_CHECK(why && why[0], "refused without a reason");
		FUZZ_CHECK(rec.n == 0, "%zu callbacks before the refusal", rec.n);
		return 0;
	}
	if (rec.stop_after < want.n) {
		FUZZ_CHECK(ret == -ECANCELED, "callback's error not returned (%d)", ret);
		FUZZ_CHECK(rec.n == rec.stop_after + 1, "walk went on after the callback's error");
	} else {
		FUZZ_CHECK(ret == 0, "well-formed blob refused: %s", why ? why : "");
		FUZZ_CHECK(rec.n == want.n, "%zu pairs reported, the blob has %zu", rec.n, want.n);
	}
	for (size_t i = 0; i < rec.n && i < MAX_RECORDED; i++)
		FUZZ_CHECK(rec.got[i].format == want.got[i].format &&
			   rec.got[i].modifier == want.got[i].modifier,
			   "pair %zu differs from the blob", i);
	return 0;
}
