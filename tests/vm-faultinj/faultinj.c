/* SPDX-License-Identifier: MIT */
/*
 * Wrappers of the calls liballoc makes that can fail: linked into the test
 * program itself, whose exported definitions come first in the dynamic
 * linker's search order, before libc and (in an ASan build) before
 * libasan. So every call from liballoc.so, from a dlopen'ed liballoc-*.so
 * and from libdrm lands here first, with __builtin_return_address(0) in the
 * real caller, and is forwarded to the next definition (libasan's or
 * libc's) unless it is the armed one. README.md says why not LD_PRELOAD.
 */
#undef _FILE_OFFSET_BITS /* this file defines open and open64, mmap and mmap64 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dlfcn.h>
#include <drm.h>
#include <drm_mode.h>
#include <linux/videodev2.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <unwind.h>

#include "faultinj.h"

/*
 * Not instrumented: in an ASan build the wrappers run before ASan's shadow
 * memory exists (its own initialisation allocates through dlsym).
 */
#define NOSAN __attribute__((no_sanitize("address", "undefined")))
#define EXPORT NOSAN __attribute__((visibility("default")))

int __open_2(const char *path, int flags);
int __open64_2(const char *path, int flags);
int __openat_2(int dirfd, const char *path, int flags);
int __openat64_2(int dirfd, const char *path, int flags);

static atomic_uint armed;     /* FI_ kinds counted */
static atomic_long counted;   /* calls of armed kinds since faultinj_arm */
static atomic_long target;    /* the call to fail, 0 none */
static atomic_long per_kind[FI_KINDS];
static atomic_bool hit;
static unsigned last_kind;
static char last[320];
/* set while the shim itself runs (dladdr, formatting): its own calls pass */
static _Thread_local int in_shim;

static const char *const kind_names[FI_KINDS] = {"ioctl", "mmap", "open", "memfd_create",
						 "dup", "malloc"};

NOSAN static int kind_index(unsigned kind)
{
	return __builtin_ctz(kind);
}

enum origin { OTHER, OURS, VIA }; /* VIA: libdrm, look at its caller */

NOSAN static enum origin module_of(const void *ip, char *who, size_t len)
{
	Dl_info info;
	const char *base;

	if (!dladdr(ip, &info) || !info.dli_fname)
		return OTHER;
	base = strrchr(info.dli_fname, '/');
	base = base ? base + 1 : info.dli_fname;
	if (strncmp(base, "libdrm.so", 9) == 0)
		return VIA;
	/* liballoc's loader dlopens its backends as /proc/self/fd/N (the
	 * module it opened and checked); nothing else here loads that way */
	if (strncmp(base, "liballoc.so", 11) != 0 &&
	    !(strncmp(base, "liballoc-", 9) == 0 && strstr(base, ".so")) &&
	    strncmp(info.dli_fname, "/proc/self/fd/", 14) != 0)
		return OTHER;
	if (strncmp(info.dli_fname, "/proc/self/fd/", 14) == 0) {
		char file[256];
		ssize_t n = readlink(info.dli_fname, file, sizeof(file) - 1);
		const char *slash;
		if (n > 0) {
			file[n] = '\0';
			slash = strrchr(file, '/');
			snprintf(who, len, "%s+0x%lx", slash ? slash + 1 : file,
				 (unsigned long)((uintptr_t)ip - (uintptr_t)info.dli_fbase));
			return OURS;
		}
	}
	snprintf(who, len, "%s+0x%lx", base,
		 (unsigned long)((uintptr_t)ip - (uintptr_t)info.dli_fbase));
	return OURS;
}

struct walk {
	uintptr_t ip[12];
	int n;
};

NOSAN static _Unwind_Reason_Code walk_frame(struct _Unwind_Context *c, void *data)
{
	struct walk *w = data;

	if (w->n == (int)(sizeof(w->ip) / sizeof(w->ip[0])))
		return _URC_END_OF_STACK;
	w->ip[w->n++] = _Unwind_GetIP(c);
	return _URC_NO_REASON;
}

/*
 * Whether liballoc made the call: its immediate caller is liballoc.so or a
 * backend, or (via_libdrm) it is libdrm called by one of those (the DRM
 * backend's ioctls go through libdrm; Mesa's calls of libdrm are not
 * counted). libdrm's callers are found by unwinding a few frames.
 */
NOSAN static bool attributed(const void *ra, bool via_libdrm, char *who, size_t len)
{
	Dl_info self, info;
	struct walk w = {.n = 0};
	const char *base;

	switch (module_of(ra, who, len)) {
	case OURS:
		return true;
	case OTHER:
		return false;
	case VIA:
		if (!via_libdrm)
			return false;
		break;
	}
	if (!dladdr((void *)attributed, &self))
		return false;
	_Unwind_Backtrace(walk_frame, &w);
	for (int i = 0; i < w.n; i++) {
		if (!dladdr((void *)(w.ip[i] - 1), &info) || !info.dli_fname)
			return false;
		base = strrchr(info.dli_fname, '/');
		base = base ? base + 1 : info.dli_fname;
		if (info.dli_fbase == self.dli_fbase || strncmp(base, "libdrm.so", 9) == 0)
			continue; /* the shim's frames, libdrm's */
		if (module_of((void *)(w.ip[i] - 1), who, len) != OURS)
			return false;
		snprintf(who + strlen(who), len - strlen(who), " via libdrm");
		return true;
	}
	return false;
}

/*
 * Whether to fail this call (errno then set to err); what describes the
 * call for faultinj_last(). in_shim also keeps the shim's own calls
 * (dladdr's, snprintf's) out of the count.
 */
static bool inject(unsigned kind, const void *ra, int err, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
NOSAN static bool inject(unsigned kind, const void *ra, int err, const char *fmt, ...)
{
	char who[160];
	bool fail = false;
	va_list ap;

	if (!(atomic_load_explicit(&armed, memory_order_relaxed) & kind) || in_shim)
		return false;
	in_shim = 1;
	/* libdrm's drmGetVersion() uses a failed allocation (a crash at the
	 * first try): only libdrm's system calls are failed, not its heap */
	if (attributed(ra, kind != FI_MALLOC, who, sizeof(who))) {
		atomic_fetch_add(&per_kind[kind_index(kind)], 1);
		if (atomic_fetch_add(&counted, 1) + 1 == atomic_load(&target)) {
			int n;
			va_start(ap, fmt);
			n = vsnprintf(last, sizeof(last), fmt, ap);
			va_end(ap);
			if (n >= 0 && (size_t)n < sizeof(last))
				snprintf(last + n, sizeof(last) - (size_t)n, " from %s: %s", who,
					 strerrorname_np(err));
			last_kind = kind;
			atomic_store(&hit, true);
			fail = true;
		}
	}
	in_shim = 0;
	if (fail)
		errno = err;
	return fail;
}

EXPORT void faultinj_arm(unsigned mask, long n)
{
	atomic_store(&armed, 0);
	atomic_store(&counted, 0);
	for (int i = 0; i < FI_KINDS; i++)
		atomic_store(&per_kind[i], 0);
	atomic_store(&hit, false);
	last[0] = '\0';
	atomic_store(&target, n);
	atomic_store(&armed, mask & FI_ALL);
}

EXPORT void faultinj_disarm(void)
{
	atomic_store(&armed, 0);
}

EXPORT long faultinj_calls(unsigned kind)
{
	return kind == FI_ALL ? atomic_load(&counted) : atomic_load(&per_kind[kind_index(kind)]);
}

EXPORT bool faultinj_hit(void)
{
	return atomic_load(&hit);
}

EXPORT unsigned faultinj_last_kind(void)
{
	return last_kind;
}

EXPORT const char *faultinj_last(void)
{
	return last;
}

EXPORT const char *faultinj_kind_name(unsigned kind)
{
	return kind && kind < FI_ALL ? kind_names[kind_index(kind)] : "all";
}

EXPORT bool faultinj_heap_wrapped(void)
{
	return true;
}

/* ---- the next definitions (libasan's or libc's) ---- */

/*
 * The heap's next definitions are named, never looked up: dlsym allocates
 * on its error path, and ASan's initialisation looks up symbols that are
 * missing, so a malloc that called dlsym would re-enter dlsym. Under ASan
 * they are ASan's (the memory must come from its allocator), otherwise
 * glibc's exported internal names.
 */
#ifdef __SANITIZE_ADDRESS__
#define HEAP(name) __interceptor_##name
#else
#define HEAP(name) __libc_##name
#endif
void *HEAP(malloc)(size_t size);
void *HEAP(calloc)(size_t n, size_t size);
void *HEAP(realloc)(void *p, size_t size);
void HEAP(free)(void *p);

NOSAN static void *next(const char *name)
{
	void *f = dlsym(RTLD_NEXT, name);

	if (!f) {
		static const char msg[] = "faultinj: no next definition\n";
		if (write(2, msg, sizeof(msg) - 1) < 0)
			_exit(127);
		_exit(127);
	}
	return f;
}

#define REAL(name) \
	static __typeof__(&name) real_##name; \
	if (!real_##name) \
		real_##name = (__typeof__(&name))next(#name)

/* ---- heap ---- */

EXPORT void *malloc(size_t size)
{
	if (inject(FI_MALLOC, __builtin_return_address(0), ENOMEM, "malloc(%zu)", size))
		return NULL;
	return HEAP(malloc)(size);
}

EXPORT void *calloc(size_t n, size_t size)
{
	if (inject(FI_MALLOC, __builtin_return_address(0), ENOMEM, "calloc(%zu, %zu)", n, size))
		return NULL;
	return HEAP(calloc)(n, size);
}

EXPORT void *realloc(void *p, size_t size)
{
	if (inject(FI_MALLOC, __builtin_return_address(0), ENOMEM, "realloc(%p, %zu)", p, size))
		return NULL;
	return HEAP(realloc)(p, size);
}

EXPORT void free(void *p)
{
	HEAP(free)(p);
}

/* strdup and strndup allocate inside libc, where the caller is libc: they
 * are failed here, with their caller's address. */
EXPORT char *strdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p;

	if (inject(FI_MALLOC, __builtin_return_address(0), ENOMEM, "strdup(\"%.40s\")", s))
		return NULL;
	p = HEAP(malloc)(n);
	return p ? memcpy(p, s, n) : NULL;
}

EXPORT char *strndup(const char *s, size_t n)
{
	size_t len = strnlen(s, n);
	char *p;

	if (inject(FI_MALLOC, __builtin_return_address(0), ENOMEM, "strndup(\"%.40s\", %zu)", s,
		   n))
		return NULL;
	p = HEAP(malloc)(len + 1);
	if (p) {
		memcpy(p, s, len);
		p[len] = '\0';
	}
	return p;
}

/* ---- system calls ---- */

/*
 * Release calls are neither counted nor failed: the kernel does not fail
 * them for a valid handle, and no caller can do anything but leak when
 * they fail (the destroy functions return nothing). VIDIOC_REQBUFS with
 * count 0 frees a V4L2 queue's buffers: the kernel refuses it only while
 * they are in use, a real state the tests of the V4L2 backend cover.
 */
NOSAN static bool release_ioctl(unsigned long req, const void *arg)
{
	return req == DRM_IOCTL_GEM_CLOSE || req == DRM_IOCTL_MODE_RMFB ||
	       req == DRM_IOCTL_MODE_DESTROY_DUMB ||
	       (req == VIDIOC_REQBUFS && arg &&
		((const struct v4l2_requestbuffers *)arg)->count == 0);
}

/* ioctl: EIO for odd call numbers, ENOMEM for even ones, so that both a
 * device error and an allocation failure reach every kind of caller. */
EXPORT int ioctl(int fd, unsigned long req, ...)
{
	va_list ap;
	void *arg;

	va_start(ap, req);
	arg = va_arg(ap, void *);
	va_end(ap);
	REAL(ioctl);
	if (!release_ioctl(req, arg) && inject(FI_IOCTL, __builtin_return_address(0),
		   atomic_load(&target) % 2 ? EIO : ENOMEM, "ioctl(fd %d, 0x%lx)", fd, req))
		return -1;
	return real_ioctl(fd, req, arg);
}

#define MMAP(name) \
	EXPORT void *name(void *addr, size_t len, int prot, int flags, int fd, off_t off) \
	{ \
		REAL(name); \
		if (inject(FI_MMAP, __builtin_return_address(0), ENOMEM, \
			   #name "(%zu bytes, fd %d, offset 0x%llx)", len, fd, \
			   (unsigned long long)off)) \
			return MAP_FAILED; \
		return real_##name(addr, len, prot, flags, fd, off); \
	}
MMAP(mmap)
MMAP(mmap64)

NOSAN static mode_t mode_arg(int flags, va_list ap)
{
	return (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE ? va_arg(ap, mode_t) : 0;
}

#define OPEN(name) \
	EXPORT int name(const char *path, int flags, ...) \
	{ \
		va_list ap; \
		mode_t mode; \
		va_start(ap, flags); \
		mode = mode_arg(flags, ap); \
		va_end(ap); \
		REAL(name); \
		if (inject(FI_OPEN, __builtin_return_address(0), EMFILE, #name "(\"%s\")", path)) \
			return -1; \
		return real_##name(path, flags, mode); \
	}
OPEN(open)
OPEN(open64)

#define OPENAT(name) \
	EXPORT int name(int dirfd, const char *path, int flags, ...) \
	{ \
		va_list ap; \
		mode_t mode; \
		va_start(ap, flags); \
		mode = mode_arg(flags, ap); \
		va_end(ap); \
		REAL(name); \
		if (inject(FI_OPEN, __builtin_return_address(0), EMFILE, #name "(\"%s\")", path)) \
			return -1; \
		return real_##name(dirfd, path, flags, mode); \
	}
OPENAT(openat)
OPENAT(openat64)

#define OPEN_2(name) \
	EXPORT int name(const char *path, int flags) \
	{ \
		REAL(name); \
		if (inject(FI_OPEN, __builtin_return_address(0), EMFILE, #name "(\"%s\")", path)) \
			return -1; \
		return real_##name(path, flags); \
	}
OPEN_2(__open_2)
OPEN_2(__open64_2)

#define OPENAT_2(name) \
	EXPORT int name(int dirfd, const char *path, int flags) \
	{ \
		REAL(name); \
		if (inject(FI_OPEN, __builtin_return_address(0), EMFILE, #name "(\"%s\")", path)) \
			return -1; \
		return real_##name(dirfd, path, flags); \
	}
OPENAT_2(__openat_2)
OPENAT_2(__openat64_2)

EXPORT int memfd_create(const char *name, unsigned int flags)
{
	REAL(memfd_create);
	if (inject(FI_MEMFD, __builtin_return_address(0), EMFILE, "memfd_create(\"%s\")", name))
		return -1;
	return real_memfd_create(name, flags);
}

EXPORT int dup(int fd)
{
	REAL(dup);
	if (inject(FI_DUP, __builtin_return_address(0), EMFILE, "dup(%d)", fd))
		return -1;
	return real_dup(fd);
}

EXPORT int dup2(int fd, int fd2)
{
	REAL(dup2);
	if (inject(FI_DUP, __builtin_return_address(0), EMFILE, "dup2(%d, %d)", fd, fd2))
		return -1;
	return real_dup2(fd, fd2);
}

EXPORT int dup3(int fd, int fd2, int flags)
{
	REAL(dup3);
	if (inject(FI_DUP, __builtin_return_address(0), EMFILE, "dup3(%d, %d)", fd, fd2))
		return -1;
	return real_dup3(fd, fd2, flags);
}

/* Only F_DUPFD and F_DUPFD_CLOEXEC are counted; the argument is forwarded
 * as a pointer-sized value whatever the command (as glibc reads it). */
#define FCNTL(name) \
	EXPORT int name(int fd, int cmd, ...) \
	{ \
		va_list ap; \
		void *arg; \
		va_start(ap, cmd); \
		arg = va_arg(ap, void *); \
		va_end(ap); \
		REAL(name); \
		if ((cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC) && \
		    inject(FI_DUP, __builtin_return_address(0), EMFILE, \
			   #name "(%d, %s)", fd, cmd == F_DUPFD ? "F_DUPFD" : "F_DUPFD_CLOEXEC")) \
			return -1; \
		return real_##name(fd, cmd, arg); \
	}
FCNTL(fcntl)
FCNTL(fcntl64)
