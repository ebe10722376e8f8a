/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "grow.h"
#include "tuplemap.h"

#define LINEAR_MAX 8 /* entries searched one by one before a hash table pays */

static size_t tuple_hash(const uint32_t *t, size_t n)
{
	uint64_t h = 0;

	for (size_t i = 0; i < n; i++)
		h = (h ^ t[i]) * UINT64_C(0x9e3779b97f4a7c15);
	return (size_t)(h ^ (h >> 31));
}

static bool tuple_is(const struct la_tuple_map *m, size_t e, const uint32_t *t)
{
	const uint32_t *u = &m->tuples[e * m->width];

	for (size_t i = 0; i < m->width; i++)
		if (u[i] != t[i])
			return false;
	return true;
}

static long find(const struct la_tuple_map *m, const uint32_t *t)
{
	if (!m->table) {
		for (size_t e = 0; e < m->n; e++)
			if (tuple_is(m, e, t))
				return (long)e;
		return -1;
	}
	for (size_t i = tuple_hash(t, m->width) & m->mask; m->table[i]; i = (i + 1) & m->mask)
		if (tuple_is(m, m->table[i] - 1, t))
			return (long)(m->table[i] - 1);
	return -1;
}

/* The last entry found was not t. */
long la_tuple_map_find_slow(struct la_tuple_map *m, const uint32_t *t)
{
	long e = find(m, t);

	if (e >= 0)
		m->last = (size_t)e;
	return e;
}

/* The hash table over the entries, rebuilt at twice their number. */
static int rehash(struct la_tuple_map *m)
{
	size_t size = 16;

	while (size < 2 * m->n)
		size *= 2;
	if (m->table && size <= m->mask + 1)
		return 0;
	free(m->table);
	m->table = calloc(size, sizeof(*m->table));
	if (!m->table)
		return -ENOMEM;
	m->mask = size - 1;
	for (size_t e = 0; e < m->n; e++) {
		size_t i = tuple_hash(&m->tuples[e * m->width], m->width) & m->mask;
		while (m->table[i])
			i = (i + 1) & m->mask;
		m->table[i] = (uint32_t)(e + 1);
	}
	return 0;
}

int la_tuple_map_add(struct la_tuple_map *m, const uint32_t *t)
{
	size_t room = m->cap * m->width;

	if (la_grow(&m->tuples, &room, (m->n + 1) * m->width, sizeof(*t), m->start) < 0)
		return -ENOMEM;
	m->cap = room / m->width;
	memcpy(&m->tuples[m->n * m->width], t, m->width * sizeof(*t));
	m->last = m->n++;
	if (m->n > LINEAR_MAX && rehash(m) < 0) {
		m->n--;
		m->last = 0;
		return -ENOMEM;
	}
	return 0;
}

void la_tuple_map_fini(struct la_tuple_map *m)
{
	la_grow_free(m->tuples, m->start);
	free(m->table);
	*m = (struct la_tuple_map){0};
}
