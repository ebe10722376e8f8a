/* SPDX-License-Identifier: MIT */
/*
 * The thread-local reason of the last failure, as la_last_diagnosis() shows
 * it to the caller.
 */
#include <stdarg.h>
#include <stdio.h>

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
