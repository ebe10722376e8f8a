/* SPDX-License-Identifier: MIT */
/*
 * DEVICE arguments: a device node, or a capability set saved with
 * `alloc-info caps --save` (la_capset_to_json) that stands in for a device
 * in offline mode, e.g. to debug a board's negotiation on a laptop.
 *
 * A saved set is recognised by content, not by name: a regular file whose
 * JSON has the "liballoc_capset" key. Naming by extension would misfire on
 * backends whose devices are files too (the unit tests' .testdev files).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "alloc-info.h"

/* Far above any real set (65536 candidates of a few hundred bytes each). */
#define AI_MAX_JSON (64u << 20)

static int read_file(const char *path, char **out)
{
	FILE *f = fopen(path, "re");
	char *buf = NULL;
	size_t len = 0, cap = 0;
	int ret = 0;

	if (!f)
		return -errno;
	for (;;) {
		if (len + 1 >= cap) {
			size_t ncap = cap ? cap * 2 : 65536;
			char *n = ncap <= AI_MAX_JSON ? realloc(buf, ncap) : NULL;
			if (!n) {
				ret = ncap <= AI_MAX_JSON ? -ENOMEM : -EFBIG;
				break;
			}
			buf = n;
			cap = ncap;
		}
		size_t got = fread(buf + len, 1, cap - len - 1, f);
		len += got;
		if (got == 0) {
			ret = ferror(f) ? -EIO : 0;
			break;
		}
	}
	fclose(f);
	if (ret < 0) {
		free(buf);
		return ret;
	}
	buf[len] = '\0';
	*out = buf;
	return 0;
}

/* Saved sets start with '{' and carry the schema key near the top. */
static bool looks_like_capset(const char *text)
{
	text += strspn(text, " \t\r\n");
	return text[0] == '{' && strstr(text, "\"liballoc_capset\"");
}

static int open_file(const struct ai_opts *o, const char *arg, struct ai_source *src)
{
	struct la_capset *set = NULL;
	char *text = NULL;
	int ret = read_file(arg, &text);

	if (ret < 0) {
		ai_error(o, "cannot read %s: %s", arg, strerror(-ret));
		src->err = ret;
		return -EINVAL;
	}
	if (!looks_like_capset(text)) {
		free(text);
		return -ENOENT; /* not ours: let a backend try it as a device */
	}
	ret = la_capset_from_json(text, &set);
	if (ret < 0) {
		ai_error(o, "%s is not a valid saved capability set: %s", arg,
			 la_last_diagnosis());
		src->err = ret;
		free(text);
		return -EINVAL;
	}
	la_capset_destroy(set);
	src->json = text;
	return 0;
}

int ai_source_open(const struct ai_opts *o, struct la_context *ctx, const char *arg,
		   struct ai_source *src)
{
	struct stat st;
	int ret;

	*src = (struct ai_source){.arg = arg};
	if (stat(arg, &st) == 0 && S_ISREG(st.st_mode)) {
		ret = open_file(o, arg, src);
		if (ret != -ENOENT)
			return ret;
	}
	ret = la_device_open(ctx, arg, &src->device);
	if (ret < 0) {
		ai_error(o, "cannot open device %s: %s", arg,
			 la_last_diagnosis()[0] ? la_last_diagnosis() : strerror(-ret));
		src->err = ret;
		return -ENXIO;
	}
	return 0;
}

static int file_capset(const struct ai_opts *o, struct ai_source *src, const char *usage_text,
		       struct la_capset **out)
{
	struct la_capset_info info;
	uint64_t usage;
	int ret = la_capset_from_json(src->json, out);

	if (ret < 0) {
		ai_error(o, "%s: %s", src->arg, la_last_diagnosis());
		return -EINVAL;
	}
	if (!usage_text)
		return 0;
	/* A saved set answers for the usage it was saved with, nothing else. */
	if (ai_parse_usage(o, NULL, usage_text, &usage) < 0)
		ret = -EINVAL;
	la_capset_get_info(*out, &info);
	if (ret == 0 && usage != info.usage) {
		char saved[256];
		ai_error(o, "%s holds capabilities for usage %s, not %s: save the device's "
			    "capabilities again with --usage %s", src->arg,
			 ai_usage_text(info.usage, saved, sizeof(saved)), usage_text, usage_text);
		ret = -EINVAL;
	}
	if (ret < 0) {
		la_capset_destroy(*out);
		*out = NULL;
	}
	return ret;
}

int ai_source_capset(const struct ai_opts *o, struct ai_source *src, const char *usage_text,
		     const struct la_assertion *a, struct la_capset **out, int *err)
{
	uint64_t usage;

	*out = NULL;
	*err = 0;
	if (!src->device) {
		*err = file_capset(o, src, usage_text, out);
		return *err < 0 ? AI_EXIT_USAGE : AI_EXIT_OK;
	}
	*err = -EINVAL;
	if (!usage_text) {
		ai_error(o, "%s: a usage is needed (e.g. %s:scanout)", src->arg, src->arg);
		return AI_EXIT_USAGE;
	}
	if (ai_parse_usage(o, src->device, usage_text, &usage) < 0)
		return AI_EXIT_USAGE;
	*err = la_device_get_capabilities(src->device, usage, a, out);
	if (*err < 0) {
		ai_error(o, "%s cannot serve usage %s: %s", la_device_get_label(src->device),
			 usage_text,
			 la_last_diagnosis()[0] ? la_last_diagnosis() : strerror(-*err));
		return AI_EXIT_DEVICE;
	}
	return AI_EXIT_OK;
}

void ai_source_close(struct ai_source *src)
{
	src->device = la_device_unref(src->device);
	free(src->json);
	src->json = NULL;
}
