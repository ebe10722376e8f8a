/* SPDX-License-Identifier: MIT */
/*
 * compositor: the server half of a compositor-style buffer exchange.
 *
 * It owns a display and a render device, negotiates render-target +
 * scanout for them, and sends the two capability sets to a client process
 * over a Unix socket. The client allocates (see client.c), draws, and
 * passes the dma-bufs back; the server checks each descriptor against the
 * sets it sent (a client is not trusted), imports it into the render
 * device and the display, and page-flips to each frame the client sends.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>
#include <drm_fourcc.h>

#include "../common/fdcount.h"
#include "../common/find.h"
#include "../common/kms.h"
#include "../common/scanout.h"
#include "protocol.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

struct options {
	const char *display, *render, *socket_path, *client, *shot_cmd;
	uint32_t width, height, frames, shot_after;
	bool check_leaks;
	int fds0; /* open at the start */
};

struct client_buffer {
	struct la_buffer *buf;
	struct la_import *render_imp;
	struct scanout_fb fb;
};

struct server {
	struct options opt;
	struct la_context *ctx;
	struct la_device *display, *render;
	struct la_capset *sets[2]; /* render, scanout: what the client was told */
	struct la_result *res;
	int sock;
	pid_t child;
	struct client_buffer bufs[PROTO_BUFFERS];
	size_t n_bufs;
	struct kms_output *kms;
	int shown, pending, ready;
	uint32_t flips;
	int status;
};

static const uint32_t formats[] = {DRM_FORMAT_XRGB8888};

static int find_devices(struct server *s, const struct la_assertion *as, char *err, size_t len)
{
	struct device_list list = {0};
	char why[2048];
	int ret = device_list_get(s->ctx, &list);

	if (ret < 0)
		snprintf(err, len, "listing devices: %s", la_last_diagnosis());
	if (ret == 0 && (ret = find_device(s->ctx, &list, s->opt.display, LA_USAGE_SCANOUT, as,
					   NULL, &s->display, why, sizeof(why))) < 0)
		snprintf(err, len, "no display: %s", why);
	/* Any other node that renders: vgem in the test VM, the GPU's
	 * render node on a real machine. */
	if (ret == 0 && (ret = find_device(s->ctx, &list, s->opt.render, LA_USAGE_RENDER, as,
					   s->display, &s->render, why, sizeof(why))) < 0)
		snprintf(err, len, "no render device: %s", why);
	device_list_free(&list);
	return ret;
}

static int negotiate(struct server *s, const struct la_assertion *as, char *err, size_t len)
{
	struct la_request req[] = {{s->render, LA_USAGE_RENDER}, {s->display, LA_USAGE_SCANOUT}};
	struct la_path_info p;
	struct la_candidate c;
	char f[32];
	int ret = la_negotiate(s->ctx, as, req, 2, &s->res);

	if (ret < 0) {
		snprintf(err, len, "no buffer both can use: %s",
			 s->res ? la_result_get_diagnosis(s->res) : la_last_diagnosis());
		return ret;
	}
	la_result_get_candidate(s->res, (size_t)la_result_get_chosen_candidate(s->res), &c);
	la_result_get_path(s->res, 0, &p);
	printf("server: render %s + scanout %s negotiate %s, modifier 0x%llx; best path %s\n",
	       la_device_get_label(s->render), la_device_get_label(s->display),
	       la_format_name(c.format, f, sizeof(f)), (unsigned long long)c.modifier, p.name);
	ret = la_device_get_capabilities(s->render, LA_USAGE_RENDER, as, &s->sets[0]);
	if (ret == 0)
		ret = la_device_get_capabilities(s->display, LA_USAGE_SCANOUT, as, &s->sets[1]);
	if (ret < 0)
		snprintf(err, len, "capabilities: %s", la_last_diagnosis());
	return ret;
}

static int send_sets(struct server *s)
{
	struct proto_hello h = {.version = 1, .width = s->opt.width, .height = s->opt.height,
				.frames = s->opt.frames, .n_sets = 2, .n_formats = 1,
				.formats = {formats[0]}};
	int ret = proto_send(s->sock, PROTO_HELLO, &h, sizeof(h), NULL, 0);

	for (size_t i = 0; ret == 0 && i < 2; i++) {
		void *blob;
		size_t size;
		ret = la_capset_serialize(s->sets[i], &blob, &size);
		if (ret == 0) {
			ret = proto_send(s->sock, PROTO_CAPSET, blob, size, NULL, 0);
			printf("server: sent the %s capability set (%zu bytes)\n",
			       i ? "scanout" : "render", size);
			free(blob);
		}
	}
	return ret;
}

/* ---- the client's process and socket ---- */

static int spawn_client(struct server *s, const char *self)
{
	char path[PATH_MAX], fdarg[16];
	int sv[2];

	if (s->opt.client) {
		snprintf(path, sizeof(path), "%s", s->opt.client);
	} else {
		/* The client binary sits next to this one. */
		const char *slash = strrchr(self, '/');
		snprintf(path, sizeof(path), "%.*scompositor-client", slash ? (int)(slash - self + 1) : 0,
			 self);
	}
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0)
		return -errno;
	s->child = fork();
	if (s->child < 0) {
		int e = errno;
		close(sv[0]);
		close(sv[1]);
		return -e;
	}
	if (s->child == 0) {
		/* Only the client's end crosses exec; every other fd is CLOEXEC. */
		fcntl(sv[1], F_SETFD, 0);
		snprintf(fdarg, sizeof(fdarg), "%d", sv[1]);
		execl(path, path, "--fd", fdarg, (char *)NULL);
		fprintf(stderr, "server: cannot run %s: %s\n", path, strerror(errno));
		_exit(127);
	}
	close(sv[1]);
	s->sock = sv[0];
	printf("server: started client %s (pid %d)\n", path, (int)s->child);
	return 0;
}

static int accept_client(struct server *s)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	int l = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0), ret = 0;

	if (l < 0)
		return -errno;
	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", s->opt.socket_path);
	unlink(addr.sun_path);
	if (bind(l, (struct sockaddr *)&addr, sizeof(addr)) != 0 || listen(l, 1) != 0)
		ret = -errno;
	if (ret == 0) {
		printf("server: waiting for a client on %s\n", addr.sun_path);
		s->sock = accept4(l, NULL, NULL, SOCK_CLOEXEC);
		if (s->sock < 0)
			ret = -errno;
		unlink(addr.sun_path);
	}
	close(l);
	return ret;
}

/* ---- buffers from the client ---- */

static int take_buffer(struct server *s, const uint8_t *msg, size_t size, int *fds, size_t n_fds)
{
	struct la_descriptor d;
	struct client_buffer *cb;
	const char *how;
	char err[1024], f[32];
	uint32_t index;
	int ret;

	if (size < sizeof(index))
		return -EINVAL;
	memcpy(&index, msg, sizeof(index));
	if (index != s->n_bufs || index >= PROTO_BUFFERS) {
		fprintf(stderr, "server: unexpected buffer %u\n", index);
		return -EINVAL;
	}
	ret = la_descriptor_deserialize(msg + 4, size - 4, fds, n_fds, &d);
	if (ret < 0) {
		fprintf(stderr, "server: bad descriptor: %s\n", la_last_diagnosis());
		return ret;
	}
	/* Never trust the client: its buffer must fit what each device said. */
	for (int i = 0; i < 2; i++) {
		ret = la_capset_validate(s->sets[i], &d);
		if (ret < 0) {
			fprintf(stderr, "server: buffer %u refused: %s\n", index, la_last_diagnosis());
			return ret;
		}
	}
	cb = &s->bufs[index];
	ret = la_buffer_from_descriptor(s->ctx, &d, &cb->buf);
	if (ret == 0 && (ret = la_device_import(s->render, LA_USAGE_RENDER, cb->buf,
						&cb->render_imp)) < 0)
		snprintf(err, sizeof(err), "render import: %s", la_last_diagnosis());
	else if (ret < 0)
		snprintf(err, sizeof(err), "%s", la_last_diagnosis());
	else
		ret = scanout_fb_create(s->display, cb->buf, &cb->fb, &how, err, sizeof(err));
	s->n_bufs++; /* clean-up takes what exists */
	if (ret < 0) {
		fprintf(stderr, "server: buffer %u: %s\n", index, err);
		return ret;
	}
	printf("server: buffer %u: %s %ux%u pitch %llu, validated against both sets, imported "
	       "into %s and %s (fb %u, %s)\n", index, la_format_name(d.format, f, sizeof(f)),
	       d.width, d.height, (unsigned long long)d.planes[0].pitch,
	       la_device_get_label(s->render), la_device_get_label(s->display), cb->fb.fb_id, how);
	return 0;
}

/* ---- showing frames ---- */

static void hooks(struct server *s)
{
	int status;
	pid_t pid;

	if (s->flips != s->opt.shot_after || !s->opt.shot_cmd)
		return;
	printf("server: frame %u on screen: running the screenshot hook\n", s->flips);
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		execl("/bin/sh", "sh", "-c", s->opt.shot_cmd, (char *)NULL);
		_exit(127);
	}
	while (pid > 0 && waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (pid < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "server: screenshot hook failed\n");
		s->status = 3;
	}
}

static int present(struct server *s, int i)
{
	char err[512];
	int ret;

	if (s->shown < 0 && s->pending < 0) {
		ret = kms_output_show(s->kms, s->bufs[i].fb.fb_id, s->opt.width, s->opt.height, err,
				      sizeof(err));
		if (ret < 0) {
			fprintf(stderr, "server: display: %s\n", err);
			return ret;
		}
		printf("server: display: %s\n", kms_output_describe(s->kms));
		s->shown = i;
		s->flips = 1;
		hooks(s);
		return 0;
	}
	if (s->pending >= 0) {
		if (s->ready >= 0)
			proto_send_u32(s->sock, PROTO_RELEASE, (uint32_t)s->ready);
		s->ready = i;
		return 0;
	}
	ret = kms_output_flip(s->kms, s->bufs[i].fb.fb_id);
	if (ret < 0)
		fprintf(stderr, "server: page flip to buffer %d: %s\n", i, strerror(-ret));
	else
		s->pending = i;
	return ret;
}

static int flip_done(struct server *s)
{
	int ret = 0;

	proto_send_u32(s->sock, PROTO_RELEASE, (uint32_t)s->shown);
	s->shown = s->pending;
	s->pending = -1;
	s->flips++;
	hooks(s);
	/* the last frame is on screen: a flip queued now would outlive the loop */
	if (s->ready >= 0 && s->flips < s->opt.frames) {
		int i = s->ready;
		s->ready = -1;
		ret = present(s, i);
	}
	return ret;
}

static int on_message(struct server *s, bool *done)
{
	static uint8_t msg[PROTO_MAX_PAYLOAD];
	int fds[PROTO_MAX_FDS];
	size_t size, n_fds = 0;
	uint32_t type = 0, index;
	int ret = proto_recv(s->sock, &type, msg, &size, fds, &n_fds);

	if (ret == 0 && type == PROTO_BUFFER)
		ret = take_buffer(s, msg, size, fds, n_fds);
	else if (ret == 0 && type == PROTO_FRAME && size == 4) {
		memcpy(&index, msg, 4);
		ret = index < s->n_bufs ? present(s, (int)index) : -EINVAL;
	} else if (ret == 0 && type == PROTO_DONE) {
		*done = true;
	} else if (ret == 0 && type == PROTO_ERROR) {
		fprintf(stderr, "server: the client gave up: %.*s\n", (int)size, (char *)msg);
		ret = -ECANCELED;
	} else if (ret == 0) {
		ret = -EPROTO;
	}
	for (size_t i = 0; i < n_fds; i++)
		close(fds[i]); /* la_buffer_from_descriptor() took its own */
	if (ret == -EPIPE)
		fprintf(stderr, "server: the client went away\n");
	else if (ret < 0 && ret != -ECANCELED)
		fprintf(stderr, "server: client message %u: %s\n", type, strerror(-ret));
	return ret;
}

static int serve(struct server *s)
{
	bool done = false;

	while (!stop && (!done || s->pending >= 0) && s->flips < s->opt.frames) {
		struct pollfd p[2] = {{.fd = s->sock, .events = done ? 0 : POLLIN},
				      {.fd = kms_output_get_fd(s->kms), .events = POLLIN}};
		int ret, n = poll(p, 2, 5000);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			fprintf(stderr, "server: %s\n", n ? strerror(errno) : "nothing for 5 s");
			return n ? -errno : -ETIMEDOUT;
		}
		if ((p[1].revents & POLLIN) && kms_output_dispatch(s->kms) == 1 &&
		    (ret = flip_done(s)) < 0)
			return ret;
		/* after DONE the client may exit with our RELEASEs unread: a hangup
		 * (or ECONNRESET) then is its normal end, not a message */
		if (!done && (p[0].revents & (POLLIN | POLLHUP | POLLERR)) &&
		    (ret = on_message(s, &done)) < 0)
			return ret;
	}
	return 0;
}

/* ---- options, main ---- */

static void usage(FILE *f)
{
	fprintf(f, "usage: compositor [options]\n"
		   "  --display PATH       DRM card node (default: the first that scans out)\n"
		   "  --render PATH        render node (default: the first other that renders)\n"
		   "  --size WxH           buffer size (default 640x480)\n"
		   "  --frames N           frames to show (default 60)\n"
		   "  --socket PATH        wait for compositor-client --socket PATH instead of\n"
		   "                       starting it\n"
		   "  --client PROG        client to start (default: compositor-client next to\n"
		   "                       this program)\n"
		   "  --screenshot CMD     run CMD once frame --screenshot-after is on screen\n"
		   "  --screenshot-after N (default: the last frame)\n"
		   "  --check-leaks        exit status 4 if an fd is still open at the end\n"
		   "Exit status: 0 done, 1 failed, 2 usage, 3 the hook failed.\n");
}

static int parse(int argc, char **argv, struct options *o)
{
	static const struct option opts[] = {
		{"display", required_argument, NULL, 'd'}, {"render", required_argument, NULL, 'r'},
		{"size", required_argument, NULL, 's'},    {"frames", required_argument, NULL, 'n'},
		{"socket", required_argument, NULL, 'S'},  {"client", required_argument, NULL, 'c'},
		{"screenshot", required_argument, NULL, 'x'},
		{"screenshot-after", required_argument, NULL, 'a'},
		{"check-leaks", no_argument, NULL, 'L'},
		{"help", no_argument, NULL, 'h'},          {NULL, 0, NULL, 0},
	};
	int c;

	*o = (struct options){.width = 640, .height = 480, .frames = 60};
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'd': o->display = optarg; break;
		case 'r': o->render = optarg; break;
		case 'S': o->socket_path = optarg; break;
		case 'c': o->client = optarg; break;
		case 'x': o->shot_cmd = optarg; break;
		case 'L': o->check_leaks = true; break;
		case 's':
			if (sscanf(optarg, "%ux%u", &o->width, &o->height) != 2 || !o->width ||
			    !o->height || o->width > 16384 || o->height > 16384)
				return -EINVAL;
			break;
		case 'n': o->frames = (uint32_t)strtoul(optarg, NULL, 10); break;
		case 'a': o->shot_after = (uint32_t)strtoul(optarg, NULL, 10); break;
		case 'h': usage(stdout); exit(0);
		default: return -EINVAL;
		}
	}
	if (optind < argc || o->frames == 0)
		return -EINVAL;
	if (o->shot_after == 0 || o->shot_after > o->frames)
		o->shot_after = o->frames;
	return 0;
}

static int cleanup(struct server *s, int ret)
{
	int status;

	kms_output_close(s->kms);
	for (size_t i = 0; i < s->n_bufs; i++) {
		scanout_fb_destroy(&s->bufs[i].fb);
		la_import_destroy(s->bufs[i].render_imp);
		la_buffer_destroy(s->bufs[i].buf);
	}
	if (s->sock >= 0)
		close(s->sock);
	if (s->child > 0) {
		if (ret < 0)
			kill(s->child, SIGTERM);
		while (waitpid(s->child, &status, 0) < 0 && errno == EINTR)
			;
		if (ret == 0 && (!WIFEXITED(status) || WEXITSTATUS(status) != 0)) {
			fprintf(stderr, "server: the client failed\n");
			ret = -ECHILD;
		}
	}
	la_capset_destroy(s->sets[0]);
	la_capset_destroy(s->sets[1]);
	la_result_destroy(s->res);
	la_device_unref(s->render);
	la_device_unref(s->display);
	la_context_destroy(s->ctx);
	if (s->opt.check_leaks && fd_count() != s->opt.fds0) {
		fprintf(stderr, "server: leak: %d fds open at the start, %d at the end\n",
			s->opt.fds0, fd_count());
		return 4;
	}
	if (s->opt.check_leaks)
		printf("server: no fd left open\n");
	return ret < 0 ? 1 : s->status;
}

int main(int argc, char **argv)
{
	struct server s = {.sock = -1, .shown = -1, .pending = -1, .ready = -1};
	struct sigaction sa = {.sa_handler = on_signal};
	struct la_assertion as = {.formats = formats, .n_formats = 1,
				  .buffer_count = PROTO_BUFFERS};
	char err[4096];
	int ret;

	if (parse(argc, argv, &s.opt) < 0) {
		usage(stderr);
		return 2;
	}
	s.opt.fds0 = fd_count();
	setvbuf(stdout, NULL, _IOLBF, 0);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	as.width = s.opt.width;
	as.height = s.opt.height;
	ret = la_context_new(&s.ctx);
	if (ret == 0 && ((ret = find_devices(&s, &as, err, sizeof(err))) < 0 ||
			 (ret = negotiate(&s, &as, err, sizeof(err))) < 0 ||
			 (ret = kms_output_open(la_device_get_fd(s.display), formats[0], &s.kms,
						err, sizeof(err))) < 0))
		fprintf(stderr, "server: %s\n", err);
	if (ret == 0)
		ret = s.opt.socket_path ? accept_client(&s) : spawn_client(&s, argv[0]);
	if (ret == 0)
		ret = send_sets(&s);
	if (ret == 0)
		ret = serve(&s);
	printf("server: %u frames shown%s\n", s.flips, stop ? " (interrupted)" : "");
	return cleanup(&s, ret);
}
