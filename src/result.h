/* SPDX-License-Identifier: MIT */
/* The negotiation result shared by negotiate.c, paths.c and buffer.c. */
#ifndef LA_RESULT_H
#define LA_RESULT_H

#include <string.h>

#include "private.h"

/*
 * One merged candidate. Candidates share their merged constraints (most
 * negotiations have one combination of limits per device) and only linear
 * ones have a layout, so both live in arrays of the result.
 */
struct la_result_cand {
	uint64_t modifier;
	uint32_t format;
	uint32_t plane_count;
	uint32_t merged; /* index into la_result.merged */
	uint32_t layout; /* index into la_result.layouts, LA_NO_LAYOUT unless linear */
};
#define LA_NO_LAYOUT UINT32_MAX

struct la_path {
	struct la_backend *backend;
	void *data;
	char *name;
	size_t name_len;           /* strlen(name): copied into every buffer */
	struct la_path_desc desc;  /* desc.name points at name */
	bool has_owner;
	dev_t owner_devnum;
	const struct la_device *owner; /* identity only, never dereferenced */
	char owner_driver[64];
	char owner_label[128];
	struct la_layout_id owner_layout; /* whose implicit layouts its buffers have */
	/* evaluation for the candidate reported by la_result_get_path() */
	int rank;
	bool matched;
	char *reason;
	/*
	 * Candidate la_allocate_with_path() serves on this path without asking
	 * the backend again: set when the path matched the chosen candidate at
	 * negotiation (no path matched an earlier one), -1 otherwise. Written
	 * only while negotiating, so allocations never write to the result.
	 */
	int serves_cand;
	/*
	 * The request of this path's first buffer's candidate and the buffer
	 * shape whose memory size it proved; later buffers reuse the one and
	 * skip the fstat for the other (allocate.c). Set once by atomic
	 * exchange, one block freed with the paths.
	 */
	struct la_path_plan *plan;
};

struct la_result {
	struct la_context *ctx;
	uint32_t width, height, buffer_count;
	uint64_t usage; /* union */
	struct la_identity *parts; /* the capability sets' identities, in the result's block */
	size_t n_parts;
	struct la_result_cand *cands; /* in preference order */
	size_t n_cands;
	struct la_constraints *merged;
	size_t n_merged;
	struct la_layout *layouts;
	size_t n_layouts;
	int chosen;               /* candidate index or -1 */
	struct la_path *paths;
	size_t n_paths;
	size_t *path_order;       /* indexes into paths, best first */
	size_t find_hint;         /* the path la_paths_find_hinted() found last (atomic) */
	char *diagnosis;
};

static inline const struct la_constraints *la_result_constraints(const struct la_result *res,
								size_t cand)
{
	return &res->merged[res->cands[cand].merged];
}

/* The linear layout of candidate cand, or NULL (not linear). */
static inline const struct la_layout *la_result_layout(const struct la_result *res, size_t cand)
{
	uint32_t l = res->cands[cand].layout;
	return l == LA_NO_LAYOUT ? NULL : &res->layouts[l];
}

/* paths.c */
int la_paths_list(struct la_result *res, struct la_why *why);
/* Evaluates every path for every candidate in order until one matches. */
int la_paths_choose(struct la_result *res);
void la_paths_free(struct la_result *res);
/* The request path p sees for candidate cand; devices and constraints are its storage. */
void la_result_fill_request(const struct la_result *res, size_t cand, const struct la_path *p,
			    struct la_device **devices, struct la_constraints *constraints,
			    struct la_alloc_request *req);
/* Index into res->paths of a path by name, or -ENOENT. */
int la_paths_find(const struct la_result *res, const char *name);
/* la_paths_find_hinted() when the path found last is not the one. */
int la_paths_find_miss(struct la_result *res, const char *name);
/*
 * la_paths_find(), trying the path it found last first: a caller allocates
 * on one path again and again. Inline: one strcmp, no call, per buffer.
 */
static inline int la_paths_find_hinted(struct la_result *res, const char *name)
{
	size_t hint = __atomic_load_n(&res->find_hint, __ATOMIC_RELAXED);

	if (hint < res->n_paths && strcmp(res->paths[hint].name, name) == 0)
		return (int)hint;
	return la_paths_find_miss(res, name);
}
/* why: the path's reason, whether it matched (0) or not (negative errno). */
int la_paths_eval(struct la_result *res, size_t cand, struct la_path *p, int *rank,
		  struct la_why *why);

#endif
