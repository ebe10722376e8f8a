/* SPDX-License-Identifier: MIT */
/*
 * JSON dump/load of capability sets, so one device's capabilities can be
 * saved and negotiated offline. Schema: USAGE.md, "JSON schema of
 * capability sets (version 1)".
 *
 * The loader treats input as hostile and strict: wrong types, out-of-range
 * numbers and unknown keys are refused (a misspelt constraint key would
 * otherwise silently drop a constraint), and the diagnosis names the JSON
 * path of the bad field.
 */
#include <errno.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>

#include "private.h"

/*
 * 2 adds device.layout_domain (who shares implicit layouts) and is written
 * only when a set has one, so every other set stays readable by version 1
 * readers; both are read.
 */
#define SCHEMA_VERSION 2
#define SCHEMA_VERSION_DOMAINLESS 1
#define MAX_CANDIDATES 65536 /* same bound as capset.c */
#define MAX_STRING 255
#define MAX_DEPTH 8          /* the schema nests 5 deep; refuse hostile nesting early */

/* Scalar constraint fields, shared by writer and reader. */
static const struct {
	const char *name;
	size_t offset;
	bool is_u64; /* else uint32_t */
} scalars[] = {
#define F(n, wide) {#n, offsetof(struct la_constraints, n), wide}
	F(size_align, true),    F(base_align, true),    F(width_align, false),
	F(height_align, false), F(max_pitch, true),     F(max_size, true),
	F(max_width, false),    F(max_height, false),   F(dma_addr_bits, false),
#undef F
};

/* Flag and caching bits are named by la_constraint_flag_name()/la_caching_name(). */
#define FLAG_BITS 32

/* The bit named name, or 0. */
static uint32_t bit_named(const char *(*name_of)(uint32_t), const char *name)
{
	for (int i = 0; i < FLAG_BITS; i++) {
		const char *n = name_of(1u << i);
		if (n && strcmp(n, name) == 0)
			return 1u << i;
	}
	return 0;
}

static uint64_t *u64_field(struct la_constraints *k, size_t i)
{
	return (uint64_t *)((char *)k + scalars[i].offset);
}

static uint32_t *u32_field(struct la_constraints *k, size_t i)
{
	return (uint32_t *)((char *)k + scalars[i].offset);
}

/* ================= writer ================= */

/* json-c returns NULL on allocation failure; *ok collects that once. */
static void add(struct json_object *obj, const char *key, struct json_object *val, bool *ok)
{
	if (!val || json_object_object_add(obj, key, val) < 0) {
		json_object_put(val);
		*ok = false;
	}
}

static void append(struct json_object *arr, struct json_object *val, bool *ok)
{
	if (!val || json_object_array_add(arr, val) < 0) {
		json_object_put(val);
		*ok = false;
	}
}

/* Core bits by name; other bits (backend ones) as their numeric value. */
static struct json_object *usage_to_json(uint64_t usage, bool *ok)
{
	struct json_object *arr = json_object_new_array();

	for (int i = 0; arr && i < 64; i++) {
		uint64_t bit = UINT64_C(1) << i;
		const char *name = (usage & bit) ? la_usage_name(bit) : NULL;
		if (usage & bit)
			append(arr, name ? json_object_new_string(name) : json_object_new_uint64(bit), ok);
	}
	return arr;
}

static struct json_object *device_to_json(const struct la_capset_info *info, const char *domain,
					  bool *ok)
{
	struct json_object *dev = json_object_new_object();
	char devnum[32];

	if (!dev)
		return NULL;
	snprintf(devnum, sizeof(devnum), "%u:%u", major(info->devnum), minor(info->devnum));
	add(dev, "label", json_object_new_string(info->label ? info->label : ""), ok);
	add(dev, "driver", json_object_new_string(info->driver ? info->driver : ""), ok);
	add(dev, "backend", json_object_new_string(info->backend ? info->backend : ""), ok);
	add(dev, "devnum", json_object_new_string(devnum), ok);
	add(dev, "usage", usage_to_json(info->usage, ok), ok);
	add(dev, "import_rule", json_object_new_string(la_import_rule_name(info->import_rule)), ok);
	if (info->import_reason && info->import_reason[0])
		add(dev, "import_reason", json_object_new_string(info->import_reason), ok);
	if (domain[0])
		add(dev, "layout_domain", json_object_new_string(domain), ok);
	return dev;
}

static void add_align_array(struct json_object *obj, const char *key, const uint64_t *v, bool *ok)
{
	struct json_object *arr;

	if (!(v[0] | v[1] | v[2] | v[3]))
		return;
	arr = json_object_new_array();
	for (int i = 0; arr && i < LA_MAX_PLANES; i++)
		append(arr, json_object_new_uint64(v[i]), ok);
	add(obj, key, arr, ok);
}

static struct json_object *constraints_to_json(struct la_constraints k, bool *ok)
{
	struct json_object *obj = json_object_new_object();

	if (!obj)
		return NULL;
	add_align_array(obj, "pitch_align", k.pitch_align, ok);
	add_align_array(obj, "offset_align", k.offset_align, ok);
	for (size_t i = 0; i < LA_ARRAY_SIZE(scalars); i++) {
		uint64_t v = scalars[i].is_u64 ? *u64_field(&k, i) : *u32_field(&k, i);
		if (v)
			add(obj, scalars[i].name, json_object_new_uint64(v), ok);
	}
	if (k.caching) {
		struct json_object *arr = json_object_new_array();
		for (int i = 0; arr && i < FLAG_BITS; i++) {
			const char *name = la_caching_name(1u << i);
			if ((k.caching & (1u << i)) && name)
				append(arr, json_object_new_string(name), ok);
		}
		add(obj, "caching", arr, ok);
	}
	for (int i = 0; i < FLAG_BITS; i++) {
		const char *name = la_constraint_flag_name(1u << i);
		if ((k.flags & (1u << i)) && name)
			add(obj, name, json_object_new_boolean(1), ok);
	}
	return obj;
}

static struct json_object *candidate_to_json(const struct la_candidate *c, bool *ok)
{
	struct json_object *obj = json_object_new_object();
	char fmt[32], mod[24];

	if (!obj)
		return NULL;
	la_modifier_name(c->modifier, mod, sizeof(mod));
	add(obj, "format", json_object_new_string(la_format_name(c->format, fmt, sizeof(fmt))), ok);
	add(obj, "modifier", json_object_new_string(mod), ok);
	add(obj, "plane_count", json_object_new_int64(c->plane_count), ok);
	add(obj, "constraints", constraints_to_json(c->constraints, ok), ok);
	return obj;
}

static struct json_object *capset_to_json(const struct la_capset *set, bool *ok)
{
	struct json_object *root = json_object_new_object();
	struct json_object *cands = json_object_new_array();
	struct la_capset_info info;
	size_t n = la_capset_get_candidate_count(set);

	const char *domain = la_capset_get_layout_domain(set);

	la_capset_get_info(set, &info);
	if (root)
		add(root, "liballoc_capset", json_object_new_int(domain[0] ? SCHEMA_VERSION
									 : SCHEMA_VERSION_DOMAINLESS), ok);
	if (root)
		add(root, "device", device_to_json(&info, domain, ok), ok);
	for (size_t i = 0; cands && i < n; i++) {
		struct la_candidate c;
		la_capset_get_candidate(set, i, &c);
		append(cands, candidate_to_json(&c, ok), ok);
	}
	if (root)
		add(root, "candidates", cands, ok);
	else
		json_object_put(cands);
	if (!root || !cands)
		*ok = false;
	return root;
}

LA_EXPORT int la_capset_to_json(const struct la_capset *set, char **json)
{
	struct json_object *root;
	bool ok = true;
	const char *text;

	if (!set || !json)
		return -EINVAL;
	*json = NULL;
	root = capset_to_json(set, &ok);
	text = ok ? json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY |
							     JSON_C_TO_STRING_SPACED |
							     JSON_C_TO_STRING_NOSLASHESCAPE)
		  : NULL;
	if (text)
		*json = strdup(text);
	json_object_put(root);
	return *json ? 0 : -ENOMEM;
}

/* ================= reader ================= */

__attribute__((format(printf, 3, 4))) static int bad(struct la_why *why, const char *path,
							const char *fmt, ...)
{
	char msg[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return la_why_set(why, -EINVAL, "%s: %s", path, msg);
}

/*
 * Child paths "parent.key" (or "key" at the root) and "parent[i]". Paths are
 * bounded by the schema's depth; a truncated one would only shorten a message.
 */
static void join(char *out, size_t len, const char *parent, const char *key)
{
	if (snprintf(out, len, "%s%s%s", parent, parent[0] ? "." : "", key) >= (int)len)
		out[len - 1] = '\0';
}

static void join_index(char *out, size_t len, const char *parent, size_t i)
{
	if (snprintf(out, len, "%s[%zu]", parent, i) >= (int)len)
		out[len - 1] = '\0';
}

static int want_type(struct json_object *o, enum json_type type, const char *path, const char *what,
		     struct la_why *why)
{
	if (!json_object_is_type(o, type))
		return bad(why, path, "expected %s, got %s", what, json_type_to_name(json_object_get_type(o)));
	return 0;
}

static int get_uint(struct json_object *o, const char *path, uint64_t max, uint64_t *out,
		    struct la_why *why)
{
	int ret = want_type(o, json_type_int, path, "a non-negative integer", why);

	if (ret < 0)
		return ret;
	if (json_object_get_int64(o) < 0)
		return bad(why, path, "negative value %" PRId64, json_object_get_int64(o));
	/* json-c saturates integers beyond 2^64-1 at UINT64_MAX. */
	*out = json_object_get_uint64(o);
	if (*out > max)
		return bad(why, path, "%" PRIu64 " out of range (at most %" PRIu64 ")", *out, max);
	return 0;
}

static int get_string(struct json_object *o, const char *path, const char **out, struct la_why *why)
{
	int ret = want_type(o, json_type_string, path, "a string", why);
	size_t len;

	if (ret < 0)
		return ret;
	*out = json_object_get_string(o);
	len = (size_t)json_object_get_string_len(o);
	if (len > MAX_STRING)
		return bad(why, path, "string longer than %d bytes", MAX_STRING);
	if (strlen(*out) != len)
		return bad(why, path, "string contains a NUL character");
	return 0;
}

/* Refuses keys outside known[] (NULL-terminated). */
static int check_keys(struct json_object *obj, const char *path, const char *const *known,
		      struct la_why *why)
{
	json_object_object_foreach(obj, key, val) {
		size_t i;
		(void)val;
		for (i = 0; known[i] && strcmp(known[i], key) != 0; i++)
			;
		if (!known[i]) {
			char p[160];
			join(p, sizeof(p), path, key);
			return bad(why, p, "unknown field");
		}
	}
	return 0;
}

/* *out = obj[key] with its path; -EINVAL if required and missing. */
static int member(struct json_object *obj, const char *path, const char *key, bool required,
		  struct json_object **out, char *child, size_t len, struct la_why *why)
{
	join(child, len, path, key);
	if (!json_object_object_get_ex(obj, key, out)) {
		*out = NULL;
		return required ? bad(why, child, "missing") : 0;
	}
	/* json-c gives null as NULL: refuse it rather than read it as absent. */
	if (!*out)
		return bad(why, child, "expected a value, got null");
	return 0;
}


static int parse_devnum(const char *text, const char *path, dev_t *out, struct la_why *why)
{
	unsigned long long maj, min;
	char *end;

	/* strtoull accepts signs and spaces: require digits where numbers start. */
	if (text[0] < '0' || text[0] > '9')
		goto fail;
	maj = strtoull(text, &end, 10);
	if (*end != ':' || end[1] < '0' || end[1] > '9' || maj > UINT32_MAX)
		goto fail;
	min = strtoull(end + 1, &end, 10);
	if (*end != '\0' || min > UINT32_MAX)
		goto fail;
	*out = makedev(maj, min);
	return 0;
fail:
	return bad(why, path, "expected \"major:minor\" (decimal, each < 2^32), got \"%s\"", text);
}

static int parse_usage(struct json_object *arr, const char *path, uint64_t *usage,
		       struct la_why *why)
{
	size_t n;
	int ret;

	if ((ret = want_type(arr, json_type_array, path, "an array of usage names", why)) < 0)
		return ret;
	n = json_object_array_length(arr);
	*usage = 0;
	for (size_t i = 0; i < n && i < 64; i++) {
		struct json_object *e = json_object_array_get_idx(arr, i);
		char p[160];
		uint64_t bit;
		const char *name;
		join_index(p, sizeof(p), path, i);
		if (json_object_is_type(e, json_type_string)) {
			if ((ret = get_string(e, p, &name, why)) < 0)
				return ret;
			if (la_usage_parse_why(name, &bit, why) < 0) {
				la_why_prefix(why, "%s", p);
				return -EINVAL;
			}
		} else if (!json_object_is_type(e, json_type_int)) {
			return bad(why, p, "expected a usage name or one usage bit as a number");
		} else if ((ret = get_uint(e, p, UINT64_MAX, &bit, why)) < 0) {
			return ret;
		} else if (!bit || (bit & (bit - 1))) {
			return bad(why, p, "0x%" PRIx64 " is not a single usage bit", bit);
		}
		*usage |= bit;
	}
	if (n > 64)
		return bad(why, path, "more than 64 entries");
	return 0;
}

static int parse_import_rule(struct json_object *o, const char *path, enum la_import_rule *rule,
			     struct la_why *why)
{
	const char *name;
	int ret = get_string(o, path, &name, why);

	if (ret < 0)
		return ret;
	for (int r = LA_IMPORT_ANY; r <= LA_IMPORT_NONE; r++) {
		const char *known = la_import_rule_name((enum la_import_rule)r);
		if (known && strcmp(known, name) == 0) {
			*rule = (enum la_import_rule)r;
			return 0;
		}
	}
	return bad(why, path, "unknown import rule \"%s\" (any, contiguous, own-only, none)", name);
}

/* Strings in *info point into dev; valid while the JSON tree lives. */
static int parse_device(struct json_object *dev, uint64_t version, struct la_capset_info *info,
			const char **domain, struct la_why *why)
{
	static const char *const keys_v1[] = {"label", "driver", "backend", "devnum", "usage",
					      "import_rule", "import_reason", NULL};
	static const char *const keys[] = {"label", "driver", "backend", "devnum", "usage",
					   "import_rule", "import_reason", "layout_domain", NULL};
	static const char *const strs[] = {"label", "driver", "backend", "import_reason"};
	const char **dst[] = {&info->label, &info->driver, &info->backend, &info->import_reason};
	struct json_object *o;
	const char *text;
	char p[160];
	int ret;

	if ((ret = want_type(dev, json_type_object, "device", "an object", why)) < 0 ||
	    (ret = check_keys(dev, "device", version == SCHEMA_VERSION ? keys : keys_v1, why)) < 0)
		return ret;
	*domain = "";
	if ((ret = member(dev, "device", "layout_domain", false, &o, p, sizeof(p), why)) < 0 ||
	    (o && (ret = get_string(o, p, domain, why)) < 0))
		return ret;
	if (strlen(*domain) >= LA_LAYOUT_DOMAIN_MAX)
		return bad(why, p, "longer than %d bytes", LA_LAYOUT_DOMAIN_MAX - 1);
	for (size_t i = 0; i < LA_ARRAY_SIZE(strs); i++) {
		bool required = i < 3;
		if ((ret = member(dev, "device", strs[i], required, &o, p, sizeof(p), why)) < 0 ||
		    (o && (ret = get_string(o, p, dst[i], why)) < 0))
			return ret;
	}
	if ((ret = member(dev, "device", "devnum", false, &o, p, sizeof(p), why)) < 0 ||
	    (o && ((ret = get_string(o, p, &text, why)) < 0 ||
		   (ret = parse_devnum(text, p, &info->devnum, why)) < 0)))
		return ret;
	if ((ret = member(dev, "device", "usage", true, &o, p, sizeof(p), why)) < 0 ||
	    (ret = parse_usage(o, p, &info->usage, why)) < 0)
		return ret;
	if ((ret = member(dev, "device", "import_rule", true, &o, p, sizeof(p), why)) < 0 ||
	    (ret = parse_import_rule(o, p, &info->import_rule, why)) < 0)
		return ret;
	return 0;
}

static int parse_modifier(struct json_object *o, const char *path, uint64_t *mod,
			  struct la_why *why)
{
	const char *text;
	int ret = get_string(o, path, &text, why);

	if (ret < 0)
		return ret;
	if (la_modifier_parse(text, mod) < 0)
		return bad(why, path, "expected \"linear\", \"implicit\" or 0x followed by 1..16 hex "
				 "digits, got \"%s\"", text);
	return 0;
}

static int parse_align_array(struct json_object *arr, const char *path, uint64_t *out,
			     struct la_why *why)
{
	if (!json_object_is_type(arr, json_type_array) ||
	    json_object_array_length(arr) != LA_MAX_PLANES)
		return bad(why, path, "expected array of %d integers", LA_MAX_PLANES);
	for (size_t i = 0; i < LA_MAX_PLANES; i++) {
		char p[160];
		join_index(p, sizeof(p), path, i);
		if (get_uint(json_object_array_get_idx(arr, i), p, UINT64_MAX, &out[i], why) < 0)
			return -EINVAL;
	}
	return 0;
}

static int parse_caching(struct json_object *arr, const char *path, uint32_t *caching,
			 struct la_why *why)
{
	size_t n;

	if (want_type(arr, json_type_array, path, "an array of caching names", why) < 0)
		return -EINVAL;
	n = json_object_array_length(arr);
	for (size_t i = 0; i < n; i++) {
		struct json_object *e = json_object_array_get_idx(arr, i);
		const char *name;
		uint32_t bit;
		char p[160];
		join_index(p, sizeof(p), path, i);
		if (get_string(e, p, &name, why) < 0)
			return -EINVAL;
		bit = bit_named(la_caching_name, name);
		if (!bit)
			return bad(why, p, "unknown caching \"%s\" (cached, writecombine, uncached)", name);
		*caching |= bit;
	}
	return 0;
}

static int parse_flag(struct json_object *o, const char *path, uint32_t bit, uint32_t *flags,
		      struct la_why *why)
{
	if (want_type(o, json_type_boolean, path, "a boolean", why) < 0)
		return -EINVAL;
	if (json_object_get_boolean(o))
		*flags |= bit;
	return 0;
}

/* One key of "constraints"; unknown keys were refused before. */
static int parse_constraint(const char *key, struct json_object *v, const char *path,
			    struct la_constraints *k, struct la_why *why)
{
	if (strcmp(key, "pitch_align") == 0)
		return parse_align_array(v, path, k->pitch_align, why);
	if (strcmp(key, "offset_align") == 0)
		return parse_align_array(v, path, k->offset_align, why);
	if (strcmp(key, "caching") == 0)
		return parse_caching(v, path, &k->caching, why);
	uint32_t flag = bit_named(la_constraint_flag_name, key);
	if (flag)
		return parse_flag(v, path, flag, &k->flags, why);
	for (size_t i = 0; i < LA_ARRAY_SIZE(scalars); i++) {
		uint64_t x;
		/* dma_addr_bits counts address bits: more than 64 is meaningless. */
		uint64_t max = scalars[i].is_u64 ? UINT64_MAX
			       : strcmp(key, "dma_addr_bits") == 0 ? 64 : UINT32_MAX;
		if (strcmp(key, scalars[i].name) != 0)
			continue;
		if (get_uint(v, path, max, &x, why) < 0)
			return -EINVAL;
		if (scalars[i].is_u64)
			*u64_field(k, i) = x;
		else
			*u32_field(k, i) = (uint32_t)x;
		return 0;
	}
	return -EINVAL; /* unreachable: keys were checked */
}

static int parse_constraints(struct json_object *obj, const char *path, struct la_constraints *k,
			     struct la_why *why)
{
	const char *known[LA_ARRAY_SIZE(scalars) + FLAG_BITS + 4];
	size_t n = 0;
	int ret;

	known[n++] = "pitch_align";
	known[n++] = "offset_align";
	known[n++] = "caching";
	for (size_t i = 0; i < LA_ARRAY_SIZE(scalars); i++)
		known[n++] = scalars[i].name;
	for (int i = 0; i < FLAG_BITS; i++)
		if (la_constraint_flag_name(1u << i))
			known[n++] = la_constraint_flag_name(1u << i);
	known[n] = NULL;
	if ((ret = want_type(obj, json_type_object, path, "an object", why)) < 0 ||
	    (ret = check_keys(obj, path, known, why)) < 0)
		return ret;
	json_object_object_foreach(obj, key, val) {
		char p[160];
		join(p, sizeof(p), path, key);
		if ((ret = parse_constraint(key, val, p, k, why)) < 0)
			return ret;
	}
	return 0;
}

static int parse_candidate(struct json_object *obj, const char *path, struct la_candidate *c,
			   struct la_why *why)
{
	static const char *const keys[] = {"format", "modifier", "plane_count", "constraints", NULL};
	struct json_object *o;
	const char *text;
	uint64_t planes = 0;
	char p[160];
	int ret;

	if ((ret = want_type(obj, json_type_object, path, "an object", why)) < 0 ||
	    (ret = check_keys(obj, path, keys, why)) < 0)
		return ret;
	if ((ret = member(obj, path, "format", true, &o, p, sizeof(p), why)) < 0 ||
	    (ret = get_string(o, p, &text, why)) < 0)
		return ret;
	if (la_format_parse_why(text, &c->format, why) < 0) {
		la_why_prefix(why, "%s", p);
		return -EINVAL;
	}
	if ((ret = member(obj, path, "modifier", true, &o, p, sizeof(p), why)) < 0 ||
	    (ret = parse_modifier(o, p, &c->modifier, why)) < 0)
		return ret;
	if ((ret = member(obj, path, "plane_count", false, &o, p, sizeof(p), why)) < 0 ||
	    (o && (ret = get_uint(o, p, LA_MAX_PLANES, &planes, why)) < 0))
		return ret;
	c->plane_count = (uint32_t)planes;
	if ((ret = member(obj, path, "constraints", false, &o, p, sizeof(p), why)) < 0 ||
	    (o && (ret = parse_constraints(o, p, &c->constraints, why)) < 0))
		return ret;
	return 0;
}

static int parse_candidates(struct json_object *arr, struct la_capset *set, struct la_why *why)
{
	size_t n;
	int ret;

	if ((ret = want_type(arr, json_type_array, "candidates", "an array", why)) < 0)
		return ret;
	n = json_object_array_length(arr);
	if (n > MAX_CANDIDATES)
		return bad(why, "candidates", "%zu entries (at most %d)", n, MAX_CANDIDATES);
	for (size_t i = 0; i < n; i++) {
		struct la_candidate c = {0};
		char p[64];
		join_index(p, sizeof(p), "candidates", i);
		if ((ret = parse_candidate(json_object_array_get_idx(arr, i), p, &c, why)) < 0)
			return ret;
		if ((ret = la_capset_add_candidate_why(set, &c, why)) < 0) {
			la_why_prefix(why, "%s", p);
			return ret == -ENOMEM ? ret : -EINVAL;
		}
	}
	return 0;
}

static int parse_version(struct json_object *root, uint64_t *version, struct la_why *why)
{
	struct json_object *o;
	char p[32];

	if (member(root, "", "liballoc_capset", true, &o, p, sizeof(p), why) < 0 ||
	    get_uint(o, p, UINT64_MAX, version, why) < 0)
		return -EINVAL;
	if (*version != SCHEMA_VERSION && *version != SCHEMA_VERSION_DOMAINLESS)
		return bad(why, p, "unsupported schema version %" PRIu64 " (this liballoc reads %d "
			   "and %d)", *version, SCHEMA_VERSION_DOMAINLESS, SCHEMA_VERSION);
	return 0;
}

static int parse_root(struct json_object *root, struct la_capset **out, struct la_why *why)
{
	static const char *const keys[] = {"liballoc_capset", "device", "candidates", NULL};
	struct la_capset_info info = {0};
	struct json_object *dev, *cands;
	const char *domain = "";
	uint64_t version = 0;
	char p[32];
	int ret;

	if ((ret = want_type(root, json_type_object, "(root)", "an object", why)) < 0 ||
	    (ret = parse_version(root, &version, why)) < 0 ||
	    (ret = check_keys(root, "", keys, why)) < 0 ||
	    (ret = member(root, "", "device", true, &dev, p, sizeof(p), why)) < 0 ||
	    (ret = parse_device(dev, version, &info, &domain, why)) < 0 ||
	    (ret = member(root, "", "candidates", true, &cands, p, sizeof(p), why)) < 0)
		return ret;
	if ((ret = la_capset_new_why(&info, out, why)) < 0) {
		la_why_prefix(why, "device");
		return ret == -ENOMEM ? ret : -EINVAL;
	}
	/* bounded above: only memory can fail */
	if (la_capset_set_layout_domain(*out, domain) < 0)
		ret = -ENOMEM;
	if (ret < 0 || (ret = parse_candidates(cands, *out, why)) < 0) {
		la_capset_destroy(*out);
		*out = NULL;
	}
	return ret;
}

/* Whole input must be one JSON value; json-c's strict mode refuses trailing text. */
static int parse_text(const char *json, struct json_object **root, struct la_why *why)
{
	struct json_tokener *tok = json_tokener_new_ex(MAX_DEPTH);
	size_t len = strlen(json);
	enum json_tokener_error err;
	size_t end;

	if (!tok)
		return -ENOMEM;
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	*root = json_tokener_parse_ex(tok, json, (int)len);
	err = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	if (err == json_tokener_success && *root && end == len)
		return 0;
	if (err == json_tokener_continue)
		la_why_set(why, -EINVAL, "JSON: truncated at byte %zu", len);
	else if (err != json_tokener_success || !*root)
		la_why_set(why, -EINVAL, "JSON: %s at byte %zu", json_tokener_error_desc(err), end);
	else
		la_why_set(why, -EINVAL, "JSON: trailing data at byte %zu", end);
	json_object_put(*root);
	*root = NULL;
	return -EINVAL;
}

static int capset_from_json(const char *json, struct la_capset **out, struct la_why *why)
{
	struct json_object *root;
	int ret;

	if (!out)
		return -EINVAL;
	*out = NULL;
	if (!json)
		return la_why_set(why, -EINVAL, "JSON: NULL input");
	/* json-c takes the length as int. */
	if (strlen(json) > INT32_MAX)
		return la_why_set(why, -EINVAL, "JSON: input larger than 2 GiB");
	if ((ret = parse_text(json, &root, why)) < 0)
		return ret;
	ret = parse_root(root, out, why);
	json_object_put(root);
	return ret;
}

LA_EXPORT int la_capset_from_json(const char *json, struct la_capset **out)
{
	struct la_why why = {0};

	return la_publish(&why, capset_from_json(json, out, &why));
}
