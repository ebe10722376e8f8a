/* SPDX-License-Identifier: MIT */
/*
 * Explicit reasons (struct la_why): what a backend hook or an internal core
 * call hands back, before the exported function publishes it as
 * la_last_diagnosis().
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "private.h"

LA_EXPORT int la_why_set(struct la_why *why, int err, const char *fmt, ...)
{
	va_list ap;

	if (!why)
		return err;
	va_start(ap, fmt);
	vsnprintf(why->text, sizeof(why->text), fmt, ap);
	va_end(ap);
	why->err = err;
	return err;
}

void la_why_prefix(struct la_why *why, const char *fmt, ...)
{
	char prefix[256], old[sizeof(why->text)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	memcpy(old, why->text, sizeof(old));
	size_t pl = strlen(prefix), ol = strlen(old), sep = ol ? 2 : 0;
	/* Backends name the device in their reason, as they must; the core
	 * prefixing the same label again would only repeat it. */
	if (ol > pl + 1 && strncmp(old, prefix, pl) == 0 && old[pl] == ':' && old[pl + 1] == ' ')
		return;
	if (pl + sep >= sizeof(why->text))
		pl = sizeof(why->text) - 1 - sep;
	if (pl + sep + ol >= sizeof(why->text))
		ol = sizeof(why->text) - 1 - sep - pl;
	memcpy(why->text, prefix, pl);
	memcpy(why->text + pl, ": ", sep);
	memcpy(why->text + pl + sep, old, ol);
	why->text[pl + sep + ol] = '\0';
}

void la_why_append(struct la_why *why, const char *fmt, ...)
{
	size_t used = strlen(why->text);
	va_list ap;

	if (used + 1 >= sizeof(why->text))
		return;
	va_start(ap, fmt);
	vsnprintf(why->text + used, sizeof(why->text) - used, fmt, ap);
	va_end(ap);
}

const char *la_why_text(const struct la_why *why, int err)
{
	return why->text[0] ? why->text : strerror(-err);
}

int la_publish_from(const char *func, const struct la_why *why, int ret)
{
	if (ret < 0 && why->text[0])
		la_diag("%s", why->text);
	else if (ret < 0)
		la_diag("%s failed: %s", func, strerror(-ret));
	return ret;
}
