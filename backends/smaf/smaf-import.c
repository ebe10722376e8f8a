/* SPDX-License-Identifier: MIT */
/*
 * "Importing" a buffer into the SMAF device does not attach it to anything:
 * it lets a program ask the exporter, through the public API
 * (la_import_get_property), what became of a SMAF buffer once devices
 * imported it: which allocator backs it, in how many physically contiguous
 * runs, and why the last device was refused. Every read asks the kernel
 * (SMAF_IOC_GET_BUFFER_INFO) again, so values follow later imports.
 *
 * Properties (README.md):
 *   smaf.allocated, smaf.secure, smaf.forced   0 or 1
 *   smaf.length, smaf.segments, smaf.attachments
 *   smaf.allocator=NAME   1 if NAME backs the buffer (or is forced), else 0;
 *                         -ENOENT if SMAF has no allocator NAME
 *   smaf.last_error       positive errno of the last refused attach or
 *                         failed allocation, 0 if none; when non-zero,
 *                         la_last_diagnosis() then holds SMAF's reason
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "smaf-backend.h"

#define ALLOCATOR_PREFIX "smaf.allocator="

struct smaf_import {
	int smaf;  /* the device's fd, borrowed: the import holds a device reference */
	int fd;    /* own duplicate of plane 0's dma-buf */
};

int smaf_import(void *backend, void *device, uint64_t usage, const struct la_descriptor *desc,
		void **out, struct la_why *why)
{
	struct smaf_device *dev = device;
	struct smaf_buffer_info info;
	struct smaf_import *imp;
	int ret;

	(void)usage;
	*out = NULL;
	if (desc->plane_count == 0 || desc->planes[0].fd < 0)
		return -EINVAL;
	/* every plane of a SMAF path shares one dma-buf; plane 0 stands for all */
	ret = smaf_buffer_info(dev->fd, desc->planes[0].fd, &info);
	if (ret < 0) {
		smaf_diag(why, "not a SMAF buffer (SMAF_IOC_GET_BUFFER_INFO: %s)", strerror(-ret));
		return ret;
	}
	imp = calloc(1, sizeof(*imp));
	if (!imp)
		return -ENOMEM;
	imp->smaf = dev->fd;
	imp->fd = fcntl(desc->planes[0].fd, F_DUPFD_CLOEXEC, 3);
	if (imp->fd < 0) {
		ret = -errno;
		smaf_diag(why, "cannot duplicate the dma-buf fd: %s", strerror(-ret));
		free(imp);
		return ret;
	}
	*out = imp;
	return 0;
}

static int allocator_is(struct smaf_backend *be, const struct smaf_import *imp,
			const struct smaf_buffer_info *info, const char *name, uint64_t *value,
			struct la_why *why)
{
	struct smaf_info q = {0};

	/* an unknown name is the caller's mistake, not "another allocator" */
	for (uint32_t i = 0;; i++) {
		memset(&q, 0, sizeof(q));
		q.index = i;
		if (ioctl(imp->smaf, SMAF_IOC_GET_INFO, &q) < 0) {
			smaf_diag(why, "SMAF has no allocator '%s'", name);
			return -ENOENT;
		}
		q.name[sizeof(q.name) - 1] = '\0';
		if (strcmp((char *)q.name, name) == 0)
			break;
	}
	*value = strcmp((const char *)info->allocator, name) == 0;
	return 0;
}

int smaf_import_get_property(void *backend, void *import, const char *name, uint64_t *value,
			     struct la_why *why)
{
	struct smaf_backend *be = backend;
	struct smaf_import *imp = import;
	struct smaf_buffer_info info;
	int ret = smaf_buffer_info(imp->smaf, imp->fd, &info);

	if (ret < 0) {
		smaf_diag(why, "SMAF_IOC_GET_BUFFER_INFO: %s", strerror(-ret));
		return ret;
	}
	smaf_dbg(be, "buffer of %llu bytes: %s%s, %u segment(s), %u device(s) attached%s%s",
		 (unsigned long long)info.length, info.allocator[0] ? "allocator " : "no allocator yet",
		 (const char *)info.allocator, info.segments, info.attachments,
		 info.last_error ? ", last refusal: " : "", info.last_error ? (char *)info.diag : "");
	if (strncmp(name, ALLOCATOR_PREFIX, strlen(ALLOCATOR_PREFIX)) == 0)
		return allocator_is(be, imp, &info, name + strlen(ALLOCATOR_PREFIX), value, why);
	if (strcmp(name, "smaf.allocated") == 0)
		*value = (info.flags & SMAF_BUFFER_ALLOCATED) != 0;
	else if (strcmp(name, "smaf.secure") == 0)
		*value = (info.flags & SMAF_BUFFER_SECURE) != 0;
	else if (strcmp(name, "smaf.forced") == 0)
		*value = (info.flags & SMAF_BUFFER_FORCED) != 0;
	else if (strcmp(name, "smaf.length") == 0)
		*value = info.length;
	else if (strcmp(name, "smaf.segments") == 0)
		*value = info.segments;
	else if (strcmp(name, "smaf.attachments") == 0)
		*value = info.attachments;
	else if (strcmp(name, "smaf.last_error") == 0) {
		*value = info.last_error < 0 ? (uint64_t)-info.last_error : 0;
		if (*value)
			smaf_diag(why, "%s (%s)", (char *)info.diag, strerror(-info.last_error));
	} else
		return -ENOENT;
	return 0;
}

void smaf_import_release(void *backend, void *import)
{
	struct smaf_import *imp = import;

	(void)backend;
	if (!imp)
		return;
	close(imp->fd);
	free(imp);
}
