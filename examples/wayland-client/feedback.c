/* SPDX-License-Identifier: MIT */
/*
 * The compositor's default dma-buf feedback (linux-dmabuf version 4):
 * its events collected into the plain data la_capset_from_wl_feedback()
 * reads. The format table comes as an fd to mmap; dev_ts come as
 * wl_arrays of sizeof(dev_t) bytes; tranche indices are copied out
 * because the wl_array is gone after the event.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "wlc.h"

static dev_t array_dev(const struct wl_array *a)
{
	dev_t dev = 0;

	if (a->size == sizeof(dev))
		memcpy(&dev, a->data, sizeof(dev));
	return dev;
}

static void on_done(void *data, struct zwp_linux_dmabuf_feedback_v1 *f)
{
	struct wlc_feedback *fb = data;
	(void)f;
	fb->done = true;
}

static void on_format_table(void *data, struct zwp_linux_dmabuf_feedback_v1 *f, int32_t fd,
			    uint32_t size)
{
	struct wlc_feedback *fb = data;
	void *p = size ? mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0) : NULL;
	(void)f;

	close(fd);
	if (fb->table)
		munmap(fb->table, fb->table_size);
	fb->table = p == MAP_FAILED ? NULL : p;
	fb->table_size = fb->table ? size : 0;
}

static void on_main_device(void *data, struct zwp_linux_dmabuf_feedback_v1 *f,
			   struct wl_array *dev)
{
	struct wlc_feedback *fb = data;
	(void)f;
	fb->main_device = array_dev(dev);
}

static void on_tranche_target_device(void *data, struct zwp_linux_dmabuf_feedback_v1 *f,
				     struct wl_array *dev)
{
	struct wlc_feedback *fb = data;
	(void)f;
	fb->pending.target_device = array_dev(dev);
}

static void on_tranche_formats(void *data, struct zwp_linux_dmabuf_feedback_v1 *f,
			       struct wl_array *indices)
{
	struct wlc_feedback *fb = data;
	size_t n = indices->size / sizeof(uint16_t);
	uint16_t *copy = n ? malloc(n * sizeof(uint16_t)) : NULL;
	(void)f;

	free(fb->pending_indices);
	fb->pending_indices = copy;
	fb->pending.n_indices = copy ? n : 0;
	if (copy)
		memcpy(copy, indices->data, n * sizeof(uint16_t));
}

static void on_tranche_flags(void *data, struct zwp_linux_dmabuf_feedback_v1 *f, uint32_t flags)
{
	struct wlc_feedback *fb = data;
	(void)f;
	fb->pending.flags = flags;
}

static void on_tranche_done(void *data, struct zwp_linux_dmabuf_feedback_v1 *f)
{
	struct wlc_feedback *fb = data;
	(void)f;

	if (fb->n_tranches == WLC_MAX_TRANCHES) {
		fb->overflow = true;
		free(fb->pending_indices);
	} else {
		fb->indices[fb->n_tranches] = fb->pending_indices;
		fb->tranches[fb->n_tranches] = fb->pending;
		fb->tranches[fb->n_tranches].indices = fb->pending_indices;
		fb->n_tranches++;
	}
	fb->pending_indices = NULL;
	memset(&fb->pending, 0, sizeof(fb->pending));
}

static const struct zwp_linux_dmabuf_feedback_v1_listener feedback_listener = {
	.done = on_done,
	.format_table = on_format_table,
	.main_device = on_main_device,
	.tranche_done = on_tranche_done,
	.tranche_target_device = on_tranche_target_device,
	.tranche_formats = on_tranche_formats,
	.tranche_flags = on_tranche_flags,
};

int wlc_feedback_get(struct wlc *c)
{
	struct zwp_linux_dmabuf_feedback_v1 *f = zwp_linux_dmabuf_v1_get_default_feedback(c->dmabuf);

	if (!f)
		return -ENOMEM;
	zwp_linux_dmabuf_feedback_v1_add_listener(f, &feedback_listener, &c->fb);
	while (!c->fb.done)
		if (wl_display_dispatch(c->display) < 0)
			break;
	/* the first feedback is all this client uses: a later one (another
	 * output, a GPU hot-plug) would mean negotiating again */
	zwp_linux_dmabuf_feedback_v1_destroy(f);
	if (!c->fb.done) {
		fprintf(stderr, "wayland-client: the connection broke before the feedback's done event\n");
		return -EPIPE;
	}
	if (c->fb.overflow)
		fprintf(stderr, "wayland-client: more than %d tranches; the first %d are used\n",
			WLC_MAX_TRANCHES, WLC_MAX_TRANCHES);
	return 0;
}

void wlc_feedback_fini(struct wlc_feedback *fb)
{
	if (fb->table)
		munmap(fb->table, fb->table_size);
	for (size_t i = 0; i < fb->n_tranches; i++)
		free(fb->indices[i]);
	free(fb->pending_indices);
	memset(fb, 0, sizeof(*fb));
}

/* "226:128 (/dev/dri/renderD128)": the node is found by its st_rdev. */
const char *wlc_devnum_name(dev_t dev, char *buf, size_t len)
{
	DIR *d = opendir("/dev/dri");
	struct dirent *e;
	char node[300] = "";

	while (d && (e = readdir(d))) {
		char path[280];
		struct stat st;
		snprintf(path, sizeof(path), "/dev/dri/%s", e->d_name);
		if (stat(path, &st) == 0 && S_ISCHR(st.st_mode) && st.st_rdev == dev) {
			snprintf(node, sizeof(node), " (%s)", path);
			break;
		}
	}
	if (d)
		closedir(d);
	snprintf(buf, len, "%u:%u%s", major(dev), minor(dev), node);
	return buf;
}

void wlc_feedback_print(const struct wlc_feedback *fb)
{
	char dev[340];

	printf("feedback: main device %s, format table %zu pairs, %zu tranche(s)\n",
	       wlc_devnum_name(fb->main_device, dev, sizeof(dev)),
	       fb->table_size / sizeof(struct la_wl_format_entry), fb->n_tranches);
	for (size_t t = 0; t < fb->n_tranches; t++) {
		const struct la_wl_tranche *tr = &fb->tranches[t];
		dev_t target = tr->target_device ? tr->target_device : fb->main_device;
		printf("  tranche %zu: target %s, %zu pairs%s\n", t,
		       wlc_devnum_name(target, dev, sizeof(dev)), tr->n_indices,
		       tr->flags & LA_WL_TRANCHE_SCANOUT ? ", scanout" : "");
	}
}
