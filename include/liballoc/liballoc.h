/* SPDX-License-Identifier: MIT */
/*
 * liballoc: find the memory, format and layout every device of a pipeline
 * can use, and allocate it where it works.
 *
 * Conventions (true for every function below; each function's comment
 * names the errnos particular to it):
 *  - int functions return 0 (or the documented index) on success and a
 *    negative errno on failure. Nothing aborts on bad input, and a failed
 *    call leaves no partial state: an object it would have created is not
 *    created and *out is NULL (la_negotiate*() note their exception).
 *  - -EINVAL: a pointer argument is NULL. Every pointer argument is
 *    required unless its comment says it may be NULL.
 *  - -ENOMEM: memory ran out. Any call that allocates can return it; it is
 *    not listed at every function. Calls that create fds can likewise return
 *    -EMFILE/-ENFILE.
 *  - Calls that load backends (la_device_open*(), la_context_enumerate(),
 *    la_context_get_backend_count(), la_negotiate*(): each loads the
 *    modules it needs that a context has not loaded yet, see the modules'
 *    manifests in backends/README.md) can also return -ENAMETOOLONG
 *    (LIBALLOC_BACKEND_PATH longer than 4095 bytes); after -ENOMEM,
 *    -EMFILE or -ENFILE the next such call tries to load again. A module
 *    that is not a usable backend is skipped with a warning, not an error.
 *  - "kernel errno": the errno of the named system call or ioctl, passed
 *    through unchanged (-EACCES, -EBUSY, -EFAULT ...).
 *  - Objects are opaque. *_destroy()/ *_unref() accept NULL.
 *  - "borrowed" fds/pointers stay owned by liballoc and are valid while the
 *    object that returned them lives; "owned" ones belong to the caller.
 *    Strings passed in are copied unless a comment says otherwise.
 *  - Every fd liballoc creates has O_CLOEXEC.
 *  - Diagnosis: when a call fails for a reason a human should read (a
 *    device refused a constraint, a kernel call failed), it writes the
 *    reason to a buffer of the calling thread that la_last_diagnosis()
 *    returns. Any later liballoc call in that thread may replace or clear
 *    the text (some clear it on entry even when they succeed), so read or
 *    copy it before the next liballoc call in the thread. A failure with
 *    nothing to explain (-EINVAL for a NULL argument, -ENOMEM) may leave
 *    an earlier text in place.
 *
 * Thread safety: contexts are independent. One context and the objects made
 * from it may be used from several threads at once, except that one object
 * must not be destroyed while another thread uses it, and a buffer mapping
 * belongs to the thread that made it until it is unmapped.
 */
#ifndef LIBALLOC_LIBALLOC_H
#define LIBALLOC_LIBALLOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

#define LA_MAX_PLANES 4

struct la_context;
struct la_device;
struct la_capset;
struct la_result;
struct la_buffer;
struct la_import;

/* ------------------------------------------------------------------ */
/* Context and logging                                                 */

enum la_log_level {
	LA_LOG_ERROR = 1,
	LA_LOG_WARN = 2,
	LA_LOG_INFO = 3,
	LA_LOG_DEBUG = 4,
};

typedef void (*la_log_fn)(void *data, enum la_log_level level, const char *msg);

/*
 * Creates a context; *out is owned (la_context_destroy()). Backends are not
 * loaded until a device is opened or enumerated. The default log handler
 * prints errors and warnings (a backend that failed to load) to stderr;
 * LIBALLOC_DEBUG=1 raises the level to debug (negotiation traces).
 * -EINVAL if out is NULL, -ENOMEM.
 */
int la_context_new(struct la_context **out);
/*
 * Unloads the backends and frees ctx (NULL ok). Destroy every object made
 * from ctx (devices, capability sets, results, buffers, imports) first.
 */
void la_context_destroy(struct la_context *ctx);
/*
 * handler NULL restores the default (stderr) handler; data is passed to
 * handler as is (never freed). ctx NULL: nothing happens.
 */
void la_context_set_log_handler(struct la_context *ctx, la_log_fn handler, void *data);
/* ctx NULL or a level outside LA_LOG_ERROR..LA_LOG_DEBUG: nothing happens. */
void la_context_set_log_level(struct la_context *ctx, enum la_log_level level);

/*
 * The reason of this thread's last diagnosed failure ("" if none), never
 * NULL. Borrowed from a per-thread buffer: the text lasts until the next
 * liballoc call in this thread (see "Diagnosis" at the top).
 */
const char *la_last_diagnosis(void);

/*
 * An explicit reason, for the calls that hand one back instead of setting
 * la_last_diagnosis(): backend hooks (backend.h) and the V4L2 stream
 * helpers (v4l2-stream.h). Zero-initialise it; text is "" until a failure.
 */
#define LA_WHY_TEXT_MAX 1024
struct la_why {
	int err;                     /* negative errno of the last la_why_set(), 0 if none */
	char text[LA_WHY_TEXT_MAX];  /* names the device and the constraint or call */
};
/*
 * Replaces why's text (why may be NULL: nothing is written) with the
 * formatted reason, stores err in why->err and returns err unchanged, for
 * `return la_why_set(why, -EINVAL, ...)`. Its return value is the err passed
 * in (a negative errno such as -EINVAL or -ENOTSUP), never an error of its own.
 */
int la_why_set(struct la_why *why, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * Number of backends of ctx, loading them first. -EINVAL if ctx or count
 * is NULL; a loading error (see the conventions) is returned with *count
 * set to the backends loaded so far.
 */
int la_context_get_backend_count(struct la_context *ctx, size_t *count);
/*
 * Name of backend index ("drm"), borrowed from ctx; NULL if ctx is NULL or
 * index is not below the count. Loads nothing: call
 * la_context_get_backend_count() first.
 */
const char *la_context_get_backend_name(struct la_context *ctx, size_t index);

/* ------------------------------------------------------------------ */
/* Devices                                                             */

/*
 * Opens a device node (read-write, read-only if that is refused with
 * EACCES, EROFS or EISDIR) and hands it to the first backend that
 * recognises it. *out is owned: release with la_device_unref().
 * -EINVAL: ctx, path or out NULL.
 * -ENOENT, -EACCES, ...: the kernel errno of open(2) (-EACCES: the
 *   diagnosis suggests the device's group).
 * -ENODEV: no backend recognises the node.
 * Another negative errno: a backend recognised the node but could not set
 *   it up (its errno, e.g. a kernel errno of its queries); the diagnosis
 *   names the backend.
 */
int la_device_open(struct la_context *ctx, const char *node, struct la_device **out);
/*
 * Same for an fd the caller already has. liballoc duplicates it with
 * F_DUPFD_CLOEXEC: the caller keeps ownership of fd and may close it at once.
 * -EBADF: fd is negative or not open (kernel errno of F_DUPFD_CLOEXEC, as
 * -EMFILE is). Otherwise the errnos of la_device_open() except open(2)'s.
 */
int la_device_open_fd(struct la_context *ctx, int fd, struct la_device **out);
/* Adds a reference and returns dev (NULL ok: returns NULL). */
struct la_device *la_device_ref(struct la_device *dev);
/*
 * Drops a reference (NULL ok); the last one closes the device. Capability
 * sets, results and imports hold references of their own. Returns NULL so
 * that `d = la_device_unref(d)` leaves no dangling pointer.
 */
struct la_device *la_device_unref(struct la_device *dev);

/*
 * Identity, borrowed from dev (strings live as long as dev). dev NULL gives
 * NULL, devnum 0 (also for a node that is not a character device) and fd -1.
 */
const char *la_device_get_backend(const struct la_device *dev); /* "drm" */
const char *la_device_get_driver(const struct la_device *dev);  /* "virtio_gpu" */
const char *la_device_get_node(const struct la_device *dev);    /* "/dev/video0"; may be "" */
/* Deprecated alias of la_device_get_node(), kept for one release. */
const char *la_device_get_path(const struct la_device *dev);
/* "virtio_gpu (/dev/dri/card1)": the name used in every diagnosis. */
const char *la_device_get_label(const struct la_device *dev);
dev_t la_device_get_devnum(const struct la_device *dev);
/*
 * The key of the devices that share dev's implicit layouts, as its backend
 * declares it (backend.h, layout_domain), or "" when dev shares them with
 * itself only; NULL for NULL. See la_capset_set_layout_domain().
 */
const char *la_device_get_layout_domain(const struct la_device *dev);
/* Borrowed: the device's own duplicate of its fd; do not close it. */
int la_device_get_fd(const struct la_device *dev);

/*
 * Every device node the available backends can find, sorted by path. Nodes
 * that fail to open are skipped (logged at debug level). *devices is an
 * owned array of *count new references; release with la_device_list_free().
 * -EINVAL: ctx, devices or count NULL. -ENOMEM (nothing is returned), or a
 * loading error (see the conventions).
 */
int la_context_enumerate(struct la_context *ctx, struct la_device ***devices, size_t *count);
/* Drops each reference and frees the array (NULL ok). */
void la_device_list_free(struct la_device **devices, size_t count);

/* ------------------------------------------------------------------ */
/* Usages: what one device will do with the buffer                     */

#define LA_USAGE_SCANOUT        (UINT64_C(1) << 0)  /* primary plane */
#define LA_USAGE_OVERLAY        (UINT64_C(1) << 1)  /* overlay plane */
#define LA_USAGE_CURSOR         (UINT64_C(1) << 2)
#define LA_USAGE_CAPTURE        (UINT64_C(1) << 3)  /* camera writes */
#define LA_USAGE_DECODE         (UINT64_C(1) << 4)  /* video decoder output */
#define LA_USAGE_ENCODE         (UINT64_C(1) << 5)  /* video encoder input */
#define LA_USAGE_RENDER         (UINT64_C(1) << 6)  /* GPU render target */
#define LA_USAGE_SAMPLE         (UINT64_C(1) << 7)  /* GPU texture */
#define LA_USAGE_CPU_READ       (UINT64_C(1) << 8)
#define LA_USAGE_CPU_WRITE      (UINT64_C(1) << 9)
#define LA_USAGE_CPU_READ_OFTEN (UINT64_C(1) << 10) /* wants cached memory */
#define LA_USAGE_PROTECTED      (UINT64_C(1) << 11) /* protected content */
#define LA_USAGE_CORE_MASK      ((UINT64_C(1) << 12) - 1)
/*
 * Bits 32..63 belong to the backend of the device they are given with:
 * their meaning is per backend, named "backend.name" (e.g. "drm.async-flip")
 * and looked up with la_device_usage_from_name().
 */
#define LA_USAGE_BACKEND_SHIFT 32
#define LA_USAGE_BACKEND_MASK  (~UINT64_C(0) << LA_USAGE_BACKEND_SHIFT)

/* "scanout" etc. (static) for one core bit; NULL for unknown or several bits. */
const char *la_usage_name(uint64_t bit);
/*
 * Parses core names separated by ',', '|', '+' or ' ' ("scanout,cpu-read")
 * into bits. -EINVAL: text or usage NULL, an unknown word (the diagnosis
 * names it) or no name at all. *usage is left alone on failure.
 */
int la_usage_parse(const char *text, uint64_t *usage);
/*
 * A backend usage bit of dev by name ("drm.async-flip").
 * -EINVAL: dev, name or bit NULL.
 * -ENOENT: the backend has no usage of that name (none of the backends
 *   shipped with liballoc defines one).
 * -EPROTO: the backend answered a core bit (a backend bug).
 * Any other errno the backend's usage_from_name hook returns.
 */
int la_device_usage_from_name(struct la_device *dev, const char *name, uint64_t *bit);

/* ------------------------------------------------------------------ */
/* Assertion: what the buffer must be                                 */

struct la_assertion {
	uint32_t width;
	uint32_t height;
	const uint32_t *formats;   /* DRM fourccs, most preferred first */
	size_t n_formats;
	const uint64_t *modifiers; /* optional: acceptable modifiers; NULL = any */
	size_t n_modifiers;
	uint32_t buffer_count;     /* 0 means 1 */
	/*
	 * Layout version: 0 (what zero-initialising gives) is this one. A later
	 * liballoc appends fields and a number for them; it reads fields only
	 * up to the version given, and refuses one it does not know (-EINVAL).
	 */
	uint32_t version;
};

/* ------------------------------------------------------------------ */
/* Capability sets                                                     */

enum la_import_rule {
	LA_IMPORT_ANY = 0,        /* imports any dma-buf */
	LA_IMPORT_CONTIGUOUS = 1, /* only physically contiguous dma-bufs */
	LA_IMPORT_OWN_ONLY = 2,   /* only buffers it allocated itself */
	LA_IMPORT_NONE = 3,       /* imports nothing: it must allocate */
};
const char *la_import_rule_name(enum la_import_rule rule);

/* CPU caching a device tolerates / a path provides (bit mask). */
#define LA_CACHING_CACHED        (1u << 0)
#define LA_CACHING_WRITECOMBINE  (1u << 1)
#define LA_CACHING_UNCACHED      (1u << 2)
#define LA_CACHING_ANY           (LA_CACHING_CACHED | LA_CACHING_WRITECOMBINE | LA_CACHING_UNCACHED)

#define LA_CONSTRAINT_CONTIGUOUS         (1u << 0) /* physically contiguous memory required */
#define LA_CONSTRAINT_PROTECTED_REQUIRED (1u << 1) /* only protected memory */
#define LA_CONSTRAINT_PROTECTED_OK       (1u << 2) /* may use protected memory */
#define LA_CONSTRAINT_NO_CPU_ACCESS      (1u << 3) /* buffer may refuse CPU maps */

/*
 * Zero in an alignment or a limit means "no constraint". Alignments are in
 * bytes (height_align and width_align in rows/pixels) and need not be powers
 * of two; merging takes the least common multiple.
 */
struct la_constraints {
	uint64_t pitch_align[LA_MAX_PLANES];
	uint64_t offset_align[LA_MAX_PLANES];
	uint64_t size_align;     /* of the whole buffer */
	uint64_t base_align;     /* of the buffer's DMA/physical address */
	uint32_t width_align;    /* pixels */
	uint32_t height_align;   /* rows */
	uint64_t max_pitch;
	uint64_t max_size;
	uint32_t max_width;
	uint32_t max_height;
	uint32_t dma_addr_bits;  /* highest usable address bit count; 0 = 64 */
	uint32_t caching;        /* LA_CACHING_* accepted; 0 = any */
	uint32_t flags;          /* LA_CONSTRAINT_* */
};

struct la_candidate {
	uint32_t format;     /* DRM fourcc */
	uint64_t modifier;   /* DRM_FORMAT_MOD_INVALID = implicit, never LINEAR */
	uint32_t plane_count; /* memory planes; 0 = from the format table */
	struct la_constraints constraints;
};

/* Identity of the device a capability set describes. Strings may be NULL (as ""). */
struct la_capset_info {
	const char *label;    /* "virtio_gpu (/dev/dri/card1)" */
	const char *driver;
	const char *backend;
	dev_t devnum;
	uint64_t usage;
	enum la_import_rule import_rule;
	const char *import_reason; /* why that rule (the probe's errno), may be NULL */
};

/*
 * What one device can do for one assertion and usage, read from the kernel
 * by the device's backend. *out is owned (la_capset_destroy()) and holds a
 * reference on dev; assertion is only read during the call.
 * -EINVAL: dev, assertion or out NULL, or usage 0.
 * -ENOTSUP: the device cannot serve that usage at all: its backend reports
 *   no capabilities (heap devices), a DRM device without a CRTC asked for
 *   scanout/overlay/cursor, a size outside its framebuffer or cursor
 *   limits, a V4L2 device without a queue in that direction or whose queue
 *   takes neither MMAP nor DMABUF buffers. The diagnosis says which.
 * -E2BIG: the device offers more than 65536 candidates.
 * A kernel errno of the backend's queries (e.g. VIDIOC_CREATE_BUFS,
 *   VIDIOC_TRY_FMT), with the call in the diagnosis.
 */
int la_device_get_capabilities(struct la_device *dev, uint64_t usage,
			       const struct la_assertion *assertion,
			       struct la_capset **out);

/*
 * Building a set by hand (tests, backends, offline use): an empty set with
 * info's identity and no live device; *out is owned (la_capset_destroy()).
 * Strings are copied (NULL strings become ""). -EINVAL: info or out NULL,
 * import_rule not an enum la_import_rule, or a string longer than 255
 * bytes.
 */
int la_capset_new(const struct la_capset_info *info, struct la_capset **out);
/*
 * Appends a copy of cand. -EINVAL: set or cand NULL, plane_count above
 * LA_MAX_PLANES, dma_addr_bits above 64 or unknown caching bits. -E2BIG:
 * set already holds 65536 candidates (what a blob can carry).
 */
int la_capset_add_candidate(struct la_capset *set, const struct la_candidate *cand);
/* Frees set and drops its device reference (NULL ok). */
void la_capset_destroy(struct la_capset *set);

/* 0 for NULL. */
size_t la_capset_get_candidate_count(const struct la_capset *set);
/* Copies candidate index to *out. -EINVAL: set or out NULL, index >= count. */
int la_capset_get_candidate(const struct la_capset *set, size_t index, struct la_candidate *out);
/* Strings in *info are borrowed from set. Nothing happens if either is NULL. */
void la_capset_get_info(const struct la_capset *set, struct la_capset_info *info);
/*
 * The live device, or NULL for a set built by hand or loaded from a blob or
 * file (and for set NULL). Borrowed: no new reference.
 */
struct la_device *la_capset_get_device(const struct la_capset *set);

/* Longest layout domain key, with its NUL. */
#define LA_LAYOUT_DOMAIN_MAX 64
/*
 * Implicit layouts (LA_MODIFIER_IMPLICIT: the driver picks a layout it does
 * not tell) are shared only between capability sets of one device (same
 * devnum; for devnum 0, the same live la_device), or of devices with the
 * same non-empty layout domain. A set of a live device carries the
 * device's domain; a set built by hand has "" until this sets it (key
 * copied, NULL reads as ""). -EINVAL: set NULL or key of
 * LA_LAYOUT_DOMAIN_MAX bytes or more. -ENOMEM: copying key failed. On
 * failure the set is unchanged.
 */
int la_capset_set_layout_domain(struct la_capset *set, const char *key);
/* The set's layout domain, "" for none; borrowed from set. NULL for NULL. */
const char *la_capset_get_layout_domain(const struct la_capset *set);

/* ------------------------------------------------------------------ */
/* Negotiation and allocation paths                                    */

struct la_request {
	struct la_device *device;
	uint64_t usage;
};

/*
 * Negotiates n (device, usage) pairs for assertion (n <= LA_MAX_DEVICES):
 * la_device_get_capabilities() of each, then la_negotiate_capsets(). On
 * success (0) *out holds the ordered common candidates and the ranked
 * allocation paths; it is owned (la_result_destroy()) and holds references
 * on the devices. requests and assertion are only read during the call.
 * -ENOENT: no candidate every device accepts;
 * -ENODEV: no allocation path serves every device. Both still set *out, so
 *   la_result_get_diagnosis() can say which device and constraint refused
 *   (the caller destroys it).
 * Other errors leave *out NULL:
 * -EINVAL: ctx, assertion, requests or out NULL, n 0, a request's device
 *   NULL or usage 0, width or height 0, a format or modifier count without
 *   its array.
 * -E2BIG: n above LA_MAX_DEVICES.
 * Any error of la_device_get_capabilities() (-ENOTSUP ...), the diagnosis
 *   prefixed with the device's label; loading errors (see the conventions).
 */
#define LA_MAX_DEVICES 32
int la_negotiate(struct la_context *ctx, const struct la_assertion *assertion,
		 const struct la_request *requests, size_t n, struct la_result **out);
/*
 * Same from capability sets (live or loaded); the sets are not consumed
 * and may be destroyed once the call returns (the result copies what it
 * needs and references their live devices). Errnos as la_negotiate()
 * but for those of la_device_get_capabilities(); -EINVAL also for sets
 * NULL or a NULL set in it. When no set has a live device (all loaded
 * from files), a missing path is not a failure: the result answers "which
 * format" (0), its diagnosis says why no path matched, and la_allocate()
 * refuses with -ENODEV; -ENODEV is then never returned.
 */
int la_negotiate_capsets(struct la_context *ctx, const struct la_assertion *assertion,
			 struct la_capset *const *sets, size_t n, struct la_result **out);
/* Frees res and drops its device references (NULL ok); buffers stay valid. */
void la_result_destroy(struct la_result *res);

/*
 * Why the negotiation failed, or remarks; "" when it succeeded without
 * remarks (and for NULL). Borrowed from res: unlike la_last_diagnosis() it
 * lasts as long as res.
 */
const char *la_result_get_diagnosis(const struct la_result *res);
/*
 * Merged candidates in order: caller's format preference, then modifiers.
 * Count 0 for NULL. la_result_get_candidate() copies one to *out; -EINVAL:
 * res or out NULL, index >= count.
 */
size_t la_result_get_candidate_count(const struct la_result *res);
int la_result_get_candidate(const struct la_result *res, size_t index, struct la_candidate *out);
/*
 * Index (>= 0) of the candidate the best path serves. -EINVAL: res NULL.
 * -ENODEV: none was chosen (the negotiation failed).
 */
int la_result_get_chosen_candidate(const struct la_result *res);

struct la_path_info {
	const char *name;      /* "dma-heap:system", "drm-dumb:virtio_gpu" */
	const char *backend;
	int rank;              /* higher is better; only meaningful if matched */
	bool matched;
	const char *reason;    /* why it matched or not */
	uint32_t caching;      /* LA_CACHING_* of the memory it gives */
	bool contiguous;
	bool is_device_memory; /* allocated by one of the participating devices */
};
/*
 * Paths for the chosen candidate (or the first if none), best first; count
 * 0 for NULL. Strings in *out are borrowed from res. -EINVAL: res or out
 * NULL, index >= count.
 */
size_t la_result_get_path_count(const struct la_result *res);
int la_result_get_path(const struct la_result *res, size_t index, struct la_path_info *out);

/* ------------------------------------------------------------------ */
/* Layouts and formats                                                 */

struct la_layout {
	uint32_t plane_count;
	uint64_t offset[LA_MAX_PLANES];
	uint64_t pitch[LA_MAX_PLANES];
	uint64_t plane_size[LA_MAX_PLANES];
	uint64_t size;  /* whole buffer, size_align applied */
};

/*
 * Linear layout of format at width x height honouring c (may be NULL: no
 * constraint). *out is written only on success. Every failure is diagnosed.
 * -EINVAL: out NULL, a format without a layout rule (la_format_get_info()
 *   does not know it), width or height 0, or a limit of c the layout
 *   cannot meet (max_width/height/pitch/size).
 * -EOVERFLOW: an alignment makes a pitch, offset or size overflow 64 bits,
 *   or the buffer exceeds 4 GiB - 1 (DRM and V4L2 sizes are 32-bit).
 */
int la_layout_compute(uint32_t format, uint32_t width, uint32_t height,
		      const struct la_constraints *c, struct la_layout *out);
/*
 * Checks a layout (e.g. the driver's own) against c (may be NULL): plane
 * count, pitches and offsets against the rows and alignments, overlaps,
 * limits. Every failure is -EINVAL with a diagnosis, including layout NULL
 * and a format without a layout rule.
 */
int la_layout_validate(uint32_t format, uint32_t width, uint32_t height,
		       const struct la_constraints *c, const struct la_layout *layout);

struct la_format_info {
	uint32_t format;
	const char *name;          /* "NV12" */
	uint32_t plane_count;
	uint32_t bpp[LA_MAX_PLANES];  /* bits per pixel sample block per plane */
	uint32_t block_w[LA_MAX_PLANES]; /* pixels per block horizontally (2 for YUYV) */
	uint32_t hsub, vsub;       /* chroma subsampling */
	bool is_yuv;
};
/*
 * What liballoc's format table knows of format; name is static.
 * -EINVAL: out NULL. -ENOENT: format is not in the table.
 */
int la_format_get_info(uint32_t format, struct la_format_info *out);
/*
 * "NV12", "XRGB8888", fourcc letters or "0x%08x"; returns buf, truncated
 * to len (32 bytes always suffice). buf NULL or len 0: returns "" (static).
 */
const char *la_format_name(uint32_t format, char *buf, size_t len);
/*
 * Accepts table names ("XRGB8888", any case), 4 fourcc characters
 * ("XR24") and "0x" hex. -EINVAL: name or format NULL, or name is none of
 * these (diagnosed); *format is left alone on failure.
 */
int la_format_parse(const char *name, uint32_t *format);

/* DRM_FORMAT_MOD_LINEAR and DRM_FORMAT_MOD_INVALID (implicit), without drm_fourcc.h. */
#define LA_MODIFIER_LINEAR   UINT64_C(0)
#define LA_MODIFIER_IMPLICIT UINT64_C(0x00ffffffffffffff)
/* "linear", "implicit" or "0x" and 16 hex digits; returns buf (NULL if len is 0). */
const char *la_modifier_name(uint64_t modifier, char *buf, size_t len);
/* Parses what la_modifier_name() writes (0x + 1..16 hex digits); -EINVAL otherwise. */
int la_modifier_parse(const char *text, uint64_t *modifier);
/* "contiguous", "cached"... for one LA_CONSTRAINT_* / LA_CACHING_* bit; NULL otherwise. */
const char *la_constraint_flag_name(uint32_t bit);
const char *la_caching_name(uint32_t bit);

/* ------------------------------------------------------------------ */
/* Buffers                                                             */

#define LA_BUFFER_CACHED     (1u << 0) /* CPU mappings are cached: sync matters */
#define LA_BUFFER_CONTIGUOUS (1u << 1)
#define LA_BUFFER_PROTECTED  (1u << 2)

struct la_plane {
	int fd;          /* dma-buf */
	uint64_t offset;
	uint64_t pitch;
	uint64_t size;   /* bytes of this plane */
};

struct la_descriptor {
	uint32_t format;
	uint64_t modifier;
	uint32_t width;
	uint32_t height;
	uint32_t plane_count;
	uint32_t flags;  /* LA_BUFFER_* */
	struct la_plane planes[LA_MAX_PLANES];
};

/*
 * Allocates with the best path of res and its chosen candidate. *out is
 * owned (la_buffer_destroy()); it owns its dma-bufs and does not depend on
 * res, which may be destroyed first (ctx must outlive the buffer).
 * -EINVAL: out NULL.
 * -ENODEV: res is NULL, or has no chosen candidate or no matched path; the
 *   diagnosis repeats res's.
 * -EPROTO: the backend returned a buffer that is not what was asked (a
 *   backend bug).
 * Otherwise the allocator's error, diagnosed with the path's name: the
 *   kernel errno of the heap, DRM or V4L2 call (-ENOMEM, -ENOSPC ...),
 *   -EBUSY for the memory of a V4L2 queue that already has buffers. When a
 *   contiguous path runs out (-ENOMEM, -ENOSPC), the diagnosis also names
 *   the devices that require contiguous memory and why.
 */
int la_allocate(struct la_result *res, struct la_buffer **out);
/*
 * Same with the path named by the caller, for the first candidate it can
 * serve. -EINVAL: res, path or out NULL, or the path serves no common
 * candidate for these devices (the diagnosis says why). -ENOENT: no path of
 * that name in res (the diagnosis says missing). -EACCES, -EPERM: the
 * path's backend may not open its node (the diagnosis says permission and
 * names the node). Otherwise as la_allocate().
 */
int la_allocate_with_path(struct la_result *res, const char *path, struct la_buffer **out);
/*
 * Allocates count buffers (res' buffer_count is the usual count) into the
 * caller's array out[0..count); all or none: on failure every out[i] is
 * NULL. -EINVAL: out NULL or count 0. -EOVERFLOW: count buffers of the
 * chosen layout overflow 64 bits. Otherwise as la_allocate(), the
 * diagnosis naming the buffer that failed.
 */
int la_allocate_set(struct la_result *res, struct la_buffer **out, size_t count);

/*
 * Wraps a foreign descriptor (fds duplicated; caller keeps its own) as a
 * buffer so it can be mapped, imported and exported like an allocated one.
 * *out is owned (la_buffer_destroy()). Diagnosed failures:
 * -EINVAL: ctx, desc or out NULL, plane_count not in 1..LA_MAX_PLANES, a
 *   plane without fd, a plane that ends beyond its dma-buf's size, or an fd
 *   that is neither a dma-buf nor a memfd sealed with F_SEAL_SHRINK (a peer
 *   could shrink any other file under a mapping: SIGBUS in this process).
 * -EOVERFLOW: a plane's offset + size overflows 64 bits.
 * -EBADF ...: the kernel errno of fstat/lseek (sizing) or F_DUPFD_CLOEXEC
 *   on a plane's fd.
 */
int la_buffer_from_descriptor(struct la_context *ctx, const struct la_descriptor *desc,
			      struct la_buffer **out);
/* Unmaps what is still mapped, closes buf's fds and frees it (NULL ok). */
void la_buffer_destroy(struct la_buffer *buf);

/* fds in *desc are borrowed from buf. Nothing happens if either is NULL. */
void la_buffer_get_descriptor(const struct la_buffer *buf, struct la_descriptor *desc);
/*
 * fds in *desc are new (F_DUPFD_CLOEXEC) and owned by the caller (planes
 * sharing a dma-buf share one new fd); close them with
 * la_descriptor_close(). -EINVAL: buf or desc NULL. -EMFILE ...: the
 * kernel errno of F_DUPFD_CLOEXEC (diagnosed; *desc is then untouched and
 * nothing is left open).
 */
int la_buffer_export(const struct la_buffer *buf, struct la_descriptor *desc);
/* Closes every distinct fd of an exported descriptor and sets them to -1 (NULL ok). */
void la_descriptor_close(struct la_descriptor *desc);
/* Name of the path that allocated buf ("" for wrapped foreign buffers), borrowed; NULL for NULL. */
const char *la_buffer_get_path(const struct la_buffer *buf);
/*
 * Ownership transfer: *desc gets buf's own fds (nothing is duplicated) and
 * buf is destroyed; the fds are the caller's (la_descriptor_close()). What
 * buf still had mapped is unmapped first. This is la_buffer_export() +
 * la_buffer_destroy() without the duplicate and its close: for a caller
 * that hands the memory on and keeps no buffer object. -EINVAL: buf or
 * desc NULL (nothing happens), or buf belongs to a pool (la_pool_acquire();
 * diagnosed, buf untouched: the pool owns its buffers).
 */
int la_buffer_export_take(struct la_buffer *buf, struct la_descriptor *desc);

/*
 * Validates a descriptor against what a device accepts: format, modifier,
 * pitch/offset alignment, limits, planes inside the dma-buf. Every refusal
 * is diagnosed with the set's label.
 * -EINVAL: set or desc NULL, no candidate of set has desc's format and
 *   modifier, a plane count, shape, alignment or limit the candidate
 *   refuses, or a dma-buf that does not tell its size.
 * -EOVERFLOW: a plane's offset + size overflows 64 bits.
 * -EBADF ...: the kernel errno of sizing a plane's fd.
 */
int la_capset_validate(const struct la_capset *set, const struct la_descriptor *desc);

/*
 * Imports buf into dev for usage through the device's backend (DRM: PRIME
 * handle and, for scanout, a framebuffer; V4L2: a check against the queue).
 * *out is owned (la_import_destroy()). The import holds its own references
 * (on dev and, through the kernel, on the memory); destroy it before
 * closing dev. Every failure but a NULL argument or -ENOMEM is diagnosed
 * with dev's label.
 * -EINVAL: dev, buf or out NULL, usage 0, or a buffer the device cannot
 *   describe (DRM: a modifier the driver takes none of, pitch/offset beyond
 *   32 bits; V4L2: no pixelformat for its format and planes, or a layout
 *   the driver's format does not match).
 * -ENOTSUP: the backend imports nothing (heap devices), or the device has
 *   no display (DRM scanout) or no queue in that direction (V4L2).
 * -EXDEV: buf has the implicit modifier and was allocated on another
 *   device's memory that does not share dev's implicit layout (neither the
 *   same device nor the same layout domain, see la_capset_set_layout_domain());
 *   the diagnosis names both devices. A buffer from
 *   la_buffer_from_descriptor() has no known allocator and is not checked.
 * A kernel errno of the import: DRM_IOCTL_PRIME_FD_TO_HANDLE,
 *   DRM_IOCTL_MODE_ADDFB2, VIDIOC_S_FMT/REQBUFS/PREPARE_BUF (-EFAULT: the
 *   queue needs physically contiguous memory).
 */
int la_device_import(struct la_device *dev, uint64_t usage, const struct la_buffer *buf,
		     struct la_import **out);
/*
 * Backend-defined values: DRM "fb_id", "handle0".."handle3"; V4L2
 * "pixelformat", "buf_type", "num_planes", "bytesperline0".., "sizeimage0"..,
 * "kernel_checked". -EINVAL: imp, name or value NULL. -ENOENT: no such
 * property for this import (e.g. "fb_id" of a non-scanout import).
 */
int la_import_get_property(const struct la_import *imp, const char *name, uint64_t *value);
/* Releases what the import made (handles, framebuffer) and its device reference (NULL ok). */
void la_import_destroy(struct la_import *imp);

#define LA_MAP_READ  (1u << 0)
#define LA_MAP_WRITE (1u << 1)
/*
 * Maps a plane for the CPU and starts CPU access (DMA_BUF_IOCTL_SYNC START
 * with the read/write flags). *data points at the plane's first byte and
 * is borrowed until the matching unmap. Maps nest: each map needs one
 * unmap. *data is NULL on failure.
 * -EINVAL: buf or data NULL, plane >= plane_count, flags not a non-empty
 *   mix of LA_MAP_READ/LA_MAP_WRITE, or a dma-buf of unknown size.
 * -EPERM: the buffer is protected (LA_BUFFER_PROTECTED).
 * -EBUSY: the plane's memory is already mapped with fewer rights than
 *   flags asks (unmap it first).
 * The kernel errno of mmap (-EACCES: a read-only dma-buf) or of
 *   DMA_BUF_IOCTL_SYNC.
 */
int la_buffer_map(struct la_buffer *buf, uint32_t plane, uint32_t flags, void **data);
/*
 * Ends CPU access (SYNC END) and unmaps. -EINVAL: buf NULL, plane out of
 * range or not mapped. The kernel errno of DMA_BUF_IOCTL_SYNC END: the map
 * is released all the same.
 */
int la_buffer_unmap(struct la_buffer *buf, uint32_t plane);

#define LA_SYNC_READ  (1u << 0)
#define LA_SYNC_WRITE (1u << 1)
/*
 * Implicit fences as sync_files, for explicit-sync users (Linux 6.0,
 * DMA_BUF_IOCTL_EXPORT_SYNC_FILE / IMPORT_SYNC_FILE). The fences belong to
 * the plane's dma-buf: planes sharing one dma-buf share them.
 *
 * Export: *fd gets a new sync_file (close-on-exec, the caller's to close)
 * that signals when the access in flags may start: LA_SYNC_READ waits for
 * the writers, LA_SYNC_WRITE for the readers and writers. A buffer with no
 * pending fence gives one already signalled. *fd is -1 on failure.
 * Import: adds the sync_file fd's fence to the dma-buf as a reader
 * (LA_SYNC_READ) or writer (LA_SYNC_WRITE) fence, so implicit-sync users
 * wait for it. fd is borrowed: it stays the caller's, open, also on failure.
 * -EINVAL: buf or fd NULL (export), plane >= plane_count, flags not a
 *   non-empty mix of LA_SYNC_READ/LA_SYNC_WRITE, fd negative (import), or
 *   an fd the kernel refuses as a sync_file.
 * -ENOTSUP: the kernel lacks the ioctl (before Linux 6.0), or the plane's
 *   fd is not a dma-buf (the diagnosis says so).
 * Every failure is diagnosed. Otherwise the kernel errno of the ioctl.
 */
int la_buffer_export_sync_file(const struct la_buffer *buf, uint32_t plane, uint32_t flags,
			       int *fd);
int la_buffer_import_sync_file(struct la_buffer *buf, uint32_t plane, uint32_t flags, int fd);

/* ------------------------------------------------------------------ */
/* Buffer pools: recycling buffers of one negotiated shape             */

/*
 * A pool hands out buffers of the shape a negotiation chose (its path and
 * candidate, as la_allocate() or la_allocate_with_path() would allocate),
 * takes them back and hands them out again, so a steady loop (a camera, a
 * compositor) allocates nothing after its first frames. It grows up to
 * max_buffers; idle buffers above max_idle are freed when released, and
 * la_pool_trim() frees idle ones on demand. Every call but la_pool_destroy()
 * may run in several threads at once (one lock per pool, held while a new
 * buffer is allocated); a lent buffer may be released from any thread.
 *
 * The pool allocates from its result: res must live until la_pool_destroy()
 * or until la_pool_set_result() gives the pool another one. After a new
 * negotiation, la_pool_set_result() makes the old shape stale: idle buffers
 * are freed at once, outstanding ones when they come back (never handed
 * out again); until they come back they count in `stale`, not against
 * max_buffers.
 */
struct la_pool;

struct la_pool_config {
	uint32_t max_buffers; /* cap on buffers of the current shape; 0: 16 */
	uint32_t max_idle;    /* idle buffers kept on release; 0: max_buffers */
	const char *path;     /* allocation path name (copied); NULL: res' best */
};

struct la_pool_stats {
	uint64_t allocations; /* buffers the pool allocated */
	uint64_t reuses;      /* acquires served by an idle buffer */
	uint64_t refusals;    /* acquires refused at the cap (-ENOBUFS) */
	uint64_t freed;       /* buffers freed: trimmed, over max_idle, stale */
	uint32_t idle;        /* current shape, in the pool */
	uint32_t outstanding; /* current shape, acquired and not released */
	uint32_t stale;       /* an older shape's, still acquired */
	uint32_t peak;        /* most buffers of one shape (idle + outstanding) at once */
	uint64_t generation;  /* la_pool_set_result() calls */
	uint64_t buffer_size; /* bytes of one buffer (its dma-buf), 0 before the first */
};

/*
 * Creates a pool for res (config NULL: defaults). No buffer is allocated
 * yet. -EINVAL: res or out NULL, max_idle above max_buffers, max_buffers
 * above 4096. -ENODEV: res has no chosen candidate or no matched path
 * (the diagnosis repeats res'). -ENOENT: config->path names no path of res.
 */
int la_pool_new(struct la_result *res, const struct la_pool_config *config,
		struct la_pool **out);
/*
 * Frees the idle buffers and the pool. Buffers still acquired are detached:
 * they become ordinary buffers the caller destroys (la_buffer_destroy()).
 * NULL ok.
 */
void la_pool_destroy(struct la_pool *pool);
/*
 * *out: an idle buffer of the current shape, else a new one. The buffer is
 * the pool's, lent until la_pool_release(); la_buffer_destroy() of a lent
 * buffer frees it instead, and the pool forgets it. Does not wait.
 * -EINVAL: pool or out NULL. -ENOBUFS: max_buffers are acquired
 * (diagnosed with the cap; release one and retry). -ESTALE: the pool's
 * result was withdrawn (la_pool_set_result() with NULL). Otherwise as
 * la_allocate() / la_allocate_with_path(). *out is NULL on failure.
 */
int la_pool_acquire(struct la_pool *pool, struct la_buffer **out);
/*
 * Gives buf back: kept idle for the next acquire, or freed when it is of a
 * stale shape or max_idle are idle. -EINVAL: pool or buf NULL, or buf not
 * acquired from this pool (another pool's, a plain buffer, released twice;
 * diagnosed, buf untouched). -EBUSY: a plane of buf is still mapped
 * (la_buffer_unmap() first; diagnosed, buf stays acquired).
 */
int la_pool_release(struct la_pool *pool, struct la_buffer *buf);
/*
 * Frees idle buffers until at most keep_idle remain; returns how many were
 * freed (>= 0). -EINVAL: pool NULL.
 */
int la_pool_trim(struct la_pool *pool, uint32_t keep_idle);
/*
 * After a new negotiation: the pool allocates from res from now on, with
 * the same config (a config path res lacks: -ENOENT, nothing changed).
 * Idle buffers are freed, outstanding ones become stale. res NULL
 * withdraws the old result (it may then be destroyed): acquire returns
 * -ESTALE until another is set. -EINVAL: pool NULL. -ENODEV: as
 * la_pool_new().
 */
int la_pool_set_result(struct la_pool *pool, struct la_result *res);
/* Counters and current state; zeros for pool NULL (stats must not be NULL). */
void la_pool_get_stats(const struct la_pool *pool, struct la_pool_stats *stats);

/* ------------------------------------------------------------------ */
/* Serialization for other processes                                   */

/*
 * Binary, versioned, little-endian form (layout in docs/serialization.md).
 * *data is malloc()ed and owned (free() it). -EINVAL: an argument NULL, or
 * a string of set longer than 255 bytes. -E2BIG: more than 65536
 * candidates.
 */
int la_capset_serialize(const struct la_capset *set, void **data, size_t *size);
/*
 * Readers treat input as hostile: -EINVAL for anything malformed (the
 * diagnosis gives the byte offset), or out NULL, or data NULL with size
 * non-zero. *out is owned and has no live device.
 */
int la_capset_deserialize(const void *data, size_t size, struct la_capset **out);
/*
 * fds travel separately (SCM_RIGHTS); the blob stores the plane->fd index.
 * fds is the caller's array of at least LA_MAX_PLANES ints: it receives
 * desc's distinct fds, borrowed (not duplicated), *n_fds their number.
 * -EINVAL: an argument NULL, plane_count not in 1..LA_MAX_PLANES or a
 * plane without fd.
 */
int la_descriptor_serialize(const struct la_descriptor *desc, void **data, size_t *size,
			    int *fds, size_t *n_fds);
/*
 * *out borrows fds (nothing is duplicated or closed; the caller owns them
 * on success and failure). -EINVAL: anything malformed, n_fds not the
 * blob's fd count, a negative fd, out NULL, data or fds NULL with a
 * non-zero size or count.
 */
int la_descriptor_deserialize(const void *data, size_t size, const int *fds, size_t n_fds,
			      struct la_descriptor *out);

/*
 * JSON (schema in USAGE.md, "JSON schema of capability sets"). *json is
 * malloc()ed and owned (free() it). -EINVAL: set or json NULL.
 */
int la_capset_to_json(const struct la_capset *set, char **json);
/*
 * Strict reader: -EINVAL for anything the schema refuses (wrong type,
 * out-of-range number, unknown key, trailing text; the diagnosis names the
 * JSON path), json or out NULL. *out is owned and has no live device.
 */
int la_capset_from_json(const char *json, struct la_capset **out);

#ifdef __cplusplus
}
#endif

#endif
