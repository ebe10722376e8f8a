/* SPDX-License-Identifier: MIT */
/*
 * Whether Mesa has a DRI driver for a kernel driver (backends/drm/mesa.c),
 * against a driver folder built here (GBM_DRIVERS_PATH): the file Mesa's
 * loader would open decides, under the kernel driver's name or the names
 * Mesa gives i915 and amdgpu; an override in the environment leaves it to
 * Mesa. Nothing of Mesa is loaded.
 */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "../drm-backend.h"

static char dir[256];

static void touch(const char *name)
{
	char path[400];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT, 0644);
	assert_true(fd >= 0);
	close(fd);
}

static void drop(const char *name)
{
	char path[400];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	unlink(path);
}

static int setup(void **state)
{
	const char *tmp = getenv("TMPDIR");

	(void)state;
	snprintf(dir, sizeof(dir), "%s/la-mesa-XXXXXX", tmp ? tmp : "/tmp");
	if (!mkdtemp(dir))
		return -1;
	setenv("GBM_DRIVERS_PATH", dir, 1);
	unsetenv("LIBGL_DRIVERS_PATH");
	unsetenv("MESA_LOADER_DRIVER_OVERRIDE");
	unsetenv("GBM_BACKEND");
	unsetenv("GBM_ALWAYS_SOFTWARE");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	drop("virtio_gpu_dri.so");
	drop("iris_dri.so");
	rmdir(dir);
	return 0;
}

static void test_driver_file_decides(void **state)
{
	char why[400];

	(void)state;
	assert_false(drm_mesa_has_driver("vgem", why, sizeof(why)));
	assert_non_null(strstr(why, "vgem_dri.so"));
	assert_non_null(strstr(why, dir));
	assert_false(drm_mesa_has_driver("virtio_gpu", why, sizeof(why)));
	touch("virtio_gpu_dri.so");
	assert_true(drm_mesa_has_driver("virtio_gpu", why, sizeof(why)));
	assert_non_null(strstr(why, "virtio_gpu_dri.so"));
	assert_false(drm_mesa_has_driver("vgem", why, sizeof(why)));
}

static void test_renamed_drivers(void **state)
{
	char why[400];

	(void)state;
	assert_false(drm_mesa_has_driver("i915", why, sizeof(why)));
	assert_non_null(strstr(why, "iris_dri.so"));
	touch("iris_dri.so");
	assert_true(drm_mesa_has_driver("i915", why, sizeof(why)));
	assert_true(drm_mesa_has_driver("xe", why, sizeof(why)));
	assert_false(drm_mesa_has_driver("amdgpu", why, sizeof(why)));
}

static void test_override(void **state)
{
	char why[400];

	(void)state;
	setenv("MESA_LOADER_DRIVER_OVERRIDE", "kms_swrast", 1);
	assert_true(drm_mesa_has_driver("vgem", why, sizeof(why)));
	unsetenv("MESA_LOADER_DRIVER_OVERRIDE");
	setenv("GBM_ALWAYS_SOFTWARE", "1", 1);
	assert_true(drm_mesa_has_driver("vgem", why, sizeof(why)));
	unsetenv("GBM_ALWAYS_SOFTWARE");
	assert_false(drm_mesa_has_driver("vgem", why, sizeof(why)));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_driver_file_decides, setup, teardown),
		cmocka_unit_test_setup_teardown(test_renamed_drivers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_override, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
