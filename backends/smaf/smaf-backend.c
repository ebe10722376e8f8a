/* SPDX-License-Identifier: MIT */
/*
 * liballoc-smaf.so: the entry point, and the one device node it claims,
 * /dev/smaf. SMAF is a neutral allocator, so the device serves no usage;
 * opening it is only needed to ask about a buffer (smaf-import.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "smaf-backend.h"

static int smaf_init(const struct la_backend_host *host, void **backend, struct la_why *why)
{
	struct smaf_backend *be = calloc(1, sizeof(*be));

	if (!be)
		return -ENOMEM;
	be->host = host;
	be->level = LA_LOG_DEBUG; /* until the core says otherwise (backend.h) */
	*backend = be;
	return 0;
}

static void smaf_log_level(void *backend, enum la_log_level level)
{
	struct smaf_backend *be = backend;

	__atomic_store_n(&be->level, (int)level, __ATOMIC_RELAXED);
}

static void smaf_finish(void *backend)
{
	free(backend);
}

static int smaf_probe(void *backend, int fd, const char *node, void **device,
		      struct la_backend_device_info *info, struct la_why *why)
{
	struct smaf_backend *be = backend;
	struct smaf_device *dev;
	struct smaf_info q = {0};

	if (smaf_is_node(fd) < 0)
		return -ENODEV;
	/* named smaf but not speaking our uapi: someone else's module */
	if (ioctl(fd, SMAF_IOC_GET_INFO, &q) < 0) {
		smaf_dbg(be, "%s is named smaf but SMAF_IOC_GET_INFO fails: %s", node,
			 strerror(errno));
		return -ENODEV;
	}
	dev = calloc(1, sizeof(*dev));
	if (!dev)
		return -ENOMEM;
	dev->fd = fd;
	snprintf(info->driver, sizeof(info->driver), "smaf");
	info->usages = 0;
	*device = dev;
	return 0;
}

static void smaf_device_close(void *backend, void *device)
{
	(void)backend;
	free(device);
}

static int smaf_enumerate(void *backend, la_enumerate_fn add, void *ctx, struct la_why *why)
{
	(void)backend;
	return access(SMAF_NODE, F_OK) == 0 ? add(ctx, SMAF_NODE) : 0;
}

static const struct la_backend_interface smaf_interface = {
	.init = smaf_init,
	.finish = smaf_finish,
	.probe = smaf_probe,
	.device_close = smaf_device_close,
	.enumerate = smaf_enumerate,
	.list_paths = smaf_list_paths,
	.path_match = smaf_path_match,
	.path_allocate = smaf_path_allocate,
	.path_release = smaf_path_release,
	.import = smaf_import,
	.import_get_property = smaf_import_get_property,
	.import_release = smaf_import_release,
	.log_level = smaf_log_level,
};

LA_BACKEND_DEFINE("smaf", smaf_interface);
