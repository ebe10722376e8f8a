/* SPDX-License-Identifier: MIT */
/*
 * compositor-client: the client half. It never sees the server's devices;
 * it gets their capability sets over the socket.
 *
 * 1. Offline negotiation (la_negotiate_capsets on the received sets)
 *    answers "which format, modifier and layout". Sets without a live
 *    device give no allocation path: something local must allocate.
 * 2. Where to allocate: the memory must come from where the most
 *    constrained consumer can use it. The sets carry each device's number
 *    (dev_t, like Wayland's dma-buf feedback "main device"), so the client
 *    opens that same device itself, strictest import rule first (a
 *    display that imports only its own buffers), and adds a live set for
 *    its own use (CPU writes). A path owned by that device then satisfies
 *    the display's rule; neutral heaps compete too when every rule allows.
 * 3. Allocate from a pool (la_pool) of exactly the buffers the server
 *    knows, export them, send them with SCM_RIGHTS once; then each frame
 *    takes a buffer from the pool, draws with the CPU inside la_buffer_map
 *    (DMA_BUF_IOCTL_SYNC) and names it to the server, and a buffer the
 *    server releases goes back to the pool.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <drm_fourcc.h>

#include "../common/fdcount.h"
#include "../common/find.h"
#include "protocol.h"

#define MAX_SETS 8

struct client {
	struct la_context *ctx;
	int sock;
	struct proto_hello hello;
	struct la_capset *sets[MAX_SETS + 1]; /* the server's, then our live one */
	size_t n_sets;
	struct la_device *local;
	struct la_result *res;
	struct la_pool *pool;
	struct la_buffer *bufs[PROTO_BUFFERS]; /* as the server knows them, by index */
	bool lent[PROTO_BUFFERS];              /* acquired from the pool */
};

static uint8_t msg[PROTO_MAX_PAYLOAD];

static int fail(struct client *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct client *c, const char *fmt, ...)
{
	char text[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	fprintf(stderr, "client: %s\n", text);
	if (c->sock >= 0)
		proto_send(c->sock, PROTO_ERROR, text, strlen(text), NULL, 0);
	return -1;
}

static int receive(struct client *c, uint32_t want, size_t *size)
{
	int fds[PROTO_MAX_FDS];
	size_t n_fds = 0;
	uint32_t type;
	int ret = proto_recv(c->sock, &type, msg, size, fds, &n_fds);

	for (size_t i = 0; i < n_fds; i++)
		close(fds[i]); /* the server sends none */
	if (ret == 0 && type == PROTO_ERROR)
		fprintf(stderr, "client: the server gave up: %.*s\n", (int)*size, (char *)msg);
	if (ret == 0 && type != want)
		ret = -EPROTO;
	return ret;
}

static int read_sets(struct client *c)
{
	size_t size;
	int ret = receive(c, PROTO_HELLO, &size);

	if (ret < 0 || size != sizeof(c->hello))
		return fail(c, "no hello from the server");
	memcpy(&c->hello, msg, sizeof(c->hello));
	if (c->hello.version != 1 || c->hello.n_sets == 0 || c->hello.n_sets > MAX_SETS ||
	    c->hello.n_formats == 0 || c->hello.n_formats > PROTO_MAX_FORMATS)
		return fail(c, "unsupported hello");
	for (uint32_t i = 0; i < c->hello.n_sets; i++) {
		struct la_capset_info info;
		if (receive(c, PROTO_CAPSET, &size) < 0)
			return fail(c, "capability set missing");
		if (la_capset_deserialize(msg, size, &c->sets[i]) < 0)
			return fail(c, "bad capability set: %s", la_last_diagnosis());
		c->n_sets++;
		la_capset_get_info(c->sets[i], &info);
		printf("client: received %s: %zu candidates, import rule %s\n", info.label,
		       la_capset_get_candidate_count(c->sets[i]), la_import_rule_name(info.import_rule));
	}
	return 0;
}

static struct la_assertion assertion(const struct client *c)
{
	return (struct la_assertion){.width = c->hello.width, .height = c->hello.height,
				     .formats = c->hello.formats,
				     .n_formats = c->hello.n_formats,
				     .buffer_count = PROTO_BUFFERS};
}

static int negotiate_offline(struct client *c)
{
	struct la_assertion as = assertion(c);
	struct la_result *res = NULL;
	struct la_candidate cand;
	char f[32];
	int ret = la_negotiate_capsets(c->ctx, &as, c->sets, c->n_sets, &res);

	if (ret < 0) {
		fail(c, "the server's devices share no buffer: %s",
		     res ? la_result_get_diagnosis(res) : la_last_diagnosis());
		la_result_destroy(res);
		return ret;
	}
	size_t matched = 0;
	for (size_t i = 0; i < la_result_get_path_count(res); i++) {
		struct la_path_info p;
		matched += la_result_get_path(res, i, &p) == 0 && p.matched;
	}
	la_result_get_candidate(res, (size_t)la_result_get_chosen_candidate(res), &cand);
	printf("client: offline negotiation: %s, modifier 0x%llx; %zu of %zu allocation paths "
	       "match (the server's devices are not live here: the client must allocate "
	       "somewhere itself)\n", la_format_name(cand.format, f, sizeof(f)),
	       (unsigned long long)cand.modifier, matched, la_result_get_path_count(res));
	la_result_destroy(res);
	return 0;
}

/* Strictest first: none/own-only, then contiguous, then any. */
static int strictness(const struct la_capset *set)
{
	struct la_capset_info info;
	la_capset_get_info(set, &info);
	return info.import_rule == LA_IMPORT_ANY ? 0 : info.import_rule == LA_IMPORT_CONTIGUOUS ? 1 : 2;
}

/* The client draws with the CPU: a path whose buffers it cannot map for
 * writing is no use to it, however well it ranks. */
static int writable(struct la_buffer *buf)
{
	void *p;
	int ret = la_buffer_map(buf, 0, LA_MAP_WRITE, &p);

	if (ret == 0)
		la_buffer_unmap(buf, 0);
	return ret;
}

static void free_bufs(struct client *c)
{
	/* the pool frees what it holds and leaves the lent buffers to us */
	la_pool_destroy(c->pool);
	c->pool = NULL;
	for (size_t i = 0; i < PROTO_BUFFERS; i++) {
		if (c->lent[i])
			la_buffer_destroy(c->bufs[i]);
		c->bufs[i] = NULL;
		c->lent[i] = false;
	}
}

/* The server's index of a buffer the pool lent. */
static int index_of(const struct client *c, const struct la_buffer *buf)
{
	for (int i = 0; i < PROTO_BUFFERS; i++)
		if (c->bufs[i] == buf)
			return i;
	return -1;
}

static int acquire_all(struct client *c, const char *path)
{
	struct la_pool_config cfg = {.max_buffers = PROTO_BUFFERS, .path = path};
	int ret = la_pool_new(c->res, &cfg, &c->pool);

	for (size_t i = 0; i < PROTO_BUFFERS && ret == 0; i++) {
		ret = la_pool_acquire(c->pool, &c->bufs[i]);
		c->lent[i] = ret == 0;
	}
	return ret;
}

/* Matched paths best first; the first whose buffers map for writing. */
static int allocate_mappable(struct client *c)
{
	for (size_t p = 0; p < la_result_get_path_count(c->res); p++) {
		struct la_path_info info;
		int ret = 0;
		if (la_result_get_path(c->res, p, &info) < 0 || !info.matched)
			continue;
		ret = acquire_all(c, info.name);
		if (ret == 0 && (ret = writable(c->bufs[0])) == 0)
			return 0;
		printf("client: path %s: %s; trying the next\n", info.name, la_last_diagnosis());
		free_bufs(c);
	}
	return -ENODEV;
}

static int try_device(struct client *c, struct la_device *dev)
{
	struct la_assertion as = assertion(c);
	struct la_capset *mine = NULL;
	int ret = la_device_get_capabilities(dev, LA_USAGE_CPU_WRITE, &as, &mine);

	if (ret < 0)
		return ret;
	c->sets[c->n_sets] = mine;
	ret = la_negotiate_capsets(c->ctx, &as, c->sets, c->n_sets + 1, &c->res);
	if (ret == 0)
		ret = allocate_mappable(c);
	if (ret < 0) {
		printf("client: allocating with %s: %s\n", la_device_get_label(dev),
		       c->res ? la_result_get_diagnosis(c->res) : la_last_diagnosis());
		la_result_destroy(c->res);
		c->res = NULL;
	}
	c->sets[c->n_sets] = NULL;
	la_capset_destroy(mine);
	return ret;
}

static int allocate(struct client *c)
{
	struct device_list list = {0};
	int ret = device_list_get(c->ctx, &list);

	for (int level = 2; ret == 0 && level >= 0 && !c->local; level--) {
		for (size_t s = 0; s < c->n_sets && !c->local; s++) {
			struct la_capset_info info;
			if (strictness(c->sets[s]) != level)
				continue;
			la_capset_get_info(c->sets[s], &info);
			for (size_t i = 0; i < list.n && !c->local; i++)
				if (la_device_get_devnum(list.devs[i]) == info.devnum &&
				    try_device(c, list.devs[i]) == 0)
					c->local = la_device_ref(list.devs[i]);
		}
	}
	device_list_free(&list);
	if (!c->local)
		return fail(c, "no device of the server's that this process can open could "
			       "allocate a shared buffer");
	return 0;
}

static void print_buffers(const struct client *c)
{
	struct la_descriptor d;
	char f[32];

	la_buffer_get_descriptor(c->bufs[0], &d);
	printf("client: opened %s itself; allocated %d x %s %ux%u pitch %llu with path %s\n",
	       la_device_get_label(c->local), PROTO_BUFFERS, la_format_name(d.format, f, sizeof(f)),
	       d.width, d.height, (unsigned long long)d.planes[0].pitch,
	       la_buffer_get_path(c->bufs[0]));
}

static int send_buffers(struct client *c)
{
	for (uint32_t i = 0; i < PROTO_BUFFERS; i++) {
		struct la_descriptor d;
		int fds[PROTO_MAX_FDS];
		size_t n_fds = PROTO_MAX_FDS, size;
		void *blob = NULL;
		int ret = la_buffer_export(c->bufs[i], &d);

		if (ret < 0)
			return fail(c, "export: %s", la_last_diagnosis());
		ret = la_descriptor_serialize(&d, &blob, &size, fds, &n_fds);
		if (ret == 0 && size + 4 > PROTO_MAX_PAYLOAD)
			ret = -EMSGSIZE;
		if (ret == 0) {
			memcpy(msg, &i, 4);
			memcpy(msg + 4, blob, size);
			ret = proto_send(c->sock, PROTO_BUFFER, msg, size + 4, fds, n_fds);
		}
		free(blob);
		la_descriptor_close(&d); /* the message carried the kernel's own references */
		if (ret < 0)
			return fail(c, "sending a buffer: %s", strerror(-ret));
	}
	/* known to the server: the frames take them from the pool */
	for (uint32_t i = 0; i < PROTO_BUFFERS; i++) {
		if (la_pool_release(c->pool, c->bufs[i]) < 0)
			return fail(c, "pool: %s", la_last_diagnosis());
		c->lent[i] = false;
	}
	return 0;
}

/*
 * Four quadrants (red, green, blue, white: exact in any RGB format) and a
 * grey square that moves along the middle row each frame, so that a
 * stuck frame would show.
 */
static int draw(struct client *c, uint32_t i, uint32_t frame)
{
	static const uint32_t quad[4] = {0xffff0000, 0xff00ff00, 0xff0000ff, 0xffffffff};
	struct la_descriptor d;
	uint8_t *p;
	void *map;
	int ret = la_buffer_map(c->bufs[i], 0, LA_MAP_WRITE, &map);

	if (ret < 0)
		return fail(c, "map: %s", la_last_diagnosis());
	la_buffer_get_descriptor(c->bufs[i], &d);
	p = map;
	uint32_t sq = d.height / 10, sx = (frame * 8) % (d.width - sq);
	for (uint32_t y = 0; y < d.height; y++) {
		uint32_t *row = (uint32_t *)(void *)(p + y * d.planes[0].pitch);
		for (uint32_t x = 0; x < d.width; x++) {
			bool in_sq = y >= d.height / 2 - sq / 2 && y < d.height / 2 + sq / 2 &&
				     x >= sx && x < sx + sq;
			row[x] = in_sq ? 0xff808080 : quad[(y >= d.height / 2) * 2 + (x >= d.width / 2)];
		}
	}
	la_buffer_unmap(c->bufs[i], 0);
	return 0;
}

/* One buffer the server is done with goes back to the pool. */
static int wait_release(struct client *c)
{
	size_t size;
	uint32_t r;

	if (receive(c, PROTO_RELEASE, &size) < 0 || size != 4)
		return fail(c, "the server stopped releasing buffers");
	memcpy(&r, msg, 4);
	if (r >= PROTO_BUFFERS || !c->lent[r])
		return fail(c, "the server released buffer %u, which it does not hold", r);
	if (la_pool_release(c->pool, c->bufs[r]) < 0)
		return fail(c, "pool: %s", la_last_diagnosis());
	c->lent[r] = false;
	return 0;
}

/* The next buffer to draw in: from the pool, once the server gave one back. */
static int next_buffer(struct client *c, uint32_t *index)
{
	struct la_buffer *buf = NULL;
	int ret;

	while ((ret = la_pool_acquire(c->pool, &buf)) == -ENOBUFS)
		if (wait_release(c) < 0)
			return -1;
	if (ret < 0 || index_of(c, buf) < 0)
		return fail(c, "pool: %s", ret < 0 ? la_last_diagnosis() : "a buffer the server "
			    "does not know");
	*index = (uint32_t)index_of(c, buf);
	c->lent[*index] = true;
	return 0;
}

static int frames(struct client *c)
{
	struct la_descriptor d;
	char f[32];

	la_buffer_get_descriptor(c->bufs[0], &d);
	if (d.format != DRM_FORMAT_XRGB8888 && d.format != DRM_FORMAT_ARGB8888)
		return fail(c, "cannot draw %s", la_format_name(d.format, f, sizeof(f)));
	for (uint32_t n = 0; n < c->hello.frames; n++) {
		uint32_t i = 0;
		if (next_buffer(c, &i) < 0 || draw(c, i, n) < 0)
			return -1;
		if (proto_send_u32(c->sock, PROTO_FRAME, i) < 0)
			return fail(c, "the server went away");
	}
	proto_send(c->sock, PROTO_DONE, NULL, 0, NULL, 0); /* the server may be gone: fine */
	struct la_pool_stats st;
	la_pool_get_stats(c->pool, &st);
	printf("client: drew and sent %u frames; buffer pool: %llu allocated, %llu reuses\n",
	       c->hello.frames, (unsigned long long)st.allocations, (unsigned long long)st.reuses);
	return 0;
}

static int connect_to(const char *path)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	int s = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);

	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", path);
	if (s >= 0 && connect(s, (struct sockaddr *)&addr, sizeof(addr)) != 0) {
		close(s);
		s = -1;
	}
	return s;
}

int main(int argc, char **argv)
{
	struct client c = {.sock = -1};
	int ret = -1, fds0 = fd_count();

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 3 && strcmp(argv[1], "--fd") == 0)
		c.sock = atoi(argv[2]);
	else if (argc == 3 && strcmp(argv[1], "--socket") == 0)
		c.sock = connect_to(argv[2]);
	else {
		fprintf(stderr, "usage: compositor-client --socket PATH | --fd N\n");
		return 2;
	}
	if (c.sock < 0) {
		perror("client: socket");
		return 1;
	}
	if (la_context_new(&c.ctx) == 0 && read_sets(&c) == 0 && negotiate_offline(&c) == 0 &&
	    allocate(&c) == 0) {
		print_buffers(&c);
		ret = send_buffers(&c) == 0 && frames(&c) == 0 ? 0 : -1;
	}
	free_bufs(&c);
	la_result_destroy(c.res);
	for (size_t i = 0; i < c.n_sets; i++)
		la_capset_destroy(c.sets[i]);
	la_device_unref(c.local);
	la_context_destroy(c.ctx);
	/* Every buffer, device and fd released: only the socket is left. */
	if (fd_count() != fds0 + (strcmp(argv[1], "--socket") == 0)) {
		fprintf(stderr, "client: leak: %d fds at the start, %d before closing the socket\n",
			fds0, fd_count());
		ret = -1;
	}
	close(c.sock);
	return ret < 0 ? 1 : 0;
}
