/* SPDX-License-Identifier: MIT */
/*
 * A private XDG_RUNTIME_DIR (mode 0700, as the probe cache requires) for
 * the tests of the probe cache file, and its removal with what the cache
 * left in it (the file and its lock).
 */
#ifndef LA_TEST_RUNTIME_DIR_H
#define LA_TEST_RUNTIME_DIR_H

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

/* dir: the folder made (TMPDIR/la-TAG-XXXXXX), file: its probe cache file. -1 if not made. */
static inline int runtime_dir_make(char *dir, size_t dir_len, char *file, size_t file_len,
				   const char *tag)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(dir, dir_len, "%s/la-%s-XXXXXX", tmp ? tmp : "/tmp", tag);
	if (!mkdtemp(dir))
		return -1;
	chmod(dir, 0700);
	snprintf(file, file_len, "%s/liballoc/probe-cache", dir);
	setenv("XDG_RUNTIME_DIR", dir, 1);
	unsetenv("LIBALLOC_PROBE_CACHE");
	return 0;
}

static inline void runtime_dir_remove(const char *dir, const char *file)
{
	char path[512];

	unlink(file);
	snprintf(path, sizeof(path), "%s.lock", file);
	unlink(path);
	snprintf(path, sizeof(path), "%s/liballoc", dir);
	rmdir(path);
	rmdir(dir);
}

#endif
