/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "private.h"

static _Thread_local char diag_buf[1024];

LA_EXPORT const char *la_last_diagnosis(void)
{
	return diag_buf;
}

void la_diag_clear(void)
{
	diag_buf[0] = '\0';
}

void la_diag(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(diag_buf, sizeof(diag_buf), fmt, ap);
	va_end(ap);
}

void la_diag_prefix(const char *fmt, ...)
{
	char prefix[256], old[sizeof(diag_buf)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	memcpy(old, diag_buf, sizeof(old));
	size_t pl = strlen(prefix), ol = strlen(old), sep = ol ? 2 : 0;
	/* Backends name the device in their diagnosis, as they must; the
	 * core prefixing the same label again would only repeat it. */
	if (ol > pl + 1 && strncmp(old, prefix, pl) == 0 && old[pl] == ':' && old[pl + 1] == ' ')
		return;
	if (pl + sep >= sizeof(diag_buf))
		pl = sizeof(diag_buf) - 1 - sep;
	if (pl + sep + ol >= sizeof(diag_buf))
		ol = sizeof(diag_buf) - 1 - sep - pl;
	memcpy(diag_buf, prefix, pl);
	memcpy(diag_buf + pl, ": ", sep);
	memcpy(diag_buf + pl + sep, old, ol);
	diag_buf[pl + sep + ol] = '\0';
}

static void default_log(void *data, enum la_log_level level, const char *msg)
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

bool la_debug_from_env(bool secure)
{
	/*
	 * Debug traces name devices, paths and the caller's formats: a setuid
	 * program must not let its user turn them on (the setuid rule of the
	 * loader). secure_getenv() alone would do, but the explicit flag is
	 * what the unit test can drive.
	 */
	const char *v = secure ? NULL : secure_getenv("LIBALLOC_DEBUG");
	return v && v[0] && strcmp(v, "0") != 0;
}

LA_EXPORT int la_context_new(struct la_context **out)
{
	struct la_context *ctx;

	if (!out)
		return -EINVAL;
	*out = NULL;
	ctx = calloc(1, sizeof(*ctx));
	if (!ctx)
		return -ENOMEM;
	if (pthread_mutex_init(&ctx->lock, NULL) != 0) {
		free(ctx);
		return -ENOMEM;
	}
	ctx->log_fn = default_log;
	ctx->level = la_debug_from_env(la_process_is_secure()) ? LA_LOG_DEBUG : LA_LOG_WARN;
	*out = ctx;
	return 0;
}

LA_EXPORT void la_context_destroy(struct la_context *ctx)
{
	if (!ctx)
		return;
	la_loader_unload_all(ctx);
	pthread_mutex_destroy(&ctx->lock);
	free(ctx);
}

LA_EXPORT void la_context_set_log_handler(struct la_context *ctx, la_log_fn handler, void *data)
{
	if (!ctx)
		return;
	ctx->log_fn = handler ? handler : default_log;
	ctx->log_data = handler ? data : NULL;
}

LA_EXPORT void la_context_set_log_level(struct la_context *ctx, enum la_log_level level)
{
	if (!ctx || level < LA_LOG_ERROR || level > LA_LOG_DEBUG)
		return;
	ctx->level = level;
}

/* ---- growable strings for diagnoses ---- */

void la_strbuf_printf(struct la_strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (sb->failed)
		return;
	for (;;) {
		size_t room = sb->cap - sb->len;
		va_start(ap, fmt);
		n = vsnprintf(sb->data ? sb->data + sb->len : NULL, room, fmt, ap);
		va_end(ap);
		if (n < 0) {
			sb->failed = true;
			return;
		}
		if ((size_t)n < room) {
			sb->len += (size_t)n;
			return;
		}
		size_t cap = sb->cap ? sb->cap * 2 : 256;
		while (cap - sb->len <= (size_t)n)
			cap *= 2;
		char *p = realloc(sb->data, cap);
		if (!p) {
			sb->failed = true;
			return;
		}
		sb->data = p;
		sb->cap = cap;
	}
}

char *la_strbuf_steal(struct la_strbuf *sb)
{
	char *s = sb->failed ? NULL : sb->data;
	if (sb->failed)
		free(sb->data);
	if (!s && !sb->failed)
		s = strdup("");
	sb->data = NULL;
	sb->len = sb->cap = 0;
	return s;
}

void la_strbuf_free(struct la_strbuf *sb)
{
	free(sb->data);
	sb->data = NULL;
	sb->len = sb->cap = 0;
}
