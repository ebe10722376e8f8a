/* SPDX-License-Identifier: MIT */
/*
 * Kernel-level faults met through the public liballoc API with the real
 * backends, in the test guest (see README.md in this folder):
 *
 *   faults vivid-busy       another fd streams the vivid device: liballoc's
 *                           allocation fails with a clear EBUSY, the device
 *                           works again once the stream stops
 *   faults vivid-unbind     vivid unbound (sysfs) under live buffers: calls
 *                           on the stale device fail cleanly, exported
 *                           buffers stay mappable or fail cleanly, fds return
 *                           to the baseline, the rebound device works
 *   faults unload MODULE PATH-PREFIX
 *                           rmmod refused while liballoc holds the module's
 *                           buffers or device, done once all is destroyed;
 *                           a new context then has no such path (clean error)
 *   faults hostile DEVICE MAGIC [COUNT]
 *                           COUNT (default 100000) malformed ioctls from two
 *                           threads as uid 65534, seeded (printed; replay with
 *                           LIBALLOC_FAULTS_SEED): every one returns (errno
 *                           counted); vm-run checks the kernel log
 */
#include <errno.h>
#include <fcntl.h>
#include <liballoc/liballoc.h>
#include <linux/videodev2.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <grp.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "ion.h"
#include "smaf.h"
#include "result.h"
#include "testlib.h"
#include "vivid.h"
#include "vmtest.h"

#define FMT_YUYV 0x56595559u /* 'Y','U','Y','V' */
#define FMT_R8   0x20203852u /* 'R','8',' ',' ' */
#define W 640
#define H 360

static bool write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n = -1;

	if (fd >= 0) {
		n = write(fd, text, strlen(text));
		close(fd);
	}
	return n == (ssize_t)strlen(text);
}

/* /dev/videoN of vivid instance 0's capture node, "" if none. */
static bool find_vivid(char *path, size_t len)
{
	int fd = vm_open_v4l2("vivid", "platform:vivid-000", path, len);

	if (fd < 0)
		return false;
	close(fd);
	return true;
}

/* Negotiates YUYV W x H for capture on dev; NULL (printed) on failure. */
static struct la_result *negotiate_capture(struct la_context *ctx, struct la_device *dev, int *ret)
{
	uint32_t f = FMT_YUYV;
	struct la_assertion a = {.width = W, .height = H, .formats = &f, .n_formats = 1};
	struct la_request r = {.device = dev, .usage = LA_USAGE_CAPTURE};
	struct la_result *res = NULL;

	*ret = la_negotiate(ctx, &a, &r, 1, &res);
	return res;
}

/* Name of the first path of res starting with prefix, or NULL. */
static const char *path_with_prefix(const struct la_result *res, const char *prefix)
{
	for (size_t i = 0; res && i < la_result_get_path_count(res); i++) {
		struct la_path_info info;
		if (la_result_get_path(res, i, &info) == 0 &&
		    strncmp(info.name, prefix, strlen(prefix)) == 0)
			return info.name;
	}
	return NULL;
}

static bool diagnosis_ok(int ret)
{
	const char *d = la_last_diagnosis();
	return ret < 0 && d && d[0];
}

/* ------------------------------------------------------------------ */

struct stream {
	int fd;
	void *maps[2];
	size_t lens[2];
};

static bool stream_start(const char *path, struct stream *s)
{
	struct v4l2_requestbuffers rb = {.count = 2, .type = V4L2_BUF_TYPE_VIDEO_CAPTURE,
					 .memory = V4L2_MEMORY_MMAP};
	int type = V4L2_BUF_TYPE_VIDEO_CAPTURE;

	memset(s, 0, sizeof(*s));
	s->fd = open(path, O_RDWR | O_CLOEXEC);
	if (!vm_check(s->fd >= 0, "other fd: open %s", path))
		return false;
	if (!vm_check(ioctl(s->fd, VIDIOC_REQBUFS, &rb) == 0 && rb.count >= 2,
		      "other fd: REQBUFS 2 MMAP (%s)", rb.count ? "ok" : strerror(errno)))
		return false;
	for (unsigned i = 0; i < 2; i++) {
		struct v4l2_buffer b = {.index = i, .type = rb.type, .memory = V4L2_MEMORY_MMAP};
		int ret = ioctl(s->fd, VIDIOC_QBUF, &b);
		if (!vm_check(ret == 0, "other fd: QBUF %u (%s)", i, ret ? strerror(errno) : "ok"))
			return false;
	}
	int ret = ioctl(s->fd, VIDIOC_STREAMON, &type);
	return vm_check(ret == 0, "other fd: STREAMON (%s)", ret ? strerror(errno) : "ok");
}

static void stream_stop(struct stream *s)
{
	struct v4l2_requestbuffers rb = {.count = 0, .type = V4L2_BUF_TYPE_VIDEO_CAPTURE,
					 .memory = V4L2_MEMORY_MMAP};
	int type = V4L2_BUF_TYPE_VIDEO_CAPTURE;

	if (s->fd < 0)
		return;
	ioctl(s->fd, VIDIOC_STREAMOFF, &type);
	ioctl(s->fd, VIDIOC_REQBUFS, &rb);
	close(s->fd);
	s->fd = -1;
}

static int vivid_busy(void)
{
	int base = tl_fd_count(), ret;
	char path[32];
	struct stream s = {.fd = -1};
	struct la_context *ctx = vm_context();
	struct la_device *dev = NULL;
	struct la_result *res = NULL;
	struct la_buffer *buf = NULL;
	const char *mmap_path;
	char name[96];

	if (!find_vivid(path, sizeof(path)))
		vm_fatal("no vivid capture node");
	if (!stream_start(path, &s))
		goto out;
	ret = la_device_open(ctx, path, &dev);
	if (!vm_check(ret == 0, "liballoc opens %s while another fd streams (%s)", path,
		      ret ? la_last_diagnosis() : "ok"))
		goto out;
	res = negotiate_capture(ctx, dev, &ret);
	vm_note("negotiation while busy: %d, %s", ret, res ? la_result_get_diagnosis(res) : "no result");
	mmap_path = path_with_prefix(res, "v4l2-mmap");
	if (!vm_check(mmap_path != NULL, "the device's own path is listed"))
		goto out;
	snprintf(name, sizeof(name), "%s", mmap_path);
	ret = la_allocate_with_path(res, name, &buf);
	vm_check(ret == -EBUSY && buf == NULL && strstr(la_last_diagnosis(), "busy"),
		 "%s refused while another fd streams: %d, %s", name, ret, la_last_diagnosis());
	la_buffer_destroy(buf);
	buf = NULL;

	stream_stop(&s);
	ret = la_allocate_with_path(res, name, &buf);
	vm_check(ret == 0, "%s allocates once the stream stopped (%s)", name,
		 ret ? la_last_diagnosis() : "ok");
out:
	stream_stop(&s);
	la_buffer_destroy(buf);
	la_result_destroy(res);
	la_device_unref(dev);
	la_context_destroy(ctx);
	vm_check_fds(base, "vivid-busy");
	return vm_exit_status();
}

/* ------------------------------------------------------------------ */

/* Maps fd, writes a mark, and reads it back through a second mapping. */
static bool map_fd_ok(int fd, size_t size, const char *what)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0), *q;
	bool ok;

	if (p == MAP_FAILED)
		return vm_check(false, "%s: mmap failed: %s", what, strerror(errno));
	((volatile uint8_t *)p)[size - 1] = 0x5a;
	munmap(p, size);
	q = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0);
	if (q == MAP_FAILED)
		return vm_check(false, "%s: second mmap failed: %s", what, strerror(errno));
	ok = ((volatile uint8_t *)q)[size - 1] == 0x5a;
	munmap(q, size);
	return vm_check(ok, "%s: still mappable, a write read back through a new mapping", what);
}

/* The refusal a device that left the system gives: its ioctl and ENODEV. */
static bool gone_diagnosis(int ret)
{
	const char *d = la_last_diagnosis();
	return ret == -ENODEV && d && strstr(d, "VIDIOC_CREATE_BUFS") &&
	       strstr(d, strerror(ENODEV));
}

static int vivid_unbind(void)
{
	int base = tl_fd_count(), ret;
	char path[32], name[96] = "";
	struct la_context *ctx = vm_context();
	struct la_device *dev = NULL;
	struct la_result *res = NULL;
	struct la_buffer *bufs[2] = {NULL, NULL}, *more = NULL;
	struct la_descriptor exported = {.plane_count = 0};
	struct la_capset *set = NULL;
	const char *p;
	void *data;
	bool unbound = false;

	if (!find_vivid(path, sizeof(path)))
		vm_fatal("no vivid capture node");
	if (la_device_open(ctx, path, &dev) < 0)
		vm_fatal("open %s: %s", path, la_last_diagnosis());
	res = negotiate_capture(ctx, dev, &ret);
	p = path_with_prefix(res, "v4l2-mmap");
	if (!vm_check(p != NULL, "negotiated; the device's own path is listed (%d)", ret))
		goto out;
	snprintf(name, sizeof(name), "%s", p);
	for (int i = 0; i < 2; i++) {
		ret = la_allocate_with_path(res, name, &bufs[i]);
		if (!vm_check(ret == 0, "%s buffer %d (%s)", name, i, ret ? la_last_diagnosis() : "ok"))
			goto out;
	}
	if (!vm_check(la_buffer_export(bufs[1], &exported) == 0, "buffer 1 exported"))
		goto out;

	unbound = write_file("/sys/bus/platform/drivers/vivid/unbind", "vivid.0");
	vm_check(unbound, "vivid.0 unbound with live buffers (%s)", unbound ? "ok" : strerror(errno));
	if (!unbound)
		goto out;
	vm_check(access(path, F_OK) != 0, "%s is gone", path);

	uint32_t f = FMT_YUYV;
	struct la_assertion a = {.width = W, .height = H, .formats = &f, .n_formats = 1};
	ret = la_device_get_capabilities(dev, LA_USAGE_CAPTURE, &a, &set);
	vm_check(set == NULL && gone_diagnosis(ret), "stale device: get_capabilities -ENODEV: %d, %s",
		 ret, ret ? la_last_diagnosis() : "answered");
	la_capset_destroy(set);
	ret = la_allocate_with_path(res, name, &more);
	vm_check(gone_diagnosis(ret) && more == NULL, "stale device: allocation -ENODEV: %d, %s",
		 ret, la_last_diagnosis());
	struct la_result *res2 = negotiate_capture(ctx, dev, &ret);
	vm_check(res2 == NULL && gone_diagnosis(ret), "stale device: negotiation -ENODEV: %d, %s",
		 ret, ret ? la_last_diagnosis() : "ok");
	la_result_destroy(res2);
	/* the buffer's memory outlives the device that allocated it */
	ret = la_buffer_map(bufs[0], 0, LA_MAP_READ | LA_MAP_WRITE, &data);
	if (vm_check(ret == 0, "live buffer 0 still maps (%s)", ret ? la_last_diagnosis() : "ok")) {
		((volatile uint8_t *)data)[0] = 1;
		vm_check(((volatile uint8_t *)data)[0] == 1, "live buffer 0 written");
		la_buffer_unmap(bufs[0], 0);
	}
	map_fd_ok(exported.planes[0].fd, exported.planes[0].size, "exported buffer 1");
out:
	la_descriptor_close(&exported);
	la_buffer_destroy(more);
	la_buffer_destroy(bufs[0]);
	la_buffer_destroy(bufs[1]);
	la_result_destroy(res);
	la_device_unref(dev);
	la_context_destroy(ctx);
	vm_check_fds(base, "everything destroyed");
	if (unbound) {
		struct la_buffer *again = NULL;
		vm_check(write_file("/sys/bus/platform/drivers/vivid/bind", "vivid.0"),
			 "vivid.0 bound again");
		for (int i = 0; i < 50 && !find_vivid(path, sizeof(path)); i++)
			usleep(100 * 1000);
		ctx = vm_context();
		dev = NULL;
		res = NULL;
		if (vm_check(la_device_open(ctx, path, &dev) == 0, "rebound %s opens", path)) {
			res = negotiate_capture(ctx, dev, &ret);
			ret = res ? la_allocate_with_path(res, name, &again) : -1;
			vm_check(ret == 0, "rebound device allocates on %s (%s)", name,
				 ret ? la_last_diagnosis() : "ok");
		}
		la_buffer_destroy(again);
		la_result_destroy(res);
		la_device_unref(dev);
		la_context_destroy(ctx);
		vm_check_fds(base, "vivid-unbind");
	}
	return vm_exit_status();
}

/* ------------------------------------------------------------------ */

static int delete_module(const char *name)
{
	int ret = -1;

	/* fput() is deferred: give released files a moment */
	for (int i = 0; i < 20; i++) {
		ret = syscall(SYS_delete_module, name, O_NONBLOCK) ? -errno : 0;
		if (ret == 0 || i == 19)
			break;
		usleep(50 * 1000);
	}
	return ret;
}

static struct la_capset *cpu_set(void)
{
	struct la_capset_info info = {.label = "cpu", .driver = "cpu", .backend = "test",
				      .usage = LA_USAGE_CPU_WRITE, .import_rule = LA_IMPORT_ANY};
	struct la_candidate cand = {.format = FMT_R8, .modifier = 0};

	return vm_capset(&info, &cand, 1);
}

static int unload(const char *module, const char *prefix)
{
	int base = tl_fd_count(), ret;
	struct la_context *ctx = vm_context();
	struct la_capset *set = cpu_set();
	uint32_t f = FMT_R8;
	struct la_assertion a = {.width = 4096, .height = 16, .formats = &f, .n_formats = 1};
	struct la_result *res = NULL;
	struct la_buffer *buf = NULL;
	struct la_descriptor d = {.plane_count = 0};
	const char *p;
	char name[96] = "";

	ret = la_negotiate_capsets(ctx, &a, &set, 1, &res);
	p = path_with_prefix(res, prefix);
	if (!vm_check(p != NULL, "%s path listed (%d)", prefix, ret))
		goto out;
	snprintf(name, sizeof(name), "%s", p);
	ret = la_allocate_with_path(res, name, &buf);
	if (!vm_check(ret == 0, "%s: allocated (%s)", name, ret ? la_last_diagnosis() : "ok"))
		goto out;
	vm_check(la_buffer_export(buf, &d) == 0, "%s: exported", name);
	ret = delete_module(module);
	vm_check(ret == -EBUSY || ret == -EAGAIN, "rmmod %s refused with a live buffer: %s", module,
		 strerror(-ret));
	la_buffer_destroy(buf);
	buf = NULL;
	ret = delete_module(module);
	vm_check(ret == -EBUSY || ret == -EAGAIN,
		 "rmmod %s refused while an exported fd lives: %s", module, strerror(-ret));
	/* the exported fd still maps */
	map_fd_ok(d.planes[0].fd, d.planes[0].size, "exported buffer");
	la_descriptor_close(&d);
	la_result_destroy(res);
	res = NULL;
	la_context_destroy(ctx);
	ctx = NULL;
	ret = delete_module(module);
	vm_check(ret == 0, "rmmod %s once liballoc released everything (%s)", module,
		 ret ? strerror(-ret) : "ok");
	vm_check_fds(base, module);

	/* the module is gone: a new context simply has no such path */
	ctx = vm_context();
	ret = la_negotiate_capsets(ctx, &a, &set, 1, &res);
	vm_check(path_with_prefix(res, prefix) == NULL, "new context: no %s path (%d)", prefix, ret);
	ret = la_allocate_with_path(res, name, &buf);
	vm_check(ret == -ENOENT && diagnosis_ok(ret) && buf == NULL,
		 "new context: %s refused with -ENOENT: %d, %s", name, ret,
		 la_last_diagnosis());
out:
	la_descriptor_close(&d);
	la_buffer_destroy(buf);
	la_result_destroy(res);
	la_capset_destroy(set);
	la_context_destroy(ctx);
	vm_check_fds(base, "at the end");
	return vm_exit_status();
}

/* ------------------------------------------------------------------ */

/* The modules' real commands: half the ioctls use one, with a wrong size
 * or direction in some of them, so the fuzzing reaches past the command
 * dispatch into argument checking. */
static const unsigned long smaf_cmds[] = {SMAF_IOC_CREATE, SMAF_IOC_GET_SECURE_FLAG,
					  SMAF_IOC_SET_SECURE_FLAG, SMAF_IOC_GET_INFO,
					  SMAF_IOC_GET_BUFFER_INFO};
static const unsigned long ion_cmds[] = {ION_IOC_LEGACY_ALLOC, ION_IOC_FREE, ION_IOC_MAP,
					 ION_IOC_SHARE, ION_IOC_IMPORT, ION_IOC_CUSTOM,
					 ION_IOC_SYNC, ION_IOC_HEAP_QUERY, ION_IOC_NEW_ALLOC};

struct hostile {
	int fd;
	unsigned magic;
	const unsigned long *cmds;
	unsigned n_cmds;
	unsigned count;
	unsigned seed;
	unsigned ok, faults, enotty, einval, other;
	uint8_t *page_end; /* last bytes before a PROT_NONE page */
};

static uint32_t rnd(unsigned *s)
{
	*s = *s * 1103515245u + 12345u;
	return *s >> 8;
}

static void *hostile_thread(void *data)
{
	struct hostile *h = data;
	static const unsigned sizes[] = {0, 1, 4, 7, 8, 16, 24, 32, 48, 64, 96, 128, 255, 256,
					 512, 4095, 16383};
	uint64_t buf[2048];

	for (unsigned i = 0; i < h->count; i++) {
		unsigned size = sizes[rnd(&h->seed) % (sizeof(sizes) / sizeof(sizes[0]))];
		unsigned dir = rnd(&h->seed) % 4;
		unsigned nr = rnd(&h->seed) % 16;
		unsigned type = rnd(&h->seed) % 16 ? h->magic : rnd(&h->seed) & 0xff;
		unsigned long cmd = _IOC(dir, type, nr, size);
		void *arg = buf;

		if (rnd(&h->seed) % 2) {
			cmd = h->cmds[rnd(&h->seed) % h->n_cmds];
			size = _IOC_SIZE(cmd);
			if (rnd(&h->seed) % 8 == 0) /* truncated or oversized struct */
				cmd = _IOC(_IOC_DIR(cmd), _IOC_TYPE(cmd), _IOC_NR(cmd),
					   sizes[rnd(&h->seed) % (sizeof(sizes) / sizeof(sizes[0]))]);
		}

		/* mostly zero with a few small or wild fields: reaches the
		 * checks past "all zero", huge lengths, bad fds and handles */
		memset(buf, 0, sizeof(buf));
		for (unsigned k = rnd(&h->seed) % 6; k > 0; k--) {
			unsigned off = rnd(&h->seed) % 64;
			uint32_t v;
			switch (rnd(&h->seed) % 5) {
			case 0: v = rnd(&h->seed) % 8; break;
			case 1: v = 1u << (rnd(&h->seed) % 32); break;
			case 2: v = 0xffffffffu - rnd(&h->seed) % 4; break;
			case 3: v = 4096u << (rnd(&h->seed) % 20); break;
			default: v = rnd(&h->seed) | (rnd(&h->seed) << 24); break;
			}
			((uint32_t *)buf)[off] = v;
		}
		switch (rnd(&h->seed) % 20) {
		case 0: arg = NULL; break;
		case 1: arg = (void *)1; break;
		case 2: arg = (void *)0xffffffff81000000ul; break; /* kernel text */
		case 3: /* truncated: the struct runs into an unmapped page */
			arg = h->page_end + 4096 - (size ? rnd(&h->seed) % size + 1 : 1);
			break;
		default: break;
		}
		if (rnd(&h->seed) % 50 == 0)
			cmd = rnd(&h->seed) | ((unsigned long)rnd(&h->seed) << 24);
		errno = 0;
		int ret = ioctl(h->fd, cmd, arg);
		if (ret >= 0)
			h->ok++;
		else if (errno == EFAULT)
			h->faults++;
		else if (errno == ENOTTY)
			h->enotty++;
		else if (errno == EINVAL)
			h->einval++;
		else
			h->other++;
	}
	return NULL;
}

/* Closes every fd above `above` (dma-bufs the fuzzer happened to create). */
static void close_above(int above)
{
	for (int fd = above + 1; fd < 4096; fd++)
		close(fd);
}

/* A seed to print, or the one asked for to replay a run. */
static unsigned hostile_seed(void)
{
	const char *env = getenv("LIBALLOC_FAULTS_SEED");
	unsigned seed;

	if (env && env[0])
		return (unsigned)strtoul(env, NULL, 0);
	if (getrandom(&seed, sizeof(seed), 0) != sizeof(seed))
		seed = (unsigned)time(NULL) ^ (unsigned)getpid();
	return seed;
}

/* The calls come from a user without privileges, as an attacker's would. */
static void drop_privileges(void)
{
	if (geteuid() != 0)
		return;
	if (setgroups(0, NULL) != 0 || setresgid(65534, 65534, 65534) != 0 ||
	    setresuid(65534, 65534, 65534) != 0)
		vm_fatal("cannot become uid 65534: %s", strerror(errno));
	/* changing credentials made us non-dumpable; LeakSanitizer (the ASan
	 * run) must still be able to stop the process at exit */
	prctl(PR_SET_DUMPABLE, 1);
}

static int hostile(const char *path, const char *magic, unsigned count)
{
	struct hostile h[2];
	pthread_t th[2];
	unsigned seed = hostile_seed();
	int fd;

	drop_privileges();
	vm_note("seed %u, uid %u (replay: LIBALLOC_FAULTS_SEED=%u vm-faults hostile %s %s %u)",
		seed, (unsigned)getuid(), seed, path, magic, count);
	fd = open(path, O_RDWR | O_CLOEXEC);
	uint8_t *pages = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	unsigned total = 0, ok = 0, fault = 0, notty = 0, inval = 0, other = 0;

	if (fd < 0 || pages == MAP_FAILED)
		vm_fatal("open %s: %s", path, strerror(errno));
	mprotect(pages + 4096, 4096, PROT_NONE);
	/* rounds of 2 x 500 ioctls; fds made by chance are closed between */
	for (unsigned round = 0; total < count; round++) {
		for (int t = 0; t < 2; t++) {
			memset(&h[t], 0, sizeof(h[t]));
			h[t] = (struct hostile){.fd = fd, .magic = (unsigned char)magic[0], .count = 500,
						.seed = seed + round * 2 + t + 1, .page_end = pages};
			h[t].cmds = magic[0] == 'S' ? smaf_cmds : ion_cmds;
			h[t].n_cmds = magic[0] == 'S' ? sizeof(smaf_cmds) / sizeof(smaf_cmds[0])
						      : sizeof(ion_cmds) / sizeof(ion_cmds[0]);
			pthread_create(&th[t], NULL, hostile_thread, &h[t]);
		}
		for (int t = 0; t < 2; t++) {
			pthread_join(th[t], NULL);
			total += h[t].count;
			ok += h[t].ok;
			fault += h[t].faults;
			notty += h[t].enotty;
			inval += h[t].einval;
			other += h[t].other;
		}
		close_above(fd);
	}
	/* every call came back (we are here), each counted once, and the
	 * module refused garbage with the uapi's errnos, not by accident */
	vm_check(ok + fault + notty + inval + other == total && notty > 0 && inval > 0 &&
		 fault > 0 && ok < total / 2,
		 "%s: %u malformed ioctls returned: %u succeeded, %u EFAULT, %u ENOTTY, "
		 "%u EINVAL, %u other errno", path, total, ok, fault, notty, inval, other);
	/* the device still works for a well-formed client */
	close(fd);
	fd = open(path, O_RDWR | O_CLOEXEC);
	vm_check(fd >= 0, "%s opens again", path);
	if (fd >= 0)
		close(fd);
	munmap(pages, 8192);
	return vm_exit_status();
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc >= 2 && strcmp(argv[1], "vivid-busy") == 0)
		return vivid_busy();
	if (argc >= 2 && strcmp(argv[1], "vivid-unbind") == 0)
		return vivid_unbind();
	if (argc >= 4 && strcmp(argv[1], "unload") == 0)
		return unload(argv[2], argv[3]);
	if (argc >= 4 && strcmp(argv[1], "hostile") == 0)
		return hostile(argv[2], argv[3], argc > 4 ? (unsigned)atoi(argv[4]) : 100000);
	fprintf(stderr, "usage: faults vivid-busy | vivid-unbind | unload MODULE PREFIX | "
			"hostile DEVICE MAGIC [COUNT]\n");
	return 2;
}
