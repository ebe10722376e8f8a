/* SPDX-License-Identifier: MIT */
/*
 * GstLiballocAllocator and GstLiballocBufferPool on the host, driven by
 * the TEST DOUBLE backend (tests/unit/backend-test): the memories are
 * dma-buf memories of the pool's buffers, the video meta is the
 * descriptor's per plane, the pool's cap is kept, and a buffer lives as
 * long as its memory, whoever is unreferenced first. Fds are counted
 * around every case.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "gstliballocbufferpool.h"
#include "testdev.h"
#include "testlib.h"

#define FOURCC(a, b, c, d) ((uint32_t)(a) | (uint32_t)(b) << 8 | (uint32_t)(c) << 16 | (uint32_t)(d) << 24)
#define XR24 FOURCC('X', 'R', '2', '4')
#define NV12 FOURCC('N', 'V', '1', '2')
#define WIDTH 100
#define HEIGHT 50

/* A new allocator of max buffers of format (owning its own context and result). */
static GstLiballocAllocator *allocator(uint32_t format, guint max)
{
	struct la_context *ctx = NULL;
	struct la_device *disp = NULL;
	struct la_result *res = NULL;
	struct la_assertion as = {.width = WIDTH, .height = HEIGHT, .formats = &format,
				  .n_formats = 1};

	assert_int_equal(la_context_new(&ctx), 0);
	assert_int_equal(la_device_open(ctx, testdev_write("display", TESTDEV_DISPLAY), &disp), 0);
	struct la_request req = {disp, LA_USAGE_SCANOUT | LA_USAGE_CPU_WRITE};
	assert_int_equal(la_negotiate(ctx, &as, &req, 1, &res), 0);
	la_device_unref(disp);
	GstLiballocAllocator *alloc = gst_liballoc_allocator_new(ctx, res, max);
	assert_non_null(alloc);
	return alloc;
}

static struct la_pool_stats stats(GstLiballocAllocator *alloc)
{
	struct la_pool_stats st;

	gst_liballoc_allocator_get_stats(alloc, &st);
	return st;
}

static void test_memory_is_the_buffer(void **state)
{
	int fds = tl_fd_count();
	GstLiballocAllocator *alloc = allocator(XR24, 2);
	struct la_descriptor d;
	GstMapInfo map;
	void *p;

	(void)state;
	GstMemory *mem = gst_liballoc_allocator_alloc_memory(alloc, &d);
	assert_non_null(mem);
	assert_true(gst_is_dmabuf_memory(mem));
	assert_int_equal(gst_dmabuf_memory_get_fd(mem), d.planes[0].fd);
	assert_true(mem->size >= d.planes[0].offset + d.planes[0].size);
	struct la_buffer *buf = gst_liballoc_memory_get_buffer(mem);
	assert_non_null(buf);
	assert_int_equal(stats(alloc).outstanding, 1);

	/* what GStreamer writes through its map, liballoc reads through its own */
	assert_true(gst_memory_map(mem, &map, GST_MAP_WRITE));
	memset(map.data, 0x5a, d.planes[0].size);
	gst_memory_unmap(mem, &map);
	assert_int_equal(la_buffer_map(buf, 0, LA_MAP_READ, &p), 0);
	assert_int_equal(((uint8_t *)p)[d.planes[0].size - 1], 0x5a);
	assert_int_equal(la_buffer_unmap(buf, 0), 0);

	/* the memory's end gives the buffer back to the pool, kept idle */
	gst_memory_unref(mem);
	assert_int_equal(stats(alloc).outstanding, 0);
	assert_int_equal(stats(alloc).idle, 1);
	mem = gst_liballoc_allocator_alloc_memory(alloc, NULL);
	assert_int_equal(stats(alloc).reuses, 1);
	gst_memory_unref(mem);
	gst_object_unref(alloc);
	assert_int_equal(tl_fd_count(), fds);
}

static void test_cap(void **state)
{
	int fds = tl_fd_count();
	GstLiballocAllocator *alloc = allocator(XR24, 2);
	GstMemory *a = gst_liballoc_allocator_alloc_memory(alloc, NULL);
	GstMemory *b = gst_liballoc_allocator_alloc_memory(alloc, NULL);

	(void)state;
	assert_non_null(a);
	assert_non_null(b);
	assert_null(gst_liballoc_allocator_alloc_memory(alloc, NULL));
	assert_non_null(strstr(la_last_diagnosis(), "all 2 buffers (max_buffers) are acquired"));
	/* gst_allocator_alloc() is served from the pool too */
	gst_memory_unref(b);
	b = gst_allocator_alloc(GST_ALLOCATOR(alloc), 64, NULL);
	assert_non_null(b);
	assert_non_null(gst_liballoc_memory_get_buffer(b));
	gst_memory_unref(a);
	gst_memory_unref(b);
	gst_object_unref(alloc);
	assert_int_equal(tl_fd_count(), fds);
}

/* Memories outlive the allocator's last outside reference. */
static void test_lifetime(void **state)
{
	int fds = tl_fd_count();
	GstLiballocAllocator *alloc = allocator(XR24, 4);
	struct la_descriptor d;
	GstMemory *mem = gst_liballoc_allocator_alloc_memory(alloc, &d);
	GstMapInfo map;

	(void)state;
	gst_object_unref(alloc);
	assert_true(gst_memory_map(mem, &map, GST_MAP_READWRITE));
	map.data[0] = 1;
	gst_memory_unmap(mem, &map);
	assert_non_null(gst_liballoc_memory_get_buffer(mem));
	gst_memory_unref(mem);
	assert_int_equal(tl_fd_count(), fds);
}

static void test_pool_video_meta(void **state)
{
	int fds = tl_fd_count();
	GstLiballocAllocator *alloc = allocator(NV12, 4);
	GstVideoInfo info;
	GstBuffer *buf = NULL;
	struct la_descriptor d;

	(void)state;
	gst_video_info_set_format(&info, GST_VIDEO_FORMAT_NV12, WIDTH, HEIGHT);
	GstBufferPool *pool = gst_liballoc_buffer_pool_new(alloc, &info);
	GstCaps *caps = gst_video_info_to_caps(&info);
	GstStructure *cfg = gst_buffer_pool_get_config(pool);
	gst_buffer_pool_config_set_params(cfg, caps, (guint)info.size, 2, 4);
	assert_true(gst_buffer_pool_set_config(pool, cfg));
	assert_true(gst_buffer_pool_set_active(pool, TRUE));
	assert_int_equal(gst_buffer_pool_acquire_buffer(pool, &buf, NULL), GST_FLOW_OK);
	assert_true(gst_liballoc_allocator_get_descriptor(alloc, &d));
	assert_int_equal(d.plane_count, 2);

	GstVideoMeta *m = gst_buffer_get_video_meta(buf);
	assert_non_null(m);
	assert_int_equal(m->format, GST_VIDEO_FORMAT_NV12);
	assert_int_equal(m->width, WIDTH);
	assert_int_equal(m->height, HEIGHT);
	assert_int_equal(m->n_planes, 2);
	for (guint p = 0; p < 2; p++) {
		assert_int_equal(m->offset[p], d.planes[p].offset);
		assert_int_equal(m->stride[p], d.planes[p].pitch);
	}
	/* the display's NV12 pitch alignment (256), not GStreamer's default (100) */
	assert_int_equal(m->stride[0], 256);
	assert_int_equal(m->offset[1], 256 * HEIGHT);
	assert_int_equal(gst_buffer_n_memory(buf), 1);
	gst_buffer_unref(buf);

	/* another size is another negotiation: refused */
	GstVideoInfo other;
	gst_video_info_set_format(&other, GST_VIDEO_FORMAT_NV12, WIDTH * 2, HEIGHT);
	GstCaps *other_caps = gst_video_info_to_caps(&other);
	assert_true(gst_buffer_pool_set_active(pool, FALSE));
	cfg = gst_buffer_pool_get_config(pool);
	gst_buffer_pool_config_set_params(cfg, other_caps, (guint)other.size, 2, 4);
	assert_false(gst_buffer_pool_set_config(pool, cfg));
	gst_caps_unref(other_caps);
	gst_caps_unref(caps);
	gst_object_unref(pool);
	gst_object_unref(alloc);
	assert_int_equal(tl_fd_count(), fds);
}

/* Planes on two fds: the meta's offsets would depend on the memories' sizes. */
static void test_meta_two_fds_refused(void **state)
{
	struct la_descriptor d = {.format = NV12, .width = WIDTH, .height = HEIGHT,
				  .plane_count = 2,
				  .planes = {{.fd = 3, .pitch = 128, .size = 128 * HEIGHT},
					     {.fd = 4, .pitch = 128, .size = 128 * HEIGHT / 2}}};
	GstBuffer *buf = gst_buffer_new();
	gchar *why = NULL;

	(void)state;
	assert_false(gst_liballoc_buffer_add_video_meta(buf, &d, GST_VIDEO_FORMAT_NV12, &why));
	assert_non_null(why);
	assert_non_null(strstr(why, "more than one fd"));
	assert_null(gst_buffer_get_video_meta(buf));
	g_free(why);
	gst_buffer_unref(buf);
}

static int setup(void **state)
{
	(void)state;
	setenv("LIBALLOC_TEST_HEAPS", TESTDEV_HEAPS, 1);
	gst_init(NULL, NULL);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	testdev_cleanup();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_memory_is_the_buffer),
		cmocka_unit_test(test_cap),
		cmocka_unit_test(test_lifetime),
		cmocka_unit_test(test_pool_video_meta),
		cmocka_unit_test(test_meta_two_fds_refused),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
