/* SPDX-License-Identifier: MIT */
/*
 * The one spelling of modifiers, constraint flags and caching modes: the
 * capset JSON, alloc-info and the examples print and parse these names.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "private.h"

static const struct {
	const char *name;
	uint32_t bit;
} constraint_flag_names[] = {
	{"contiguous", LA_CONSTRAINT_CONTIGUOUS},
	{"protected_required", LA_CONSTRAINT_PROTECTED_REQUIRED},
	{"protected_ok", LA_CONSTRAINT_PROTECTED_OK},
	{"no_cpu_access", LA_CONSTRAINT_NO_CPU_ACCESS},
}, caching_names[] = {
	{"cached", LA_CACHING_CACHED},
	{"writecombine", LA_CACHING_WRITECOMBINE},
	{"uncached", LA_CACHING_UNCACHED},
};

LA_EXPORT const char *la_constraint_flag_name(uint32_t bit)
{
	for (size_t i = 0; i < LA_ARRAY_SIZE(constraint_flag_names); i++)
		if (constraint_flag_names[i].bit == bit)
			return constraint_flag_names[i].name;
	return NULL;
}

LA_EXPORT const char *la_caching_name(uint32_t bit)
{
	for (size_t i = 0; i < LA_ARRAY_SIZE(caching_names); i++)
		if (caching_names[i].bit == bit)
			return caching_names[i].name;
	return NULL;
}

LA_EXPORT const char *la_modifier_name(uint64_t modifier, char *buf, size_t len)
{
	if (!buf || len == 0)
		return NULL;
	if (modifier == LA_MODIFIER_LINEAR)
		snprintf(buf, len, "linear");
	else if (modifier == LA_MODIFIER_IMPLICIT)
		snprintf(buf, len, "implicit");
	else
		snprintf(buf, len, "0x%016" PRIx64, modifier);
	return buf;
}

LA_EXPORT int la_modifier_parse(const char *text, uint64_t *modifier)
{
	size_t digits;

	if (!text || !modifier)
		return -EINVAL;
	if (strcmp(text, "linear") == 0) {
		*modifier = LA_MODIFIER_LINEAR;
		return 0;
	}
	if (strcmp(text, "implicit") == 0) {
		*modifier = LA_MODIFIER_IMPLICIT;
		return 0;
	}
	digits = text[0] == '0' && (text[1] == 'x' || text[1] == 'X')
			 ? strspn(text + 2, "0123456789abcdefABCDEF")
			 : 0;
	if (digits == 0 || digits > 16 || text[2 + digits] != '\0')
		return -EINVAL;
	*modifier = strtoull(text + 2, NULL, 16);
	return 0;
}
