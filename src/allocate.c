/* SPDX-License-Identifier: MIT */
/* Allocation on a negotiated path, checked before the caller sees it. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buffer.h"
#include "descriptor.h"
#include "result.h"

/*
 * What a path's first buffer of a candidate proved: a descriptor of this
 * layout (planes, offsets, pitches, sizes, which planes share an fd) lies
 * inside the memory the backend returned. A backend gives the same request
 * the same memory size, so later buffers of that layout are checked
 * without the fstat that sizing a dma-buf costs (a syscall per buffer the
 * raw ioctls do not make); any other layout is checked in full.
 */
struct la_checked_shape {
	size_t cand;
	uint32_t plane_count, flags;
	uint32_t first_of[LA_MAX_PLANES];
	uint64_t offset[LA_MAX_PLANES], pitch[LA_MAX_PLANES], size[LA_MAX_PLANES];
};

static void shape_of(size_t cand, const struct la_descriptor *d, struct la_checked_shape *s)
{
	memset(s, 0, sizeof(*s));
	s->cand = cand;
	s->plane_count = d->plane_count;
	s->flags = d->flags;
	for (uint32_t p = 0; p < d->plane_count && p < LA_MAX_PLANES; p++) {
		s->first_of[p] = la_descriptor_first_plane_of_fd(d, p);
		s->offset[p] = d->planes[p].offset;
		s->pitch[p] = d->planes[p].pitch;
		s->size[p] = d->planes[p].size;
	}
}

/* The same fields as shape_of() fills, compared in place: this runs for every buffer. */
static bool shape_known(const struct la_path *p, size_t cand, const struct la_descriptor *d)
{
	const struct la_checked_shape *known = __atomic_load_n(&p->checked, __ATOMIC_ACQUIRE);

	if (!known || d->plane_count == 0 || d->plane_count > LA_MAX_PLANES ||
	    known->cand != cand || known->plane_count != d->plane_count || known->flags != d->flags)
		return false;
	for (uint32_t i = 0; i < d->plane_count; i++)
		if (d->planes[i].fd < 0 || known->first_of[i] != la_descriptor_first_plane_of_fd(d, i) ||
		    known->offset[i] != d->planes[i].offset || known->pitch[i] != d->planes[i].pitch ||
		    known->size[i] != d->planes[i].size)
			return false;
	return true;
}

/* The first shape proved is kept; a failed allocation of memory only skips the cache. */
static void shape_remember(struct la_path *p, size_t cand, const struct la_descriptor *d)
{
	struct la_checked_shape *s, *expected = NULL;

	if (__atomic_load_n(&p->checked, __ATOMIC_ACQUIRE) || !(s = malloc(sizeof(*s))))
		return;
	shape_of(cand, d, s);
	if (!__atomic_compare_exchange_n(&p->checked, &expected, s, false, __ATOMIC_ACQ_REL,
					 __ATOMIC_ACQUIRE))
		free(s);
}

static int check_allocated(struct la_path *p, size_t cand, const struct la_alloc_request *req,
			   const struct la_descriptor *d, struct la_why *why)
{
	int ret;

	if (d->format != req->format || d->modifier != req->modifier || d->width != req->width ||
	    d->height != req->height)
		return la_why_set(why, -EPROTO,
				  "backend returned a buffer of another format, modifier or size");
	if (shape_known(p, cand, d))
		return 0;
	ret = la_descriptor_validate(d, req->constraints, why);
	if (ret == 0)
		shape_remember(p, cand, d);
	return ret;
}

/*
 * A contiguous path ran out of memory: name the participants that made
 * contiguity necessary, by import rule (with how it was found) or by a
 * contiguity constraint in their capability set.
 */
static void name_contig_demand(const struct la_result *res, size_t cand, struct la_why *why)
{
	bool constraint = la_result_constraints(res, cand)->flags & LA_CONSTRAINT_CONTIGUOUS;
	const char *sep = "; contiguous memory is required by ";

	for (size_t i = 0; i < res->n_parts; i++) {
		const struct la_identity *part = &res->parts[i];
		if (part->import_rule == LA_IMPORT_CONTIGUOUS) {
			la_why_append(why, "%s%s, which imports only contiguous memory%s%s%s", sep,
				      part->label, part->import_reason[0] ? " (" : "",
				      part->import_reason, part->import_reason[0] ? ")" : "");
			sep = "; and by ";
		} else if (constraint && part->n_contig_cands) {
			la_why_append(why, "%s%s, whose capability set requires it (constraint "
				      "'contiguous'%s)", sep, part->label,
				      part->n_contig_cands < part->n_cands ? " on some formats" : "");
			sep = "; and by ";
		}
	}
}

static int allocate_on(struct la_result *res, size_t cand, struct la_path *p,
		       struct la_buffer **out, struct la_why *why)
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
	la_why_clear(why);
	la_backend_lock(p->backend);
	ret = p->backend->iface->path_allocate(p->backend->data, p->data, &req, &d, why);
	la_backend_unlock(p->backend);
	if (ret < 0) {
		if (!why->text[0])
			la_why_set(why, ret, "allocation failed: %s", strerror(-ret));
		la_why_prefix(why, "%s", p->name);
		if ((ret == -ENOMEM || ret == -ENOSPC) &&
		    (p->desc.flags & (LA_PATH_CONTIGUOUS | LA_PATH_ADAPTIVE)))
			name_contig_demand(res, cand, why);
		la_descriptor_close_fds(&d);
		return ret;
	}
	d.plane_count = d.plane_count ? d.plane_count : 1;
	ret = check_allocated(p, cand, &req, &d, why);
	if (ret == 0 && (p->desc.flags & LA_PATH_PROTECTED) && !(d.flags & LA_BUFFER_PROTECTED))
		/* la_buffer_map() refuses by this flag: a backend must not drop it */
		ret = la_why_set(why, -EPROTO,
				 "protected path returned a buffer not marked protected");
	if (ret < 0) {
		la_why_prefix(why, "%s returned an unusable buffer", p->name);
		la_descriptor_close_fds(&d);
		return ret == -EINVAL ? -EPROTO : ret;
	}
	la_dbg(res->ctx, "allocated %ux%u on %s", d.width, d.height, p->name);
	ret = la_buffer_wrap(res->ctx, &d, p->name, out);
	if (ret == 0 && p->has_owner) {
		/* la_device_import() checks implicit layouts against it */
		(*out)->has_origin = true;
		(*out)->origin = p->owner_layout;
		snprintf((*out)->origin_label, sizeof((*out)->origin_label), "%s", p->owner_label);
	}
	return ret;
}

static int best_path(struct la_result *res, struct la_path **p, struct la_why *why)
{
	if (!res || res->chosen < 0 || res->n_paths == 0 ||
	    !res->paths[res->path_order[0]].matched)
		return la_why_set(why, -ENODEV, "%s", res && res->diagnosis && res->diagnosis[0]
						       ? res->diagnosis
						       : "no negotiated candidate with an allocation path");
	*p = &res->paths[res->path_order[0]];
	return 0;
}

LA_EXPORT int la_allocate(struct la_result *res, struct la_buffer **out)
{
	struct la_why why; /* cleared, not zeroed: 1 KiB per buffer adds up */
	struct la_path *p;
	int ret;

	if (!out)
		return -EINVAL;
	*out = NULL;
	la_why_clear(&why);
	ret = best_path(res, &p, &why);
	if (ret == 0)
		ret = allocate_on(res, (size_t)res->chosen, p, out, &why);
	return la_publish(&why, ret);
}

static int allocate_with_path(struct la_result *res, const char *path, struct la_buffer **out,
			      struct la_why *why)
{
	struct la_why reason; /* cleared only where used: 1 KiB per buffer otherwise */
	int idx = __atomic_load_n(&res->find_hint, __ATOMIC_RELAXED), rank;

	if (idx < 0 || (size_t)idx >= res->n_paths || strcmp(res->paths[idx].name, path) != 0) {
		idx = la_paths_find(res, path);
		if (idx >= 0)
			__atomic_store_n(&res->find_hint, idx, __ATOMIC_RELAXED);
	}
	if (idx < 0)
		return la_why_set(why, -ENOENT, "no allocation path named '%s' in this negotiation: "
				  "missing (no backend found such a heap or device)", path);
	/*
	 * The forced path serves the first candidate (in preference order) it
	 * can. For a path that matched the chosen candidate, that is the chosen
	 * one (no path matched an earlier one): the match made while
	 * negotiating stands, as for la_allocate(), and path_allocate still
	 * checks what it allocates.
	 */
	if (res->paths[idx].serves_cand >= 0)
		return allocate_on(res, (size_t)res->paths[idx].serves_cand, &res->paths[idx], out,
				   why);
	int err = -EINVAL;
	la_why_clear(&reason);
	for (size_t c = 0; c < res->n_cands; c++) {
		int ret = la_paths_eval(res, c, &res->paths[idx], &rank, &reason);
		if (ret == -ENOMEM)
			return ret;
		if (ret == 0)
			return allocate_on(res, c, &res->paths[idx], out, why);
		/* no permission is not "cannot serve": the caller may fix it */
		if (ret == -EACCES || ret == -EPERM)
			err = ret;
	}
	return la_why_set(why, err, "path '%s' cannot serve these devices: %s", path,
			  reason.text[0] ? reason.text : "no common format");
}

LA_EXPORT int la_allocate_with_path(struct la_result *res, const char *path,
				    struct la_buffer **out)
{
	struct la_why why;

	if (!out)
		return -EINVAL;
	*out = NULL;
	if (!res || !path)
		return -EINVAL;
	la_why_clear(&why);
	return la_publish(&why, allocate_with_path(res, path, out, &why));
}

static int allocate_set(struct la_result *res, struct la_buffer **out, size_t count,
			struct la_why *why)
{
	struct la_path *p;
	uint64_t total = 0;
	int ret = best_path(res, &p, why);

	if (ret < 0)
		return ret;
	/* Check the whole set before touching a heap: CMA fails late and vaguely. */
	const struct la_layout *layout = la_result_layout(res, (size_t)res->chosen);
	if (layout && !la_mul_u64(layout->size, count, &total))
		return la_why_set(why, -EOVERFLOW, "%zu buffers of %llu bytes overflow", count,
				  (unsigned long long)layout->size);
	for (size_t i = 0; i < count; i++) {
		ret = allocate_on(res, (size_t)res->chosen, p, &out[i], why);
		if (ret < 0) {
			la_why_prefix(why, "buffer %zu of %zu (%llu bytes in all)", i + 1, count,
				      layout ? (unsigned long long)total : 0ULL);
			for (size_t j = 0; j < i; j++) {
				la_buffer_destroy(out[j]);
				out[j] = NULL;
			}
			return ret;
		}
	}
	return 0;
}

LA_EXPORT int la_allocate_set(struct la_result *res, struct la_buffer **out, size_t count)
{
	struct la_why why = {0};

	if (!out || count == 0)
		return -EINVAL;
	memset(out, 0, count * sizeof(*out));
	return la_publish(&why, allocate_set(res, out, count, &why));
}

int la_allocate_why(struct la_result *res, const char *path, struct la_buffer **out,
		    struct la_why *why)
{
	struct la_path *p;
	int ret;

	*out = NULL;
	if (path)
		return allocate_with_path(res, path, out, why);
	ret = best_path(res, &p, why);
	return ret < 0 ? ret : allocate_on(res, (size_t)res->chosen, p, out, why);
}

int la_result_allocatable(struct la_result *res, const char *path, struct la_why *why)
{
	struct la_path *p;

	if (path && la_paths_find(res, path) < 0)
		return la_why_set(why, -ENOENT, "no allocation path named '%s' in this "
				  "negotiation", path);
	return path ? 0 : best_path(res, &p, why);
}
