/* SPDX-License-Identifier: MIT */
/*
 * The wlroots allocator on liballoc's TEST DOUBLE backend (a fake display
 * described in JSON, memfd buffers): what wlroots gets back (dma-buf
 * attributes, modifiers, CPU access), the pool behind the swapchain, and
 * the errors wlroots' log receives. The real display is the vm boot
 * 'wlroots'.
 */
#ifndef WLR_USE_UNSTABLE
#define WLR_USE_UNSTABLE
#endif
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <drm_fourcc.h>
#include <errno.h>
#include <fcntl.h>
#include <wlr/backend/interface.h>
#include <wlr/render/allocator.h>
#include <wlr/render/drm_format_set.h>
#include <wlr/render/interface.h>
#include <wlr/render/wlr_renderer.h>
#include <wlr/types/wlr_buffer.h>
#include <wlr/util/log.h>

#include <liballoc/liballoc.h>

#include "la-wlr-allocator.h"
#include "testdev.h"
#include "testlib.h"

/* ---- wlroots' log, captured ---- */
static char logbuf[65536];
static size_t loglen;

static void capture(enum wlr_log_importance imp, const char *fmt, va_list args)
{
	char line[4096];
	const char *text = line;

	vsnprintf(line, sizeof(line), fmt, args);
	/* wlr_log() puts "[file:line] " first */
	if (line[0] == '[' && strstr(line, "] "))
		text = strstr(line, "] ") + 2;
	if (loglen < sizeof(logbuf))
		loglen += (size_t)snprintf(logbuf + loglen, sizeof(logbuf) - loglen, "%s %s\n",
					   imp == WLR_ERROR ? "ERROR" : imp == WLR_INFO ? "INFO" : "DEBUG",
					   text);
	if (loglen > sizeof(logbuf) - 1)
		loglen = sizeof(logbuf) - 1;
}

static void log_reset(void)
{
	loglen = 0;
	logbuf[0] = '\0';
}

static void assert_logged(const char *text)
{
	if (!strstr(logbuf, text)) {
		print_error("not in wlroots' log: \"%s\"\nlog:\n%s\n", text, logbuf);
		fail();
	}
}

/* ---- a backend whose DRM fd is a fake device ---- */
struct fake_backend {
	struct wlr_backend base;
	int fd;
};

static int fake_get_drm_fd(struct wlr_backend *b)
{
	return ((struct fake_backend *)b)->fd;
}

static const struct wlr_backend_impl fake_impl = {.get_drm_fd = fake_get_drm_fd};

static void backend_open(struct fake_backend *b, const char *json)
{
	memset(b, 0, sizeof(*b));
	wlr_backend_init(&b->base, &fake_impl);
	b->fd = open(testdev_write("display", json), O_RDONLY | O_CLOEXEC);
	assert_true(b->fd >= 0);
}

static void backend_close(struct fake_backend *b)
{
	close(b->fd);
}

#define LINEAR_DISPLAY                                                                  \
	"{\"driver\": \"fake_display\", \"import_rule\": \"own-only\","                    \
	" \"candidates\": [{\"format\": \"XR24\", \"modifiers\": [0], \"pitch_align\": 256}]," \
	" \"own_path\": {\"rank\": 300, \"caching\": \"wc\"}}"
/* implicit only: 0x00ffffffffffffff */
#define IMPLICIT_DISPLAY                                                                \
	"{\"driver\": \"fake_tiler\", \"import_rule\": \"own-only\","                      \
	" \"candidates\": [{\"format\": \"XR24\", \"modifiers\": [72057594037927935]}],"    \
	" \"own_path\": {\"rank\": 300, \"caching\": \"wc\"}}"

static struct wlr_drm_format *fmt_new(uint32_t format, size_t n, const uint64_t *mods)
{
	struct wlr_drm_format *f = calloc(1, sizeof(*f) + (n ? n : 1) * sizeof(uint64_t));

	assert_non_null(f);
	f->format = format;
	f->len = f->capacity = n;
	memcpy(f->modifiers, mods, n * sizeof(uint64_t));
	return f;
}

static const uint64_t mod_invalid = DRM_FORMAT_MOD_INVALID;
static const uint64_t mod_linear = DRM_FORMAT_MOD_LINEAR;

/* INVALID from wlroots: LINEAR allowed too, and reported as LINEAR. */
static void test_linear_buffer(void **state)
{
	struct fake_backend b;
	struct wlr_drm_format *f = fmt_new(DRM_FORMAT_XRGB8888, 1, &mod_invalid);
	struct wlr_dmabuf_attributes d;
	void *data;
	uint32_t format;
	size_t stride;

	(void)state;
	int fds = tl_fd_count();
	backend_open(&b, LINEAR_DISPLAY);
	log_reset();
	struct wlr_allocator *a = la_wlr_allocator_create(&b.base, NULL);
	assert_non_null(a);
	assert_true(la_wlr_allocator_is(a));
	assert_int_equal(a->buffer_caps, WLR_BUFFER_CAP_DMABUF | WLR_BUFFER_CAP_DATA_PTR);

	struct wlr_buffer *wb = wlr_allocator_create_buffer(a, 100, 20, f);
	assert_non_null(wb);
	assert_int_equal(wb->width, 100);
	assert_true(wlr_buffer_get_dmabuf(wb, &d));
	assert_int_equal(d.format, DRM_FORMAT_XRGB8888);
	assert_true(d.modifier == DRM_FORMAT_MOD_LINEAR);
	assert_int_equal(d.n_planes, 1);
	assert_int_equal(d.stride[0], 512); /* 400 bytes, pitch_align 256 */
	assert_true(d.fd[0] >= 0);
	assert_logged("INFO liballoc: negotiated 100x20 for fake_display");
	assert_logged("asked XRGB8888, modifiers implicit,linear");
	assert_logged("chosen: XRGB8888 modifier linear");
	assert_logged("allocated buffer 1 on own:fake_display: 100x20, modifier linear");

	/* CPU access: what is written is read back, through another access */
	assert_true(wlr_buffer_begin_data_ptr_access(wb, WLR_BUFFER_DATA_PTR_ACCESS_WRITE,
						     &data, &format, &stride));
	assert_int_equal(format, DRM_FORMAT_XRGB8888);
	assert_int_equal(stride, 512);
	for (int y = 0; y < 20; y++)
		memset((uint8_t *)data + (size_t)y * stride, y + 1, 400);
	wlr_buffer_end_data_ptr_access(wb);
	assert_true(wlr_buffer_begin_data_ptr_access(wb, WLR_BUFFER_DATA_PTR_ACCESS_READ,
						     &data, &format, &stride));
	assert_int_equal(((uint8_t *)data)[19 * 512 + 399], 20);
	wlr_buffer_end_data_ptr_access(wb);

	/* the swapchain drops it and asks again: the pool's buffer comes back */
	wlr_buffer_drop(wb);
	log_reset();
	wb = wlr_allocator_create_buffer(a, 100, 20, f);
	assert_non_null(wb);
	assert_null(strstr(logbuf, "negotiated"));
	assert_null(strstr(logbuf, "allocated buffer"));
	assert_logged("DEBUG liballoc: buffer reused from the pool (1 reuses)");

	/* a buffer may outlive its allocator (and the liballoc context) */
	wlr_allocator_destroy(a);
	assert_true(wlr_buffer_get_dmabuf(wb, &d));
	wlr_buffer_drop(wb);
	assert_logged("pool done: 1 buffers allocated, 1 reuses");
	free(f);
	backend_close(&b);
	assert_int_equal(tl_fd_count(), fds);
}

/* A driver's implicit layout stays implicit: INVALID, never LINEAR. */
static void test_implicit_stays_implicit(void **state)
{
	struct fake_backend b;
	struct wlr_drm_format *f = fmt_new(DRM_FORMAT_XRGB8888, 1, &mod_invalid);
	struct wlr_drm_format *lin = fmt_new(DRM_FORMAT_XRGB8888, 1, &mod_linear);
	struct wlr_dmabuf_attributes d;

	(void)state;
	backend_open(&b, IMPLICIT_DISPLAY);
	struct wlr_allocator *a = la_wlr_allocator_create(&b.base, NULL);
	assert_non_null(a);
	struct wlr_buffer *wb = wlr_allocator_create_buffer(a, 64, 64, f);
	assert_non_null(wb);
	assert_true(wlr_buffer_get_dmabuf(wb, &d));
	assert_true(d.modifier == DRM_FORMAT_MOD_INVALID);
	wlr_buffer_drop(wb);

	/* wlroots allows LINEAR only: the implicit-only display has none */
	log_reset();
	assert_null(wlr_allocator_create_buffer(a, 64, 64, lin));
	assert_logged("ERROR liballoc: no 64x64 XRGB8888 buffer (modifiers linear) for "
		      "fake_tiler");
	wlr_allocator_destroy(a);
	free(f);
	free(lin);
	backend_close(&b);
}

/* A format the display cannot scan out: NULL, and wlroots' log says who refuses what. */
static void test_bad_format(void **state)
{
	struct fake_backend b;
	struct wlr_drm_format *f = fmt_new(DRM_FORMAT_NV12, 1, &mod_invalid);

	(void)state;
	backend_open(&b, LINEAR_DISPLAY);
	struct wlr_allocator *a = la_wlr_allocator_create(&b.base, NULL);
	assert_non_null(a);
	log_reset();
	assert_null(wlr_allocator_create_buffer(a, 64, 64, f));
	assert_logged("ERROR liballoc: no 64x64 NV12 buffer (modifiers implicit,linear) for "
		      "fake_display");
	assert_logged("offers only XRGB8888");
	/* and nothing is cached: the same request fails again, logged again */
	log_reset();
	assert_null(wlr_allocator_create_buffer(a, 64, 64, f));
	assert_logged("ERROR liballoc: no 64x64 NV12 buffer");
	/* sizes wlroots should never ask for, and an empty modifier list */
	log_reset();
	f->format = DRM_FORMAT_XRGB8888;
	assert_null(wlr_allocator_create_buffer(a, 0, 64, f));
	assert_logged("the size must be positive");
	f->len = 0;
	assert_null(wlr_allocator_create_buffer(a, 64, 64, f));
	assert_logged("wlroots allowed no modifier");
	wlr_allocator_destroy(a);
	free(f);
	backend_close(&b);
}

static void test_no_device(void **state)
{
	struct fake_backend b;

	(void)state;
	log_reset();
	assert_null(la_wlr_allocator_create(NULL, NULL));
	assert_logged("ERROR liballoc: neither the backend nor the renderer has a DRM device");
	assert_false(la_wlr_allocator_is(NULL));
	assert_int_equal(la_wlr_allocator_add_device(NULL, "/dev/null", LA_USAGE_SCANOUT), -EINVAL);

	/* a backend fd that no liballoc backend recognises */
	memset(&b, 0, sizeof(b));
	wlr_backend_init(&b.base, &fake_impl);
	b.fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	log_reset();
	assert_null(la_wlr_allocator_create(&b.base, NULL));
	assert_logged("ERROR liballoc: the scanout device (fd");
	close(b.fd);

	backend_open(&b, LINEAR_DISPLAY);
	struct wlr_allocator *a = la_wlr_allocator_create(&b.base, NULL);
	assert_non_null(a);
	assert_int_equal(la_wlr_allocator_add_device(a, NULL, LA_USAGE_SCANOUT), -EINVAL);
	assert_int_equal(la_wlr_allocator_add_device(a, "/dev/null", 0), -EINVAL);
	log_reset();
	assert_int_equal(la_wlr_allocator_add_device(a, "/nonexistent.testdev", LA_USAGE_SAMPLE),
			 -ENOENT);
	assert_logged("ERROR liballoc: cannot add /nonexistent.testdev");
	wlr_allocator_destroy(a);
	backend_close(&b);
}

/* ---- a renderer with a device of its own (a GPU renderer, as GLES2 is) ---- */
static int render_fd = -1;

static int fake_renderer_drm_fd(struct wlr_renderer *r)
{
	(void)r;
	return render_fd;
}

static const struct wlr_renderer_impl fake_renderer_impl = {.get_drm_fd = fake_renderer_drm_fd};

#define TILING_DISPLAY                                                                  \
	"{\"driver\": \"fake_display\", \"import_rule\": \"own-only\","                    \
	" \"candidates\": [{\"format\": \"XR24\", \"modifiers\": [72057594037927935, 0],"   \
	" \"pitch_align\": 256}], \"own_path\": {\"rank\": 300, \"caching\": \"wc\"}}"
#define GPU                                                                             \
	"{\"driver\": \"fake_gpu\", \"import_rule\": \"any\","                              \
	" \"candidates\": [{\"format\": \"XR24\", \"modifiers\": [72057594037927935, 0],"   \
	" \"pitch_align\": 64}], \"own_path\": {\"rank\": 200, \"caching\": \"wc\"}}"

/*
 * Display and GPU both offer implicit, but implicit layouts are not shared
 * between two devices: LINEAR, on the display's memory (the GPU imports
 * any), pitch for both; no CPU usage is asked since the GPU renders.
 */
static void test_render_device(void **state)
{
	struct fake_backend b;
	struct wlr_renderer r = {.impl = &fake_renderer_impl};
	struct wlr_drm_format *f = fmt_new(DRM_FORMAT_XRGB8888, 1, &mod_invalid);
	struct wlr_dmabuf_attributes d;

	(void)state;
	int fds = tl_fd_count();
	backend_open(&b, TILING_DISPLAY);
	render_fd = open(testdev_write("gpu", GPU), O_RDONLY | O_CLOEXEC);
	assert_true(render_fd >= 0);
	log_reset();
	struct wlr_allocator *a = la_wlr_allocator_create(&b.base, &r);
	assert_non_null(a);
	assert_logged("INFO liballoc: render device fake_gpu");
	struct wlr_buffer *wb = wlr_allocator_create_buffer(a, 100, 20, f);
	assert_non_null(wb);
	assert_logged("display.testdev) [scanout], fake_gpu (");
	assert_logged("gpu.testdev) [render]; asked XRGB8888, modifiers implicit,linear");
	assert_logged("chosen: XRGB8888 modifier linear");
	assert_logged("allocated buffer 1 on own:fake_display");
	assert_true(wlr_buffer_get_dmabuf(wb, &d));
	assert_true(d.modifier == DRM_FORMAT_MOD_LINEAR);
	assert_int_equal(d.stride[0], 512);
	wlr_buffer_drop(wb);
	wlr_allocator_destroy(a);
	free(f);
	close(render_fd);
	render_fd = -1;
	backend_close(&b);
	assert_int_equal(tl_fd_count(), fds);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_linear_buffer),
		cmocka_unit_test(test_implicit_stays_implicit),
		cmocka_unit_test(test_bad_format),
		cmocka_unit_test(test_render_device),
		cmocka_unit_test(test_no_device),
	};
	wlr_log_init(WLR_DEBUG, capture);
	return cmocka_run_group_tests(tests, NULL, testdev_teardown);
}
