/* SPDX-License-Identifier: MIT */
/* What the process environment may decide: nothing, in a setuid program. */
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>

#include "private.h"

bool la_process_is_secure(void)
{
	return getauxval(AT_SECURE) != 0;
}

bool la_debug_from_env(bool secure)
{
	/*
	 * Debug traces name devices, paths and the caller's formats: a setuid
	 * program must not let its user turn them on (the setuid rule of the
	 * loader). secure_getenv() alone would do, but the explicit flag is
	 * what the unit test can drive.
	 */
	const char *v = secure ? NULL : secure_getenv("LIBALLOC_DEBUG");
	return v && v[0] && strcmp(v, "0") != 0;
}
