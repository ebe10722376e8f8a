/* SPDX-License-Identifier: MIT */
/* State and helpers shared by the files of the V4L2 backend. */
#ifndef LA_V4L2_BACKEND_H
#define LA_V4L2_BACKEND_H

#include <stdbool.h>
#include <stdint.h>
#include <linux/videodev2.h>

#include <liballoc/backend.h>

#include "../common/ioctl.h"
#include "../common/probe-cache.h"
#include "fourcc.h"

#define V4L2_LABEL_MAX 160
#define V4L2_REASON_MAX 240

struct v4l2_backend {
	const struct la_backend_host *host;
};

/* What the import probe learnt about one queue of a device. */
struct v4l2_probe {
	bool done;
	enum la_import_rule rule;
	char reason[V4L2_REASON_MAX];
};

enum v4l2_queue { V4L2_Q_CAPTURE = 0, V4L2_Q_OUTPUT = 1 };

#define V4L2_FORMATS_MAX 256

/*
 * VIDIOC_ENUM_FMT of one queue, read once per negotiation: a capture
 * device's list is fixed, but a mem2mem device's capture list follows the
 * output queue's format, which the program may set between negotiations.
 * Emptied by every capability query and path listing (each negotiation),
 * and when S_FMT answers with another pixel format than the list promised.
 */
struct v4l2_formats {
	bool valid;
	uint32_t n;
	uint32_t codes[V4L2_FORMATS_MAX];
};

struct v4l2_dev {
	struct v4l2_backend *be;
	int fd;                 /* borrowed from the core */
	char label[V4L2_LABEL_MAX]; /* "vivid (/dev/video0)", as the core names it */
	char name[64];          /* "vivid:video0", for path names */
	char driver[32];        /* VIDIOC_QUERYCAP driver */
	dev_t devnum;           /* st_rdev of the node, 0 if none: keys the probe cache */
	uint32_t dma_bits;      /* DMA address limit from sysfs, 0: none known */
	uint32_t caps;          /* device_caps */
	uint32_t type[2];       /* buffer type of the capture / output queue, 0 = none */
	struct v4l2_probe probe[2];
	struct v4l2_formats formats[2]; /* per queue, see v4l2_lists_format */
	/*
	 * The capability query of a capture-only device filled formats[] while
	 * listing them: the path listing that follows (the same negotiation)
	 * keeps them instead of enumerating again. Consumed by that listing.
	 */
	bool formats_from_caps;
};

/* Queue state as VIDIOC_CREATE_BUFS(count = 0) reports it, without side effects. */
struct v4l2_queue_state {
	uint32_t mem_caps;      /* V4L2_BUF_CAP_* */
	uint32_t n_buffers;     /* buffers currently allocated */
	bool exact;             /* false: the driver has no CREATE_BUFS; REQBUFS was used */
};

#define v4l2_log(be, lvl, ...) (be)->host->log((be)->host->host_data, (lvl), __VA_ARGS__)
#define v4l2_dbg(be, ...) v4l2_log((be), LA_LOG_DEBUG, __VA_ARGS__)
/* The reason a hook hands back (struct la_why, backend.h). */
#define v4l2_diag(why, ...) la_why_set(why, 0, __VA_ARGS__)

/* backend.c */
/* Size of a dma-buf (lseek SEEK_END), or -errno. */
int64_t v4l2_fd_size(int fd);
const char *v4l2_fourcc_str(uint32_t code, char buf[8]);
bool v4l2_type_is_mplane(uint32_t type);
/* Queue serving usage (capture for CAPTURE/DECODE, output for ENCODE); -ENOTSUP + diag. */
int v4l2_queue_for_usage(struct v4l2_dev *dev, uint64_t usage, enum v4l2_queue *q,
			 struct la_why *why);
int v4l2_queue_state(struct v4l2_dev *dev, uint32_t type, struct v4l2_queue_state *st,
		     struct la_why *why);
/* Is pixfmt among VIDIOC_ENUM_FMT of type? Enumerates once, see struct v4l2_formats. */
bool v4l2_lists_format(struct v4l2_dev *dev, uint32_t type, uint32_t pixfmt);
/* Forgets the enumerations: the next v4l2_lists_format asks the driver again. */
void v4l2_forget_formats(struct v4l2_dev *dev);
/* V4L2 code for a DRM format on the queue: single-buffer variant first, then *M. */
uint32_t v4l2_pick_format(struct v4l2_dev *dev, uint32_t type, uint32_t drm, uint32_t *mem_planes);
/* Fills a v4l2_format for TRY/S_FMT; bpl may be NULL. */
void v4l2_fill_format(struct v4l2_format *f, uint32_t type, uint32_t pixfmt, uint32_t w,
		      uint32_t h, uint32_t mem_planes, const uint32_t *bpl);
/* Reads back width/height/bpl/sizeimage of a (TRY/S/G)_FMT answer. */
void v4l2_read_format(const struct v4l2_format *f, uint32_t *w, uint32_t *h, uint32_t *n_planes,
		      uint32_t bpl[VIDEO_MAX_PLANES], uint32_t size[VIDEO_MAX_PLANES]);

/* caps.c */
int v4l2_get_capabilities(void *backend, void *device, uint64_t usage,
			  const struct la_assertion *assertion, struct la_capset *set,
			  struct la_why *why);

/*
 * import-probe.c: the queue's import rule in dev->probe[q], from the
 * process-wide probe cache (probe-cache.h) or by probing; a probe that
 * cannot run is retried by later calls, BE_PROBE_CACHE_ATTEMPTS times in all.
 */
void v4l2_probe_import_rule(struct v4l2_dev *dev, enum v4l2_queue q, uint32_t mem_caps);

/* mmap-path.c */
int v4l2_list_paths(void *backend, struct la_device *const *devices, void *const *device_data,
		    size_t n, la_path_sink_fn sink, void *sink_data, struct la_why *why);
int v4l2_path_match(void *backend, void *path, const struct la_alloc_request *req, int *rank,
		    struct la_why *why);
int v4l2_path_allocate(void *backend, void *path, const struct la_alloc_request *req,
		       struct la_descriptor *out, struct la_why *why);
void v4l2_path_release(void *backend, void *path);

/* import.c */
int v4l2_import(void *backend, void *device, uint64_t usage, const struct la_descriptor *desc,
		void **imp, struct la_why *why);
int v4l2_import_get_property(void *backend, void *imp, const char *name, uint64_t *value,
			     struct la_why *why);
void v4l2_import_release(void *backend, void *imp);

#endif
