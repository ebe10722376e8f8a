/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "private.h"

static const char *const usage_names[] = {
	"scanout", "overlay", "cursor", "capture", "decode", "encode",
	"render", "sample", "cpu-read", "cpu-write", "cpu-read-often", "protected",
};

LA_EXPORT const char *la_usage_name(uint64_t bit)
{
	if (bit == 0 || (bit & (bit - 1)) || !(bit & LA_USAGE_CORE_MASK))
		return NULL;
	return usage_names[__builtin_ctzll(bit)];
}

static int parse_word(const char *w, size_t len, uint64_t *bit, struct la_why *why)
{
	for (size_t i = 0; i < LA_ARRAY_SIZE(usage_names); i++) {
		if (strlen(usage_names[i]) == len && strncmp(usage_names[i], w, len) == 0) {
			*bit = UINT64_C(1) << i;
			return 0;
		}
	}
	return la_why_set(why, -EINVAL,
			  "unknown usage '%.*s' (known: scanout, overlay, cursor, capture, decode, encode, "
		"render, sample, cpu-read, cpu-write, cpu-read-often, protected)",
		(int)(len > 64 ? 64 : len), w);
}

int la_usage_parse_why(const char *text, uint64_t *usage, struct la_why *why)
{
	uint64_t acc = 0;

	if (!text || !usage)
		return -EINVAL;
	for (const char *p = text; *p;) {
		size_t len = strcspn(p, ",|+ ");
		uint64_t bit = 0;
		if (len > 0) {
			int ret = parse_word(p, len, &bit, why);
			if (ret < 0)
				return ret;
			acc |= bit;
		}
		p += len;
		if (*p)
			p++;
	}
	if (!acc)
		return la_why_set(why, -EINVAL, "empty usage");
	*usage = acc;
	return 0;
}

LA_EXPORT int la_usage_parse(const char *text, uint64_t *usage)
{
	struct la_why why = {0};

	return la_publish(&why, la_usage_parse_why(text, usage, &why));
}

LA_EXPORT const char *la_import_rule_name(enum la_import_rule rule)
{
	switch (rule) {
	case LA_IMPORT_ANY:
		return "any";
	case LA_IMPORT_CONTIGUOUS:
		return "contiguous";
	case LA_IMPORT_OWN_ONLY:
		return "own-only";
	case LA_IMPORT_NONE:
		return "none";
	}
	return NULL;
}
