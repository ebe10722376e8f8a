/* SPDX-License-Identifier: MIT */
/*
 * Consumer fill-ins (liballoc/interop.h) with known answers: the values a
 * correct EGL, Vulkan, KMS, linux-dmabuf or GStreamer call gets for a
 * descriptor, written out by hand. fds are plain numbers here: nothing is
 * opened, as the fill-ins only copy them. When the real EGL or libdrm
 * headers are installed their constants are compared too.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>
#include <liballoc/interop.h>

#if defined(__has_include)
#if __has_include(<EGL/eglext.h>)
#define EGL_NO_X11 1
#include <EGL/egl.h>
#include <EGL/eglext.h>
#define HAVE_EGL 1
#endif
#if __has_include(<libdrm/drm_mode.h>) && __has_include(<libdrm/drm_fourcc.h>)
#include <libdrm/drm_fourcc.h>
#include <libdrm/drm_mode.h>
#define HAVE_DRM 1
#endif
#if __has_include(<vulkan/vulkan_core.h>)
#include <vulkan/vulkan_core.h>
#define HAVE_VULKAN 1
#endif
#endif

#define FOURCC(a, b, c, d) ((uint32_t)(a) | (uint32_t)(b) << 8 | (uint32_t)(c) << 16 | (uint32_t)(d) << 24)
#define NV12 FOURCC('N', 'V', '1', '2')
#define YU12 FOURCC('Y', 'U', '1', '2')
#define XR24 FOURCC('X', 'R', '2', '4')
#define YUYV FOURCC('Y', 'U', 'Y', 'V')
#define UYVY FOURCC('U', 'Y', 'V', 'Y')
#define AR24 FOURCC('A', 'R', '2', '4')
#define Y_TILED UINT64_C(0x0100000000000002) /* I915_FORMAT_MOD_Y_TILED */

/* 1920x1080 NV12, Y-tiled, both planes on fd 7: chroma after 1088 rows. */
static struct la_descriptor nv12_tiled(void)
{
	struct la_descriptor d = {
		.format = NV12, .modifier = Y_TILED, .width = 1920, .height = 1080,
		.plane_count = 2,
		.planes = { { 7, 0, 2048, 2048 * 1088 }, { 7, 2048 * 1088, 2048, 2048 * 544 },
			    { -1, 0, 0, 0 }, { -1, 0, 0, 0 } },
	};
	return d;
}

/* 640x480 YU12 (I420), linear, three planes on fd 9. */
static struct la_descriptor yu12_linear(void)
{
	struct la_descriptor d = {
		.format = YU12, .modifier = LA_MODIFIER_LINEAR, .width = 640, .height = 480,
		.plane_count = 3,
		.planes = { { 9, 0, 640, 307200 }, { 9, 307200, 320, 76800 },
			    { 9, 384000, 320, 76800 }, { -1, 0, 0, 0 } },
	};
	return d;
}

/* 64x32 XRGB8888, linear, fd 5. */
static struct la_descriptor xrgb_linear(void)
{
	struct la_descriptor d = {
		.format = XR24, .modifier = LA_MODIFIER_LINEAR, .width = 64, .height = 32,
		.plane_count = 1,
		.planes = { { 5, 0, 256, 8192 }, { -1, 0, 0, 0 }, { -1, 0, 0, 0 }, { -1, 0, 0, 0 } },
	};
	return d;
}

/* Field by field: the structs have padding. */
static void assert_desc_equal(const struct la_descriptor *a, const struct la_descriptor *b)
{
	assert_int_equal(a->format, b->format);
	assert_true(a->modifier == b->modifier);
	assert_int_equal(a->width, b->width);
	assert_int_equal(a->height, b->height);
	assert_int_equal(a->plane_count, b->plane_count);
	assert_int_equal(a->flags, b->flags);
	for (int p = 0; p < LA_MAX_PLANES; p++) {
		assert_int_equal(a->planes[p].fd, b->planes[p].fd);
		assert_int_equal(a->planes[p].offset, b->planes[p].offset);
		assert_int_equal(a->planes[p].pitch, b->planes[p].pitch);
		assert_int_equal(a->planes[p].size, b->planes[p].size);
	}
}

static void test_upstream_values(void **state)
{
	(void)state;
	/* The values the extension specifications and uapi headers give. */
	assert_int_equal(LA_EGL_NONE, 0x3038);
	assert_int_equal(LA_EGL_WIDTH, 0x3057);
	assert_int_equal(LA_EGL_HEIGHT, 0x3056);
	assert_int_equal(LA_EGL_LINUX_DMA_BUF_EXT, 0x3270);
	assert_int_equal(LA_EGL_LINUX_DRM_FOURCC_EXT, 0x3271);
	assert_int_equal(LA_EGL_DMA_BUF_PLANE0_FD_EXT, 0x3272);
	assert_int_equal(LA_EGL_DMA_BUF_PLANE2_PITCH_EXT, 0x327A);
	assert_int_equal(LA_EGL_DMA_BUF_PLANE3_FD_EXT, 0x3440);
	assert_int_equal(LA_EGL_DMA_BUF_PLANE0_MODIFIER_LO_EXT, 0x3443);
	assert_int_equal(LA_EGL_DMA_BUF_PLANE3_MODIFIER_HI_EXT, 0x344A);
	assert_int_equal(LA_VK_EXTERNAL_MEMORY_HANDLE_TYPE_DMA_BUF_BIT_EXT, 0x200);
	assert_int_equal(LA_VK_IMAGE_TILING_DRM_FORMAT_MODIFIER_EXT, 1000158000);
	assert_int_equal(LA_DRM_MODE_FB_MODIFIERS, 2);
	assert_int_equal(LA_EGL_PROTECTED_CONTENT_EXT, 0x32C0);
	assert_true(LA_MODIFIER_IMPLICIT == UINT64_C(0x00ffffffffffffff));
#ifdef HAVE_EGL
	assert_int_equal(LA_EGL_NONE, EGL_NONE);
	assert_int_equal(LA_EGL_WIDTH, EGL_WIDTH);
	assert_int_equal(LA_EGL_HEIGHT, EGL_HEIGHT);
	assert_int_equal(LA_EGL_LINUX_DMA_BUF_EXT, EGL_LINUX_DMA_BUF_EXT);
	assert_int_equal(LA_EGL_LINUX_DRM_FOURCC_EXT, EGL_LINUX_DRM_FOURCC_EXT);
	assert_int_equal(LA_EGL_PROTECTED_CONTENT_EXT, EGL_PROTECTED_CONTENT_EXT);
	assert_int_equal(LA_EGL_TRUE, EGL_TRUE);
	const int ours[] = {
		LA_EGL_DMA_BUF_PLANE0_FD_EXT, LA_EGL_DMA_BUF_PLANE0_OFFSET_EXT,
		LA_EGL_DMA_BUF_PLANE0_PITCH_EXT, LA_EGL_DMA_BUF_PLANE1_FD_EXT,
		LA_EGL_DMA_BUF_PLANE1_OFFSET_EXT, LA_EGL_DMA_BUF_PLANE1_PITCH_EXT,
		LA_EGL_DMA_BUF_PLANE2_FD_EXT, LA_EGL_DMA_BUF_PLANE2_OFFSET_EXT,
		LA_EGL_DMA_BUF_PLANE2_PITCH_EXT, LA_EGL_DMA_BUF_PLANE3_FD_EXT,
		LA_EGL_DMA_BUF_PLANE3_OFFSET_EXT, LA_EGL_DMA_BUF_PLANE3_PITCH_EXT,
		LA_EGL_DMA_BUF_PLANE0_MODIFIER_LO_EXT, LA_EGL_DMA_BUF_PLANE0_MODIFIER_HI_EXT,
		LA_EGL_DMA_BUF_PLANE1_MODIFIER_LO_EXT, LA_EGL_DMA_BUF_PLANE1_MODIFIER_HI_EXT,
		LA_EGL_DMA_BUF_PLANE2_MODIFIER_LO_EXT, LA_EGL_DMA_BUF_PLANE2_MODIFIER_HI_EXT,
		LA_EGL_DMA_BUF_PLANE3_MODIFIER_LO_EXT, LA_EGL_DMA_BUF_PLANE3_MODIFIER_HI_EXT,
	};
	const int theirs[] = {
		EGL_DMA_BUF_PLANE0_FD_EXT, EGL_DMA_BUF_PLANE0_OFFSET_EXT,
		EGL_DMA_BUF_PLANE0_PITCH_EXT, EGL_DMA_BUF_PLANE1_FD_EXT,
		EGL_DMA_BUF_PLANE1_OFFSET_EXT, EGL_DMA_BUF_PLANE1_PITCH_EXT,
		EGL_DMA_BUF_PLANE2_FD_EXT, EGL_DMA_BUF_PLANE2_OFFSET_EXT,
		EGL_DMA_BUF_PLANE2_PITCH_EXT, EGL_DMA_BUF_PLANE3_FD_EXT,
		EGL_DMA_BUF_PLANE3_OFFSET_EXT, EGL_DMA_BUF_PLANE3_PITCH_EXT,
		EGL_DMA_BUF_PLANE0_MODIFIER_LO_EXT, EGL_DMA_BUF_PLANE0_MODIFIER_HI_EXT,
		EGL_DMA_BUF_PLANE1_MODIFIER_LO_EXT, EGL_DMA_BUF_PLANE1_MODIFIER_HI_EXT,
		EGL_DMA_BUF_PLANE2_MODIFIER_LO_EXT, EGL_DMA_BUF_PLANE2_MODIFIER_HI_EXT,
		EGL_DMA_BUF_PLANE3_MODIFIER_LO_EXT, EGL_DMA_BUF_PLANE3_MODIFIER_HI_EXT,
	};
	for (size_t i = 0; i < sizeof(ours) / sizeof(ours[0]); i++)
		assert_int_equal(ours[i], theirs[i]);
#endif
#ifdef HAVE_VULKAN
	assert_int_equal(LA_VK_EXTERNAL_MEMORY_HANDLE_TYPE_DMA_BUF_BIT_EXT,
			 VK_EXTERNAL_MEMORY_HANDLE_TYPE_DMA_BUF_BIT_EXT);
	assert_int_equal(LA_VK_IMAGE_TILING_DRM_FORMAT_MODIFIER_EXT,
			 VK_IMAGE_TILING_DRM_FORMAT_MODIFIER_EXT);
	/* The mirror has VkSubresourceLayout's layout. */
	assert_int_equal(sizeof(struct la_vk_subresource_layout), sizeof(VkSubresourceLayout));
	assert_int_equal(offsetof(struct la_vk_subresource_layout, row_pitch),
			 offsetof(VkSubresourceLayout, rowPitch));
	assert_int_equal(offsetof(struct la_vk_subresource_layout, depth_pitch),
			 offsetof(VkSubresourceLayout, depthPitch));
#endif
#ifdef HAVE_DRM
	assert_int_equal(LA_DRM_MODE_FB_MODIFIERS, DRM_MODE_FB_MODIFIERS);
	assert_true(LA_MODIFIER_IMPLICIT == DRM_FORMAT_MOD_INVALID);
	assert_true(LA_MODIFIER_LINEAR == DRM_FORMAT_MOD_LINEAR);
	assert_true(Y_TILED == I915_FORMAT_MOD_Y_TILED);
#endif
}

static void test_modifier_split(void **state)
{
	uint32_t hi = 0, lo = 0;
	(void)state;

	la_modifier_split(UINT64_C(0x0100000000000002), &hi, &lo);
	assert_int_equal(hi, 0x01000000);
	assert_int_equal(lo, 0x00000002);
	la_modifier_split(LA_MODIFIER_IMPLICIT, &hi, &lo);
	assert_int_equal(hi, 0x00ffffff);
	assert_int_equal(lo, 0xffffffff);
	la_modifier_split(LA_MODIFIER_LINEAR, &hi, &lo);
	assert_int_equal(hi, 0);
	assert_int_equal(lo, 0);
	assert_true(la_modifier_join(0x01000000, 0x00000002) == UINT64_C(0x0100000000000002));
	assert_true(la_modifier_join(0x00ffffff, 0xffffffff) == LA_MODIFIER_IMPLICIT);
	la_modifier_split(1, NULL, NULL); /* NULL halves: nothing written, no crash */
}

static void test_egl_nv12_tiled(void **state)
{
	struct la_descriptor d = nv12_tiled();
	int32_t a[LA_EGL_DMABUF_ATTRIBS_MAX];
	size_t n = 0;
	const int32_t want[] = {
		0x3057, 1920, 0x3056, 1080, 0x3271, (int32_t)NV12,
		0x3272, 7, 0x3273, 0, 0x3274, 2048, 0x3443, 0x00000002, 0x3444, 0x01000000,
		0x3275, 7, 0x3276, 2228224, 0x3277, 2048, 0x3445, 0x00000002, 0x3446, 0x01000000,
		0x3038,
	};
	(void)state;

	assert_int_equal(la_egl_dmabuf_attribs(&d, a, LA_EGL_DMABUF_ATTRIBS_MAX, &n), 0);
	assert_int_equal(n, sizeof(want) / sizeof(want[0]));
	assert_memory_equal(a, want, sizeof(want));
}

static void test_egl_yu12_linear_and_implicit(void **state)
{
	struct la_descriptor d = yu12_linear();
	int32_t a[LA_EGL_DMABUF_ATTRIBS_MAX];
	size_t n = 0;
	const int32_t want[] = {
		0x3057, 640, 0x3056, 480, 0x3271, (int32_t)YU12,
		0x3272, 9, 0x3273, 0, 0x3274, 640, 0x3443, 0, 0x3444, 0,
		0x3275, 9, 0x3276, 307200, 0x3277, 320, 0x3445, 0, 0x3446, 0,
		0x3278, 9, 0x3279, 384000, 0x327A, 320, 0x3447, 0, 0x3448, 0,
		0x3038,
	};
	(void)state;

	/* LINEAR is an explicit modifier: EGL gets it as 0/0. */
	assert_int_equal(la_egl_dmabuf_attribs(&d, a, LA_EGL_DMABUF_ATTRIBS_MAX, &n), 0);
	assert_int_equal(n, 37);
	assert_memory_equal(a, want, sizeof(want));

	/* Implicit: no modifier attribute at all, never 0. */
	d = xrgb_linear();
	d.modifier = LA_MODIFIER_IMPLICIT;
	const int32_t implicit[] = {
		0x3057, 64, 0x3056, 32, 0x3271, (int32_t)XR24, 0x3272, 5, 0x3273, 0, 0x3274, 256,
		0x3038,
	};
	assert_int_equal(la_egl_dmabuf_attribs(&d, a, LA_EGL_DMABUF_ATTRIBS_MAX, &n), 0);
	assert_int_equal(n, 13);
	assert_memory_equal(a, implicit, sizeof(implicit));

	/* Protected: EGL_PROTECTED_CONTENT_EXT, EGL_TRUE before EGL_NONE. */
	d.flags = LA_BUFFER_PROTECTED;
	assert_int_equal(la_egl_dmabuf_attribs(&d, a, LA_EGL_DMABUF_ATTRIBS_MAX, &n), 0);
	assert_int_equal(n, 15);
	assert_memory_equal(a, implicit, 12 * sizeof(int32_t));
	assert_int_equal(a[12], 0x32C0);
	assert_int_equal(a[13], 1);
	assert_int_equal(a[14], 0x3038);

	/* The longest list: 4 planes, explicit modifier, protected. */
	d.plane_count = 4;
	d.modifier = Y_TILED;
	for (int p = 1; p < 4; p++)
		d.planes[p] = d.planes[0];
	assert_int_equal(la_egl_dmabuf_attribs(&d, a, LA_EGL_DMABUF_ATTRIBS_MAX, &n), 0);
	assert_int_equal(n, LA_EGL_DMABUF_ATTRIBS_MAX);
	assert_int_equal(a[6 + 30], 0x3440); /* plane 3 fd */
	assert_int_equal(a[6 + 38], 0x344A); /* plane 3 modifier hi */
	assert_int_equal(a[6 + 39], 0x01000000);
	assert_int_equal(a[6 + 40], 0x32C0);
}

static void test_egl_errors(void **state)
{
	struct la_descriptor d = nv12_tiled();
	int32_t a[LA_EGL_DMABUF_ATTRIBS_MAX];
	size_t n = 0;
	(void)state;

	/* One entry short: nothing written, the needed count returned. */
	memset(a, 0x5a, sizeof(a));
	assert_int_equal(la_egl_dmabuf_attribs(&d, a, 26, &n), -ENOSPC);
	assert_int_equal(n, 27);
	assert_int_equal(a[0], 0x5a5a5a5a);
	assert_non_null(strstr(la_last_diagnosis(), "27"));

	assert_int_equal(la_egl_dmabuf_attribs(NULL, a, 47, &n), -EINVAL);
	assert_int_equal(la_egl_dmabuf_attribs(&d, NULL, 47, &n), -EINVAL);
	assert_int_equal(la_egl_dmabuf_attribs(&d, a, 47, NULL), 0);

	d.planes[1].fd = -1;
	assert_int_equal(la_egl_dmabuf_attribs(&d, a, 47, &n), -EINVAL);
	d = nv12_tiled();
	d.plane_count = 5;
	assert_int_equal(la_egl_dmabuf_attribs(&d, a, 47, &n), -EINVAL);
	d.plane_count = 0;
	assert_int_equal(la_egl_dmabuf_attribs(&d, a, 47, &n), -EINVAL);
	d = nv12_tiled();
	d.planes[0].pitch = UINT64_C(0x80000000);
	assert_int_equal(la_egl_dmabuf_attribs(&d, a, 47, &n), -EOVERFLOW);
	assert_non_null(strstr(la_last_diagnosis(), "plane 0"));
}

static void test_vulkan(void **state)
{
	struct la_descriptor d = nv12_tiled();
	struct la_vk_dmabuf v;
	(void)state;

	assert_int_equal(la_vk_dmabuf_info(&d, &v), 0);
	assert_true(v.drm_format_modifier == Y_TILED);
	assert_int_equal(v.plane_count, 2);
	assert_int_equal(v.handle_type, 0x200);
	assert_int_equal(v.fd, 7);
	assert_int_equal(v.plane_layouts[0].offset, 0);
	assert_int_equal(v.plane_layouts[0].row_pitch, 2048);
	assert_int_equal(v.plane_layouts[1].offset, 2228224);
	assert_int_equal(v.plane_layouts[1].row_pitch, 2048);
	for (int p = 0; p < 4; p++) {
		assert_int_equal(v.plane_layouts[p].size, 0);
		assert_int_equal(v.plane_layouts[p].array_pitch, 0);
		assert_int_equal(v.plane_layouts[p].depth_pitch, 0);
	}
	assert_int_equal(v.plane_layouts[2].row_pitch, 0);

	/* Implicit: refused with the reason, *out untouched. */
	memset(&v, 0x5a, sizeof(v));
	d.modifier = LA_MODIFIER_IMPLICIT;
	assert_int_equal(la_vk_dmabuf_info(&d, &v), -ENOTSUP);
	assert_non_null(strstr(la_last_diagnosis(), "implicit"));
	assert_int_equal(v.plane_count, 0x5a5a5a5a);

	/* Planes on two fds: a disjoint image, refused. */
	d = nv12_tiled();
	d.planes[1].fd = 8;
	assert_int_equal(la_vk_dmabuf_info(&d, &v), -ENOTSUP);
	assert_non_null(strstr(la_last_diagnosis(), "DISJOINT"));

	/* LINEAR is explicit and fine. */
	d = yu12_linear();
	assert_int_equal(la_vk_dmabuf_info(&d, &v), 0);
	assert_true(v.drm_format_modifier == 0);
	assert_int_equal(v.plane_count, 3);
	assert_int_equal(v.plane_layouts[2].offset, 384000);

	assert_int_equal(la_vk_dmabuf_info(NULL, &v), -EINVAL);
	assert_int_equal(la_vk_dmabuf_info(&d, NULL), -EINVAL);
}

static void test_kms(void **state)
{
	struct la_descriptor d = xrgb_linear();
	struct la_kms_fb2 f;
	const uint32_t h1[] = { 5 }, h2[] = { 11, 11 };
	(void)state;

	assert_int_equal(la_kms_fb2_args(&d, h1, 1, &f), 0);
	assert_int_equal(f.width, 64);
	assert_int_equal(f.height, 32);
	assert_int_equal(f.pixel_format, XR24);
	assert_int_equal(f.flags, LA_DRM_MODE_FB_MODIFIERS);
	assert_int_equal(f.handles[0], 5);
	assert_int_equal(f.pitches[0], 256);
	assert_int_equal(f.offsets[0], 0);
	assert_true(f.modifier[0] == 0);
	for (int p = 1; p < 4; p++) {
		assert_int_equal(f.handles[p], 0);
		assert_int_equal(f.pitches[p], 0);
		assert_int_equal(f.offsets[p], 0);
		assert_true(f.modifier[p] == 0);
	}

	d = nv12_tiled();
	assert_int_equal(la_kms_fb2_args(&d, h2, 2, &f), 0);
	assert_int_equal(f.flags, LA_DRM_MODE_FB_MODIFIERS);
	assert_int_equal(f.offsets[1], 2228224);
	assert_true(f.modifier[0] == Y_TILED && f.modifier[1] == Y_TILED);
	assert_true(f.modifier[2] == 0);

	/* Implicit: no DRM_MODE_FB_MODIFIERS, modifiers 0 (ADDFB2's "driver's own"). */
	d.modifier = LA_MODIFIER_IMPLICIT;
	assert_int_equal(la_kms_fb2_args(&d, h2, 2, &f), 0);
	assert_int_equal(f.flags, 0);
	assert_true(f.modifier[0] == 0 && f.modifier[1] == 0);

	assert_int_equal(la_kms_fb2_args(&d, h2, 1, &f), -EINVAL);
	const uint32_t hmix[] = { 11, 12 };
	assert_int_equal(la_kms_fb2_args(&d, hmix, 2, &f), -EINVAL);
	assert_non_null(strstr(la_last_diagnosis(), "share fd 7"));
	d.planes[1].fd = 8; /* two dma-bufs: two handles are right */
	assert_int_equal(la_kms_fb2_args(&d, hmix, 2, &f), 0);
	assert_int_equal(f.handles[1], 12);
	const uint32_t h0[] = { 11, 0 };
	assert_int_equal(la_kms_fb2_args(&d, h0, 2, &f), -EINVAL);
	assert_non_null(strstr(la_last_diagnosis(), "plane 1"));
	assert_int_equal(la_kms_fb2_args(NULL, h2, 2, &f), -EINVAL);
	assert_int_equal(la_kms_fb2_args(&d, NULL, 2, &f), -EINVAL);
	assert_int_equal(la_kms_fb2_args(&d, h2, 2, NULL), -EINVAL);
	d.planes[1].offset = UINT64_C(0x100000000);
	assert_int_equal(la_kms_fb2_args(&d, h2, 2, &f), -EOVERFLOW);
}

static void test_wayland(void **state)
{
	struct la_descriptor d = nv12_tiled();
	struct la_wl_dmabuf_plane w[LA_MAX_PLANES];
	size_t n = 0;
	(void)state;

	assert_int_equal(la_wl_dmabuf_planes(&d, w, LA_MAX_PLANES, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(w[0].fd, 7);
	assert_int_equal(w[0].plane_idx, 0);
	assert_int_equal(w[0].offset, 0);
	assert_int_equal(w[0].stride, 2048);
	assert_int_equal(w[0].modifier_hi, 0x01000000);
	assert_int_equal(w[0].modifier_lo, 0x00000002);
	assert_int_equal(w[1].fd, 7);
	assert_int_equal(w[1].plane_idx, 1);
	assert_int_equal(w[1].offset, 2228224);

	d.modifier = LA_MODIFIER_IMPLICIT;
	assert_int_equal(la_wl_dmabuf_planes(&d, w, LA_MAX_PLANES, &n), 0);
	assert_int_equal(w[1].modifier_hi, 0x00ffffff);
	assert_int_equal(w[1].modifier_lo, 0xffffffff);

	memset(w, 0x5a, sizeof(w));
	assert_int_equal(la_wl_dmabuf_planes(&d, w, 1, &n), -ENOSPC);
	assert_int_equal(w[0].plane_idx, 0x5a5a5a5a);
	assert_int_equal(la_wl_dmabuf_planes(NULL, w, 4, &n), -EINVAL);
	assert_int_equal(la_wl_dmabuf_planes(&d, NULL, 4, &n), -EINVAL);
	d.planes[0].pitch = UINT64_C(0x100000000);
	assert_int_equal(la_wl_dmabuf_planes(&d, w, 4, &n), -EOVERFLOW);
}

static void test_gst_names(void **state)
{
	(void)state;
	assert_string_equal(la_gst_format_name(NV12), "NV12");
	assert_string_equal(la_gst_format_name(YU12), "I420");
	assert_string_equal(la_gst_format_name(YUYV), "YUY2");
	assert_string_equal(la_gst_format_name(UYVY), "UYVY");
	assert_string_equal(la_gst_format_name(XR24), "BGRx");
	assert_string_equal(la_gst_format_name(AR24), "BGRA");
	assert_string_equal(la_gst_format_name(FOURCC('X', 'B', '2', '4')), "RGBx");
	assert_string_equal(la_gst_format_name(FOURCC('B', 'G', '2', '4')), "RGB");
	assert_null(la_gst_format_name(FOURCC('C', '8', ' ', ' ')));
	assert_null(la_gst_format_name(0));
}

static void test_gst_caps(void **state)
{
	struct la_descriptor d = nv12_tiled();
	char buf[LA_GST_CAPS_MAX];
	(void)state;

	assert_int_equal(la_gst_caps_string(&d, LA_GST_CAPS_DMA_DRM, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "video/x-raw(memory:DMABuf), format=(string)DMA_DRM, "
				 "drm-format=(string)NV12:0x0100000000000002, width=(int)1920, "
				 "height=(int)1080");
	/* 1.22 caps cannot say "Y-tiled". */
	assert_int_equal(la_gst_caps_string(&d, LA_GST_CAPS_FORMAT, buf, sizeof(buf)), -ENOTSUP);
	assert_string_equal(buf, "");
	assert_non_null(strstr(la_last_diagnosis(), "DMA_DRM"));

	d = xrgb_linear();
	assert_int_equal(la_gst_caps_string(&d, LA_GST_CAPS_DMA_DRM, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "video/x-raw(memory:DMABuf), format=(string)DMA_DRM, "
				 "drm-format=(string)XR24, width=(int)64, height=(int)32");
	assert_int_equal(la_gst_caps_string(&d, LA_GST_CAPS_FORMAT, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "video/x-raw(memory:DMABuf), format=(string)BGRx, "
				 "width=(int)64, height=(int)32");

	d = yu12_linear();
	assert_int_equal(la_gst_caps_string(&d, LA_GST_CAPS_FORMAT, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "video/x-raw(memory:DMABuf), format=(string)I420, "
				 "width=(int)640, height=(int)480");

	/* Implicit: DMA_DRM refuses with the reason, 1.22 caps carry it. */
	d.modifier = LA_MODIFIER_IMPLICIT;
	assert_int_equal(la_gst_caps_string(&d, LA_GST_CAPS_DMA_DRM, buf, sizeof(buf)), -ENOTSUP);
	assert_non_null(strstr(la_last_diagnosis(), "implicit"));
	assert_int_equal(la_gst_caps_string(&d, LA_GST_CAPS_FORMAT, buf, sizeof(buf)), 0);

	/* Too small: nothing but a NUL. */
	assert_int_equal(la_gst_caps_string(&d, LA_GST_CAPS_FORMAT, buf, 20), -ENOSPC);
	assert_string_equal(buf, "");
	assert_int_equal(la_gst_caps_string(&d, LA_GST_CAPS_FORMAT, buf, 0), -ENOSPC);
	assert_int_equal(la_gst_caps_string(NULL, LA_GST_CAPS_FORMAT, buf, sizeof(buf)), -EINVAL);
	assert_int_equal(la_gst_caps_string(&d, LA_GST_CAPS_FORMAT, NULL, 8), -EINVAL);
	assert_int_equal(la_gst_caps_string(&d, (enum la_gst_caps_style)7, buf, sizeof(buf)),
			 -EINVAL);
	d.format = FOURCC('C', '8', ' ', ' ');
	d.modifier = LA_MODIFIER_LINEAR;
	assert_int_equal(la_gst_caps_string(&d, LA_GST_CAPS_FORMAT, buf, sizeof(buf)), -ENOTSUP);
	d.width = UINT32_C(0x80000000);
	assert_int_equal(la_gst_caps_string(&d, LA_GST_CAPS_DMA_DRM, buf, sizeof(buf)), -EOVERFLOW);

	/* The longest caps fit LA_GST_CAPS_MAX. */
	d.width = d.height = INT32_MAX;
	d.modifier = UINT64_C(0x0fffffffffffffff);
	assert_int_equal(la_gst_caps_string(&d, LA_GST_CAPS_DMA_DRM, buf, sizeof(buf)), 0);
	assert_true(strlen(buf) < LA_GST_CAPS_MAX);
}

static void test_gst_video_meta(void **state)
{
	struct la_descriptor d = yu12_linear();
	struct la_gst_video_meta m;
	(void)state;

	assert_int_equal(la_gst_video_meta(&d, &m), 0);
	assert_int_equal(m.n_planes, 3);
	assert_int_equal(m.offset[0], 0);
	assert_int_equal(m.offset[1], 307200);
	assert_int_equal(m.offset[2], 384000);
	assert_int_equal(m.offset[3], 0);
	assert_int_equal(m.stride[0], 640);
	assert_int_equal(m.stride[1], 320);
	assert_int_equal(m.stride[2], 320);
	assert_int_equal(m.stride[3], 0);

	d = nv12_tiled();
	assert_int_equal(la_gst_video_meta(&d, &m), 0);
	assert_int_equal(m.n_planes, 2);
	assert_int_equal(m.offset[1], 2228224);

	d.planes[1].fd = 8;
	assert_int_equal(la_gst_video_meta(&d, &m), -ENOTSUP);
	assert_non_null(strstr(la_last_diagnosis(), "more than one fd"));
	assert_int_equal(la_gst_video_meta(NULL, &m), -EINVAL);
	assert_int_equal(la_gst_video_meta(&d, NULL), -EINVAL);
}

static void test_reverse_round_trip(void **state)
{
	struct la_descriptor orig = nv12_tiled(), back;
	struct la_wl_dmabuf_plane w[LA_MAX_PLANES];
	int fds[LA_MAX_PLANES];
	uint32_t offsets[LA_MAX_PLANES], strides[LA_MAX_PLANES];
	size_t n = 0;
	(void)state;

	/* What a compositor receives over linux-dmabuf, back into a descriptor. */
	assert_int_equal(la_wl_dmabuf_planes(&orig, w, LA_MAX_PLANES, &n), 0);
	for (size_t p = 0; p < n; p++) {
		fds[p] = w[p].fd;
		offsets[p] = w[p].offset;
		strides[p] = w[p].stride;
	}
	assert_int_equal(la_descriptor_from_planes(orig.format,
						   la_modifier_join(w[0].modifier_hi, w[0].modifier_lo),
						   orig.width, orig.height, (uint32_t)n, fds, offsets,
						   strides, &back), 0);
	assert_true(back.modifier == Y_TILED);
	assert_int_equal(back.format, NV12);
	assert_int_equal(back.plane_count, 2);
	assert_int_equal(back.flags, 0);
	for (uint32_t p = 0; p < 2; p++) {
		assert_int_equal(back.planes[p].fd, 7);
		assert_int_equal(back.planes[p].offset, orig.planes[p].offset);
		assert_int_equal(back.planes[p].pitch, orig.planes[p].pitch);
	}
	/* Sizes from the rows: 1080 luma rows, 540 chroma rows (not the tiled 1088/544). */
	assert_int_equal(back.planes[0].size, 2048 * 1080);
	assert_int_equal(back.planes[1].size, 2048 * 540);
	assert_int_equal(back.planes[2].fd, -1);

	/* EGL export style (EGLint arrays) of a linear YU12, to KMS and back. */
	const int32_t efds[] = { 9, 9, 9 }, eoff[] = { 0, 307200, 384000 },
		      epitch[] = { 640, 320, 320 };
	orig = yu12_linear();
	assert_int_equal(la_descriptor_from_planes(YU12, LA_MODIFIER_LINEAR, 640, 480, 3, efds,
						   (const uint32_t *)eoff,
						   (const uint32_t *)epitch, &back), 0);
	assert_desc_equal(&back, &orig);

	/* Implicit stays implicit. */
	assert_int_equal(la_descriptor_from_planes(XR24, LA_MODIFIER_IMPLICIT, 64, 32, 1, efds,
						   (const uint32_t *)eoff,
						   (const uint32_t *)epitch, &back), 0);
	assert_true(back.modifier == LA_MODIFIER_IMPLICIT);
}

/*
 * The reverse into a real buffer: a memfd holding a YU12 frame, wrapped by
 * the core (which checks every computed plane lies inside the memory),
 * exported again (one new fd shared by the planes) and handed on.
 */
static void test_reverse_into_buffer(void **state)
{
	struct la_context *ctx;
	struct la_buffer *buf;
	struct la_descriptor d, e;
	struct la_vk_dmabuf v;
	int32_t a[LA_EGL_DMABUF_ATTRIBS_MAX];
	size_t n;
	const uint32_t off[] = { 0, 307200, 384000 }, pitch[] = { 640, 320, 320 };
	(void)state;

	int fd = memfd_create("interop-yu12", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, 460800), 0);
	assert_int_equal(fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK), 0);
	const int fds[] = { fd, fd, fd };
	assert_int_equal(la_context_new(&ctx), 0);
	assert_int_equal(la_descriptor_from_planes(YU12, LA_MODIFIER_LINEAR, 640, 480, 3, fds, off,
						   pitch, &d), 0);
	assert_int_equal(la_buffer_from_descriptor(ctx, &d, &buf), 0);
	assert_int_equal(la_buffer_export(buf, &e), 0);
	assert_int_not_equal(e.planes[0].fd, fd);
	assert_int_equal(e.planes[2].fd, e.planes[0].fd);
	assert_int_equal(la_vk_dmabuf_info(&e, &v), 0);
	assert_int_equal(v.fd, e.planes[0].fd);
	assert_int_equal(la_egl_dmabuf_attribs(&e, a, LA_EGL_DMABUF_ATTRIBS_MAX, &n), 0);
	assert_int_equal(a[7], e.planes[0].fd);
	assert_int_equal(a[9 + 10], 307200); /* plane 1 offset */
	la_descriptor_close(&e);
	la_buffer_destroy(buf);

	/* One byte short of the last plane: the core refuses the descriptor. */
	int shorter = memfd_create("interop-short", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	assert_int_equal(ftruncate(shorter, 460799), 0);
	assert_int_equal(fcntl(shorter, F_ADD_SEALS, F_SEAL_SHRINK), 0);
	for (int p = 0; p < 3; p++)
		d.planes[p].fd = shorter;
	assert_int_equal(la_buffer_from_descriptor(ctx, &d, &buf), -EINVAL);
	assert_null(buf);
	la_context_destroy(ctx);
	close(shorter);
	close(fd);
}

static void test_reverse_errors(void **state)
{
	struct la_descriptor out;
	const int fds[] = { 3, 3, 3, 3, 3 }, badfd[] = { 3, -1 };
	const uint32_t off[] = { 0, 0, 0, 0, 0 }, pitch[] = { 64, 64, 64, 64, 64 },
		       zero[] = { 64, 0 };
	(void)state;

	memset(&out, 0x5a, sizeof(out));
	assert_int_equal(la_descriptor_from_planes(NV12, 0, 64, 64, 0, fds, off, pitch, &out),
			 -EINVAL);
	assert_int_equal(la_descriptor_from_planes(NV12, 0, 64, 64, 5, fds, off, pitch, &out),
			 -EINVAL);
	/* Linear NV12 has two planes, not one, nor three. */
	assert_int_equal(la_descriptor_from_planes(NV12, 0, 64, 64, 1, fds, off, pitch, &out),
			 -EINVAL);
	assert_non_null(strstr(la_last_diagnosis(), "NV12"));
	assert_int_equal(la_descriptor_from_planes(NV12, 0, 64, 64, 3, fds, off, pitch, &out),
			 -EINVAL);
	/* A modifier may add a plane (compression metadata). */
	assert_int_equal(la_descriptor_from_planes(NV12, Y_TILED, 64, 64, 3, fds, off, pitch,
						   &out), 0);
	assert_int_equal(out.planes[2].size, 0);
	memset(&out, 0x5a, sizeof(out));
	assert_int_equal(la_descriptor_from_planes(NV12, 0, 64, 64, 2, badfd, off, pitch, &out),
			 -EINVAL);
	assert_int_equal(la_descriptor_from_planes(NV12, 0, 64, 64, 2, fds, off, zero, &out),
			 -EINVAL);
	assert_int_equal(la_descriptor_from_planes(NV12, 0, 0, 64, 2, fds, off, pitch, &out),
			 -EINVAL);
	assert_int_equal(la_descriptor_from_planes(0, 0, 64, 64, 2, fds, off, pitch, &out),
			 -EINVAL);
	assert_int_equal(out.plane_count, 0x5a5a5a5a); /* untouched on failure */
	assert_int_equal(la_descriptor_from_planes(NV12, 0, 64, 64, 2, NULL, off, pitch, &out),
			 -EINVAL);
	assert_int_equal(la_descriptor_from_planes(NV12, 0, 64, 64, 2, fds, NULL, pitch, &out),
			 -EINVAL);
	assert_int_equal(la_descriptor_from_planes(NV12, 0, 64, 64, 2, fds, off, NULL, &out),
			 -EINVAL);
	assert_int_equal(la_descriptor_from_planes(NV12, 0, 64, 64, 2, fds, off, pitch, NULL),
			 -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_upstream_values),
		cmocka_unit_test(test_modifier_split),
		cmocka_unit_test(test_egl_nv12_tiled),
		cmocka_unit_test(test_egl_yu12_linear_and_implicit),
		cmocka_unit_test(test_egl_errors),
		cmocka_unit_test(test_vulkan),
		cmocka_unit_test(test_kms),
		cmocka_unit_test(test_wayland),
		cmocka_unit_test(test_gst_names),
		cmocka_unit_test(test_gst_caps),
		cmocka_unit_test(test_gst_video_meta),
		cmocka_unit_test(test_reverse_round_trip),
		cmocka_unit_test(test_reverse_into_buffer),
		cmocka_unit_test(test_reverse_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
