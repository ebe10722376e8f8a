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
	char *path;
	pthread_mutex_t lock;      /* maps */
	struct la_mapping maps[LA_MAX_PLANES]; /* per plane index of the first plane with that fd */
	int plane_maps[LA_MAX_PLANES];         /* per plane: refs it holds */
	/* the device whose memory it is (owned paths only), for implicit layouts */
	bool has_origin;
	struct la_layout_id origin;
	char origin_label[128];
};

/* Takes ownership of desc's fds (also on failure). */
int la_buffer_wrap(struct la_context *ctx, struct la_descriptor *desc, const char *path,
		   struct la_buffer **out);

#endif
