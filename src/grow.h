/* SPDX-License-Identifier: MIT */
/*
 * Arrays that double as they fill, possibly starting in a buffer of the
 * caller (on its stack), so that a small negotiation allocates nothing for
 * its scratch: the first growth past that buffer copies to the heap.
 */
#ifndef LA_GROW_H
#define LA_GROW_H

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Room for need elements of size in *p (*cap elements now; first: 4 when 0). */
static inline int la_grow(void *p, size_t *cap, size_t need, size_t size, const void *start)
{
	void **pp = p, *q;
	size_t c = *cap ? *cap : 4;

	if (need <= *cap)
		return 0;
	while (c < need)
		c *= 2;
	if (*pp && *pp == start) {
		q = malloc(c * size);
		if (q)
			memcpy(q, *pp, *cap * size);
	} else {
		q = realloc(*pp, c * size);
	}
	if (!q)
		return -ENOMEM;
	*pp = q;
	*cap = c;
	return 0;
}

/* Frees p unless it is still the caller's buffer start. */
static inline void la_grow_free(void *p, const void *start)
{
	if (p != start)
		free(p);
}

#endif
