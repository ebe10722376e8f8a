/* SPDX-License-Identifier: MIT */
/*
 * Allocation paths and their ranking. Every loaded backend reports the paths
 * it offers; the core applies the generic rules (contiguity, address limit,
 * caching, protection, every participant's import rule), then the backend
 * its own, and sorts what matched by rank.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "result.h"

/* CPU-read-often users get cached memory when a path offers it. */
#define RANK_CACHED_BONUS 50

struct sink_ctx {
	struct la_result *res;
	struct la_backend *backend;
	int error;
};

static int path_sink(void *data, const struct la_path_desc *desc, void *path)
{
	struct sink_ctx *s = data;
	struct la_result *res = s->res;
	struct la_path *p;

	if (!desc || !desc->name || !desc->name[0] || la_paths_find(res, desc->name) >= 0) {
		la_log(res->ctx, LA_LOG_WARN, "backend '%s' reported a path without a unique name",
		       s->backend->name);
		if (path && s->backend->iface->path_release)
			s->backend->iface->path_release(s->backend->data, path);
		return -EINVAL;
	}
	p = realloc(res->paths, (res->n_paths + 1) * sizeof(*p));
	if (!p) {
		s->error = -ENOMEM;
		goto fail;
	}
	res->paths = p;
	p = &res->paths[res->n_paths];
	memset(p, 0, sizeof(*p));
	p->name = strdup(desc->name);
	if (!p->name) {
		s->error = -ENOMEM;
		goto fail;
	}
	p->name_len = strlen(p->name);
	p->backend = s->backend;
	p->data = path;
	p->desc = *desc;
	p->desc.name = p->name;
	p->serves_cand = -1;
	if (desc->owner) {
		p->has_owner = true;
		p->owner_devnum = la_device_get_devnum(desc->owner);
		p->owner = desc->owner;
		snprintf(p->owner_driver, sizeof(p->owner_driver), "%s",
			 la_device_get_driver(desc->owner));
		snprintf(p->owner_label, sizeof(p->owner_label), "%s",
			 la_device_get_label(desc->owner));
		la_layout_id_of_device(desc->owner, &p->owner_layout);
	}
	p->desc.owner = NULL; /* not referenced: only its identity is kept */
	res->n_paths++;
	return 0;
fail:
	if (path && s->backend->iface->path_release)
		s->backend->iface->path_release(s->backend->data, path);
	return s->error;
}

int la_paths_find(const struct la_result *res, const char *name)
{
	for (size_t i = 0; i < res->n_paths; i++)
		if (strcmp(res->paths[i].name, name) == 0)
			return (int)i;
	return -ENOENT;
}

int la_paths_find_miss(struct la_result *res, const char *name)
{
	int idx = la_paths_find(res, name);

	/* only on a miss: steady allocations on one path never write the result */
	if (idx >= 0)
		__atomic_store_n(&res->find_hint, (size_t)idx, __ATOMIC_RELAXED);
	return idx;
}

int la_paths_list(struct la_result *res, struct la_why *why)
{
	struct la_context *ctx = res->ctx;
	struct la_device *devices[LA_MAX_DEVICES];
	void *data[LA_MAX_DEVICES];
	/* the devices' own backends are loaded: they were opened */
	int ret = la_loader_load_path_providers(ctx, why);

	if (ret < 0)
		return ret;
	for (size_t b = 0; b < ctx->n_backends; b++) {
		struct la_backend *be = la_loader_backend(ctx, b);
		struct sink_ctx s = {res, be, 0};

		if (!be || !be->iface->list_paths)
			continue;
		for (size_t i = 0; i < res->n_parts; i++) {
			struct la_device *d = res->parts[i].device;
			devices[i] = d;
			data[i] = d && d->backend == be ? d->data : NULL;
		}
		struct la_why list_why = {0};
		la_backend_lock(be);
		ret = be->iface->list_paths(be->data, devices, data, res->n_parts, path_sink, &s,
					    &list_why);
		la_backend_unlock(be);
		if (s.error == -ENOMEM)
			return -ENOMEM;
		if (ret < 0)
			la_dbg(ctx, "backend '%s' could not list its paths: %s", be->name,
			       la_why_text(&list_why, ret));
	}
	if (res->n_paths == 0)
		return 0;
	res->path_order = calloc(res->n_paths, sizeof(*res->path_order));
	return res->path_order ? 0 : -ENOMEM;
}

void la_paths_free(struct la_result *res)
{
	for (size_t i = 0; i < res->n_paths; i++) {
		struct la_path *p = &res->paths[i];
		if (p->data && p->backend->iface->path_release) {
			la_backend_lock(p->backend);
			p->backend->iface->path_release(p->backend->data, p->data);
			la_backend_unlock(p->backend);
		}
		free(p->name);
		free(p->reason);
		free(p->plan);
	}
	free(res->paths);
	free(res->path_order);
	res->paths = NULL;
	res->path_order = NULL;
	res->n_paths = 0;
}

static bool is_owner(const struct la_path *p, const struct la_identity *part)
{
	if (!p->has_owner)
		return false;
	/* A node without a device number (a file) is known by its object only. */
	if (p->owner_devnum == 0 || part->devnum == 0)
		return part->device && p->owner == part->device;
	return p->owner_devnum == part->devnum;
}

void la_result_fill_request(const struct la_result *res, size_t cand, const struct la_path *p,
			    struct la_device **devices, struct la_constraints *constraints,
			    struct la_alloc_request *req)
{
	const struct la_result_cand *merged = &res->cands[cand];

	*constraints = *la_result_constraints(res, cand);
	for (size_t i = 0; i < res->n_parts; i++) {
		devices[i] = res->parts[i].device;
		/*
		 * check_import_rules() lets an adaptive path serve a device that
		 * imports only contiguous dma-bufs on the promise that the path
		 * places the memory accordingly: the path must be told.
		 */
		if (res->parts[i].import_rule == LA_IMPORT_CONTIGUOUS && !is_owner(p, &res->parts[i]))
			constraints->flags |= LA_CONSTRAINT_CONTIGUOUS;
	}
	*req = (struct la_alloc_request){
		.format = merged->format,
		.modifier = merged->modifier,
		.width = res->width,
		.height = res->height,
		.buffer_count = res->buffer_count,
		.usage = res->usage,
		.constraints = constraints,
		.layout = la_result_layout(res, cand),
		.devices = devices,
		.n_devices = res->n_parts,
	};
}

/* Every participant's import rule against where the memory comes from. */
static int check_import_rules(const struct la_result *res, const struct la_path *p,
			      struct la_why *why)
{
	for (size_t i = 0; i < res->n_parts; i++) {
		const struct la_identity *part = &res->parts[i];
		if (is_owner(p, part))
			continue;
		switch (part->import_rule) {
		case LA_IMPORT_ANY:
			break;
		case LA_IMPORT_CONTIGUOUS:
			if (p->desc.flags & (LA_PATH_CONTIGUOUS | LA_PATH_ADAPTIVE))
				break;
			return la_why_set(why, -EINVAL,
					  "%s imports only physically contiguous buffers%s%s%s",
				 part->label, part->import_reason[0] ? " (" : "",
				 part->import_reason, part->import_reason[0] ? ")" : "");
		case LA_IMPORT_OWN_ONLY:
		case LA_IMPORT_NONE:
			return la_why_set(why, -EINVAL,
					  "%s imports no buffer it did not allocate%s%s%s",
				 part->label, part->import_reason[0] ? " (" : "",
				 part->import_reason, part->import_reason[0] ? ")" : "");
		}
	}
	return 0;
}

/* Implicit layouts are known only to the device that defines them (implicit.c). */
static int check_implicit_owner(const struct la_result *res, const struct la_path *p,
				struct la_why *why)
{
	if (!p->has_owner)
		return la_why_set(why, -EINVAL,
				  "an implicit-modifier buffer must come from the device that "
				  "defines its layout, not from neutral memory");
	for (size_t i = 0; i < res->n_parts; i++) {
		struct la_layout_id part;
		la_layout_id_of_identity(&res->parts[i], &part);
		if (!la_layout_id_shared(&p->owner_layout, &part))
			return la_why_set(why, -EINVAL,
					  "an implicit-modifier buffer must come from the device that "
					  "defines its layout: %s does not share the implicit layout "
					  "of %s", p->owner_label, res->parts[i].label);
	}
	return 0;
}

static int check_memory(const struct la_result *res, size_t cand, const struct la_path *p,
			struct la_why *why)
{
	const struct la_constraints *c = la_result_constraints(res, cand);
	uint64_t modifier = res->cands[cand].modifier;
	uint32_t f = p->desc.flags;
	bool adaptive = f & LA_PATH_ADAPTIVE;

	if ((c->flags & LA_CONSTRAINT_CONTIGUOUS) && !(f & (LA_PATH_CONTIGUOUS | LA_PATH_ADAPTIVE)))
		return la_why_set(why, -EINVAL,
				  "memory is not physically contiguous, a device requires it");
	if (c->dma_addr_bits && c->dma_addr_bits < 64 && !adaptive &&
	    (p->desc.dma_addr_bits == 0 || p->desc.dma_addr_bits > c->dma_addr_bits))
		return la_why_set(why, -EINVAL,
				  "memory may lie above the %u-bit DMA limit", c->dma_addr_bits);
	if (c->caching && p->desc.caching && !(c->caching & p->desc.caching))
		return la_why_set(why, -EINVAL,
				  "gives %s CPU mappings, the devices accept only mask 0x%x",
			 p->desc.caching == LA_CACHING_CACHED ? "cached" : "uncached/write-combined",
			 c->caching);
	/* a protected usage never silently gets normal memory, even from a
	 * capability set that forgot to say PROTECTED_REQUIRED */
	if (((c->flags & LA_CONSTRAINT_PROTECTED_REQUIRED) || (res->usage & LA_USAGE_PROTECTED)) &&
	    !(f & LA_PATH_PROTECTED))
		return la_why_set(why, -EINVAL,
				  "protected content needs protected memory, this path has none");
	if (f & LA_PATH_PROTECTED) {
		if (!(c->flags & LA_CONSTRAINT_PROTECTED_OK))
			return la_why_set(why, -EINVAL,
					  "protected memory, not every device may access it");
		if (res->usage & (LA_USAGE_CPU_READ | LA_USAGE_CPU_WRITE | LA_USAGE_CPU_READ_OFTEN))
			return la_why_set(why, -EINVAL,
					  "protected memory refuses the CPU access that was asked");
	}
	if ((f & LA_PATH_LINEAR_ONLY) && modifier != LA_MODIFIER_LINEAR)
		return la_why_set(why, -EINVAL, "allocates linear buffers only");
	if (modifier == LA_MODIFIER_IMPLICIT)
		return check_implicit_owner(res, p, why);
	return 0;
}

int la_paths_eval(struct la_result *res, size_t cand, struct la_path *p, int *rank,
		  struct la_why *why)
{
	struct la_device *devices[LA_MAX_DEVICES];
	struct la_constraints constraints;
	struct la_alloc_request req;
	int ret;

	*rank = p->desc.rank;
	ret = check_memory(res, cand, p, why);
	if (ret == 0)
		ret = check_import_rules(res, p, why);
	if (ret < 0)
		return ret;
	if ((res->usage & LA_USAGE_CPU_READ_OFTEN) && p->desc.caching == LA_CACHING_CACHED)
		*rank += RANK_CACHED_BONUS;
	if (!p->backend->iface->path_allocate)
		return la_why_set(why, -ENOTSUP, "backend cannot allocate");
	/* a match may say why it ranked the path so (backend.h) */
	struct la_why note = {0};
	if (p->backend->iface->path_match) {
		la_result_fill_request(res, cand, p, devices, &constraints, &req);
		la_backend_lock(p->backend);
		ret = p->backend->iface->path_match(p->backend->data, p->data, &req, rank, &note);
		la_backend_unlock(p->backend);
		if (ret < 0)
			return la_why_set(why, ret, "%s", la_why_text(&note, ret));
	}
	la_why_set(why, 0, "%s%s%s%s",
		   p->has_owner ? "memory of a participating device" : "neutral allocator",
		   (res->usage & LA_USAGE_CPU_READ_OFTEN) && p->desc.caching == LA_CACHING_CACHED
			   ? ", cached for CPU reads"
			   : "",
		   note.text[0] ? "; " : "", note.text);
	return 0;
}

static int eval_all(struct la_result *res, size_t cand, size_t *matched)
{
	struct la_why why;

	*matched = 0;
	for (size_t i = 0; i < res->n_paths; i++) {
		struct la_path *p = &res->paths[i];
		int rank;
		la_why_clear(&why);
		int ret = la_paths_eval(res, cand, p, &rank, &why);
		if (ret == -ENOMEM)
			return ret;
		free(p->reason);
		p->reason = strdup(why.text);
		if (!p->reason)
			return -ENOMEM;
		p->matched = ret == 0;
		p->rank = rank;
		*matched += p->matched;
	}
	return 0;
}

static int cmp_path_order(const void *a, const void *b, void *data)
{
	const struct la_result *res = data;
	const struct la_path *x = &res->paths[*(const size_t *)a];
	const struct la_path *y = &res->paths[*(const size_t *)b];
	if (x->matched != y->matched)
		return x->matched ? -1 : 1;
	if (x->matched && x->rank != y->rank)
		return x->rank > y->rank ? -1 : 1;
	return strcmp(x->name, y->name);
}

static void order_paths(struct la_result *res)
{
	if (res->n_paths == 0)
		return;
	for (size_t i = 0; i < res->n_paths; i++)
		res->path_order[i] = i;
	qsort_r(res->path_order, res->n_paths, sizeof(*res->path_order), cmp_path_order, res);
}

static bool offline(const struct la_result *res)
{
	for (size_t i = 0; i < res->n_parts; i++)
		if (res->parts[i].device)
			return false;
	return true;
}

static int no_path_diagnosis(struct la_result *res)
{
	struct la_strbuf sb = {0};
	char name[32];

	la_format_name(res->cands[0].format, name, sizeof(name));
	la_strbuf_printf(&sb, "no allocation path can serve every device (%zu common format(s), "
			      "first %s): ", res->n_cands, name);
	if (res->n_paths == 0)
		la_strbuf_printf(&sb, "no backend offers any path");
	for (size_t i = 0; i < res->n_paths; i++) {
		const struct la_path *p = &res->paths[res->path_order[i]];
		la_strbuf_printf(&sb, "%s%s: %s", i ? "; " : "", p->name, p->reason);
	}
	free(res->diagnosis);
	res->diagnosis = la_strbuf_steal(&sb);
	return res->diagnosis ? -ENODEV : -ENOMEM;
}

int la_paths_choose(struct la_result *res)
{
	size_t matched = 0;
	int ret;

	/* without a path, no candidate can match */
	for (size_t c = 0; c < res->n_cands && res->n_paths; c++) {
		ret = eval_all(res, c, &matched);
		if (ret < 0)
			return ret;
		if (matched) {
			res->chosen = (int)c;
			for (size_t i = 0; i < res->n_paths; i++)
				res->paths[i].serves_cand = res->paths[i].matched ? (int)c : -1;
			order_paths(res);
			return 0;
		}
	}
	if (res->n_cands == 0) {
		for (size_t i = 0; i < res->n_paths; i++)
			res->paths[i].reason = strdup("not evaluated: no common format");
		order_paths(res);
		return -ENOENT;
	}
	ret = eval_all(res, 0, &matched);
	if (ret < 0)
		return ret;
	order_paths(res);
	ret = no_path_diagnosis(res);
	/*
	 * Capability sets loaded from files answer "which format": with no
	 * live device there is nothing to allocate for, so no path is not a
	 * failure of the negotiation (la_allocate still refuses, with why).
	 */
	if (ret == -ENODEV && offline(res)) {
		res->chosen = 0;
		return 0;
	}
	return ret;
}
