/* SPDX-License-Identifier: MIT */
/* libgstliballoc.so: the liballocpool element (GST_PLUGIN_PATH=<this folder>). */
#include <gst/gst.h>

#include "gstliballocpool.h"

#ifndef PACKAGE
#define PACKAGE "liballoc"
#endif

static gboolean plugin_init(GstPlugin *plugin)
{
	return gst_element_register(plugin, "liballocpool", GST_RANK_NONE, GST_TYPE_LIBALLOC_POOL);
}

GST_PLUGIN_DEFINE(GST_VERSION_MAJOR, GST_VERSION_MINOR, liballoc,
		  "liballoc buffers negotiated between a pipeline's devices, as dma-buf memory",
		  plugin_init, LIBALLOC_VERSION, "MIT", "liballoc", "liballoc")
