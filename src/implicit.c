/* SPDX-License-Identifier: MIT */
/*
 * Who shares an implicit layout (LA_MODIFIER_IMPLICIT). The driver picks
 * such a layout without telling it, so only the device that picked it can
 * be trusted to read it back: two GPUs on one driver may tile differently.
 * A backend that knows better names a layout domain (backend.h,
 * layout_domain), and devices with the same domain share their layouts.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>

#include "private.h"

void la_layout_id_of_device(const struct la_device *dev, struct la_layout_id *out)
{
	*out = (struct la_layout_id){.devnum = dev->devnum, .device = dev};
	snprintf(out->domain, sizeof(out->domain), "%s", dev->layout_domain);
}

void la_layout_id_of_identity(const struct la_identity *id, struct la_layout_id *out)
{
	*out = (struct la_layout_id){.devnum = id->devnum, .device = id->device};
	snprintf(out->domain, sizeof(out->domain), "%s", id->layout_domain ? id->layout_domain : "");
}

bool la_layout_id_shared(const struct la_layout_id *a, const struct la_layout_id *b)
{
	if (a->domain[0] && strcmp(a->domain, b->domain) == 0)
		return true;
	if (a->devnum || b->devnum)
		return a->devnum == b->devnum;
	/* no device number on either side: only the same live object is known to be one device */
	return a->device && a->device == b->device;
}

void la_layout_id_describe(const struct la_layout_id *id, char *buf, size_t len)
{
	int n = id->devnum ? snprintf(buf, len, "devnum %u:%u", major(id->devnum), minor(id->devnum))
			   : snprintf(buf, len, "no device number");

	if (n >= 0 && (size_t)n < len)
		snprintf(buf + n, len - (size_t)n, id->domain[0] ? ", layout domain \"%s\"" : ", no layout domain",
			 id->domain);
}

LA_EXPORT const char *la_device_get_layout_domain(const struct la_device *dev)
{
	return dev ? dev->layout_domain : NULL;
}

LA_EXPORT int la_capset_set_layout_domain(struct la_capset *set, const char *key)
{
	char *k;

	if (!set)
		return -EINVAL;
	if (key && strnlen(key, LA_LAYOUT_DOMAIN_MAX) >= LA_LAYOUT_DOMAIN_MAX) {
		la_diag("%s: layout domain of %d bytes or more", set->identity.label,
			LA_LAYOUT_DOMAIN_MAX);
		return -EINVAL;
	}
	k = strdup(key ? key : "");
	if (!k)
		return -ENOMEM;
	free(set->identity.layout_domain);
	set->identity.layout_domain = k;
	return 0;
}

LA_EXPORT const char *la_capset_get_layout_domain(const struct la_capset *set)
{
	return set ? set->identity.layout_domain : NULL;
}
