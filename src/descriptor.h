/* SPDX-License-Identifier: MIT */
/* Core-private descriptor helpers (src/descriptor.c). */
#ifndef LA_DESCRIPTOR_H
#define LA_DESCRIPTOR_H

#include "private.h"

/* Closes each distinct fd once. */
void la_descriptor_close_fds(struct la_descriptor *desc);
/* Size of a dma-buf (its inode, else lseek SEEK_END), or negative errno. */
int64_t la_fd_size(int fd);
/* Index of the first plane that uses the same fd as plane p (inline: per buffer and plane). */
static inline uint32_t la_descriptor_first_plane_of_fd(const struct la_descriptor *d, uint32_t p)
{
	for (uint32_t i = 0; i < p; i++)
		if (d->planes[i].fd == d->planes[p].fd)
			return i;
	return p;
}
/*
 * Plane count, fds and every plane inside its memory. sizes[p]: bytes of
 * plane p's memory (0 if its exporter cannot tell).
 */
/* Every fd a dma-buf or a memfd sealed with F_SEAL_SHRINK; -EINVAL naming the plane. */
int la_descriptor_check_peer_fds(const struct la_descriptor *d, struct la_why *why);
int la_descriptor_check_shape(const struct la_descriptor *d, int64_t *sizes, struct la_why *why);
/* The shape, a known size, and linear layouts against the constraints. */
int la_descriptor_validate(const struct la_descriptor *d, const struct la_constraints *c,
			   struct la_why *why);

#endif
