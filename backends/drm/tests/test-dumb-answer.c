/* SPDX-License-Identifier: MIT */
/*
 * The dumb-buffer probe's answer kept in the probe cache (dumb-answer.c):
 * it comes back as it went in, through the cache file of a private
 * XDG_RUNTIME_DIR to the next "process" (the store cleared in between); a
 * text format would not give is refused (the device is probed again); an
 * answer of another boot, driver or device is not used.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "../../common/probe-cache.h"
#include "../dumb-answer.h"
#include "../../../tests/unit/runtime-dir.h"

#define REASON "pitch multiple of 4 bytes, learnt from probe dumb buffers of 33 and 65 pixels"

static char runtime[256], file[300];

static void round_trip(void **state)
{
	static const uint32_t aligns[] = {0, 1, 4, 64, 256, DRM_DUMB_ALIGN_MAX};
	char text[BE_PROBE_CACHE_REASON_MAX], reason[160];
	uint32_t align;

	(void)state;
	for (size_t i = 0; i < sizeof(aligns) / sizeof(aligns[0]); i++) {
		assert_int_equal(drm_dumb_answer_format(aligns[i], REASON, text, sizeof(text)), 0);
		align = 12345;
		assert_true(drm_dumb_answer_parse(text, &align, reason, sizeof(reason)));
		assert_int_equal(align, aligns[i]);
		assert_string_equal(reason, REASON);
	}
	/* what would not parse back is not written */
	assert_int_equal(drm_dumb_answer_format(3, REASON, text, sizeof(text)), -1);
	assert_int_equal(drm_dumb_answer_format(DRM_DUMB_ALIGN_MAX * 2, REASON, text, sizeof(text)),
			 -1);
	assert_int_equal(drm_dumb_answer_format(4, "", text, sizeof(text)), -1);
	assert_int_equal(drm_dumb_answer_format(4, REASON, text, 10), -1);
}

static void refused(void **state)
{
	static const char *const bad[] = {
		"", "4", "4 ", " 4 why", "x why", "-4 why", "+4 why", "3 why", "12 why",
		"2097152 why", "99999999999999999999 why", "4\twhy", "4why",
	};
	char reason[160];
	uint32_t align = 7;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_false(drm_dumb_answer_parse(bad[i], &align, reason, sizeof(reason)));
		assert_int_equal(align, 7);
	}
	/* a reason longer than the device keeps */
	assert_false(drm_dumb_answer_parse("4 " REASON, &align, reason, 20));
}

static struct be_probe_key key(const char *driver)
{
	/* /dev/null's number: a character device that sysfs lists */
	struct be_probe_key k = {.devnum = makedev(1, 3), .what = "dumb-pitch"};

	snprintf(k.driver, sizeof(k.driver), "%s", driver);
	return k;
}

static int setup(void **state)
{
	(void)state;
	if (runtime_dir_make(runtime, sizeof(runtime), file, sizeof(file), "dumb-answer") < 0)
		return -1;
	be_probe_cache_clear();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	runtime_dir_remove(runtime, file);
	return 0;
}

/* The file's text with every occurrence of from replaced by to (same length). */
static void rewrite_file(const char *from, const char *to)
{
	char text[4096], *p;
	FILE *f = fopen(file, "r+");
	size_t n;

	assert_non_null(f);
	n = fread(text, 1, sizeof(text) - 1, f);
	text[n] = '\0';
	assert_int_equal(strlen(from), strlen(to));
	p = strstr(text, from);
	assert_non_null(p);
	memcpy(p, to, strlen(to));
	rewind(f);
	assert_int_equal(fwrite(text, 1, n, f), n);
	fclose(f);
}

static void next_process(void **state)
{
	struct be_probe_key k = key("vgem"), other = key("virtio_gpu");
	struct be_probe_answer a;
	char text[BE_PROBE_CACHE_REASON_MAX], reason[160];
	uint32_t align;

	(void)state;
	assert_int_equal(drm_dumb_answer_format(64, REASON, text, sizeof(text)), 0);
	assert_int_equal(be_probe_cache_store(&k, LA_IMPORT_ANY, text), 0);
	be_probe_cache_clear(); /* the next process */
	assert_int_equal(be_probe_cache_lookup(&k, &a), 1);
	assert_true(a.from_file);
	assert_true(drm_dumb_answer_parse(a.reason, &align, reason, sizeof(reason)));
	assert_int_equal(align, 64);
	/* another driver on that number (a module swapped) probes */
	be_probe_cache_clear();
	assert_int_equal(be_probe_cache_lookup(&other, &a), 0);
	/* a damaged answer probes */
	rewrite_file("64 pitch", "6x pitch");
	be_probe_cache_clear();
	assert_int_equal(be_probe_cache_lookup(&k, &a), 1);
	assert_false(drm_dumb_answer_parse(a.reason, &align, reason, sizeof(reason)));
	/* an answer of another boot is not used */
	assert_int_equal(be_probe_cache_store(&k, LA_IMPORT_ANY, text), 0);
	rewrite_file(be_probe_cache_boot_id(), "00000000-0000-0000-0000-000000000000");
	be_probe_cache_clear();
	assert_int_equal(be_probe_cache_lookup(&k, &a), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(round_trip),
		cmocka_unit_test(refused),
		cmocka_unit_test_setup_teardown(next_process, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
