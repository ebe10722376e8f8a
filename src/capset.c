/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "capindex.h"

/* Bounds every reader and builder shares, so a set can always be serialized. */
#define MAX_CANDIDATES 65536
#define MAX_STRING 255

static int dup_bounded(const char *s, char **out, struct la_why *why)
{
	size_t len = s ? strnlen(s, MAX_STRING + 1) : 0;

	if (len > MAX_STRING)
		return la_why_set(why, -EINVAL,
				  "capability set string longer than %d bytes", MAX_STRING);
	*out = strndup(s ? s : "", len);
	return *out ? 0 : -ENOMEM;
}

int la_capset_new_why(const struct la_capset_info *info, struct la_capset **out, struct la_why *why)
{
	struct la_capset *set;
	int ret;

	if (!out)
		return -EINVAL;
	*out = NULL;
	if (!info || info->import_rule > LA_IMPORT_NONE)
		return la_why_set(why, -EINVAL, "capability set: invalid identity");
	set = calloc(1, sizeof(*set));
	if (!set)
		return -ENOMEM;
	set->identity.devnum = info->devnum;
	set->identity.usage = info->usage;
	set->identity.import_rule = info->import_rule;
	if ((ret = dup_bounded(info->label, &set->identity.label, why)) < 0 ||
	    (ret = dup_bounded(info->driver, &set->identity.driver, why)) < 0 ||
	    (ret = dup_bounded(info->backend, &set->backend, why)) < 0 ||
	    (ret = dup_bounded(info->import_reason, &set->identity.import_reason, why)) < 0 ||
	    (ret = dup_bounded("", &set->identity.layout_domain, why)) < 0) {
		la_capset_destroy(set);
		return ret;
	}
	*out = set;
	return 0;
}

LA_EXPORT int la_capset_new(const struct la_capset_info *info, struct la_capset **out)
{
	struct la_why why = {0};

	return la_publish(&why, la_capset_new_why(info, out, &why));
}

int la_capset_new_for_device(struct la_device *dev, uint64_t usage, struct la_capset **out,
			     struct la_why *why)
{
	struct la_capset_info info = {
		.label = dev->label,
		.driver = dev->driver,
		.backend = dev->backend->name,
		.devnum = dev->devnum,
		.usage = usage,
		.import_rule = LA_IMPORT_ANY,
	};
	int ret = la_capset_new_why(&info, out, why);

	if (ret == 0)
		(*out)->identity.device = la_device_ref(dev);
	if (ret == 0 && dev->layout_domain[0] &&
	    la_capset_set_layout_domain(*out, dev->layout_domain) < 0) {
		la_capset_destroy(*out);
		*out = NULL;
		ret = -ENOMEM;
	}
	return ret;
}

void la_identity_fini(struct la_identity *id)
{
	la_device_unref(id->device);
	free(id->label);
	free(id->driver);
	free(id->import_reason);
	free(id->layout_domain);
	*id = (struct la_identity){0};
}

LA_EXPORT void la_capset_destroy(struct la_capset *set)
{
	if (!set)
		return;
	la_identity_fini(&set->identity);
	free(set->backend);
	free(set->cands);
	la_capset_index_free(set->index);
	free(set);
}

static int check_candidate(const struct la_candidate *c, struct la_why *why)
{
	const struct la_constraints *k = &c->constraints;

	if (c->plane_count > LA_MAX_PLANES)
		return la_why_set(why, -EINVAL,
				  "candidate plane_count %u > %d", c->plane_count, LA_MAX_PLANES);
	if (k->dma_addr_bits > 64)
		return la_why_set(why, -EINVAL,
				  "candidate dma_addr_bits %u > 64", k->dma_addr_bits);
	if (k->caching & ~(uint32_t)LA_CACHING_ANY)
		return la_why_set(why, -EINVAL,
				  "candidate caching mask 0x%x has unknown bits", k->caching);
	return 0;
}

int la_capset_add_candidate_why(struct la_capset *set, const struct la_candidate *cand,
				struct la_why *why)
{
	int ret;

	if (!set || !cand)
		return -EINVAL;
	ret = check_candidate(cand, why);
	if (ret < 0)
		return ret;
	if (set->n_cands == set->cap_cands) {
		size_t cap = set->cap_cands ? set->cap_cands * 2 : 16;
		struct la_candidate *c;
		if (set->n_cands >= MAX_CANDIDATES)
			return la_why_set(why, -E2BIG,
					  "%s: more than %d candidates", set->identity.label, MAX_CANDIDATES);
		c = realloc(set->cands, cap * sizeof(*c));
		if (!c)
			return -ENOMEM;
		set->cands = c;
		set->cap_cands = cap;
	}
	set->cands[set->n_cands++] = *cand;
	la_capset_index_reset(set);
	/* kept with the identity: a failed allocation names who wanted contiguity */
	set->identity.n_cands++;
	if (cand->constraints.flags & LA_CONSTRAINT_CONTIGUOUS)
		set->identity.n_contig_cands++;
	return 0;
}

LA_EXPORT int la_capset_add_candidate(struct la_capset *set, const struct la_candidate *cand)
{
	struct la_why why = {0};

	return la_publish(&why, la_capset_add_candidate_why(set, cand, &why));
}

LA_EXPORT int la_capset_set_import_rule(struct la_capset *set, enum la_import_rule rule,
					const char *reason)
{
	char *r;
	int ret;

	if (!set || rule > LA_IMPORT_NONE)
		return -EINVAL;
	struct la_why why = {0};
	ret = dup_bounded(reason, &r, &why);
	if (ret < 0)
		return la_publish(&why, ret);
	free(set->identity.import_reason);
	set->identity.import_reason = r;
	set->identity.import_rule = rule;
	return 0;
}

LA_EXPORT size_t la_capset_get_candidate_count(const struct la_capset *set)
{
	return set ? set->n_cands : 0;
}

LA_EXPORT int la_capset_get_candidate(const struct la_capset *set, size_t index,
				      struct la_candidate *out)
{
	if (!set || !out || index >= set->n_cands)
		return -EINVAL;
	*out = set->cands[index];
	return 0;
}

LA_EXPORT void la_capset_get_info(const struct la_capset *set, struct la_capset_info *info)
{
	if (!set || !info)
		return;
	*info = (struct la_capset_info){
		.label = set->identity.label,
		.driver = set->identity.driver,
		.backend = set->backend,
		.devnum = set->identity.devnum,
		.usage = set->identity.usage,
		.import_rule = set->identity.import_rule,
		.import_reason = set->identity.import_reason,
	};
}

LA_EXPORT struct la_device *la_capset_get_device(const struct la_capset *set)
{
	return set ? set->identity.device : NULL;
}

int la_capset_query(struct la_device *dev, uint64_t usage, const struct la_assertion *assertion,
		    struct la_capset **out, struct la_why *why)
{
	struct la_backend *be;
	struct la_capset *set;
	int ret;

	*out = NULL;
	if (!dev || !assertion || !usage)
		return la_why_set(why, -EINVAL,
				  "capabilities: device, usage and assertion are required");
	if (assertion->version != 0)
		return la_why_set(why, -EINVAL, "capabilities: assertion version %u unknown (this "
				  "liballoc knows 0)", assertion->version);
	be = dev->backend;
	if (!be->iface->get_capabilities)
		return la_why_set(why, -ENOTSUP, "%s: backend '%s' reports no capabilities",
				  dev->label, be->name);
	ret = la_capset_new_for_device(dev, usage, &set, why);
	if (ret < 0)
		return ret;
	la_why_clear(why);
	la_backend_lock(be);
	ret = be->iface->get_capabilities(be->data, dev->data, usage, assertion, set, why);
	la_backend_unlock(be);
	if (ret < 0) {
		if (!why->text[0])
			la_why_set(why, ret, "%s: capabilities query failed", dev->label);
		la_capset_destroy(set);
		return ret;
	}
	la_dbg(dev->ctx, "%s: %zu candidate(s) for usage 0x%llx, imports %s", dev->label,
	       set->n_cands, (unsigned long long)usage, la_import_rule_name(set->identity.import_rule));
	*out = set;
	return 0;
}

LA_EXPORT int la_device_get_capabilities(struct la_device *dev, uint64_t usage,
					 const struct la_assertion *assertion,
					 struct la_capset **out)
{
	struct la_why why = {0};

	if (!out)
		return -EINVAL;
	*out = NULL;
	la_diag_clear();
	return la_publish(&why, la_capset_query(dev, usage, assertion, out, &why));
}
