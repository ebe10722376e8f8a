/* SPDX-License-Identifier: MIT */
/*
 * N-device negotiation: inputs, participants and the diagnosis of a
 * failure. The intersection itself is join.c, on indexes each capability
 * set keeps (capindex.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "join.h"

/* ---- diagnosis ---- */

static void fmt_name(uint32_t f, char *buf, size_t len)
{
	la_format_name(f, buf, len);
}

static void offered_formats(struct la_strbuf *sb, const struct la_capset *set)
{
	uint32_t seen[8];
	size_t n = 0;
	bool more = false;

	for (size_t i = 0; i < set->n_cands; i++) {
		uint32_t f = set->cands[i].format;
		bool dup = false;
		for (size_t j = 0; j < n; j++)
			dup |= seen[j] == f;
		if (dup)
			continue;
		if (n == LA_ARRAY_SIZE(seen)) {
			more = true;
			break;
		}
		seen[n++] = f;
	}
	if (n == 0) {
		la_strbuf_printf(sb, "nothing for this size and usage");
		return;
	}
	la_strbuf_printf(sb, "%s", n == 1 ? "only " : "");
	for (size_t j = 0; j < n; j++) {
		char name[32];
		fmt_name(seen[j], name, sizeof(name));
		la_strbuf_printf(sb, "%s%s", j ? ", " : "", name);
	}
	if (more)
		la_strbuf_printf(sb, ", ...");
}

static const char *usage_text(uint64_t usage, char *buf, size_t len)
{
	size_t off = 0;
	buf[0] = '\0';
	for (int b = 0; b < 64 && off < len; b++) {
		uint64_t bit = UINT64_C(1) << b;
		if (!(usage & bit))
			continue;
		const char *n = la_usage_name(bit);
		int w = n ? snprintf(buf + off, len - off, "%s%s", off ? "+" : "", n)
			  : snprintf(buf + off, len - off, "%sbackend-usage-%d", off ? "+" : "", b);
		if (w < 0)
			break;
		off += (size_t)w;
	}
	return buf;
}

/* Why format f did not survive: the first device that lacks it, or the recorded conflict. */
static void explain_format(struct la_strbuf *sb, struct la_capset *const *sets,
			   const struct la_capset_index *const *idx, size_t n, uint32_t f,
			   const char *conflict)
{
	char name[32], usage[128];

	fmt_name(f, name, sizeof(name));
	for (size_t i = 0; i < n; i++) {
		if (la_cap_group_of(idx[i], f))
			continue;
		la_strbuf_printf(sb, "%s: %s %s offers ", name, sets[i]->identity.label,
				 usage_text(sets[i]->identity.usage, usage, sizeof(usage)));
		offered_formats(sb, sets[i]);
		return;
	}
	if (conflict)
		la_strbuf_printf(sb, "%s: %s", name, conflict);
	else
		la_strbuf_printf(sb, "%s: the devices share no modifier for it", name);
}

/* Failure path only, at most 8 formats asked. */
static const char *conflict_for(const struct la_conflicts *conf, uint32_t f)
{
	for (size_t i = 0; i < conf->n; i++)
		if (conf->c[i].format == f)
			return conf->c[i].text;
	return NULL;
}

static int build_diagnosis(struct la_result *res, const struct la_assertion *a,
			   struct la_capset *const *sets, const struct la_capset_index *const *idx,
			   size_t n, const struct la_conflicts *conf)
{
	struct la_strbuf sb = {0};
	size_t shown = 0;

	la_strbuf_printf(&sb, "no buffer format every device accepts at %ux%u: ", a->width,
			 a->height);
	if (a->n_formats) {
		for (size_t i = 0; i < a->n_formats && shown < 8; i++, shown++) {
			la_strbuf_printf(&sb, "%s", shown ? "; " : "");
			explain_format(&sb, sets, idx, n, a->formats[i],
				       conflict_for(conf, a->formats[i]));
		}
	} else {
		for (size_t i = 0; i < n; i++) {
			char usage[128];
			la_strbuf_printf(&sb, "%s%s %s offers ", i ? "; " : "", sets[i]->identity.label,
					 usage_text(sets[i]->identity.usage, usage, sizeof(usage)));
			offered_formats(&sb, sets[i]);
		}
		for (size_t i = 0; i < conf->n; i++) {
			char name[32];
			fmt_name(conf->c[i].format, name, sizeof(name));
			la_strbuf_printf(&sb, "; %s: %s", name, conf->c[i].text);
		}
	}
	if (a->modifiers)
		la_strbuf_printf(&sb, " (with the caller's %zu modifier(s) only)", a->n_modifiers);
	res->diagnosis = la_strbuf_steal(&sb);
	return res->diagnosis ? 0 : -ENOMEM;
}

/* ---- participants and the result object ---- */

static const char *or_empty(const char *s)
{
	return s ? s : "";
}

static size_t identity_chars(const struct la_identity *id)
{
	return strlen(id->label) + strlen(id->driver) + strlen(or_empty(id->import_reason)) +
	       strlen(or_empty(id->layout_domain)) + 4;
}

static char *put(char **at, const char *s)
{
	char *start = *at;

	*at = stpcpy(start, s) + 1;
	return start;
}

/*
 * The result with its participants' identities behind it, their strings
 * too: a negotiation is often repeated, and one block is one allocation.
 */
static struct la_result *result_new(struct la_capset *const *sets, size_t n)
{
	size_t chars = 0;
	struct la_result *res;
	char *at;

	for (size_t i = 0; i < n; i++)
		chars += identity_chars(&sets[i]->identity);
	res = calloc(1, sizeof(*res) + n * sizeof(*res->parts) + chars);
	if (!res)
		return NULL;
	res->parts = (struct la_identity *)(res + 1);
	res->n_parts = n;
	at = (char *)(res->parts + n);
	for (size_t i = 0; i < n; i++) {
		const struct la_identity *src = &sets[i]->identity;
		res->parts[i] = (struct la_identity){
			.device = la_device_ref(src->device),
			.label = put(&at, src->label),
			.driver = put(&at, src->driver),
			.import_reason = put(&at, or_empty(src->import_reason)),
			.layout_domain = put(&at, or_empty(src->layout_domain)),
			.devnum = src->devnum,
			.usage = src->usage,
			.import_rule = src->import_rule,
			.n_cands = src->n_cands,
			.n_contig_cands = src->n_contig_cands,
		};
		res->usage |= src->usage & LA_USAGE_CORE_MASK;
	}
	return res;
}

static int check_inputs(const struct la_assertion *a, struct la_capset *const *sets, size_t n,
			struct la_why *why)
{
	if (!a || !sets || n == 0)
		return la_why_set(why, -EINVAL,
				  "negotiate: assertion and at least one device are required");
	if (n > LA_MAX_DEVICES)
		return la_why_set(why, -E2BIG,
				  "negotiate: %zu devices, at most %d", n, LA_MAX_DEVICES);
	if (a->version != 0)
		return la_why_set(why, -EINVAL, "negotiate: assertion version %u unknown (this "
				  "liballoc knows 0)", a->version);
	if (a->width == 0 || a->height == 0)
		return la_why_set(why, -EINVAL,
				  "negotiate: width and height must be non-zero (got %ux%u)", a->width,
			a->height);
	if ((a->n_formats && !a->formats) || (a->n_modifiers && !a->modifiers))
		return la_why_set(why, -EINVAL,
				  "negotiate: format or modifier count without an array");
	for (size_t i = 0; i < n; i++) {
		if (!sets[i])
			return la_why_set(why, -EINVAL, "negotiate: capability set %zu is NULL", i);
	}
	return 0;
}

static int find_candidates(struct la_result *res, const struct la_assertion *a,
			   struct la_capset *const *sets, size_t n)
{
	const struct la_capset_index *idx[LA_MAX_DEVICES];
	struct la_conflicts conf = {0};
	int ret = 0;

	for (size_t i = 0; i < n && ret == 0; i++)
		ret = la_capset_index_get(sets[i], &idx[i]);
	if (ret == 0)
		ret = la_join(res, a, sets, idx, n, &conf);
	if (ret == 0 && res->n_cands == 0) {
		ret = build_diagnosis(res, a, sets, idx, n, &conf);
		if (ret == 0)
			ret = -ENOENT;
	}
	la_conflicts_fini(&conf);
	return ret;
}

static int negotiate_capsets(struct la_context *ctx, const struct la_assertion *assertion,
			     struct la_capset *const *sets, size_t n, struct la_result **out,
			     struct la_why *why)
{
	struct la_result *res;
	int ret = check_inputs(assertion, sets, n, why);

	if (ret < 0)
		return ret;
	res = result_new(sets, n);
	if (!res)
		return -ENOMEM;
	res->ctx = ctx;
	res->chosen = -1;
	res->width = assertion->width;
	res->height = assertion->height;
	res->buffer_count = assertion->buffer_count ? assertion->buffer_count : 1;
	ret = find_candidates(res, assertion, sets, n);
	if (ret == 0)
		ret = la_paths_list(res, why);
	if (ret == 0)
		ret = la_paths_choose(res);
	if (ret == -ENOENT || ret == -ENODEV) {
		la_why_set(why, ret, "%s", res->diagnosis ? res->diagnosis : "negotiation failed");
		la_dbg(ctx, "negotiation failed: %s", why->text);
		*out = res;
		return ret;
	}
	if (ret < 0) {
		la_result_destroy(res);
		return ret;
	}
	if (!res->diagnosis && !(res->diagnosis = strdup(""))) {
		la_result_destroy(res);
		return -ENOMEM;
	}
	*out = res;
	return 0;
}

LA_EXPORT int la_negotiate_capsets(struct la_context *ctx, const struct la_assertion *assertion,
				   struct la_capset *const *sets, size_t n, struct la_result **out)
{
	struct la_why why = {0};

	if (!out)
		return -EINVAL;
	*out = NULL;
	if (!ctx)
		return -EINVAL;
	la_diag_clear();
	return la_publish(&why, negotiate_capsets(ctx, assertion, sets, n, out, &why));
}

LA_EXPORT int la_negotiate(struct la_context *ctx, const struct la_assertion *assertion,
			   const struct la_request *requests, size_t n, struct la_result **out)
{
	struct la_capset *sets[LA_MAX_DEVICES] = {0};
	struct la_why why = {0};
	int ret = 0;

	if (!out)
		return -EINVAL;
	*out = NULL;
	if (!ctx || !assertion || !requests || n == 0 || n > LA_MAX_DEVICES) {
		la_diag("negotiate: need 1..%d (device, usage) requests and an assertion",
			LA_MAX_DEVICES);
		return n > LA_MAX_DEVICES ? -E2BIG : -EINVAL;
	}
	for (size_t i = 0; i < n && ret == 0; i++) {
		ret = la_capset_query(requests[i].device, requests[i].usage, assertion, &sets[i],
				      &why);
		if (ret < 0 && requests[i].device) {
			if (!why.text[0])
				la_why_set(&why, ret, "capabilities: %s", strerror(-ret));
			la_why_prefix(&why, "%s", la_device_get_label(requests[i].device));
		}
	}
	if (ret == 0) {
		la_diag_clear();
		ret = negotiate_capsets(ctx, assertion, sets, n, out, &why);
	}
	for (size_t i = 0; i < n; i++)
		la_capset_destroy(sets[i]);
	return la_publish(&why, ret);
}
