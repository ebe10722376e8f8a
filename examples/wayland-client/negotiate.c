/* SPDX-License-Identifier: MIT */
/*
 * Negotiation against the compositor's feedback, and allocation.
 *
 * Each tranche (most preferred first) becomes a capability set
 * (la_capset_from_wl_feedback). The client draws with the CPU, so its own
 * side is a device's set for LA_USAGE_CPU_WRITE; with --camera, the
 * camera's capture set and a device's set for LA_USAGE_SAMPLE (the
 * device stands in for the compositor's, whose memory it can lend). The
 * devices of the tranche's target device come first (a compositor that
 * imports only its own memory, such as virtio_gpu, takes only those),
 * then the others.
 * Every matched path, best first, allocates; the compositor has the last
 * word: a buffer whose zwp_linux_buffer_params_v1.create answers `failed`
 * sends the client to the next path.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <drm_fourcc.h>

#include "wlc.h"

static const uint32_t formats[] = {DRM_FORMAT_XRGB8888, DRM_FORMAT_ARGB8888};

/* The physical device behind a device number: its sysfs device folder. */
static bool same_hardware(dev_t a, dev_t b)
{
	char pa[64], pb[64], ra[PATH_MAX], rb[PATH_MAX];

	if (a == b)
		return true;
	snprintf(pa, sizeof(pa), "/sys/dev/char/%u:%u/device", major(a), minor(a));
	snprintf(pb, sizeof(pb), "/sys/dev/char/%u:%u/device", major(b), minor(b));
	return realpath(pa, ra) && realpath(pb, rb) && strcmp(ra, rb) == 0;
}

struct params_answer {
	struct wl_buffer *buffer;
	bool answered;
};

static void on_created(void *data, struct zwp_linux_buffer_params_v1 *p, struct wl_buffer *b)
{
	struct params_answer *a = data;
	(void)p;
	a->buffer = b;
	a->answered = true;
}

static void on_failed(void *data, struct zwp_linux_buffer_params_v1 *p)
{
	struct params_answer *a = data;
	(void)p;
	a->answered = true;
}

static const struct zwp_linux_buffer_params_v1_listener params_listener = {
	.created = on_created,
	.failed = on_failed,
};

static void on_release(void *data, struct wl_buffer *b)
{
	struct wlc_slot *slot = data;
	(void)b;
	slot->c->busy[slot->i] = false;
	if (slot->c->streaming)
		wlc_camera_requeue(slot->c, slot->i);
}

static const struct wl_buffer_listener buffer_listener = {.release = on_release};

/* The linux-dmabuf fill-in: one add per plane, then create. */
static int make_wl_buffer(struct wlc *c, size_t i)
{
	struct la_descriptor d;
	struct la_wl_dmabuf_plane w[LA_MAX_PLANES];
	struct params_answer answer = {0};
	size_t n;
	char f[32];

	la_buffer_get_descriptor(c->bufs[i], &d);
	int ret = la_wl_dmabuf_planes(&d, w, LA_MAX_PLANES, &n);
	if (ret < 0) {
		printf("  buffer %zu: la_wl_dmabuf_planes: %s\n", i, la_last_diagnosis());
		return ret;
	}
	struct zwp_linux_buffer_params_v1 *params = zwp_linux_dmabuf_v1_create_params(c->dmabuf);
	zwp_linux_buffer_params_v1_add_listener(params, &params_listener, &answer);
	for (size_t p = 0; p < n; p++) {
		zwp_linux_buffer_params_v1_add(params, w[p].fd, w[p].plane_idx, w[p].offset,
					       w[p].stride, w[p].modifier_hi, w[p].modifier_lo);
		if (i == 0)
			printf("  params.add(fd, plane %u, offset %u, stride %u, modifier hi 0x%x lo 0x%x)\n",
			       w[p].plane_idx, w[p].offset, w[p].stride, w[p].modifier_hi,
			       w[p].modifier_lo);
	}
	zwp_linux_buffer_params_v1_create(params, (int32_t)d.width, (int32_t)d.height, d.format, 0);
	while (!answer.answered && wl_display_dispatch(c->display) >= 0)
		;
	zwp_linux_buffer_params_v1_destroy(params);
	printf("  buffer %zu: params.create(%ux%u, %s) -> %s\n", i, d.width, d.height,
	       la_format_name(d.format, f, sizeof(f)),
	       answer.buffer ? "created" : answer.answered ? "failed (the compositor refused it)"
							   : "connection lost");
	if (!answer.buffer)
		return answer.answered ? -EREMOTEIO : -EPIPE;
	c->wl_bufs[i] = answer.buffer;
	c->slots[i] = (struct wlc_slot){c, i};
	wl_buffer_add_listener(answer.buffer, &buffer_listener, &c->slots[i]);
	return 0;
}

void wlc_buffers_free(struct wlc *c)
{
	for (size_t i = 0; i < WLC_MAX_BUFFERS; i++) {
		if (c->wl_bufs[i])
			wl_buffer_destroy(c->wl_bufs[i]);
		la_buffer_destroy(c->bufs[i]);
		c->wl_bufs[i] = NULL;
		c->bufs[i] = NULL;
		c->busy[i] = false;
	}
}

static void print_buffer(const struct la_buffer *b, size_t n)
{
	struct la_descriptor d;
	char f[32], m[64];

	la_buffer_get_descriptor(b, &d);
	printf("  allocated %zu x %s %ux%u modifier %s, path %s\n", n,
	       la_format_name(d.format, f, sizeof(f)), d.width, d.height,
	       la_modifier_name(d.modifier, m, sizeof(m)), la_buffer_get_path(b));
	for (uint32_t p = 0; p < d.plane_count; p++)
		printf("    plane %u: offset %llu pitch %llu size %llu\n", p,
		       (unsigned long long)d.planes[p].offset, (unsigned long long)d.planes[p].pitch,
		       (unsigned long long)d.planes[p].size);
}

/* Buffers of one path, mapped once for writing, turned into wl_buffers. */
static int try_path(struct wlc *c, struct la_result *res, const char *path)
{
	int ret = 0;

	for (size_t i = 0; i < c->n_bufs && ret == 0; i++)
		ret = la_allocate_with_path(res, path, &c->bufs[i]);
	if (ret < 0) {
		printf("  path %s: allocation failed: %s\n", path, la_last_diagnosis());
		wlc_buffers_free(c);
		return ret;
	}
	print_buffer(c->bufs[0], c->n_bufs);
	for (size_t i = 0; i < c->n_bufs && ret == 0 && !c->cam; i++)
		ret = wlc_draw(c, i, 0);
	for (size_t i = 0; i < c->n_bufs && ret == 0; i++)
		ret = make_wl_buffer(c, i);
	if (ret < 0)
		wlc_buffers_free(c);
	return ret;
}

static void print_result(const struct la_result *res)
{
	struct la_candidate cand;
	char f[32], m[64];

	la_result_get_candidate(res, (size_t)la_result_get_chosen_candidate(res), &cand);
	printf("  chosen: %s modifier %s (%zu common candidates)\n",
	       la_format_name(cand.format, f, sizeof(f)),
	       la_modifier_name(cand.modifier, m, sizeof(m)), la_result_get_candidate_count(res));
	printf("  paths (best first):\n");
	for (size_t i = 0; i < la_result_get_path_count(res); i++) {
		struct la_path_info p;
		if (la_result_get_path(res, i, &p) == 0)
			printf("    %-24s %s: %s\n", p.name, p.matched ? "matched" : "no", p.reason);
	}
}

static int try_device(struct wlc *c, struct la_capset *theirs, struct la_device *dev,
		      const struct la_assertion *as)
{
	uint64_t usage = c->cam ? LA_USAGE_SAMPLE : LA_USAGE_CPU_WRITE;
	struct la_capset *mine = NULL;
	struct la_result *res = NULL;
	int ret = la_device_get_capabilities(dev, usage, as, &mine);

	printf("negotiate with %s (%s)%s%s:\n", la_device_get_label(dev), la_usage_name(usage),
	       c->cam ? " and the camera " : "", c->cam ? la_device_get_label(c->cam) : "");
	if (ret == 0) {
		struct la_capset *sets[] = {theirs, mine, c->cam_set};
		ret = la_negotiate_capsets(c->ctx, as, sets, c->cam ? 3 : 2, &res);
	}
	la_capset_destroy(mine);
	if (ret < 0) {
		printf("  %s\n", res ? la_result_get_diagnosis(res) : la_last_diagnosis());
		la_result_destroy(res);
		return ret;
	}
	print_result(res);
	ret = -ENODEV;
	for (size_t i = 0; i < la_result_get_path_count(res) && ret < 0; i++) {
		struct la_path_info p;
		if (la_result_get_path(res, i, &p) == 0 && p.matched)
			ret = try_path(c, res, p.name);
	}
	la_result_destroy(res);
	return ret;
}

/* The devices to try for one tranche, the target device's own nodes first. */
static size_t order_devices(struct la_device **devs, size_t n, dev_t target,
			    struct la_device **out)
{
	size_t k = 0;

	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < n; i++) {
			/* a camera's capture set is no CPU writer's */
			if (strcmp(la_device_get_backend(devs[i]), "v4l2") == 0)
				continue;
			if (same_hardware(la_device_get_devnum(devs[i]), target) == (pass == 0))
				out[k++] = devs[i];
		}
	return k;
}

static int try_tranche(struct wlc *c, size_t t, struct la_device **devs, size_t n,
		       const struct la_assertion *as)
{
	struct la_capset *theirs = NULL;
	struct la_capset_info info;
	struct la_device **order = calloc(n ? n : 1, sizeof(*order));
	int ret = la_capset_from_wl_feedback(&(struct la_wl_feedback){
		.format_table = c->fb.table, .format_table_size = c->fb.table_size,
		.main_device = c->fb.main_device, .tranches = c->fb.tranches,
		.n_tranches = c->fb.n_tranches}, t, &theirs);

	if (ret < 0 || !order) {
		printf("tranche %zu: %s\n", t, ret < 0 ? la_last_diagnosis() : "out of memory");
		free(order);
		la_capset_destroy(theirs);
		return ret < 0 ? ret : -ENOMEM;
	}
	la_capset_get_info(theirs, &info);
	printf("%s: %zu candidates for %ux%u\n", info.label, la_capset_get_candidate_count(theirs),
	       as->width, as->height);
	size_t k = c->opt.device ? n : order_devices(devs, n, info.devnum, order);
	ret = -ENODEV;
	for (size_t i = 0; i < k && ret < 0; i++) {
		ret = try_device(c, theirs, c->opt.device ? devs[i] : order[i], as);
		if (ret == 0)
			c->local = la_device_ref(c->opt.device ? devs[i] : order[i]);
	}
	free(order);
	la_capset_destroy(theirs);
	return ret;
}

int wlc_allocate(struct wlc *c, uint32_t width, uint32_t height)
{
	struct la_assertion as = {.width = width, .height = height, .formats = formats,
				  .n_formats = 2, .buffer_count = (uint32_t)c->n_bufs};
	struct la_device **devs = NULL, *one = NULL;
	size_t n = 0;
	int ret;

	if (c->opt.device) {
		ret = la_device_open(c->ctx, c->opt.device, &one);
		if (ret < 0) {
			fprintf(stderr, "wayland-client: %s: %s\n", c->opt.device, la_last_diagnosis());
			return ret;
		}
		devs = &one;
		n = 1;
	}
	if (c->cam && (ret = la_device_get_capabilities(c->cam, LA_USAGE_CAPTURE, &as,
							  &c->cam_set)) < 0) {
		fprintf(stderr, "wayland-client: %s: %s\n", la_device_get_label(c->cam),
			la_last_diagnosis());
		la_device_unref(one);
		return ret;
	}
	if (!one && (ret = la_context_enumerate(c->ctx, &devs, &n)) < 0) {
		fprintf(stderr, "wayland-client: enumerating devices: %s\n", la_last_diagnosis());
		la_capset_destroy(c->cam_set);
		c->cam_set = NULL;
		return ret;
	}
	ret = -ENODEV;
	for (size_t t = 0; t < c->fb.n_tranches && ret < 0; t++) {
		ret = try_tranche(c, t, devs, n, &as);
		if (ret == 0)
			c->tranche = t;
	}
	if (one)
		la_device_unref(one);
	else
		la_device_list_free(devs, n);
	la_capset_destroy(c->cam_set);
	c->cam_set = NULL;
	if (ret < 0)
		fprintf(stderr, "wayland-client: no buffer that this process can allocate was "
				"accepted by the compositor (every tranche and device above)\n");
	return ret;
}
