/* SPDX-License-Identifier: MIT */
/*
 * camera-to-display: a camera's frames on a display through buffers both
 * devices accept, negotiated and allocated with liballoc; V4L2 DMABUF
 * capture and atomic KMS page flips carry them. No device is named: both
 * are found by what they can do, so the same binary runs on vivid +
 * virtio-gpu and on a USB webcam + a laptop panel.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>
#include <drm_fourcc.h>

#include "../common/fdcount.h"
#include "../common/find.h"
#include "c2d.h"
#include "convert.h"
#include "profile.h"

#define NO_FRAME_TIMEOUT_MS 3000

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

struct loop {
	int shown, pending, ready;     /* display slots; -1 = none */
	uint64_t captured, flips, dropped, errors;
	double t0, hook_time, cpu0;
	int status;                    /* exit status so far */
	struct profile prof;           /* --profile */
};

static double now(void)
{
	return c2d_clock(CLOCK_MONOTONIC);
}

/* Every thread's CPU time: what the frame path costs the whole program. */
static double cpu_seconds(void)
{
	return c2d_clock(CLOCK_PROCESS_CPUTIME_ID);
}

/* ---- hooks: what tests and the demo see ---- */

static int save_ppm(struct la_buffer *buf, const char *path)
{
	struct la_descriptor d;
	const uint8_t *src[LA_MAX_PLANES] = {0};
	uint64_t pitch[LA_MAX_PLANES] = {0};
	uint8_t *xrgb;
	FILE *f;
	int ret = 0;

	la_buffer_get_descriptor(buf, &d);
	xrgb = malloc((size_t)d.width * d.height * 4);
	if (!xrgb)
		return -ENOMEM;
	for (uint32_t p = 0; p < d.plane_count && ret == 0; p++) {
		void *ptr;
		ret = la_buffer_map(buf, p, LA_MAP_READ, &ptr);
		src[p] = ptr;
		pitch[p] = d.planes[p].pitch;
		if (ret < 0)
			fprintf(stderr, "save-frame: map: %s\n", la_last_diagnosis());
	}
	if (ret == 0)
		convert_frame(d.format, src, pitch, xrgb, (uint64_t)d.width * 4, d.width, d.height);
	for (uint32_t p = 0; p < d.plane_count; p++)
		if (src[p])
			la_buffer_unmap(buf, p);
	f = ret == 0 ? fopen(path, "wbe") : NULL;
	if (ret == 0 && !f)
		ret = -errno;
	if (f) {
		fprintf(f, "P6\n%u %u\n255\n", d.width, d.height);
		for (size_t i = 0; i < (size_t)d.width * d.height; i++) {
			uint8_t rgb[3] = {xrgb[i * 4 + 2], xrgb[i * 4 + 1], xrgb[i * 4]};
			fwrite(rgb, 1, 3, f);
		}
		if (fclose(f) != 0)
			ret = -errno;
	}
	free(xrgb);
	return ret;
}

/* Plane 0 byte for byte (pitch x height), to compare with what a display
 * reports of its scanout (a checksum of raw lines). */
static int save_raw(struct la_buffer *buf, const char *path)
{
	struct la_descriptor d;
	void *ptr;
	FILE *f;
	int ret;

	size_t len;
	uint8_t *copy;

	la_buffer_get_descriptor(buf, &d);
	len = (size_t)d.planes[0].pitch * d.height;
	/* Written from a copy: a file system may pin the pages it writes from
	 * (9p does), and device memory mapped into us cannot be pinned. */
	copy = malloc(len);
	if (!copy)
		return -ENOMEM;
	ret = la_buffer_map(buf, 0, LA_MAP_READ, &ptr);
	if (ret == 0) {
		memcpy(copy, ptr, len);
		la_buffer_unmap(buf, 0);
		f = fopen(path, "wbe");
		if (!f) {
			ret = -errno;
		} else {
			if (fwrite(copy, 1, len, f) != len)
				ret = -EIO;
			if (fclose(f) != 0 && ret == 0)
				ret = -errno;
		}
	}
	free(copy);
	return ret;
}

static int run_command(const char *cmd)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -errno;
	if (pid == 0) {
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* Runs once the shot_after-th frame is on the screen; the loop waits. */
static void frame_hooks(struct app *a, struct loop *l)
{
	double t = now();

	if (l->flips != a->opt.shot_after)
		return;
	if (a->opt.save_frame) {
		int ret = save_ppm(display_buffer(a, (size_t)l->shown), a->opt.save_frame);
		if (ret < 0) {
			fprintf(stderr, "save-frame %s: %s\n", a->opt.save_frame, strerror(-ret));
			l->status = 3;
		} else {
			printf("saved the shown frame (%" PRIu64 ") to %s\n", l->flips,
			       a->opt.save_frame);
		}
	}
	if (a->opt.save_raw) {
		int ret = save_raw(display_buffer(a, (size_t)l->shown), a->opt.save_raw);
		if (ret < 0) {
			fprintf(stderr, "save-raw %s: %s\n", a->opt.save_raw, strerror(-ret));
			l->status = 3;
		}
	}
	if (a->opt.shot_cmd) {
		int ret;
		printf("frame %" PRIu64 " on screen: running the screenshot hook\n", l->flips);
		fflush(stdout);
		ret = run_command(a->opt.shot_cmd);
		if (ret != 0) {
			fprintf(stderr, "screenshot hook failed (exit status %d)\n", ret);
			l->status = 3;
		}
	}
	l->hook_time += now() - t;
}

/* ---- the frame loop ---- */

/* A display slot is free again: in zero copy that is a camera buffer. */
static void release_slot(struct app *a, struct loop *l, int slot)
{
	struct la_descriptor d;
	int ret;

	if (slot < 0 || !a->zero_copy)
		return;
	if (recycle_camera_buffer(a, (size_t)slot) < 0) {
		l->errors++;
		stop = 1;
		return;
	}
	la_buffer_get_descriptor(a->cam[slot], &d);
	PROFILED(&l->prof, PH_REQUEUE, ret = capture_queue(&a->cap, (uint32_t)slot, &d, NULL, 0));
	if (ret < 0)
		l->errors++;
}

static int present(struct app *a, struct loop *l, int slot)
{
	char err[512];
	int ret;

	if (l->shown < 0 && l->pending < 0) {
		/* First frame: the modeset, blocking. */
		ret = kms_output_show(a->kms, a->fbs[slot].fb_id, a->opt.width, a->opt.height,
				      err, sizeof(err));
		if (ret < 0) {
			fprintf(stderr, "display: %s\n", err);
			return ret;
		}
		printf("display: %s\n", kms_output_describe(a->kms));
		l->shown = slot;
		l->flips = 1;
		frame_hooks(a, l);
		return 0;
	}
	if (l->pending >= 0) {
		/* A flip is in flight: keep the newest frame, drop the older. */
		if (l->ready >= 0) {
			release_slot(a, l, l->ready);
			l->dropped++;
		}
		l->ready = slot;
		return 0;
	}
	PROFILED(&l->prof, PH_COMMIT, ret = kms_output_flip(a->kms, a->fbs[slot].fb_id));
	if (ret < 0) {
		fprintf(stderr, "page flip: %s\n", strerror(-ret));
		return ret;
	}
	l->pending = slot;
	return 0;
}

static void flip_done(struct app *a, struct loop *l)
{
	release_slot(a, l, l->shown);
	l->shown = l->pending;
	l->pending = -1;
	l->flips++;
	frame_hooks(a, l);
	if (l->ready >= 0) {
		int slot = l->ready;
		l->ready = -1;
		if (present(a, l, slot) < 0)
			stop = 1;
	}
}

/* Copy path: the camera buffer into a free display buffer. */
static int copy_frame(struct app *a, struct loop *l, uint32_t idx)
{
	struct la_descriptor s, d;
	const uint8_t *src[LA_MAX_PLANES] = {0};
	uint64_t pitch[LA_MAX_PLANES] = {0};
	void *dst = NULL, *p;
	int slot = l->ready, ret = 0, q;

	for (int i = 0; slot < 0 && i < (int)a->n_disp; i++)
		if (i != l->shown && i != l->pending)
			slot = i;
	if (l->ready >= 0) {
		l->ready = -1; /* overwritten below: that frame is dropped */
		l->dropped++;
	}
	la_buffer_get_descriptor(a->cam[idx], &s);
	la_buffer_get_descriptor(a->disp[slot], &d);
	if (l->prof.on && l->prof.started)
		profile_enter(&l->prof);
	for (uint32_t i = 0; i < s.plane_count && ret == 0; i++) {
		ret = la_buffer_map(a->cam[idx], i, LA_MAP_READ, &p);
		src[i] = ret == 0 ? p : NULL;
		pitch[i] = s.planes[i].pitch;
	}
	if (ret == 0)
		ret = la_buffer_map(a->disp[slot], 0, LA_MAP_WRITE, &dst);
	if (ret == 0)
		convert_frame(s.format, src, pitch, dst, d.planes[0].pitch, s.width, s.height);
	else
		fprintf(stderr, "copy: %s\n", la_last_diagnosis());
	if (dst)
		la_buffer_unmap(a->disp[slot], 0);
	for (uint32_t i = 0; i < s.plane_count; i++)
		if (src[i])
			la_buffer_unmap(a->cam[idx], i);
	if (l->prof.on && l->prof.started)
		profile_leave(&l->prof, PH_COPY);
	if (recycle_camera_buffer(a, idx) < 0)
		return -ENOBUFS;
	la_buffer_get_descriptor(a->cam[idx], &s);
	PROFILED(&l->prof, PH_REQUEUE, q = capture_queue(&a->cap, idx, &s, NULL, 0));
	if (q < 0)
		l->errors++;
	return ret < 0 ? ret : present(a, l, slot);
}

static int on_frame(struct app *a, struct loop *l)
{
	uint32_t idx;
	int ret;

	PROFILED(&l->prof, PH_DEQUEUE, ret = capture_dequeue(&a->cap, &idx));
	if (ret == -EIO) {
		l->errors++; /* the driver flagged it; show it anyway */
		ret = 0;
	}
	if (ret == -EAGAIN)
		return 0;
	if (ret < 0) {
		fprintf(stderr, "VIDIOC_DQBUF: %s\n", strerror(-ret));
		return ret;
	}
	if (l->captured++ == 0) {
		l->t0 = now();
		l->cpu0 = cpu_seconds();
	}
	ret = a->zero_copy ? present(a, l, (int)idx) : copy_frame(a, l, idx);
	/* After the first frame's modeset: the profile is the steady state's. */
	if (l->captured == 1)
		profile_start(&l->prof);
	return ret;
}

/*
 * A flip ends long before the next frame comes, so its event is read when
 * that frame wakes the loop: one wake-up per frame, not two (a wake-up is
 * a good part of a frame's CPU; the buffer that left the screen goes back
 * to the camera a frame later, which a ring of 4 absorbs). The loop sleeps
 * on the event only when something waits for it: a frame ready to show,
 * or the last frame.
 */
static bool wait_for_flip(const struct app *a, const struct loop *l)
{
	return l->ready >= 0 || (a->opt.frames && l->flips + 1 >= a->opt.frames);
}

static int run(struct app *a, struct loop *l)
{
	int drm = kms_output_get_fd(a->kms);

	while (!stop && (a->opt.frames == 0 || l->flips < a->opt.frames)) {
		struct pollfd p[2] = {{.fd = a->cap.fd, .events = POLLIN},
				      {.fd = wait_for_flip(a, l) ? drm : -1, .events = POLLIN}};
		int n;

		PROFILED(&l->prof, PH_WAIT, n = poll(p, 2, NO_FRAME_TIMEOUT_MS));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0) {
			fprintf(stderr, "no frame for %d ms (camera %s, flip %s)\n",
				NO_FRAME_TIMEOUT_MS, l->captured ? "stalled" : "never started",
				kms_output_flip_pending(a->kms) ? "pending" : "idle");
			return -ETIMEDOUT;
		}
		if (p[1].fd < 0 && kms_output_flip_pending(a->kms)) {
			struct pollfd d = {.fd = drm, .events = POLLIN};
			PROFILED(&l->prof, PH_EVENT, p[1].revents = poll(&d, 1, 0) == 1 ? d.revents : 0);
		}
		if (p[1].revents & POLLIN) {
			int done;
			PROFILED(&l->prof, PH_EVENT, done = kms_output_dispatch(a->kms));
			if (done == 1)
				flip_done(a, l);
		}
		if (p[0].revents & (POLLIN | POLLERR)) {
			int ret = on_frame(a, l);
			if (ret < 0)
				return ret;
		}
	}
	return 0;
}

static void print_stats(const struct loop *l)
{
	double t = l->captured ? now() - l->t0 - l->hook_time : 0;
	double cpu = l->captured ? cpu_seconds() - l->cpu0 : 0;

	printf("frames: captured %" PRIu64 ", shown %" PRIu64 ", dropped %" PRIu64
	       ", errors %" PRIu64 "\n", l->captured, l->flips, l->dropped, l->errors);
	if (l->captured > 1 && t > 0)
		printf("rate: %.1f fps captured, %.1f fps shown over %.2f s; CPU %.2f ms per frame\n",
		       (double)(l->captured - 1) / t, (double)(l->flips - 1) / t, t,
		       cpu * 1000.0 / (double)l->captured);
	profile_print(&l->prof, l->captured);
}

/* ---- options ---- */

static void usage(FILE *f)
{
	fprintf(f,
		"usage: camera-to-display [options]\n"
		"  --camera PATH        V4L2 capture node (default: the first device that captures)\n"
		"  --display PATH       DRM card node (default: the first device that scans out)\n"
		"  --size WxH           frame size (default 640x480)\n"
		"  --format F[,F...]    DRM formats in preference order\n"
		"                       (default XRGB8888,YUYV,UYVY,NV12)\n"
		"  --frames N           stop after N frames shown (default: until Ctrl-C)\n"
		"  --fps N              frame rate asked of the camera (default 30)\n"
		"  --screenshot CMD     run CMD (/bin/sh -c) once frame --screenshot-after is on\n"
		"                       the screen; the loop waits for it; exit status 3 if it fails\n"
		"  --screenshot-after N the frame for the hooks (default 30)\n"
		"  --save-frame FILE    write that frame, as shown, to FILE (binary PPM)\n"
		"  --save-raw FILE      write that frame's first plane to FILE, bytes as in memory\n"
		"  --copy               skip the zero-copy plan (to compare)\n"
		"  --check-leaks        exit status 4 if an fd is still open at the end\n"
		"  --profile            at the end, the frame loop's CPU time per phase (wait,\n"
		"                       dequeue, commit, flip event, requeue, copy, the rest)\n"
		"Exit status: 0 done, 1 setup or streaming failed, 2 usage, 3 a hook failed.\n");
}

static int parse_size(const char *s, uint32_t *w, uint32_t *h)
{
	char *end;
	unsigned long x = strtoul(s, &end, 10), y;

	if (*end != 'x' || x == 0 || x > 16384)
		return -EINVAL;
	y = strtoul(end + 1, &end, 10);
	if (*end || y == 0 || y > 16384)
		return -EINVAL;
	*w = (uint32_t)x;
	*h = (uint32_t)y;
	return 0;
}

static int parse_formats(char *list, struct options *o)
{
	o->n_formats = 0;
	for (char *save = NULL, *t = strtok_r(list, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		if (o->n_formats == MAX_FORMATS || la_format_parse(t, &o->formats[o->n_formats]) < 0) {
			fprintf(stderr, "--format: '%s': %s\n", t,
				o->n_formats == MAX_FORMATS ? "too many" : la_last_diagnosis());
			return -EINVAL;
		}
		o->n_formats++;
	}
	return o->n_formats ? 0 : -EINVAL;
}

static int parse_options(int argc, char **argv, struct options *o)
{
	static const struct option opts[] = {
		{"camera", required_argument, NULL, 'c'}, {"display", required_argument, NULL, 'd'},
		{"size", required_argument, NULL, 's'},   {"format", required_argument, NULL, 'f'},
		{"frames", required_argument, NULL, 'n'},
		{"fps", required_argument, NULL, 'r'}, {"screenshot", required_argument, NULL, 'S'},
		{"screenshot-after", required_argument, NULL, 'A'},
		{"save-frame", required_argument, NULL, 'P'}, {"save-raw", required_argument, NULL, 'W'},
		{"copy", no_argument, NULL, 'C'},
		{"check-leaks", no_argument, NULL, 'L'}, {"profile", no_argument, NULL, 'p'},
		{"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0},
	};
	static const uint32_t defaults[] = {DRM_FORMAT_XRGB8888, DRM_FORMAT_YUYV, DRM_FORMAT_UYVY,
					    DRM_FORMAT_NV12};
	int c;

	*o = (struct options){.width = 640, .height = 480, .shot_after = 30, .fps = 30,
			      .n_formats = sizeof(defaults) / sizeof(defaults[0])};
	memcpy(o->formats, defaults, sizeof(defaults));
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		char *end = NULL;
		switch (c) {
		case 'c': o->camera = optarg; break;
		case 'd': o->display = optarg; break;
		case 's':
			if (parse_size(optarg, &o->width, &o->height) < 0) {
				fprintf(stderr, "--size: expected WxH, got '%s'\n", optarg);
				return -EINVAL;
			}
			break;
		case 'f':
			if (parse_formats(optarg, o) < 0)
				return -EINVAL;
			break;
		case 'n': o->frames = strtoull(optarg, &end, 10); break;
		case 'r': o->fps = (uint32_t)strtoul(optarg, &end, 10); break;
		case 'A': o->shot_after = strtoull(optarg, &end, 10); break;
		case 'S': o->shot_cmd = optarg; break;
		case 'P': o->save_frame = optarg; break;
		case 'W': o->save_raw = optarg; break;
		case 'C': o->force_copy = true; break;
		case 'L': o->check_leaks = true; break;
		case 'p': o->profile = true; break;
		case 'h': usage(stdout); exit(0);
		default: return -EINVAL;
		}
		if (end && (*end || end == optarg)) {
			fprintf(stderr, "expected a number, got '%s'\n", optarg);
			return -EINVAL;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "unexpected argument '%s'\n", argv[optind]);
		return -EINVAL;
	}
	if (o->frames && o->shot_after > o->frames)
		o->shot_after = o->frames;
	if (o->shot_after == 0)
		o->shot_after = 1;
	if (o->fps == 0 || o->fps > 1000) {
		fprintf(stderr, "--fps: 1..1000\n");
		return -EINVAL;
	}
	return 0;
}

/* ---- setup and clean-up ---- */

static int find_devices(struct app *a, char *err, size_t len)
{
	struct la_assertion as = {.width = a->opt.width, .height = a->opt.height,
				  .formats = a->opt.formats, .n_formats = a->opt.n_formats};
	static const uint32_t xrgb = DRM_FORMAT_XRGB8888;
	struct la_assertion disp = {.width = a->opt.width, .height = a->opt.height,
				    .formats = &xrgb, .n_formats = 1};
	struct device_list list = {0};
	char why[2048];
	int ret = 0;

	/* Named nodes need no enumeration (nor its probes). */
	if ((!a->opt.camera || !a->opt.display) && (ret = device_list_get(a->ctx, &list)) < 0)
		snprintf(err, len, "listing devices: %s", la_last_diagnosis());
	if (ret == 0 && (ret = find_device(a->ctx, &list, a->opt.camera, LA_USAGE_CAPTURE, &as,
					   NULL, &a->camera, why, sizeof(why))) < 0)
		snprintf(err, len, "no camera: %s", why);
	/* XRGB8888: what every display shows and the copy path writes. */
	if (ret == 0 && (ret = find_device(a->ctx, &list, a->opt.display, LA_USAGE_SCANOUT, &disp,
					   NULL, &a->display, why, sizeof(why))) < 0)
		snprintf(err, len, "no display: %s", why);
	device_list_free(&list);
	return ret;
}

int main(int argc, char **argv)
{
	struct app a = {0};
	struct loop l = {.shown = -1, .pending = -1, .ready = -1};
	struct sigaction sa = {.sa_handler = on_signal}; /* no SA_RESTART: poll() returns */
	char why[4096], err[4096];
	int ret, fds0 = fd_count();

	if (parse_options(argc, argv, &a.opt) < 0) {
		usage(stderr);
		return 2;
	}
	l.prof.on = a.opt.profile;
	setvbuf(stdout, NULL, _IOLBF, 0);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	ret = la_context_new(&a.ctx);
	if (ret == 0 && (ret = find_devices(&a, err, sizeof(err))) < 0)
		fprintf(stderr, "%s\n", err);
	if (ret < 0)
		goto out;
	printf("camera:  %s\ndisplay: %s\n", la_device_get_label(a.camera),
	       la_device_get_label(a.display));

	ret = a.opt.force_copy ? -ECANCELED : setup_zero_copy(&a, why, sizeof(why));
	if (ret == -ECANCELED)
		snprintf(why, sizeof(why), "--copy was given");
	if (ret < 0) {
		printf("zero copy impossible: %s\n", why);
		ret = setup_copy(&a, err, sizeof(err));
		if (ret < 0) {
			fprintf(stderr, "copy path failed too: %s\n", err);
			goto out;
		}
	}
	if (a.zero_copy) {
		printf("frame path: ZERO-COPY (the camera writes into the buffers the display "
		       "scans out)\n");
	} else {
		struct la_descriptor d;
		char f[32];
		la_buffer_get_descriptor(a.cam[0], &d);
		printf("frame path: COPY (two buffer sets, %s -> XRGB8888 on the CPU each frame)\n",
		       la_format_name(d.format, f, sizeof(f)));
	}
	if (a.cap.rate_num)
		printf("camera frame interval: %u/%u s (%.1f fps; asked %u)\n", a.cap.rate_num,
		       a.cap.rate_den, (double)a.cap.rate_den / a.cap.rate_num, a.opt.fps);
	uint64_t warm = pool_allocations(&a);
	ret = capture_start(&a.cap, err, sizeof(err));
	if (ret < 0)
		fprintf(stderr, "%s\n", err);
	else
		ret = run(&a, &l);
	if (stop)
		printf("interrupted\n");
	print_stats(&l);
	print_pool_stats(&a, warm);
out:
	/* The camera stops first: nothing writes into the shown buffer while
	 * the display goes back to what it showed before. */
	capture_close(&a.cap);
	kms_output_close(a.kms);
	teardown(&a);
	la_device_unref(a.camera);
	la_device_unref(a.display);
	la_context_destroy(a.ctx);
	if (a.opt.check_leaks && fd_count() != fds0) {
		fprintf(stderr, "leak: %d fds open at the start, %d at the end\n", fds0, fd_count());
		return 4;
	}
	if (a.opt.check_leaks)
		printf("no fd left open (%d at start and end)\n", fds0);
	return ret < 0 ? 1 : l.status;
}
