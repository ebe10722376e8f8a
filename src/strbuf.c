/* SPDX-License-Identifier: MIT */
/* Growable strings for diagnoses that list many devices or paths. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "private.h"

void la_strbuf_printf(struct la_strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (sb->failed)
		return;
	for (;;) {
		size_t room = sb->cap - sb->len;
		va_start(ap, fmt);
		n = vsnprintf(sb->data ? sb->data + sb->len : NULL, room, fmt, ap);
		va_end(ap);
		if (n < 0) {
			sb->failed = true;
			return;
		}
		if ((size_t)n < room) {
			sb->len += (size_t)n;
			return;
		}
		size_t cap = sb->cap ? sb->cap * 2 : 256;
		while (cap - sb->len <= (size_t)n)
			cap *= 2;
		char *p = realloc(sb->data, cap);
		if (!p) {
			sb->failed = true;
			return;
		}
		sb->data = p;
		sb->cap = cap;
	}
}

char *la_strbuf_steal(struct la_strbuf *sb)
{
	char *s = sb->failed ? NULL : sb->data;
	if (sb->failed)
		free(sb->data);
	if (!s && !sb->failed)
		s = strdup("");
	sb->data = NULL;
	sb->len = sb->cap = 0;
	return s;
}

void la_strbuf_free(struct la_strbuf *sb)
{
	free(sb->data);
	sb->data = NULL;
	sb->len = sb->cap = 0;
}
