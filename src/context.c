/* SPDX-License-Identifier: MIT */
/* The context: the loaded backends and where log messages go. */
#include <errno.h>
#include <stdlib.h>

#include "buffer.h"

LA_EXPORT int la_context_new(struct la_context **out)
{
	struct la_context *ctx;

	if (!out)
		return -EINVAL;
	*out = NULL;
	ctx = calloc(1, sizeof(*ctx));
	if (!ctx) {
		la_diag("la_context_new: out of memory for the context");
		return -ENOMEM;
	}
	if (pthread_mutex_init(&ctx->lock, NULL) != 0) {
		free(ctx);
		la_diag("la_context_new: cannot initialise the context's lock");
		return -ENOMEM;
	}
	ctx->log_fn = la_log_to_stderr;
	ctx->level = la_debug_from_env(la_process_is_secure()) ? LA_LOG_DEBUG : LA_LOG_WARN;
	*out = ctx;
	return 0;
}

LA_EXPORT void la_context_destroy(struct la_context *ctx)
{
	if (!ctx)
		return;
	la_loader_unload_all(ctx);
	la_buffer_drop_spare(ctx);
	pthread_mutex_destroy(&ctx->lock);
	free(ctx);
}

