/* SPDX-License-Identifier: MIT */
/*
 * alloc-info caps DEVICE: one device's capability set for a usage, as the
 * backend read it from the kernel; --save keeps it (la_capset_to_json) so
 * that `negotiate` can use it later without the device.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "alloc-info.h"

static int save_set(struct ai_opts *o, const char *json)
{
	FILE *f = fopen(o->save, "we");

	if (!f || fputs(json, f) < 0 || fputc('\n', f) < 0 || fclose(f) != 0) {
		o->err = -errno;
		ai_error(o, "cannot write %s: %s", o->save, strerror(errno));
		if (f)
			fclose(f);
		return -errno;
	}
	return 0;
}

static void print_text(const struct ai_opts *o, const struct ai_source *src,
		       const struct la_capset *set)
{
	struct la_capset_info info;
	size_t n = la_capset_get_candidate_count(set);

	la_capset_get_info(set, &info);
	ai_print_device_info(stdout, "", "", &info);
	if (src->device)
		printf("  source: device %s, asked for %ux%u\n", src->arg, o->width, o->height);
	else
		printf("  source: saved capability set %s (offline)\n", src->arg);
	printf("candidates (%zu, the device's order of preference):\n", n);
	for (size_t i = 0; i < n; i++) {
		struct la_candidate c;
		char indent[32];
		if (la_capset_get_candidate(set, i, &c) < 0)
			continue;
		snprintf(indent, sizeof(indent), "%4zu. ", i + 1);
		ai_print_candidate(stdout, indent, &c);
	}
	if (o->save)
		printf("saved to %s\n", o->save);
}

static json_object *size_obj(const struct ai_opts *o)
{
	json_object *size = json_object_new_object();

	if (ai_json_add(size, "width", json_object_new_int64(o->width)) < 0 ||
	    ai_json_add(size, "height", json_object_new_int64(o->height)) < 0) {
		json_object_put(size);
		return NULL;
	}
	return size;
}

static int print_json(struct ai_opts *o, const struct ai_source *src, const char *set_json)
{
	json_object *doc = ai_json_doc("caps"), *source = json_object_new_object();
	int ret = ai_json_add_null(doc, "error");

	ret = ret ? ret : ai_json_add(source, "kind", ai_json_str(src->device ? "device" : "file"));
	ret = ret ? ret : ai_json_add(source, "argument", ai_json_str(src->arg));
	ret = ret ? ret : ai_json_add(doc, "source", json_object_get(source));
	json_object_put(source);
	if (ret == 0)
		ret = src->device ? ai_json_add(doc, "size", size_obj(o))
				  : ai_json_add_null(doc, "size");
	if (ret == 0)
		ret = o->save ? ai_json_add(doc, "saved", ai_json_str(o->save))
			      : ai_json_add_null(doc, "saved");
	/* The set exactly as la_capset_to_json() wrote it: the capset schema. */
	ret = ret ? ret : ai_json_add(doc, "capset", json_tokener_parse(set_json));
	if (ret < 0) {
		json_object_put(doc);
		return ret;
	}
	return ai_json_print(o, doc);
}

static int check_args(struct ai_opts *o, const struct ai_source *src)
{
	if (src->device && !o->usage) {
		ai_error(o, "%s is a device: --usage is needed (e.g. --usage scanout)", src->arg);
		return -EINVAL;
	}
	if (src->device && !o->width) {
		ai_error(o, "%s is a device: --size is needed (e.g. --size 1280x720)", src->arg);
		return -EINVAL;
	}
	if (!src->device && (o->n_formats || o->n_modifiers || o->width))
		fprintf(stderr, "%s: note: %s is a saved capability set, shown as saved "
				"(--size, --format and --modifier apply to live devices)\n",
			o->prog, src->arg);
	return 0;
}

int ai_cmd_caps(int argc, char **argv, struct ai_opts *o)
{
	struct la_context *ctx = NULL;
	struct la_capset *set = NULL;
	struct ai_source src = {0};
	struct la_assertion a;
	char *json = NULL;
	int first, ret, status = AI_EXIT_USAGE;

	ret = ai_parse_options(argc, argv, "jsfmuo", o, &first);
	if (ret)
		return ret > 0 ? AI_EXIT_OK : AI_EXIT_USAGE;
	if (argc - first != 1) {
		ai_error(o, "expected one DEVICE (a device node or a saved capability set), "
			    "got %d (see --help)", argc - first);
		return AI_EXIT_USAGE;
	}
	if ((ret = la_context_new(&ctx)) < 0) {
		o->err = ret;
		ai_error(o, "cannot create a liballoc context: %s", strerror(-ret));
		return AI_EXIT_DEVICE;
	}
	ret = ai_source_open(o, ctx, argv[first], &src);
	if (ret < 0) {
		o->err = src.err;
		status = ret == -EINVAL ? AI_EXIT_USAGE : AI_EXIT_DEVICE;
		goto out;
	}
	if (check_args(o, &src) < 0)
		goto out;
	ai_assertion(o, &a);
	status = ai_source_capset(o, &src, o->usage, &a, &set, &o->err);
	if (status != AI_EXIT_OK)
		goto out;
	if ((ret = la_capset_to_json(set, &json)) < 0) {
		o->err = ret;
		ai_error(o, "cannot write the set as JSON: %s", la_last_diagnosis());
		status = AI_EXIT_DEVICE;
		goto out;
	}
	if (o->save && save_set(o, json) < 0) {
		status = AI_EXIT_USAGE;
		goto out;
	}
	if (o->json)
		ret = print_json(o, &src, json);
	else
		print_text(o, &src, set);
	status = ret < 0 ? AI_EXIT_DEVICE : AI_EXIT_OK;
out:
	free(json);
	la_capset_destroy(set);
	ai_source_close(&src);
	la_context_destroy(ctx);
	return status;
}
