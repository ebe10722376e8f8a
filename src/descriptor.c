/* SPDX-License-Identifier: MIT */
/*
 * Descriptors: the fds of a buffer and the checks of what a backend or a
 * foreign process hands over (a plane must lie inside its memory).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "descriptor.h"

/*
 * A dma-buf's inode carries its size, as does a memfd's: one fstat, and the
 * file position (shared with the caller's duplicate) is left alone. lseek
 * is the fallback for exporters whose inode says 0.
 */
int64_t la_fd_size(int fd)
{
	struct stat st;
	off_t end, pos;

	if (fstat(fd, &st) != 0)
		return -errno;
	if (st.st_size > 0)
		return st.st_size;
	pos = lseek(fd, 0, SEEK_CUR);
	end = lseek(fd, 0, SEEK_END);
	if (end < 0)
		return -errno;
	if (pos >= 0)
		lseek(fd, pos, SEEK_SET);
	return end;
}

/* Apart, so that the one-plane case below saves no registers and ends in close(). */
__attribute__((noinline)) static void close_planes(struct la_descriptor *desc, uint32_t n)
{
	for (uint32_t p = 0; p < n; p++) {
		if (desc->planes[p].fd >= 0 && la_descriptor_first_plane_of_fd(desc, p) == p)
			close(desc->planes[p].fd);
	}
	for (uint32_t p = 0; p < n; p++)
		desc->planes[p].fd = -1;
}

void la_descriptor_close_fds(struct la_descriptor *desc)
{
	uint32_t n = desc->plane_count <= LA_MAX_PLANES ? desc->plane_count : LA_MAX_PLANES;
	int fd = desc->planes[0].fd;

	if (n != 1) {
		close_planes(desc, n);
		return;
	}
	/* most buffers: no fd shared between planes to look for */
	desc->planes[0].fd = -1;
	if (fd >= 0)
		close(fd);
}

LA_EXPORT void la_descriptor_close(struct la_descriptor *desc)
{
	if (desc)
		la_descriptor_close_fds(desc);
}

/* A plane must lie inside its memory: a foreign descriptor is hostile input. */
static int check_plane_bounds(const struct la_descriptor *d, uint32_t p, int64_t *sizes,
			      struct la_why *why)
{
	const struct la_plane *pl = &d->planes[p];
	uint32_t first = la_descriptor_first_plane_of_fd(d, p);
	uint64_t end;
	int64_t fd_size;

	if (!la_add_u64(pl->offset, pl->size, &end))
		return la_why_set(why, -EOVERFLOW,
				  "descriptor: plane %u offset %llu + size %llu overflows", p,
			(unsigned long long)pl->offset, (unsigned long long)pl->size);
	fd_size = first == p ? la_fd_size(pl->fd) : sizes[first];
	if (fd_size < 0)
		return la_why_set(why, (int)fd_size, "descriptor: plane %u fd: %s", p, strerror((int)-fd_size));
	sizes[p] = fd_size;
	/* Some exporters cannot tell their size (0); the importing device checks then. */
	if (fd_size > 0 && end > (uint64_t)fd_size)
		return la_why_set(why, -EINVAL,
				  "descriptor: plane %u ends at byte %llu, its memory has %lld", p,
			(unsigned long long)end, (long long)fd_size);
	return 0;
}

/*
 * Memory a peer hands over must stay as big as it is while we map it: a
 * dma-buf cannot shrink; a memfd can, unless sealed, and a mapping of a
 * shrunk memfd faults (SIGBUS) at the first access past the new end, which
 * would kill a server reading a client's buffer. Anything else (files,
 * pipes, sockets) is no buffer.
 */
static int check_fd_kind(const struct la_descriptor *d, uint32_t p, struct la_why *why)
{
	struct statfs fs;
	int seals;

	if (fstatfs(d->planes[p].fd, &fs) != 0)
		return la_why_set(why, -errno, "descriptor: plane %u fd: %s", p, strerror(errno));
	if (fs.f_type == DMA_BUF_MAGIC)
		return 0;
	seals = fcntl(d->planes[p].fd, F_GET_SEALS);
	if (seals >= 0 && (seals & F_SEAL_SHRINK))
		return 0;
	if (seals >= 0)
		return la_why_set(why, -EINVAL,
				  "descriptor: plane %u is a memfd its owner can still shrink (no "
				  "F_SEAL_SHRINK): a mapping would fault (SIGBUS) once it does", p);
	return la_why_set(why, -EINVAL,
			  "descriptor: plane %u fd is neither a dma-buf nor a sealed memfd "
			  "(filesystem magic 0x%lx)", p, (unsigned long)fs.f_type);
}

int la_descriptor_check_peer_fds(const struct la_descriptor *d, struct la_why *why)
{
	for (uint32_t p = 0; p < d->plane_count && p < LA_MAX_PLANES; p++) {
		if (la_descriptor_first_plane_of_fd(d, p) != p)
			continue;
		int ret = check_fd_kind(d, p, why);
		if (ret < 0)
			return ret;
	}
	return 0;
}

int la_descriptor_check_shape(const struct la_descriptor *d, int64_t *sizes, struct la_why *why)
{
	int ret;

	if (d->plane_count == 0 || d->plane_count > LA_MAX_PLANES)
		return la_why_set(why, -EINVAL,
				  "descriptor: plane_count %u not in 1..%d", d->plane_count, LA_MAX_PLANES);
	for (uint32_t p = 0; p < d->plane_count; p++) {
		if (d->planes[p].fd < 0)
			return la_why_set(why, -EINVAL, "descriptor: plane %u has no fd", p);
		ret = check_plane_bounds(d, p, sizes, why);
		if (ret < 0)
			return ret;
	}
	return 0;
}

static void layout_of(const struct la_descriptor *d, uint64_t fd_size, struct la_layout *l)
{
	memset(l, 0, sizeof(*l));
	l->plane_count = d->plane_count;
	for (uint32_t p = 0; p < d->plane_count; p++) {
		l->offset[p] = d->planes[p].offset;
		l->pitch[p] = d->planes[p].pitch;
		l->plane_size[p] = d->planes[p].size;
	}
	l->size = fd_size;
}

int la_descriptor_validate(const struct la_descriptor *d, const struct la_constraints *c,
			   struct la_why *why)
{
	struct la_layout l;
	int64_t sizes[LA_MAX_PLANES];
	int ret = la_descriptor_check_shape(d, sizes, why);

	if (ret < 0)
		return ret;
	/*
	 * The shape check bounded every plane by a known size; our own
	 * backends' memory must also have one (a foreign exporter may not).
	 */
	for (uint32_t p = 0; p < d->plane_count; p++) {
		if (sizes[p] == 0)
			return la_why_set(why, -EINVAL,
					  "plane %u: its dma-buf does not tell its size", p);
	}
	if (d->modifier != LA_MODIFIER_LINEAR || d->planes[0].fd != d->planes[d->plane_count - 1].fd)
		return 0;
	layout_of(d, (uint64_t)sizes[0], &l);
	return la_layout_validate_why(d->format, d->width, d->height, c, &l, why);
}

static int capset_validate(const struct la_capset *set, const struct la_descriptor *desc,
			   struct la_why *why)
{
	char name[32];

	for (size_t i = 0; i < set->n_cands; i++) {
		const struct la_candidate *c = &set->cands[i];
		if (c->format != desc->format || c->modifier != desc->modifier)
			continue;
		if (c->plane_count && c->plane_count != desc->plane_count)
			return la_why_set(why, -EINVAL,
					  "%s: wants %u planes, the buffer has %u", set->identity.label,
				c->plane_count, desc->plane_count);
		int ret = la_descriptor_validate(desc, &c->constraints, why);
		if (ret < 0)
			la_why_prefix(why, "%s", set->identity.label);
		return ret;
	}
	return la_why_set(why, -EINVAL,
			  "%s: does not accept %s with modifier 0x%llx", set->identity.label,
		la_format_name(desc->format, name, sizeof(name)),
		(unsigned long long)desc->modifier);
}

LA_EXPORT int la_capset_validate(const struct la_capset *set, const struct la_descriptor *desc)
{
	struct la_why why = {0};

	if (!set || !desc)
		return -EINVAL;
	la_diag_clear();
	return la_publish(&why, capset_validate(set, desc, &why));
}
