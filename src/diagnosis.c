/* SPDX-License-Identifier: MIT */
/*
 * The thread-local reason of the last failure, as la_last_diagnosis() shows
 * it to the caller.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "private.h"

static _Thread_local char diag_buf[1024];

LA_EXPORT const char *la_last_diagnosis(void)
{
	return diag_buf;
}

void la_diag_clear(void)
{
	diag_buf[0] = '\0';
}

void la_diag(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(diag_buf, sizeof(diag_buf), fmt, ap);
	va_end(ap);
}

void la_diag_prefix(const char *fmt, ...)
{
	char prefix[256], old[sizeof(diag_buf)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	memcpy(old, diag_buf, sizeof(old));
	size_t pl = strlen(prefix), ol = strlen(old), sep = ol ? 2 : 0;
	/* Backends name the device in their diagnosis, as they must; the
	 * core prefixing the same label again would only repeat it. */
	if (ol > pl + 1 && strncmp(old, prefix, pl) == 0 && old[pl] == ':' && old[pl + 1] == ' ')
		return;
	if (pl + sep >= sizeof(diag_buf))
		pl = sizeof(diag_buf) - 1 - sep;
	if (pl + sep + ol >= sizeof(diag_buf))
		ol = sizeof(diag_buf) - 1 - sep - pl;
	memcpy(diag_buf, prefix, pl);
	memcpy(diag_buf + pl, ": ", sep);
	memcpy(diag_buf + pl + sep, old, ol);
	diag_buf[pl + sep + ol] = '\0';
}
