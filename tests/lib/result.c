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
