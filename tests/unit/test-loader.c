/* SPDX-License-Identifier: MIT */
/*
 * The plugin loader: broken backends refused with a reason and skipped,
 * LIBALLOC_BACKEND_PATH ignored under setuid rules, folders and files
 * writable by the group or other users or owned by another user refused,
 * the file checked is the one loaded. Uses the core's internal search-path
 * function (static test build) and real .so files built for the test.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <liballoc/liballoc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "private.h"
#include "testdev.h"


static const char *env(const char *name)
{
	const char *v = getenv(name);
	if (!v)
		fail_msg("%s not set (run through meson test)", name);
	return v;
}

/* Loads the backends of path; returns how many, log in testdev_log. */
static size_t load_with_path(const char *path, const char **first_name)
{
	struct la_context *ctx = NULL;
	size_t n = 0;

	testdev_log[0] = '\0';
	setenv("LIBALLOC_BACKEND_PATH", path, 1);
	assert_int_equal(la_context_new(&ctx), 0);
	la_context_set_log_handler(ctx, testdev_log_capture, NULL);
	la_context_set_log_level(ctx, LA_LOG_WARN);
	assert_int_equal(la_context_get_backend_count(ctx, &n), 0);
	if (first_name)
		*first_name = n ? strdup(la_context_get_backend_name(ctx, 0)) : NULL;
	la_context_destroy(ctx);
	unsetenv("LIBALLOC_BACKEND_PATH");
	return n;
}

static void test_bad_backends_skipped(void **state)
{
	char path[4096];
	const char *name = NULL;

	(void)state;
	snprintf(path, sizeof(path), "%s:%s:%s:%s", env("LA_TEST_BAD_ABI_DIR"),
		 env("LA_TEST_BAD_NOSYM_DIR"), env("LA_TEST_BAD_NOHOOK_DIR"),
		 env("LA_TEST_BACKEND_DIR"));
	assert_int_equal(load_with_path(path, &name), 1);
	assert_string_equal(name, "test");
	free((void *)name);
	assert_non_null(strstr(testdev_log, "backend interface version"));
	assert_non_null(strstr(testdev_log, "no symbol la_backend_entry"));
	assert_non_null(strstr(testdev_log, "lacks a required hook"));
}

static void test_init_failure(void **state)
{
	(void)state;
	setenv("LIBALLOC_TEST_INIT_FAIL", "1", 1);
	assert_int_equal(load_with_path(env("LA_TEST_BACKEND_DIR"), NULL), 0);
	unsetenv("LIBALLOC_TEST_INIT_FAIL");
	assert_non_null(strstr(testdev_log, "init failed"));
}

/*
 * A module built against a header without the appended hooks loads and works,
 * and the hooks it lacks are absent: not read from whatever follows its
 * interface (backend-old.c puts a poisoned usage_from_name and layout_domain there).
 */
static void test_older_interface(void **state)
{
	const struct la_assertion a = {.width = 64, .height = 64};
	struct la_context *ctx = NULL;
	struct la_device *dev = NULL;
	struct la_capset *set = NULL;
	char node[512];
	uint64_t bit = 0;
	size_t n = 0;
	FILE *f;

	(void)state;
	snprintf(node, sizeof(node), "%s/a.olddev", testdev_tmpdir());
	f = fopen(node, "w");
	assert_non_null(f);
	fclose(f);
	setenv("LIBALLOC_BACKEND_PATH", env("LA_TEST_OLD_BACKEND_DIR"), 1);
	assert_int_equal(la_context_new(&ctx), 0);
	assert_int_equal(la_context_get_backend_count(ctx, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(la_context_get_backend_name(ctx, 0), "old");
	assert_null(ctx->backends[0]->iface->usage_from_name);
	assert_non_null(ctx->backends[0]->iface->get_capabilities);
	assert_int_equal(la_device_open(ctx, node, &dev), 0);
	assert_int_equal(la_device_usage_from_name(dev, "old.poison", &bit), -ENOENT);
	assert_int_equal(bit, 0);
	assert_null(ctx->backends[0]->iface->layout_domain);
	assert_string_equal(la_device_get_layout_domain(dev), "");
	assert_int_equal(la_device_get_capabilities(dev, LA_USAGE_RENDER, &a, &set), 0);
	assert_int_equal(la_capset_get_candidate_count(set), 1);
	la_capset_destroy(set);
	la_device_unref(dev);
	la_context_destroy(ctx);
	unsetenv("LIBALLOC_BACKEND_PATH");
	unlink(node);
}

/*
 * A backend is told the log level when it is loaded and on every change
 * (backend.h: log_level), so one that skips its traces by it loses none.
 */
static void test_log_level_told(void **state)
{
	struct la_context *ctx = NULL;
	size_t n = 0;

	(void)state;
	testdev_log[0] = '\0';
	setenv("LIBALLOC_BACKEND_PATH", env("LA_TEST_BACKEND_DIR"), 1);
	assert_int_equal(la_context_new(&ctx), 0);
	la_context_set_log_handler(ctx, testdev_log_capture, NULL);
	la_context_set_log_level(ctx, LA_LOG_DEBUG);
	assert_int_equal(la_context_get_backend_count(ctx, &n), 0);
	assert_int_equal(n, 1);
	assert_non_null(strstr(testdev_log, "[test] told log level 4")); /* at load */
	la_context_set_log_level(ctx, LA_LOG_WARN);
	testdev_log[0] = '\0';
	la_context_set_log_level(ctx, LA_LOG_DEBUG);
	assert_non_null(strstr(testdev_log, "[test] told log level 4")); /* on the change */
	la_context_destroy(ctx);
	unsetenv("LIBALLOC_BACKEND_PATH");
}

static void test_secure_ignores_env(void **state)
{
	char buf[4096];

	(void)state;
	setenv("LIBALLOC_BACKEND_PATH", "/tmp/evil", 1);
	assert_int_equal(la_loader_search_path(false, buf, sizeof(buf)), 0);
	assert_non_null(strstr(buf, "/tmp/evil"));
	assert_int_equal(la_loader_search_path(true, buf, sizeof(buf)), 0);
	assert_null(strstr(buf, "/tmp/evil"));
	assert_non_null(strstr(buf, LA_PLUGINDIR));
	unsetenv("LIBALLOC_BACKEND_PATH");
}

static void test_secure_ignores_debug(void **state)
{
	(void)state;
	setenv("LIBALLOC_DEBUG", "1", 1);
	assert_true(la_debug_from_env(false));
	assert_false(la_debug_from_env(true));
	setenv("LIBALLOC_DEBUG", "0", 1);
	assert_false(la_debug_from_env(false));
	unsetenv("LIBALLOC_DEBUG");
	assert_false(la_debug_from_env(false));
	/* the test runs without setuid: the real flag must say so */
	assert_false(la_process_is_secure());
}

static void copy_file(const char *from, const char *to)
{
	char cmd[2048];
	snprintf(cmd, sizeof(cmd), "cp '%s' '%s'", from, to);
	assert_int_equal(system(cmd), 0);
}

static void test_foreign_writable_refused(void **state)
{
	char dir[512], so[600];

	(void)state;
	snprintf(dir, sizeof(dir), "%s/open", testdev_tmpdir());
	assert_int_equal(mkdir(dir, 0755), 0);
	snprintf(so, sizeof(so), "%s/liballoc-test.so", dir);
	copy_file(env("LA_TEST_TEST_BACKEND"), so);
	size_t loaded = load_with_path(dir, NULL);
	if (loaded != 1)
		fail_msg("sane permissions did not load: %s", testdev_log);

	assert_int_equal(chmod(so, 0666), 0);
	assert_int_equal(load_with_path(dir, NULL), 0);
	assert_non_null(strstr(testdev_log, "writable by other users"));

	assert_int_equal(chmod(so, 0664), 0);
	assert_int_equal(load_with_path(dir, NULL), 0);
	assert_non_null(strstr(testdev_log, "writable by its group"));

	assert_int_equal(chmod(so, 0644), 0);
	assert_int_equal(chmod(dir, 0777), 0);
	assert_int_equal(load_with_path(dir, NULL), 0);
	assert_non_null(strstr(testdev_log, "writable by other users"));
	assert_int_equal(chmod(dir, 0775), 0);
	assert_int_equal(load_with_path(dir, NULL), 0);
	assert_non_null(strstr(testdev_log, "writable by its group"));
	assert_int_equal(chmod(dir, 0755), 0);
	assert_int_equal(load_with_path(dir, NULL), 1);
}

/* Only root can give a file away; as another user the case cannot be made. */
static void test_foreign_owner_refused(void **state)
{
	char dir[512], so[600];

	(void)state;
	if (geteuid() != 0)
		skip();
	snprintf(dir, sizeof(dir), "%s/owned", testdev_tmpdir());
	assert_int_equal(mkdir(dir, 0755), 0);
	snprintf(so, sizeof(so), "%s/liballoc-test.so", dir);
	copy_file(env("LA_TEST_TEST_BACKEND"), so);
	assert_int_equal(load_with_path(dir, NULL), 1);

	assert_int_equal(chown(so, 65534, 65534), 0);
	assert_int_equal(load_with_path(dir, NULL), 0);
	assert_non_null(strstr(testdev_log, "belongs to uid 65534, neither root nor this user"));
	assert_int_equal(chown(so, 0, 0), 0);
	assert_int_equal(chown(dir, 65534, 65534), 0);
	assert_int_equal(load_with_path(dir, NULL), 0);
	assert_non_null(strstr(testdev_log, "belongs to uid 65534"));
	assert_int_equal(chown(dir, 0, 0), 0);
	assert_int_equal(load_with_path(dir, NULL), 1);
}

static void test_missing_dir_is_quiet(void **state)
{
	(void)state;
	assert_int_equal(load_with_path("/nonexistent-liballoc-dir", NULL), 0);
	assert_string_equal(testdev_log, ""); /* nothing to warn about */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad_backends_skipped),
		cmocka_unit_test(test_init_failure),
		cmocka_unit_test(test_older_interface),
		cmocka_unit_test(test_log_level_told),
		cmocka_unit_test(test_secure_ignores_env),
		cmocka_unit_test(test_secure_ignores_debug),
		cmocka_unit_test(test_foreign_writable_refused),
		cmocka_unit_test(test_foreign_owner_refused),
		cmocka_unit_test(test_missing_dir_is_quiet),
	};
	return cmocka_run_group_tests(tests, NULL, testdev_teardown);
}
