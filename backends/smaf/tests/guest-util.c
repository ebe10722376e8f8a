/* SPDX-License-Identifier: MIT */
#include "guest-util.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

struct la_capset *gu_capset(const char *label, const char *driver, uint64_t usage,
			    enum la_import_rule rule, uint32_t cflags, uint32_t dma_bits)
{
	struct la_capset_info info = {
		.label = label,
		.driver = driver,
		.backend = "test",
		.usage = usage,
		.import_rule = rule,
		.import_reason = rule == LA_IMPORT_CONTIGUOUS ? "vb2-dma-contig queue" : NULL,
	};
	struct la_candidate c = {
		.format = GU_XRGB8888,
		.modifier = 0, /* DRM_FORMAT_MOD_LINEAR */
		.constraints = {.flags = cflags, .dma_addr_bits = dma_bits},
	};

	return vm_capset(&info, &c, 1);
}

int gu_negotiate(struct la_context *ctx, uint32_t w, uint32_t h, struct la_capset **sets,
		 size_t n, struct la_result **res)
{
	int ret = vm_negotiate_sets(ctx, GU_XRGB8888, w, h, sets, n, res);

	vm_note("negotiation %ux%u, %zu device(s): %s%s%s", w, h, n, ret ? strerror(-ret) : "ok",
		*res && la_result_get_diagnosis(*res)[0] ? ": " : "",
		*res ? la_result_get_diagnosis(*res) : "");
	vm_print_paths(*res);
	return ret;
}

bool gu_no_path(int ret, const struct la_result *res)
{
	return ret == -ENODEV || (ret == 0 && !vm_best_path(res)[0]);
}

const char *gu_path_reason(const struct la_result *res, const char *name, bool *matched)
{
	struct la_path_info p;

	*matched = false;
	if (!vm_find_path(res, name, &p))
		return "";
	*matched = p.matched;
	return p.reason;
}

struct la_device *gu_smaf_device(struct la_context **ctx)
{
	struct la_device *smaf;
	int ret = la_context_new(ctx);

	if (ret < 0)
		vm_fatal("la_context_new: %s", strerror(-ret));
	ret = la_device_open(*ctx, "/dev/smaf", &smaf);
	if (ret < 0)
		vm_fatal("la_device_open /dev/smaf: %s (%s)", strerror(-ret), la_last_diagnosis());
	return smaf;
}

struct la_import *gu_watch(struct la_device *smaf, const struct la_buffer *buf)
{
	struct la_import *imp = NULL;
	int ret = la_device_import(smaf, LA_USAGE_CPU_READ, buf, &imp);

	if (ret < 0)
		vm_fatal("SMAF view of the buffer: %s (%s)", strerror(-ret), la_last_diagnosis());
	return imp;
}

uint64_t gu_prop(struct la_import *w, const char *name)
{
	uint64_t v = 0;
	int ret = la_import_get_property(w, name, &v);

	if (!vm_check(ret == 0, "property %s: %s", name, ret ? strerror(-ret) : "ok"))
		return UINT64_MAX;
	return v;
}

void gu_vivid_open(int inst, struct vm_vivid *v)
{
	int ret = vm_vivid_open(inst, GU_W, GU_H, v);

	if (ret < 0)
		vm_fatal("vivid instance %d: %s", inst,
			 ret == -ENODEV ? "no capture node" : "cannot set 640x480 XR24");
}
