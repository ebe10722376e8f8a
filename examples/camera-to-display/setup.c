/* SPDX-License-Identifier: MIT */
/*
 * Which buffers the frames travel in. First the zero-copy plan: one
 * negotiation of camera capture + display scanout, one ring of buffers
 * both use. When liballoc says no such buffer can exist (no common
 * format, or every allocation path breaks some device's import rule), or
 * a device refuses the buffers anyway, the copy plan: the camera's own
 * ring, a display ring, and a CPU conversion between them -- and the user
 * is told why, in liballoc's words.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <drm_fourcc.h>

#include "c2d.h"
#include "convert.h"

static void print_set(const char *title, const struct la_result *res, struct la_buffer **bufs,
		      size_t n)
{
	struct la_descriptor d;
	char f[32], m[32];

	la_buffer_get_descriptor(bufs[0], &d);
	printf("%s: %s, modifier %s, %ux%u, %zu buffers\n", title,
	       la_format_name(d.format, f, sizeof(f)), la_modifier_name(d.modifier, m, sizeof(m)),
	       d.width, d.height, n);
	for (uint32_t p = 0; p < d.plane_count; p++)
		printf("  plane %u: pitch %llu, offset %llu, %llu bytes\n", p,
		       (unsigned long long)d.planes[p].pitch, (unsigned long long)d.planes[p].offset,
		       (unsigned long long)d.planes[p].size);
	printf("  allocation path: %s%s\n", la_buffer_get_path(bufs[0]),
	       d.flags & LA_BUFFER_CONTIGUOUS ? " (contiguous)" : "");
	for (size_t i = 0; i < la_result_get_path_count(res); i++) {
		struct la_path_info p;
		if (la_result_get_path(res, i, &p) == 0)
			printf("    %-24s %s %s\n", p.name, p.matched ? "matched: " : "refused: ",
			       p.reason ? p.reason : "");
	}
}

/*
 * count buffers lent by a new pool of exactly count (the ring never needs
 * more): the frame loop gives each back when its frame is done and takes
 * the next, so after these nothing is allocated.
 */
static int acquire_ring(struct la_result *res, size_t count, struct la_pool **pool,
			struct la_buffer **bufs)
{
	struct la_pool_config cfg = {.max_buffers = (uint32_t)count};
	int ret = la_pool_new(res, &cfg, pool);

	for (size_t i = 0; ret == 0 && i < count; i++)
		ret = la_pool_acquire(*pool, &bufs[i]);
	if (ret < 0) {
		/* every lent buffer goes with the pool's own */
		for (size_t i = 0; i < count && *pool; i++)
			if (bufs[i])
				la_pool_release(*pool, bufs[i]);
		la_pool_destroy(*pool);
		*pool = NULL;
		memset(bufs, 0, count * sizeof(*bufs));
	}
	return ret;
}

static int make_fbs(struct app *a, struct la_buffer **bufs, size_t n, char *err, size_t len)
{
	const char *how = "";

	for (size_t i = 0; i < n; i++) {
		int ret = scanout_fb_create(a->display, bufs[i], &a->fbs[i], &how, err, len);
		if (ret < 0)
			return ret;
		a->n_fbs = i + 1;
	}
	printf("  framebuffers: %s\n", how);
	return 0;
}

static int start_capture(struct app *a, char *err, size_t len)
{
	struct la_descriptor d;
	int ret;

	la_buffer_get_descriptor(a->cam[0], &d);
	ret = capture_open(&a->cap, la_device_get_fd(a->camera), &d, (uint32_t)a->n_cam,
			   a->opt.fps, err, len);
	for (size_t i = 0; ret == 0 && i < a->n_cam; i++) {
		la_buffer_get_descriptor(a->cam[i], &d);
		ret = capture_queue(&a->cap, (uint32_t)i, &d, err, len);
	}
	return ret;
}

static int open_kms(struct app *a, uint32_t format, char *err, size_t len)
{
	return kms_output_open(la_device_get_fd(a->display), format, &a->kms, err, len);
}

/* Undoes what a setup_*() made so far; returns ret. */
static int undo(struct app *a, int ret)
{
	kms_output_close(a->kms);
	a->kms = NULL;
	teardown(a);
	return ret;
}

/* Framebuffers for the buffers the display shows, the KMS output, the
 * camera's stream: the end of both setups. */
static int start(struct app *a, struct la_buffer **shown, size_t n, uint32_t format, char *err,
		 size_t len)
{
	int ret;

	if ((ret = make_fbs(a, shown, n, err, len)) < 0 ||
	    (ret = open_kms(a, format, err, len)) < 0 ||
	    (ret = start_capture(a, err, len)) < 0)
		return undo(a, ret);
	return 0;
}

int setup_zero_copy(struct app *a, char *why, size_t len)
{
	struct la_assertion as = {.width = a->opt.width, .height = a->opt.height,
				  .formats = a->opt.formats, .n_formats = a->opt.n_formats,
				  .buffer_count = CAM_BUFFERS};
	struct la_request req[] = {{a->camera, LA_USAGE_CAPTURE}, {a->display, LA_USAGE_SCANOUT}};
	struct la_descriptor d;
	int ret = la_negotiate(a->ctx, &as, req, 2, &a->res_cam);

	if (ret < 0) {
		snprintf(why, len, "%s", a->res_cam ? la_result_get_diagnosis(a->res_cam)
						    : la_last_diagnosis());
		return undo(a, ret);
	}
	ret = acquire_ring(a->res_cam, CAM_BUFFERS, &a->pool_cam, a->cam);
	if (ret < 0) {
		snprintf(why, len, "allocation failed: %s", la_last_diagnosis());
		return undo(a, ret);
	}
	a->n_cam = CAM_BUFFERS;
	a->zero_copy = true;
	print_set("shared buffers (camera capture + display scanout)", a->res_cam, a->cam,
		  a->n_cam);
	la_buffer_get_descriptor(a->cam[0], &d);
	return start(a, a->cam, a->n_cam, d.format, why, len);
}

/* The user's formats the camera may deliver in the copy path. */
static size_t copy_formats(const struct options *o, uint32_t *out)
{
	size_t n = 0;

	for (size_t i = 0; i < o->n_formats; i++)
		if (convert_supported(o->formats[i]) && capture_v4l2_format(o->formats[i]))
			out[n++] = o->formats[i];
	return n;
}

static int negotiate_one(struct app *a, struct la_device *dev, uint64_t usage,
			 const uint32_t *formats, size_t n_formats, uint32_t count,
			 struct la_result **res, struct la_pool **pool, struct la_buffer **bufs,
			 char *err, size_t len)
{
	struct la_assertion as = {.width = a->opt.width, .height = a->opt.height,
				  .formats = formats, .n_formats = n_formats,
				  .buffer_count = count};
	struct la_request req = {dev, usage};
	int ret = la_negotiate(a->ctx, &as, &req, 1, res);

	if (ret < 0) {
		snprintf(err, len, "%s: %s", la_device_get_label(dev),
			 *res ? la_result_get_diagnosis(*res) : la_last_diagnosis());
		return ret;
	}
	ret = acquire_ring(*res, count, pool, bufs);
	if (ret < 0)
		snprintf(err, len, "%s: allocation failed: %s", la_device_get_label(dev),
			 la_last_diagnosis());
	return ret;
}

int setup_copy(struct app *a, char *err, size_t len)
{
	static const uint32_t xrgb = DRM_FORMAT_XRGB8888;
	uint32_t formats[MAX_FORMATS];
	size_t n = copy_formats(&a->opt, formats);
	int ret = -ENOENT;

	a->zero_copy = false;
	if (n == 0) {
		snprintf(err, len, "none of the requested formats can be converted on the CPU "
			 "(XRGB8888, ARGB8888, YUYV, UYVY, NV12)");
		return ret;
	}
	ret = negotiate_one(a, a->camera, LA_USAGE_CAPTURE | LA_USAGE_CPU_READ, formats, n,
			    CAM_BUFFERS, &a->res_cam, &a->pool_cam, a->cam, err, len);
	if (ret < 0)
		return undo(a, ret);
	a->n_cam = CAM_BUFFERS;
	ret = negotiate_one(a, a->display, LA_USAGE_SCANOUT | LA_USAGE_CPU_WRITE, &xrgb, 1,
			    DISP_BUFFERS, &a->res_disp, &a->pool_disp, a->disp, err, len);
	if (ret < 0)
		return undo(a, ret);
	a->n_disp = DISP_BUFFERS;
	print_set("camera buffers (capture, CPU read)", a->res_cam, a->cam, a->n_cam);
	print_set("display buffers (scanout, CPU write)", a->res_disp, a->disp, a->n_disp);
	return start(a, a->disp, a->n_disp, xrgb, err, len);
}

void teardown(struct app *a)
{
	capture_close(&a->cap);
	for (size_t i = 0; i < a->n_fbs; i++)
		scanout_fb_destroy(&a->fbs[i]);
	a->n_fbs = 0;
	/* the pools free what they hold and leave the lent buffers to us */
	la_pool_destroy(a->pool_cam);
	la_pool_destroy(a->pool_disp);
	a->pool_cam = a->pool_disp = NULL;
	for (size_t i = 0; i < a->n_cam; i++)
		la_buffer_destroy(a->cam[i]);
	for (size_t i = 0; i < a->n_disp; i++)
		la_buffer_destroy(a->disp[i]);
	a->n_cam = a->n_disp = 0;
	la_result_destroy(a->res_cam);
	la_result_destroy(a->res_disp);
	a->res_cam = a->res_disp = NULL;
}

int recycle_camera_buffer(struct app *a, size_t i)
{
	struct la_buffer *old = a->cam[i];
	const char *how;
	char err[256];
	int ret = la_pool_release(a->pool_cam, old);

	if (ret == 0)
		ret = la_pool_acquire(a->pool_cam, &a->cam[i]);
	if (ret < 0) {
		fprintf(stderr, "buffer pool: %s\n", la_last_diagnosis());
		a->cam[i] = NULL;
		return ret;
	}
	if (a->cam[i] == old || !a->zero_copy)
		return 0;
	scanout_fb_destroy(&a->fbs[i]);
	ret = scanout_fb_create(a->display, a->cam[i], &a->fbs[i], &how, err, sizeof(err));
	if (ret < 0)
		fprintf(stderr, "framebuffer: %s\n", err);
	return ret;
}

uint64_t pool_allocations(const struct app *a)
{
	struct la_pool_stats c, d;

	la_pool_get_stats(a->pool_cam, &c);
	la_pool_get_stats(a->pool_disp, &d);
	return c.allocations + d.allocations;
}

void print_pool_stats(const struct app *a, uint64_t before_first_frame)
{
	struct la_pool_stats c, d;
	uint64_t all = pool_allocations(a);

	la_pool_get_stats(a->pool_cam, &c);
	la_pool_get_stats(a->pool_disp, &d);
	printf("buffer pools: %" PRIu64 " buffers allocated (%" PRIu64 " before the first "
	       "frame, %" PRIu64 " after), %" PRIu64 " reuses, peak %u + %u\n", all,
	       before_first_frame, all - before_first_frame, c.reuses + d.reuses, c.peak,
	       d.peak);
}

struct la_buffer *display_buffer(struct app *a, size_t i)
{
	return a->zero_copy ? a->cam[i] : a->disp[i];
}
