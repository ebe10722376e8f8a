/* SPDX-License-Identifier: MIT */
/* Core-private declarations shared by the files of src/. Never installed. */
#ifndef LA_PRIVATE_H
#define LA_PRIVATE_H

#include <liballoc/backend.h>
#include <liballoc/liballoc.h>
#include <pthread.h>

#define LA_EXPORT __attribute__((visibility("default")))
#define LA_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/*
 * Thread-local reason of the last failure (la_last_diagnosis()). Written
 * only by exported functions, directly or through la_publish(), and never
 * read back inside the library: internal calls hand reasons back in an
 * explicit struct la_why.
 */
void la_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void la_diag_clear(void);

/*
 * Explicit reasons (why.c). la_why_prefix() prepends context unless the text
 * already starts with it; la_why_text() falls back on strerror(-err).
 */
/* Inline: every public call clears one, a buffer per frame makes many calls. */
static inline void la_why_clear(struct la_why *why)
{
	why->err = 0;
	why->text[0] = '\0';
}
void la_why_prefix(struct la_why *why, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends to the text as far as it fits. */
void la_why_append(struct la_why *why, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
const char *la_why_text(const struct la_why *why, int err);
/*
 * The public API boundary: an exported function that failed with ret hands
 * why's text to la_last_diagnosis() (once, here) and returns ret; on
 * success the diagnosis is left alone. A failure with no text (a lack of
 * memory deep inside) is published as "FUNCTION failed: strerror", so that
 * no failure leaves an empty or an earlier diagnosis.
 */
int la_publish_from(const char *func, const struct la_why *why, int ret);
/* success decided inline: no call on the path every buffer takes */
static inline int la_publish_at(const char *func, const struct la_why *why, int ret)
{
	return ret < 0 ? la_publish_from(func, why, ret) : ret;
}
#define la_publish(why, ret) la_publish_at(__func__, (why), (ret))

/* Layouts with an explicit reason (layout.c); the exported ones publish it. */
int la_layout_compute_why(uint32_t format, uint32_t width, uint32_t height,
			  const struct la_constraints *c, struct la_layout *out,
			  struct la_why *why);
int la_layout_validate_why(uint32_t format, uint32_t width, uint32_t height,
			   const struct la_constraints *c, const struct la_layout *layout,
			   struct la_why *why);

/* Overflow-checked arithmetic: return false on overflow. */
static inline bool la_mul_u64(uint64_t a, uint64_t b, uint64_t *r)
{
	return !__builtin_mul_overflow(a, b, r);
}
static inline bool la_add_u64(uint64_t a, uint64_t b, uint64_t *r)
{
	return !__builtin_add_overflow(a, b, r);
}
/* Rounds v up to a multiple of align (0 = no constraint). */
static inline bool la_align_u64(uint64_t v, uint64_t align, uint64_t *r)
{
	if (align == 0) {
		*r = v;
		return true;
	}
	uint64_t rem = v % align;
	if (rem == 0) {
		*r = v;
		return true;
	}
	return la_add_u64(v, align - rem, r);
}

/* ---- objects ---- */

struct la_backend {
	struct la_context *ctx;
	char *name;
	char *file;
	int fd;   /* the module file as checked; loaded through /proc/self/fd (loader.c) */
	void *dl;
	/* points at iface_copy: hooks beyond the module's iface_size are NULL */
	const struct la_backend_interface *iface;
	struct la_backend_interface iface_copy;
	void *data;
	struct la_backend_host host;
	pthread_mutex_t lock; /* serialises every hook call (backend.h) */
};

/*
 * A backend module found in the search path, loaded or not: what its
 * manifest (backends/README.md) declares, read without loading it.
 */
#define LA_MODULE_MAX_CLAIMS 8
struct la_module {
	char *file;
	bool has_manifest;
	bool broken;          /* refused once (warned): never tried again */
	bool neutral_paths;   /* offers paths in negotiations where it owns no device */
	char name[64];        /* the manifest's; the module's entry must say the same */
	size_t n_claims;
	char claims[LA_MODULE_MAX_CLAIMS][32]; /* sysfs subsystems of the nodes it may own */
};

struct la_context {
	pthread_mutex_t lock; /* module table, loading */
	la_log_fn log_fn;
	void *log_data;
	enum la_log_level level;
	bool modules_listed;  /* set once, under lock; the table never changes after */
	bool load_eagerly;    /* a module has no manifest: every module is loaded */
	struct la_module *modules;
	/*
	 * One slot per module, in search-path order; NULL until the module is
	 * loaded. Slots are filled under lock and read without it
	 * (la_loader_backend), so that a device opened in one thread never
	 * waits for another's loading.
	 */
	struct la_backend **backends;
	size_t n_backends;
	/* a freed buffer object kept for the next buffer (buffer.c); atomic */
	struct la_buffer *spare_buffer;
};

struct la_device {
	int refcount; /* atomic */
	struct la_context *ctx;
	struct la_backend *backend;
	void *data;
	int fd;
	char *node;  /* device node, "" if opened from an fd without one */
	char *label;
	char driver[64];
	dev_t devnum;
	uint64_t usages;
	char layout_domain[LA_LAYOUT_DOMAIN_MAX]; /* backend's layout_domain hook, "" = none */
};

/*
 * Who a capability set speaks for. A negotiation result keeps a copy per
 * participant (result.h), so that it outlives the sets.
 */
struct la_identity {
	struct la_device *device; /* reference, or NULL when loaded from a file */
	char *label;
	char *driver;
	char *import_reason;      /* never NULL once copied */
	char *layout_domain;      /* never NULL once copied */
	dev_t devnum;
	uint64_t usage;
	enum la_import_rule import_rule;
	/* candidates of the set, and how many require LA_CONSTRAINT_CONTIGUOUS */
	size_t n_cands, n_contig_cands;
};
/*
 * Who defines an implicit layout (LA_MODIFIER_IMPLICIT), enough to compare
 * two of them; references nothing. A device number names a device; without
 * one (a file) only the same la_device object is the same device.
 */
struct la_layout_id {
	dev_t devnum;
	const void *device; /* identity only, never dereferenced */
	char domain[LA_LAYOUT_DOMAIN_MAX];
};
void la_layout_id_of_device(const struct la_device *dev, struct la_layout_id *out);
void la_layout_id_of_identity(const struct la_identity *id, struct la_layout_id *out);
/* Same device, or the same declared non-empty layout domain. */
bool la_layout_id_shared(const struct la_layout_id *a, const struct la_layout_id *b);
/* "devnum 226:1" / "no device number" and the domain, for diagnoses. */
void la_layout_id_describe(const struct la_layout_id *id, char *buf, size_t len);

void la_identity_fini(struct la_identity *id);

struct la_capset {
	struct la_identity identity;
	char *backend;
	struct la_candidate *cands;
	size_t n_cands;
	size_t cap_cands;
	struct la_capset_index *index; /* negotiation's view, built on demand (capindex.h) */
};

/* ---- logging ---- */
void la_log(struct la_context *ctx, enum la_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
#define la_err(ctx, ...) la_log(ctx, LA_LOG_ERROR, __VA_ARGS__)
/* checked before the call: a debug message on a per-buffer path costs a varargs call otherwise */
#define la_dbg(ctx, ...)                                                    \
	do {                                                                \
		struct la_context *la_dbg_ctx_ = (ctx);                     \
		if (la_dbg_ctx_ && la_dbg_ctx_->level >= LA_LOG_DEBUG)      \
			la_log(la_dbg_ctx_, LA_LOG_DEBUG, __VA_ARGS__);     \
	} while (0)
bool la_log_enabled(struct la_context *ctx, enum la_log_level level);
/* The handler a context starts with (and gets back for NULL). */
void la_log_to_stderr(void *data, enum la_log_level level, const char *msg);

/* AT_SECURE: setuid/setgid or raised capabilities; environment is the user's. */
bool la_process_is_secure(void);
/* LIBALLOC_DEBUG asks for debug traces; always false when secure. */
bool la_debug_from_env(bool secure);

/* ---- loader ---- */
/* Every module of the search path. */
int la_loader_load_all(struct la_context *ctx, struct la_why *why);
/*
 * The modules that may own a node of this sysfs subsystem ("drm",
 * "video4linux", ...; NULL: unknown, every module).
 */
int la_loader_load_claimants(struct la_context *ctx, const char *subsystem, struct la_why *why);
/* The modules that offer paths in a negotiation where they own no device. */
int la_loader_load_path_providers(struct la_context *ctx, struct la_why *why);
/* Slot i (< ctx->n_backends) after one of the above: NULL if not loaded. */
struct la_backend *la_loader_backend(struct la_context *ctx, size_t i);
/* The module table (modules.c): search-path folders listed, manifests read. */
int la_modules_list(struct la_context *ctx, const char *search_path, struct la_why *why);
void la_modules_free(struct la_context *ctx);
struct stat;
/* The module table's cache file across processes (modcache.c). */
struct la_modcache {
	int dfd;    /* $XDG_RUNTIME_DIR/liballoc, -1: no cache */
	char *old;  /* the file as read, "" if none */
	char *text; /* what this listing found, written back by close if it differs */
	size_t len;
};
void la_modcache_open(struct la_modcache *c);
/* The modules of dir as last listed, if dir (st) is unchanged since; -ENOENT if not known. */
int la_modcache_lookup(struct la_modcache *c, const char *dir, const struct stat *st,
		       struct la_module **mods, size_t *n);
void la_modcache_record(struct la_modcache *c, const char *dir, const struct stat *st,
			const struct la_module *mods, size_t n);
void la_modcache_close(struct la_modcache *c);
/* Whether a file or folder may hold code or data for this process. */
int la_loader_check_trusted(const char *path, const struct stat *st, struct la_why *why);
void la_loader_unload_all(struct la_context *ctx);
/* Directories searched, ':'-separated; secure selects the setuid rules. */
int la_loader_search_path(bool secure, char *buf, size_t len);
int la_backend_load_file(struct la_context *ctx, const char *file, struct la_backend **out,
			 struct la_why *why);
void la_backend_unload(struct la_backend *be);
void la_backend_lock(struct la_backend *be);
void la_backend_unlock(struct la_backend *be);
/* Hands be its context's log level (backend.h: log_level), if it asks for it. */
void la_backend_tell_log_level(struct la_backend *be);

/* ---- constraints ---- */
uint64_t la_gcd_u64(uint64_t a, uint64_t b);
/* lcm with 0 meaning "none"; false on overflow. */
bool la_lcm_u64(uint64_t a, uint64_t b, uint64_t *r);
/*
 * Merges in into acc. On conflict returns -EOVERFLOW/-EINVAL and sets
 * *what to a static name of the field that failed.
 */
int la_constraints_merge(struct la_constraints *acc, const struct la_constraints *in,
			 const char **what);

/* ---- capsets ---- */
int la_capset_new_for_device(struct la_device *dev, uint64_t usage, struct la_capset **out,
			     struct la_why *why);
/* The exported functions of the same name, with an explicit reason. */
int la_capset_new_why(const struct la_capset_info *info, struct la_capset **out,
		      struct la_why *why);
int la_capset_add_candidate_why(struct la_capset *set, const struct la_candidate *cand,
				struct la_why *why);
int la_usage_parse_why(const char *text, uint64_t *usage, struct la_why *why);
int la_format_parse_why(const char *name, uint32_t *format, struct la_why *why);
/* la_device_get_capabilities() with an explicit reason. */
int la_capset_query(struct la_device *dev, uint64_t usage, const struct la_assertion *assertion,
		    struct la_capset **out, struct la_why *why);

/* ---- strings ---- */
struct la_strbuf {
	char *data;
	size_t len;
	size_t cap;
	bool failed;
};
void la_strbuf_printf(struct la_strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
char *la_strbuf_steal(struct la_strbuf *sb);
void la_strbuf_free(struct la_strbuf *sb);

#endif
