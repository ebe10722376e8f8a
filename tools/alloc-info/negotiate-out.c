/* SPDX-License-Identifier: MIT */
/*
 * Output of `alloc-info negotiate`: the devices, what was asked, the chosen
 * candidate with its merged constraints, every path with why, buffers.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "alloc-info.h"

static void print_list(const char *what, size_t n, const uint32_t *formats,
		       const uint64_t *mods)
{
	printf("%s ", what);
	if (!n)
		printf("any");
	for (size_t i = 0; i < n; i++) {
		char name[32];
		printf("%s%s", i ? "," : "",
		       formats ? la_format_name(formats[i], name, sizeof(name))
			       : la_modifier_name(mods[i], name, sizeof(name)));
	}
}

static void print_devices(const struct ai_negotiation *ng)
{
	printf("devices (%zu):\n", ng->n);
	for (size_t i = 0; i < ng->n; i++) {
		struct la_capset_info info;
		la_capset_get_info(ng->sets[i], &info);
		char first[32];
		snprintf(first, sizeof(first), "  %zu. ", i + 1);
		ai_print_device_info(stdout, first, "    ", &info);
		if (!ng->src[i].device)
			printf("      offline: saved capability set %s\n", ng->src[i].arg);
	}
}

/* The layout liballoc computes for a linear buffer (la_layout_compute). */
static void print_layout(const struct ai_negotiation *ng, const struct la_candidate *c)
{
	struct la_layout l;

	if (c->modifier != LA_MODIFIER_LINEAR)
		return;
	if (la_layout_compute(c->format, ng->a.width, ng->a.height, &c->constraints, &l) < 0) {
		printf("linear layout: cannot be computed: %s\n", la_last_diagnosis());
		return;
	}
	printf("linear layout (%" PRIu64 " bytes):", l.size);
	for (uint32_t p = 0; p < l.plane_count; p++)
		printf("%s plane %u offset %" PRIu64 " pitch %" PRIu64 " size %" PRIu64,
		       p ? ";" : "", p, l.offset[p], l.pitch[p], l.plane_size[p]);
	printf("\n");
}

static void print_candidates(const struct ai_negotiation *ng, int chosen)
{
	size_t n = la_result_get_candidate_count(ng->res);

	printf("common candidates (%zu, in order of preference; * = chosen):\n", n);
	for (size_t i = 0; i < n; i++) {
		struct la_candidate c;
		char indent[32];
		if (la_result_get_candidate(ng->res, i, &c) < 0)
			continue;
		snprintf(indent, sizeof(indent), "  %c%3zu. ", (int)i == chosen ? '*' : ' ', i + 1);
		ai_print_candidate(stdout, indent, &c);
	}
}

static size_t n_files(const struct ai_negotiation *ng)
{
	size_t n = 0;

	for (size_t i = 0; i < ng->n; i++)
		n += !ng->src[i].device;
	return n;
}

int ai_negotiate_text(const struct ai_opts *o, const struct ai_negotiation *ng)
{
	const char *diag = la_result_get_diagnosis(ng->res);
	int chosen = ng->neg_err == 0 ? la_result_get_chosen_candidate(ng->res) : -1;
	struct la_candidate c;

	print_devices(ng);
	printf("asked: %ux%u, ", ng->a.width, ng->a.height);
	print_list("formats", ng->a.n_formats, ng->a.formats, NULL);
	print_list(", modifiers", ng->a.n_modifiers, NULL, ng->a.modifiers);
	printf(", %u buffer(s)\n", o->count ? o->count : 1);
	if (ng->neg_err == -ENOENT)
		printf("result: no format every device accepts (exit %d)\n", AI_EXIT_NO_FORMAT);
	else if (ng->neg_err == -ENODEV)
		printf("result: no allocation path serves every device (exit %d)\n",
		       AI_EXIT_NO_PATH);
	if (chosen >= 0 && la_result_get_candidate(ng->res, (size_t)chosen, &c) == 0) {
		printf("chosen: candidate %d of %zu:", chosen + 1,
		       la_result_get_candidate_count(ng->res));
		ai_print_candidate(stdout, " ", &c);
		printf("merged constraints:");
		ai_print_constraints(stdout, &c.constraints);
		printf("\n");
		print_layout(ng, &c);
	}
	print_candidates(ng, chosen);
	printf("paths (best first):\n");
	if (ng->neg_err == -ENOENT)
		printf("  (not evaluated: no common format)\n");
	else
		ai_print_paths(stdout, "  ", ng->res);
	if (diag && diag[0])
		printf("%s: %s\n", ng->neg_err ? "diagnosis" : "note", diag);
	if (n_files(ng))
		printf("note: %zu device(s) are saved sets: their own memory is not listed as a "
		       "path, since only the device can allocate it\n", n_files(ng));
	if (ng->n_bufs)
		printf("allocated %zu buffer(s):\n", ng->n_bufs);
	for (size_t i = 0; i < ng->n_bufs; i++)
		ai_print_buffer(stdout, "  ", i, ng->bufs[i]);
	if (ng->alloc_err)
		printf("allocation failed (%s): %s\n", ai_errno_name(ng->alloc_err), ng->alloc_diag);
	return fflush(stdout) == 0 ? 0 : -EIO;
}

/* ---- JSON ---- */

static json_object *request_obj(const struct ai_opts *o, const struct la_assertion *a)
{
	json_object *r = json_object_new_object();
	json_object *f = json_object_new_array(), *m = json_object_new_array();
	int ret = 0;

	for (size_t i = 0; ret == 0 && i < a->n_formats; i++) {
		char name[32];
		ret = ai_json_push(f, ai_json_str(la_format_name(a->formats[i], name, 32)));
	}
	for (size_t i = 0; ret == 0 && i < a->n_modifiers; i++) {
		char name[32];
		ret = ai_json_push(m, ai_json_str(la_modifier_name(a->modifiers[i], name, 32)));
	}
	ret = ret ? ret : ai_json_add(r, "width", json_object_new_int64(a->width));
	ret = ret ? ret : ai_json_add(r, "height", json_object_new_int64(a->height));
	ret = ret ? ret : ai_json_add(r, "formats", json_object_get(f));
	ret = ret ? ret : ai_json_add(r, "modifiers", json_object_get(m));
	ret = ret ? ret : ai_json_add(r, "buffer_count",
				      json_object_new_int(o->count ? (int)o->count : 1));
	ret = ret ? ret : ai_json_add(r, "allocate", json_object_new_boolean(o->allocate));
	ret = ret ? ret : o->path ? ai_json_add(r, "path", ai_json_str(o->path))
				  : ai_json_add_null(r, "path");
	json_object_put(f);
	json_object_put(m);
	if (ret < 0) {
		json_object_put(r);
		return NULL;
	}
	return r;
}

static json_object *device_obj(const struct ai_negotiation *ng, size_t i)
{
	struct la_capset_info info;
	const struct ai_source *src = &ng->src[i];
	json_object *d;
	int ret;

	la_capset_get_info(ng->sets[i], &info);
	d = ai_json_device_info(&info);
	ret = ai_json_add(d, "argument", ai_json_str(src->arg));
	ret = ret ? ret : ai_json_add(d, "source", ai_json_str(src->device ? "device" : "file"));
	ret = ret ? ret : src->device ? ai_json_add(d, "path",
						    ai_json_str(la_device_get_node(src->device)))
				      : ai_json_add_null(d, "path");
	ret = ret ? ret : ai_json_add(d, "candidate_count",
				      json_object_new_int64((int64_t)la_capset_get_candidate_count(ng->sets[i])));
	if (ret < 0) {
		json_object_put(d);
		return NULL;
	}
	return d;
}

static int add_array(json_object *doc, const char *key, const struct ai_negotiation *ng,
		     size_t n, json_object *(*item)(const struct ai_negotiation *, size_t))
{
	json_object *arr = json_object_new_array();
	int ret = 0;

	for (size_t i = 0; ret == 0 && i < n; i++)
		ret = ai_json_push(arr, item(ng, i));
	if (ret < 0) {
		json_object_put(arr);
		return ret;
	}
	return ai_json_add(doc, key, arr);
}

static json_object *candidate_item(const struct ai_negotiation *ng, size_t i)
{
	struct la_candidate c;
	return la_result_get_candidate(ng->res, i, &c) == 0 ? ai_json_candidate(&c) : NULL;
}

static json_object *buffer_item(const struct ai_negotiation *ng, size_t i)
{
	return ai_json_buffer(ng->bufs[i]);
}

static json_object *chosen_obj(const struct ai_negotiation *ng, int chosen)
{
	struct la_candidate c;
	json_object *o;

	if (la_result_get_candidate(ng->res, (size_t)chosen, &c) < 0)
		return NULL;
	o = ai_json_candidate(&c);
	if (ai_json_add(o, "index", json_object_new_int(chosen)) < 0) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

static json_object *layout_obj(const struct ai_negotiation *ng, int chosen)
{
	struct la_candidate c;
	struct la_layout l;
	json_object *o, *planes;
	int ret;

	if (la_result_get_candidate(ng->res, (size_t)chosen, &c) < 0 ||
	    c.modifier != LA_MODIFIER_LINEAR ||
	    la_layout_compute(c.format, ng->a.width, ng->a.height, &c.constraints, &l) < 0)
		return NULL;
	o = json_object_new_object();
	planes = json_object_new_array();
	ret = ai_json_add(o, "size", json_object_new_uint64(l.size));
	for (uint32_t p = 0; ret == 0 && p < l.plane_count; p++) {
		json_object *pl = json_object_new_object();
		ret = ai_json_add(pl, "offset", json_object_new_uint64(l.offset[p]));
		ret = ret ? ret : ai_json_add(pl, "pitch", json_object_new_uint64(l.pitch[p]));
		ret = ret ? ret : ai_json_add(pl, "size", json_object_new_uint64(l.plane_size[p]));
		if (ret < 0)
			json_object_put(pl);
		else
			ret = ai_json_push(planes, pl);
	}
	ret = ret ? ret : ai_json_add(o, "planes", json_object_get(planes));
	json_object_put(planes);
	if (ret < 0) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

static int add_result(json_object *doc, const struct ai_negotiation *ng)
{
	int chosen = ng->neg_err == 0 ? la_result_get_chosen_candidate(ng->res) : -1;
	json_object *layout = chosen >= 0 ? layout_obj(ng, chosen) : NULL;
	int ret = chosen >= 0 ? ai_json_add(doc, "chosen", chosen_obj(ng, chosen))
			      : ai_json_add_null(doc, "chosen");

	/* layout is null for non-linear modifiers: the driver owns that layout. */
	if (ret == 0)
		ret = layout ? ai_json_add(doc, "layout", layout) : ai_json_add_null(doc, "layout");
	else
		json_object_put(layout);
	ret = ret ? ret : add_array(doc, "candidates", ng, la_result_get_candidate_count(ng->res),
				    candidate_item);
	ret = ret ? ret : ai_json_add(doc, "paths", ai_json_paths(ng->res));
	ret = ret ? ret : ai_json_add(doc, "diagnosis", ai_json_str(la_result_get_diagnosis(ng->res)));
	return ret;
}

int ai_negotiate_json(struct ai_opts *o, const struct ai_negotiation *ng, int status)
{
	json_object *doc = ai_json_doc("negotiate");
	int ret = status == AI_EXIT_OK
			  ? ai_json_add_null(doc, "error")
			  : ai_json_add(doc, "error", ai_json_error(status, o->err, ai_last_error()));

	ret = ret ? ret : ai_json_add(doc, "request", request_obj(o, &ng->a));
	ret = ret ? ret : add_array(doc, "devices", ng, ng->n, device_obj);
	ret = ret ? ret : add_result(doc, ng);
	ret = ret ? ret : add_array(doc, "buffers", ng, ng->n_bufs, buffer_item);
	if (ret < 0) {
		json_object_put(doc);
		return ret;
	}
	return ai_json_print(o, doc);
}
