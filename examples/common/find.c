/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "find.h"

int device_list_get(struct la_context *ctx, struct device_list *list)
{
	list->devs = NULL;
	list->n = 0;
	return la_context_enumerate(ctx, &list->devs, &list->n);
}

void device_list_free(struct device_list *list)
{
	la_device_list_free(list->devs, list->n);
	list->devs = NULL;
	list->n = 0;
}

static int serves(struct la_device *dev, uint64_t usage, const struct la_assertion *a)
{
	struct la_capset *set = NULL;
	int ret = la_device_get_capabilities(dev, usage, a, &set);

	if (ret == 0 && la_capset_get_candidate_count(set) == 0)
		ret = -ENOENT;
	la_capset_destroy(set);
	return ret;
}

int find_device(struct la_context *ctx, const struct device_list *list, const char *path,
		uint64_t usage, const struct la_assertion *a, const struct la_device *skip,
		struct la_device **out, char *err, size_t len)
{
	size_t used = 0;
	int ret;

	*out = NULL;
	if (path) {
		struct la_device *dev = NULL;
		struct stat st;
		/*
		 * A node the enumeration already opened is taken from the list:
		 * opening a display twice leaves the second file without DRM
		 * master (the first opener holds it), and commits then fail.
		 */
		if (stat(path, &st) == 0 && S_ISCHR(st.st_mode))
			for (size_t i = 0; i < list->n && !dev; i++)
				if (la_device_get_devnum(list->devs[i]) == st.st_rdev)
					dev = la_device_ref(list->devs[i]);
		ret = dev ? 0 : la_device_open(ctx, path, &dev);
		if (ret == 0 && (ret = serves(dev, usage, a)) < 0)
			dev = la_device_unref(dev);
		if (ret < 0) {
			snprintf(err, len, "%s: %s", path, la_last_diagnosis());
			return ret;
		}
		*out = dev;
		return 0;
	}
	err[0] = '\0';
	for (size_t i = 0; i < list->n; i++) {
		struct la_device *dev = list->devs[i];
		if (skip && la_device_get_devnum(dev) == la_device_get_devnum(skip))
			continue;
		ret = serves(dev, usage, a);
		if (ret == 0) {
			*out = la_device_ref(dev);
			return 0;
		}
		if (used + 1 < len) {
			int w = snprintf(err + used, len - used, "%s%s", used ? "; " : "",
					 la_last_diagnosis());
			used = w < 0 ? used : used + (size_t)w;
		}
	}
	if (!err[0])
		snprintf(err, len, "no device listed by the backends (%zu nodes)", list->n);
	return -ENODEV;
}
