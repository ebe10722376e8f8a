/* SPDX-License-Identifier: MIT */
/*
 * Allocation fault injection for tests that link the core statically
 * (liballoc_internal) with -Wl,--wrap=malloc,calloc,realloc,free,strdup,
 * strndup,asprintf: every allocation the core makes passes through the
 * wrappers below, those of libc, json-c and backends do not. While armed,
 * the wrappers count allocations, fail the Nth (or every one from the Nth
 * on) with ENOMEM, and keep the number of live blocks so that a test can
 * tell a leak at the exact N that caused it. LeakSanitizer (ASan build)
 * checks the same from the outside.
 */
#ifndef LA_FAULT_ALLOC_H
#define LA_FAULT_ALLOC_H

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct fault_state {
	bool armed;
	bool persistent; /* fail every allocation from fail_at on */
	long fail_at;    /* 1-based; 0 = never */
	long count;      /* allocations seen while armed */
	long live;       /* blocks allocated while armed and not yet freed */
	long injected;   /* failures injected */
};

static struct fault_state fault;

void *__real_malloc(size_t size);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t size);
void __real_free(void *p);
char *__real_strdup(const char *s);
char *__real_strndup(const char *s, size_t n);

void *__wrap_malloc(size_t size);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t size);
void __wrap_free(void *p);
char *__wrap_strdup(const char *s);
char *__wrap_strndup(const char *s, size_t n);
int __wrap_asprintf(char **out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static bool fault_fail_now(void)
{
	if (!fault.armed)
		return false;
	fault.count++;
	if (fault.fail_at &&
	    (fault.count == fault.fail_at || (fault.persistent && fault.count > fault.fail_at))) {
		fault.injected++;
		errno = ENOMEM;
		return true;
	}
	return false;
}

static void *fault_track(void *p)
{
	if (p && fault.armed)
		fault.live++;
	return p;
}

void *__wrap_malloc(size_t size)
{
	return fault_fail_now() ? NULL : fault_track(__real_malloc(size));
}

void *__wrap_calloc(size_t n, size_t size)
{
	return fault_fail_now() ? NULL : fault_track(__real_calloc(n, size));
}

void *__wrap_realloc(void *p, size_t size)
{
	if (fault_fail_now())
		return NULL;
	/* growing a block keeps it one block; realloc(NULL) is a new one */
	return p ? __real_realloc(p, size) : fault_track(__real_realloc(NULL, size));
}

void __wrap_free(void *p)
{
	if (p && fault.armed)
		fault.live--;
	__real_free(p);
}

char *__wrap_strdup(const char *s)
{
	return fault_fail_now() ? NULL : fault_track(__real_strdup(s));
}

char *__wrap_strndup(const char *s, size_t n)
{
	return fault_fail_now() ? NULL : fault_track(__real_strndup(s, n));
}

int __wrap_asprintf(char **out, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (fault_fail_now())
		return -1;
	va_start(ap, fmt);
	n = vasprintf(out, fmt, ap);
	va_end(ap);
	if (n >= 0)
		fault_track(*out);
	return n;
}

static void fault_arm(long fail_at, bool persistent)
{
	fault = (struct fault_state){.armed = true, .persistent = persistent, .fail_at = fail_at};
}

static void fault_disarm(void)
{
	fault.armed = false;
}

#endif
