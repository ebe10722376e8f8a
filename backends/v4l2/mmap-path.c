/* SPDX-License-Identifier: MIT */
/*
 * The device's own memory: MMAP buffers exported as dma-bufs with
 * VIDIOC_EXPBUF. Offered for every participating V4L2 device whose queue
 * supports MMAP, at the rank of device memory (300, below neutral heaps at
 * about 500), so it is chosen only when no neutral allocator satisfies
 * every device, e.g. a contiguous-only queue and no CMA heap.
 *
 * One allocation: S_FMT with liballoc's layout (so the driver sizes the
 * buffer for the negotiated pitch), VIDIOC_CREATE_BUFS(count 1, MMAP),
 * EXPBUF of each memory plane, then REQBUFS(0). An exported dma-buf keeps
 * its memory after the queue lets the buffer go (vb2 takes a reference per
 * export), so the queue is left empty, ready for the program to import the
 * buffers as DMABUF, and each buffer lives as long as its fds.
 *
 * The next buffers of the same request on a queue that has
 * VIDIOC_REMOVE_BUFS (Linux 6.10) take the raw ioctls' path: CREATE_BUFS(1)
 * with the format the first one set, EXPBUF, REQBUFS(0) (see
 * allocate_again()).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "v4l2.h"

#define RANK_DEVICE_MEMORY 300

#ifndef VIDIOC_REMOVE_BUFS /* uapi of Linux 6.10 */
struct v4l2_remove_buffers {
	__u32 index;
	__u32 count;
	__u32 type;
	__u32 reserved[13];
};
#define VIDIOC_REMOVE_BUFS _IOWR('V', 104, struct v4l2_remove_buffers)
#endif
#ifndef V4L2_BUF_CAP_SUPPORTS_REMOVE_BUFS
#define V4L2_BUF_CAP_SUPPORTS_REMOVE_BUFS (1 << 8)
#endif

/* What the last full allocation of a request learnt (under the backend's lock). */
struct v4l2_last {
	bool valid;
	struct la_alloc_request req;  /* width, height, format, modifier, usage */
	struct la_layout layout;      /* req.layout's content, if any */
	bool has_layout;
	enum v4l2_queue q;
	uint32_t mp, plane_count;
	struct v4l2_format f;         /* what S_FMT answered */
};

struct v4l2_path {
	struct v4l2_dev *dev;
	struct v4l2_last last;
};

int v4l2_list_paths(void *backend, struct la_device *const *devices, void *const *device_data,
		    size_t n, la_path_sink_fn sink, void *sink_data, struct la_why *why)
{
	for (size_t i = 0; i < n; i++) {
		struct v4l2_dev *dev = device_data[i];
		struct la_path_desc desc;
		struct v4l2_path *path;
		char name[96];
		bool mmap = false, contiguous = false;

		if (!dev)
			continue;
		/* the formats are read once per negotiation (by its capability query, or here) */
		if (!dev->formats_from_caps)
			v4l2_forget_formats(dev);
		dev->formats_from_caps = false;
		for (int q = 0; q < 2; q++) {
			struct v4l2_queue_state st;
			if (!dev->type[q] || v4l2_queue_state(dev, dev->type[q], &st, why) < 0)
				continue;
			mmap |= (st.mem_caps & V4L2_BUF_CAP_SUPPORTS_MMAP) != 0;
			contiguous |= dev->probe[q].done && dev->probe[q].rule == LA_IMPORT_CONTIGUOUS;
		}
		if (!mmap)
			continue;
		path = calloc(1, sizeof(*path));
		if (!path)
			return -ENOMEM;
		path->dev = dev;
		snprintf(name, sizeof(name), "v4l2-mmap:%s", dev->name);
		desc = (struct la_path_desc){
			.name = name,
			.rank = RANK_DEVICE_MEMORY,
			/* a queue that imports only contiguous memory allocates contiguous memory */
			.flags = (contiguous ? LA_PATH_CONTIGUOUS : 0) | LA_PATH_LINEAR_ONLY,
			/*
			 * V4L2 does not say; vmalloc/sg queues hand out ordinary cached
			 * pages, dma-contig ones coherent DMA memory, which is
			 * write-combined on non-coherent architectures.
			 */
			.caching = contiguous ? LA_CACHING_WRITECOMBINE : LA_CACHING_CACHED,
			/* vb2 allocates within the device's DMA mask */
			.dma_addr_bits = dev->dma_bits,
			.owner = devices[i],
		};
		int ret = sink(sink_data, &desc, path);
		if (ret == -ENOMEM)
			return ret;
	}
	return 0;
}

/* V4L2 code, queue and its state for a request on this device, or -errno + diagnosis. */
static int resolve(struct v4l2_dev *dev, const struct la_alloc_request *req, enum v4l2_queue *q,
		   uint32_t *type, uint32_t *pixfmt, uint32_t *mem_planes,
		   struct v4l2_queue_state *st, struct la_why *why)
{
	char name[32];
	int ret = v4l2_queue_for_usage(dev, req->usage, q, why);

	if (ret < 0)
		return ret;
	*type = dev->type[*q];
	ret = v4l2_queue_state(dev, *type, st, why);
	if (ret < 0)
		return ret;
	if (!(st->mem_caps & V4L2_BUF_CAP_SUPPORTS_MMAP)) {
		v4l2_diag(why, "%s: queue has no MMAP buffers (capabilities 0x%x)", dev->label,
			  st->mem_caps);
		return -ENOTSUP;
	}
	*pixfmt = v4l2_pick_format(dev, *type, req->format, mem_planes);
	if (!*pixfmt) {
		v4l2_diag(why, "%s: does not list %s on this queue", dev->label,
			  la_format_name(req->format, name, sizeof(name)));
		return -ENOTSUP;
	}
	if (req->modifier != 0) {
		v4l2_diag(why, "%s: V4L2 buffers are linear; modifier 0x%llx asked", dev->label,
			  (unsigned long long)req->modifier);
		return -ENOTSUP;
	}
	return 0;
}

int v4l2_path_match(void *backend, void *path, const struct la_alloc_request *req, int *rank,
		    struct la_why *why)
{
	struct v4l2_path *p = path;
	struct v4l2_queue_state st;
	uint32_t type, pixfmt, mp;
	enum v4l2_queue q;

	(void)backend;
	(void)rank;
	return resolve(p->dev, req, &q, &type, &pixfmt, &mp, &st, why);
}

static int set_format(struct v4l2_dev *dev, uint32_t type, uint32_t pixfmt, uint32_t mp,
		      const struct la_alloc_request *req, struct v4l2_format *f, struct la_why *why)
{
	uint32_t bpl[VIDEO_MAX_PLANES] = {0}, w, h, n, got[VIDEO_MAX_PLANES], size[VIDEO_MAX_PLANES];
	char s[8];
	int ret;

	for (uint32_t p = 0; req->layout && p < mp; p++)
		bpl[p] = (uint32_t)req->layout->pitch[p];
	v4l2_fill_format(f, type, pixfmt, req->width, req->height, mp, bpl);
	ret = be_ioctl(dev->fd, VIDIOC_S_FMT, f);
	if (ret < 0) {
		v4l2_diag(why, "%s: VIDIOC_S_FMT %s %ux%u: %s", dev->label,
			  v4l2_fourcc_str(pixfmt, s), req->width, req->height, strerror(-ret));
		return ret;
	}
	/* mem2mem: one queue's format decides what the other lists */
	if (dev->type[V4L2_Q_CAPTURE] && dev->type[V4L2_Q_OUTPUT])
		dev->formats[type == dev->type[V4L2_Q_OUTPUT] ? V4L2_Q_CAPTURE : V4L2_Q_OUTPUT].valid =
			false;
	/* the enumeration is cached (struct v4l2_formats): the driver has the last word */
	if ((v4l2_type_is_mplane(type) ? f->fmt.pix_mp.pixelformat : f->fmt.pix.pixelformat) !=
	    pixfmt) {
		v4l2_forget_formats(dev);
		v4l2_diag(why, "%s: VIDIOC_S_FMT does not take %s any more", dev->label,
			  v4l2_fourcc_str(pixfmt, s));
		return -EINVAL;
	}
	v4l2_read_format(f, &w, &h, &n, got, size);
	if (w != req->width || h != req->height || n != mp ||
	    (req->layout && memcmp(got, bpl, mp * sizeof(bpl[0])) != 0)) {
		v4l2_diag(why, "%s: VIDIOC_S_FMT changed %s %ux%u pitch %u into %ux%u pitch %u",
			  dev->label, v4l2_fourcc_str(pixfmt, s), req->width, req->height, bpl[0], w,
			  h, got[0]);
		return -EINVAL;
	}
	return 0;
}

static void free_queue(struct v4l2_dev *dev, uint32_t type)
{
	struct v4l2_requestbuffers rb = {.count = 0, .type = type, .memory = V4L2_MEMORY_MMAP};

	be_ioctl(dev->fd, VIDIOC_REQBUFS, &rb);
}

/* One MMAP buffer in the empty queue: its index. */
static int create_one(struct v4l2_dev *dev, const struct v4l2_format *f, uint64_t min_size,
		      uint32_t *index, struct la_why *why)
{
	struct v4l2_create_buffers cb = {.count = 1, .memory = V4L2_MEMORY_MMAP};
	int ret;

	cb.format = *f;
	/* single memory plane: the buffer must hold liballoc's whole layout */
	if (!v4l2_type_is_mplane(f->type) && min_size > cb.format.fmt.pix.sizeimage)
		cb.format.fmt.pix.sizeimage = (uint32_t)min_size;
	else if (v4l2_type_is_mplane(f->type) && cb.format.fmt.pix_mp.num_planes == 1 &&
		 min_size > cb.format.fmt.pix_mp.plane_fmt[0].sizeimage)
		cb.format.fmt.pix_mp.plane_fmt[0].sizeimage = (uint32_t)min_size;
	ret = be_ioctl(dev->fd, VIDIOC_CREATE_BUFS, &cb);
	if (ret == 0 && cb.count >= 1) {
		*index = cb.index;
		return 0;
	}
	if (ret != -ENOTTY) {
		v4l2_diag(why, "%s: VIDIOC_CREATE_BUFS(1, MMAP): %s", dev->label,
			  ret ? strerror(-ret) : "no buffer created");
		return ret ? ret : -ENOMEM;
	}
	struct v4l2_requestbuffers rb = {.count = 1, .type = f->type, .memory = V4L2_MEMORY_MMAP};
	ret = be_ioctl(dev->fd, VIDIOC_REQBUFS, &rb);
	if (ret < 0 || rb.count < 1) {
		v4l2_diag(why, "%s: VIDIOC_REQBUFS(1, MMAP): %s", dev->label,
			  ret ? strerror(-ret) : "no buffer");
		return ret ? ret : -ENOMEM;
	}
	*index = 0;
	return 0;
}

/* The descriptor of buffer fds[] made with format f for req. */
static void describe(const struct v4l2_dev *dev, enum v4l2_queue q, uint32_t plane_count,
		     uint32_t mp, const struct v4l2_format *f, const int *fds,
		     const struct la_alloc_request *req, struct la_descriptor *out)
{
	uint32_t w, h, n, bpl[VIDEO_MAX_PLANES], size[VIDEO_MAX_PLANES];

	/* out arrives zeroed (backend.h); one memory plane takes the request's layout */
	if (mp != 1)
		v4l2_read_format(f, &w, &h, &n, bpl, size);
	out->format = req->format;
	out->modifier = req->modifier;
	out->width = req->width;
	out->height = req->height;
	out->plane_count = plane_count;
	out->flags = dev->probe[q].rule == LA_IMPORT_CONTIGUOUS
			     ? LA_BUFFER_CONTIGUOUS
			     : LA_BUFFER_CACHED;
	for (uint32_t p = 0; p < plane_count; p++) {
		if (mp == 1) {
			out->planes[p] = (struct la_plane){fds[0], req->layout->offset[p],
							   req->layout->pitch[p],
							   req->layout->plane_size[p]};
		} else {
			/* *M formats: plane p is memory plane p, at offset 0 of its own dma-buf */
			out->planes[p] = (struct la_plane){fds[p], 0, bpl[p], size[p]};
		}
	}
}

static bool same_request(const struct v4l2_last *l, const struct la_alloc_request *req)
{
	return l->valid && l->req.width == req->width && l->req.height == req->height &&
	       l->req.format == req->format && l->req.modifier == req->modifier &&
	       l->req.usage == req->usage && l->has_layout == (req->layout != NULL) &&
	       (!req->layout || memcmp(&l->layout, req->layout, sizeof(l->layout)) == 0);
}

static void remember(struct v4l2_path *path, const struct la_alloc_request *req,
		     enum v4l2_queue q, uint32_t mp, uint32_t plane_count,
		     const struct v4l2_format *f, uint32_t mem_caps)
{
	struct v4l2_last *l = &path->last;

	l->valid = (mem_caps & V4L2_BUF_CAP_SUPPORTS_REMOVE_BUFS) != 0;
	l->req = *req;
	l->req.layout = NULL;
	l->req.devices = NULL;
	l->req.constraints = NULL;
	l->has_layout = req->layout != NULL;
	if (req->layout)
		l->layout = *req->layout;
	l->q = q;
	l->mp = mp;
	l->plane_count = plane_count;
	l->f = *f;
}

/*
 * The request the last full allocation made, again: the raw ioctls'
 * three calls. CREATE_BUFS sizes the buffer by the format it is given,
 * whatever the queue's current one, so no S_FMT. The new buffer's index
 * says what CREATE_BUFS(0) said before: 0 on an idle queue, which
 * REQBUFS(0) empties again (vb2 counts a queue emptied by REMOVE_BUFS as
 * busy until then: S_FMT would fail); another on a queue that holds a
 * program's buffers (only on our own file: vb2 refuses another file's
 * queue), where REMOVE_BUFS takes back only ours (REQBUFS(0) would free
 * theirs). Returns 1 when the full path must decide (the driver refused
 * the format: someone changed the queue's).
 */
static int allocate_again(struct v4l2_path *path, const struct la_alloc_request *req,
			  struct la_descriptor *out, struct la_why *why)
{
	struct v4l2_dev *dev = path->dev;
	const struct v4l2_last *l = &path->last;
	int fds[VIDEO_MAX_PLANES] = {-1, -1, -1, -1, -1, -1, -1, -1};
	struct v4l2_create_buffers cb = {.count = 1, .memory = V4L2_MEMORY_MMAP, .format = l->f};
	int ret;

	if (!v4l2_type_is_mplane(l->f.type) && req->layout &&
	    req->layout->size > cb.format.fmt.pix.sizeimage)
		cb.format.fmt.pix.sizeimage = (uint32_t)req->layout->size;
	else if (v4l2_type_is_mplane(l->f.type) && cb.format.fmt.pix_mp.num_planes == 1 &&
		 req->layout && req->layout->size > cb.format.fmt.pix_mp.plane_fmt[0].sizeimage)
		cb.format.fmt.pix_mp.plane_fmt[0].sizeimage = (uint32_t)req->layout->size;
	ret = be_ioctl(dev->fd, VIDIOC_CREATE_BUFS, &cb);
	if (ret == -EINVAL || (ret == 0 && cb.count < 1))
		return 1;
	if (ret < 0) {
		v4l2_diag(why, "%s: VIDIOC_CREATE_BUFS(1, MMAP): %s", dev->label, strerror(-ret));
		return ret;
	}
	struct v4l2_remove_buffers rm = {.index = cb.index, .count = 1, .type = l->f.type};
	if (cb.index != 0) {
		be_ioctl(dev->fd, VIDIOC_REMOVE_BUFS, &rm);
		v4l2_diag(why, "%s: queue busy: it holds %u buffers; MMAP allocation needs an "
				   "idle queue", dev->label, cb.index);
		return -EBUSY;
	}
	for (uint32_t p = 0; p < l->mp && ret == 0; p++) {
		struct v4l2_exportbuffer eb = {.type = l->f.type, .index = cb.index, .plane = p,
					       .flags = O_RDWR | O_CLOEXEC};
		ret = be_ioctl(dev->fd, VIDIOC_EXPBUF, &eb);
		if (ret < 0)
			v4l2_diag(why, "%s: VIDIOC_EXPBUF(buffer %u, plane %u): %s", dev->label,
				  cb.index, p, strerror(-ret));
		else
			fds[p] = eb.fd;
	}
	free_queue(dev, l->f.type);
	if (ret < 0) {
		for (uint32_t p = 0; p < l->mp; p++)
			if (fds[p] >= 0)
				close(fds[p]);
		return ret;
	}
	describe(dev, l->q, l->plane_count, l->mp, &l->f, fds, req, out);
	return 0;
}

int v4l2_path_allocate(void *backend, void *path, const struct la_alloc_request *req,
		       struct la_descriptor *out, struct la_why *why)
{
	struct v4l2_path *vp = path;
	struct v4l2_dev *dev = vp->dev;

	if (same_request(&vp->last, req)) {
		int ret = allocate_again(vp, req, out, why);
		if (ret <= 0)
			return ret;
		vp->last.valid = false;
	}
	struct v4l2_queue_state st;
	struct v4l2_format f;
	uint32_t type, pixfmt, mp, index = 0;
	int fds[VIDEO_MAX_PLANES] = {-1, -1, -1, -1, -1, -1, -1, -1};
	struct la_format_info fi;
	enum v4l2_queue q;
	int ret;

	(void)backend;
	ret = resolve(dev, req, &q, &type, &pixfmt, &mp, &st, why);
	if (ret < 0)
		return ret;
	if (la_format_get_info(req->format, &fi) < 0 || (mp == 1 && !req->layout))
		return -EINVAL;
	if (st.n_buffers) {
		v4l2_diag(why, "%s: queue busy: it holds %u buffers; MMAP allocation needs an "
				   "idle queue", dev->label, st.n_buffers);
		return -EBUSY;
	}
	ret = set_format(dev, type, pixfmt, mp, req, &f, why);
	if (ret < 0)
		return ret;
	ret = create_one(dev, &f, req->layout ? req->layout->size : 0, &index, why);
	if (ret < 0) {
		free_queue(dev, type); /* a REQBUFS fallback may have left buffers */
		return ret;
	}
	for (uint32_t p = 0; p < mp; p++) {
		struct v4l2_exportbuffer eb = {.type = type, .index = index, .plane = p,
					       .flags = O_RDWR | O_CLOEXEC};
		ret = be_ioctl(dev->fd, VIDIOC_EXPBUF, &eb);
		if (ret < 0) {
			v4l2_diag(why, "%s: VIDIOC_EXPBUF(buffer %u, plane %u): %s", dev->label,
				  index, p, strerror(-ret));
			goto fail;
		}
		fds[p] = eb.fd;
	}
	free_queue(dev, type);
	describe(dev, q, fi.plane_count, mp, &f, fds, req, out);
	remember(vp, req, q, mp, fi.plane_count, &f, st.mem_caps);
	return 0;
fail:
	for (uint32_t p = 0; p < mp; p++)
		if (fds[p] >= 0)
			close(fds[p]);
	free_queue(dev, type);
	return ret;
}

void v4l2_path_release(void *backend, void *path)
{
	(void)backend;
	free(path);
}
