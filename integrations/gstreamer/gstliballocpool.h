/* SPDX-License-Identifier: MIT */
/*
 * liballocpool: a passthrough element that answers upstream's ALLOCATION
 * query with a pool of liballoc buffers negotiated between the upstream
 * and the downstream device, so that
 *
 *   v4l2src io-mode=dmabuf-import ! liballocpool ! kmssink
 *
 * captures into buffers the display scans out as they are. The devices
 * are the properties upstream-device / downstream-device, or else found
 * on the neighbours: the nearest upstream element's "device" (v4l2src)
 * and the nearest downstream element's open DRM fd ("fd", kmssink) or
 * "device". When the devices share no memory the element fails the caps
 * with an error naming the device and the constraint (liballoc's
 * diagnosis).
 */
#ifndef GST_LIBALLOC_POOL_H
#define GST_LIBALLOC_POOL_H

#include <gst/base/gstbasetransform.h>

G_BEGIN_DECLS

#define GST_TYPE_LIBALLOC_POOL (gst_liballoc_pool_get_type())
GType gst_liballoc_pool_get_type(void);

G_END_DECLS

#endif
