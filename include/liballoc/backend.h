/* SPDX-License-Identifier: MIT */
/*
 * The one interface every liballoc backend implements.
 *
 * A backend is a shared module exporting exactly one symbol,
 * `la_backend_entry` (use LA_BACKEND_DEFINE). The core checks abi_version
 * and that every required hook is set before it calls anything; an
 * optional hook left NULL means -ENOTSUP, decided by the core.
 *
 * A backend has no globals: what it needs from the core comes in through
 * struct la_backend_host at init, and its state lives behind the opaque
 * pointers it returns. It uses only the public liballoc API (liballoc.h),
 * never core internals, and never knows another backend.
 *
 * Threads: the core serialises calls into one backend instance with a
 * per-backend lock, so hooks need no locking of their own. The
 * exceptions are path_allocate on a path reported with LA_PATH_CONCURRENT
 * and log_level.
 */
#ifndef LIBALLOC_BACKEND_H
#define LIBALLOC_BACKEND_H

#include <liballoc/liballoc.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Bump on any incompatible change of the structs below. 2: every hook that
 * can fail gets an explicit struct la_why; the host lost diagnose().
 *
 * Growth without a bump: new optional hooks are only ever appended to
 * struct la_backend_interface. A module records the size of the interface
 * it was built with (la_backend_entry.iface_size, set by LA_BACKEND_DEFINE);
 * the core treats every hook beyond that size as absent (-ENOTSUP), so a
 * module built against an older header keeps loading.
 */
#define LA_BACKEND_ABI_VERSION 2
#define LA_BACKEND_ENTRY_SYMBOL "la_backend_entry"

struct la_backend_host {
	uint32_t abi_version;
	void *host_data;
	void (*log)(void *host_data, enum la_log_level level, const char *fmt, ...)
		__attribute__((format(printf, 3, 4)));
};

/* What probe() learnt about a device node it claims. */
struct la_backend_device_info {
	char driver[64];  /* kernel driver name, e.g. "vivid" */
	uint64_t usages;  /* LA_USAGE_* the device can serve (for listings) */
};

/* Memory a path hands out, as far as the core must know for matching. */
#define LA_PATH_CONTIGUOUS (1u << 0) /* physically contiguous */
#define LA_PATH_ADAPTIVE   (1u << 1) /* placement follows the devices that attach (SMAF) */
#define LA_PATH_PROTECTED  (1u << 2) /* protected memory; CPU maps refused */
#define LA_PATH_LINEAR_ONLY (1u << 3) /* only DRM_FORMAT_MOD_LINEAR layouts */
/*
 * path_allocate on this path needs no lock: the core calls it without the
 * backend's, so it may run at the same time as itself and as any other
 * hook (never as path_release of the same path). For a path whose
 * allocation is a few system calls on fds that do not change and reads of
 * state set before the path was reported (a backend lock costs as much as
 * the ioctl's own user-space part). A module built before this flag
 * leaves it clear and keeps the lock.
 */
#define LA_PATH_CONCURRENT (1u << 4)

struct la_path_desc {
	const char *name;      /* unique, "dma-heap:system"; copied by the core */
	int rank;              /* base rank: neutral heaps ~500, device memory ~300 */
	uint32_t flags;        /* LA_PATH_* */
	uint32_t caching;      /* one LA_CACHING_* bit: what CPU maps get */
	uint32_t dma_addr_bits; /* memory lies below 2^bits; 0 = anywhere */
	/*
	 * The participating device that allocates this memory (its own dumb
	 * buffers, V4L2 MMAP) or NULL for a neutral allocator. Decides the
	 * import rules "own only" and "none".
	 */
	struct la_device *owner;
};

/* One allocation the core asks a path about. */
struct la_alloc_request {
	uint32_t format;
	uint64_t modifier;
	uint32_t width;
	uint32_t height;
	uint32_t buffer_count;
	uint64_t usage;                          /* union of every device's usage */
	/* merged, plus LA_CONSTRAINT_CONTIGUOUS if a participant that does not
	 * own the path imports only contiguous dma-bufs (LA_IMPORT_CONTIGUOUS) */
	const struct la_constraints *constraints;
	/* Core's linear layout for these constraints; NULL if not linear. */
	const struct la_layout *layout;
	struct la_device *const *devices;        /* participants (NULL if offline) */
	size_t n_devices;
};

/*
 * Every hook that can fail gets why (never NULL): before it returns a
 * negative errno it says why with la_why_set(), naming the device and the
 * constraint or kernel call, with the errno. The core turns it into
 * la_last_diagnosis() or a result's diagnosis; a backend never touches those.
 */

/* Where list_paths() reports paths; path is the backend's own data. */
typedef int (*la_path_sink_fn)(void *sink, const struct la_path_desc *desc, void *path);
/* Where enumerate() reports device nodes ("/dev/video0"). */
typedef int (*la_enumerate_fn)(void *ctx, const char *node);

struct la_backend_interface {
	/* Required. */
	int (*init)(const struct la_backend_host *host, void **backend, struct la_why *why);
	void (*finish)(void *backend);
	/*
	 * Claims a device node (fd owned by the core, valid until
	 * device_close). -ENODEV: not a node of this backend (silent).
	 */
	int (*probe)(void *backend, int fd, const char *node, void **device,
		     struct la_backend_device_info *info, struct la_why *why);
	void (*device_close)(void *backend, void *device);

	/* Optional. */
	/* Calls add() for every node this backend could open. */
	int (*enumerate)(void *backend, la_enumerate_fn add, void *ctx, struct la_why *why);
	/*
	 * Fills set (already created with the device's identity) with the
	 * candidates for usage and assertion, and sets its import rule with
	 * la_capset_set_import_rule(). -ENOTSUP and why if the device
	 * cannot serve usage.
	 */
	int (*get_capabilities)(void *backend, void *device, uint64_t usage,
				const struct la_assertion *assertion, struct la_capset *set,
				struct la_why *why);
	/*
	 * Reports the allocation paths this backend offers to a negotiation:
	 * neutral ones (heaps) and those of participating devices it owns
	 * (devices[i] with device_data[i] != NULL are this backend's).
	 */
	int (*list_paths)(void *backend, struct la_device *const *devices,
			  void *const *device_data, size_t n, la_path_sink_fn sink, void *sink_data,
			  struct la_why *why);
	/*
	 * Backend-specific checks beyond the core's generic ones (which already
	 * applied contiguity, address limit, caching, protection and import
	 * rules). 0 = usable, *rank may be adjusted; negative and why = why not.
	 * On success, why may say why the rank was adjusted: the text is
	 * added to the path's reason (la_path_info.reason).
	 */
	int (*path_match)(void *backend, void *path, const struct la_alloc_request *req, int *rank,
			  struct la_why *why);
	/*
	 * Allocates one buffer: fills out with owned fds (O_CLOEXEC), offsets,
	 * pitches and flags. out arrives zeroed with every plane's fd -1: a
	 * field left alone reads 0 (plane_count 0 reads as 1). May use
	 * req->layout or the driver's own layout; the core validates the
	 * result against req->constraints.
	 */
	int (*path_allocate)(void *backend, void *path, const struct la_alloc_request *req,
			     struct la_descriptor *out, struct la_why *why);
	void (*path_release)(void *backend, void *path);
	/* Imports desc into the device; *imp is the backend's import state. */
	int (*import)(void *backend, void *device, uint64_t usage, const struct la_descriptor *desc,
		      void **imp, struct la_why *why);
	/* A value that records a failure (smaf.last_error) may come with its reason in why. */
	int (*import_get_property)(void *backend, void *imp, const char *name, uint64_t *value,
				   struct la_why *why);
	void (*import_release)(void *backend, void *imp);

	/* Appended hooks (see LA_BACKEND_ABI_VERSION); all optional. */
	/* The LA_USAGE_BACKEND_MASK bit of a full name ("test.magic"); -ENOENT if unknown. */
	int (*usage_from_name)(void *backend, const char *name, uint64_t *bit, struct la_why *why);
	/*
	 * Which devices share this device's implicit layouts (buffers of
	 * LA_MODIFIER_IMPLICIT). Called once after probe() with key zeroed,
	 * len LA_LAYOUT_DOMAIN_MAX: write a NUL-terminated key that every
	 * device laying out implicit buffers the same way also writes, named
	 * after what decides the layout (e.g. "amdgpu:gfx10.3"), or leave it
	 * "". Absent or "": the device shares its implicit layouts with itself
	 * only (the same node, or another node of the same device number).
	 */
	void (*layout_domain)(void *backend, void *device, char *key, size_t len);
	/*
	 * The context's log level: once after the module is loaded, and again
	 * on every la_context_set_log_level(). host->log drops what is above
	 * it anyway; a backend that keeps it skips the call, and the building
	 * of its arguments, in a per-buffer trace. Until the first call it
	 * must assume LA_LOG_DEBUG (a core without this hook never calls it).
	 * Called without the backend's lock (a log handler may change the
	 * level from inside a hook), perhaps from two threads at once and
	 * while other hooks run: store and read the level atomically.
	 */
	void (*log_level)(void *backend, enum la_log_level level);
};

struct la_backend_entry {
	uint32_t abi_version;  /* LA_BACKEND_ABI_VERSION the module was built with */
	const char *name;      /* "drm", "v4l2", ... */
	const struct la_backend_interface *iface;
	size_t iface_size;     /* sizeof(struct la_backend_interface) the module was built with */
};

#define LA_BACKEND_DEFINE(backend_name, interface)                                  \
	__attribute__((visibility("default"))) const struct la_backend_entry         \
		la_backend_entry = {                                                 \
			.abi_version = LA_BACKEND_ABI_VERSION,                       \
			.name = (backend_name),                                      \
			.iface = &(interface),                                       \
			.iface_size = sizeof(interface),                             \
		}

/*
 * Set by get_capabilities(): the device's import rule, and reason (copied;
 * NULL reads as "") saying how it was found. -EINVAL: set NULL, rule not
 * an enum la_import_rule, or reason longer than 255 bytes (the bound every
 * capability set string has, so the set can always be serialized).
 * -ENOMEM: copying reason failed. On failure the set is unchanged.
 */
int la_capset_set_import_rule(struct la_capset *set, enum la_import_rule rule, const char *reason);

#ifdef __cplusplus
}
#endif

#endif
