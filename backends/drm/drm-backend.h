/* SPDX-License-Identifier: MIT */
/*
 * State shared by the files of the DRM/KMS + GBM backend. Private to
 * backends/drm: the backend uses only liballoc's public headers.
 *
 * What a device knows is learnt lazily from the kernel and cached in
 * struct drm_dev: capabilities at probe, the pitch rule, the import rule
 * and the GBM device the first time a query needs them.
 */
#ifndef LA_DRM_BACKEND_H
#define LA_DRM_BACKEND_H

#include <liballoc/backend.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct gbm_device;

struct drm_backend {
	const struct la_backend_host *host;
	int level; /* the context's log level (backend.h: log_level), atomic */
};

/* A GEM handle imported on the device fd. The kernel gives the same
 * handle for every PRIME import of one dma-buf on one file and GEM_CLOSE
 * drops it for all of them, so imports share handles through counts. */
struct drm_handle_ref {
	uint32_t handle;
	uint32_t refs;
};

enum drm_probe_state { DRM_UNKNOWN = 0, DRM_YES, DRM_NO };

struct drm_dev {
	struct drm_backend *be;
	int fd;                /* borrowed from the core */
	char path[256];
	char driver[64];
	char node[32];         /* "card1", "renderD128" */
	dev_t devnum;
	bool render_node;

	/* DRM_IOCTL_GET_CAP, read at probe */
	bool cap_dumb;
	uint64_t cap_prime;    /* DRM_PRIME_CAP_IMPORT | _EXPORT */
	bool cap_addfb2_modifiers;
	uint64_t cursor_w, cursor_h; /* 0: the driver has no cursor caps */

	/* mode resources (KMS nodes only) */
	bool kms;
	uint32_t min_w, max_w, min_h, max_h;
	bool has_overlay, has_cursor_plane;

	/* pitch rule learnt from probe dumb buffers */
	enum drm_probe_state pitch_state;
	uint32_t pitch_align;
	char pitch_reason[160];

	/* dumb buffers on this node (render nodes usually refuse CREATE_DUMB) */
	enum drm_probe_state dumb_state;
	char dumb_reason[160];

	/* foreign dma-buf import, probed once */
	enum drm_probe_state import_state;
	enum la_import_rule import_rule;
	bool import_fallback;  /* the probe could not run: asked again later */
	char import_reason[320];

	/* memory.c, read at probe: the DMA address limit from sysfs (0: none
	 * known) and how the driver maps its GEM objects for the CPU */
	uint32_t dma_bits;
	char dma_reason[200];
	char sysfs_dir[PATH_MAX]; /* the node's device in sysfs, "" if unknown */
	uint32_t caching;      /* LA_CACHING_* of the device's own buffers */
	const char *caching_reason;

	/* GBM, created on first use */
	enum drm_probe_state gbm_state;  /* YES: GBM can allocate here */
	struct gbm_device *gbm;          /* loaded, maybe unable to allocate */
	bool gbm_modifiers;              /* gbm_bo_create_with_modifiers2 works */
	char gbm_reason[200];

	struct drm_handle_ref *handles;
	size_t n_handles;
};

/* Reason (struct la_why of the hook) and log helpers naming the device. */
#define drm_diag(why, dev, fmt, ...)                                                     \
	la_why_set(why, 0, "%s (%s): " fmt, (dev)->driver, (dev)->path, ##__VA_ARGS__)
#define drm_log(dev, level, fmt, ...)                                                    \
	(dev)->be->host->log((dev)->be->host->host_data, level, "%s (%s): " fmt,          \
			     (dev)->driver, (dev)->path, ##__VA_ARGS__)
/* per buffer too: with debug off, no call and no arguments built */
#define drm_dbg(dev, fmt, ...)                                                           \
	do {                                                                             \
		if (__atomic_load_n(&(dev)->be->level, __ATOMIC_RELAXED) >= LA_LOG_DEBUG)  \
			drm_log(dev, LA_LOG_DEBUG, fmt, ##__VA_ARGS__);                  \
	} while (0)

/* device.c */
int drm_dev_probe(struct drm_backend *be, int fd, const char *path, struct drm_dev **out);
void drm_dev_destroy(struct drm_dev *dev);
/* Pitch alignment in bytes learnt from probe dumb buffers; 0 if unknown. */
uint32_t drm_dev_pitch_align(struct drm_dev *dev);
/* true when CREATE_DUMB works on this node (probed once). */
bool drm_dev_can_dumb(struct drm_dev *dev);

/* memory.c: fills dma_bits/caching (and their reasons) at probe. */
void drm_dev_learn_memory(struct drm_dev *dev);
/* The implicit-layout domain: the nodes of one GPU share it (backend.h). */
void drm_dev_layout_domain(struct drm_dev *dev, char *key, size_t len);
/* The CPU-mapping caching of a driver's GEM objects, from the table. */
uint32_t drm_driver_caching(const char *driver, const char **reason);

/* import-probe.c: the import rule, probed with foreign dma-bufs once. */
enum la_import_rule drm_dev_import_rule(struct drm_dev *dev, const char **reason);

/* planes.c: (format, modifier) pairs of the planes of one type. */
struct drm_pairs {
	struct { uint32_t format; uint64_t modifier; } *v;
	size_t n, cap;
};
int drm_pairs_add(struct drm_pairs *p, uint32_t format, uint64_t modifier);
bool drm_pairs_has(const struct drm_pairs *p, uint32_t format, uint64_t modifier);
void drm_pairs_free(struct drm_pairs *p);
/* plane_type: DRM_PLANE_TYPE_*. Appends every pair; *source names where
 * they came from ("IN_FORMATS", "plane formats"). 0, or -ENOENT if the
 * device has no plane of that type. */
int drm_planes_collect(struct drm_dev *dev, uint64_t plane_type, struct drm_pairs *out,
		       const char **source, struct la_why *why);

/* mesa.c: whether Mesa has a DRI driver for this kernel driver (reason
 * says which file, or where none was found), without calling Mesa. */
bool drm_mesa_has_driver(const char *driver, char *reason, size_t len);

/* gbm.c */
/* Whether GBM was tried on this device yet (nothing is loaded by asking). */
bool drm_gbm_probed(const struct drm_dev *dev);
/* Creates the GBM device on first use and probes one allocation. */
bool drm_gbm_usable(struct drm_dev *dev);
/* GBM loads (its format answers are usable) even if it cannot allocate. */
bool drm_gbm_loaded(struct drm_dev *dev);
bool drm_gbm_format_supported(struct drm_dev *dev, uint32_t format, uint32_t gbm_flags);
uint32_t drm_gbm_flags(uint64_t usage);
int drm_gbm_allocate(struct drm_dev *dev, const struct la_alloc_request *req,
		     struct la_descriptor *out, struct la_why *why);
void drm_gbm_destroy(struct drm_dev *dev);

/* dumb.c */
int drm_dumb_allocate(struct drm_dev *dev, const struct la_alloc_request *req,
		      struct la_descriptor *out, struct la_why *why);

/* caps.c */
int drm_get_capabilities(struct drm_dev *dev, uint64_t usage, const struct la_assertion *a,
			 struct la_capset *set, struct la_why *why);

/* paths.c */
int drm_list_paths(struct drm_backend *be, struct la_device *const *devices,
		   void *const *device_data, size_t n, la_path_sink_fn sink, void *sink_data,
		   struct la_why *why);
int drm_path_match(void *path, const struct la_alloc_request *req, int *rank, struct la_why *why);
int drm_path_allocate(void *path, const struct la_alloc_request *req, struct la_descriptor *out,
		      struct la_why *why);
void drm_path_release(void *path);

/* import.c */
int drm_import(struct drm_dev *dev, uint64_t usage, const struct la_descriptor *desc,
	       void **imp, struct la_why *why);
int drm_import_get_property(void *imp, const char *name, uint64_t *value, struct la_why *why);
void drm_import_release(void *imp);
/* GEM handle sharing (see struct drm_handle_ref). */
int drm_handle_get(struct drm_dev *dev, int dmabuf_fd, uint32_t *handle);
void drm_handle_put(struct drm_dev *dev, uint32_t handle);

/* Names for traces. */
const char *drm_fourcc_name(uint32_t format, char *buf, size_t len);

#endif
