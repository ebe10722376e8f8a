/* SPDX-License-Identifier: MIT */
/*
 * --camera: the camera captures straight into the buffers the compositor
 * accepted (V4L2_MEMORY_DMABUF, liballoc-v4l2-stream), so a frame goes
 * from the camera to the compositor with no copy. A buffer returns to the
 * camera's queue when the compositor releases it.
 */
#include <errno.h>
#include <stdio.h>

#include <liballoc/v4l2-stream.h>

#include "wlc.h"

int wlc_camera_start(struct wlc *c)
{
	struct la_v4l2_stream_config cfg;
	struct la_descriptor d;
	struct la_why why = {0};
	int ret;

	la_buffer_get_descriptor(c->bufs[0], &d);
	ret = la_v4l2_stream_config_from_descriptor(&d, &cfg, &why);
	if (ret == 0) {
		cfg.count = (uint32_t)c->n_bufs;
		ret = la_v4l2_stream_open(la_device_get_fd(c->cam), &cfg, &c->stream, &why);
	}
	if (ret == 0) {
		la_v4l2_stream_get_config(c->stream, &cfg);
		if (cfg.count != c->n_bufs)
			ret = la_why_set(&why, -EPROTO, "the camera asked for %u buffers, not %zu",
					 cfg.count, c->n_bufs);
	}
	for (size_t i = 0; i < c->n_bufs && ret == 0; i++) {
		la_buffer_get_descriptor(c->bufs[i], &d);
		ret = la_v4l2_stream_queue_dmabuf(c->stream, (uint32_t)i, &d, &why);
	}
	if (ret == 0)
		ret = la_v4l2_stream_start(c->stream, &why);
	if (ret < 0) {
		fprintf(stderr, "wayland-client: camera %s: %s\n", la_device_get_label(c->cam), why.text);
		wlc_camera_stop(c);
		return ret;
	}
	c->streaming = true;
	printf("camera: %s captures into the %zu buffers (V4L2_MEMORY_DMABUF)\n",
	       la_device_get_label(c->cam), c->n_bufs);
	return 0;
}

/* The next filled buffer; vivid gives one every 1/30 s or so. */
int wlc_camera_next(struct wlc *c, size_t *index)
{
	struct la_why why = {0};
	uint32_t i;
	int ret = la_v4l2_stream_dequeue(c->stream, 5000, &i, NULL, &why);

	if (ret == -EIO)
		ret = wlc_camera_requeue(c, i) < 0 ? -EIO : -EAGAIN; /* a bad frame: skip it */
	else if (ret < 0)
		fprintf(stderr, "wayland-client: camera: %s\n", why.text);
	else
		*index = i;
	return ret;
}

int wlc_camera_requeue(struct wlc *c, size_t i)
{
	struct la_descriptor d;
	struct la_why why = {0};
	int ret;

	la_buffer_get_descriptor(c->bufs[i], &d);
	ret = la_v4l2_stream_queue_dmabuf(c->stream, (uint32_t)i, &d, &why);
	if (ret < 0)
		fprintf(stderr, "wayland-client: camera: %s\n", why.text);
	return ret;
}

void wlc_camera_stop(struct wlc *c)
{
	c->streaming = false;
	la_v4l2_stream_close(c->stream); /* STREAMOFF and REQBUFS 0 */
	c->stream = NULL;
}
