/* SPDX-License-Identifier: MIT */
/*
 * Buffer pools: buffers of one negotiated shape, lent and taken back, so a
 * steady frame loop makes no allocation (and no system call) per frame.
 * One lock per pool guards its lists, its counters and the pool fields of
 * its buffers; a new buffer is allocated under it too, so that a result
 * replaced by la_pool_set_result() is never used after the call returns.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "buffer.h"
#include "descriptor.h"

#define POOL_DEFAULT_MAX 16
#define POOL_MAX 4096

struct la_pool {
	pthread_mutex_t lock;
	struct la_result *res;      /* NULL: withdrawn */
	char *path;                 /* NULL: res' best path */
	uint32_t max_buffers, max_idle;
	struct la_buffer **live;    /* every buffer it lent or keeps, any generation */
	size_t n_live, cap_live;
	struct la_buffer **idle;    /* max_buffers slots, a stack */
	uint32_t current;           /* buffers of the current generation */
	struct la_pool_stats st;
};

static struct la_pool *pool_of(const struct la_buffer *buf)
{
	return __atomic_load_n(&buf->pool, __ATOMIC_ACQUIRE);
}

static int live_add(struct la_pool *pool, struct la_buffer *buf)
{
	if (pool->n_live == pool->cap_live) {
		size_t cap = pool->cap_live ? pool->cap_live * 2 : 8;
		struct la_buffer **l = realloc(pool->live, cap * sizeof(*l));
		if (!l)
			return -ENOMEM;
		pool->live = l;
		pool->cap_live = cap;
	}
	buf->pool_slot = pool->n_live;
	pool->live[pool->n_live++] = buf;
	__atomic_store_n(&buf->pool, pool, __ATOMIC_RELEASE);
	return 0;
}

static void live_remove(struct la_pool *pool, struct la_buffer *buf)
{
	struct la_buffer *last = pool->live[--pool->n_live];

	pool->live[buf->pool_slot] = last;
	last->pool_slot = buf->pool_slot;
	__atomic_store_n(&buf->pool, NULL, __ATOMIC_RELEASE);
}

/* An idle buffer leaves the pool for good; the caller frees it. */
static struct la_buffer *drop_idle(struct la_pool *pool)
{
	struct la_buffer *buf = pool->idle[--pool->st.idle];

	live_remove(pool, buf);
	pool->current--;
	pool->st.freed++;
	return buf;
}

static void update_counts(struct la_pool *pool)
{
	pool->st.outstanding = pool->current - pool->st.idle;
	if (pool->current > pool->st.peak)
		pool->st.peak = pool->current;
}

static int check_config(const struct la_pool_config *c, struct la_why *why)
{
	uint32_t max = c->max_buffers ? c->max_buffers : POOL_DEFAULT_MAX;

	if (max > POOL_MAX)
		return la_why_set(why, -EINVAL, "pool: max_buffers %u above %d", max, POOL_MAX);
	if (c->max_idle > max)
		return la_why_set(why, -EINVAL, "pool: max_idle %u above max_buffers %u",
				  c->max_idle, max);
	return 0;
}

static int pool_new(struct la_result *res, const struct la_pool_config *config,
		    struct la_pool **out, struct la_why *why)
{
	struct la_pool_config c = config ? *config : (struct la_pool_config){0};
	struct la_pool *pool;
	int ret = check_config(&c, why);

	if (ret == 0)
		ret = la_result_allocatable(res, c.path, why);
	if (ret < 0)
		return ret;
	pool = calloc(1, sizeof(*pool));
	if (!pool)
		return -ENOMEM;
	pool->res = res;
	pool->max_buffers = c.max_buffers ? c.max_buffers : POOL_DEFAULT_MAX;
	pool->max_idle = c.max_idle ? c.max_idle : pool->max_buffers;
	pool->idle = calloc(pool->max_buffers, sizeof(*pool->idle));
	pool->path = c.path ? strdup(c.path) : NULL;
	if (!pool->idle || (c.path && !pool->path)) {
		free(pool->idle);
		free(pool->path);
		free(pool);
		return -ENOMEM;
	}
	pthread_mutex_init(&pool->lock, NULL);
	*out = pool;
	return 0;
}

LA_EXPORT int la_pool_new(struct la_result *res, const struct la_pool_config *config,
			  struct la_pool **out)
{
	struct la_why why = {0};

	if (!out)
		return -EINVAL;
	*out = NULL;
	if (!res)
		return -EINVAL;
	return la_publish(&why, pool_new(res, config, out, &why));
}

LA_EXPORT void la_pool_destroy(struct la_pool *pool)
{
	if (!pool)
		return;
	pthread_mutex_lock(&pool->lock);
	/* lent buffers become the caller's own; the rest goes */
	for (size_t i = 0; i < pool->n_live; i++) {
		struct la_buffer *buf = pool->live[i];
		__atomic_store_n(&buf->pool, NULL, __ATOMIC_RELEASE);
		if (!buf->pool_out)
			la_buffer_free(buf);
	}
	pthread_mutex_unlock(&pool->lock);
	pthread_mutex_destroy(&pool->lock);
	free(pool->live);
	free(pool->idle);
	free(pool->path);
	free(pool);
}

/* A new buffer of the current generation; under the lock. */
static int grow(struct la_pool *pool, struct la_buffer **out, struct la_why *why)
{
	struct la_buffer *buf;
	int ret = la_allocate_why(pool->res, pool->path, &buf, why);

	if (ret < 0)
		return ret;
	ret = live_add(pool, buf);
	if (ret < 0) {
		la_buffer_free(buf);
		return ret;
	}
	if (!pool->st.buffer_size) {
		int64_t size = la_fd_size(buf->desc.planes[0].fd);
		pool->st.buffer_size = size > 0 ? (uint64_t)size : 0;
	}
	buf->pool_gen = pool->st.generation;
	pool->current++;
	pool->st.allocations++;
	*out = buf;
	return 0;
}

static int acquire(struct la_pool *pool, struct la_buffer **out, struct la_why *why)
{
	int ret = 0;

	if (!pool->res)
		ret = la_why_set(why, -ESTALE, "pool: its result was withdrawn "
				 "(la_pool_set_result() NULL); give it a new negotiation's");
	else if (pool->st.idle) {
		*out = pool->idle[--pool->st.idle];
		pool->st.reuses++;
	} else if (pool->current >= pool->max_buffers) {
		pool->st.refusals++;
		ret = la_why_set(why, -ENOBUFS, "pool: all %u buffers (max_buffers) are acquired; "
				 "release one first", pool->max_buffers);
	} else {
		ret = grow(pool, out, why);
	}
	if (ret == 0) {
		(*out)->pool_out = true;
		update_counts(pool);
	}
	return ret;
}

LA_EXPORT int la_pool_acquire(struct la_pool *pool, struct la_buffer **out)
{
	struct la_why why; /* cleared, not zeroed: this runs per frame */
	int ret;

	if (!out)
		return -EINVAL;
	*out = NULL;
	if (!pool)
		return -EINVAL;
	la_why_clear(&why);
	pthread_mutex_lock(&pool->lock);
	ret = acquire(pool, out, &why);
	pthread_mutex_unlock(&pool->lock);
	return ret < 0 ? la_publish(&why, ret) : 0;
}

/* Under the lock; *drop: buf leaves the pool and is to be freed. */
static int release(struct la_pool *pool, struct la_buffer *buf, bool *drop,
		   struct la_why *why)
{
	if (pool_of(buf) != pool || !buf->pool_out)
		return la_why_set(why, -EINVAL, "pool: buffer%s%s was not acquired from this "
				  "pool (another pool's, a plain buffer, or released twice)",
				  buf->path[0] ? " on " : "", buf->path);
	if (la_buffer_is_mapped(buf))
		return la_why_set(why, -EBUSY, "pool: buffer on %s is still mapped; "
				  "la_buffer_unmap() it before releasing", buf->path);
	buf->pool_out = false;
	if (buf->pool_gen != pool->st.generation) {
		pool->st.stale--;
		pool->st.freed++;
		live_remove(pool, buf);
		*drop = true;
	} else if (pool->st.idle >= pool->max_idle) {
		pool->current--;
		pool->st.freed++;
		live_remove(pool, buf);
		*drop = true;
	} else {
		pool->idle[pool->st.idle++] = buf;
	}
	update_counts(pool);
	return 0;
}

LA_EXPORT int la_pool_release(struct la_pool *pool, struct la_buffer *buf)
{
	struct la_why why; /* cleared, not zeroed: this runs per frame */
	bool drop = false;
	int ret;

	if (!pool || !buf)
		return -EINVAL;
	la_why_clear(&why);
	pthread_mutex_lock(&pool->lock);
	ret = release(pool, buf, &drop, &why);
	pthread_mutex_unlock(&pool->lock);
	if (drop)
		la_buffer_free(buf);
	return ret < 0 ? la_publish(&why, ret) : 0;
}

/* la_buffer_destroy() of a buffer a pool holds (lent, or idle by mistake). */
void la_pool_forget(struct la_buffer *buf)
{
	struct la_pool *pool = pool_of(buf);

	pthread_mutex_lock(&pool->lock);
	if (buf->pool_out && buf->pool_gen != pool->st.generation) {
		pool->st.stale--;
	} else {
		for (uint32_t i = 0; !buf->pool_out && i < pool->st.idle; i++) {
			if (pool->idle[i] == buf)
				pool->idle[i] = pool->idle[--pool->st.idle];
		}
		pool->current--;
	}
	live_remove(pool, buf);
	update_counts(pool);
	pthread_mutex_unlock(&pool->lock);
}

/* Under the lock: idle buffers above keep go to *gone (n returned). */
static uint32_t trim(struct la_pool *pool, uint32_t keep, struct la_buffer **gone)
{
	uint32_t n = 0;

	while (pool->st.idle > keep)
		gone[n++] = drop_idle(pool);
	update_counts(pool);
	return n;
}

static void free_all(struct la_buffer **bufs, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		la_buffer_free(bufs[i]);
	free(bufs);
}

LA_EXPORT int la_pool_trim(struct la_pool *pool, uint32_t keep_idle)
{
	struct la_buffer **gone;
	uint32_t n;

	if (!pool)
		return -EINVAL;
	gone = malloc(pool->max_buffers * sizeof(*gone));
	if (!gone)
		return -ENOMEM;
	pthread_mutex_lock(&pool->lock);
	n = trim(pool, keep_idle, gone);
	pthread_mutex_unlock(&pool->lock);
	free_all(gone, n); /* munmap and close outside the lock */
	return (int)n;
}

LA_EXPORT int la_pool_set_result(struct la_pool *pool, struct la_result *res)
{
	struct la_why why = {0};
	struct la_buffer **gone;
	uint32_t n;
	int ret;

	if (!pool)
		return -EINVAL;
	ret = res ? la_result_allocatable(res, pool->path, &why) : 0;
	if (ret < 0)
		return la_publish(&why, ret);
	gone = malloc(pool->max_buffers * sizeof(*gone));
	if (!gone)
		return -ENOMEM;
	pthread_mutex_lock(&pool->lock);
	n = trim(pool, 0, gone);
	/* what is still lent is of the old shape: freed when it comes back */
	pool->st.stale += pool->current;
	pool->current = 0;
	pool->st.generation++;
	pool->st.buffer_size = 0;
	pool->res = res;
	update_counts(pool);
	pthread_mutex_unlock(&pool->lock);
	free_all(gone, n);
	return 0;
}

LA_EXPORT void la_pool_get_stats(const struct la_pool *pool, struct la_pool_stats *stats)
{
	struct la_pool *p = (struct la_pool *)pool; /* the lock is not the state */

	if (!stats)
		return;
	if (!pool) {
		memset(stats, 0, sizeof(*stats));
		return;
	}
	pthread_mutex_lock(&p->lock);
	*stats = p->st;
	pthread_mutex_unlock(&p->lock);
}
