/* SPDX-License-Identifier: MIT */
/*
 * The backends' process-wide probe store (backends/common/probe-cache.c):
 * keys, bounded retries of failed probes, definite answers, threads.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include <sys/sysmacros.h>

#include "probe-cache.h"

static struct be_probe_key key(unsigned minor_nr, const char *driver, const char *what)
{
	struct be_probe_key k = {.devnum = makedev(81, minor_nr)};

	snprintf(k.driver, sizeof(k.driver), "%s", driver);
	snprintf(k.what, sizeof(k.what), "%s", what);
	return k;
}

static int setup(void **state)
{
	(void)state;
	be_probe_cache_clear();
	return 0;
}

static void test_store_and_keys(void **state)
{
	struct be_probe_key cap = key(0, "vivid", "capture");
	struct be_probe_key others[] = {key(1, "vivid", "capture"), key(0, "vim2m", "capture"),
					key(0, "vivid", "output")};
	struct be_probe_answer a;

	(void)state;
	assert_int_equal(be_probe_cache_lookup(&cap, &a), 0);
	assert_int_equal(a.attempts, 0);
	assert_int_equal(be_probe_cache_store(&cap, LA_IMPORT_CONTIGUOUS, "EFAULT on a scattered buffer"), 0);
	assert_int_equal(be_probe_cache_lookup(&cap, &a), 1);
	assert_true(a.definite);
	assert_int_equal(a.rule, LA_IMPORT_CONTIGUOUS);
	assert_string_equal(a.reason, "EFAULT on a scattered buffer");
	/* another device number, driver or probe is another key */
	for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++)
		assert_int_equal(be_probe_cache_lookup(&others[i], &a), 0);
	/* a second store replaces the answer */
	assert_int_equal(be_probe_cache_store(&cap, LA_IMPORT_ANY, "took it"), 0);
	assert_int_equal(be_probe_cache_lookup(&cap, &a), 1);
	assert_int_equal(a.rule, LA_IMPORT_ANY);
	be_probe_cache_clear();
	assert_int_equal(be_probe_cache_lookup(&cap, &a), 0);
}

static void test_failures_bounded(void **state)
{
	struct be_probe_key k = key(3, "vivid", "capture");
	struct be_probe_answer a;
	char want[64];

	(void)state;
	for (unsigned i = 1; i < BE_PROBE_CACHE_ATTEMPTS; i++) {
		assert_int_equal(be_probe_cache_fail(&k, LA_IMPORT_CONTIGUOUS, "queue busy", &a), 0);
		assert_false(a.definite);
		assert_int_equal(a.attempts, i);
		assert_string_equal(a.reason, "queue busy");
		assert_int_equal(be_probe_cache_lookup(&k, &a), 0);
		assert_int_equal(a.attempts, i);
	}
	assert_int_equal(be_probe_cache_fail(&k, LA_IMPORT_CONTIGUOUS, "no udmabuf", &a), 0);
	assert_true(a.definite);
	assert_int_equal(a.attempts, BE_PROBE_CACHE_ATTEMPTS);
	snprintf(want, sizeof(want), "no udmabuf (fallback after %d failed probes)",
		 BE_PROBE_CACHE_ATTEMPTS);
	assert_string_equal(a.reason, want);
	assert_int_equal(be_probe_cache_lookup(&k, &a), 1);
	assert_int_equal(a.rule, LA_IMPORT_CONTIGUOUS);
	assert_string_equal(a.reason, want);
	/* a late failure does not reopen a definite answer */
	assert_int_equal(be_probe_cache_fail(&k, LA_IMPORT_NONE, "later", &a), 0);
	assert_int_equal(a.rule, LA_IMPORT_CONTIGUOUS);
	assert_string_equal(a.reason, want);
}

static void test_failure_then_success(void **state)
{
	struct be_probe_key k = key(4, "vivid", "output");
	struct be_probe_answer a;

	(void)state;
	assert_int_equal(be_probe_cache_fail(&k, LA_IMPORT_CONTIGUOUS, "busy", &a), 0);
	assert_int_equal(be_probe_cache_store(&k, LA_IMPORT_ANY, "took a scattered dma-buf"), 0);
	assert_int_equal(be_probe_cache_lookup(&k, &a), 1);
	assert_int_equal(a.rule, LA_IMPORT_ANY);
	assert_string_equal(a.reason, "took a scattered dma-buf");
}

static void test_long_reason_keeps_verdict(void **state)
{
	struct be_probe_key k = key(5, "vivid", "capture");
	struct be_probe_answer a;
	char longr[600];

	(void)state;
	memset(longr, 'x', sizeof(longr) - 1);
	longr[sizeof(longr) - 1] = '\0';
	for (int i = 0; i < BE_PROBE_CACHE_ATTEMPTS; i++)
		assert_int_equal(be_probe_cache_fail(&k, LA_IMPORT_CONTIGUOUS, longr, &a), 0);
	assert_true(a.definite);
	assert_int_equal(strlen(a.reason), BE_PROBE_CACHE_REASON_MAX - 1);
	assert_non_null(strstr(a.reason, "(fallback after 3 failed probes)"));
}

static void test_bad_keys(void **state)
{
	struct be_probe_key k = key(6, "vivid", "capture");
	struct be_probe_answer a;

	(void)state;
	assert_int_equal(be_probe_cache_lookup(NULL, &a), -EINVAL);
	assert_int_equal(be_probe_cache_lookup(&k, NULL), -EINVAL);
	assert_int_equal(be_probe_cache_fail(&k, LA_IMPORT_ANY, "x", NULL), -EINVAL);
	assert_int_equal(be_probe_cache_store(NULL, LA_IMPORT_ANY, "x"), -EINVAL);
	/* no device number: nothing another open could name, never cached */
	k.devnum = 0;
	assert_int_equal(be_probe_cache_lookup(&k, &a), -EINVAL);
	assert_int_equal(be_probe_cache_store(&k, LA_IMPORT_ANY, "x"), -EINVAL);
	for (int i = 0; i < BE_PROBE_CACHE_ATTEMPTS + 1; i++) {
		assert_int_equal(be_probe_cache_fail(&k, LA_IMPORT_CONTIGUOUS, "busy", &a), -EINVAL);
		assert_false(a.definite);
		assert_int_equal(a.rule, LA_IMPORT_CONTIGUOUS);
		assert_string_equal(a.reason, "busy");
	}
}

static void test_full(void **state)
{
	struct be_probe_answer a;

	(void)state;
	for (unsigned i = 0; i < BE_PROBE_CACHE_ENTRIES; i++) {
		struct be_probe_key k = key(100 + i, "vivid", "capture");
		assert_int_equal(be_probe_cache_store(&k, LA_IMPORT_ANY, "ok"), 0);
	}
	struct be_probe_key extra = key(99, "vivid", "capture");
	assert_int_equal(be_probe_cache_store(&extra, LA_IMPORT_ANY, "ok"), -ENOSPC);
	assert_int_equal(be_probe_cache_fail(&extra, LA_IMPORT_CONTIGUOUS, "busy", &a), -ENOSPC);
	assert_false(a.definite);
	assert_string_equal(a.reason, "busy");
	/* what is stored stays answered */
	struct be_probe_key first = key(100, "vivid", "capture");
	assert_int_equal(be_probe_cache_lookup(&first, &a), 1);
}

static void test_boot_id(void **state)
{
	const char *id = be_probe_cache_boot_id();

	(void)state;
	assert_non_null(id);
	/* Linux always has it: 36 characters, UUID form */
	assert_int_equal(strlen(id), 36);
	assert_ptr_equal(be_probe_cache_boot_id(), id);
}

#define THREADS 8
#define ROUNDS 200

static void *hammer(void *arg)
{
	unsigned t = (unsigned)(uintptr_t)arg;

	for (unsigned r = 0; r < ROUNDS; r++) {
		struct be_probe_key k = key(r % 16, "vivid", (t & 1) ? "output" : "capture");
		struct be_probe_answer a;
		if (be_probe_cache_lookup(&k, &a) == 1)
			continue;
		if ((r + t) % 3 == 0)
			be_probe_cache_store(&k, LA_IMPORT_ANY, "took it");
		else
			be_probe_cache_fail(&k, LA_IMPORT_CONTIGUOUS, "busy", &a);
	}
	return NULL;
}

static void test_threads(void **state)
{
	pthread_t th[THREADS];

	(void)state;
	for (unsigned i = 0; i < THREADS; i++)
		assert_int_equal(pthread_create(&th[i], NULL, hammer, (void *)(uintptr_t)i), 0);
	for (unsigned i = 0; i < THREADS; i++)
		pthread_join(th[i], NULL);
	/* every key ended definite, and no failure count went past the bound */
	for (unsigned m = 0; m < 16; m++) {
		for (int q = 0; q < 2; q++) {
			struct be_probe_key k = key(m, "vivid", q ? "output" : "capture");
			struct be_probe_answer a;
			assert_int_equal(be_probe_cache_lookup(&k, &a), 1);
			assert_true(a.attempts <= BE_PROBE_CACHE_ATTEMPTS);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_store_and_keys, setup),
		cmocka_unit_test_setup(test_failures_bounded, setup),
		cmocka_unit_test_setup(test_failure_then_success, setup),
		cmocka_unit_test_setup(test_long_reason_keeps_verdict, setup),
		cmocka_unit_test_setup(test_bad_keys, setup),
		cmocka_unit_test_setup(test_full, setup),
		cmocka_unit_test_setup(test_boot_id, setup),
		cmocka_unit_test_setup(test_threads, setup),
	};
	int ret = cmocka_run_group_tests(tests, NULL, NULL);
	be_probe_cache_clear();
	return ret;
}
