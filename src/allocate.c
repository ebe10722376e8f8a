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
 * What allocating on one path for one candidate needs, made once per
 * (result, path) by its first buffer, since a result does not change after
 * negotiating: the request the backend sees (merged constraints, the
 * participants), and the buffer shape that buffer proved. A descriptor of
 * that shape (planes, offsets, pitches, sizes, which planes share an fd)
 * lies inside the memory the backend returns: a backend gives the same
 * request the same memory size, so later buffers of the shape skip the
 * fstat that sizing a dma-buf costs (a syscall per buffer the raw ioctls do
 * not make); any other shape is checked in full. Published once by atomic
 * exchange, freed with the paths (paths.c).
 */
struct la_path_plan {
	size_t cand;
	struct la_alloc_request req;
	struct la_constraints constraints;
	/* 0: no shape proved yet, 1: being written, 2: shape below is proved */
	int shape_state;
	uint32_t plane_count, flags;
	uint32_t first_of[LA_MAX_PLANES];
	uint64_t offset[LA_MAX_PLANES], pitch[LA_MAX_PLANES], size[LA_MAX_PLANES];
	struct la_device *devices[]; /* n_parts */
};

static struct la_path_plan *plan_of(struct la_result *res, size_t cand, struct la_path *p)
{
	struct la_path_plan *plan = __atomic_load_n(&p->plan, __ATOMIC_ACQUIRE), *expected = NULL;

	if (plan)
		return plan->cand == cand ? plan : NULL;
	plan = malloc(sizeof(*plan) + res->n_parts * sizeof(plan->devices[0]));
	if (!plan)
		return NULL; /* the caller fills a request of its own */
	memset(plan, 0, sizeof(*plan));
	plan->cand = cand;
	la_result_fill_request(res, cand, p, plan->devices, &plan->constraints, &plan->req);
	if (__atomic_compare_exchange_n(&p->plan, &expected, plan, false, __ATOMIC_ACQ_REL,
					__ATOMIC_ACQUIRE))
		return plan;
	free(plan);
	return expected->cand == cand ? expected : NULL;
}

static bool shape_known(struct la_path_plan *plan, const struct la_descriptor *d)
{
	if (!plan || __atomic_load_n(&plan->shape_state, __ATOMIC_ACQUIRE) != 2 ||
	    d->plane_count != plan->plane_count || d->flags != plan->flags)
		return false;
	for (uint32_t i = 0; i < d->plane_count; i++) {
		const struct la_plane *pl = &d->planes[i];
		if (pl->fd < 0 || pl->offset != plan->offset[i] || pl->pitch != plan->pitch[i] ||
		    pl->size != plan->size[i])
			return false;
	}
	/* plane 0 is its fd's first plane in every descriptor, the proved one too */
	for (uint32_t i = 1; i < d->plane_count; i++)
		if (la_descriptor_first_plane_of_fd(d, i) != plan->first_of[i])
			return false;
	return true;
}

/* The first shape proved is kept. */
static void shape_remember(struct la_path_plan *plan, const struct la_descriptor *d)
{
	int expected = 0;

	if (!plan || d->plane_count == 0 || d->plane_count > LA_MAX_PLANES ||
	    !__atomic_compare_exchange_n(&plan->shape_state, &expected, 1, false,
					 __ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
		return;
	plan->plane_count = d->plane_count;
	plan->flags = d->flags;
	for (uint32_t i = 0; i < d->plane_count; i++) {
		plan->first_of[i] = la_descriptor_first_plane_of_fd(d, i);
		plan->offset[i] = d->planes[i].offset;
		plan->pitch[i] = d->planes[i].pitch;
		plan->size[i] = d->planes[i].size;
	}
	__atomic_store_n(&plan->shape_state, 2, __ATOMIC_RELEASE);
}

static int check_allocated(struct la_path_plan *plan, const struct la_alloc_request *req,
			   const struct la_descriptor *d, struct la_why *why)
{
	int ret;

	if (d->format != req->format || d->modifier != req->modifier || d->width != req->width ||
	    d->height != req->height)
		return la_why_set(why, -EPROTO,
				  "backend returned a buffer of another format, modifier or size");
	if (shape_known(plan, d))
		return 0;
	ret = la_descriptor_validate(d, req->constraints, why);
	if (ret == 0)
		shape_remember(plan, d);
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

/*
 * Owned paths' buffers remember their device for la_device_import(), which
 * checks implicit layouts against it (and only those): other buffers skip
 * the copy.
 */
static void set_origin(struct la_buffer *buf, const struct la_path *p)
{
	size_t len = strnlen(p->owner_label, sizeof(buf->origin_label) - 1);

	buf->has_origin = true;
	buf->origin = p->owner_layout;
	memcpy(buf->origin_label, p->owner_label, len);
	buf->origin_label[len] = '\0';
}

static int allocate_on(struct la_result *res, size_t cand, struct la_path *p,
		       struct la_buffer **out, struct la_why *why)
{
	struct la_device *devices[LA_MAX_DEVICES];
	struct la_constraints constraints;
	struct la_alloc_request own_req;
	const struct la_alloc_request *req = &own_req;
	struct la_path_plan *plan = plan_of(res, cand, p);
	/* the backend writes the buffer's own descriptor: no copy of it */
	struct la_buffer *buf = la_buffer_new(res->ctx, p->name, p->name_len);
	struct la_descriptor *d;
	int ret;

	if (!buf)
		return -ENOMEM;
	d = &buf->desc;
	if (plan)
		req = &plan->req;
	else
		la_result_fill_request(res, cand, p, devices, &constraints, &own_req);
	la_why_clear(why);
	if (p->desc.flags & LA_PATH_CONCURRENT) {
		ret = p->backend->iface->path_allocate(p->backend->data, p->data, req, d, why);
	} else {
		la_backend_lock(p->backend);
		ret = p->backend->iface->path_allocate(p->backend->data, p->data, req, d, why);
		la_backend_unlock(p->backend);
	}
	if (ret < 0) {
		if (!why->text[0])
			la_why_set(why, ret, "allocation failed: %s", strerror(-ret));
		la_why_prefix(why, "%s", p->name);
		if ((ret == -ENOMEM || ret == -ENOSPC) &&
		    (p->desc.flags & (LA_PATH_CONTIGUOUS | LA_PATH_ADAPTIVE)))
			name_contig_demand(res, cand, why);
		la_buffer_free(buf); /* closes what the backend may have left */
		return ret;
	}
	d->plane_count = d->plane_count ? d->plane_count : 1;
	ret = check_allocated(plan, req, d, why);
	if (ret == 0 && (p->desc.flags & LA_PATH_PROTECTED) && !(d->flags & LA_BUFFER_PROTECTED))
		/* la_buffer_map() refuses by this flag: a backend must not drop it */
		ret = la_why_set(why, -EPROTO,
				 "protected path returned a buffer not marked protected");
	if (ret < 0) {
		la_why_prefix(why, "%s returned an unusable buffer", p->name);
		la_buffer_free(buf);
		return ret == -EINVAL ? -EPROTO : ret;
	}
	la_dbg(res->ctx, "allocated %ux%u on %s", d->width, d->height, p->name);
	if (p->has_owner && d->modifier == LA_MODIFIER_IMPLICIT)
		set_origin(buf, p);
	*out = buf;
	return 0;
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
	struct la_why reason; /* cleared only if needed: 1 KiB per buffer adds up */
	int idx, rank;

	idx = la_paths_find_hinted(res, path);
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
