/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "buffer.h"

struct la_import {
	struct la_device *device;
	void *data;
};

/*
 * An implicit layout is readable only by a device that shares it: refused
 * before the backend sees the buffer, since a driver would take the
 * dma-buf and misread its tiling in silence.
 */
static int check_implicit_origin(const struct la_device *dev, const struct la_buffer *buf)
{
	struct la_layout_id mine;
	char d_origin[96], d_mine[96];

	if (buf->desc.modifier != LA_MODIFIER_IMPLICIT || !buf->has_origin)
		return 0;
	la_layout_id_of_device(dev, &mine);
	if (la_layout_id_shared(&buf->origin, &mine))
		return 0;
	la_layout_id_describe(&buf->origin, d_origin, sizeof(d_origin));
	la_layout_id_describe(&mine, d_mine, sizeof(d_mine));
	la_diag("%s (%s): cannot import an implicit-modifier buffer allocated by %s (%s): an "
		"implicit layout is shared only within one device or a layout domain its backend "
		"declares", dev->label, d_mine, buf->origin_label, d_origin);
	return -EXDEV;
}

LA_EXPORT int la_device_import(struct la_device *dev, uint64_t usage, const struct la_buffer *buf,
			       struct la_import **out)
{
	struct la_import *imp;
	struct la_backend *be;
	int ret;

	if (!out)
		return -EINVAL;
	*out = NULL;
	if (!dev || !buf || !usage)
		return -EINVAL;
	la_diag_clear();
	be = dev->backend;
	if (!be->iface->import) {
		la_diag("%s: backend '%s' cannot import buffers", dev->label, be->name);
		return -ENOTSUP;
	}
	ret = check_implicit_origin(dev, buf);
	if (ret < 0)
		return ret;
	imp = calloc(1, sizeof(*imp));
	if (!imp) {
		la_diag("%s: import: out of memory", dev->label);
		return -ENOMEM;
	}
	struct la_why why = {0};
	la_backend_lock(be);
	ret = be->iface->import(be->data, dev->data, usage, &buf->desc, &imp->data, &why);
	la_backend_unlock(be);
	if (ret < 0) {
		if (!why.text[0])
			la_why_set(&why, ret, "import refused: %s", strerror(-ret));
		la_why_prefix(&why, "%s", dev->label);
		free(imp);
		return la_publish(&why, ret);
	}
	imp->device = la_device_ref(dev);
	*out = imp;
	return 0;
}

LA_EXPORT int la_import_get_property(const struct la_import *imp, const char *name,
				     uint64_t *value)
{
	struct la_backend *be;
	int ret;

	if (!imp || !name || !value)
		return -EINVAL;
	be = imp->device->backend;
	if (!be->iface->import_get_property)
		return -ENOENT;
	struct la_why why = {0};
	la_backend_lock(be);
	ret = be->iface->import_get_property(be->data, imp->data, name, value, &why);
	la_backend_unlock(be);
	/* a property may carry a reason even when read (smaf.last_error): pass it on */
	if (ret == 0 && why.text[0])
		la_diag("%s", why.text);
	return la_publish(&why, ret);
}

LA_EXPORT void la_import_destroy(struct la_import *imp)
{
	struct la_backend *be;

	if (!imp)
		return;
	be = imp->device->backend;
	la_backend_lock(be);
	be->iface->import_release(be->data, imp->data);
	la_backend_unlock(be);
	la_device_unref(imp->device);
	free(imp);
}
