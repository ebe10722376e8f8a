/* SPDX-License-Identifier: MIT */
#include "result.h"

#include <stdio.h>
#include <string.h>

#include "vmtest.h"

static void log_to_stdout(void *data, enum la_log_level level, const char *msg)
{
	(void)data;
	if (level <= LA_LOG_WARN)
		printf("liballoc: %s\n", msg);
}

struct la_context *vm_context(void)
{
	struct la_context *ctx;
	int ret = la_context_new(&ctx);

	if (ret < 0)
		vm_fatal("la_context_new: %s (%s)", strerror(-ret), la_last_diagnosis());
	la_context_set_log_handler(ctx, log_to_stdout, NULL);
	return ctx;
}

struct la_capset *vm_capset(const struct la_capset_info *info, const struct la_candidate *cands,
			    size_t n)
{
	struct la_capset *set = NULL;

	if (la_capset_new(info, &set) < 0)
		vm_fatal("capability set %s: %s", info->label, la_last_diagnosis());
	for (size_t i = 0; i < n; i++)
		if (la_capset_add_candidate(set, &cands[i]) < 0)
			vm_fatal("capability set %s, candidate %zu: %s", info->label, i,
				 la_last_diagnosis());
	return set;
}

int vm_negotiate_sets(struct la_context *ctx, uint32_t format, uint32_t w, uint32_t h,
		      struct la_capset **sets, size_t n, struct la_result **res)
{
	struct la_assertion a = {.width = w, .height = h, .formats = &format, .n_formats = 1};

	return la_negotiate_capsets(ctx, &a, sets, n, res);
}

const char *vm_best_path(const struct la_result *res)
{
	struct la_path_info p;

	if (!res || la_result_get_path(res, 0, &p) < 0 || !p.matched)
		return "";
	return p.name;
}

bool vm_find_path(const struct la_result *res, const char *name, struct la_path_info *out)
{
	for (size_t i = 0; res && i < la_result_get_path_count(res); i++)
		if (la_result_get_path(res, i, out) == 0 && strcmp(out->name, name) == 0)
			return true;
	return false;
}

static const char *caching_name(uint32_t c)
{
	return c == LA_CACHING_CACHED ? "cached" : c == LA_CACHING_WRITECOMBINE ? "write-comb."
		: c == LA_CACHING_UNCACHED ? "uncached" : "?";
}

void vm_print_paths(const struct la_result *res)
{
	for (size_t i = 0; res && i < la_result_get_path_count(res); i++) {
		struct la_path_info p;

		if (la_result_get_path(res, i, &p) == 0)
			vm_note("  path %-28s (%s) %s rank %4d %-11s %s: %s", p.name, p.backend,
				p.matched ? "matched" : "refused", p.rank, caching_name(p.caching),
				p.contiguous ? "contig " : "scatter", p.reason);
	}
}
