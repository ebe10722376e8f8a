/* SPDX-License-Identifier: MIT */
/*
 * Host check of liballoc-smaf.so (no kernel module needed): it exports
 * only la_backend_entry, the core loads it, it does not claim foreign
 * nodes, and without /dev/smaf it offers no path (the negotiation says so).
 * argv[1]: the module; LIBALLOC_BACKEND_PATH: its folder.
 */
#include <errno.h>
#include <liballoc/liballoc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int failures;

#define CHECK(cond, ...)                                  \
	do {                                              \
		if (!(cond)) {                            \
			printf("FAIL %s:%d: ", __FILE__, __LINE__); \
			printf(__VA_ARGS__);              \
			printf("\n");                     \
			failures++;                       \
		}                                         \
	} while (0)

static void check_exports(const char *module)
{
	char cmd[4200], line[256];
	int n = 0, entry = 0;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "nm -D --defined-only '%s'", module);
	p = popen(cmd, "r");
	CHECK(p, "popen nm");
	if (!p)
		return;
	while (fgets(line, sizeof(line), p)) {
		char type, name[200];
		if (sscanf(line, "%*s %c %199s", &type, name) != 2)
			continue;
		/* AddressSanitizer's one-definition-rule markers, not an interface */
		if (strncmp(name, "__odr_asan", 10) == 0)
			continue;
		n++;
		entry += strcmp(name, "la_backend_entry") == 0;
		CHECK(strcmp(name, "la_backend_entry") == 0, "exported symbol %s", name);
	}
	CHECK(pclose(p) == 0, "nm failed");
	CHECK(n == 1 && entry == 1, "%d exported symbols, la_backend_entry %d times", n, entry);
}

int main(int argc, char **argv)
{
	static const uint32_t xr24 = 0x34325258; /* DRM_FORMAT_XRGB8888 */
	struct la_capset_info ci = {.label = "fake (host)", .driver = "fake", .backend = "none",
				    .usage = LA_USAGE_RENDER};
	struct la_candidate cand = {.format = xr24, .modifier = 0};
	struct la_assertion a = {.width = 64, .height = 64, .formats = &xr24, .n_formats = 1};
	struct la_context *ctx = NULL;
	struct la_device *dev = NULL;
	struct la_capset *set = NULL;
	struct la_result *res = NULL;
	size_t count = 0;
	bool found = false;
	int ret;

	if (argc != 2)
		return 2;
	check_exports(argv[1]);
	CHECK(la_context_new(&ctx) == 0, "context");
	CHECK(la_context_get_backend_count(ctx, &count) == 0, "backend count");
	for (size_t i = 0; i < count; i++)
		found |= strcmp(la_context_get_backend_name(ctx, i), "smaf") == 0;
	CHECK(found, "backend 'smaf' loaded (%zu backends): %s", count, la_last_diagnosis());

	ret = la_device_open(ctx, "/dev/null", &dev);
	CHECK(ret == -ENODEV, "/dev/null not claimed: %d", ret);
	la_device_unref(dev);

	if (access("/dev/smaf", F_OK) == 0) {
		printf("# /dev/smaf exists on this host: path checks skipped\n");
	} else {
		CHECK(la_capset_new(&ci, &set) == 0 && la_capset_add_candidate(set, &cand) == 0,
		      "capset");
		ret = la_negotiate_capsets(ctx, &a, &set, 1, &res);
		/* capsets without a live device: success without a path, or -ENODEV */
		CHECK(ret == -ENODEV || ret == 0, "negotiation: %d", ret);
		CHECK(la_result_get_path_count(res) == 0, "%zu paths",
		      la_result_get_path_count(res));
		printf("# diagnosis: %s\n", la_result_get_diagnosis(res));
		la_result_destroy(res);
		la_capset_destroy(set);
	}
	la_context_destroy(ctx);
	printf("%s\n", failures ? "FAILED" : "ok");
	return failures ? 1 : 0;
}
