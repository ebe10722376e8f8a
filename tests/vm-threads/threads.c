/* SPDX-License-Identifier: MIT */
/*
 * Eight threads on the real backends of the test guest, each looping:
 * negotiate, allocate, map and write, export, import into a second device,
 * destroy. Four threads share one context (and its devices), four have a
 * context each, so the core's locks, the backends' per-device state (probe
 * caches, GEM handle counts, GBM) and the loader are all hit concurrently.
 * Run under ASan+UBSan in scripts/test (suite vm-lib); every call must
 * succeed, every written byte must read back, and the fd count must be
 * the same at the end as before the first context.
 *
 *   vm-threads [ITERATIONS]   (default 40 per thread)
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <drm_fourcc.h>
#include <liballoc/liballoc.h>

#include "testlib.h"
#include "vmtest.h"

#define THREADS 8
#define SHARED 4 /* threads 0..SHARED-1 share one context */

struct devices {
	struct la_context *ctx;
	struct la_device *virtio, *vgem;
};

struct job {
	int id, iterations;
	struct devices *shared;
	atomic_int *failures;
	char first_error[256];
};

static int open_devices(struct la_context *ctx, struct devices *d)
{
	char virtio[64], vgem[64];
	int fd;

	d->ctx = ctx;
	d->virtio = d->vgem = NULL;
	fd = vm_open_drm("virtio_gpu", "card", virtio, sizeof(virtio));
	if (fd >= 0)
		close(fd);
	fd = vm_open_drm("vgem", "renderD", vgem, sizeof(vgem));
	if (fd >= 0)
		close(fd);
	if (la_device_open(ctx, virtio, &d->virtio) < 0 || la_device_open(ctx, vgem, &d->vgem) < 0)
		return -1;
	return 0;
}

static void close_devices(struct devices *d)
{
	la_device_unref(d->virtio);
	la_device_unref(d->vgem);
}

static void fail(struct job *j, const char *what, int ret)
{
	if (atomic_fetch_add(j->failures, 1) == 0 || !j->first_error[0])
		snprintf(j->first_error, sizeof(j->first_error), "thread %d: %s: %d (%s)", j->id,
			 what, ret, la_last_diagnosis());
}

/* One round: scanout on virtio_gpu + render on vgem, or CPU + vgem. */
static void round_trip(struct job *j, struct devices *d, int i)
{
	uint32_t fmt = DRM_FORMAT_XRGB8888;
	struct la_assertion a = {.width = 64 + 16 * (uint32_t)(i % 4), .height = 48,
				 .formats = &fmt, .n_formats = 1};
	bool display = i % 2 == 0;
	struct la_request r[2] = {
		{display ? d->virtio : d->vgem, display ? LA_USAGE_SCANOUT : LA_USAGE_RENDER},
		{d->vgem, LA_USAGE_RENDER | LA_USAGE_CPU_WRITE},
	};
	struct la_result *res = NULL;
	struct la_buffer *buf = NULL;
	struct la_import *imp = NULL;
	struct la_descriptor e;
	uint8_t *map;
	int ret = la_negotiate(d->ctx, &a, r, 2, &res);

	if (ret < 0) {
		fail(j, "la_negotiate", ret);
		la_result_destroy(res);
		return;
	}
	ret = la_allocate(res, &buf);
	if (ret < 0) {
		fail(j, "la_allocate", ret);
		goto out;
	}
	ret = la_buffer_map(buf, 0, LA_MAP_READ | LA_MAP_WRITE, (void **)&map);
	if (ret < 0) {
		fail(j, "la_buffer_map", ret);
		goto out;
	}
	memset(map, j->id + 1, 64);
	if (map[63] != (uint8_t)(j->id + 1))
		fail(j, "byte written not read back", -EIO);
	la_buffer_unmap(buf, 0);
	ret = la_buffer_export(buf, &e);
	if (ret < 0)
		fail(j, "la_buffer_export", ret);
	else
		la_descriptor_close(&e);
	ret = la_device_import(d->vgem, LA_USAGE_RENDER, buf, &imp);
	if (ret < 0)
		fail(j, "la_device_import vgem", ret);
	la_import_destroy(imp);
out:
	la_buffer_destroy(buf);
	la_result_destroy(res);
}

static void *worker(void *arg)
{
	struct job *j = arg;
	struct devices own, *d = j->shared;
	struct la_context *ctx = NULL;

	if (!d) {
		int ret = la_context_new(&ctx);
		if (ret < 0 || open_devices(ctx, &own) < 0) {
			fail(j, "own context and devices", ret);
			la_context_destroy(ctx);
			return NULL;
		}
		d = &own;
	}
	for (int i = 0; i < j->iterations; i++)
		round_trip(j, d, i + j->id);
	if (d == &own) {
		close_devices(&own);
		la_context_destroy(ctx);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	int iterations = argc > 1 ? atoi(argv[1]) : 40;
	int before = tl_fd_count();
	struct la_context *ctx;
	struct devices shared;
	struct job jobs[THREADS];
	pthread_t tids[THREADS];
	atomic_int failures = 0;

	if (iterations <= 0 || la_context_new(&ctx) < 0)
		vm_fatal("usage: vm-threads [ITERATIONS > 0], or no context");
	if (open_devices(ctx, &shared) < 0)
		vm_fatal("virtio_gpu card and vgem render nodes: %s", la_last_diagnosis());
	for (int t = 0; t < THREADS; t++) {
		jobs[t] = (struct job){.id = t, .iterations = iterations,
				       .shared = t < SHARED ? &shared : NULL, .failures = &failures};
		if (pthread_create(&tids[t], NULL, worker, &jobs[t]) != 0)
			vm_fatal("pthread_create: %s", strerror(errno));
	}
	for (int t = 0; t < THREADS; t++)
		pthread_join(tids[t], NULL);
	for (int t = 0; t < THREADS; t++)
		if (jobs[t].first_error[0])
			vm_note("%s", jobs[t].first_error);
	vm_check(failures == 0, "%d threads (%d on one context, %d on their own) x %d rounds: "
		 "%d failed calls", THREADS, SHARED, THREADS - SHARED, iterations, (int)failures);
	close_devices(&shared);
	la_context_destroy(ctx);
	vm_check_fds(before, "every context destroyed");
	return vm_exit_status();
}
