/* SPDX-License-Identifier: MIT */
/*
 * The module table: every liballoc-<name>.so of the search path, in
 * search-path order, with what its manifest (liballoc-<name>.manifest in
 * the same folder, backends/README.md) declares. A process then loads only
 * the modules its devices and negotiations need (loader.c): a module is
 * code that costs its dlopen, relocations and init in every process, a
 * manifest a short read. Each folder is listed once per context; the
 * manifests come from the same listing, so looking for one costs nothing;
 * and a folder unchanged since an earlier process listed it is not listed
 * again (modcache.c).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "private.h"

#define MODULE_PREFIX "liballoc-"
#define MODULE_SUFFIX ".so"
#define MANIFEST_SUFFIX ".manifest"
#define MANIFEST_MAX 4096

static bool has_affixes(const char *n, const char *suffix)
{
	size_t len = strlen(n), pl = strlen(MODULE_PREFIX), sl = strlen(suffix);
	return len > pl + sl && strncmp(n, MODULE_PREFIX, pl) == 0 &&
	       strcmp(n + len - sl, suffix) == 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void free_names(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* Module and manifest file names of dir, sorted: the load order is deterministic. */
static int list_dir(const char *dir, char ***names, size_t *count)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **v = NULL;
	size_t n = 0;

	*names = NULL;
	*count = 0;
	if (!d)
		return -errno;
	while ((e = readdir(d))) {
		if (!has_affixes(e->d_name, MODULE_SUFFIX) && !has_affixes(e->d_name, MANIFEST_SUFFIX))
			continue;
		char **nv = realloc(v, (n + 1) * sizeof(*v));
		char *s = strdup(e->d_name);
		if (!nv || !s) {
			free(s);
			free_names(nv ? nv : v, n);
			closedir(d);
			return -ENOMEM;
		}
		v = nv;
		v[n++] = s;
	}
	closedir(d);
	if (n)
		qsort(v, n, sizeof(*v), cmp_str);
	*names = v;
	*count = n;
	return 0;
}

static bool listed(char *const *names, size_t n, const char *name)
{
	return bsearch(&name, names, n, sizeof(*names), cmp_str) != NULL;
}

static char *trim(char *s)
{
	char *end;

	while (*s == ' ' || *s == '\t')
		s++;
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
		*--end = '\0';
	return s;
}

static int parse_claims(struct la_module *m, char *value, const char *file, struct la_why *why)
{
	char *save = NULL;

	for (char *w = strtok_r(value, " \t,", &save); w; w = strtok_r(NULL, " \t,", &save)) {
		if (m->n_claims == LA_MODULE_MAX_CLAIMS || strlen(w) >= sizeof(m->claims[0]))
			return la_why_set(why, -EINVAL, "%s: 'claims' lists more than %d "
					  "subsystems or one longer than %zu characters", file,
					  LA_MODULE_MAX_CLAIMS, sizeof(m->claims[0]) - 1);
		strcpy(m->claims[m->n_claims++], w);
	}
	return 0;
}

/*
 * "key = value" lines, '#' comments. Unknown keys are skipped (a later
 * liballoc may read more); a known key with a bad value fails the manifest.
 */
static int parse_manifest(struct la_module *m, char *text, const char *file, struct la_why *why)
{
	bool has_paths = false, has_claims = false;
	char *save = NULL;
	unsigned line = 0;

	for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		char *eq, *key, *value;
		int ret = 0;

		line++;
		l[strcspn(l, "#")] = '\0';
		key = trim(l);
		if (!key[0])
			continue;
		eq = strchr(key, '=');
		if (!eq)
			return la_why_set(why, -EINVAL, "%s: line %u: no '='", file, line);
		*eq = '\0';
		key = trim(key);
		value = trim(eq + 1);
		if (strcmp(key, "name") == 0) {
			if (!value[0] || strlen(value) >= sizeof(m->name))
				return la_why_set(why, -EINVAL, "%s: line %u: bad name", file, line);
			strcpy(m->name, value);
		} else if (strcmp(key, "claims") == 0) {
			has_claims = true;
			ret = parse_claims(m, value, file, why);
		} else if (strcmp(key, "neutral-paths") == 0) {
			has_paths = true;
			if (strcmp(value, "yes") != 0 && strcmp(value, "no") != 0)
				return la_why_set(why, -EINVAL, "%s: line %u: neutral-paths is "
						  "yes or no, not '%s'", file, line, value);
			m->neutral_paths = strcmp(value, "yes") == 0;
		}
		if (ret < 0)
			return ret;
	}
	if (!m->name[0] || !has_claims || !has_paths)
		return la_why_set(why, -EINVAL, "%s: needs name, claims and neutral-paths", file);
	return 0;
}

/* Reads and checks a manifest the same way as the module it describes. */
static int read_manifest(struct la_module *m, const char *file, struct la_why *why)
{
	char text[MANIFEST_MAX + 1];
	struct stat st;
	ssize_t n;
	int fd = open(file, O_RDONLY | O_CLOEXEC), ret;

	if (fd < 0) {
		ret = -errno;
		return la_why_set(why, ret, "%s: %s", file, strerror(-ret));
	}
	if (fstat(fd, &st) != 0) {
		ret = la_why_set(why, -errno, "%s: %s", file, strerror(errno));
	} else if (!S_ISREG(st.st_mode)) {
		ret = la_why_set(why, -EINVAL, "%s: not a regular file", file);
	} else {
		ret = la_loader_check_trusted(file, &st, why);
	}
	n = ret == 0 ? read(fd, text, sizeof(text)) : 0;
	if (n < 0)
		ret = la_why_set(why, -errno, "%s: %s", file, strerror(errno));
	else if (n > MANIFEST_MAX)
		ret = la_why_set(why, -EFBIG, "%s: larger than %d bytes", file, MANIFEST_MAX);
	close(fd);
	if (ret < 0)
		return ret;
	text[n] = '\0';
	if (memchr(text, '\0', (size_t)n))
		return la_why_set(why, -EINVAL, "%s: not a text file", file);
	return parse_manifest(m, text, file, why);
}

static bool have_module(const struct la_context *ctx, const struct la_module *m)
{
	for (size_t i = 0; i < ctx->n_backends; i++) {
		if (strcmp(ctx->modules[i].file, m->file) == 0)
			return true;
		/* an earlier folder's module of that name wins, as when loading */
		if (m->has_manifest && ctx->modules[i].has_manifest &&
		    strcmp(ctx->modules[i].name, m->name) == 0)
			return true;
	}
	return false;
}

static int add_module(struct la_context *ctx, struct la_module *m)
{
	struct la_module *v = realloc(ctx->modules, (ctx->n_backends + 1) * sizeof(*v));

	if (!v)
		return -ENOMEM;
	ctx->modules = v;
	ctx->modules[ctx->n_backends++] = *m;
	return 0;
}

/* The module m of dir, named name, with its manifest if listed. */
static int describe(struct la_context *ctx, const char *dir, const char *name, char *const *names,
		    size_t n, struct la_module *m, bool *complete)
{
	char file[PATH_MAX];
	size_t stem = strlen(name) - strlen(MODULE_SUFFIX);
	struct la_why why = {0};
	int ret;

	*m = (struct la_module){0};
	if (snprintf(file, sizeof(file), "%s/%s", dir, name) >= (int)sizeof(file))
		return -ENAMETOOLONG;
	m->file = strdup(file);
	if (!m->file)
		return -ENOMEM;
	if (snprintf(file, sizeof(file), "%.*s%s", (int)stem, name, MANIFEST_SUFFIX) >=
	    (int)sizeof(file) || !listed(names, n, file))
		return 0;
	snprintf(file, sizeof(file), "%s/%.*s%s", dir, (int)stem, name, MANIFEST_SUFFIX);
	ret = read_manifest(m, file, &why);
	if (ret == -ENOMEM || ret == -EMFILE || ret == -ENFILE) {
		free(m->file);
		m->file = NULL;
		return ret;
	}
	if (ret < 0) {
		*complete = false;
		la_log(ctx, LA_LOG_WARN, "%s (the module is loaded in every process)",
		       la_why_text(&why, ret));
		*m = (struct la_module){.file = m->file};
		return 0;
	}
	m->has_manifest = true;
	return 0;
}

static void free_mods(struct la_module *mods, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(mods[i].file);
	free(mods);
}

/* The modules of dir from its listing and manifests; *complete: every manifest was read. */
static int read_folder(struct la_context *ctx, const char *dir, struct la_module **mods,
		       size_t *n_mods, bool *complete)
{
	char **names;
	size_t n;
	int ret = list_dir(dir, &names, &n);

	*mods = NULL;
	*n_mods = 0;
	*complete = true;
	if (ret < 0)
		return ret;
	for (size_t i = 0; i < n && ret == 0; i++) {
		struct la_module m, *v;

		if (!has_affixes(names[i], MODULE_SUFFIX))
			continue;
		ret = describe(ctx, dir, names[i], names, n, &m, complete);
		if (ret == -ENAMETOOLONG) {
			ret = 0;
			continue;
		}
		if (ret < 0)
			break;
		v = realloc(*mods, (*n_mods + 1) * sizeof(*v));
		if (!v) {
			free(m.file);
			ret = -ENOMEM;
			break;
		}
		*mods = v;
		v[(*n_mods)++] = m;
	}
	free_names(names, n);
	if (ret < 0) {
		free_mods(*mods, *n_mods);
		*mods = NULL;
		*n_mods = 0;
	}
	return ret;
}

static int list_folder(struct la_context *ctx, struct la_modcache *cache, const char *dir,
		       struct la_why *why)
{
	struct la_module *mods;
	struct stat st;
	size_t n;
	bool complete = true;
	int ret = stat(dir, &st) == 0 ? 0 : -errno;

	if (ret == -ENOENT || ret == -ENOTDIR)
		return 0; /* a folder that does not exist is no error */
	if (ret == 0)
		ret = la_loader_check_trusted(dir, &st, why);
	else
		la_why_set(why, ret, "%s: %s", dir, strerror(-ret));
	if (ret < 0) {
		la_log(ctx, LA_LOG_WARN, "%s", why->text);
		la_why_clear(why);
		return 0;
	}
	ret = la_modcache_lookup(cache, dir, &st, &mods, &n);
	if (ret == 0)
		la_dbg(ctx, "%s: %zu module(s) as listed by an earlier process (module cache)", dir, n);
	else
		ret = read_folder(ctx, dir, &mods, &n, &complete);
	if (ret < 0)
		return ret == -ENOMEM || ret == -EMFILE || ret == -ENFILE
			? la_why_set(why, ret, "%s: cannot list backends: %s", dir, strerror(-ret))
			: 0;
	/* a manifest that failed warns in every process until it is fixed */
	if (complete)
		la_modcache_record(cache, dir, &st, mods, n);
	for (size_t i = 0; i < n; i++) {
		struct la_module *m = &mods[i];

		if (ret < 0 || have_module(ctx, m)) {
			if (ret == 0)
				la_dbg(ctx, "%s: a module of that file or name is listed from an "
				       "earlier folder", m->file);
			free(m->file);
			continue;
		}
		ctx->load_eagerly |= !m->has_manifest;
		ret = add_module(ctx, m);
		if (ret < 0)
			free(m->file);
	}
	free(mods);
	if (ret < 0)
		la_why_set(why, ret, "%s: cannot list backends: %s", dir, strerror(-ret));
	return ret;
}

int la_modules_list(struct la_context *ctx, const char *search_path, struct la_why *why)
{
	char path[4096], *save = NULL;
	struct la_modcache cache;
	int ret = 0;

	snprintf(path, sizeof(path), "%s", search_path);
	la_modcache_open(&cache);
	for (char *dir = strtok_r(path, ":", &save); dir && ret == 0;
	     dir = strtok_r(NULL, ":", &save))
		ret = list_folder(ctx, &cache, dir, why);
	if (ret < 0) { /* a partial listing is not written */
		free(cache.text);
		cache.text = NULL;
	}
	la_modcache_close(&cache);
	if (ret == 0 && ctx->n_backends) {
		ctx->backends = calloc(ctx->n_backends, sizeof(*ctx->backends));
		if (!ctx->backends)
			ret = la_why_set(why, -ENOMEM, "out of memory for the backend table");
	}
	if (ret < 0)
		la_modules_free(ctx); /* listed again by the next call */
	return ret;
}

void la_modules_free(struct la_context *ctx)
{
	for (size_t i = 0; i < ctx->n_backends; i++)
		free(ctx->modules[i].file);
	free(ctx->modules);
	free(ctx->backends);
	ctx->modules = NULL;
	ctx->backends = NULL;
	ctx->n_backends = 0;
	ctx->load_eagerly = false;
}
