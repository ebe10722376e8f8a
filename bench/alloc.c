/* SPDX-License-Identifier: MIT */
/*
 * bench/alloc: what an allocation through liballoc costs next to the raw
 * ioctls that do the same work, per allocation path, in the test VM
 * (tests/vm: real vgem, virtio_gpu, vivid, dma-heap, udmabuf and smaf.ko).
 *
 *   alloc [--quick] [--iterations N] [--json FILE] [--only LABEL]...
 *
 * For each path whose device exists and each size (XRGB8888, 4 KiB to
 * 32 MiB), one negotiation is made and reused: a sample is
 * la_allocate_with_path + la_buffer_export_take + la_descriptor_close (the
 * export cycle), or la_allocate_with_path + la_buffer_get_descriptor +
 * la_buffer_destroy ("borrowed-*"), against the path's ioctls
 * (alloc-raw.c); "dup-*" exports a duplicate (la_buffer_export) at the
 * smallest size. The two sides alternate sample by sample, so load on the
 * shared host moves both. "pool-*" (dma-heap:system, 1 MiB): a steady
 * la_pool_acquire + la_pool_release against the raw cycle, and the
 * memory a pool holds against its cap.
 * "first-*" results time, in a fresh process each, everything up to the
 * first buffer: context, backend loading, device open, capabilities,
 * negotiation, allocation, export, free — against opening the node and
 * doing the raw cycle once: with the probe cache file of an earlier
 * process ("first-*", warm) and without ("first-cold-*"). "renegotiate-*"
 * is the cost of a cycle when the negotiation is not reused.
 *
 * Without --json the JSON goes to stdout; in the VM, bench/run passes a file
 * under $LIBALLOC_VM_RESULTS.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <drm.h>
#include <drm_fourcc.h>
#include <linux/videodev2.h>

#include <liballoc/liballoc.h>

#include "alloc-raw.h"
#include "child.h"
#include "measure.h"
#include "cli.h"
#include "report.h"
#include "testlib.h"
#include "vivid.h"
#include "vmtest.h"

enum dev_kind { DEV_VGEM, DEV_VIRTIO_GPU, DEV_VIVID, DEV_COUNT };

/*
 * The device each path is negotiated for. Neutral paths (heaps, udmabuf,
 * SMAF) need a participant that imports any dma-buf: vgem with CPU access.
 */
struct path_spec {
	const char *label;   /* result names; also the path name's prefix */
	enum raw_kind raw;
	enum dev_kind dev;
	uint64_t usage;
	const char *node;    /* the node the path needs (NULL: the device's) */
};

static const struct path_spec paths[] = {
	{"dma-heap:system", RAW_DMA_HEAP, DEV_VGEM, LA_USAGE_CPU_READ | LA_USAGE_CPU_WRITE,
	 "/dev/dma_heap/system"},
	{"udmabuf", RAW_UDMABUF, DEV_VGEM, LA_USAGE_CPU_READ | LA_USAGE_CPU_WRITE, "/dev/udmabuf"},
	{"drm-dumb:virtio_gpu", RAW_DRM_DUMB, DEV_VIRTIO_GPU, LA_USAGE_SCANOUT, NULL},
	{"drm-dumb:vgem", RAW_DRM_DUMB, DEV_VGEM, LA_USAGE_CPU_READ | LA_USAGE_CPU_WRITE, NULL},
	{"smaf", RAW_SMAF, DEV_VGEM, LA_USAGE_CPU_READ | LA_USAGE_CPU_WRITE, "/dev/smaf"},
	{"v4l2-mmap:vivid", RAW_V4L2_MMAP, DEV_VIVID, LA_USAGE_CAPTURE, NULL},
};

struct size_point {
	const char *name;
	uint32_t width, height; /* XRGB8888: width * 4 * height bytes */
};

static const struct size_point sizes_full[] = {
	{"4KiB", 32, 32}, {"64KiB", 128, 128}, {"1MiB", 512, 512},
	{"4MiB", 1024, 1024}, {"32MiB", 4096, 2048},
};
static const struct size_point sizes_quick[] = {{"4KiB", 32, 32}, {"1MiB", 512, 512}};
static const struct size_point renegotiate_size = {"1MiB", 512, 512};

struct opts {
	struct bench_opts b; /* first: bench_parse fills it */
	const char *only[8];
	size_t n_only;
	/* child mode (--first-child): one first allocation in this process */
	const char *child_side, *child_path, *child_node;
	uint32_t child_w, child_h;
};

struct env {
	char dev_node[DEV_COUNT][64];   /* "" when absent */
	char self[4096];                /* this program, for the child runs */
};

/* ---- devices ---- */

/* The node of a DRM driver, found by name: numbering follows load order. */
static void find_drm_card(const char *driver, char *out, size_t len)
{
	int fd = vm_open_drm(driver, "card", out, len);

	if (fd >= 0)
		close(fd);
}

/* vivid's input 0 (webcam) snaps to its frame sizes: select one that scales. */
static int select_scaling_input(int fd)
{
	for (int i = 0; i < 16; i++) {
		struct v4l2_input in = {.index = (uint32_t)i};
		if (ioctl(fd, VIDIOC_ENUMINPUT, &in) < 0)
			break;
		if (strncmp((char *)in.name, "S-Video", 7) == 0 ||
		    strncmp((char *)in.name, "HDMI", 4) == 0)
			return ioctl(fd, VIDIOC_S_INPUT, &i) == 0 ? 0 : -errno;
	}
	return -ENOENT;
}

/* A vivid capture node, set to an input that scales. */
static void find_vivid(char *out, size_t len)
{
	char node[64];
	int fd = vm_open_v4l2("vivid", NULL, node, sizeof(node));

	if (fd < 0)
		return;
	if (select_scaling_input(fd) == 0)
		snprintf(out, len, "%s", node);
	close(fd);
}

static void find_devices(struct env *e)
{
	find_drm_card("vgem", e->dev_node[DEV_VGEM], sizeof(e->dev_node[0]));
	find_drm_card("virtio_gpu", e->dev_node[DEV_VIRTIO_GPU], sizeof(e->dev_node[0]));
	find_vivid(e->dev_node[DEV_VIVID], sizeof(e->dev_node[0]));
}

/* NULL when the path cannot run here (the reason is printed). */
static const char *raw_node_of(const struct path_spec *p, const struct env *e)
{
	const char *dev = e->dev_node[p->dev];

	if (!dev[0]) {
		fprintf(stderr, "alloc: %s skipped: no %s device\n", p->label,
			p->dev == DEV_VGEM ? "vgem" : p->dev == DEV_VIRTIO_GPU ? "virtio_gpu" : "vivid");
		return NULL;
	}
	if (p->node && access(p->node, F_OK) != 0) {
		fprintf(stderr, "alloc: %s skipped: no %s\n", p->label, p->node);
		return NULL;
	}
	return p->node ? p->node : dev;
}

/* ---- liballoc side ---- */

struct lib_point {
	struct la_context *ctx;
	struct la_device *dev;
	uint64_t usage;
	struct la_assertion assertion;
	uint32_t format;
	const char *label;
	struct la_result *res;
	char path[96];        /* the full path name, e.g. "v4l2-mmap:vivid:video0" */
};

/* The path of res whose name starts with label (a name may get ":<node>"). */
static int find_path(struct lib_point *p)
{
	size_t n = la_result_get_path_count(p->res), len = strlen(p->label);

	for (size_t i = 0; i < n; i++) {
		struct la_path_info info;
		if (la_result_get_path(p->res, i, &info) < 0)
			continue;
		if (strncmp(info.name, p->label, len) == 0 &&
		    (info.name[len] == '\0' || info.name[len] == ':')) {
			if (!info.matched) {
				fprintf(stderr, "alloc: %s does not match: %s\n", info.name,
					info.reason ? info.reason : "");
				return -EINVAL;
			}
			snprintf(p->path, sizeof(p->path), "%s", info.name);
			return 0;
		}
	}
	fprintf(stderr, "alloc: no path %s in the negotiation (%zu paths)\n", p->label, n);
	return -ENOENT;
}

static int lib_negotiate(struct lib_point *p, uint32_t width, uint32_t height)
{
	struct la_request req = {.device = p->dev, .usage = p->usage};
	int ret;

	p->format = DRM_FORMAT_XRGB8888;
	p->assertion = (struct la_assertion){.width = width, .height = height,
					     .formats = &p->format, .n_formats = 1};
	la_result_destroy(p->res);
	p->res = NULL;
	ret = la_negotiate(p->ctx, &p->assertion, &req, 1, &p->res);
	if (ret < 0 && ret != -ENODEV) {
		fprintf(stderr, "alloc: %s %ux%u: negotiation failed: %s (%s)\n", p->label, width,
			height, strerror(-ret),
			p->res ? la_result_get_diagnosis(p->res) : la_last_diagnosis());
		return ret;
	}
	return find_path(p);
}

enum lib_export {
	EXPORT_TAKE,     /* la_buffer_export_take: the buffer's own fds, as raw */
	EXPORT_BORROWED, /* la_buffer_get_descriptor: the fds stay the buffer's */
	EXPORT_DUP,      /* la_buffer_export: a duplicate the caller closes */
};

/* One allocate + export + free through liballoc, with the reused result. */
static int lib_cycle_as(struct lib_point *p, enum lib_export how)
{
	struct la_buffer *buf;
	struct la_descriptor d;
	int ret = la_allocate_with_path(p->res, p->path, &buf);

	if (ret < 0) {
		fprintf(stderr, "alloc: %s: %s\n", p->path, la_last_diagnosis());
		return ret;
	}
	if (how == EXPORT_TAKE) {
		ret = la_buffer_export_take(buf, &d);
		if (ret == 0)
			la_descriptor_close(&d);
		else
			la_buffer_destroy(buf);
		return ret;
	}
	if (how == EXPORT_DUP) {
		ret = la_buffer_export(buf, &d);
		if (ret == 0)
			la_descriptor_close(&d);
	} else {
		la_buffer_get_descriptor(buf, &d);
		ret = d.planes[0].fd >= 0 ? 0 : -EBADF;
	}
	la_buffer_destroy(buf);
	return ret;
}

/* The same, checked: the path that allocated and the dma-buf's size. */
static int lib_cycle(struct lib_point *p, uint64_t *dmabuf_size, bool check_path)
{
	struct la_buffer *buf;
	struct la_descriptor d;
	int ret = la_allocate_with_path(p->res, p->path, &buf);

	if (ret < 0) {
		fprintf(stderr, "alloc: %s: %s\n", p->path, la_last_diagnosis());
		return ret;
	}
	if (check_path && strcmp(la_buffer_get_path(buf), p->path) != 0) {
		fprintf(stderr, "alloc: asked %s, got %s\n", p->path, la_buffer_get_path(buf));
		ret = -EPROTO;
	}
	if (ret < 0) {
		la_buffer_destroy(buf);
		return ret;
	}
	ret = la_buffer_export_take(buf, &d);
	if (ret == 0) {
		if (dmabuf_size) {
			off_t end = lseek(d.planes[0].fd, 0, SEEK_END);
			*dmabuf_size = end < 0 ? 0 : (uint64_t)end;
		}
		la_descriptor_close(&d);
	}
	return ret;
}

/* ---- measuring both sides, alternating ---- */

struct pair_stats {
	struct bench_stats lib, lib_cpu, raw, raw_cpu;
};

struct sampler {
	double *w, *c;
	size_t n;
	double spent;
};

static int sample(struct sampler *s, int (*fn)(void *), void *data)
{
	double c0 = bench_cpu_us(), t0 = bench_now_us();
	int ret = fn(data);

	s->w[s->n] = bench_now_us() - t0;
	s->c[s->n] = bench_cpu_us() - c0;
	s->spent += s->w[s->n++];
	return ret;
}

/*
 * Sample by sample, alternating which side goes first, so a burst of load
 * on the shared host lands on both; stops after plan->samples each or once
 * either side has used plan->budget_us (after plan->min_samples).
 */
static int measure_pair(int (*lib)(void *), int (*raw)(void *), void *data,
			const struct bench_plan *plan, struct pair_stats *out)
{
	size_t cap = plan->samples ? plan->samples : 1;
	struct sampler a = {calloc(cap, sizeof(double)), calloc(cap, sizeof(double)), 0, 0};
	struct sampler b = {calloc(cap, sizeof(double)), calloc(cap, sizeof(double)), 0, 0};
	int ret = a.w && a.c && b.w && b.c ? 0 : -ENOMEM;

	for (unsigned i = 0; i < plan->warmup && ret == 0; i++) {
		ret = lib(data);
		if (ret == 0)
			ret = raw(data);
	}
	while (ret == 0 && a.n < cap) {
		if (a.n >= plan->min_samples && (a.spent >= plan->budget_us || b.spent >= plan->budget_us))
			break;
		if (a.n % 2 == 0) {
			ret = sample(&a, lib, data);
			if (ret == 0)
				ret = sample(&b, raw, data);
		} else {
			ret = sample(&b, raw, data);
			if (ret == 0)
				ret = sample(&a, lib, data);
		}
	}
	if (ret == 0) {
		bench_stats_compute(a.w, a.n, &out->lib);
		bench_stats_compute(a.c, a.n, &out->lib_cpu);
		bench_stats_compute(b.w, b.n, &out->raw);
		bench_stats_compute(b.c, b.n, &out->raw_cpu);
	}
	free(a.w);
	free(a.c);
	free(b.w);
	free(b.c);
	return ret;
}

struct point {
	struct lib_point *lib;
	struct raw_alloc *raw;
	struct la_pool *pool;
};

static int point_lib(void *data)
{
	return lib_cycle_as(((struct point *)data)->lib, EXPORT_TAKE);
}

static int point_lib_borrowed(void *data)
{
	return lib_cycle_as(((struct point *)data)->lib, EXPORT_BORROWED);
}

static int point_lib_dup(void *data)
{
	return lib_cycle_as(((struct point *)data)->lib, EXPORT_DUP);
}

/* A steady frame's buffer: from the pool, its fds borrowed, back. */
static int point_pool(void *data)
{
	struct la_pool *pool = ((struct point *)data)->pool;
	struct la_buffer *buf;
	struct la_descriptor d;
	int ret = la_pool_acquire(pool, &buf);

	if (ret < 0) {
		fprintf(stderr, "alloc: pool: %s\n", la_last_diagnosis());
		return ret;
	}
	la_buffer_get_descriptor(buf, &d);
	ret = la_pool_release(pool, buf);
	return ret < 0 ? ret : d.planes[0].fd >= 0 ? 0 : -EBADF;
}

static int point_raw(void *data)
{
	return raw_cycle(((struct point *)data)->raw, NULL);
}

static int point_renegotiate(void *data)
{
	struct lib_point *p = ((struct point *)data)->lib;
	int ret = lib_negotiate(p, p->assertion.width, p->assertion.height);

	return ret < 0 ? ret : lib_cycle(p, NULL, false);
}

static void fill_pair(struct bench_result *r, const struct pair_stats *s)
{
	r->value = s->lib.median;
	r->p90 = s->lib.p90;
	r->baseline = s->raw.median;
	r->baseline_p90 = s->raw.p90;
	r->samples = s->lib.n;
	bench_result_num(r, "cpu_us", s->lib_cpu.median);
	bench_result_num(r, "baseline_cpu_us", s->raw_cpu.median);
	bench_result_num(r, "min_us", s->lib.min);
	bench_result_num(r, "baseline_min_us", s->raw.min);
}

static struct bench_plan plan_for(const struct opts *o)
{
	return (struct bench_plan){
		.warmup = o->b.quick ? 1 : 3,
		.samples = o->b.iterations,
		.min_samples = o->b.quick ? 2 : 9,
		.budget_us = o->b.quick ? 0.2e6 : 2.0e6,
	};
}

/*
 * One size: verify that both sides give a dma-buf of the same size from the
 * asked path, then time them.
 */
static int run_size(struct bench_report *rep, const struct opts *o, const struct path_spec *ps,
		    struct lib_point *lp, struct raw_alloc *raw, const struct size_point *sz)
{
	struct point pt = {lp, raw, NULL};
	struct bench_plan plan = plan_for(o);
	struct pair_stats st;
	uint64_t lib_size = 0, raw_size = 0;
	char name[64];
	int ret = lib_negotiate(lp, sz->width, sz->height);

	if (ret == 0)
		ret = raw_set_size(raw, sz->width, sz->height);
	if (ret == 0)
		ret = lib_cycle(lp, &lib_size, true);
	if (ret == 0)
		ret = raw_cycle(raw, &raw_size);
	if (ret == 0)
		ret = measure_pair(point_lib, point_raw, &pt, &plan, &st);
	if (ret < 0) {
		fprintf(stderr, "alloc: %s %s failed: %s\n", ps->label, sz->name, strerror(-ret));
		return ret;
	}
	snprintf(name, sizeof(name), "%s-%s", ps->label, sz->name);
	struct bench_result *r = bench_report_add(rep, name, "us");
	if (!r)
		return -ENOMEM;
	fill_pair(r, &st);
	r->verified = lib_size == raw_size && lib_size >= raw->size;
	bench_result_str(r, "path", lp->path);
	bench_result_num(r, "bytes", (double)lib_size);
	snprintf(r->note, sizeof(r->note), "%s, dma-buf %llu bytes%s; target ratio <= 1.05 %s",
		 lp->path, (unsigned long long)lib_size,
		 r->verified ? "" : " (NOT the raw buffer's size)",
		 r->value <= 1.05 * r->baseline ? "met" : "NOT met");
	if (!r->verified)
		fprintf(stderr, "alloc: %s: liballoc's dma-buf has %llu bytes, the raw one %llu\n",
			name, (unsigned long long)lib_size, (unsigned long long)raw_size);
	bench_report_print_row(r);
	return 0;
}

/*
 * Variants of the cycle, on the negotiation run_size left (the same path
 * and size it verified). Borrowed: no export at all, the buffer's fds are
 * used where they are (the raw side's export is the fd its allocation
 * ioctl returns, or its one PRIME / EXPBUF call). Dup: la_buffer_export,
 * a duplicate on top of the buffer's own fd, closed with it.
 */
static int run_variant(struct bench_report *rep, const struct opts *o,
		       const struct path_spec *ps, struct lib_point *lp, struct raw_alloc *raw,
		       const struct size_point *sz, enum lib_export how)
{
	struct point pt = {lp, raw, NULL};
	struct bench_plan plan = plan_for(o);
	struct pair_stats st;
	char name[64];
	bool dup = how == EXPORT_DUP;
	int ret = measure_pair(dup ? point_lib_dup : point_lib_borrowed, point_raw, &pt, &plan,
			       &st);

	if (ret < 0)
		return ret;
	snprintf(name, sizeof(name), "%s-%s-%s", dup ? "dup" : "borrowed", ps->label, sz->name);
	struct bench_result *r = bench_report_add(rep, name, "us");
	if (!r)
		return -ENOMEM;
	fill_pair(r, &st);
	r->verified = true; /* the same path and size as run_size checked */
	bench_result_str(r, "path", lp->path);
	snprintf(r->note, sizeof(r->note), dup ? "la_allocate_with_path + la_buffer_export (dup) "
		 "+ la_descriptor_close + la_buffer_destroy; baseline: raw cycle"
		 : "la_allocate_with_path + la_buffer_get_descriptor (borrowed fd) + "
		 "la_buffer_destroy; baseline: raw cycle; target ratio <= 1.02 %s",
		 r->value <= 1.02 * r->baseline ? "met" : "NOT met");
	bench_report_print_row(r);
	return 0;
}

/* ---- pool ---- */

/*
 * Steady state of a pool of one buffer: acquire + borrow the fds +
 * release, against the raw allocate + export + free. Verified: the
 * samples allocated nothing (the pool's one buffer came from warm-up).
 */
static int run_pool_steady(struct bench_report *rep, const struct opts *o,
			   struct lib_point *lp, struct raw_alloc *raw)
{
	struct la_pool_config cfg = {.max_buffers = 4, .path = lp->path};
	struct point pt = {lp, raw, NULL};
	struct bench_plan plan = plan_for(o);
	struct la_pool_stats before, after;
	struct pair_stats st;
	int ret = la_pool_new(lp->res, &cfg, &pt.pool);

	if (ret == 0)
		ret = point_pool(&pt);
	la_pool_get_stats(pt.pool, &before);
	if (ret == 0)
		ret = measure_pair(point_pool, point_raw, &pt, &plan, &st);
	la_pool_get_stats(pt.pool, &after);
	la_pool_destroy(pt.pool);
	if (ret < 0)
		return ret;
	struct bench_result *r = bench_report_add(rep, "pool-dma-heap:system-1MiB", "us");
	if (!r)
		return -ENOMEM;
	fill_pair(r, &st);
	r->verified = before.allocations == 1 && after.allocations == 1 &&
		      after.buffer_size == raw->size;
	bench_result_num(r, "allocations", (double)after.allocations);
	bench_result_num(r, "reuses", (double)after.reuses);
	bench_result_str(r, "path", lp->path);
	snprintf(r->note, sizeof(r->note), "steady la_pool_acquire + la_buffer_get_descriptor + "
		 "la_pool_release (%llu reuses, %llu allocation); baseline: raw allocate + export + "
		 "free; target ratio <= 0.1 %s", (unsigned long long)after.reuses,
		 (unsigned long long)after.allocations, r->value <= 0.1 * r->baseline ? "met" : "NOT met");
	bench_report_print_row(r);
	return 0;
}

/* Takes cap + 1 buffers: the last is refused; held memory and fds stay bounded. */
static int pool_fill(struct la_pool *pool, uint32_t cap, int *refused, int *fds_held)
{
	struct la_buffer *bufs[8] = {NULL};
	int fds = tl_fd_count(), ret = 0;

	for (uint32_t i = 0; i < cap && ret == 0; i++)
		ret = la_pool_acquire(pool, &bufs[i]);
	if (ret == 0)
		*refused = la_pool_acquire(pool, &bufs[cap]);
	*fds_held = tl_fd_count() - fds;
	for (uint32_t i = 0; i <= cap; i++)
		if (bufs[i])
			la_pool_release(pool, bufs[i]);
	return ret;
}

/*
 * The memory a pool holds: bursts of cap + 1 acquires, released, then a
 * trim. Value: the most bytes it held (peak buffers x dma-buf size);
 * baseline: cap x size. Verified: every burst's last acquire refused with
 * -ENOBUFS, never more than cap dma-bufs open, none after the trim.
 */
static int run_pool_memory(struct bench_report *rep, struct lib_point *lp)
{
	const uint32_t cap = 4;
	struct la_pool_config cfg = {.max_buffers = cap, .path = lp->path};
	struct la_pool *pool = NULL;
	struct la_pool_stats st;
	int fds = tl_fd_count(), refused = 0, held = 0, max_held = 0, ret;
	bool all_refused = true;

	ret = la_pool_new(lp->res, &cfg, &pool);
	for (int i = 0; i < 10 && ret == 0; i++) {
		ret = pool_fill(pool, cap, &refused, &held);
		all_refused &= refused == -ENOBUFS;
		max_held = held > max_held ? held : max_held;
	}
	la_pool_get_stats(pool, &st);
	int trimmed = pool ? la_pool_trim(pool, 0) : 0;
	int left = tl_fd_count() - fds;
	la_pool_destroy(pool);
	if (ret < 0)
		return ret;
	struct bench_result *r = bench_report_add(rep, "pool-memory-dma-heap:system-1MiB", "bytes");
	if (!r)
		return -ENOMEM;
	r->value = (double)st.peak * (double)st.buffer_size;
	r->baseline = (double)cap * (double)st.buffer_size;
	r->samples = 10;
	r->verified = all_refused && st.peak <= cap && max_held <= (int)cap &&
		      st.allocations == cap && trimmed == (int)cap && left == 0;
	bench_result_num(r, "peak_buffers", st.peak);
	bench_result_num(r, "max_fds_held", max_held);
	bench_result_num(r, "allocations", (double)st.allocations);
	snprintf(r->note, sizeof(r->note), "10 bursts of %u + 1 acquires (the last refused: %s), "
		 "released; peak %u buffers, %d fds held at most, %llu allocations; trim freed %d, "
		 "%d fds left", cap, all_refused ? "always" : "NOT always", st.peak, max_held,
		 (unsigned long long)st.allocations, trimmed, left);
	bench_report_print_row(r);
	return 0;
}

static int run_pool(struct bench_report *rep, const struct opts *o, struct lib_point *lp,
		    struct raw_alloc *raw)
{
	int ret = lib_negotiate(lp, renegotiate_size.width, renegotiate_size.height);

	if (ret == 0)
		ret = raw_set_size(raw, renegotiate_size.width, renegotiate_size.height);
	if (ret == 0)
		ret = run_pool_steady(rep, o, lp, raw);
	if (ret == 0)
		ret = run_pool_memory(rep, lp);
	return ret;
}

/* Cost of a cycle when every allocation negotiates again. */
static int run_renegotiate(struct bench_report *rep, const struct opts *o,
			   const struct path_spec *ps, struct lib_point *lp, struct raw_alloc *raw)
{
	struct point pt = {lp, raw, NULL};
	struct bench_plan plan = plan_for(o);
	struct pair_stats st;
	char name[64];
	int ret = lib_negotiate(lp, renegotiate_size.width, renegotiate_size.height);

	if (ret == 0)
		ret = raw_set_size(raw, renegotiate_size.width, renegotiate_size.height);
	if (ret == 0)
		ret = measure_pair(point_renegotiate, point_raw, &pt, &plan, &st);
	if (ret < 0)
		return ret;
	snprintf(name, sizeof(name), "renegotiate-%s-%s", ps->label, renegotiate_size.name);
	struct bench_result *r = bench_report_add(rep, name, "us");
	if (!r)
		return -ENOMEM;
	fill_pair(r, &st);
	r->verified = true;
	bench_result_str(r, "path", lp->path);
	snprintf(r->note, sizeof(r->note), "la_negotiate + the cycle, no reuse; baseline: raw cycle");
	bench_report_print_row(r);
	return 0;
}

/* ---- first allocation, each in a fresh process ---- */

static const struct path_spec *spec_by_label(const char *label)
{
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		if (strcmp(paths[i].label, label) == 0)
			return &paths[i];
	return NULL;
}

/*
 * The phases of a liballoc child, in the order it runs them: the context,
 * la_device_open (which loads the backends), the negotiation, one cycle,
 * the teardown (which unloads them). Printed as "<name>_us T".
 */
enum first_phase { PH_CONTEXT, PH_OPEN, PH_NEGOTIATE, PH_CYCLE, PH_TEARDOWN, PH_COUNT };
/* the child's lines and the JSON keys (kept by pointer in a result) */
static const char *const phase_keys[PH_COUNT] = {"context_us", "open_us", "negotiate_us",
						  "cycle_us", "teardown_us"};

struct first_sample {
	double first_us;
	double phase_us[PH_COUNT]; /* NAN for the raw side */
};

static int child_lib(const struct path_spec *ps, const struct opts *o, double *t)
{
	struct lib_point lp = {.usage = ps->usage, .label = ps->label};
	int ret = la_context_new(&lp.ctx);

	t[PH_CONTEXT + 1] = bench_now_us();
	if (ret == 0)
		ret = la_device_open(lp.ctx, o->child_node, &lp.dev);
	t[PH_OPEN + 1] = bench_now_us();
	if (ret == 0)
		ret = lib_negotiate(&lp, o->child_w, o->child_h);
	t[PH_NEGOTIATE + 1] = bench_now_us();
	if (ret == 0)
		ret = lib_cycle(&lp, NULL, false);
	t[PH_CYCLE + 1] = bench_now_us();
	la_result_destroy(lp.res);
	la_device_unref(lp.dev);
	la_context_destroy(lp.ctx);
	t[PH_TEARDOWN + 1] = bench_now_us();
	return ret;
}

/* Child mode: prints "first_us T" (and each phase's time for liballoc). */
static int child_main(const struct opts *o)
{
	const struct path_spec *ps = spec_by_label(o->child_path);
	double t[PH_COUNT + 1];
	bool lib;
	int ret;

	if (!ps)
		return -EINVAL;
	lib = strcmp(o->child_side, "raw") != 0;
	t[0] = bench_now_us();
	if (!lib) {
		struct raw_alloc raw;
		ret = raw_open(&raw, ps->raw, ps->node ? ps->node : o->child_node);
		if (ret == 0)
			ret = raw_set_size(&raw, o->child_w, o->child_h);
		if (ret == 0)
			ret = raw_cycle(&raw, NULL);
		raw_close(&raw);
		t[PH_COUNT] = bench_now_us();
	} else {
		ret = child_lib(ps, o, t);
	}
	if (ret < 0)
		return ret;
	printf("first_us %.3f\n", t[PH_COUNT] - t[0]);
	for (int i = 0; lib && i < PH_COUNT; i++)
		printf("%s %.3f\n", phase_keys[i], t[i + 1] - t[i]);
	return 0;
}

static int spawn_first(const struct env *e, const char *side, const struct path_spec *ps,
		       struct first_sample *out)
{
	char size[32];
	struct bench_child c;
	const struct size_point *sz = &renegotiate_size;
	char *argv[] = {(char *)e->self, "--first-child", (char *)side, "--path",
			(char *)ps->label, "--node", (char *)e->dev_node[ps->dev], "--size", size,
			NULL};
	int ret;

	snprintf(size, sizeof(size), "%ux%u", sz->width, sz->height);
	ret = bench_spawn(e->self, argv, getenv("LIBALLOC_BACKEND_PATH"), &c);
	if (ret < 0)
		return ret;
	if (c.exit_status != 0) {
		fprintf(stderr, "alloc: first allocation (%s, %s) exited with %d\n", side, ps->label,
			c.exit_status);
		return -EIO;
	}
	out->first_us = bench_child_value(&c, "first_us");
	for (int i = 0; i < PH_COUNT; i++)
		out->phase_us[i] = bench_child_value(&c, phase_keys[i]);
	return isnan(out->first_us) ? -EPROTO : 0;
}

/*
 * The children's probe cache and module cache: a private runtime folder (XDG_RUNTIME_DIR,
 * mode 0700) whose files are removed before a cold child and left by it for
 * the warm one. The parent does not use it (its environment is set only
 * around the spawns).
 */
static char first_runtime[256];

static int first_cache_init(void)
{
	const char *tmp = getenv("TMPDIR");

	if (first_runtime[0])
		return 0;
	snprintf(first_runtime, sizeof(first_runtime), "%s/alloc-bench-XXXXXX", tmp ? tmp : "/tmp");
	return mkdtemp(first_runtime) ? 0 : -errno;
}

static void first_cache_clear(void)
{
	char f[320];

	snprintf(f, sizeof(f), "%s/liballoc/probe-cache", first_runtime);
	unlink(f);
	snprintf(f, sizeof(f), "%s/liballoc/modules", first_runtime);
	unlink(f);
}

static void first_cache_fini(void)
{
	char f[320];

	if (!first_runtime[0])
		return;
	first_cache_clear();
	snprintf(f, sizeof(f), "%s/liballoc/probe-cache.lock", first_runtime);
	unlink(f);
	snprintf(f, sizeof(f), "%s/liballoc", first_runtime);
	rmdir(f);
	rmdir(first_runtime);
	first_runtime[0] = '\0';
}

/* One liballoc child with the probe cache file present (warm) or not. */
static int spawn_cached(const struct env *e, const struct path_spec *ps, bool warm,
			struct first_sample *out)
{
	char *saved = getenv("XDG_RUNTIME_DIR") ? strdup(getenv("XDG_RUNTIME_DIR")) : NULL;
	int ret;

	if (!warm)
		first_cache_clear();
	setenv("XDG_RUNTIME_DIR", first_runtime, 1);
	ret = spawn_first(e, "liballoc", ps, out);
	if (saved)
		setenv("XDG_RUNTIME_DIR", saved, 1);
	else
		unsetenv("XDG_RUNTIME_DIR");
	free(saved);
	return ret;
}

#define FIRST_MAX 8

/* Median of one field of n samples (the total, or a phase when phase >= 0). */
static double first_median(const struct first_sample *s, unsigned n, int phase)
{
	double v[FIRST_MAX];
	struct bench_stats st;

	for (unsigned i = 0; i < n; i++)
		v[i] = phase < 0 ? s[i].first_us : s[i].phase_us[phase];
	bench_stats_compute(v, n, &st);
	return st.median;
}

static int add_first(struct bench_report *rep, const char *name, const struct first_sample *lib,
		     const struct first_sample *raw, unsigned n, const char *what)
{
	struct bench_result *r = bench_report_add(rep, name, "us");
	double v[FIRST_MAX];
	struct bench_stats sl, sr;

	if (!r)
		return -ENOMEM;
	for (unsigned i = 0; i < n; i++)
		v[i] = lib[i].first_us;
	bench_stats_compute(v, n, &sl);
	for (unsigned i = 0; i < n; i++)
		v[i] = raw[i].first_us;
	bench_stats_compute(v, n, &sr);
	r->value = sl.median;
	r->p90 = sl.p90;
	r->baseline = sr.median;
	r->baseline_p90 = sr.p90;
	r->samples = n;
	r->verified = true;
	/* each phase's median: they need not add up to the total's */
	for (int p = 0; p < PH_COUNT; p++)
		bench_result_num(r, phase_keys[p], first_median(lib, n, p));
	snprintf(r->note, sizeof(r->note),
		 "fresh process, %s: context %.0f, device open with backend loading %.0f, "
		 "negotiation %.0f, one cycle %.0f, teardown %.0f us; baseline: open the node, one "
		 "raw cycle", what, first_median(lib, n, PH_CONTEXT), first_median(lib, n, PH_OPEN),
		 first_median(lib, n, PH_NEGOTIATE), first_median(lib, n, PH_CYCLE),
		 first_median(lib, n, PH_TEARDOWN));
	bench_report_print_row(r);
	return 0;
}

static int run_first(struct bench_report *rep, const struct opts *o, const struct env *e,
		     const struct path_spec *ps)
{
	unsigned n = o->b.quick ? 1 : 5;
	struct first_sample warm[FIRST_MAX], cold[FIRST_MAX], raw[FIRST_MAX];
	char name[64];
	int ret = first_cache_init();

	/* cold first: it leaves the file the warm child reads */
	for (unsigned i = 0; i < n && ret == 0; i++) {
		ret = spawn_cached(e, ps, false, &cold[i]);
		if (ret == 0)
			ret = spawn_cached(e, ps, true, &warm[i]);
		if (ret == 0)
			ret = spawn_first(e, "raw", ps, &raw[i]);
	}
	if (ret < 0)
		return ret;
	snprintf(name, sizeof(name), "first-%s-%s", ps->label, renegotiate_size.name);
	ret = add_first(rep, name, warm, raw, n, "probe cache file present (warm)");
	snprintf(name, sizeof(name), "first-cold-%s-%s", ps->label, renegotiate_size.name);
	if (ret == 0)
		ret = add_first(rep, name, cold, raw, n, "no probe cache file (cold)");
	return ret;
}

/* ---- one path ---- */

static int run_path(struct bench_report *rep, const struct opts *o, const struct env *e,
		    struct la_context *ctx, const struct path_spec *ps)
{
	const char *node = raw_node_of(ps, e);
	const struct size_point *sizes = o->b.quick ? sizes_quick : sizes_full;
	size_t n_sizes = o->b.quick ? sizeof(sizes_quick) / sizeof(sizes_quick[0])
				  : sizeof(sizes_full) / sizeof(sizes_full[0]);
	struct lib_point lp = {.ctx = ctx, .usage = ps->usage, .label = ps->label};
	struct raw_alloc raw = {.fd = -1};
	int ret;

	if (!node)
		return 0;
	ret = la_device_open(ctx, e->dev_node[ps->dev], &lp.dev);
	if (ret < 0) {
		fprintf(stderr, "alloc: la_device_open %s: %s\n", e->dev_node[ps->dev],
			la_last_diagnosis());
		return ret;
	}
	ret = raw_open(&raw, ps->raw, node);
	for (size_t i = 0; i < n_sizes && ret == 0; i++) {
		ret = run_size(rep, o, ps, &lp, &raw, &sizes[i]);
		if (ret == 0)
			ret = run_variant(rep, o, ps, &lp, &raw, &sizes[i], EXPORT_BORROWED);
		/* where the dup weighs: the smallest size */
		if (ret == 0 && i == 0)
			ret = run_variant(rep, o, ps, &lp, &raw, &sizes[i], EXPORT_DUP);
	}
	if (ret == 0 && ps->raw == RAW_DMA_HEAP)
		ret = run_pool(rep, o, &lp, &raw);
	if (ret == 0)
		ret = run_renegotiate(rep, o, ps, &lp, &raw);
	raw_close(&raw);
	la_result_destroy(lp.res);
	la_device_unref(lp.dev);
	if (ret == 0)
		ret = run_first(rep, o, e, ps);
	return ret;
}

static bool selected(const struct opts *o, const char *label)
{
	if (!o->n_only)
		return true;
	for (size_t i = 0; i < o->n_only; i++)
		if (strcmp(o->only[i], label) == 0)
			return true;
	return false;
}

static int run(struct bench_report *rep, const void *opts)
{
	const struct opts *o = opts;
	struct env e = {0};
	struct la_context *ctx;
	ssize_t n = readlink("/proc/self/exe", e.self, sizeof(e.self) - 1);
	int ret;

	if (n <= 0)
		return -errno;
	find_devices(&e);
	fprintf(stderr, "alloc: vgem %s, virtio_gpu %s, vivid %s\n",
		e.dev_node[DEV_VGEM][0] ? e.dev_node[DEV_VGEM] : "absent",
		e.dev_node[DEV_VIRTIO_GPU][0] ? e.dev_node[DEV_VIRTIO_GPU] : "absent",
		e.dev_node[DEV_VIVID][0] ? e.dev_node[DEV_VIVID] : "absent");
	ret = la_context_new(&ctx);
	if (ret < 0)
		return ret;
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]) && ret == 0; i++)
		if (selected(o, paths[i].label))
			ret = run_path(rep, o, &e, ctx, &paths[i]);
	la_context_destroy(ctx);
	first_cache_fini();
	if (ret == 0 && rep->n == 0) {
		fprintf(stderr, "alloc: no allocation path could run here (not in the test VM?)\n");
		ret = -ENODEV;
	}
	return ret;
}

/* ---- options ---- */

static int option(void *opts, int c, const char *arg)
{
	struct opts *o = opts;

	switch (c) {
	case 'o':
		if (o->n_only == sizeof(o->only) / sizeof(o->only[0]))
			return -EINVAL;
		o->only[o->n_only++] = arg;
		return 0;
	case 'F': o->child_side = arg; return 0;
	case 'P': o->child_path = arg; return 0;
	case 'N': o->child_node = arg; return 0;
	case 'S': return sscanf(arg, "%ux%u", &o->child_w, &o->child_h) == 2 ? 0 : -EINVAL;
	default: return -EINVAL;
	}
}

static int check(const void *opts)
{
	const struct opts *o = opts;

	if (o->child_side && (!o->child_path || !o->child_node || !o->child_w))
		return -EINVAL;
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{"only", required_argument, NULL, 'o'},
		{"first-child", required_argument, NULL, 'F'},
		{"path", required_argument, NULL, 'P'},
		{"node", required_argument, NULL, 'N'},
		{"size", required_argument, NULL, 'S'},
		{NULL, 0, NULL, 0},
	};
	static const struct bench_program p = {
		.name = "alloc",
		.usage = "usage: alloc [--quick] [--iterations N] [--json FILE] [--only LABEL]...\n"
			 "labels: dma-heap:system udmabuf drm-dumb:virtio_gpu drm-dumb:vgem smaf "
			 "v4l2-mmap:vivid\n",
		.iterations = 50, .quick_iterations = 5,
		.shortopts = "o:", .longopts = lo, .option = option, .check = check,
		.run = run,
	};
	struct opts o = {0};

	if (bench_parse(argc, argv, &p, &o.b, &o) < 0)
		return 2;
	/* --first-child: one first allocation in this process, no report */
	if (o.child_side)
		return child_main(&o) < 0 ? 1 : 0;
	return bench_run(&p, &o.b, &o);
}
