/* SPDX-License-Identifier: MIT */
/*
 * What a process sees of liballoc's environment variables: prints its
 * uids, AT_SECURE, the backends the context loaded and whether the
 * LIBALLOC_DEBUG trace reached the log handler. setuid.sh runs a
 * setuid-root copy of it as an unprivileged user.
 */
#include <liballoc/liballoc.h>
#include <stdio.h>
#include <sys/auxv.h>
#include <unistd.h>

static int debug_lines;

static void count_debug(void *data, enum la_log_level level, const char *msg)
{
	(void)data, (void)msg;
	if (level == LA_LOG_DEBUG)
		debug_lines++;
}

int main(void)
{
	struct la_context *ctx;
	size_t n = 0;

	printf("ruid=%d euid=%d at_secure=%lu\n", (int)getuid(), (int)geteuid(), getauxval(AT_SECURE));
	if (la_context_new(&ctx) < 0) {
		printf("la_context_new failed: %s\n", la_last_diagnosis());
		return 1;
	}
	/* before enumeration: the trace of probing comes at debug level */
	la_context_set_log_handler(ctx, count_debug, NULL);
	la_context_get_backend_count(ctx, &n);
	for (size_t i = 0; i < n; i++)
		printf("backend=%s\n", la_context_get_backend_name(ctx, i));
	struct la_device **devs = NULL;
	size_t nd = 0;
	if (la_context_enumerate(ctx, &devs, &nd) == 0)
		la_device_list_free(devs, nd);
	/* a negotiation: traced at debug level when LIBALLOC_DEBUG is honoured */
	struct la_capset_info info = {.label = "cpu", .driver = "cpu", .backend = "test",
				      .usage = LA_USAGE_CPU_WRITE, .import_rule = LA_IMPORT_ANY};
	struct la_candidate cand = {.format = 0x34325258u /* XR24 */, .modifier = 0};
	struct la_assertion a = {.width = 64, .height = 64, .formats = &cand.format, .n_formats = 1};
	struct la_capset *set = NULL;
	struct la_result *res = NULL;
	if (la_capset_new(&info, &set) == 0 && la_capset_add_candidate(set, &cand) == 0)
		la_negotiate_capsets(ctx, &a, &set, 1, &res);
	la_result_destroy(res);
	la_capset_destroy(set);
	printf("debug_lines=%d\n", debug_lines);
	la_context_destroy(ctx);
	return 0;
}
