/* SPDX-License-Identifier: MIT */
/* Shared between the allocator and its buffers; not installed. */
#ifndef LA_WLR_PRIVATE_H
#define LA_WLR_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <liballoc/liballoc.h>

struct wlr_buffer;
struct wlr_drm_format;

/*
 * One negotiated shape (size, format, modifiers wlroots allowed): its
 * result and pool. Buffers hold a reference, so a shape the allocator
 * dropped (or an allocator destroyed) lives until its last buffer goes;
 * the shape holds the context, which must outlive every buffer.
 */
struct lawlr_shape {
	int refs;
	struct lawlr_ctx *ctx;
	int width, height;
	uint32_t format;
	size_t n_mods;
	uint64_t *mods;     /* wlroots' list, as given */
	bool cpu_access;    /* CPU usage was negotiated: data-ptr access allowed */
	struct la_result *res;
	struct la_pool *pool;
	uint64_t last_use;
	uint64_t logged_allocations; /* pool allocations already logged */
};

/* The liballoc context and its devices, shared by allocator and shapes. */
#define LAWLR_MAX_DEVICES 10
struct lawlr_ctx {
	int refs;
	struct la_context *la;
	struct la_request req[LAWLR_MAX_DEVICES];
	size_t n_req;
};

void lawlr_ctx_unref(struct lawlr_ctx *c);
void lawlr_shape_unref(struct lawlr_shape *s);

/* A buffer of s's pool as a wlr_buffer (takes a reference on s); NULL logged. */
struct wlr_buffer *lawlr_buffer_create(struct lawlr_shape *s);

#endif
