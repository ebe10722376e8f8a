/* SPDX-License-Identifier: MIT */
/*
 * Backend manifests and the module cache (src/modules.c, src/modcache.c):
 * a process loads only the modules its devices and negotiations need, a
 * module without a usable manifest (or one whose manifest names another
 * backend) changes nothing but speed, and a folder's listing is reused by
 * the next process only while the folder is unchanged. Copies of the test
 * double (a neutral-path provider) and of the old-interface backend (which
 * claims *.olddev files) in folders of their own, with manifests written
 * here.
 */
#include <errno.h>
#include <pthread.h>
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

#include "private.h"
#include "testdev.h"

static char dir_test[512], dir_old[512], search[1100];

static const char *env(const char *name)
{
	const char *v = getenv(name);
	if (!v)
		fail_msg("%s not set (run through meson test)", name);
	return v;
}

static void write_text(const char *path, const char *text)
{
	char tmp[800];
	FILE *f;

	/* replaced, not rewritten: as an install or a build does */
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	assert_non_null(f);
	assert_true(fputs(text, f) >= 0);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(rename(tmp, path), 0);
}

static void copy_module(const char *from, const char *dir, const char *name)
{
	char cmd[2048];

	snprintf(cmd, sizeof(cmd), "mkdir -p '%s' && cp '%s' '%s/%s'", dir, from, dir, name);
	assert_int_equal(system(cmd), 0);
}

static void manifest(const char *dir, const char *name, const char *text)
{
	char p[700];

	snprintf(p, sizeof(p), "%s/liballoc-%s.manifest", dir, name);
	write_text(p, text);
}

static void manifests(const char *test_text, const char *old_text)
{
	manifest(dir_test, "test", test_text);
	manifest(dir_old, "old", old_text);
}

#define TEST_NEUTRAL "# the test double\nname = test\nclaims = testdev\nneutral-paths = yes\n"
#define OLD_OWN "name = old\nclaims = video4linux, mem\nneutral-paths = no\n"

static int setup(void **state)
{
	char old[600];

	(void)state;
	snprintf(dir_test, sizeof(dir_test), "%s/mf-test", testdev_tmpdir());
	snprintf(dir_old, sizeof(dir_old), "%s/mf-old", testdev_tmpdir());
	snprintf(search, sizeof(search), "%s:%s", dir_test, dir_old);
	snprintf(old, sizeof(old), "%s/liballoc-old.so", env("LA_TEST_OLD_BACKEND_DIR"));
	copy_module(env("LA_TEST_TEST_BACKEND"), dir_test, "liballoc-test.so");
	copy_module(old, dir_old, "liballoc-old.so");
	setenv("LIBALLOC_BACKEND_PATH", search, 1);
	unsetenv("XDG_RUNTIME_DIR"); /* no module cache unless a test asks for one */
	return 0;
}

static struct la_context *context(void)
{
	struct la_context *ctx = NULL;

	testdev_log[0] = '\0';
	assert_int_equal(la_context_new(&ctx), 0);
	la_context_set_log_handler(ctx, testdev_log_capture, NULL);
	la_context_set_log_level(ctx, LA_LOG_DEBUG);
	return ctx;
}

static bool loaded(struct la_context *ctx, const char *name)
{
	for (size_t i = 0; i < ctx->n_backends; i++) {
		struct la_backend *be = la_loader_backend(ctx, i);
		if (be && strcmp(be->name, name) == 0)
			return true;
	}
	return false;
}

static void test_loaded_by_need(void **state)
{
	struct la_why why = {0};
	struct la_context *ctx;
	size_t n = 0;

	(void)state;
	manifests(TEST_NEUTRAL, OLD_OWN);
	ctx = context();
	assert_int_equal(la_loader_load_path_providers(ctx, &why), 0);
	assert_int_equal(ctx->n_backends, 2);
	assert_true(loaded(ctx, "test"));
	assert_false(loaded(ctx, "old"));
	assert_int_equal(la_loader_load_claimants(ctx, "drm", &why), 0);
	assert_false(loaded(ctx, "old"));
	assert_int_equal(la_loader_load_claimants(ctx, "mem", &why), 0);
	assert_true(loaded(ctx, "old"));
	assert_int_equal(la_context_get_backend_count(ctx, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(la_context_get_backend_name(ctx, 1), "old");
	assert_null(la_context_get_backend_name(ctx, 2));
	la_context_destroy(ctx);

	/* the count loads every module */
	ctx = context();
	assert_int_equal(la_context_get_backend_count(ctx, &n), 0);
	assert_int_equal(n, 2);
	la_context_destroy(ctx);
}

/* A node of no known subsystem (a file): every module is asked. */
static void test_unknown_node_asks_every_module(void **state)
{
	struct la_device *dev = NULL;
	struct la_context *ctx;
	char node[512];
	FILE *f;

	(void)state;
	manifests(TEST_NEUTRAL, "name = old\nclaims = video4linux\nneutral-paths = no\n");
	snprintf(node, sizeof(node), "%s/m.olddev", testdev_tmpdir());
	f = fopen(node, "w");
	assert_non_null(f);
	fclose(f);
	ctx = context();
	assert_int_equal(la_device_open(ctx, node, &dev), 0);
	assert_string_equal(la_device_get_driver(dev), "old");
	la_device_unref(dev);
	la_context_destroy(ctx);
	unlink(node);
}

/*
 * A node whose subsystem no manifest claims (/dev/null, "mem"; or none
 * without sysfs): the other modules are asked before giving up.
 */
static void test_unclaimed_node_asks_the_rest(void **state)
{
	struct la_device *dev = NULL;
	struct la_context *ctx;

	(void)state;
	manifests(TEST_NEUTRAL, "name = old\nclaims = video4linux\nneutral-paths = no\n");
	ctx = context();
	assert_int_equal(la_device_open(ctx, "/dev/null", &dev), -ENODEV);
	assert_non_null(strstr(la_last_diagnosis(), "(2 backend(s) loaded)"));
	assert_true(loaded(ctx, "old"));
	la_context_destroy(ctx);
}

static void test_bad_manifest_loads_everything(void **state)
{
	struct la_why why = {0};
	struct la_context *ctx;

	(void)state;
	manifests(TEST_NEUTRAL, "name = old\nclaims video4linux\n");
	ctx = context();
	assert_int_equal(la_loader_load_path_providers(ctx, &why), 0);
	assert_true(loaded(ctx, "old")); /* as without manifests */
	assert_non_null(strstr(testdev_log, "liballoc-old.manifest: line 2: no '='"));
	assert_non_null(strstr(testdev_log, "(the module is loaded in every process)"));
	la_context_destroy(ctx);

	manifests(TEST_NEUTRAL, "name = old\nclaims = mem\nneutral-paths = maybe\n");
	ctx = context();
	assert_int_equal(la_loader_load_path_providers(ctx, &why), 0);
	assert_true(loaded(ctx, "old"));
	assert_non_null(strstr(testdev_log, "neutral-paths is yes or no, not 'maybe'"));
	la_context_destroy(ctx);

	manifests(TEST_NEUTRAL, "name = old\n");
	ctx = context();
	assert_int_equal(la_loader_load_path_providers(ctx, &why), 0);
	assert_true(loaded(ctx, "old"));
	assert_non_null(strstr(testdev_log, "needs name, claims and neutral-paths"));
	la_context_destroy(ctx);
}

static void test_manifest_of_another_backend_refused(void **state)
{
	struct la_context *ctx;
	size_t n = 0;

	(void)state;
	manifests("name = heap\nclaims = testdev\nneutral-paths = yes\n", OLD_OWN);
	ctx = context();
	assert_int_equal(la_context_get_backend_count(ctx, &n), 0);
	assert_int_equal(n, 1);
	assert_false(loaded(ctx, "test"));
	assert_non_null(strstr(testdev_log, "backend 'test', but its manifest names 'heap': not loaded"));
	la_context_destroy(ctx);
}

static size_t count(const char *s, const char *what)
{
	size_t n = 0;
	for (const char *p = strstr(s, what); p; p = strstr(p + 1, what))
		n++;
	return n;
}

static void test_module_cache(void **state)
{
	char rt[600], extra[700];
	struct la_why why = {0};
	struct la_context *ctx;
	struct stat st;

	(void)state;
	manifests(TEST_NEUTRAL, OLD_OWN);
	snprintf(rt, sizeof(rt), "%s/mf-runtime", testdev_tmpdir());
	assert_int_equal(mkdir(rt, 0700), 0);
	setenv("XDG_RUNTIME_DIR", rt, 1);

	/* a folder changed in the last 2 s is not recorded (modcache.c) */
	sleep(3);
	ctx = context(); /* lists both folders, writes the file */
	assert_int_equal(la_loader_load_path_providers(ctx, &why), 0);
	assert_int_equal(count(testdev_log, "module cache"), 0);
	la_context_destroy(ctx);
	snprintf(extra, sizeof(extra), "%s/liballoc/modules", rt);
	assert_int_equal(stat(extra, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);

	ctx = context(); /* both from the file, same decisions */
	assert_int_equal(la_loader_load_path_providers(ctx, &why), 0);
	assert_int_equal(count(testdev_log, "as listed by an earlier process (module cache)"), 2);
	assert_true(loaded(ctx, "test"));
	assert_false(loaded(ctx, "old"));
	la_context_destroy(ctx);

	/* a changed manifest (replaced: the folder changes) is read again */
	manifest(dir_old, "old", "name = old\nclaims = mem\nneutral-paths = yes\n");
	ctx = context();
	assert_int_equal(la_loader_load_path_providers(ctx, &why), 0);
	assert_int_equal(count(testdev_log, "module cache"), 1);
	assert_true(loaded(ctx, "old"));
	la_context_destroy(ctx);

	/* a module added to a folder is seen */
	snprintf(extra, sizeof(extra), "%s/liballoc-extra.so", dir_old);
	copy_module(env("LA_TEST_TEST_BACKEND"), dir_old, "liballoc-extra.so");
	ctx = context();
	assert_int_equal(la_loader_load_path_providers(ctx, &why), 0);
	assert_int_equal(ctx->n_backends, 3);
	/* no manifest: every module loaded; a second "test" is refused as before */
	assert_non_null(strstr(testdev_log, "backend 'test' already loaded from an earlier directory"));
	la_context_destroy(ctx);
	unlink(extra);

	/* LIBALLOC_MODULE_CACHE=0: listed every time */
	setenv("LIBALLOC_MODULE_CACHE", "0", 1);
	ctx = context();
	assert_int_equal(la_loader_load_path_providers(ctx, &why), 0);
	assert_int_equal(count(testdev_log, "module cache"), 0);
	la_context_destroy(ctx);
	unsetenv("LIBALLOC_MODULE_CACHE");

	/* a file others may write is not used */
	snprintf(extra, sizeof(extra), "%s/liballoc/modules", rt);
	assert_int_equal(chmod(extra, 0622), 0);
	ctx = context();
	assert_int_equal(la_loader_load_path_providers(ctx, &why), 0);
	assert_int_equal(count(testdev_log, "module cache"), 0);
	la_context_destroy(ctx);
	unsetenv("XDG_RUNTIME_DIR");
}

/*
 * Threads of one context load by need at once while others read the
 * slots: each sees a module either absent or whole (ThreadSanitizer runs
 * this in the concurrency suite).
 */
static void *loader_thread(void *arg)
{
	struct la_context *ctx = arg;
	struct la_why why = {0};
	size_t n = 0;

	for (int r = 0; r < 20; r++) {
		if (la_loader_load_path_providers(ctx, &why) != 0 ||
		    la_loader_load_claimants(ctx, (r & 1) ? "mem" : "drm", &why) != 0)
			return (void *)1;
		for (size_t i = 0; i < ctx->n_backends; i++) {
			struct la_backend *be = la_loader_backend(ctx, i);
			if (be && !be->name[0])
				return (void *)1;
		}
		if (r == 10 && la_context_get_backend_count(ctx, &n) != 0)
			return (void *)1;
	}
	return NULL;
}

static void test_concurrent_loading(void **state)
{
	pthread_t t[4];
	void *ret;

	(void)state;
	manifests(TEST_NEUTRAL, OLD_OWN);
	for (int round = 0; round < 5; round++) {
		struct la_context *ctx = context();
		la_context_set_log_level(ctx, LA_LOG_WARN);
		for (int i = 0; i < 4; i++)
			assert_int_equal(pthread_create(&t[i], NULL, loader_thread, ctx), 0);
		for (int i = 0; i < 4; i++) {
			assert_int_equal(pthread_join(t[i], &ret), 0);
			assert_null(ret);
		}
		assert_true(loaded(ctx, "test"));
		assert_true(loaded(ctx, "old"));
		la_context_destroy(ctx);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_loaded_by_need),
		cmocka_unit_test(test_unknown_node_asks_every_module),
		cmocka_unit_test(test_unclaimed_node_asks_the_rest),
		cmocka_unit_test(test_bad_manifest_loads_everything),
		cmocka_unit_test(test_manifest_of_another_backend_refused),
		cmocka_unit_test(test_module_cache),
		cmocka_unit_test(test_concurrent_loading),
	};
	return cmocka_run_group_tests(tests, setup, testdev_teardown);
}
