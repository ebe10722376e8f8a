/* SPDX-License-Identifier: MIT */
#ifndef BENCH_CHILD_H
#define BENCH_CHILD_H

#include <stddef.h>

struct bench_child {
	char out[4096];    /* its stdout, NUL-terminated (truncated if longer) */
	int exit_status;   /* exit code, or 128 + signal */
	double wall_us;    /* from posix_spawn() to waitpid(): exec, dynamic linking, main, exit */
};

/*
 * Runs exe with argv, its environment this process's with LIBALLOC_DEBUG
 * removed and LIBALLOC_BACKEND_PATH set to backend_path (removed if NULL).
 * 0 or -errno (the child's own failure is in exit_status).
 */
int bench_spawn(const char *exe, char *const argv[], const char *backend_path,
		struct bench_child *out);

/* The number after "key " on a line of text; NAN if absent. */
double bench_child_value(const struct bench_child *c, const char *key);

#endif
