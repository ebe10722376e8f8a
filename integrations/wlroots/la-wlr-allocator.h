/* SPDX-License-Identifier: MIT */
/*
 * A wlroots allocator backed by liballoc (wlroots 0.15, the API of
 * <wlr/render/allocator.h> and <wlr/types/wlr_buffer.h>; define
 * WLR_USE_UNSTABLE before including wlroots' headers).
 *
 * wlroots picks its own allocator by a fixed order (GBM, shm, dumb) and
 * knows nothing of the other devices a buffer must suit. This one asks
 * liballoc instead: every create_buffer(width, height, format) negotiates
 * the format and the modifiers wlroots allows against the backend's
 * scanout device (wlr_backend_get_drm_fd()), the renderer's device
 * (wlr_renderer_get_drm_fd(), when the renderer has one) and any device
 * added with la_wlr_allocator_add_device(), and allocates where they all
 * can use the memory. Buffers of one shape come from a liballoc pool.
 * wlroots does not say which plane a buffer is for: a cursor-sized buffer
 * the primary plane refuses is negotiated again for the cursor plane.
 *
 * Buffers are dma-bufs (WLR_BUFFER_CAP_DMABUF: the DRM backend imports
 * them) with CPU access (WLR_BUFFER_CAP_DATA_PTR: the pixman renderer
 * draws through la_buffer_map(), inside DMA_BUF_IOCTL_SYNC).
 *
 * Modifiers: wlroots' DRM_FORMAT_MOD_INVALID is liballoc's implicit
 * modifier (same value) and stays implicit in get_dmabuf. When wlroots
 * allows INVALID, LINEAR is asked too: wlr_dmabuf_attributes documents
 * LINEAR as the other value a buffer allocated without explicit modifiers
 * may carry, and it is reported as LINEAR, never as INVALID.
 *
 * Failures (a format the display cannot scan out, devices that share no
 * memory) are logged with wlr_log(WLR_ERROR) with liballoc's diagnosis,
 * which names the device and the constraint; create_buffer then returns
 * NULL. What each negotiation chose is logged at WLR_INFO, alloc-info
 * style: devices and usages, format, modifier, allocation path, layout.
 */
#ifndef LA_WLR_ALLOCATOR_H
#define LA_WLR_ALLOCATOR_H

#include <stdbool.h>
#include <stdint.h>

struct wlr_allocator;
struct wlr_backend;
struct wlr_renderer;

/*
 * An allocator for outputs of backend rendered by renderer (NULL: no
 * render device). The scanout device is backend's DRM fd; a backend
 * without one (headless, nested) leaves only the renderer's device, and
 * with neither the call fails. Destroy with wlr_allocator_destroy();
 * buffers may outlive it. NULL on failure (logged).
 */
struct wlr_allocator *la_wlr_allocator_create(struct wlr_backend *backend,
					      struct wlr_renderer *renderer);

/*
 * One more device every buffer must suit, e.g. a V4L2 encoder that records
 * the screen: node is opened through liballoc, usage is LA_USAGE_* bits
 * of <liballoc/liballoc.h>. Applies to the next negotiation (shapes
 * already negotiated are dropped). 0 or a negative errno (logged with
 * liballoc's diagnosis): -EINVAL for an allocator not made by
 * la_wlr_allocator_create(), a NULL node or usage 0; -E2BIG beyond 8
 * devices; la_device_open()'s errors.
 */
int la_wlr_allocator_add_device(struct wlr_allocator *alloc, const char *node, uint64_t usage);

/* true if alloc was made by la_wlr_allocator_create(). */
bool la_wlr_allocator_is(const struct wlr_allocator *alloc);

#endif
