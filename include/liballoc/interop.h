/* SPDX-License-Identifier: MIT */
/*
 * liballoc interop: the arguments a consumer API wants for one buffer,
 * filled from one struct la_descriptor (la_buffer_get_descriptor() or
 * la_buffer_export()). Nothing here needs EGL, Vulkan, libdrm, Wayland or
 * GStreamer at build or link time: the few values of theirs it uses are
 * defined below with the la_ prefix, each with its upstream name and value.
 * The Wayland feedback section also maps a compositor's linux-dmabuf
 * feedback to capability sets and back (plain data, no libwayland).
 *
 * Conventions are those of <liballoc/liballoc.h>: 0 or a negative errno,
 * -EINVAL for a NULL pointer argument, nothing written to the output on
 * failure unless a comment says so. In addition, for every function that
 * takes a descriptor:
 *  - -EINVAL: desc->plane_count not in 1..LA_MAX_PLANES, a used plane with
 *    a negative fd (for the functions that pass fds), width or height 0.
 *  - fds are borrowed: they are copied as numbers, never duplicated or
 *    closed; they stay the descriptor owner's.
 *  - The implicit modifier (DRM_FORMAT_MOD_INVALID) stays implicit: it is
 *    never turned into LINEAR or 0. Where the consumer can express
 *    "implicit" (EGL without modifier attributes, ADDFB2 without
 *    DRM_MODE_FB_MODIFIERS, linux-dmabuf's INVALID, GStreamer 1.22 caps) it
 *    is passed as such; where it cannot (Vulkan's explicit-modifier path,
 *    GStreamer's DMA_DRM caps) the call fails with -ENOTSUP and
 *    la_last_diagnosis() says why.
 *  - Values a consumer holds in 32 bits (pitches, offsets) that do not fit
 *    give -EOVERFLOW, diagnosed with the plane.
 */
#ifndef LIBALLOC_INTEROP_H
#define LIBALLOC_INTEROP_H

#include <liballoc/liballoc.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Modifiers are LA_MODIFIER_LINEAR / LA_MODIFIER_IMPLICIT of liballoc.h. */

/* modifier >> 32 and modifier & 0xffffffff, the split EGL and Wayland use. */
void la_modifier_split(uint64_t modifier, uint32_t *hi, uint32_t *lo);
/* The inverse: (uint64_t)hi << 32 | lo. */
uint64_t la_modifier_join(uint32_t hi, uint32_t lo);

/* ------------------------------------------------------------------ */
/* EGL: EGL_EXT_image_dma_buf_import(_modifiers)                       */

#define LA_EGL_NONE                        0x3038 /* EGL_NONE */
#define LA_EGL_HEIGHT                      0x3056 /* EGL_HEIGHT */
#define LA_EGL_WIDTH                       0x3057 /* EGL_WIDTH */
#define LA_EGL_LINUX_DMA_BUF_EXT           0x3270 /* EGL_LINUX_DMA_BUF_EXT: the target */
#define LA_EGL_LINUX_DRM_FOURCC_EXT        0x3271 /* EGL_LINUX_DRM_FOURCC_EXT */
#define LA_EGL_DMA_BUF_PLANE0_FD_EXT       0x3272 /* EGL_DMA_BUF_PLANE0_FD_EXT */
#define LA_EGL_DMA_BUF_PLANE0_OFFSET_EXT   0x3273 /* EGL_DMA_BUF_PLANE0_OFFSET_EXT */
#define LA_EGL_DMA_BUF_PLANE0_PITCH_EXT    0x3274 /* EGL_DMA_BUF_PLANE0_PITCH_EXT */
#define LA_EGL_DMA_BUF_PLANE1_FD_EXT       0x3275 /* ... PLANE1 */
#define LA_EGL_DMA_BUF_PLANE1_OFFSET_EXT   0x3276
#define LA_EGL_DMA_BUF_PLANE1_PITCH_EXT    0x3277
#define LA_EGL_DMA_BUF_PLANE2_FD_EXT       0x3278 /* ... PLANE2 */
#define LA_EGL_DMA_BUF_PLANE2_OFFSET_EXT   0x3279
#define LA_EGL_DMA_BUF_PLANE2_PITCH_EXT    0x327A
/* EGL_EXT_image_dma_buf_import_modifiers */
#define LA_EGL_DMA_BUF_PLANE3_FD_EXT          0x3440
#define LA_EGL_DMA_BUF_PLANE3_OFFSET_EXT      0x3441
#define LA_EGL_DMA_BUF_PLANE3_PITCH_EXT       0x3442
#define LA_EGL_DMA_BUF_PLANE0_MODIFIER_LO_EXT 0x3443
#define LA_EGL_DMA_BUF_PLANE0_MODIFIER_HI_EXT 0x3444
#define LA_EGL_DMA_BUF_PLANE1_MODIFIER_LO_EXT 0x3445
#define LA_EGL_DMA_BUF_PLANE1_MODIFIER_HI_EXT 0x3446
#define LA_EGL_DMA_BUF_PLANE2_MODIFIER_LO_EXT 0x3447
#define LA_EGL_DMA_BUF_PLANE2_MODIFIER_HI_EXT 0x3448
#define LA_EGL_DMA_BUF_PLANE3_MODIFIER_LO_EXT 0x3449
#define LA_EGL_DMA_BUF_PLANE3_MODIFIER_HI_EXT 0x344A
/* EGL_EXT_protected_content */
#define LA_EGL_PROTECTED_CONTENT_EXT          0x32C0
#define LA_EGL_TRUE                           1      /* EGL_TRUE */

/* Longest list: 4 pairs, 4 planes x 5 pairs, EGL_NONE. */
#define LA_EGL_DMABUF_ATTRIBS_MAX 49

/*
 * The attribute list of eglCreateImageKHR(dpy, EGL_NO_CONTEXT,
 * EGL_LINUX_DMA_BUF_EXT, NULL, attribs) (EGLint is int32_t): width,
 * height, fourcc, then per plane fd, offset and pitch and, for an explicit
 * modifier (LINEAR included), its MODIFIER_LO/HI (the 32-bit halves as
 * EGLint bit patterns); EGL_NONE last. Modifier attributes and a fourth
 * plane need EGL_EXT_image_dma_buf_import_modifiers: check it, and the
 * pair with eglQueryDmaBufModifiersEXT(), before importing. An implicit
 * modifier writes no modifier attributes, which is how EGL says "the
 * driver's own layout" (only meaningful for a buffer of the importing
 * driver). A LA_BUFFER_PROTECTED buffer adds EGL_PROTECTED_CONTENT_EXT,
 * EGL_TRUE before EGL_NONE (EGL_EXT_protected_content; an EGL without it
 * refuses the import, as it should). For eglCreateImage() (EGLAttrib,
 * intptr_t) copy the values one by one.
 * attribs holds len entries; *n_attribs (n_attribs may be NULL) receives
 * the count written, EGL_NONE included, or the count needed on -ENOSPC.
 * -EINVAL: desc or attribs NULL, see the conventions above.
 * -ENOSPC: len is below the count needed (LA_EGL_DMABUF_ATTRIBS_MAX is
 *   always enough); nothing is written.
 * -EOVERFLOW: width, height, an offset or a pitch above INT32_MAX.
 * fds are borrowed; EGL does not take them (close them after the import).
 */
int la_egl_dmabuf_attribs(const struct la_descriptor *desc, int32_t *attribs, size_t len,
			  size_t *n_attribs);

/* ------------------------------------------------------------------ */
/* Vulkan: VK_EXT_image_drm_format_modifier + VK_EXT_external_memory_dma_buf */

/* VK_EXTERNAL_MEMORY_HANDLE_TYPE_DMA_BUF_BIT_EXT */
#define LA_VK_EXTERNAL_MEMORY_HANDLE_TYPE_DMA_BUF_BIT_EXT 0x00000200u
/* VK_IMAGE_TILING_DRM_FORMAT_MODIFIER_EXT */
#define LA_VK_IMAGE_TILING_DRM_FORMAT_MODIFIER_EXT 1000158000

/* VkSubresourceLayout, field by field (VkDeviceSize is uint64_t). */
struct la_vk_subresource_layout {
	uint64_t offset;
	uint64_t size;        /* 0 (see la_vk_dmabuf_info()) */
	uint64_t row_pitch;   /* rowPitch */
	uint64_t array_pitch; /* arrayPitch */
	uint64_t depth_pitch; /* depthPitch */
};

/* What VkImageDrmFormatModifierExplicitCreateInfoEXT and the import need. */
struct la_vk_dmabuf {
	uint64_t drm_format_modifier;        /* drmFormatModifier */
	uint32_t plane_count;                /* drmFormatModifierPlaneCount */
	struct la_vk_subresource_layout plane_layouts[LA_MAX_PLANES]; /* pPlaneLayouts */
	uint32_t handle_type;  /* LA_VK_EXTERNAL_MEMORY_HANDLE_TYPE_DMA_BUF_BIT_EXT */
	int fd;                /* the one dma-buf of every plane, borrowed */
};

/*
 * Fills *out for an image with tiling VK_IMAGE_TILING_DRM_FORMAT_MODIFIER_EXT
 * bound to one imported memory (not VK_IMAGE_CREATE_DISJOINT_BIT). size is
 * 0 (the implementation ignores it; early revisions of the extension
 * required 0), array_pitch and depth_pitch are 0, as the create info
 * requires for a 2D image of one layer and depth 1. VkImportMemoryFdInfoKHR takes ownership of
 * the fd it imports on success: give it a dup() of out->fd, not out->fd.
 * -EINVAL: desc or out NULL, see the conventions above.
 * -ENOTSUP (diagnosed): the modifier is implicit (Vulkan's explicit path
 *   has no way to say "the driver's own layout"), or the planes are on
 *   more than one fd (a disjoint image, not handled here). Planes on the
 *   same dma-buf must carry the same fd number (la_buffer_export() does).
 */
int la_vk_dmabuf_info(const struct la_descriptor *desc, struct la_vk_dmabuf *out);

/* ------------------------------------------------------------------ */
/* KMS: drmModeAddFB2WithModifiers() / DRM_IOCTL_MODE_ADDFB2           */

#define LA_DRM_MODE_FB_MODIFIERS (1u << 1) /* DRM_MODE_FB_MODIFIERS */

/* The arguments of drmModeAddFB2WithModifiers() (struct drm_mode_fb_cmd2's fields). */
struct la_kms_fb2 {
	uint32_t width;
	uint32_t height;
	uint32_t pixel_format;
	uint32_t handles[4];
	uint32_t pitches[4];
	uint32_t offsets[4];
	uint64_t modifier[4];
	uint32_t flags;
};

/*
 * Fills *out from desc and the GEM handles of its planes (handles[p] for
 * plane p, e.g. from DRM_IOCTL_PRIME_FD_TO_HANDLE or la_import_get_property()
 * "handle0"..; planes on one dma-buf have the same handle). Unused entries
 * are 0, as the kernel requires. flags is LA_DRM_MODE_FB_MODIFIERS and
 * every used modifier[p] the modifier when it is explicit (LINEAR
 * included); for the implicit modifier flags and modifiers are 0, which is
 * ADDFB2's "the driver's own layout". fds are not used.
 * -EINVAL: desc, handles or out NULL, n_handles not desc->plane_count, a
 *   handle 0, planes with the same fd but different handles, or see the
 *   conventions above.
 * -EOVERFLOW: a pitch or offset above UINT32_MAX.
 */
int la_kms_fb2_args(const struct la_descriptor *desc, const uint32_t *handles, size_t n_handles,
		    struct la_kms_fb2 *out);

/* ------------------------------------------------------------------ */
/* Wayland: zwp_linux_buffer_params_v1.add                            */

/* The arguments of one zwp_linux_buffer_params_v1_add() call. */
struct la_wl_dmabuf_plane {
	int fd;               /* borrowed: libwayland sends a copy, close yours after create */
	uint32_t plane_idx;
	uint32_t offset;
	uint32_t stride;
	uint32_t modifier_hi;
	uint32_t modifier_lo;
};

/*
 * One entry per plane of desc, in plane order, into planes[0..len);
 * *n_planes (n_planes may be NULL) receives desc->plane_count. The
 * implicit modifier is sent as DRM_FORMAT_MOD_INVALID split in halves
 * (hi 0x00ffffff, lo 0xffffffff): from version 3 of linux-dmabuf on that
 * is "implicit", and only a compositor that advertised the format with
 * INVALID takes it. Versions 1 and 2 have no way to say it; check the
 * bound version first. Then create with desc's width, height and format.
 * -EINVAL: desc or planes NULL, see the conventions above.
 * -ENOSPC: len below desc->plane_count; nothing is written.
 * -EOVERFLOW: an offset or pitch above UINT32_MAX.
 */
int la_wl_dmabuf_planes(const struct la_descriptor *desc, struct la_wl_dmabuf_plane *planes,
			size_t len, size_t *n_planes);

/* ------------------------------------------------------------------ */
/* Wayland: zwp_linux_dmabuf_feedback_v1 as capability sets (version 4+) */

/* ZWP_LINUX_DMABUF_FEEDBACK_V1_TRANCHE_FLAGS_SCANOUT */
#define LA_WL_TRANCHE_SCANOUT 1u

/* One entry of the format_table event's mmap'ed table (16 bytes, native endian). */
struct la_wl_format_entry {
	uint32_t format;   /* DRM fourcc */
	uint32_t padding;
	uint64_t modifier; /* DRM_FORMAT_MOD_INVALID (LA_MODIFIER_IMPLICIT) = implicit */
};

/* One tranche: the tranche_target_device, tranche_flags and tranche_formats events. */
struct la_wl_tranche {
	dev_t target_device;     /* 0 reads as the feedback's main_device */
	uint32_t flags;          /* LA_WL_TRANCHE_SCANOUT or 0 */
	const uint16_t *indices; /* into the format table, the tranche's order */
	size_t n_indices;        /* the wl_array's size / 2 */
};

/*
 * A whole feedback, between two done events: plain data, borrowed. Copy
 * the dev_t of main_device and tranche_target_device out of their
 * wl_array (sizeof(dev_t) bytes each); tranches are in the compositor's
 * preference order, the first preferred.
 */
struct la_wl_feedback {
	const void *format_table;  /* the mmap'ed table; NULL only with size 0 */
	size_t format_table_size;  /* bytes, the format_table event's size */
	dev_t main_device;
	const struct la_wl_tranche *tranches;
	size_t n_tranches;
};

/*
 * The capability set of tranche number `tranche` of fb: what the
 * compositor imports on that tranche's target device, for a client to
 * pass to la_negotiate_capsets() with its own device's set (negotiate
 * against tranche 0 first, then the next ones). Candidates follow the
 * tranche's order (a repeated index counts once), with no constraints
 * (the protocol carries none) and plane_count 0; the implicit modifier
 * stays implicit. Identity: label "wayland tranche N (scanout) on
 * MAJOR:MINOR", backend "wayland", driver "", devnum the target device
 * (so implicit layouts are shared with sets of that device only, see
 * la_capset_set_layout_domain()), usage LA_USAGE_SCANOUT for a scanout
 * tranche and LA_USAGE_SAMPLE otherwise, import rule LA_IMPORT_ANY. *out
 * is owned (la_capset_destroy()) and left NULL on failure.
 * -EINVAL (diagnosed): fb or out NULL, tranche not below n_tranches,
 *   tranches NULL, a tranche's indices NULL with n_indices > 0, a table
 *   size that is not a multiple of 16, the table NULL with a size, an
 *   index beyond the table (the diagnosis names tranche and index),
 *   unknown flags.
 * -ENOMEM: out of memory.
 */
int la_capset_from_wl_feedback(const struct la_wl_feedback *fb, size_t tranche,
			       struct la_capset **out);

/* One tranche to send: a capability set and where and how it applies. */
struct la_wl_tranche_source {
	const struct la_capset *set;
	dev_t target_device; /* 0: the set's devnum, or main_device if that is 0 too */
	uint32_t flags;      /* LA_WL_TRANCHE_SCANOUT or 0 */
};

/*
 * A compositor's feedback from n sets in preference order (the first
 * preferred): one tranche per source keeping its set's candidate order,
 * and one format table of the distinct (format, modifier) pairs of all
 * sets (first seen first; a pair repeated within a set, e.g. with other
 * constraints, counts once). Constraints are not conveyed: the protocol
 * has no place for them. The implicit modifier is written as
 * DRM_FORMAT_MOD_INVALID. *out is one malloc()ed block holding the struct,
 * its tranches, their indices and the table: free() it when the events
 * are sent (write format_table_size bytes of format_table into the memfd
 * of the format_table event). Left NULL on failure.
 * -EINVAL (diagnosed): sources or out NULL, n 0, a source's set NULL,
 *   unknown flags.
 * -ENOTSUP (diagnosed): a set whose import rule is not LA_IMPORT_ANY (a
 *   client's dma-buf must be importable as it comes).
 * -E2BIG (diagnosed): more than 65536 distinct pairs (indices are 16-bit).
 * -EOVERFLOW: the sizes overflow.
 * -ENOMEM: out of memory.
 */
int la_wl_feedback_from_capsets(const struct la_wl_tranche_source *sources, size_t n,
				dev_t main_device, struct la_wl_feedback **out);

/* ------------------------------------------------------------------ */
/* GStreamer: caps and GstVideoMeta                                    */

/*
 * GStreamer's video format name of a DRM fourcc for the common formats,
 * byte order taken into account (DRM XRGB8888 is GStreamer "BGRx", YUYV is
 * "YUY2", YUV420 is "I420"), as GStreamer's own DRM table maps them;
 * static, NULL for a format without a GStreamer name here.
 */
const char *la_gst_format_name(uint32_t format);

enum la_gst_caps_style {
	/*
	 * GStreamer 1.24+: format=DMA_DRM, drm-format="NV12" for LINEAR,
	 * "NV12:0x0100000000000002" (DRM fourcc letters, 16 hex digits)
	 * otherwise. Cannot carry the implicit modifier.
	 */
	LA_GST_CAPS_DMA_DRM = 0,
	/*
	 * GStreamer 1.22 and before: format=<GStreamer name>. Carries no
	 * modifier: the consumer imports without one, i.e. implicit. Only
	 * the implicit modifier and LINEAR (which 1.22 elements send this way
	 * too) fit; the format needs a la_gst_format_name().
	 */
	LA_GST_CAPS_FORMAT = 1,
};

/*
 * Writes the fixed caps of desc into buf (len bytes, NUL included), e.g.
 * "video/x-raw(memory:DMABuf), format=(string)DMA_DRM,
 * drm-format=(string)NV12:0x0100000000000002, width=(int)1920,
 * height=(int)1080" for gst_caps_from_string(). Nothing is written on
 * failure (buf[0] is set to NUL if len > 0).
 * -EINVAL: desc or buf NULL, style unknown, see the conventions above.
 * -ENOTSUP (diagnosed): DMA_DRM with the implicit modifier or a fourcc
 *   that is not 4 printable letters; FORMAT with an explicit modifier
 *   other than LINEAR, or a format without a GStreamer name.
 * -EOVERFLOW: width or height above INT32_MAX (caps hold a gint).
 * -ENOSPC: len too small (LA_GST_CAPS_MAX always suffices).
 */
#define LA_GST_CAPS_MAX 160
int la_gst_caps_string(const struct la_descriptor *desc, enum la_gst_caps_style style,
		       char *buf, size_t len);

/* The n_planes, offset[] and stride[] of gst_buffer_add_video_meta_full(). */
struct la_gst_video_meta {
	uint32_t n_planes;
	uint64_t offset[4]; /* gsize */
	int32_t stride[4];  /* gint */
};

/*
 * Fills *out for a GstBuffer that holds desc's one dma-buf as its memory
 * (gst_dmabuf_allocator_alloc() of that fd). Unused entries are 0.
 * -EINVAL: desc or out NULL, see the conventions above.
 * -ENOTSUP (diagnosed): planes on more than one fd: the meta's offsets
 *   count from the start of the buffer across all its memories, which
 *   depends on the sizes of the memories the caller wraps.
 * -EOVERFLOW: a pitch above INT32_MAX.
 */
int la_gst_video_meta(const struct la_descriptor *desc, struct la_gst_video_meta *out);

/* ------------------------------------------------------------------ */
/* The reverse: an exported image into a descriptor                    */

/*
 * Builds *out from what an exporter hands out per plane: fds, offsets and
 * pitches arrays of n_planes entries (eglExportDMABUFImageMESA(), a
 * Vulkan image's VkSubresourceLayout, linux-dmabuf add requests; EGLint
 * arrays may be passed as const uint32_t *). modifier is the buffer's
 * (LA_MODIFIER_IMPLICIT for implicit; la_modifier_join() for hi/lo halves).
 * plane sizes are pitch x rows for the planes of a format liballoc knows
 * (la_format_get_info()), 0 ("unknown") for others and for extra planes;
 * flags are 0. The fds are copied as numbers: out borrows them, the
 * caller keeps owning and closing them (la_buffer_from_descriptor()
 * duplicates them if a lasting buffer is wanted).
 * -EINVAL (diagnosed): out, fds, offsets or pitches NULL, format 0, width
 *   or height 0, n_planes not in 1..LA_MAX_PLANES, a negative fd, a pitch
 *   0, or a plane count the format refuses (fewer planes than the format
 *   has, or another count than the format's with LINEAR).
 */
int la_descriptor_from_planes(uint32_t format, uint64_t modifier, uint32_t width, uint32_t height,
			      uint32_t n_planes, const int *fds, const uint32_t *offsets,
			      const uint32_t *pitches, struct la_descriptor *out);

#ifdef __cplusplus
}
#endif

#endif
