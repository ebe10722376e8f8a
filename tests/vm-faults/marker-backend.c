/* SPDX-License-Identifier: MIT */
/*
 * A backend that only announces itself: loaded from LIBALLOC_BACKEND_PATH
 * by setuid.sh to prove that a setuid process ignores that variable.
 */
#include <errno.h>
#include <liballoc/backend.h>

static int marker_init(const struct la_backend_host *host, void **backend, struct la_why *why)
{
	(void)host;
	*backend = NULL;
	return 0;
}

static void marker_finish(void *backend)
{
	(void)backend;
}

static int marker_probe(void *backend, int fd, const char *node, void **device,
			struct la_backend_device_info *info, struct la_why *why)
{
	(void)backend, (void)fd, (void)node, (void)device, (void)info;
	return -ENODEV;
}

static void marker_device_close(void *backend, void *device)
{
	(void)backend, (void)device;
}

static const struct la_backend_interface marker_iface = {
	.init = marker_init,
	.finish = marker_finish,
	.probe = marker_probe,
	.device_close = marker_device_close,
};

LA_BACKEND_DEFINE("marker", marker_iface);
