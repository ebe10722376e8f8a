/* SPDX-License-Identifier: MIT */
/*
 * Command-line values: sizes, format and modifier lists, usages. Each
 * parser says what it expected, with an example, because these messages are
 * the first thing a user sees after a typo.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "alloc-info.h"

#define AI_MAX_COUNT 64

/* Decimal, no sign, no spaces, at most max; end is where parsing stopped. */
static int parse_uint(const char *s, uint64_t max, uint64_t *out, const char **end)
{
	uint64_t v = 0;
	const char *p = s;

	if (*p < '0' || *p > '9')
		return -EINVAL;
	for (; *p >= '0' && *p <= '9'; p++) {
		uint64_t d = (uint64_t)(*p - '0');
		if (v > (max - d) / 10)
			return -ERANGE;
		v = v * 10 + d;
	}
	*out = v;
	*end = p;
	return 0;
}

int ai_parse_size(const struct ai_opts *o, const char *text, uint32_t *w, uint32_t *h)
{
	uint64_t a, b;
	const char *p;

	if (parse_uint(text, UINT32_MAX, &a, &p) < 0 || (*p != 'x' && *p != 'X') ||
	    parse_uint(p + 1, UINT32_MAX, &b, &p) < 0 || *p || a == 0 || b == 0) {
		ai_error(o, "bad --size '%s': expected WIDTHxHEIGHT in pixels, both non-zero "
			    "(e.g. 1280x720)", text);
		return -EINVAL;
	}
	*w = (uint32_t)a;
	*h = (uint32_t)b;
	return 0;
}

/* Splits text at commas into a bounded copy; empty words are refused. */
static int split(const struct ai_opts *o, const char *what, const char *text, char *copy,
		 size_t len, char **words, size_t max, size_t *n)
{
	char *save = NULL;

	if (strlen(text) >= len) {
		ai_error(o, "%s list too long (at most %zu characters)", what, len - 1);
		return -EINVAL;
	}
	strcpy(copy, text);
	*n = 0;
	if (!text[0] || text[0] == ',' || text[strlen(text) - 1] == ',' || strstr(text, ",,")) {
		ai_error(o, "bad %s list '%s': expected words separated by single commas", what,
			 text);
		return -EINVAL;
	}
	for (char *w = strtok_r(copy, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
		if (*n == max) {
			ai_error(o, "too many %ss (at most %zu)", what, max);
			return -EINVAL;
		}
		words[(*n)++] = w;
	}
	return 0;
}

int ai_parse_formats(const struct ai_opts *o, const char *text, uint32_t *out, size_t *n)
{
	char copy[1024], *words[AI_MAX_FORMATS];
	size_t count;

	if (split(o, "format", text, copy, sizeof(copy), words, AI_MAX_FORMATS, &count) < 0)
		return -EINVAL;
	for (size_t i = 0; i < count; i++) {
		if (la_format_parse(words[i], &out[i]) < 0) {
			ai_error(o, "unknown format '%s': use a name such as NV12 or XRGB8888, "
				    "or fourcc letters such as XR24", words[i]);
			return -EINVAL;
		}
	}
	*n = count;
	return 0;
}

int ai_parse_modifiers(const struct ai_opts *o, const char *text, uint64_t *out, size_t *n)
{
	char copy[2048], *words[AI_MAX_MODIFIERS];
	size_t count;

	if (split(o, "modifier", text, copy, sizeof(copy), words, AI_MAX_MODIFIERS, &count) < 0)
		return -EINVAL;
	for (size_t i = 0; i < count; i++) {
		if (la_modifier_parse(words[i], &out[i]) < 0) {
			ai_error(o, "bad modifier '%s': expected linear, implicit or 0x followed "
				    "by up to 16 hex digits (e.g. 0x0100000000000001)", words[i]);
			return -EINVAL;
		}
	}
	*n = count;
	return 0;
}

int ai_parse_count(const struct ai_opts *o, const char *text, uint32_t *out)
{
	uint64_t v;
	const char *end;

	if (parse_uint(text, AI_MAX_COUNT, &v, &end) < 0 || *end || v == 0) {
		ai_error(o, "bad --count '%s': expected a number of buffers from 1 to %d", text,
			 AI_MAX_COUNT);
		return -EINVAL;
	}
	*out = (uint32_t)v;
	return 0;
}

/*
 * Core usages by name (la_usage_parse), backend ones ("drm.async-flip")
 * through the device's backend, which is why dev is needed for those.
 */
int ai_parse_usage(const struct ai_opts *o, struct la_device *dev, const char *text,
		   uint64_t *usage)
{
	char copy[512], *words[64];
	size_t count;

	*usage = 0;
	if (split(o, "usage", text, copy, sizeof(copy), words, 64, &count) < 0)
		return -EINVAL;
	for (size_t i = 0; i < count; i++) {
		uint64_t bits;
		int ret;

		if (strchr(words[i], '.')) {
			if (!dev) {
				ai_error(o, "backend usage '%s' needs a live device, not a saved "
					    "capability set", words[i]);
				return -EINVAL;
			}
			ret = la_device_usage_from_name(dev, words[i], &bits);
			if (ret < 0) {
				ai_error(o, "usage '%s' is unknown to the %s backend of %s", words[i],
					 la_device_get_backend(dev), la_device_get_label(dev));
				return -EINVAL;
			}
		} else if (la_usage_parse(words[i], &bits) < 0) {
			ai_error(o, "%s", la_last_diagnosis());
			return -EINVAL;
		}
		*usage |= bits;
	}
	return 0;
}

void ai_assertion(const struct ai_opts *o, struct la_assertion *a)
{
	*a = (struct la_assertion){
		.width = o->width,
		.height = o->height,
		.formats = o->n_formats ? o->formats : NULL,
		.n_formats = o->n_formats,
		.modifiers = o->n_modifiers ? o->modifiers : NULL,
		.n_modifiers = o->n_modifiers,
		.buffer_count = o->count,
	};
}
