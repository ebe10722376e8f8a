/* SPDX-License-Identifier: MIT */
/*
 * --json output (schema: USAGE.md, "alloc-info --json"). Candidates and
 * constraints use the keys of the capability-set schema, so one reader
 * handles both; every other key is always written (null when it has no
 * value) so scripts need no existence checks.
 *
 * A builder returns NULL only when memory runs out; ai_json_add() then
 * reports -ENOMEM, and a NULL child never reaches json-c.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>

#include "alloc-info.h"

int ai_json_add(json_object *obj, const char *key, json_object *val)
{
	if (!obj || !val) {
		json_object_put(val);
		return -ENOMEM;
	}
	if (json_object_object_add(obj, key, val) < 0) {
		json_object_put(val);
		return -ENOMEM;
	}
	return 0;
}

int ai_json_add_null(json_object *obj, const char *key)
{
	return obj && json_object_object_add(obj, key, NULL) == 0 ? 0 : -ENOMEM;
}

int ai_json_push(json_object *arr, json_object *val)
{
	if (!arr || !val || json_object_array_add(arr, val) < 0) {
		json_object_put(val);
		return -ENOMEM;
	}
	return 0;
}

json_object *ai_json_str(const char *s)
{
	return json_object_new_string(s ? s : "");
}

json_object *ai_json_doc(const char *command)
{
	json_object *doc = json_object_new_object();
	int ret = ai_json_add(doc, "alloc_info", json_object_new_int(AI_JSON_VERSION));

	ret = ret ? ret : command ? ai_json_add(doc, "command", ai_json_str(command))
				  : ai_json_add_null(doc, "command");
	if (ret < 0) {
		json_object_put(doc);
		return NULL;
	}
	return doc;
}

/* Core bits by name, backend bits as their integer value (capset schema). */
json_object *ai_json_usage(uint64_t usage)
{
	json_object *arr = json_object_new_array();
	int ret = 0;

	for (int bit = 0; bit < 64 && ret == 0; bit++) {
		uint64_t b = UINT64_C(1) << bit;
		const char *name = la_usage_name(b);
		if (!(usage & b))
			continue;
		ret = ai_json_push(arr, name ? json_object_new_string(name) : json_object_new_uint64(b));
	}
	if (ret < 0) {
		json_object_put(arr);
		return NULL;
	}
	return arr;
}

static json_object *caching_array(uint32_t caching)
{
	json_object *arr = json_object_new_array();
	int ret = 0;

	for (int i = 0; i < 32 && ret == 0; i++)
		if ((caching & (1u << i)) && la_caching_name(1u << i))
			ret = ai_json_push(arr, json_object_new_string(la_caching_name(1u << i)));
	if (ret < 0) {
		json_object_put(arr);
		return NULL;
	}
	return arr;
}

static json_object *plane_array(const uint64_t *v)
{
	json_object *arr = json_object_new_array();
	int ret = 0;

	for (int i = 0; i < LA_MAX_PLANES && ret == 0; i++)
		ret = ai_json_push(arr, json_object_new_uint64(v[i]));
	if (ret < 0) {
		json_object_put(arr);
		return NULL;
	}
	return arr;
}

static bool any_plane(const uint64_t *v)
{
	for (int i = 0; i < LA_MAX_PLANES; i++)
		if (v[i])
			return true;
	return false;
}

/* Exactly the capset schema's "constraints": only what is not zero. */
json_object *ai_json_constraints(const struct la_constraints *c)
{
	const struct {
		const char *name;
		uint64_t v;
	} scalars[] = {
		{"size_align", c->size_align},       {"base_align", c->base_align},
		{"width_align", c->width_align},     {"height_align", c->height_align},
		{"max_pitch", c->max_pitch},         {"max_size", c->max_size},
		{"max_width", c->max_width},         {"max_height", c->max_height},
		{"dma_addr_bits", c->dma_addr_bits},
	};
	json_object *o = json_object_new_object();
	int ret = 0;

	if (any_plane(c->pitch_align))
		ret = ai_json_add(o, "pitch_align", plane_array(c->pitch_align));
	if (ret == 0 && any_plane(c->offset_align))
		ret = ai_json_add(o, "offset_align", plane_array(c->offset_align));
	for (size_t i = 0; ret == 0 && i < sizeof(scalars) / sizeof(scalars[0]); i++)
		if (scalars[i].v)
			ret = ai_json_add(o, scalars[i].name, json_object_new_uint64(scalars[i].v));
	if (ret == 0 && c->caching)
		ret = ai_json_add(o, "caching", caching_array(c->caching));
	for (int i = 0; ret == 0 && i < 32; i++)
		if ((c->flags & (1u << i)) && la_constraint_flag_name(1u << i))
			ret = ai_json_add(o, la_constraint_flag_name(1u << i),
					  json_object_new_boolean(1));
	if (ret < 0) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

static json_object *format_str(uint32_t format)
{
	char name[32];
	return json_object_new_string(la_format_name(format, name, sizeof(name)));
}

static json_object *modifier_str(uint64_t mod)
{
	char name[32];
	return json_object_new_string(la_modifier_name(mod, name, sizeof(name)));
}

json_object *ai_json_candidate(const struct la_candidate *c)
{
	json_object *o = json_object_new_object();
	int ret = ai_json_add(o, "format", format_str(c->format));

	ret = ret ? ret : ai_json_add(o, "modifier", modifier_str(c->modifier));
	ret = ret ? ret : ai_json_add(o, "plane_count", json_object_new_int((int)c->plane_count));
	ret = ret ? ret : ai_json_add(o, "constraints", ai_json_constraints(&c->constraints));
	if (ret < 0) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

static json_object *devnum_str(dev_t devnum)
{
	char text[32];
	snprintf(text, sizeof(text), "%u:%u", major(devnum), minor(devnum));
	return json_object_new_string(text);
}

json_object *ai_json_device_info(const struct la_capset_info *info)
{
	json_object *o = json_object_new_object();
	int ret = ai_json_add(o, "label", ai_json_str(info->label));

	ret = ret ? ret : ai_json_add(o, "driver", ai_json_str(info->driver));
	ret = ret ? ret : ai_json_add(o, "backend", ai_json_str(info->backend));
	ret = ret ? ret : ai_json_add(o, "devnum", devnum_str(info->devnum));
	ret = ret ? ret : ai_json_add(o, "usage", ai_json_usage(info->usage));
	ret = ret ? ret : ai_json_add(o, "import_rule",
				      ai_json_str(la_import_rule_name(info->import_rule)));
	ret = ret ? ret : ai_json_add(o, "import_reason", ai_json_str(info->import_reason));
	if (ret < 0) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

static json_object *path_obj(const struct la_path_info *p)
{
	json_object *o = json_object_new_object();
	int ret = ai_json_add(o, "name", ai_json_str(p->name));

	ret = ret ? ret : ai_json_add(o, "backend", ai_json_str(p->backend));
	ret = ret ? ret : ai_json_add(o, "matched", json_object_new_boolean(p->matched));
	ret = ret ? ret : ai_json_add(o, "rank", json_object_new_int(p->rank));
	ret = ret ? ret : ai_json_add(o, "reason", ai_json_str(p->reason));
	ret = ret ? ret : ai_json_add(o, "caching", caching_array(p->caching));
	ret = ret ? ret : ai_json_add(o, "contiguous", json_object_new_boolean(p->contiguous));
	ret = ret ? ret : ai_json_add(o, "device_memory",
				      json_object_new_boolean(p->is_device_memory));
	if (ret < 0) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

json_object *ai_json_paths(const struct la_result *res)
{
	json_object *arr = json_object_new_array();
	int ret = 0;

	for (size_t i = 0; ret == 0 && i < la_result_get_path_count(res); i++) {
		struct la_path_info p;
		ret = la_result_get_path(res, i, &p);
		ret = ret ? ret : ai_json_push(arr, path_obj(&p));
	}
	if (ret < 0) {
		json_object_put(arr);
		return NULL;
	}
	return arr;
}

static json_object *buffer_flags(uint32_t flags)
{
	json_object *arr = json_object_new_array();
	int ret = 0;

	if (flags & LA_BUFFER_CACHED)
		ret = ai_json_push(arr, json_object_new_string("cached"));
	if (ret == 0 && (flags & LA_BUFFER_CONTIGUOUS))
		ret = ai_json_push(arr, json_object_new_string("contiguous"));
	if (ret == 0 && (flags & LA_BUFFER_PROTECTED))
		ret = ai_json_push(arr, json_object_new_string("protected"));
	if (ret < 0) {
		json_object_put(arr);
		return NULL;
	}
	return arr;
}

static json_object *plane_obj(const struct la_plane *p, int memory)
{
	json_object *o = json_object_new_object();
	int ret = ai_json_add(o, "offset", json_object_new_uint64(p->offset));

	ret = ret ? ret : ai_json_add(o, "pitch", json_object_new_uint64(p->pitch));
	ret = ret ? ret : ai_json_add(o, "size", json_object_new_uint64(p->size));
	ret = ret ? ret : ai_json_add(o, "dmabuf", json_object_new_int(memory));
	if (ret < 0) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

json_object *ai_json_buffer(const struct la_buffer *buf)
{
	struct la_descriptor d;
	int memory[LA_MAX_PLANES];
	json_object *o = json_object_new_object(), *planes = json_object_new_array();
	int ret;

	la_buffer_get_descriptor(buf, &d);
	ai_plane_memory(&d, memory);
	ret = ai_json_add(o, "path", ai_json_str(la_buffer_get_path(buf)));
	ret = ret ? ret : ai_json_add(o, "format", format_str(d.format));
	ret = ret ? ret : ai_json_add(o, "modifier", modifier_str(d.modifier));
	ret = ret ? ret : ai_json_add(o, "width", json_object_new_int64(d.width));
	ret = ret ? ret : ai_json_add(o, "height", json_object_new_int64(d.height));
	ret = ret ? ret : ai_json_add(o, "flags", buffer_flags(d.flags));
	for (uint32_t i = 0; ret == 0 && i < d.plane_count && i < LA_MAX_PLANES; i++)
		ret = ai_json_push(planes, plane_obj(&d.planes[i], memory[i]));
	if (ret == 0) {
		ret = ai_json_add(o, "planes", planes); /* consumes planes either way */
		planes = NULL;
	}
	json_object_put(planes);
	if (ret < 0) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

static const char *error_kind(int exit_code)
{
	switch (exit_code) {
	case AI_EXIT_USAGE:
		return "usage";
	case AI_EXIT_NO_FORMAT:
		return "no-format";
	case AI_EXIT_NO_PATH:
		return "no-path";
	default:
		return "device";
	}
}

json_object *ai_json_error(int exit_code, int err, const char *message)
{
	json_object *o = json_object_new_object();
	int ret = ai_json_add(o, "exit_code", json_object_new_int(exit_code));

	ret = ret ? ret : ai_json_add(o, "kind", ai_json_str(error_kind(exit_code)));
	if (ret == 0 && err)
		ret = ai_json_add(o, "errno", ai_json_str(ai_errno_name(err)));
	else if (ret == 0)
		ret = ai_json_add_null(o, "errno");
	ret = ret ? ret : ai_json_add(o, "message", ai_json_str(message));
	if (ret < 0) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

int ai_json_print(struct ai_opts *o, json_object *doc)
{
	const char *text = json_object_to_json_string_ext(
		doc, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
			     JSON_C_TO_STRING_NOSLASHESCAPE);
	int ret = text && printf("%s\n", text) >= 0 ? 0 : -EIO;

	json_object_put(doc);
	o->printed = true;
	return ret;
}
