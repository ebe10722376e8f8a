/* SPDX-License-Identifier: MIT */
/*
 * Fault injection through the real backends (see README.md): for one
 * allocation path, a scenario of public calls on devices opened once
 * (negotiate, allocate a set of 3, map, import into every device, export,
 * wrap the export, destroy) runs once unfaulted, once counting the calls
 * liballoc makes (M), then once for each N failing the Nth call
 * (faultinj.c). Each faulted run must fail cleanly (a negative errno and a
 * fresh diagnosis) or absorb the fault, leave no fd, dma-buf or ion_test
 * dma memory behind, and be followed by an unfaulted run that succeeds.
 *
 *   vm-faultinj PATH [--max-full K] [--samples S]
 *
 * PATH: drm-dumb:virtio_gpu (virtio_gpu scanout + vgem render),
 * dma-heap:system, udmabuf, ion:system, ion:dma, smaf (for vgem render),
 * v4l2-mmap:vivid:video0 (vivid capture), open (context, backends and
 * devices: virtio_gpu scanout, vgem render, vivid capture). Every N up to
 * K (default 200) is run, beyond that at most S more (default 100) spread
 * evenly up to M.
 */
#include <errno.h>
#include <execinfo.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <drm_fourcc.h>
#include <liballoc/liballoc.h>

#include "faultinj.h"
#include "result.h"
#include "testlib.h"
#include "vivid.h"
#include "vmtest.h"

#ifdef __SANITIZE_ADDRESS__
#include <sanitizer/asan_interface.h>
#endif

#define SET 3
#define MAX_DEVS 3

struct scenario {
	const char *path;
	char nodes[MAX_DEVS][64];
	uint64_t usage[MAX_DEVS];
	bool import[MAX_DEVS]; /* la_device_import into it */
	int n_devs;
	uint32_t format, width, height;
	bool dma_used; /* ion_test's dma heap counter applies */
	/* opened once, outside the faulted runs (path "open" faults these) */
	struct la_context *ctx;
	struct la_device *devs[MAX_DEVS];
};

struct outcome {
	int ret;              /* 0 or the first failing call's -errno */
	const char *step;     /* that call */
	char diag[1024];      /* la_last_diagnosis() right after it */
	bool fresh;           /* the diagnosis changed with the failing call */
};

struct sample {
	int fds;
	long dmabufs, dma_used;
};

static const struct scenario *cur_sc;
static long cur_n;

static void take(const struct scenario *sc, struct sample *s)
{
	s->fds = tl_fd_count();
	s->dmabufs = tl_dmabuf_count();
	s->dma_used = sc->dma_used ? tl_module_param_long("ion_test", "dma_used") : 0;
}

static bool same(const struct sample *a, const struct sample *b)
{
	return a->fds == b->fds && a->dmabufs == b->dmabufs && a->dma_used == b->dma_used;
}

/* ---- the scenario ---- */

/* Records the first failure of a step; true when ret < 0. */
static bool failed(struct outcome *o, const char *step, int ret, const char *before)
{
	if (ret >= 0 || o->ret < 0)
		return ret < 0;
	o->ret = ret;
	o->step = step;
	snprintf(o->diag, sizeof(o->diag), "%s", la_last_diagnosis());
	o->fresh = o->diag[0] && !strstr(o->diag, before);
	return true;
}

/*
 * Sets the thread's diagnosis to a unique marker (an unknown usage word)
 * before each step: a failure that diagnoses nothing leaves the marker, and
 * an earlier run's text cannot pass for this one's.
 */
static void mark(char *marker, size_t len)
{
	static unsigned k;
	uint64_t u;

	snprintf(marker, len, "faultinj-marker-%u", ++k);
	la_usage_parse(marker, &u);
}

/* Runs every call of the scenario, stops at the first failure and destroys
 * whatever was made. */
static void run_open(const struct scenario *sc, struct outcome *o, char *before, size_t blen);

static void run(const struct scenario *sc, struct outcome *o)
{
	struct la_request reqs[MAX_DEVS];
	struct la_result *res = NULL;
	struct la_buffer *bufs[SET] = {0};
	struct la_import *imps[SET][MAX_DEVS] = {{0}};
	struct la_assertion a = {.width = sc->width, .height = sc->height,
				 .formats = &sc->format, .n_formats = 1};
	char before[64];
	const size_t blen = sizeof(before);
	int d, i;

#define STEP(name, call) (mark(before, blen), failed(o, name, (call), before))

	memset(o, 0, sizeof(*o));
	o->step = "";
	if (strcmp(sc->path, "open") == 0) {
		run_open(sc, o, before, blen);
		return;
	}
	for (d = 0; d < sc->n_devs; d++)
		reqs[d] = (struct la_request){.device = sc->devs[d], .usage = sc->usage[d]};
	if (STEP("la_negotiate", la_negotiate(sc->ctx, &a, reqs, (size_t)sc->n_devs, &res)))
		goto out;
	if (strcmp(vm_best_path(res), sc->path) == 0) {
		if (STEP("la_allocate_set", la_allocate_set(res, bufs, SET)))
			goto out;
	} else {
		for (i = 0; i < SET; i++)
			if (STEP("la_allocate_with_path", la_allocate_with_path(res, sc->path, &bufs[i])))
				goto out;
	}
	for (i = 0; i < SET; i++) {
		void *map;
		struct la_descriptor desc;
		struct la_buffer *wrap = NULL;
		int ret;

		if (STEP("la_buffer_map", la_buffer_map(bufs[i], 0, LA_MAP_READ | LA_MAP_WRITE, &map)))
			goto out;
		((volatile uint8_t *)map)[0] = (uint8_t)i;
		if (STEP("la_buffer_unmap", la_buffer_unmap(bufs[i], 0)))
			goto out;
		for (d = 0; d < sc->n_devs; d++)
			if (sc->import[d] &&
			    STEP("la_device_import", la_device_import(sc->devs[d], sc->usage[d], bufs[i],
								      &imps[i][d])))
				goto out;
		if (STEP("la_buffer_export", la_buffer_export(bufs[i], &desc)))
			goto out;
		ret = STEP("la_buffer_from_descriptor",
			   la_buffer_from_descriptor(sc->ctx, &desc, &wrap));
		la_descriptor_close(&desc);
		if (!ret && STEP("la_buffer_map (wrapped)",
				 la_buffer_map(wrap, 0, LA_MAP_READ, &map)) == 0) {
			if (((volatile uint8_t *)map)[0] != (uint8_t)i)
				failed(o, "content of the wrapped export", -EIO, before);
			la_buffer_unmap(wrap, 0);
		}
		la_buffer_destroy(wrap);
		if (o->ret < 0)
			goto out;
	}
out:
	for (i = 0; i < SET; i++) {
		for (d = 0; d < sc->n_devs; d++)
			la_import_destroy(imps[i][d]);
		la_buffer_destroy(bufs[i]);
	}
	la_result_destroy(res);
}

/* Path "open": a context, every device (vgem, virtio_gpu, vivid), the
 * backends' count, capabilities of each, destroyed again: the loader and
 * the backends' device probing. */
static void run_open(const struct scenario *sc, struct outcome *o, char *before, size_t blen)
{
	struct la_context *ctx = NULL;
	struct la_device *devs[MAX_DEVS + 1] = {0};
	size_t n;
	int d;

	if (STEP("la_context_new", la_context_new(&ctx)))
		goto out;
	if (STEP("la_context_get_backend_count", la_context_get_backend_count(ctx, &n)))
		goto out;
	for (d = 0; d < sc->n_devs; d++) {
		struct la_capset *set = NULL;
		const uint32_t fmt = d == 2 ? DRM_FORMAT_YUYV : DRM_FORMAT_XRGB8888;
		struct la_assertion a = {.width = d == 2 ? 640 : 320, .height = d == 2 ? 480 : 240,
					 .formats = &fmt, .n_formats = 1};
		if (STEP("la_device_open", la_device_open(ctx, sc->nodes[d], &devs[d])))
			goto out;
		/* vgem's render capabilities load Mesa's GBM, some 0.25 s a run
		 * under TCG: drm-dumb:virtio_gpu negotiates them on a warm device */
		if (!(sc->usage[d] & LA_USAGE_RENDER) &&
		    STEP("la_device_get_capabilities",
			 la_device_get_capabilities(devs[d], sc->usage[d], &a, &set)))
			goto out;
		la_capset_destroy(set);
	}
out:
	for (d = 0; d < sc->n_devs; d++)
		la_device_unref(devs[d]);
	la_context_destroy(ctx);
#undef STEP
}

/* ---- devices ---- */

static bool drm_node(const char *driver, const char *kind, char *node)
{
	int fd = vm_open_drm(driver, kind, node, 64);

	if (fd < 0)
		return false;
	close(fd);
	return true;
}

static bool add_drm(struct scenario *sc, const char *driver, const char *kind, uint64_t usage)
{
	if (!drm_node(driver, kind, sc->nodes[sc->n_devs]))
		return false;
	sc->import[sc->n_devs] = true;
	sc->usage[sc->n_devs++] = usage;
	return true;
}

static bool add_vivid(struct scenario *sc)
{
	int fd = vm_open_v4l2("vivid", NULL, sc->nodes[sc->n_devs], 64);

	if (fd < 0)
		return false;
	close(fd);
	sc->import[sc->n_devs] = true;
	sc->usage[sc->n_devs++] = LA_USAGE_CAPTURE | LA_USAGE_CPU_READ;
	sc->format = DRM_FORMAT_YUYV;
	sc->width = 640; /* vivid keeps 4:3 sizes of its inputs */
	sc->height = 480;
	return true;
}

/* The scenario's devices, opened in a context that lives through every
 * run (path "open" makes its own in each run). */
static bool setup(const char *path, struct scenario *sc)
{
	const uint64_t scanout = LA_USAGE_SCANOUT | LA_USAGE_CPU_WRITE;
	const uint64_t render = LA_USAGE_RENDER | LA_USAGE_CPU_WRITE;
	bool ok;

	memset(sc, 0, sizeof(*sc));
	sc->path = path;
	sc->format = DRM_FORMAT_XRGB8888;
	sc->width = 320;
	sc->height = 240;
	sc->dma_used = strncmp(path, "ion:dma", 7) == 0;
	if (strcmp(path, "open") == 0)
		return add_drm(sc, "virtio_gpu", "card", scanout) &&
		       add_drm(sc, "vgem", "renderD", render) && add_vivid(sc);
	if (strcmp(path, "drm-dumb:virtio_gpu") == 0)
		ok = add_drm(sc, "virtio_gpu", "card", scanout) &&
		     add_drm(sc, "vgem", "renderD", render);
	else if (strncmp(path, "v4l2-mmap:", 10) == 0)
		ok = add_vivid(sc);
	else
		ok = add_drm(sc, "vgem", "renderD", render);
	if (!ok || la_context_new(&sc->ctx) < 0)
		return false;
	for (int d = 0; d < sc->n_devs; d++)
		if (la_device_open(sc->ctx, sc->nodes[d], &sc->devs[d]) < 0)
			return false;
	return true;
}

/* ---- a crash names the fault that caused it ---- */

static void describe_crash(void)
{
	static const char head[] = "crash while faulting call ";
	char buf[512];
	int n = snprintf(buf, sizeof(buf), "%s: N=%ld: %s\n", cur_sc ? cur_sc->path : "?", cur_n,
			 faultinj_last());

	if (write(1, head, sizeof(head) - 1) < 0 || write(1, buf, (size_t)n) < 0)
		return;
}

#ifndef __SANITIZE_ADDRESS__
static void on_crash(int sig)
{
	void *frames[32];

	describe_crash();
	backtrace_symbols_fd(frames, backtrace(frames, 32), 1);
	signal(sig, SIG_DFL);
	raise(sig);
}
#endif

static void catch_crashes(void)
{
#ifdef __SANITIZE_ADDRESS__
	__asan_set_death_callback(describe_crash);
#else
	void *warm[1];
	backtrace(warm, 1); /* loads libgcc_s now, not in the handler */
	int sigs[] = {SIGSEGV, SIGBUS, SIGABRT, SIGFPE, SIGILL};
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		signal(sigs[i], on_crash);
#endif
}

/* ---- the sweep ---- */

struct tally {
	long runs, clean, absorbed, undiagnosed, bad_errno, leaks, not_recovered;
	long by_kind[FI_KINDS];
	int shown;
};

static bool errno_like(int ret)
{
	return ret < 0 && ret >= -4095;
}

/* One faulted run at N; false once N is past the scenario's last call. */
static bool attempt(const struct scenario *sc, long n, struct tally *t)
{
	struct sample s0, s1;
	struct outcome o, again;
	char last[320];
	unsigned kind = 0;

	take(sc, &s0);
	cur_n = n;
	faultinj_arm(FI_ALL, n);
	run(sc, &o);
	faultinj_disarm();
	if (!faultinj_hit())
		return false;
	snprintf(last, sizeof(last), "%s", faultinj_last());
	kind = faultinj_last_kind();
	if (kind)
		t->by_kind[__builtin_ctz(kind)]++;
	t->runs++;
	take(sc, &s1);
	if (!same(&s0, &s1)) {
		t->leaks++;
		vm_note("%s: N=%ld %s: left fds %d -> %d, dma-bufs %ld -> %ld, dma_used %ld -> %ld",
			sc->path, n, last, s0.fds, s1.fds, s0.dmabufs, s1.dmabufs, s0.dma_used,
			s1.dma_used);
	}
	if (o.ret == 0) {
		t->absorbed++;
		return true;
	}
	if (!errno_like(o.ret)) {
		t->bad_errno++;
		vm_note("%s: N=%ld %s: %s returned %d", sc->path, n, last, o.step, o.ret);
	} else if (!o.fresh) {
		t->undiagnosed++;
		vm_note("%s: N=%ld %s: %s failed %d (%s) without a diagnosis of its own (\"%s\")",
			sc->path, n, last, o.step, o.ret, strerrorname_np(-o.ret), o.diag);
	} else {
		t->clean++;
		if (t->shown++ < 4)
			vm_note("%s: N=%ld %s -> %s: %d (%s): %s", sc->path, n, last, o.step, o.ret,
				strerrorname_np(-o.ret), o.diag);
	}
	run(sc, &again);
	if (again.ret < 0) {
		t->not_recovered++;
		vm_note("%s: N=%ld %s: the next unfaulted run failed: %s: %d: %s", sc->path, n,
			last, again.step, again.ret, again.diag);
	}
	return true;
}

/* Every N up to max_full, then at most samples more spread evenly up to m. */
static void sweep(const struct scenario *sc, long m, long max_full, long samples)
{
	struct tally t = {0};
	long n, done = 0;
	double t0 = tl_now();

	for (n = 1; n <= m && n <= max_full; n++, done++)
		if (!attempt(sc, n, &t))
			break;
	if (m > max_full) {
		if (samples > m - max_full)
			samples = m - max_full;
		for (long s = 1; s <= samples; s++) {
			long k = max_full + (m - max_full) * s / samples;
			if (attempt(sc, k, &t))
				done++;
		}
	}
	vm_note("%s: M=%ld calls; %ld Ns run (every N up to %ld%s) in %.1f s", sc->path, m, done,
		m < max_full ? m : max_full,
		m > max_full ? ", then evenly sampled" : "", tl_now() - t0);
	vm_note("%s: faults injected by kind: ioctl %ld, mmap %ld, open %ld, memfd_create %ld,"
		" dup %ld, heap %ld", sc->path, t.by_kind[0], t.by_kind[1], t.by_kind[2],
		t.by_kind[3], t.by_kind[4], t.by_kind[5]);
	vm_check(t.clean + t.absorbed == t.runs && t.leaks == 0 && t.not_recovered == 0,
		 "%s: %ld faulted runs: %ld failed cleanly, %ld absorbed, %ld undiagnosed,"
		 " %ld with a bad return, %ld leaked, %ld not followed by a good run", sc->path,
		 t.runs, t.clean, t.absorbed, t.undiagnosed, t.bad_errno, t.leaks, t.not_recovered);
}

int main(int argc, char **argv)
{
	struct scenario sc;
	struct outcome o;
	struct sample s0, s1;
	long m, max_full = 200, samples = 100;
	char counts[256];

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 2)
		vm_fatal("usage: vm-faultinj PATH [--max-full K] [--samples S]");
	for (int i = 2; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--max-full") == 0)
			max_full = atol(argv[i + 1]);
		else if (strcmp(argv[i], "--samples") == 0)
			samples = atol(argv[i + 1]);
		else
			vm_fatal("unknown option %s", argv[i]);
	}
	if (!setup(argv[1], &sc))
		vm_fatal("%s: the devices of the scenario are missing", argv[1]);
	cur_sc = &sc;
	catch_crashes();
	if (!faultinj_heap_wrapped())
		vm_note("malloc, calloc, realloc not wrapped in this build: no heap faults");

	/* warm: backends' probes fill the process-wide cache */
	run(&sc, &o);
	if (!vm_check(o.ret == 0, "%s: the unfaulted scenario runs (%s: %s)", sc.path, o.step,
		      o.diag))
		return vm_exit_status();
	take(&sc, &s0);
	faultinj_arm(FI_ALL, 0);
	run(&sc, &o);
	faultinj_disarm();
	take(&sc, &s1);
	m = faultinj_calls(FI_ALL);
	snprintf(counts, sizeof(counts), "ioctl %ld, mmap %ld, open %ld, memfd_create %ld, dup %ld,"
		 " heap %ld", faultinj_calls(FI_IOCTL), faultinj_calls(FI_MMAP),
		 faultinj_calls(FI_OPEN), faultinj_calls(FI_MEMFD), faultinj_calls(FI_DUP),
		 faultinj_calls(FI_MALLOC));
	if (!vm_check(o.ret == 0 && m > 0 && same(&s0, &s1),
		      "%s: counted run: %ld calls (%s); fds %d -> %d, dma-bufs %ld -> %ld", sc.path,
		      m, counts, s0.fds, s1.fds, s0.dmabufs, s1.dmabufs))
		return vm_exit_status();
	sweep(&sc, m, max_full, samples);
	for (int d = 0; d < sc.n_devs; d++)
		la_device_unref(sc.devs[d]);
	la_context_destroy(sc.ctx);
	return vm_exit_status();
}
