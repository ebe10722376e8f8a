/* SPDX-License-Identifier: MIT */
/*
 * Helpers for the unit tests that drive the core through the TEST DOUBLE
 * backend (backend-test/): fake devices are JSON files written to a private
 * temporary folder. Fds are counted with tests/lib's tl_fd_count().
 */
#ifndef LIBALLOC_TESTDEV_H
#define LIBALLOC_TESTDEV_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <liballoc/liballoc.h>

/*
 * The pipeline most tests drive: a camera that imports only contiguous
 * memory (and has its own), a display that imports anything, and two
 * neutral heaps (LIBALLOC_TEST_HEAPS), one of them contiguous.
 */
#define TESTDEV_CAMERA                                                                  \
	"{\"driver\": \"fake_camera\", \"import_rule\": \"contiguous\","                   \
	" \"import_reason\": \"probe: -EINVAL\","                                            \
	" \"candidates\": [{\"format\": \"YUYV\", \"modifiers\": [0], \"pitch_align\": 32}," \
	"                  {\"format\": \"NV12\", \"modifiers\": [0], \"pitch_align\": 32}]," \
	" \"own_path\": {\"rank\": 300, \"flags\": [\"contiguous\"], \"caching\": \"cached\"}}"
#define TESTDEV_DISPLAY                                                                 \
	"{\"driver\": \"fake_display\", \"import_rule\": \"any\","                         \
	" \"candidates\": [{\"format\": \"XR24\", \"modifiers\": [0], \"pitch_align\": 64}," \
	"                  {\"format\": \"NV12\", \"modifiers\": [0], \"pitch_align\": 256}]," \
	" \"own_path\": {\"rank\": 300, \"caching\": \"wc\"}}"
#define TESTDEV_HEAPS                                                                   \
	"[{\"name\": \"heap:system\", \"rank\": 500, \"caching\": \"cached\"},"            \
	" {\"name\": \"heap:contig\", \"rank\": 400, \"flags\": [\"contiguous\"], \"caching\": \"wc\"}]"

static char testdev_dir[256];

static inline const char *testdev_tmpdir(void)
{
	if (!testdev_dir[0]) {
		const char *t = getenv("TMPDIR");
		snprintf(testdev_dir, sizeof(testdev_dir), "%s/liballoc-unit-XXXXXX", t ? t : "/tmp");
		if (!mkdtemp(testdev_dir)) {
			perror("mkdtemp");
			exit(1);
		}
	}
	return testdev_dir;
}

/* Writes NAME.testdev with the given JSON and returns its path (static buffer). */
static inline const char *testdev_write(const char *name, const char *json)
{
	static char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s.testdev", testdev_tmpdir(), name);
	f = fopen(path, "w");
	if (!f || fputs(json, f) < 0 || fclose(f) != 0) {
		perror(path);
		exit(1);
	}
	return path;
}

static inline void testdev_cleanup(void)
{
	char cmd[320];

	if (!testdev_dir[0])
		return;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", testdev_dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", testdev_dir);
}

/* A cmocka group teardown that only removes the fake devices. */
static inline int testdev_teardown(void **state)
{
	(void)state;
	testdev_cleanup();
	return 0;
}

/* The library's log, captured by testdev_log_capture (la_context_set_log_handler). */
static char testdev_log[16384];

static inline void testdev_log_capture(void *data, enum la_log_level level, const char *msg)
{
	size_t len = strlen(testdev_log);

	(void)data;
	(void)level;
	snprintf(testdev_log + len, sizeof(testdev_log) - len, "%s\n", msg);
}

/* A group fixture: a context over LIBALLOC_TEST_HEAPS and named test devices. */
struct testdev_spec {
	const char *name;
	const char *json;
	struct la_device **dev;
};

static inline void testdev_close_all(struct la_context **ctx, const struct testdev_spec *specs,
				     size_t n)
{
	for (size_t i = 0; i < n; i++) {
		la_device_unref(*specs[i].dev);
		*specs[i].dev = NULL;
	}
	la_context_destroy(*ctx);
	*ctx = NULL;
	testdev_cleanup();
}

/* 0, or -1 with everything opened so far closed again (cmocka's setup contract). */
static inline int testdev_open_all(struct la_context **ctx, const char *heaps,
				   const struct testdev_spec *specs, size_t n)
{
	setenv("LIBALLOC_TEST_HEAPS", heaps, 1);
	if (la_context_new(ctx) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (la_device_open(*ctx, testdev_write(specs[i].name, specs[i].json), specs[i].dev) < 0) {
			fprintf(stderr, "test device %s did not open\n", specs[i].name);
			testdev_close_all(ctx, specs, i);
			return -1;
		}
	}
	return 0;
}

#endif
