/* SPDX-License-Identifier: MIT */
/*
 * A backend built against an older revision of backend.h (the frozen copy
 * next to this file, without the appended hooks). It claims files named
 * *.olddev and reports one XRGB8888 candidate. Behind its interface lie a
 * poisoned usage_from_name and layout_domain: a core that read hooks beyond
 * the module's iface_size would call them, and test-loader would see
 * "old.poison" succeed or the device get the layout domain "poison".
 */
#include <errno.h>
#include <string.h>

#include "backend.h"

static int old_init(const struct la_backend_host *host, void **backend, struct la_why *why)
{
	(void)host, (void)why;
	*backend = NULL;
	return 0;
}

static void old_finish(void *backend)
{
	(void)backend;
}

static int old_probe(void *backend, int fd, const char *node, void **device,
		     struct la_backend_device_info *info, struct la_why *why)
{
	size_t len = node ? strlen(node) : 0;

	(void)backend, (void)fd, (void)why;
	if (len < 7 || strcmp(node + len - 7, ".olddev") != 0)
		return -ENODEV;
	strcpy(info->driver, "old");
	info->usages = LA_USAGE_RENDER;
	*device = (void *)1; /* no state: any non-NULL token */
	return 0;
}

static void old_device_close(void *backend, void *device)
{
	(void)backend, (void)device;
}

static int old_get_capabilities(void *backend, void *device, uint64_t usage,
				const struct la_assertion *assertion, struct la_capset *set,
				struct la_why *why)
{
	struct la_candidate c = {.format = 0x34325258 /* XR24 */, .modifier = 0};

	(void)backend, (void)device, (void)usage, (void)assertion, (void)why;
	return la_capset_add_candidate(set, &c);
}

/* Where the next appended hook would be: must never be called. */
static int old_poison(void *backend, const char *name, uint64_t *bit, struct la_why *why)
{
	(void)backend, (void)name, (void)why;
	*bit = UINT64_C(1) << 63;
	return 0;
}

/* Where the appended layout_domain lies: must never be called either. */
static void old_poison_domain(void *backend, void *device, char *key, size_t len)
{
	(void)backend, (void)device;
	if (len > 6)
		memcpy(key, "poison", 7);
}

static const struct {
	struct la_backend_interface iface;
	int (*poison)(void *, const char *, uint64_t *, struct la_why *);
	void (*poison_domain)(void *, void *, char *, size_t);
} old = {
	.iface = {
		.init = old_init,
		.finish = old_finish,
		.probe = old_probe,
		.device_close = old_device_close,
		.get_capabilities = old_get_capabilities,
	},
	.poison = old_poison,
	.poison_domain = old_poison_domain,
};

__attribute__((visibility("default"))) const struct la_backend_entry la_backend_entry = {
	.abi_version = LA_BACKEND_ABI_VERSION,
	.name = "old",
	.iface = &old.iface,
	.iface_size = sizeof(old.iface),
};
