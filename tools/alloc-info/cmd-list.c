/* SPDX-License-Identifier: MIT */
/*
 * alloc-info list: every device the backends find, the usages each serves,
 * its import rule, and the allocation paths with ranks.
 *
 * Import rules and paths only exist for a (device, usage) pair, so each
 * device gets a "main usage": --usage if given, else the first it serves of
 * scanout, capture, decode, encode, render, sample, overlay, cursor, cpu-*
 * (what the device is for, before what it merely tolerates). The paths are
 * those of a negotiation of that device alone at --size with any format: the
 * paths a pipeline with this device would start from. A heap (a memory
 * provider, no usage) shows up as a path in the other devices' lists.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>

#include "alloc-info.h"

static const uint64_t main_order[] = {
	LA_USAGE_SCANOUT, LA_USAGE_CAPTURE,   LA_USAGE_DECODE,   LA_USAGE_ENCODE,
	LA_USAGE_RENDER,  LA_USAGE_SAMPLE,    LA_USAGE_OVERLAY,  LA_USAGE_CURSOR,
	LA_USAGE_CPU_WRITE, LA_USAGE_CPU_READ, LA_USAGE_CPU_READ_OFTEN, LA_USAGE_PROTECTED,
};
#define N_CORE (sizeof(main_order) / sizeof(main_order[0]))

struct report {
	struct la_device *dev;
	uint64_t usages;       /* core usages get_capabilities accepts */
	uint64_t main_usage;   /* 0: none */
	struct la_capset *set; /* for main_usage */
	struct la_result *res; /* the device alone */
	int neg_err;
	char error[1024];      /* why main_usage has no set or negotiation */
};

static void probe_usages(struct report *r, const struct la_assertion *a)
{
	for (size_t i = 0; i < N_CORE; i++) {
		struct la_capset *set = NULL;
		if (la_device_get_capabilities(r->dev, main_order[i], a, &set) == 0)
			r->usages |= main_order[i];
		la_capset_destroy(set);
	}
	for (size_t i = 0; i < N_CORE && !r->main_usage; i++)
		if (r->usages & main_order[i])
			r->main_usage = main_order[i];
}

static void examine(struct ai_opts *o, struct la_context *ctx, struct report *r,
		    const struct la_assertion *a)
{
	int ret;

	probe_usages(r, a);
	if (o->usage) {
		if (ai_parse_usage(o, r->dev, o->usage, &r->main_usage) < 0) {
			snprintf(r->error, sizeof(r->error), "%s", ai_last_error());
			r->main_usage = 0;
			return;
		}
	}
	if (!r->main_usage) {
		snprintf(r->error, sizeof(r->error),
			 "serves no usage: a memory provider (its paths appear in the other "
			 "devices' lists) or a node the backend only knows by name");
		return;
	}
	ret = la_device_get_capabilities(r->dev, r->main_usage, a, &r->set);
	if (ret < 0) {
		snprintf(r->error, sizeof(r->error), "capabilities: %s", la_last_diagnosis());
		return;
	}
	r->neg_err = la_negotiate_capsets(ctx, a, &r->set, 1, &r->res);
	if (!r->res)
		snprintf(r->error, sizeof(r->error), "negotiation alone: %s", la_last_diagnosis());
}

static void print_formats(const struct la_capset *set)
{
	size_t n = la_capset_get_candidate_count(set), shown = 0;
	uint32_t seen[AI_MAX_FORMATS];

	printf("    formats:");
	for (size_t i = 0; i < n; i++) {
		struct la_candidate c;
		char name[32];
		bool dup = false;
		if (la_capset_get_candidate(set, i, &c) < 0)
			continue;
		for (size_t j = 0; j < shown; j++)
			dup |= seen[j] == c.format;
		if (dup || shown == AI_MAX_FORMATS)
			continue;
		seen[shown++] = c.format;
		printf("%s%s", shown > 1 ? ", " : " ", la_format_name(c.format, name, sizeof(name)));
	}
	printf("%s (%zu candidate(s))\n", shown ? "" : " none", n);
}

static void print_report(const struct ai_opts *o, const struct report *r)
{
	char usage[256], main_u[256];

	printf("%s\n", la_device_get_label(r->dev));
	printf("    backend %s, driver %s, path %s, devnum %u:%u\n", la_device_get_backend(r->dev),
	       la_device_get_driver(r->dev), la_device_get_node(r->dev),
	       major(la_device_get_devnum(r->dev)), minor(la_device_get_devnum(r->dev)));
	printf("    usages: %s\n", ai_usage_text(r->usages, usage, sizeof(usage)));
	if (r->set) {
		struct la_capset_info info;
		la_capset_get_info(r->set, &info);
		printf("    main usage %s: import rule %s%s%s%s\n",
		       ai_usage_text(r->main_usage, main_u, sizeof(main_u)),
		       la_import_rule_name(info.import_rule),
		       info.import_reason && info.import_reason[0] ? " (" : "",
		       info.import_reason ? info.import_reason : "",
		       info.import_reason && info.import_reason[0] ? ")" : "");
		print_formats(r->set);
	}
	if (r->res) {
		int chosen = la_result_get_chosen_candidate(r->res);
		struct la_candidate c;
		printf("    paths for %s alone at %ux%u", main_u, o->width, o->height);
		if (chosen >= 0 && la_result_get_candidate(r->res, (size_t)chosen, &c) == 0) {
			char f[32], m[32];
			printf(" (%s %s)", la_format_name(c.format, f, sizeof(f)),
			       la_modifier_name(c.modifier, m, sizeof(m)));
		}
		printf(":\n");
		ai_print_paths(stdout, "      ", r->res);
		if (r->neg_err)
			printf("    diagnosis: %s\n", la_result_get_diagnosis(r->res));
	}
	if (r->error[0])
		printf("    %s\n", r->error);
}

static json_object *formats_json(const struct la_capset *set)
{
	json_object *arr = json_object_new_array();
	uint32_t seen[AI_MAX_FORMATS];
	size_t shown = 0;
	int ret = 0;

	for (size_t i = 0; ret == 0 && i < la_capset_get_candidate_count(set); i++) {
		struct la_candidate c;
		char name[32];
		bool dup = false;
		if (la_capset_get_candidate(set, i, &c) < 0)
			continue;
		for (size_t j = 0; j < shown; j++)
			dup |= seen[j] == c.format;
		if (dup || shown == AI_MAX_FORMATS)
			continue;
		seen[shown++] = c.format;
		ret = ai_json_push(arr, ai_json_str(la_format_name(c.format, name, sizeof(name))));
	}
	if (ret < 0) {
		json_object_put(arr);
		return NULL;
	}
	return arr;
}

static json_object *negotiation_json(const struct report *r)
{
	json_object *n = json_object_new_object();
	int chosen = r->neg_err == 0 ? la_result_get_chosen_candidate(r->res) : -1;
	struct la_candidate c;
	int ret = ai_json_add(n, "exit_code", json_object_new_int(ai_exit_for(r->neg_err)));

	if (ret == 0 && chosen >= 0 && la_result_get_candidate(r->res, (size_t)chosen, &c) == 0)
		ret = ai_json_add(n, "chosen", ai_json_candidate(&c));
	else if (ret == 0)
		ret = ai_json_add_null(n, "chosen");
	ret = ret ? ret : ai_json_add(n, "paths", ai_json_paths(r->res));
	ret = ret ? ret : ai_json_add(n, "diagnosis", ai_json_str(la_result_get_diagnosis(r->res)));
	if (ret < 0) {
		json_object_put(n);
		return NULL;
	}
	return n;
}

static json_object *report_json(const struct report *r)
{
	json_object *d = json_object_new_object();
	char devnum[32];
	struct la_capset_info info = {0};
	int ret;

	if (r->set)
		la_capset_get_info(r->set, &info);
	snprintf(devnum, sizeof(devnum), "%u:%u", major(la_device_get_devnum(r->dev)),
		 minor(la_device_get_devnum(r->dev)));
	ret = ai_json_add(d, "label", ai_json_str(la_device_get_label(r->dev)));
	ret = ret ? ret : ai_json_add(d, "backend", ai_json_str(la_device_get_backend(r->dev)));
	ret = ret ? ret : ai_json_add(d, "driver", ai_json_str(la_device_get_driver(r->dev)));
	ret = ret ? ret : ai_json_add(d, "path", ai_json_str(la_device_get_node(r->dev)));
	ret = ret ? ret : ai_json_add(d, "devnum", ai_json_str(devnum));
	ret = ret ? ret : ai_json_add(d, "usages", ai_json_usage(r->usages));
	ret = ret ? ret : r->main_usage ? ai_json_add(d, "main_usage", ai_json_usage(r->main_usage))
					: ai_json_add_null(d, "main_usage");
	if (ret == 0 && r->set) {
		ret = ai_json_add(d, "import_rule", ai_json_str(la_import_rule_name(info.import_rule)));
		ret = ret ? ret : ai_json_add(d, "import_reason", ai_json_str(info.import_reason));
		ret = ret ? ret : ai_json_add(d, "formats", formats_json(r->set));
		ret = ret ? ret : ai_json_add(d, "candidate_count",
					      json_object_new_int64((int64_t)la_capset_get_candidate_count(r->set)));
	} else if (ret == 0) {
		ret = ai_json_add_null(d, "import_rule");
		ret = ret ? ret : ai_json_add_null(d, "import_reason");
		ret = ret ? ret : ai_json_add(d, "formats", json_object_new_array());
		ret = ret ? ret : ai_json_add(d, "candidate_count", json_object_new_int(0));
	}
	ret = ret ? ret : r->res ? ai_json_add(d, "negotiation", negotiation_json(r))
				 : ai_json_add_null(d, "negotiation");
	ret = ret ? ret : r->error[0] ? ai_json_add(d, "error", ai_json_str(r->error))
				      : ai_json_add_null(d, "error");
	if (ret < 0) {
		json_object_put(d);
		return NULL;
	}
	return d;
}

static int print_json(struct ai_opts *o, struct la_context *ctx, const struct report *r,
		      size_t n)
{
	json_object *doc = ai_json_doc("list"), *size = json_object_new_object();
	json_object *backends = json_object_new_array(), *devices = json_object_new_array();
	size_t nb = 0;
	int ret = ai_json_add_null(doc, "error");

	ret = ret ? ret : ai_json_add(size, "width", json_object_new_int64(o->width));
	ret = ret ? ret : ai_json_add(size, "height", json_object_new_int64(o->height));
	ret = ret ? ret : ai_json_add(doc, "size", json_object_get(size));
	la_context_get_backend_count(ctx, &nb);
	for (size_t i = 0; ret == 0 && i < nb; i++)
		ret = ai_json_push(backends, ai_json_str(la_context_get_backend_name(ctx, i)));
	ret = ret ? ret : ai_json_add(doc, "backends", json_object_get(backends));
	for (size_t i = 0; ret == 0 && i < n; i++)
		ret = ai_json_push(devices, report_json(&r[i]));
	ret = ret ? ret : ai_json_add(doc, "devices", json_object_get(devices));
	json_object_put(size);
	json_object_put(backends);
	json_object_put(devices);
	if (ret < 0) {
		json_object_put(doc);
		return ret;
	}
	return ai_json_print(o, doc);
}

static void print_text(const struct ai_opts *o, struct la_context *ctx, const struct report *r,
		       size_t n)
{
	size_t nb = 0;

	la_context_get_backend_count(ctx, &nb);
	printf("backends:");
	for (size_t i = 0; i < nb; i++)
		printf("%s%s", i ? ", " : " ", la_context_get_backend_name(ctx, i));
	printf("%s\n", nb ? "" : " none (LIBALLOC_BACKEND_PATH and the install dir hold none)");
	printf("devices (%zu):\n", n);
	for (size_t i = 0; i < n; i++) {
		printf("  ");
		print_report(o, &r[i]);
	}
}

int ai_cmd_list(int argc, char **argv, struct ai_opts *o)
{
	struct la_context *ctx = NULL;
	struct la_device **devs = NULL;
	struct report *r = NULL;
	struct la_assertion a;
	size_t n = 0;
	uint64_t check;
	int first, ret, status = AI_EXIT_DEVICE;

	ret = ai_parse_options(argc, argv, "jsu", o, &first);
	if (ret)
		return ret > 0 ? AI_EXIT_OK : AI_EXIT_USAGE;
	if (first < argc) {
		ai_error(o, "unexpected argument '%s' (list takes options only)", argv[first]);
		return AI_EXIT_USAGE;
	}
	/* Core names can be checked now; backend ones only against a device. */
	if (o->usage && !strchr(o->usage, '.') && ai_parse_usage(o, NULL, o->usage, &check) < 0)
		return AI_EXIT_USAGE;
	if (!o->width) {
		o->width = 640;
		o->height = 480;
	}
	ai_assertion(o, &a);
	if ((ret = la_context_new(&ctx)) < 0 || (ret = la_context_enumerate(ctx, &devs, &n)) < 0) {
		o->err = ret;
		ai_error(o, "cannot enumerate devices: %s",
			 la_last_diagnosis()[0] ? la_last_diagnosis() : strerror(-ret));
		goto out;
	}
	r = calloc(n ? n : 1, sizeof(*r));
	if (!r) {
		o->err = -ENOMEM;
		ai_error(o, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		r[i].dev = devs[i];
		examine(o, ctx, &r[i], &a);
	}
	if (o->json)
		ret = print_json(o, ctx, r, n);
	else
		print_text(o, ctx, r, n);
	status = ret < 0 ? AI_EXIT_DEVICE : AI_EXIT_OK;
out:
	for (size_t i = 0; r && i < n; i++) {
		la_result_destroy(r[i].res);
		la_capset_destroy(r[i].set);
	}
	free(r);
	la_device_list_free(devs, n);
	la_context_destroy(ctx);
	return status;
}
