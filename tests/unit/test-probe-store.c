/* SPDX-License-Identifier: MIT */
/*
 * The probe cache file (backends/common/probe-store.c) through the probe
 * cache's API: an answer stored by one "process" (the store cleared in
 * between) is read back by the next; what is not this user's, writable by
 * others, of another boot, corrupt or too large is not used; off with
 * LIBALLOC_PROBE_CACHE=0 or without XDG_RUNTIME_DIR. Runs in a private
 * XDG_RUNTIME_DIR under TMPDIR.
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

#include "probe-cache.h"
#include "probe-store.h"
#include "runtime-dir.h"

static char runtime[256], file[300];

static struct be_probe_key key(unsigned minor_nr)
{
	struct be_probe_key k = {.devnum = makedev(81, minor_nr)};

	snprintf(k.driver, sizeof(k.driver), "vivid");
	snprintf(k.what, sizeof(k.what), "capture");
	return k;
}

static void write_file(const char *text, mode_t mode)
{
	char dir[300];
	int fd;

	snprintf(dir, sizeof(dir), "%s/liballoc", runtime);
	mkdir(dir, 0700);
	unlink(file);
	fd = open(file, O_WRONLY | O_CREAT | O_EXCL, mode);
	assert_true(fd >= 0);
	fchmod(fd, mode);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

/* A new process: nothing in memory, the file read at the first lookup. */
static int lookup_fresh(unsigned minor_nr, struct be_probe_answer *a)
{
	struct be_probe_key k = key(minor_nr);

	be_probe_cache_clear();
	return be_probe_cache_lookup(&k, a);
}

static int setup(void **state)
{
	(void)state;
	if (runtime_dir_make(runtime, sizeof(runtime), file, sizeof(file), "probe-store") < 0)
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

static void test_next_process_reads_it(void **state)
{
	struct be_probe_key k = key(1);
	struct be_probe_answer a;
	struct stat st;
	char note[300];

	(void)state;
	assert_int_equal(be_probe_cache_lookup(&k, &a), 0);
	assert_int_equal(be_probe_cache_store(&k, LA_IMPORT_CONTIGUOUS, "EINVAL on a scattered buffer"), 0);
	assert_true(be_probe_cache_note(note, sizeof(note)));
	assert_non_null(strstr(note, "saved"));
	assert_int_equal(stat(file, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(lookup_fresh(1, &a), 1);
	assert_true(a.from_file);
	assert_int_equal(a.rule, LA_IMPORT_CONTIGUOUS);
	assert_string_equal(a.reason, "EINVAL on a scattered buffer");
	/* other keys are not answered */
	assert_int_equal(lookup_fresh(2, &a), 0);
	/* a second answer is merged, the first kept */
	struct be_probe_key k2 = key(2);
	assert_int_equal(be_probe_cache_store(&k2, LA_IMPORT_ANY, "took it"), 0);
	assert_int_equal(lookup_fresh(1, &a), 1);
	assert_int_equal(lookup_fresh(2, &a), 1);
	assert_int_equal(a.rule, LA_IMPORT_ANY);
}

static void test_fallbacks_not_kept(void **state)
{
	struct be_probe_key k = key(3);
	struct be_probe_answer a;

	(void)state;
	for (int i = 0; i < BE_PROBE_CACHE_ATTEMPTS; i++)
		be_probe_cache_fail(&k, LA_IMPORT_CONTIGUOUS, "busy", &a);
	assert_true(a.definite);
	assert_int_equal(lookup_fresh(3, &a), 0);
}

static void test_off(void **state)
{
	struct be_probe_key k = key(4);
	struct be_probe_answer a;

	(void)state;
	setenv("LIBALLOC_PROBE_CACHE", "0", 1);
	assert_false(be_probe_store_enabled());
	assert_int_equal(be_probe_cache_store(&k, LA_IMPORT_ANY, "x"), 0);
	unsetenv("LIBALLOC_PROBE_CACHE");
	assert_int_equal(lookup_fresh(4, &a), 0);
	/* no runtime folder: nothing kept either */
	unsetenv("XDG_RUNTIME_DIR");
	assert_int_equal(be_probe_cache_store(&k, LA_IMPORT_ANY, "x"), 0);
	setenv("XDG_RUNTIME_DIR", runtime, 1);
	assert_int_equal(lookup_fresh(4, &a), 0);
}

static void test_untrusted(void **state)
{
	struct be_probe_key k = key(5);
	struct be_probe_answer a;
	char note[300];

	(void)state;
	assert_int_equal(be_probe_cache_store(&k, LA_IMPORT_NONE, "no"), 0);
	chmod(file, 0620); /* group-writable: someone else could have written it */
	assert_int_equal(lookup_fresh(5, &a), 0);
	assert_true(be_probe_cache_note(note, sizeof(note)));
	assert_non_null(strstr(note, "mode"));
	chmod(file, 0600);
	assert_int_equal(lookup_fresh(5, &a), 1);
	chmod(runtime, 0755); /* not a private runtime folder */
	assert_int_equal(lookup_fresh(5, &a), 0);
	chmod(runtime, 0700);
	assert_int_equal(lookup_fresh(5, &a), 1);
}

static void test_invalid(void **state)
{
	char text[512], big[BE_PROBE_STORE_MAX_BYTES + 100];
	const char *boot = be_probe_cache_boot_id();
	struct be_probe_answer a;
	char note[300];

	(void)state;
	snprintf(text, sizeof(text), "liballoc-probe-cache 1 %s\n81:6 0 1 vivid capture fine\n", boot);
	write_file(text, 0600);
	assert_int_equal(lookup_fresh(6, &a), 1);
	/* no reason, or blanks around it: as the format's writer and sscanf read them */
	snprintf(text, sizeof(text), "liballoc-probe-cache 1 %s\n81:6 0 1 vivid capture\n", boot);
	write_file(text, 0600);
	assert_int_equal(lookup_fresh(6, &a), 1);
	assert_string_equal(a.reason, "");
	snprintf(text, sizeof(text), "liballoc-probe-cache 1 %s\n81:6 0 2 vivid capture   a b\n",
		 boot);
	write_file(text, 0600);
	assert_int_equal(lookup_fresh(6, &a), 1);
	assert_int_equal(a.rule, 2);
	assert_string_equal(a.reason, "a b");
	/* another boot's file */
	write_file("liballoc-probe-cache 1 00000000-0000-0000-0000-000000000000\n"
		   "81:6 0 1 vivid capture fine\n", 0600);
	assert_int_equal(lookup_fresh(6, &a), 0);
	/* corrupt: a rule out of range, a line cut short, not our file */
	const char *bad[] = {"81:6 0 9 vivid capture x\n", "81:6 0 1 vivid\n",
			     "81:6x 0 1 vivid capture x\n", "4294967296:6 0 1 vivid capture x\n",
			     "81:6 0 -1 vivid capture x\n", "81 6 0 1 vivid capture x\n", NULL};
	for (size_t i = 0; bad[i]; i++) {
		snprintf(text, sizeof(text), "liballoc-probe-cache 1 %s\n%s", boot, bad[i]);
		write_file(text, 0600);
		assert_int_equal(lookup_fresh(6, &a), 0);
		assert_true(be_probe_cache_note(note, sizeof(note)));
		assert_non_null(strstr(note, "does not parse"));
	}
	write_file("something else\n", 0600);
	assert_int_equal(lookup_fresh(6, &a), 0);
	/* too large: ignored whole */
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	write_file(big, 0600);
	assert_int_equal(lookup_fresh(6, &a), 0);
	assert_true(be_probe_cache_note(note, sizeof(note)));
	assert_non_null(strstr(note, "bytes"));
	/* the next save replaces what could not be read */
	struct be_probe_key k = key(6);
	assert_int_equal(be_probe_cache_store(&k, LA_IMPORT_ANY, "again"), 0);
	assert_int_equal(lookup_fresh(6, &a), 1);
	assert_string_equal(a.reason, "again");
}

/*
 * Records of a device whose sysfs identity (inode) is not the one now are
 * dropped, each record checked: two records of one device number, one
 * current and one written before the device was re-created, and another
 * device's stale record. (81:N has no sysfs node here: identity 0.)
 */
static void test_stale(void **state)
{
	const char *boot = be_probe_cache_boot_id();
	struct be_probe_key out = key(6);
	struct be_probe_answer a;
	char text[512], note[300];

	(void)state;
	snprintf(out.what, sizeof(out.what), "output");
	snprintf(text, sizeof(text),
		 "liballoc-probe-cache 1 %s\n81:6 0 1 vivid capture fine\n"
		 "81:6 7 1 vivid output old\n81:7 9 1 vivid capture old\n", boot);
	write_file(text, 0600);
	assert_int_equal(lookup_fresh(6, &a), 1);
	assert_string_equal(a.reason, "fine");
	assert_true(be_probe_cache_note(note, sizeof(note)));
	assert_non_null(strstr(note, "2 record(s) of devices since re-created dropped"));
	assert_int_equal(be_probe_cache_lookup(&out, &a), 0);
	assert_int_equal(lookup_fresh(7, &a), 0);
	/* the same, the stale record first */
	snprintf(text, sizeof(text),
		 "liballoc-probe-cache 1 %s\n81:6 7 1 vivid output old\n"
		 "81:6 0 1 vivid capture fine\n", boot);
	write_file(text, 0600);
	assert_int_equal(lookup_fresh(6, &a), 1);
	assert_string_equal(a.reason, "fine");
	assert_int_equal(be_probe_cache_lookup(&out, &a), 0);
}

/* The sysfs inode of a character device, as the file records it. */
static unsigned long long sysfs_inode(unsigned maj, unsigned min)
{
	char path[64];
	struct stat st;

	snprintf(path, sizeof(path), "/sys/dev/char/%u:%u", maj, min);
	assert_int_equal(stat(path, &st), 0);
	return (unsigned long long)st.st_ino;
}

/*
 * A parse looks each device's sysfs node up once: the identity kept for one
 * device must not stand for another's (/dev/null and /dev/zero, two real
 * nodes with their own inodes).
 */
static void test_identity_per_device(void **state)
{
	struct be_probe_key null = {.devnum = makedev(1, 3), .driver = "mem", .what = "capture"};
	struct be_probe_key zero = {.devnum = makedev(1, 5), .driver = "mem", .what = "capture"};
	struct be_probe_answer a;
	char text[512];

	(void)state;
	assert_int_not_equal(sysfs_inode(1, 3), sysfs_inode(1, 5));
	snprintf(text, sizeof(text),
		 "liballoc-probe-cache 1 %s\n1:3 %llu 1 mem capture null's\n"
		 "1:5 %llu 1 mem capture zero's\n", be_probe_cache_boot_id(), sysfs_inode(1, 3),
		 sysfs_inode(1, 5));
	write_file(text, 0600);
	be_probe_cache_clear();
	assert_int_equal(be_probe_cache_lookup(&null, &a), 1);
	assert_string_equal(a.reason, "null's");
	assert_int_equal(be_probe_cache_lookup(&zero, &a), 1);
	assert_string_equal(a.reason, "zero's");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_next_process_reads_it, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fallbacks_not_kept, setup, teardown),
		cmocka_unit_test_setup_teardown(test_off, setup, teardown),
		cmocka_unit_test_setup_teardown(test_untrusted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_invalid, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stale, setup, teardown),
		cmocka_unit_test_setup_teardown(test_identity_per_device, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
