/* SPDX-License-Identifier: MIT */
/*
 * liballoc: find the memory, format and layout every device of a pipeline
 * can use, and allocate it where it works.
 *
 * Conventions (true for every function below):
 *  - Functions return 0 or a negative errno. Nothing aborts on bad input.
 *  - Objects are opaque. *_destroy()/ *_unref() accept NULL.
 *  - "borrowed" fds/pointers stay owned by liballoc and are valid while the
 *    object that returned them lives; "owned" ones belong to the caller.
 *  - Every fd liballoc creates has O_CLOEXEC.
 *  - When a call fails for a reason a human should read (a device refused a
 *    constraint, a kernel call failed), the reason is available from
 *    la_last_diagnosis() in the same thread until the next failing call.
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
 * Creates a context. Backends are not loaded until a device is opened or
 * enumerated. The default log handler prints errors and warnings (a
 * backend that failed to load) to stderr;
 * LIBALLOC_DEBUG=1 raises the level to debug (negotiation traces).
 */
int la_context_new(struct la_context **out);
void la_context_destroy(struct la_context *ctx);
/* handler NULL restores the default (stderr) handler. */
void la_context_set_log_handler(struct la_context *ctx, la_log_fn handler, void *data);
void la_context_set_log_level(struct la_context *ctx, enum la_log_level level);

/*
 * The reason of the last failure in this thread ("" if none). Borrowed,
 * valid until the next liballoc call in this thread.
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
/* Replaces why's text (why may be NULL) and returns err, for `return la_why_set(...)`. */
int la_why_set(struct la_why *why, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Backends: names of the loadable backends found (loads them). */
int la_context_get_backend_count(struct la_context *ctx, size_t *count);
const char *la_context_get_backend_name(struct la_context *ctx, size_t index);

/* ------------------------------------------------------------------ */
/* Devices                                                             */

/*
 * Opens a device node. The backend that recognises the node owns it;
 * -ENODEV (with a diagnosis) if no backend does.
 */
int la_device_open(struct la_context *ctx, const char *node, struct la_device **out);
/*
 * Same for an fd the caller already has. liballoc duplicates it with
 * F_DUPFD_CLOEXEC: the caller keeps ownership of fd and may close it at once.
 */
int la_device_open_fd(struct la_context *ctx, int fd, struct la_device **out);
struct la_device *la_device_ref(struct la_device *dev);
/* Returns NULL so that `d = la_device_unref(d)` leaves no dangling pointer. */
struct la_device *la_device_unref(struct la_device *dev);

const char *la_device_get_backend(const struct la_device *dev); /* "drm" */
const char *la_device_get_driver(const struct la_device *dev);  /* "virtio_gpu" */
const char *la_device_get_node(const struct la_device *dev);    /* "/dev/video0"; may be "" */
/* Deprecated alias of la_device_get_node(), kept for one release. */
const char *la_device_get_path(const struct la_device *dev);
/* "virtio_gpu (/dev/dri/card1)": the name used in every diagnosis. */
const char *la_device_get_label(const struct la_device *dev);
dev_t la_device_get_devnum(const struct la_device *dev);
/* Borrowed: the device's own duplicate of its fd. */
int la_device_get_fd(const struct la_device *dev);

/*
 * Every device node the available backends can find. *devices is an array
 * of *count new references; release with la_device_list_free().
 */
int la_context_enumerate(struct la_context *ctx, struct la_device ***devices, size_t *count);
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

/* "scanout" etc. for one core bit; NULL for unknown or several bits. */
const char *la_usage_name(uint64_t bit);
/* Parses "scanout,cpu-read" (core names) into bits; -EINVAL names the bad word. */
int la_usage_parse(const char *text, uint64_t *usage);
/* Backend usage bits of a device by name; -ENOENT if the backend has none. */
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

/* Identity of the device a capability set describes. */
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
 * by the device's backend. -ENOTSUP (with diagnosis) if the device cannot
 * serve that usage at all.
 */
int la_device_get_capabilities(struct la_device *dev, uint64_t usage,
			       const struct la_assertion *assertion,
			       struct la_capset **out);

/* Building a set by hand (tests, backends, offline use). Strings are copied. */
int la_capset_new(const struct la_capset_info *info, struct la_capset **out);
int la_capset_add_candidate(struct la_capset *set, const struct la_candidate *cand);
void la_capset_destroy(struct la_capset *set);

size_t la_capset_get_candidate_count(const struct la_capset *set);
int la_capset_get_candidate(const struct la_capset *set, size_t index, struct la_candidate *out);
/* Strings in *info are borrowed from set. */
void la_capset_get_info(const struct la_capset *set, struct la_capset_info *info);
/* The live device, or NULL for a set that was loaded from a file. Borrowed. */
struct la_device *la_capset_get_device(const struct la_capset *set);

/* ------------------------------------------------------------------ */
/* Negotiation and allocation paths                                    */

struct la_request {
	struct la_device *device;
	uint64_t usage;
};

/*
 * Negotiates n (device, usage) pairs for assertion (n <= LA_MAX_DEVICES).
 * On success (0) *out holds the ordered common candidates and the ranked
 * allocation paths. When no common candidate or no path exists the call
 * returns -ENOENT (candidates) or -ENODEV (paths) AND still sets *out, so
 * la_result_get_diagnosis() can say which device and constraint refused.
 * Other errors leave *out NULL.
 */
#define LA_MAX_DEVICES 32
int la_negotiate(struct la_context *ctx, const struct la_assertion *assertion,
		 const struct la_request *requests, size_t n, struct la_result **out);
/*
 * Same from capability sets (live or loaded); the sets are not consumed.
 * When no set has a live device (all loaded from files), a missing path is
 * not a failure: the result answers "which format" (0), its diagnosis says
 * why no path matched, and la_allocate() refuses with -ENODEV.
 */
int la_negotiate_capsets(struct la_context *ctx, const struct la_assertion *assertion,
			 struct la_capset *const *sets, size_t n, struct la_result **out);
void la_result_destroy(struct la_result *res);

/* Borrowed; "" when negotiation succeeded without remarks. */
const char *la_result_get_diagnosis(const struct la_result *res);
/* Merged candidates in order: caller's format preference, then modifiers. */
size_t la_result_get_candidate_count(const struct la_result *res);
int la_result_get_candidate(const struct la_result *res, size_t index, struct la_candidate *out);
/* Index of the candidate the best path serves, or -ENODEV. */
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
/* Paths for the chosen candidate (or the first if none), best first. */
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
 * Linear layout of format at width x height honouring c (may be NULL).
 * -EOVERFLOW if any size does not fit, -EINVAL for an unknown format or a
 * limit the layout cannot meet (see la_last_diagnosis()).
 */
int la_layout_compute(uint32_t format, uint32_t width, uint32_t height,
		      const struct la_constraints *c, struct la_layout *out);
/* Checks a layout (e.g. the driver's own) against c; -EINVAL + diagnosis. */
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
int la_format_get_info(uint32_t format, struct la_format_info *out);
/* "NV12", "XRGB8888" or fourcc letters; returns buf. buf >= 32 bytes. */
const char *la_format_name(uint32_t format, char *buf, size_t len);
/* Accepts table names ("XRGB8888") and 4-letter fourccs ("XR24"). */
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

/* Allocates with the best path of res and its chosen candidate. */
int la_allocate(struct la_result *res, struct la_buffer **out);
/* Same with the path named by the caller; -ENOENT unknown, -EINVAL no match. */
int la_allocate_with_path(struct la_result *res, const char *path, struct la_buffer **out);
/* Allocates res' buffer_count buffers at once; all or none. */
int la_allocate_set(struct la_result *res, struct la_buffer **out, size_t count);

/*
 * Wraps a foreign descriptor (fds duplicated; caller keeps its own) as a
 * buffer so it can be mapped, imported and exported like an allocated one.
 */
int la_buffer_from_descriptor(struct la_context *ctx, const struct la_descriptor *desc,
			      struct la_buffer **out);
void la_buffer_destroy(struct la_buffer *buf);

/* fds in *desc are borrowed from buf. */
void la_buffer_get_descriptor(const struct la_buffer *buf, struct la_descriptor *desc);
/* fds in *desc are new (F_DUPFD_CLOEXEC) and owned by the caller. */
int la_buffer_export(const struct la_buffer *buf, struct la_descriptor *desc);
/* Closes every distinct fd of an exported descriptor and sets them to -1. */
void la_descriptor_close(struct la_descriptor *desc);
/* Name of the path that allocated buf ("" for wrapped foreign buffers). */
const char *la_buffer_get_path(const struct la_buffer *buf);

/*
 * Validates a descriptor against what a device accepts: format, modifier,
 * pitch/offset alignment, limits, planes inside the dma-buf.
 */
int la_capset_validate(const struct la_capset *set, const struct la_descriptor *desc);

/*
 * Imports buf into dev for usage through the device's backend (DRM: PRIME
 * handle and, for scanout, a framebuffer; V4L2: a check against the queue).
 * The import holds its own references; destroy it before closing dev.
 */
int la_device_import(struct la_device *dev, uint64_t usage, const struct la_buffer *buf,
		     struct la_import **out);
/* Backend-defined values: "fb_id", "handle0".."handle3". -ENOENT if absent. */
int la_import_get_property(const struct la_import *imp, const char *name, uint64_t *value);
void la_import_destroy(struct la_import *imp);

#define LA_MAP_READ  (1u << 0)
#define LA_MAP_WRITE (1u << 1)
/*
 * Maps a plane for the CPU and starts CPU access (DMA_BUF_IOCTL_SYNC START
 * with the read/write flags). *data points at the plane's first byte.
 * Protected buffers refuse with -EPERM. Each map needs one unmap.
 */
int la_buffer_map(struct la_buffer *buf, uint32_t plane, uint32_t flags, void **data);
/* Ends CPU access (SYNC END) and unmaps. */
int la_buffer_unmap(struct la_buffer *buf, uint32_t plane);

/* ------------------------------------------------------------------ */
/* Serialization for other processes                                   */

/*
 * Binary, versioned, little-endian form. *data is malloc()ed (free() it).
 * Readers treat input as hostile: -EINVAL for anything malformed.
 */
int la_capset_serialize(const struct la_capset *set, void **data, size_t *size);
int la_capset_deserialize(const void *data, size_t size, struct la_capset **out);
/* fds travel separately (SCM_RIGHTS); the blob stores the plane->fd index. */
int la_descriptor_serialize(const struct la_descriptor *desc, void **data, size_t *size,
			    int *fds, size_t *n_fds);
int la_descriptor_deserialize(const void *data, size_t size, const int *fds, size_t n_fds,
			      struct la_descriptor *out);

/* JSON (schema in USAGE.md). *json is malloc()ed. */
int la_capset_to_json(const struct la_capset *set, char **json);
int la_capset_from_json(const char *json, struct la_capset **out);

#ifdef __cplusplus
}
#endif

#endif
