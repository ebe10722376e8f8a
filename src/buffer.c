/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <linux/dma-buf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buffer.h"
#include "result.h"

#define MOD_LINEAR UINT64_C(0)

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

/* Index of the first plane that uses the same fd as plane p. */
static uint32_t first_plane_of_fd(const struct la_descriptor *d, uint32_t p)
{
	for (uint32_t i = 0; i < p; i++)
		if (d->planes[i].fd == d->planes[p].fd)
			return i;
	return p;
}

void la_descriptor_close_fds(struct la_descriptor *desc)
{
	uint32_t n = desc->plane_count <= LA_MAX_PLANES ? desc->plane_count : LA_MAX_PLANES;
	for (uint32_t p = 0; p < n; p++) {
		if (desc->planes[p].fd >= 0 && first_plane_of_fd(desc, p) == p)
			close(desc->planes[p].fd);
	}
	for (uint32_t p = 0; p < n; p++)
		desc->planes[p].fd = -1;
}

LA_EXPORT void la_descriptor_close(struct la_descriptor *desc)
{
	if (desc)
		la_descriptor_close_fds(desc);
}

/* A plane must lie inside its memory: a foreign descriptor is hostile input. */
static int check_plane_bounds(const struct la_descriptor *d, uint32_t p, int64_t *sizes)
{
	const struct la_plane *pl = &d->planes[p];
	uint32_t first = first_plane_of_fd(d, p);
	uint64_t end;
	int64_t fd_size;

	if (!la_add_u64(pl->offset, pl->size, &end)) {
		la_diag("descriptor: plane %u offset %llu + size %llu overflows", p,
			(unsigned long long)pl->offset, (unsigned long long)pl->size);
		return -EOVERFLOW;
	}
	fd_size = first == p ? la_fd_size(pl->fd) : sizes[first];
	if (fd_size < 0) {
		la_diag("descriptor: plane %u fd: %s", p, strerror((int)-fd_size));
		return (int)fd_size;
	}
	sizes[p] = fd_size;
	/* Some exporters cannot tell their size (0); the importing device checks then. */
	if (fd_size > 0 && end > (uint64_t)fd_size) {
		la_diag("descriptor: plane %u ends at byte %llu, its memory has %lld", p,
			(unsigned long long)end, (long long)fd_size);
		return -EINVAL;
	}
	return 0;
}

/* sizes[p]: bytes of plane p's memory (0 if its exporter cannot tell). */
static int check_descriptor_shape(const struct la_descriptor *d, int64_t *sizes)
{
	int ret;

	if (d->plane_count == 0 || d->plane_count > LA_MAX_PLANES) {
		la_diag("descriptor: plane_count %u not in 1..%d", d->plane_count, LA_MAX_PLANES);
		return -EINVAL;
	}
	for (uint32_t p = 0; p < d->plane_count; p++) {
		if (d->planes[p].fd < 0) {
			la_diag("descriptor: plane %u has no fd", p);
			return -EINVAL;
		}
		ret = check_plane_bounds(d, p, sizes);
		if (ret < 0)
			return ret;
	}
	return 0;
}

int la_buffer_wrap(struct la_context *ctx, struct la_descriptor *desc, const char *path,
		   struct la_buffer **out)
{
	struct la_buffer *buf;

	*out = NULL;
	buf = calloc(1, sizeof(*buf));
	if (!buf || !(buf->path = strdup(path ? path : ""))) {
		free(buf);
		la_descriptor_close_fds(desc);
		return -ENOMEM;
	}
	buf->ctx = ctx;
	buf->desc = *desc;
	pthread_mutex_init(&buf->lock, NULL);
	*out = buf;
	return 0;
}

LA_EXPORT void la_buffer_destroy(struct la_buffer *buf)
{
	if (!buf)
		return;
	for (uint32_t p = 0; p < LA_MAX_PLANES; p++) {
		if (buf->maps[p].base) {
			la_dbg(buf->ctx, "buffer destroyed while plane %u is mapped", p);
			munmap(buf->maps[p].base, buf->maps[p].size);
		}
	}
	la_descriptor_close_fds(&buf->desc);
	pthread_mutex_destroy(&buf->lock);
	free(buf->path);
	free(buf);
}

LA_EXPORT int la_buffer_from_descriptor(struct la_context *ctx, const struct la_descriptor *desc,
					struct la_buffer **out)
{
	struct la_descriptor own;
	int ret;

	if (!out)
		return -EINVAL;
	*out = NULL;
	if (!ctx || !desc)
		return -EINVAL;
	int64_t sizes[LA_MAX_PLANES];
	ret = check_descriptor_shape(desc, sizes);
	if (ret < 0)
		return ret;
	own = *desc;
	for (uint32_t p = 0; p < own.plane_count; p++)
		own.planes[p].fd = -1;
	for (uint32_t p = 0; p < own.plane_count; p++) {
		uint32_t first = first_plane_of_fd(desc, p);
		own.planes[p].fd = first == p ? fcntl(desc->planes[p].fd, F_DUPFD_CLOEXEC, 3)
					       : own.planes[first].fd;
		if (own.planes[p].fd < 0) {
			ret = -errno;
			la_diag("descriptor: cannot duplicate plane %u fd: %s", p, strerror(errno));
			la_descriptor_close_fds(&own);
			return ret;
		}
	}
	return la_buffer_wrap(ctx, &own, "", out);
}

LA_EXPORT void la_buffer_get_descriptor(const struct la_buffer *buf, struct la_descriptor *desc)
{
	if (buf && desc)
		*desc = buf->desc;
}

LA_EXPORT int la_buffer_export(const struct la_buffer *buf, struct la_descriptor *desc)
{
	struct la_descriptor d;

	if (!buf || !desc)
		return -EINVAL;
	d = buf->desc;
	for (uint32_t p = 0; p < d.plane_count; p++)
		d.planes[p].fd = -1;
	for (uint32_t p = 0; p < d.plane_count; p++) {
		uint32_t first = first_plane_of_fd(&buf->desc, p);
		d.planes[p].fd = first == p ? fcntl(buf->desc.planes[p].fd, F_DUPFD_CLOEXEC, 3)
					    : d.planes[first].fd;
		if (d.planes[p].fd < 0) {
			int ret = -errno;
			la_diag("export: cannot duplicate plane %u fd: %s", p, strerror(errno));
			la_descriptor_close_fds(&d);
			return ret;
		}
	}
	*desc = d;
	return 0;
}

LA_EXPORT const char *la_buffer_get_path(const struct la_buffer *buf)
{
	return buf ? buf->path : NULL;
}

/* ---- checking what a backend or a foreign process hands us ---- */

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

/* Planes within their dma-buf; linear layouts also against the constraints. */
static int validate_desc(const struct la_descriptor *d, const struct la_constraints *c)
{
	struct la_layout l;
	int64_t sizes[LA_MAX_PLANES];
	int ret = check_descriptor_shape(d, sizes);

	if (ret < 0)
		return ret;
	/*
	 * The shape check bounded every plane by a known size; our own
	 * backends' memory must also have one (a foreign exporter may not).
	 */
	for (uint32_t p = 0; p < d->plane_count; p++) {
		if (sizes[p] == 0) {
			la_diag("plane %u: its dma-buf does not tell its size", p);
			return -EINVAL;
		}
	}
	if (d->modifier != MOD_LINEAR || d->planes[0].fd != d->planes[d->plane_count - 1].fd)
		return 0;
	layout_of(d, (uint64_t)sizes[0], &l);
	return la_layout_validate(d->format, d->width, d->height, c, &l);
}

LA_EXPORT int la_capset_validate(const struct la_capset *set, const struct la_descriptor *desc)
{
	char name[32];

	if (!set || !desc)
		return -EINVAL;
	la_diag_clear();
	for (size_t i = 0; i < set->n_cands; i++) {
		const struct la_candidate *c = &set->cands[i];
		if (c->format != desc->format || c->modifier != desc->modifier)
			continue;
		if (c->plane_count && c->plane_count != desc->plane_count) {
			la_diag("%s: wants %u planes, the buffer has %u", set->label,
				c->plane_count, desc->plane_count);
			return -EINVAL;
		}
		int ret = validate_desc(desc, &c->constraints);
		if (ret < 0)
			la_diag_prefix("%s", set->label);
		return ret;
	}
	la_diag("%s: does not accept %s with modifier 0x%llx", set->label,
		la_format_name(desc->format, name, sizeof(name)),
		(unsigned long long)desc->modifier);
	return -EINVAL;
}

/* ---- allocation ---- */

static int check_allocated(const struct la_alloc_request *req, const struct la_descriptor *d)
{
	if (d->format != req->format || d->modifier != req->modifier || d->width != req->width ||
	    d->height != req->height) {
		la_diag("backend returned a buffer of another format, modifier or size");
		return -EPROTO;
	}
	return validate_desc(d, req->constraints);
}

static int allocate_on(struct la_result *res, size_t cand, struct la_path *p,
		       struct la_buffer **out)
{
	struct la_device *devices[LA_MAX_DEVICES];
	struct la_constraints constraints;
	struct la_alloc_request req;
	struct la_descriptor d;
	int ret;

	la_result_fill_request(res, cand, p, devices, &constraints, &req);
	memset(&d, 0, sizeof(d));
	for (int i = 0; i < LA_MAX_PLANES; i++)
		d.planes[i].fd = -1;
	la_diag_clear();
	la_backend_lock(p->backend);
	ret = p->backend->iface->path_allocate(p->backend->data, p->data, &req, &d);
	la_backend_unlock(p->backend);
	if (ret < 0) {
		la_diag_prefix("%s", p->name);
		la_descriptor_close_fds(&d);
		return ret;
	}
	d.plane_count = d.plane_count ? d.plane_count : 1;
	ret = check_allocated(&req, &d);
	if (ret == 0 && (p->desc.flags & LA_PATH_PROTECTED) && !(d.flags & LA_BUFFER_PROTECTED)) {
		/* la_buffer_map() refuses by this flag: a backend must not drop it */
		la_diag("protected path returned a buffer not marked protected");
		ret = -EPROTO;
	}
	if (ret < 0) {
		la_diag_prefix("%s returned an unusable buffer", p->name);
		la_descriptor_close_fds(&d);
		return ret == -EINVAL ? -EPROTO : ret;
	}
	la_dbg(res->ctx, "allocated %ux%u on %s", d.width, d.height, p->name);
	return la_buffer_wrap(res->ctx, &d, p->name, out);
}

static int best_path(struct la_result *res, struct la_path **p)
{
	if (!res || res->chosen < 0 || res->n_paths == 0 ||
	    !res->paths[res->path_order[0]].matched) {
		la_diag("%s", res && res->diagnosis && res->diagnosis[0]
				      ? res->diagnosis
				      : "no negotiated candidate with an allocation path");
		return -ENODEV;
	}
	*p = &res->paths[res->path_order[0]];
	return 0;
}

LA_EXPORT int la_allocate(struct la_result *res, struct la_buffer **out)
{
	struct la_path *p;
	int ret;

	if (!out)
		return -EINVAL;
	*out = NULL;
	ret = best_path(res, &p);
	if (ret < 0)
		return ret;
	return allocate_on(res, (size_t)res->chosen, p, out);
}

LA_EXPORT int la_allocate_with_path(struct la_result *res, const char *path,
				    struct la_buffer **out)
{
	char why[512] = "";
	int idx, rank;

	if (!out)
		return -EINVAL;
	*out = NULL;
	if (!res || !path)
		return -EINVAL;
	idx = la_paths_find(res, path);
	if (idx < 0) {
		la_diag("no allocation path named '%s' in this negotiation", path);
		return -ENOENT;
	}
	/*
	 * The forced path serves the first candidate (in preference order) it
	 * can. For a path that matched the chosen candidate, that is the chosen
	 * one (no path matched an earlier one): the match made while
	 * negotiating stands, as for la_allocate(), and path_allocate still
	 * checks what it allocates.
	 */
	if (res->paths[idx].serves_cand >= 0)
		return allocate_on(res, (size_t)res->paths[idx].serves_cand, &res->paths[idx], out);
	for (size_t c = 0; c < res->n_cands; c++) {
		int ret = la_paths_eval(res, c, &res->paths[idx], &rank, why, sizeof(why));
		if (ret == -ENOMEM)
			return ret;
		if (ret == 0)
			return allocate_on(res, c, &res->paths[idx], out);
	}
	la_diag("path '%s' cannot serve these devices: %s", path,
		why[0] ? why : "no common format");
	return -EINVAL;
}

LA_EXPORT int la_allocate_set(struct la_result *res, struct la_buffer **out, size_t count)
{
	struct la_path *p;
	uint64_t total = 0;
	int ret;

	if (!out || count == 0)
		return -EINVAL;
	memset(out, 0, count * sizeof(*out));
	ret = best_path(res, &p);
	if (ret < 0)
		return ret;
	/* Check the whole set before touching a heap: CMA fails late and vaguely. */
	const struct la_result_cand *rc = &res->cands[res->chosen];
	if (rc->has_layout && !la_mul_u64(rc->layout.size, count, &total)) {
		la_diag("%zu buffers of %llu bytes overflow", count,
			(unsigned long long)rc->layout.size);
		return -EOVERFLOW;
	}
	for (size_t i = 0; i < count; i++) {
		ret = allocate_on(res, (size_t)res->chosen, p, &out[i]);
		if (ret < 0) {
			la_diag_prefix("buffer %zu of %zu (%llu bytes in all)", i + 1, count,
				       rc->has_layout ? (unsigned long long)total : 0ULL);
			for (size_t j = 0; j < i; j++) {
				la_buffer_destroy(out[j]);
				out[j] = NULL;
			}
			return ret;
		}
	}
	return 0;
}

/* ---- CPU access ---- */

static int dmabuf_sync(struct la_buffer *buf, int fd, uint64_t flags)
{
	struct dma_buf_sync s = {.flags = flags};
	int ret;

	do {
		ret = ioctl(fd, DMA_BUF_IOCTL_SYNC, &s);
	} while (ret < 0 && (errno == EINTR || errno == EAGAIN));
	if (ret < 0 && errno == ENOTTY) {
		/* not a dma-buf (a memfd wrapped by the caller): nothing to sync */
		la_dbg(buf->ctx, "fd %d is not a dma-buf; no cache sync", fd);
		return 0;
	}
	return ret < 0 ? -errno : 0;
}

static uint64_t sync_dir(uint32_t flags)
{
	uint64_t d = 0;
	if (flags & LA_MAP_READ)
		d |= DMA_BUF_SYNC_READ;
	if (flags & LA_MAP_WRITE)
		d |= DMA_BUF_SYNC_WRITE;
	return d;
}

static int map_fd(struct la_buffer *buf, uint32_t first, uint32_t flags)
{
	struct la_mapping *m = &buf->maps[first];
	int fd = buf->desc.planes[first].fd;
	int prot = ((flags & LA_MAP_READ) ? PROT_READ : 0) | ((flags & LA_MAP_WRITE) ? PROT_WRITE : 0);
	int64_t size = la_fd_size(fd);

	if (size <= 0) {
		la_diag("map: cannot size the dma-buf of plane %u", first);
		return size < 0 ? (int)size : -EINVAL;
	}
	m->base = mmap(NULL, (size_t)size, prot, MAP_SHARED, fd, 0);
	if (m->base == MAP_FAILED) {
		int err = errno;
		m->base = NULL;
		la_diag("map: mmap of plane %u failed: %s%s", first, strerror(err),
			err == EACCES ? " (dma-buf opened read-only?)" : "");
		return -err;
	}
	m->size = (size_t)size;
	m->flags = flags;
	return 0;
}

LA_EXPORT int la_buffer_map(struct la_buffer *buf, uint32_t plane, uint32_t flags, void **data)
{
	uint32_t first;
	int ret;

	if (!data)
		return -EINVAL;
	*data = NULL;
	if (!buf || plane >= buf->desc.plane_count || !(flags & (LA_MAP_READ | LA_MAP_WRITE)) ||
	    (flags & ~(LA_MAP_READ | LA_MAP_WRITE)))
		return -EINVAL;
	if (buf->desc.flags & LA_BUFFER_PROTECTED) {
		la_diag("map: protected buffers cannot be mapped by the CPU");
		return -EPERM;
	}
	first = first_plane_of_fd(&buf->desc, plane);
	pthread_mutex_lock(&buf->lock);
	struct la_mapping *m = &buf->maps[first];
	if (m->base && (flags & ~m->flags)) {
		pthread_mutex_unlock(&buf->lock);
		la_diag("map: plane %u is already mapped with fewer access rights", plane);
		return -EBUSY;
	}
	ret = m->base ? 0 : map_fd(buf, first, flags);
	if (ret == 0)
		ret = dmabuf_sync(buf, buf->desc.planes[first].fd, DMA_BUF_SYNC_START | sync_dir(flags));
	if (ret < 0) {
		if (m->refs == 0 && m->base) {
			munmap(m->base, m->size);
			m->base = NULL;
		}
		pthread_mutex_unlock(&buf->lock);
		if (!la_last_diagnosis()[0])
			la_diag("map: DMA_BUF_IOCTL_SYNC start failed: %s", strerror(-ret));
		return ret;
	}
	m->refs++;
	buf->plane_maps[plane]++;
	*data = (uint8_t *)m->base + buf->desc.planes[plane].offset;
	pthread_mutex_unlock(&buf->lock);
	return 0;
}

LA_EXPORT int la_buffer_unmap(struct la_buffer *buf, uint32_t plane)
{
	uint32_t first;
	int ret;

	if (!buf || plane >= buf->desc.plane_count)
		return -EINVAL;
	first = first_plane_of_fd(&buf->desc, plane);
	pthread_mutex_lock(&buf->lock);
	struct la_mapping *m = &buf->maps[first];
	if (buf->plane_maps[plane] == 0 || !m->base) {
		pthread_mutex_unlock(&buf->lock);
		la_diag("unmap: plane %u is not mapped", plane);
		return -EINVAL;
	}
	ret = dmabuf_sync(buf, buf->desc.planes[first].fd, DMA_BUF_SYNC_END | sync_dir(m->flags));
	buf->plane_maps[plane]--;
	if (--m->refs == 0) {
		munmap(m->base, m->size);
		m->base = NULL;
	}
	pthread_mutex_unlock(&buf->lock);
	return ret;
}
