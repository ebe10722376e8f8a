/* SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <stdio.h>

#include "private.h"

void la_log_to_stderr(void *data, enum la_log_level level, const char *msg)
{
	static const char *names[] = {"", "error", "warning", "info", "debug"};
	(void)data;
	fprintf(stderr, "liballoc %s: %s\n", names[level <= LA_LOG_DEBUG ? level : 0], msg);
}

bool la_log_enabled(struct la_context *ctx, enum la_log_level level)
{
	return ctx && level <= ctx->level;
}

void la_log(struct la_context *ctx, enum la_log_level level, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	if (!la_log_enabled(ctx, level))
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ctx->log_fn(ctx->log_data, level, msg);
}

LA_EXPORT void la_context_set_log_handler(struct la_context *ctx, la_log_fn handler, void *data)
{
	if (!ctx)
		return;
	ctx->log_fn = handler ? handler : la_log_to_stderr;
	ctx->log_data = handler ? data : NULL;
}

LA_EXPORT void la_context_set_log_level(struct la_context *ctx, enum la_log_level level)
{
	if (!ctx || level < LA_LOG_ERROR || level > LA_LOG_DEBUG)
		return;
	__atomic_store_n(&ctx->level, level, __ATOMIC_SEQ_CST);
	/* a module loading meanwhile reads the level after publishing its slot */
	for (size_t i = 0; i < ctx->n_backends; i++) {
		struct la_backend *be = __atomic_load_n(&ctx->backends[i], __ATOMIC_SEQ_CST);
		if (be)
			la_backend_tell_log_level(be);
	}
}
