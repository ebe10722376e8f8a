/* SPDX-License-Identifier: MIT */
/* Core-private declarations shared by the files of src/. Never installed. */
#ifndef LA_PRIVATE_H
#define LA_PRIVATE_H

#include <liballoc/backend.h>
#include <liballoc/liballoc.h>
#include <pthread.h>

#define LA_EXPORT __attribute__((visibility("default")))
#define LA_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/*
 * Thread-local reason of the last failure (la_last_diagnosis()).
 * la_diag() replaces it; la_diag_prefix() prepends context to it.
 */
void la_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void la_diag_prefix(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void la_diag_clear(void);

/* Overflow-checked arithmetic: return false on overflow. */
static inline bool la_mul_u64(uint64_t a, uint64_t b, uint64_t *r)
{
	return !__builtin_mul_overflow(a, b, r);
}
static inline bool la_add_u64(uint64_t a, uint64_t b, uint64_t *r)
{
	return !__builtin_add_overflow(a, b, r);
}
/* Rounds v up to a multiple of align (0 = no constraint). */
static inline bool la_align_u64(uint64_t v, uint64_t align, uint64_t *r)
{
	if (align == 0) {
		*r = v;
		return true;
	}
	uint64_t rem = v % align;
	if (rem == 0) {
		*r = v;
		return true;
	}
	return la_add_u64(v, align - rem, r);
}

#endif
