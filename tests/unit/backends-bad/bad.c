/* SPDX-License-Identifier: MIT */
/*
 * Broken backends the loader must refuse with a clear message: built from
 * this one file with BAD_ABI (wrong interface version), BAD_NOSYM (no entry
 * symbol) or BAD_NOHOOK (a required hook missing).
 */
#include <errno.h>
#include <liballoc/backend.h>

static int bad_init(const struct la_backend_host *host, void **backend, struct la_why *why)
{
	(void)host;
	*backend = NULL;
	return 0;
}

static void bad_finish(void *backend)
{
	(void)backend;
}

static int bad_probe(void *backend, int fd, const char *node, void **device,
		     struct la_backend_device_info *info, struct la_why *why)
{
	(void)backend, (void)fd, (void)node, (void)device, (void)info;
	return -ENODEV;
}

static void bad_device_close(void *backend, void *device)
{
	(void)backend, (void)device;
}

static const struct la_backend_interface bad_iface = {
	.init = bad_init,
	.finish = bad_finish,
	.probe = bad_probe,
#ifndef BAD_NOHOOK
	.device_close = bad_device_close,
#endif
};

#if defined(BAD_ABI)
__attribute__((visibility("default"))) const struct la_backend_entry la_backend_entry = {
	.abi_version = LA_BACKEND_ABI_VERSION + 1000,
	.name = "bad-abi",
	.iface = &bad_iface,
};
#elif defined(BAD_NOSYM)
__attribute__((visibility("default"))) const struct la_backend_entry not_the_entry = {
	.abi_version = LA_BACKEND_ABI_VERSION,
	.name = "bad-nosym",
	.iface = &bad_iface,
};
#else
LA_BACKEND_DEFINE("bad-nohook", bad_iface);
#endif

/* Keeps bad_device_close used in the BAD_NOHOOK build. */
void (*const bad_unused)(void *, void *) = bad_device_close;
