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
	uint32_t *start;  /* the caller's buffer tuples start in, or NULL */
	size_t width;
	size_t n;
	uint32_t *tuples; /* width ids per entry */
	size_t cap;       /* entries */
	uint32_t *table;  /* entry + 1, 0 = empty; NULL while few entries */
	size_t mask;
	size_t last;
};

/* Tuples start in buf (room for cap tuples; may be NULL, 0). */
static inline void la_tuple_map_init(struct la_tuple_map *m, size_t width, uint32_t *buf,
				     size_t cap)
{
	*m = (struct la_tuple_map){.start = buf, .width = width, .tuples = buf, .cap = cap};
}

long la_tuple_map_find_slow(struct la_tuple_map *m, const uint32_t *t);

/* The entry of t, or -1. */
static inline long la_tuple_map_find(struct la_tuple_map *m, const uint32_t *t)
{
	const uint32_t *u = m->tuples + m->last * m->width;
	bool same = m->n > 0;

	for (size_t i = 0; i < m->width && same; i++)
		same = u[i] == t[i];
	return same ? (long)m->last : la_tuple_map_find_slow(m, t);
}
/* Adds t (absent) as entry m->n; returns 0 or -ENOMEM. */
int la_tuple_map_add(struct la_tuple_map *m, const uint32_t *t);
void la_tuple_map_fini(struct la_tuple_map *m);

#endif
