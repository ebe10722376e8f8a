/* SPDX-License-Identifier: MIT */
/* The negotiation result as the caller reads it, and its end. */
#include <errno.h>
#include <stdlib.h>

#include "result.h"

LA_EXPORT void la_result_destroy(struct la_result *res)
{
	if (!res)
		return;
	la_paths_free(res);
	/* the parts and their strings share the result's block (negotiate.c) */
	for (size_t i = 0; i < res->n_parts; i++)
		la_device_unref(res->parts[i].device);
	free(res->cands);
	free(res->merged);
	free(res->layouts);
	free(res->diagnosis);
	free(res);
}

LA_EXPORT const char *la_result_get_diagnosis(const struct la_result *res)
{
	return res && res->diagnosis ? res->diagnosis : "";
}

LA_EXPORT size_t la_result_get_candidate_count(const struct la_result *res)
{
	return res ? res->n_cands : 0;
}

LA_EXPORT int la_result_get_candidate(const struct la_result *res, size_t index,
				      struct la_candidate *out)
{
	if (!res || !out || index >= res->n_cands)
		return -EINVAL;
	const struct la_result_cand *c = &res->cands[index];
	*out = (struct la_candidate){
		.format = c->format,
		.modifier = c->modifier,
		.plane_count = c->plane_count,
		.constraints = *la_result_constraints(res, index),
	};
	return 0;
}

LA_EXPORT int la_result_get_chosen_candidate(const struct la_result *res)
{
	if (!res)
		return -EINVAL;
	return res->chosen >= 0 ? res->chosen : -ENODEV;
}

LA_EXPORT size_t la_result_get_path_count(const struct la_result *res)
{
	return res ? res->n_paths : 0;
}

LA_EXPORT int la_result_get_path(const struct la_result *res, size_t index,
				 struct la_path_info *out)
{
	const struct la_path *p;

	if (!res || !out || index >= res->n_paths)
		return -EINVAL;
	p = &res->paths[res->path_order[index]];
	*out = (struct la_path_info){
		.name = p->name,
		.backend = p->backend->name,
		.rank = p->rank,
		.matched = p->matched,
		.reason = p->reason ? p->reason : "",
		.caching = p->desc.caching,
		.contiguous = (p->desc.flags & LA_PATH_CONTIGUOUS) != 0,
		.is_device_memory = p->has_owner,
	};
	return 0;
}
