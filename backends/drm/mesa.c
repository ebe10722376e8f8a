/* SPDX-License-Identifier: MIT */
/*
 * Whether Mesa has a DRI driver for a kernel driver, found the way its
 * loader finds one (src/loader/loader.c: "<name>_dri.so" in the folders of
 * GBM_DRIVERS_PATH or LIBGL_DRIVERS_PATH, else its install folder) but
 * without calling it. For a kernel driver Mesa has no DRI driver for
 * (vgem), gbm_create_device() prints "MESA-LOADER: failed to open vgem" and
 * "failed to load driver" on the program's stderr, with no way to silence
 * its default logger short of redirecting fd 2 (not something a library
 * may do in a threaded program), then falls back to kms_swrast, software
 * rendering on dumb buffers (what the dumb path gives without loading
 * Mesa's megadriver and LLVM: most of a first negotiation's time).
 *
 * An override the user set for Mesa (MESA_LOADER_DRIVER_OVERRIDE,
 * GBM_BACKEND, GBM_ALWAYS_SOFTWARE) hands the decision back to Mesa.
 * Environment variables are read with secure_getenv, as Mesa ignores them
 * in setuid processes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "drm-backend.h"

/* Kernel drivers whose Mesa drivers have other names (Mesa's PCI id table). */
static const struct {
	const char *kernel;
	const char *mesa[3];
} renamed[] = {
	{"i915", {"iris", "crocus", "i915"}},
	{"xe", {"iris", NULL, NULL}},
	{"amdgpu", {"radeonsi", NULL, NULL}},
	{"radeon", {"radeonsi", "r600", "r300"}},
};

static bool user_override(void)
{
	return secure_getenv("MESA_LOADER_DRIVER_OVERRIDE") || secure_getenv("GBM_BACKEND") ||
	       secure_getenv("GBM_ALWAYS_SOFTWARE");
}

/* Mesa's driver folders: the user's, else the "dri" folder next to the
 * libgbm liballoc was built against (LA_GBM_LIBDIR) and /usr/lib/dri, the
 * folders of Mesa's own search path (libgbm is not loaded to ask it). */
static void driver_dirs(char *out, size_t len)
{
	const char *env = secure_getenv("GBM_DRIVERS_PATH");

	if (!env)
		env = secure_getenv("LIBGL_DRIVERS_PATH");
	if (env && env[0])
		snprintf(out, len, "%s", env);
	else
		snprintf(out, len, "%s/dri:/usr/lib/dri", LA_GBM_LIBDIR);
}

static bool file_in(const char *dirs, const char *name)
{
	char copy[1024], path[1300], *save = NULL;
	struct stat st;

	snprintf(copy, sizeof(copy), "%s", dirs);
	for (char *d = strtok_r(copy, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
		snprintf(path, sizeof(path), "%s/%s_dri.so", d, name);
		if (stat(path, &st) == 0 && S_ISREG(st.st_mode))
			return true;
	}
	return false;
}

bool drm_mesa_has_driver(const char *driver, char *reason, size_t len)
{
	const char *const *names = NULL;
	const char *own[] = {driver, NULL, NULL};
	char dirs[1024];

	if (user_override()) {
		snprintf(reason, len, "a Mesa override is set in the environment: Mesa decides");
		return true;
	}
	for (size_t i = 0; i < sizeof(renamed) / sizeof(renamed[0]) && !names; i++)
		if (strcmp(renamed[i].kernel, driver) == 0)
			names = renamed[i].mesa;
	if (!names)
		names = own;
	driver_dirs(dirs, sizeof(dirs));
	for (size_t i = 0; i < 3 && names[i]; i++) {
		if (file_in(dirs, names[i])) {
			snprintf(reason, len, "Mesa driver %s_dri.so", names[i]);
			return true;
		}
	}
	snprintf(reason, len,
		 "Mesa has no DRI driver for %s (no %s_dri.so in %s): GBM not used, Mesa would "
		 "only fall back to software rendering on dumb buffers (the dumb path)",
		 driver, names[0], dirs);
	return false;
}
