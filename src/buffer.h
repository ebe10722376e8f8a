/* SPDX-License-Identifier: MIT */
#ifndef LA_BUFFER_H
#define LA_BUFFER_H

#include "private.h"

struct la_mapping {
	void *base;
	size_t size;
	int refs;
	uint32_t flags;
};

struct la_buffer {
	struct la_context *ctx;
	struct la_descriptor desc; /* owns its fds */
	pthread_mutex_t lock;      /* maps */
	struct la_mapping maps[LA_MAX_PLANES]; /* per plane index of the first plane with that fd */
	int plane_maps[LA_MAX_PLANES];         /* per plane: refs it holds */
	/*
	 * The device whose memory it is, for implicit layouts: set for an owned
	 * path's implicit-modifier buffers only (import.c reads it for those);
	 * origin and origin_label are unwritten while has_origin is false.
	 */
	bool has_origin;
	struct la_layout_id origin;
	char origin_label[128];
	/* the pool that lent it (pool.c; written under the pool's lock) */
	struct la_pool *pool;
	uint64_t pool_gen;  /* the pool's generation it was allocated in */
	size_t pool_slot;   /* its index in the pool's list */
	bool pool_out;      /* acquired, not released */
	size_t path_cap;    /* bytes of path[]: a recycled object takes names that fit */
	char path[];        /* the path's name, allocated with the buffer */
};

/*
 * A buffer without memory yet (no fd): what a backend fills; la_buffer_free()
 * it. path is len bytes and a NUL (NULL: ""). NULL: ENOMEM.
 */
struct la_buffer *la_buffer_new(struct la_context *ctx, const char *path, size_t len);
/* Takes ownership of desc's fds (also on failure). */
int la_buffer_wrap(struct la_context *ctx, struct la_descriptor *desc, const char *path,
		   struct la_buffer **out);

/* allocate.c: la_allocate() (path NULL) or la_allocate_with_path(), unpublished. */
int la_allocate_why(struct la_result *res, const char *path, struct la_buffer **out,
		    struct la_why *why);
/* 0 if res can allocate on path (NULL: its best): -ENODEV, -ENOENT otherwise. */
int la_result_allocatable(struct la_result *res, const char *path, struct la_why *why);
/* Unmaps, closes the fds and frees buf, pool or not (the pool's own free). */
void la_buffer_free(struct la_buffer *buf);
/* True if a plane of buf is mapped. */
bool la_buffer_is_mapped(struct la_buffer *buf);
/* pool.c: la_buffer_destroy() of a pool's buffer; the pool forgets it. */
void la_pool_forget(struct la_buffer *buf);
/* context.c: frees the buffer object ctx keeps for reuse (la_buffer_new). */
void la_buffer_drop_spare(struct la_context *ctx);

#endif
