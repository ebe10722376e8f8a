/* SPDX-License-Identifier: MIT */
/*
 * alloc-info: shows what liballoc sees (devices, capability sets,
 * negotiations, allocations) and explains why a buffer cannot be shared.
 * Uses only <liballoc/liballoc.h>: anything it needs beyond that is a gap in
 * the public API, not something to reach around.
 *
 * Internal convention: functions return 0 or a negative errno; the command
 * functions return the process exit status (enum ai_exit).
 */
#ifndef ALLOC_INFO_H
#define ALLOC_INFO_H

#include <json-c/json.h>
#include <liballoc/liballoc.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Documented in --help, the man page and USAGE.md: scripts test them. */
enum ai_exit {
	AI_EXIT_OK = 0,
	AI_EXIT_USAGE = 1,     /* bad arguments, unreadable capability file */
	AI_EXIT_NO_FORMAT = 2, /* no format/modifier every device accepts */
	AI_EXIT_NO_PATH = 3,   /* common format, but no allocation path serves all */
	AI_EXIT_DEVICE = 4,    /* a device or an allocation failed */
};

/* Version of the --json output schema (USAGE.md, "alloc-info --json"). */
#define AI_JSON_VERSION 1

#define AI_MAX_FORMATS 64
#define AI_MAX_MODIFIERS 64

struct ai_opts {
	const char *prog;  /* "alloc-info negotiate": prefix of error messages */
	bool json;
	uint32_t width, height;
	uint32_t formats[AI_MAX_FORMATS];
	size_t n_formats;
	uint64_t modifiers[AI_MAX_MODIFIERS];
	size_t n_modifiers;
	uint32_t count;
	const char *usage;  /* --usage text, parsed per device (backend names) */
	const char *save;   /* caps --save FILE */
	const char *path;   /* negotiate --path NAME */
	bool allocate;
	/* Outcome, for the JSON error document main() prints if the command did not. */
	int err;      /* negative errno behind a failure, 0 if none known */
	bool printed; /* the command wrote its JSON document */
};

/* One DEVICE argument: a live device or a capability set saved as JSON. */
struct ai_source {
	const char *arg;          /* as given, borrowed from argv */
	struct la_device *device; /* NULL for a file */
	char *json;               /* the saved set's text, NULL for a device */
	int err;                  /* why opening failed (negative errno) */
};

/* main.c */
int ai_parse_options(int argc, char **argv, const char *allowed, struct ai_opts *o,
		     int *first);
/* Prints "alloc-info CMD: message" on stderr and remembers it for --json. */
void ai_error(const struct ai_opts *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
const char *ai_last_error(void);
int ai_exit_for(int err);
const char *ai_errno_name(int err);

/* args.c: each prints its own error message and returns -EINVAL. */
int ai_parse_size(const struct ai_opts *o, const char *text, uint32_t *w, uint32_t *h);
int ai_parse_formats(const struct ai_opts *o, const char *text, uint32_t *out, size_t *n);
int ai_parse_modifiers(const struct ai_opts *o, const char *text, uint64_t *out, size_t *n);
int ai_parse_count(const struct ai_opts *o, const char *text, uint32_t *out);
int ai_parse_usage(const struct ai_opts *o, struct la_device *dev, const char *text,
		   uint64_t *usage);
void ai_assertion(const struct ai_opts *o, struct la_assertion *a);

/*
 * source.c. ai_source_open() fails with -EINVAL when the argument itself is
 * wrong (unreadable or invalid capability file) and -ENXIO when the device
 * cannot be opened; either way the reason is already on stderr.
 * ai_source_capset() gives a new set the caller destroys and returns an exit
 * status: AI_EXIT_USAGE for a bad usage or file, AI_EXIT_DEVICE when the
 * device refuses the usage; *err is the errno behind it.
 */
int ai_source_open(const struct ai_opts *o, struct la_context *ctx, const char *arg,
		   struct ai_source *src);
int ai_source_capset(const struct ai_opts *o, struct ai_source *src, const char *usage,
		     const struct la_assertion *a, struct la_capset **out, int *err);
void ai_source_close(struct ai_source *src);

/* text.c: human-readable output on stdout. */
const char *ai_usage_text(uint64_t usage, char *buf, size_t len);
const char *ai_caching_text(uint32_t caching, char *buf, size_t len);
void ai_print_constraints(FILE *f, const struct la_constraints *c);
void ai_print_candidate(FILE *f, const char *indent, const struct la_candidate *c);
/* Label after first, the details on lines indented by indent plus two. */
void ai_print_device_info(FILE *f, const char *first, const char *indent,
			  const struct la_capset_info *info);
void ai_print_paths(FILE *f, const char *indent, const struct la_result *res);
/* memory[i]: index of plane i's dma-buf among the descriptor's distinct ones. */
void ai_plane_memory(const struct la_descriptor *d, int memory[LA_MAX_PLANES]);
void ai_print_buffer(FILE *f, const char *indent, size_t index, const struct la_buffer *buf);

/* json-out.c: json-c objects; the add helpers return -ENOMEM on failure. */
json_object *ai_json_doc(const char *command);
int ai_json_add(json_object *obj, const char *key, json_object *val); /* consumes val */
int ai_json_add_null(json_object *obj, const char *key); /* keys that are always present */
int ai_json_push(json_object *arr, json_object *val);    /* consumes val */
json_object *ai_json_str(const char *s);
json_object *ai_json_usage(uint64_t usage);
json_object *ai_json_constraints(const struct la_constraints *c);
json_object *ai_json_candidate(const struct la_candidate *c);
json_object *ai_json_device_info(const struct la_capset_info *info);
json_object *ai_json_paths(const struct la_result *res);
json_object *ai_json_buffer(const struct la_buffer *buf);
json_object *ai_json_error(int exit_code, int err, const char *message);
/* Prints doc (consumed) on stdout; sets o->printed. */
int ai_json_print(struct ai_opts *o, json_object *doc);

/* One negotiate command: its inputs, the result and any buffers. */
struct ai_negotiation {
	struct la_context *ctx;
	struct ai_source src[LA_MAX_DEVICES];
	struct la_capset *sets[LA_MAX_DEVICES];
	size_t n;
	struct la_assertion a;
	struct la_result *res;
	int neg_err;            /* la_negotiate_capsets() */
	struct la_buffer *bufs[64];
	size_t n_bufs;
	int alloc_err;          /* 0 if no allocation was asked or it worked */
	char alloc_diag[1024];
};

/* negotiate-out.c: the result as text or as the JSON document. */
int ai_negotiate_text(const struct ai_opts *o, const struct ai_negotiation *ng);
int ai_negotiate_json(struct ai_opts *o, const struct ai_negotiation *ng, int status);

/* help.c */
void ai_help(FILE *f, const char *command);

/* Commands: return an enum ai_exit. */
int ai_cmd_list(int argc, char **argv, struct ai_opts *o);
int ai_cmd_caps(int argc, char **argv, struct ai_opts *o);
int ai_cmd_negotiate(int argc, char **argv, struct ai_opts *o);

#endif
