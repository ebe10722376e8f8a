/* SPDX-License-Identifier: MIT */
/*
 * liballoc-smaf: allocation paths on our SMAF kernel module (/dev/smaf,
 * kernel/smaf/). Private to this backend; see README.md for the rules.
 */
#ifndef LA_SMAF_BACKEND_H
#define LA_SMAF_BACKEND_H

#include <fcntl.h> /* before smaf.h: SMAF_RDWR and SMAF_CLOEXEC are O_RDWR, O_CLOEXEC */
#include <liballoc/backend.h>
#include <stdbool.h>
#include <pthread.h>
#include <stdint.h>

#include "smaf.h"

#define SMAF_NODE "/dev/smaf"
#define SMAF_CONTIG "smaf-contig"
#define SMAF_MAX_ALLOCATORS 16

struct smaf_backend {
	const struct la_backend_host *host;
	int level; /* the context's log level (backend.h: log_level), atomic */
};

#define smaf_log(be, level, ...) (be)->host->log((be)->host->host_data, (level), __VA_ARGS__)
/* per buffer too: with debug off, no call and no arguments built */
#define smaf_dbg(be, ...)                                                          \
	do {                                                                       \
		if (__atomic_load_n(&(be)->level, __ATOMIC_RELAXED) >= LA_LOG_DEBUG) \
			smaf_log(be, LA_LOG_DEBUG, __VA_ARGS__);                   \
	} while (0)
/* The reason a hook hands back (struct la_why, backend.h). */
#define smaf_diag(why, ...) la_why_set(why, 0, __VA_ARGS__)

struct smaf_allocator {
	char name[MAX_NAME_LENGTH];
	uint32_t ranking;
};

/*
 * What one negotiation learnt from /dev/smaf: one open of the node shared
 * by the paths it reported, closed when the last of them is released (so
 * a program that is done negotiating does not pin smaf.ko).
 */
struct smaf_session {
	int refs;
	int fd;
	struct smaf_allocator allocs[SMAF_MAX_ALLOCATORS];
	size_t n_allocs;
	/* learnt at the first negotiation step that needs them: a secure
	 * module's presence (a test buffer) for protected usage, the largest
	 * contiguous block (/proc) for contiguous or low memory. Under lazy:
	 * path_allocate of a LA_PATH_CONCURRENT path may ask from two threads */
	pthread_mutex_t lazy;
	bool secure_known;
	int secure_err;            /* 0: a secure module is registered */
	bool contig_known;
	uint64_t contig_max;       /* largest smaf-contig block, bytes */
	char contig_why[160];      /* where contig_max comes from */
};

/* smaf-session.c: the uapi */
int smaf_session_open(struct smaf_backend *be, struct smaf_session **out, struct la_why *why);
void smaf_session_unref(struct smaf_session *s);
const struct smaf_allocator *smaf_session_find(const struct smaf_session *s, const char *name);
/* "smaf-page (100), smaf-contig (50)" */
void smaf_session_describe(const struct smaf_session *s, char *buf, size_t len);
/* Whether a secure module is registered (0) or why not, probed once per session. */
int smaf_session_secure(struct smaf_backend *be, struct smaf_session *s);
/* The largest smaf-contig block in bytes (contig_why says why), read once per session. */
uint64_t smaf_session_contig_max(struct smaf_backend *be, struct smaf_session *s);
int smaf_create(int smaf, uint64_t length, const char *allocator, int *fd);
int smaf_set_secure(int smaf, int buf_fd);
int smaf_buffer_info(int smaf, int buf_fd, struct smaf_buffer_info *info);
/* 0 if fd is /dev/smaf (char device named "smaf" by the kernel), else -ENODEV. */
int smaf_is_node(int fd);

/* smaf-limits.c */
/* Largest physically contiguous block the kernel can hand smaf-contig. */
uint64_t smaf_contig_limit(char *why, size_t len);

/* smaf-paths.c */
int smaf_list_paths(void *backend, struct la_device *const *devices, void *const *device_data,
		    size_t n, la_path_sink_fn sink, void *sink_data, struct la_why *why);
int smaf_path_match(void *backend, void *path, const struct la_alloc_request *req, int *rank,
		    struct la_why *why);
int smaf_path_allocate(void *backend, void *path, const struct la_alloc_request *req,
		       struct la_descriptor *out, struct la_why *why);
void smaf_path_release(void *backend, void *path);

/* smaf-import.c */
int smaf_import(void *backend, void *device, uint64_t usage, const struct la_descriptor *desc,
		void **imp, struct la_why *why);
int smaf_import_get_property(void *backend, void *imp, const char *name, uint64_t *value,
			     struct la_why *why);
void smaf_import_release(void *backend, void *imp);

/* The claimed /dev/smaf (fd borrowed from the core). */
struct smaf_device {
	int fd;
};

#endif
