/* SPDX-License-Identifier: MIT */
/*
 * A set of fixed-width tuples of uint32 ids, numbering them 0, 1, ... in
 * the order they were added: what a negotiation memoises per combination of
 * the devices' interned ids (join.c). Consecutive lookups mostly ask for the
 * same tuple, so the last one found is tried first; a hash table is built
 * only once there are more than a few.
 */
#ifndef LA_TUPLEMAP_H
#define LA_TUPLEMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct la_tuple_map {
	size_t width;
	size_t n;
	uint32_t *tuples; /* width ids per entry */
	size_t cap;       /* entries */
	uint32_t *table;  /* entry + 1, 0 = empty; NULL while few entries */
	size_t mask;
	size_t last;
};

static inline void la_tuple_map_init(struct la_tuple_map *m, size_t width)
{
	*m = (struct la_tuple_map){.width = width};
}

/* The entry of t, or -1. */
long la_tuple_map_find(struct la_tuple_map *m, const uint32_t *t);
/* Adds t (absent) as entry m->n; returns 0 or -ENOMEM. */
int la_tuple_map_add(struct la_tuple_map *m, const uint32_t *t);
void la_tuple_map_fini(struct la_tuple_map *m);

#endif
