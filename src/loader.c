/* SPDX-License-Identifier: MIT */
/*
 * Finds and loads backend modules. Modules are named liballoc-<name>.so and
 * live in the install directory, or in the ':'-separated directories of
 * LIBALLOC_BACKEND_PATH, which is ignored in setuid/setgid processes (read
 * with secure_getenv) because it would let a user run code with raised
 * privileges. A directory or module writable by its group or other users,
 * or owned by someone else than root and this user, is refused for the same
 * reason, and the module loaded is the file that was checked (open_trusted).
 */
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "private.h"

#define MODULE_PREFIX "liballoc-"
#define MODULE_SUFFIX ".so"
/* The interface of LA_BACKEND_ABI_VERSION's first revision: everything before the appended hooks. */
#define LA_BACKEND_IFACE_MIN_SIZE offsetof(struct la_backend_interface, usage_from_name)

int la_loader_search_path(bool secure, char *buf, size_t len)
{
	const char *env = secure ? NULL : secure_getenv("LIBALLOC_BACKEND_PATH");
	int n;

	if (env && env[0])
		n = snprintf(buf, len, "%s", env);
	else
		n = snprintf(buf, len, "%s", LA_PLUGINDIR);
	return (n < 0 || (size_t)n >= len) ? -ENAMETOOLONG : 0;
}

/*
 * Whether what st describes may hold code for this process: writable by
 * nobody but its owner, and owned by root or by the user we run as.
 * Anyone else could plant or swap a module.
 */
static int check_trusted(const char *path, const struct stat *st, struct la_why *why)
{
	if (st->st_mode & (S_IWGRP | S_IWOTH))
		return la_why_set(why, -EPERM,
				  "%s is writable by %s: refusing to load backends from it", path,
				  (st->st_mode & S_IWOTH) ? "other users" : "its group");
	if (st->st_uid != 0 && st->st_uid != geteuid())
		return la_why_set(why, -EPERM,
				  "%s belongs to uid %u, neither root nor this user (uid %u): "
				  "refusing to load backends from it", path, (unsigned)st->st_uid,
				  (unsigned)geteuid());
	return 0;
}

static int check_dir_trusted(const char *path, struct la_why *why)
{
	struct stat st;

	if (stat(path, &st) != 0) {
		int err = errno;
		return la_why_set(why, -err, "%s: %s", path, strerror(err));
	}
	return check_trusted(path, &st, why);
}

/*
 * Opens the module file and checks that file, the one then loaded through
 * /proc/self/fd: checking a path and loading it by path again leaves a
 * window to swap the file in between. The fd stays open while the module
 * is loaded (debuggers and sanitizers symbolize through that name).
 */
static int open_trusted(const char *file, int *fd_out, char *dl_name, size_t len,
			struct la_why *why)
{
	struct stat st;
	int fd = open(file, O_RDONLY | O_CLOEXEC), ret;

	if (fd < 0) {
		ret = -errno;
		return la_why_set(why, ret, "%s: %s", file, strerror(-ret));
	}
	if (fstat(fd, &st) != 0) {
		ret = -errno;
		close(fd);
		return la_why_set(why, ret, "%s: %s", file, strerror(-ret));
	}
	ret = S_ISREG(st.st_mode) ? check_trusted(file, &st, why)
				  : la_why_set(why, -ELIBBAD, "%s: not a regular file", file);
	if (ret < 0) {
		close(fd);
		return ret;
	}
	snprintf(dl_name, len, "/proc/self/fd/%d", fd);
	if (access(dl_name, R_OK) != 0)
		snprintf(dl_name, len, "%s", file); /* no /proc: by path, after the check */
	*fd_out = fd;
	return 0;
}

/*
 * Milliseconds since an arbitrary point, for the debug traces of what
 * loading costs (a fresh process pays it once); 0 unless debugging.
 */
static double debug_ms(struct la_context *ctx)
{
	struct timespec t;

	if (!la_log_enabled(ctx, LA_LOG_DEBUG) || clock_gettime(CLOCK_MONOTONIC, &t) != 0)
		return 0;
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

__attribute__((format(printf, 3, 4)))
static void host_log(void *host_data, enum la_log_level level, const char *fmt, ...)
{
	struct la_backend *be = host_data;
	char msg[900];
	va_list ap;

	if (!la_log_enabled(be->ctx, level))
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	la_log(be->ctx, level, "[%s] %s", be->name, msg);
}

static int check_interface(const char *file, const struct la_backend_entry *entry,
			   struct la_why *why)
{
	const struct la_backend_interface *i = entry->iface;

	if (entry->abi_version != LA_BACKEND_ABI_VERSION)
		return la_why_set(why, -EPROTO,
				  "%s: backend interface version %u, liballoc needs %u", file,
			entry->abi_version, LA_BACKEND_ABI_VERSION);
	if (!entry->name || !entry->name[0] || !i)
		return la_why_set(why, -EINVAL,
				  "%s: backend entry has no name or no interface", file);
	if (entry->iface_size < LA_BACKEND_IFACE_MIN_SIZE)
		return la_why_set(why, -EPROTO,
				  "%s: backend interface of %zu bytes, version %u has "
				  "at least %zu", file, entry->iface_size, LA_BACKEND_ABI_VERSION,
				  (size_t)LA_BACKEND_IFACE_MIN_SIZE);
	/* only the hooks of the first revision of this version: they lie within any module's size */
	if (!i->init || !i->finish || !i->probe || !i->device_close)
		return la_why_set(why, -EINVAL,
				  "%s: backend '%s' lacks a required hook (init, finish, probe, device_close)",
			file, entry->name);
	if ((i->path_allocate && !i->list_paths) || (i->import && !i->import_release))
		return la_why_set(why, -EINVAL,
				  "%s: backend '%s' has unpaired hooks", file, entry->name);
	return 0;
}

void la_backend_unload(struct la_backend *be)
{
	if (!be)
		return;
	if (be->data && be->iface)
		be->iface->finish(be->data);
	if (be->dl)
		dlclose(be->dl);
	if (be->fd >= 0)
		close(be->fd);
	pthread_mutex_destroy(&be->lock);
	free(be->name);
	free(be->file);
	free(be);
}

int la_backend_load_file(struct la_context *ctx, const char *file, struct la_backend **out,
			 struct la_why *why)
{
	const struct la_backend_entry *entry;
	struct la_backend *be;
	int ret;

	*out = NULL;
	be = calloc(1, sizeof(*be));
	if (!be)
		return -ENOMEM;
	be->ctx = ctx;
	be->fd = -1;
	pthread_mutex_init(&be->lock, NULL);
	be->file = strdup(file);
	if (!be->file) {
		ret = -ENOMEM;
		goto fail;
	}
	/*
	 * dlopen() reports every failure as text; opening the file first also
	 * tells a lack of fds or memory apart from a broken module.
	 */
	char dl_name[PATH_MAX];
	double t_open = debug_ms(ctx), t_dl;
	ret = open_trusted(file, &be->fd, dl_name, sizeof(dl_name), why);
	if (ret < 0)
		goto fail;
	t_dl = debug_ms(ctx);
	be->dl = dlopen(dl_name, RTLD_NOW | RTLD_LOCAL);
	if (!be->dl) {
		la_why_set(why, -ELIBBAD, "%s: %s", file, dlerror());
		ret = -ELIBBAD;
		goto fail;
	}
	entry = dlsym(be->dl, LA_BACKEND_ENTRY_SYMBOL);
	if (!entry) {
		la_why_set(why, -ELIBBAD,
			   "%s: no symbol %s: not a liballoc backend", file, LA_BACKEND_ENTRY_SYMBOL);
		ret = -ELIBBAD;
		goto fail;
	}
	ret = check_interface(file, entry, why);
	if (ret < 0)
		goto fail;
	/*
	 * The one place that decides which hooks a module has: a module built
	 * against an older header has a shorter interface, and what lies
	 * beyond it is absent (NULL), never read.
	 */
	memcpy(&be->iface_copy, entry->iface,
	       entry->iface_size < sizeof(be->iface_copy) ? entry->iface_size
							 : sizeof(be->iface_copy));
	be->iface = &be->iface_copy;
	be->name = strdup(entry->name);
	if (!be->name) {
		ret = -ENOMEM;
		goto fail;
	}
	be->host = (struct la_backend_host){
		.abi_version = LA_BACKEND_ABI_VERSION,
		.host_data = be,
		.log = host_log,
	};
	la_why_clear(why);
	double t_init = debug_ms(ctx);
	ret = be->iface->init(&be->host, &be->data, why);
	if (ret < 0) {
		be->data = NULL;
		la_why_prefix(why, "%s: backend '%s' init failed (%s)", file, be->name, strerror(-ret));
		goto fail;
	}
	if (t_open > 0)
		la_dbg(ctx, "%s: opened and checked in %.2f ms, dlopen and entry check %.2f ms, "
		       "init %.2f ms", file, t_dl - t_open, t_init - t_dl, debug_ms(ctx) - t_init);
	*out = be;
	return 0;
fail:
	la_backend_unload(be);
	return ret;
}

static bool have_backend(struct la_context *ctx, const char *name)
{
	for (size_t i = 0; i < ctx->n_backends; i++)
		if (strcmp(ctx->backends[i]->name, name) == 0)
			return true;
	return false;
}

static bool have_file(struct la_context *ctx, const char *file)
{
	for (size_t i = 0; i < ctx->n_backends; i++)
		if (strcmp(ctx->backends[i]->file, file) == 0)
			return true;
	return false;
}

/* Failures that pass: loading again later may work, so they must not stick. */
static bool is_transient(int err)
{
	return err == -ENOMEM || err == -EMFILE || err == -ENFILE;
}

static int add_backend(struct la_context *ctx, struct la_backend *be)
{
	struct la_backend **b = realloc(ctx->backends, (ctx->n_backends + 1) * sizeof(*b));
	if (!b)
		return -ENOMEM;
	ctx->backends = b;
	ctx->backends[ctx->n_backends++] = be;
	return 0;
}

static bool is_module_name(const char *n)
{
	size_t len = strlen(n), pl = strlen(MODULE_PREFIX), sl = strlen(MODULE_SUFFIX);
	return len > pl + sl && strncmp(n, MODULE_PREFIX, pl) == 0 &&
	       strcmp(n + len - sl, MODULE_SUFFIX) == 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Module file names of dir, sorted so that load order is deterministic. */
static int list_modules(const char *dir, char ***names, size_t *count)
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
		if (!is_module_name(e->d_name))
			continue;
		char **nv = realloc(v, (n + 1) * sizeof(*v));
		char *s = strdup(e->d_name);
		if (!nv || !s) {
			free(s);
			if (nv)
				v = nv;
			for (size_t i = 0; i < n; i++)
				free(v[i]);
			free(v);
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

/*
 * Loads the modules of dir that are not loaded yet. A broken module is
 * skipped with a warning; a lack of memory or fds is returned (after the
 * rest of the folder was tried) so that the caller can retry later.
 */
static int load_dir(struct la_context *ctx, const char *dir, struct la_why *why)
{
	char **names;
	size_t n;
	int ret, err = 0;

	ret = check_dir_trusted(dir, why);
	if (ret == -ENOENT || ret == -ENOTDIR)
		return 0; /* a folder that does not exist is no error */
	if (ret < 0) {
		la_log(ctx, LA_LOG_WARN, "%s", why->text);
		return 0;
	}
	double t_list = debug_ms(ctx);
	ret = list_modules(dir, &names, &n);
	if (ret < 0) {
		if (!is_transient(ret))
			return 0; /* a folder that does not exist is no error */
		return la_why_set(why, ret, "%s: cannot list backends: %s", dir, strerror(-ret));
	}
	if (t_list > 0)
		la_dbg(ctx, "%s: %zu module(s) listed in %.2f ms", dir, n, debug_ms(ctx) - t_list);
	for (size_t i = 0; i < n; i++) {
		char file[PATH_MAX];
		struct la_backend *be;

		if (snprintf(file, sizeof(file), "%s/%s", dir, names[i]) >= (int)sizeof(file) ||
		    have_file(ctx, file))
			goto next;
		ret = la_backend_load_file(ctx, file, &be, why);
		if (ret < 0) {
			if (is_transient(ret))
				err = ret;
			else
				la_log(ctx, LA_LOG_WARN, "%s", la_why_text(why, ret));
			goto next;
		}
		if (have_backend(ctx, be->name)) {
			la_dbg(ctx, "%s: backend '%s' already loaded from an earlier directory",
			       file, be->name);
			la_backend_unload(be);
			goto next;
		}
		ret = add_backend(ctx, be);
		if (ret < 0) {
			la_backend_unload(be);
			err = ret;
			goto next;
		}
		la_dbg(ctx, "loaded backend '%s' from %s", be->name, file);
next:
		free(names[i]);
	}
	free(names);
	if (err < 0)
		la_why_set(why, err, "%s: cannot load every backend: %s", dir, strerror(-err));
	return err;
}

int la_loader_load_all(struct la_context *ctx, struct la_why *why)
{
	char path[4096];
	int ret;

	pthread_mutex_lock(&ctx->lock);
	if (ctx->backends_loaded) {
		pthread_mutex_unlock(&ctx->lock);
		return 0;
	}
	ret = la_loader_search_path(la_process_is_secure(), path, sizeof(path));
	if (ret == 0) {
		char *save = NULL;
		for (char *dir = strtok_r(path, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
			/* its own reason: loading a later folder's backends clears
			 * the one it is given, and the first error is returned */
			struct la_why dir_why = {0};
			int err = load_dir(ctx, dir, &dir_why);
			if (err < 0 && ret == 0) {
				ret = err;
				*why = dir_why;
			}
		}
		/* after a lack of memory or fds, the next call tries again */
		ctx->backends_loaded = ret == 0;
	}
	pthread_mutex_unlock(&ctx->lock);
	return ret;
}

void la_loader_unload_all(struct la_context *ctx)
{
	for (size_t i = 0; i < ctx->n_backends; i++)
		la_backend_unload(ctx->backends[i]);
	free(ctx->backends);
	ctx->backends = NULL;
	ctx->n_backends = 0;
	ctx->backends_loaded = false;
}

void la_backend_lock(struct la_backend *be)
{
	pthread_mutex_lock(&be->lock);
}

void la_backend_unlock(struct la_backend *be)
{
	pthread_mutex_unlock(&be->lock);
}

LA_EXPORT int la_context_get_backend_count(struct la_context *ctx, size_t *count)
{
	int ret;

	if (!ctx || !count)
		return -EINVAL;
	struct la_why why = {0};
	ret = la_loader_load_all(ctx, &why);
	*count = ctx->n_backends;
	return la_publish(&why, ret);
}

LA_EXPORT const char *la_context_get_backend_name(struct la_context *ctx, size_t index)
{
	if (!ctx || index >= ctx->n_backends)
		return NULL;
	return ctx->backends[index]->name;
}
