/* SPDX-License-Identifier: MIT */
/*
 * Finds and loads backend modules. Modules are named liballoc-<name>.so and
 * live in the install directory, or in the ':'-separated directories of
 * LIBALLOC_BACKEND_PATH, which is ignored in setuid/setgid processes (read
 * with secure_getenv) because it would let a user run code with raised
 * privileges. A directory or module writable by its group or other users,
 * or owned by someone else than root and this user, is refused for the same
 * reason, and the module loaded is the file that was checked (open_trusted).
 * Modules are loaded when a process needs them: those that may own a device
 * it opens, those that offer paths to every negotiation, every one for an
 * enumeration; their manifests say which (modules.c).
 */
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
int la_loader_check_trusted(const char *path, const struct stat *st, struct la_why *why)
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
	ret = S_ISREG(st.st_mode) ? la_loader_check_trusted(file, &st, why)
				  : la_why_set(why, -ELIBBAD, "%s: not a regular file", file);
	if (ret < 0) {
		close(fd);
		return ret;
	}
	snprintf(dl_name, len, "/proc/self/fd/%d", fd);
	*fd_out = fd;
	return 0;
}

/*
 * dlopen() of the checked file through its fd; by path, after the check,
 * only where /proc is not mounted (asked after a failure, so that a
 * process with /proc makes no extra system call per module).
 */
static void *dlopen_checked(const char *dl_name, const char *file)
{
	void *dl = dlopen(dl_name, RTLD_NOW | RTLD_LOCAL);

	if (!dl && access("/proc/self/fd", F_OK) != 0)
		dl = dlopen(file, RTLD_NOW | RTLD_LOCAL);
	return dl;
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
	be->dl = dlopen_checked(dl_name, file);
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

/* Failures that pass: loading again later may work, so they must not stick. */
static bool is_transient(int err)
{
	return err == -ENOMEM || err == -EMFILE || err == -ENFILE;
}

struct la_backend *la_loader_backend(struct la_context *ctx, size_t i)
{
	return __atomic_load_n(&ctx->backends[i], __ATOMIC_ACQUIRE);
}

static bool have_backend(struct la_context *ctx, const char *name)
{
	for (size_t i = 0; i < ctx->n_backends; i++)
		if (ctx->backends[i] && strcmp(ctx->backends[i]->name, name) == 0)
			return true;
	return false;
}

/* Which modules a load asks for: every one, or by what their manifests say. */
struct need {
	bool all;
	const char *subsystem; /* may own a node of it */
	bool neutral;          /* offers paths where it owns no device */
};

static bool needed(const struct la_context *ctx, const struct la_module *m, const struct need *n)
{
	if (n->all || ctx->load_eagerly || !m->has_manifest)
		return true;
	if (n->neutral && m->neutral_paths)
		return true;
	for (size_t i = 0; n->subsystem && i < m->n_claims; i++)
		if (strcmp(m->claims[i], n->subsystem) == 0)
			return true;
	return false;
}

/*
 * Loads module i into its slot. A broken module is refused once with a
 * warning; a lack of memory or fds is returned so that a later call tries
 * again.
 */
static int load_module(struct la_context *ctx, size_t i)
{
	struct la_module *m = &ctx->modules[i];
	struct la_why why = {0};
	struct la_backend *be;
	int ret = la_backend_load_file(ctx, m->file, &be, &why);

	if (ret < 0) {
		if (is_transient(ret))
			return ret;
		la_log(ctx, LA_LOG_WARN, "%s", la_why_text(&why, ret));
		m->broken = true;
		return 0;
	}
	if (m->has_manifest && strcmp(be->name, m->name) != 0) {
		la_log(ctx, LA_LOG_WARN, "%s: backend '%s', but its manifest names '%s': not loaded",
		       m->file, be->name, m->name);
		m->broken = true;
		la_backend_unload(be);
		return 0;
	}
	if (have_backend(ctx, be->name)) {
		la_dbg(ctx, "%s: backend '%s' already loaded from an earlier directory", m->file,
		       be->name);
		m->broken = true; /* not broken: never needed */
		la_backend_unload(be);
		return 0;
	}
	__atomic_store_n(&ctx->backends[i], be, __ATOMIC_SEQ_CST);
	/* after publishing: a level set meanwhile either sees the slot or is read here */
	la_backend_tell_log_level(be);
	la_dbg(ctx, "loaded backend '%s' from %s", be->name, m->file);
	return 0;
}

static int load(struct la_context *ctx, const struct need *need, struct la_why *why)
{
	int ret = 0;

	pthread_mutex_lock(&ctx->lock);
	if (!ctx->modules_listed) {
		char path[4096];
		double t = debug_ms(ctx);

		ret = la_loader_search_path(la_process_is_secure(), path, sizeof(path));
		if (ret == 0)
			ret = la_modules_list(ctx, path, why);
		ctx->modules_listed = ret == 0;
		if (ret == 0 && t > 0)
			la_dbg(ctx, "%zu module(s) listed in %.2f ms%s", ctx->n_backends,
			       debug_ms(ctx) - t, ctx->load_eagerly ? "; one without a manifest: "
			       "every module is loaded" : "");
	}
	for (size_t i = 0; ret == 0 && i < ctx->n_backends; i++) {
		if (ctx->backends[i] || ctx->modules[i].broken || !needed(ctx, &ctx->modules[i], need))
			continue;
		ret = load_module(ctx, i);
		if (ret < 0)
			la_why_set(why, ret, "%s: cannot load it now: %s", ctx->modules[i].file,
				   strerror(-ret));
	}
	pthread_mutex_unlock(&ctx->lock);
	return ret;
}

int la_loader_load_all(struct la_context *ctx, struct la_why *why)
{
	return load(ctx, &(struct need){.all = true}, why);
}

int la_loader_load_claimants(struct la_context *ctx, const char *subsystem, struct la_why *why)
{
	return load(ctx, &(struct need){.all = !subsystem, .subsystem = subsystem}, why);
}

int la_loader_load_path_providers(struct la_context *ctx, struct la_why *why)
{
	return load(ctx, &(struct need){.neutral = true}, why);
}

void la_loader_unload_all(struct la_context *ctx)
{
	for (size_t i = 0; i < ctx->n_backends; i++)
		la_backend_unload(ctx->backends[i]);
	la_modules_free(ctx);
	ctx->modules_listed = false;
}

void la_backend_lock(struct la_backend *be)
{
	pthread_mutex_lock(&be->lock);
}

void la_backend_unlock(struct la_backend *be)
{
	pthread_mutex_unlock(&be->lock);
}

/*
 * Without the backend's lock: a log handler may set the level from inside
 * a hook. A call that raced with a change is followed by one with the
 * level read after it, so the last call carries the latest level.
 */
void la_backend_tell_log_level(struct la_backend *be)
{
	enum la_log_level told;

	if (!be->iface->log_level)
		return;
	do {
		told = __atomic_load_n(&be->ctx->level, __ATOMIC_SEQ_CST);
		be->iface->log_level(be->data, told);
	} while (__atomic_load_n(&be->ctx->level, __ATOMIC_SEQ_CST) != told);
}

LA_EXPORT int la_context_get_backend_count(struct la_context *ctx, size_t *count)
{
	int ret;

	if (!ctx || !count)
		return -EINVAL;
	struct la_why why = {0};
	ret = la_loader_load_all(ctx, &why);
	*count = 0;
	for (size_t i = 0; i < ctx->n_backends; i++)
		*count += la_loader_backend(ctx, i) != NULL;
	return la_publish(&why, ret);
}

/* index counts the loaded modules only, in search-path order. */
LA_EXPORT const char *la_context_get_backend_name(struct la_context *ctx, size_t index)
{
	for (size_t i = 0; ctx && i < ctx->n_backends; i++) {
		struct la_backend *be = la_loader_backend(ctx, i);
		if (be && index-- == 0)
			return be->name;
	}
	return NULL;
}
