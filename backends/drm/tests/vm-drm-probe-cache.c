/* SPDX-License-Identifier: MIT */
/*
 * The import probe runs once per device and process: a second context, and
 * a second open of the node in it, take the answer of the first probe.
 * Counted on the kernel side with the test display's import counter
 * (/sys/kernel/debug/contig_display/stats "imports": every PRIME import
 * that reaches the driver).
 *
 *   vm-drm-probe-cache /dev/dri/cardN     (the contig_display card)
 *
 * Across processes (the probe cache file in $XDG_RUNTIME_DIR/liballoc):
 *
 *   vm-drm-probe-cache --imports N /dev/dri/cardN
 *
 * one context learns the rule (contiguous) with exactly N imports reaching
 * the driver: 2 in the first process of a fresh runtime folder, 0 in the
 * next, whose reason is the first one's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <drm_fourcc.h>

#include "drmtest.h"

#define STATS "/sys/kernel/debug/contig_display/stats"

static long imports(void)
{
	char line[128];
	long v = -1;
	FILE *f = fopen(STATS, "r");

	if (!f)
		vm_fatal("%s: cannot read", STATS);
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "imports: %ld", &v) == 1)
			break;
	fclose(f);
	return v;
}

/* The import rule of node for scanout, through a device opened in ctx. */
static enum la_import_rule rule_of(struct la_context *ctx, const char *node, char *reason,
				   size_t len)
{
	uint32_t f = DRM_FORMAT_XRGB8888;
	struct la_assertion a = {.width = 640, .height = 480, .formats = &f, .n_formats = 1};
	struct la_device *dev;
	struct la_capset *set;
	struct la_capset_info info = {0};
	enum la_import_rule rule;

	if (la_device_open(ctx, node, &dev) < 0)
		vm_fatal("open %s: %s", node, la_last_diagnosis());
	if (la_device_get_capabilities(dev, LA_USAGE_SCANOUT, &a, &set) < 0)
		vm_fatal("capabilities of %s: %s", node, la_last_diagnosis());
	la_capset_get_info(set, &info);
	rule = info.import_rule;
	snprintf(reason, len, "%s", info.import_reason ? info.import_reason : "");
	la_capset_destroy(set);
	la_device_unref(dev);
	return rule;
}

static int across_processes(long want, const char *node)
{
	char reason[512];
	long n0 = imports();
	struct la_context *ctx = dt_context();
	enum la_import_rule r = rule_of(ctx, node, reason, sizeof(reason));
	long n1 = imports();

	la_context_destroy(ctx);
	vm_check(r == LA_IMPORT_CONTIGUOUS && n1 - n0 == want,
		 "this process: rule %s with %ld import(s) reaching the driver (want %ld): %s",
		 la_import_rule_name(r), n1 - n0, want, reason);
	vm_check(strstr(reason, "probed: PRIME import") != NULL, "the reason is the probe's");
	return vm_exit_status();
}

int main(int argc, char **argv)
{
	char first[512], again[512];
	struct la_context *ctx;
	long n0, n1, n2;
	enum la_import_rule r1, r2, r3;

	if (argc == 4 && strcmp(argv[1], "--imports") == 0)
		return across_processes(atol(argv[2]), argv[3]);
	if (argc != 2)
		vm_fatal("usage: vm-drm-probe-cache [--imports N] /dev/dri/cardN");
	n0 = imports();
	ctx = dt_context();
	r1 = rule_of(ctx, argv[1], first, sizeof(first));
	n1 = imports();
	la_context_destroy(ctx);
	vm_check(r1 == LA_IMPORT_CONTIGUOUS && n1 - n0 == 2,
		 "first context probes: rule %s with 2 imports tried (%ld): %s",
		 la_import_rule_name(r1), n1 - n0, first);

	ctx = dt_context();
	r2 = rule_of(ctx, argv[1], again, sizeof(again));
	r3 = rule_of(ctx, argv[1], again, sizeof(again));
	n2 = imports();
	la_context_destroy(ctx);
	vm_check(r2 == r1 && r3 == r1 && n2 == n1 && strcmp(first, again) == 0,
		 "second context, two opens: same rule and reason, %ld more imports", n2 - n1);
	return vm_exit_status();
}
