/* SPDX-License-Identifier: MIT */
/*
 * Guest programs that link liballoc: a context that shows liballoc's
 * warnings, and the paths of a negotiation result, through the public API
 * only.
 */
#ifndef LIBALLOC_TESTS_RESULT_H
#define LIBALLOC_TESTS_RESULT_H

#include <liballoc/liballoc.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A new context whose warnings and errors are printed ("liballoc: ...");
 * exits the program if it cannot be made. */
struct la_context *vm_context(void);

/* A capability set made by hand from info and n candidates; exits the
 * program (naming info->label) if liballoc refuses it. */
struct la_capset *vm_capset(const struct la_capset_info *info, const struct la_candidate *cands,
			    size_t n);
/* la_negotiate_capsets of sets for one format at w x h. */
int vm_negotiate_sets(struct la_context *ctx, uint32_t format, uint32_t w, uint32_t h,
		      struct la_capset **sets, size_t n, struct la_result **res);

/* Name of the best path of res if it matched, else "" (res may be NULL). */
const char *vm_best_path(const struct la_result *res);
/* The path called name into *out; false if res offers none such. */
bool vm_find_path(const struct la_result *res, const char *name, struct la_path_info *out);
/* One note a path: name, backend, matched or refused, rank, caching,
 * contiguity and the reason. */
void vm_print_paths(const struct la_result *res);

#endif
