/* SPDX-License-Identifier: MIT */
/*
 * Finding devices by what they can do, not by name or number: every node
 * liballoc's backends enumerate is asked for its capabilities for a usage,
 * and the first that can serve it is taken.
 */
#ifndef EXAMPLES_FIND_H
#define EXAMPLES_FIND_H

#include <stddef.h>
#include <stdint.h>

#include <liballoc/liballoc.h>

struct device_list {
	struct la_device **devs;
	size_t n;
};

/* la_context_enumerate() once; release with device_list_free(). */
int device_list_get(struct la_context *ctx, struct device_list *list);
void device_list_free(struct device_list *list);

/*
 * path non-NULL: opens it (and checks it serves usage). Otherwise the
 * first enumerated device that serves usage for a, skipping every device
 * with the devnum of `skip` (may be NULL). *out is a new reference.
 * -ENODEV with the reasons of the refusals in err.
 */
int find_device(struct la_context *ctx, const struct device_list *list, const char *path,
		uint64_t usage, const struct la_assertion *a, const struct la_device *skip,
		struct la_device **out, char *err, size_t len);

#endif
