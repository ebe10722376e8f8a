/* SPDX-License-Identifier: MIT */
/*
 * TEST DOUBLE, built only for the unit tests and never installed: a backend
 * whose "devices" are regular files ending in ".testdev" holding a JSON
 * description, so the core's loader, negotiation, ranking and buffer code
 * can be exercised without kernel devices. Buffers are memfds. Real
 * backends are tested against real drivers in the vm suite.
 *
 * Device file:
 *   {"driver": "fake_display", "import_rule": "own-only",
 *    "candidates": [{"format": "XR24", "modifiers": [0, 5],
 *                    "pitch_align": 64, "contiguous": true, ...}],
 *    "own_path": {"rank": 300, "flags": ["contiguous"], "caching": "wc"},
 *    "layout_domain": "fake:tiles"}
 * Neutral paths come from LIBALLOC_TEST_HEAPS (same "path" objects plus
 * "name"), devices to enumerate from LIBALLOC_TEST_DEVICES (':'-separated).
 * A path with "fail": N makes its N-th allocation fail with ENOMEM, one
 * with "matches": N refuses every path_match after the N-th, one with
 * "short": N returns a memfd a page too small for its planes at its N-th
 * allocation (a backend bug the core must refuse). Flag "concurrent" sets
 * LA_PATH_CONCURRENT; any other path's allocation fails if it ever finds
 * another one of its own in progress (the core's lock is missing), and a
 * "rendezvous" path's first two allocations each wait (up to 10 s) for the
 * other to start (the core serialised them). A path whose
 * name has "never" never matches (EINVAL), one with "denied" is refused
 * with EACCES, as a heap node the user may not open.
 */
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <liballoc/backend.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

struct tpath {
	char name[64];
	struct la_path_desc desc;
	int fail_at;
	int allocs;  /* atomic, as inside and arrived: a concurrent path's */
	int inside;
	int arrived;
	bool rendezvous;
	int match_limit;
	int matches;
	int short_at;
};

struct tdev {
	struct la_device *self; /* set lazily from list_paths */
	json_object *root;
	char driver[64];
	struct tpath own;
	bool has_own;
};

struct tbackend {
	const struct la_backend_host *host;
	struct tpath heaps[8];
	size_t n_heaps;
};

struct timport {
	uint32_t format;
};

static uint32_t parse_caching(const char *s)
{
	if (!s)
		return LA_CACHING_CACHED;
	if (!strcmp(s, "wc"))
		return LA_CACHING_WRITECOMBINE;
	if (!strcmp(s, "uncached"))
		return LA_CACHING_UNCACHED;
	return LA_CACHING_CACHED;
}

static const char *str_of(json_object *o, const char *key)
{
	json_object *v;
	return json_object_object_get_ex(o, key, &v) ? json_object_get_string(v) : NULL;
}

static int64_t int_of(json_object *o, const char *key, int64_t def)
{
	json_object *v;
	return json_object_object_get_ex(o, key, &v) ? json_object_get_int64(v) : def;
}

static bool has_flag(json_object *o, const char *flag)
{
	json_object *arr;
	if (!json_object_object_get_ex(o, "flags", &arr))
		return false;
	for (size_t i = 0; i < json_object_array_length(arr); i++)
		if (!strcmp(json_object_get_string(json_object_array_get_idx(arr, i)), flag))
			return true;
	return false;
}

static void parse_path(json_object *o, const char *name, struct tpath *p)
{
	memset(p, 0, sizeof(*p));
	snprintf(p->name, sizeof(p->name), "%s", name);
	p->desc.name = p->name;
	p->desc.rank = (int)int_of(o, "rank", 100);
	p->desc.caching = parse_caching(str_of(o, "caching"));
	p->desc.dma_addr_bits = (uint32_t)int_of(o, "dma_addr_bits", 0);
	p->desc.flags = (has_flag(o, "contiguous") ? LA_PATH_CONTIGUOUS : 0) |
			(has_flag(o, "adaptive") ? LA_PATH_ADAPTIVE : 0) |
			(has_flag(o, "protected") ? LA_PATH_PROTECTED : 0) |
			(has_flag(o, "linear-only") ? LA_PATH_LINEAR_ONLY : 0) |
			(has_flag(o, "concurrent") ? LA_PATH_CONCURRENT : 0);
	p->rendezvous = has_flag(o, "rendezvous");
	p->fail_at = (int)int_of(o, "fail", 0);
	p->match_limit = (int)int_of(o, "matches", 0);
	p->short_at = (int)int_of(o, "short", 0);
}

static int tb_init(const struct la_backend_host *host, void **out, struct la_why *why)
{
	struct tbackend *b = calloc(1, sizeof(*b));
	const char *heaps = getenv("LIBALLOC_TEST_HEAPS");

	if (!b)
		return -ENOMEM;
	b->host = host;
	if (getenv("LIBALLOC_TEST_INIT_FAIL")) {
		free(b);
		return -EIO;
	}
	if (heaps) {
		json_object *arr = json_tokener_parse(heaps);
		for (size_t i = 0; arr && i < json_object_array_length(arr) && i < 8; i++) {
			json_object *o = json_object_array_get_idx(arr, i);
			parse_path(o, str_of(o, "name") ? str_of(o, "name") : "heap", &b->heaps[i]);
			b->n_heaps++;
		}
		json_object_put(arr);
	}
	*out = b;
	return 0;
}

static void tb_finish(void *backend)
{
	free(backend);
}

static int tb_probe(void *backend, int fd, const char *node, void **device,
		    struct la_backend_device_info *info, struct la_why *why)
{
	struct tdev *d;
	size_t len = node ? strlen(node) : 0;

	(void)backend;
	if (len < 8 || strcmp(node + len - 8, ".testdev") != 0)
		return -ENODEV;
	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	d->root = json_object_from_fd(fd);
	if (!d->root) {
		free(d);
		return -EINVAL;
	}
	snprintf(d->driver, sizeof(d->driver), "%s",
		 str_of(d->root, "driver") ? str_of(d->root, "driver") : "testdev");
	json_object *own;
	if (json_object_object_get_ex(d->root, "own_path", &own)) {
		char name[80];
		snprintf(name, sizeof(name), "own:%.59s", d->driver);
		parse_path(own, name, &d->own);
		d->has_own = true;
	}
	memcpy(info->driver, d->driver, sizeof(info->driver));
	info->usages = LA_USAGE_CORE_MASK;
	*device = d;
	return 0;
}

static void tb_device_close(void *backend, void *device)
{
	struct tdev *d = device;
	(void)backend;
	json_object_put(d->root);
	free(d);
}

static int tb_enumerate(void *backend, la_enumerate_fn add, void *ctx, struct la_why *why)
{
	const char *env = getenv("LIBALLOC_TEST_DEVICES");
	char buf[4096];

	(void)backend;
	if (!env)
		return 0;
	snprintf(buf, sizeof(buf), "%s", env);
	char *save = NULL;
	for (char *p = strtok_r(buf, ":", &save); p; p = strtok_r(NULL, ":", &save))
		add(ctx, p);
	return 0;
}

static enum la_import_rule parse_rule(const char *s)
{
	if (!s)
		return LA_IMPORT_ANY;
	if (!strcmp(s, "contiguous"))
		return LA_IMPORT_CONTIGUOUS;
	if (!strcmp(s, "own-only"))
		return LA_IMPORT_OWN_ONLY;
	if (!strcmp(s, "none"))
		return LA_IMPORT_NONE;
	return LA_IMPORT_ANY;
}

static void fill_constraints(json_object *o, struct la_constraints *c)
{
	for (int p = 0; p < LA_MAX_PLANES; p++) {
		c->pitch_align[p] = (uint64_t)int_of(o, "pitch_align", 0);
		c->offset_align[p] = (uint64_t)int_of(o, "offset_align", 0);
	}
	c->size_align = (uint64_t)int_of(o, "size_align", 0);
	c->height_align = (uint32_t)int_of(o, "height_align", 0);
	c->max_pitch = (uint64_t)int_of(o, "max_pitch", 0);
	c->max_width = (uint32_t)int_of(o, "max_width", 0);
	c->dma_addr_bits = (uint32_t)int_of(o, "dma_addr_bits", 0);
	c->caching = (uint32_t)int_of(o, "caching", 0);
	c->flags = (has_flag(o, "contiguous") ? LA_CONSTRAINT_CONTIGUOUS : 0) |
		   (has_flag(o, "protected-ok") ? LA_CONSTRAINT_PROTECTED_OK : 0) |
		   (has_flag(o, "protected-required") ? LA_CONSTRAINT_PROTECTED_REQUIRED : 0);
}

static int add_candidates(struct tbackend *b, json_object *c, struct la_capset *set,
			  struct la_why *why)
{
	uint32_t format;
	json_object *mods;

	if (la_format_parse(str_of(c, "format") ? str_of(c, "format") : "", &format) < 0) {
		la_why_set(why, 0, "test device: bad format");
		return -EINVAL;
	}
	struct la_candidate cand = {.format = format};
	fill_constraints(c, &cand.constraints);
	if (!json_object_object_get_ex(c, "modifiers", &mods))
		return la_capset_add_candidate(set, &cand);
	for (size_t m = 0; m < json_object_array_length(mods); m++) {
		cand.modifier = (uint64_t)json_object_get_int64(json_object_array_get_idx(mods, m));
		int ret = la_capset_add_candidate(set, &cand);
		if (ret < 0)
			return ret;
	}
	return 0;
}

static int tb_get_capabilities(void *backend, void *device, uint64_t usage,
			       const struct la_assertion *a, struct la_capset *set,
			       struct la_why *why)
{
	struct tbackend *b = backend;
	struct tdev *d = device;
	json_object *cands;
	int64_t refuse = int_of(d->root, "refuse_usage", 0);

	(void)a;
	if (usage & (uint64_t)refuse) {
		la_why_set(why, 0, "%s cannot serve this usage", d->driver);
		return -ENOTSUP;
	}
	if (json_object_object_get_ex(d->root, "candidates", &cands)) {
		for (size_t i = 0; i < json_object_array_length(cands); i++) {
			int ret = add_candidates(b, json_object_array_get_idx(cands, i), set, why);
			if (ret < 0)
				return ret;
		}
	}
	return la_capset_set_import_rule(set, parse_rule(str_of(d->root, "import_rule")),
					 str_of(d->root, "import_reason"));
}

static int tb_usage_from_name(void *backend, const char *name, uint64_t *bit, struct la_why *why)
{
	(void)backend;
	if (strcmp(name, "test.magic") == 0) {
		*bit = UINT64_C(1) << 40;
		return 0;
	}
	return -ENOENT;
}

static int tb_list_paths(void *backend, struct la_device *const *devices,
			 void *const *device_data, size_t n, la_path_sink_fn sink, void *sink_data,
			 struct la_why *why)
{
	struct tbackend *b = backend;

	for (size_t i = 0; i < b->n_heaps; i++)
		sink(sink_data, &b->heaps[i].desc, &b->heaps[i]);
	for (size_t i = 0; i < n; i++) {
		struct tdev *d = device_data[i];
		if (!d || !d->has_own)
			continue;
		d->own.desc.owner = devices[i];
		sink(sink_data, &d->own.desc, &d->own);
	}
	return 0;
}

static int tb_path_match(void *backend, void *path, const struct la_alloc_request *req, int *rank,
			 struct la_why *why)
{
	struct tpath *p = path;

	if (strstr(p->name, "never"))
		return la_why_set(why, -EINVAL, "this test path never matches");
	if (strstr(p->name, "denied"))
		return la_why_set(why, -EACCES, "no permission to open this test path's node");
	if (p->match_limit && ++p->matches > p->match_limit)
		return la_why_set(why, -EINVAL, "%s: matched %d times already", p->name,
				  p->match_limit);
	(void)req;
	(void)rank;
	return 0;
}

static uint64_t fallback_size(const struct la_alloc_request *req)
{
	return (uint64_t)req->width * req->height * 4;
}

/* The first two callers of a rendezvous path each wait for the other. */
static int rendezvous(struct tpath *p, struct la_why *why)
{
	int n = __atomic_add_fetch(&p->arrived, 1, __ATOMIC_ACQ_REL);

	for (int ms = 0; n <= 2 && __atomic_load_n(&p->arrived, __ATOMIC_ACQUIRE) < 2; ms++) {
		if (ms == 10000)
			return la_why_set(why, -ETIMEDOUT, "%s: no second allocation started "
					  "while the first waited (serialised)", p->name);
		usleep(1000);
	}
	return 0;
}

static int tb_path_allocate_one(struct tpath *p, const struct la_alloc_request *req,
				struct la_descriptor *out, struct la_why *why)
{
	uint64_t size = req->layout ? req->layout->size : fallback_size(req);
	int n = __atomic_add_fetch(&p->allocs, 1, __ATOMIC_RELAXED), fd;

	if (p->rendezvous && rendezvous(p, why) < 0)
		return -ETIMEDOUT;
	if (p->fail_at && n == p->fail_at)
		return la_why_set(why, -ENOMEM, "%s: injected ENOMEM", p->name);
	if (p->short_at && n == p->short_at)
		size = size > 4096 ? size - 4096 : 1;
	fd = memfd_create("liballoc-test", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0)
		return -errno;
	/* sealed as a peer's memfd must be (la_buffer_from_descriptor) */
	if (ftruncate(fd, (off_t)size) < 0 || fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK) < 0) {
		close(fd);
		return -errno;
	}
	out->format = req->format;
	out->modifier = req->modifier;
	out->width = req->width;
	out->height = req->height;
	out->plane_count = req->layout ? req->layout->plane_count : 1;
	out->flags = p->desc.caching == LA_CACHING_CACHED ? LA_BUFFER_CACHED : 0;
	if (p->desc.flags & LA_PATH_PROTECTED)
		out->flags |= LA_BUFFER_PROTECTED;
	for (uint32_t i = 0; i < out->plane_count; i++) {
		out->planes[i].fd = fd;
		out->planes[i].offset = req->layout ? req->layout->offset[i] : 0;
		out->planes[i].pitch = req->layout ? req->layout->pitch[i] : (uint64_t)req->width * 4;
		out->planes[i].size = req->layout ? req->layout->plane_size[i] : size;
	}
	return 0;
}

static int tb_path_allocate(void *backend, void *path, const struct la_alloc_request *req,
			    struct la_descriptor *out, struct la_why *why)
{
	struct tpath *p = path;
	int ret;

	(void)backend;
	if (__atomic_add_fetch(&p->inside, 1, __ATOMIC_ACQ_REL) > 1 &&
	    !(p->desc.flags & LA_PATH_CONCURRENT))
		ret = la_why_set(why, -EDEADLK, "%s: two allocations at once on a path "
				 "without LA_PATH_CONCURRENT", p->name);
	else
		ret = tb_path_allocate_one(p, req, out, why);
	__atomic_sub_fetch(&p->inside, 1, __ATOMIC_ACQ_REL);
	return ret;
}

static void tb_path_release(void *backend, void *path)
{
	(void)backend;
	(void)path;
}

static int tb_import(void *backend, void *device, uint64_t usage, const struct la_descriptor *desc,
		     void **imp, struct la_why *why)
{
	struct tdev *d = device;
	struct timport *t;
	json_object *cands;

	(void)usage;
	if (json_object_object_get_ex(d->root, "candidates", &cands)) {
		for (size_t i = 0; i < json_object_array_length(cands); i++) {
			uint32_t f = 0;
			la_format_parse(str_of(json_object_array_get_idx(cands, i), "format"), &f);
			if (f != desc->format)
				continue;
			t = calloc(1, sizeof(*t));
			if (!t)
				return -ENOMEM;
			t->format = f;
			*imp = t;
			return 0;
		}
	}
	la_why_set(why, 0, "%s does not take this format", d->driver);
	return -EINVAL;
}

static int tb_import_get_property(void *backend, void *imp, const char *name, uint64_t *value,
				  struct la_why *why)
{
	struct timport *t = imp;
	(void)backend;
	if (strcmp(name, "format") != 0)
		return -ENOENT;
	*value = t->format;
	return 0;
}

static void tb_import_release(void *backend, void *imp)
{
	(void)backend;
	free(imp);
}

/* Traces what it is told, at debug level: seen only when the context debugs. */
static void tb_log_level(void *backend, enum la_log_level level)
{
	struct tbackend *b = backend;

	b->host->log(b->host->host_data, LA_LOG_DEBUG, "told log level %d", (int)level);
}

/* The device file's "layout_domain", if any (backend.h: who shares implicit layouts). */
static void tb_layout_domain(void *backend, void *device, char *key, size_t len)
{
	struct tdev *d = device;
	const char *k = str_of(d->root, "layout_domain");

	(void)backend;
	if (k)
		snprintf(key, len, "%s", k);
}

static const struct la_backend_interface test_iface = {
	.init = tb_init,
	.finish = tb_finish,
	.probe = tb_probe,
	.device_close = tb_device_close,
	.enumerate = tb_enumerate,
	.get_capabilities = tb_get_capabilities,
	.usage_from_name = tb_usage_from_name,
	.list_paths = tb_list_paths,
	.path_match = tb_path_match,
	.path_allocate = tb_path_allocate,
	.path_release = tb_path_release,
	.import = tb_import,
	.import_get_property = tb_import_get_property,
	.import_release = tb_import_release,
	.layout_domain = tb_layout_domain,
	.log_level = tb_log_level,
};

LA_BACKEND_DEFINE("test", test_iface);
