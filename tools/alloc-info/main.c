/* SPDX-License-Identifier: MIT */
/*
 * alloc-info: command dispatch, shared option parsing and exit statuses.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc-info.h"

static char last_error[2048];

void ai_error(const struct ai_opts *o, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(last_error, sizeof(last_error), fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s: %s\n", o && o->prog ? o->prog : "alloc-info", last_error);
}

const char *ai_last_error(void)
{
	return last_error;
}

/*
 * Maps liballoc's errnos to the documented statuses: la_negotiate() uses
 * -ENOENT for "no common candidate" and -ENODEV for "no path".
 */
int ai_exit_for(int err)
{
	switch (err) {
	case 0:
		return AI_EXIT_OK;
	case -ENOENT:
		return AI_EXIT_NO_FORMAT;
	case -ENODEV:
		return AI_EXIT_NO_PATH;
	default:
		return AI_EXIT_DEVICE;
	}
}

/* "ENOENT" for scripts that match on it; strerrorname_np needs glibc 2.32. */
const char *ai_errno_name(int err)
{
	static const struct {
		int e;
		const char *name;
	} names[] = {
		{ENOENT, "ENOENT"}, {ENODEV, "ENODEV"}, {EINVAL, "EINVAL"}, {ENOMEM, "ENOMEM"},
		{ENOTSUP, "ENOTSUP"}, {EPERM, "EPERM"},   {EACCES, "EACCES"}, {EIO, "EIO"},
		{EBUSY, "EBUSY"},     {E2BIG, "E2BIG"},   {EOVERFLOW, "EOVERFLOW"},
		{ENOSPC, "ENOSPC"},   {EBADF, "EBADF"},   {ENXIO, "ENXIO"},
	};
	int e = err < 0 ? -err : err;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].e == e)
			return names[i].name;
	return "EUNKNOWN";
}

static const struct option long_options[] = {
	{"help", no_argument, NULL, 'h'},          {"json", no_argument, NULL, 'j'},
	{"size", required_argument, NULL, 's'},    {"format", required_argument, NULL, 'f'},
	{"modifier", required_argument, NULL, 'm'}, {"count", required_argument, NULL, 'n'},
	{"usage", required_argument, NULL, 'u'},   {"save", required_argument, NULL, 'o'},
	{"allocate", no_argument, NULL, 'a'},      {"path", required_argument, NULL, 'p'},
	{"version", no_argument, NULL, 'V'},       {NULL, 0, NULL, 0},
};

static const char *long_name(int c)
{
	for (const struct option *op = long_options; op->name; op++)
		if (op->val == c)
			return op->name;
	return "?";
}

static int take_option(struct ai_opts *o, int c, const char *arg)
{
	switch (c) {
	case 'j':
		o->json = true;
		return 0;
	case 's':
		return ai_parse_size(o, arg, &o->width, &o->height);
	case 'f':
		return ai_parse_formats(o, arg, o->formats, &o->n_formats);
	case 'm':
		return ai_parse_modifiers(o, arg, o->modifiers, &o->n_modifiers);
	case 'n':
		return ai_parse_count(o, arg, &o->count);
	case 'u':
		o->usage = arg;
		return 0;
	case 'o':
		o->save = arg;
		return 0;
	case 'a':
		o->allocate = true;
		return 0;
	case 'p':
		o->path = arg;
		o->allocate = true; /* naming a path means allocating with it */
		return 0;
	}
	return -EINVAL;
}

/*
 * Parses a command's options (allowed: the short letters it accepts) and
 * leaves the operands in argv[*first..argc). Returns 1 after --help.
 */
int ai_parse_options(int argc, char **argv, const char *allowed, struct ai_opts *o,
		     int *first)
{
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "hjs:f:m:n:u:o:ap:", long_options, NULL)) != -1) {
		if (c == 'h') {
			ai_help(stdout, argv[0]);
			return 1;
		}
		if (c == '?' || c == ':') {
			if (optopt && strchr("sfmnuop", optopt))
				ai_error(o, "option --%s needs a value (see --help)",
					 long_name(optopt));
			else
				ai_error(o, "unknown option '%s' (see --help)", argv[optind - 1]);
			return -EINVAL;
		}
		if (!strchr(allowed, c)) {
			ai_error(o, "option --%s does not apply to this command (see --help)",
				 long_name(c));
			return -EINVAL;
		}
		if (take_option(o, c, optarg) < 0)
			return -EINVAL;
	}
	*first = optind;
	return 0;
}

static const struct {
	const char *name;
	int (*run)(int argc, char **argv, struct ai_opts *o);
} commands[] = {
	{"list", ai_cmd_list},
	{"caps", ai_cmd_caps},
	{"negotiate", ai_cmd_negotiate},
};

/*
 * With --json, stdout carries exactly one document even when a command
 * fails before it could build its own (bad arguments, no device).
 */
static int finish(struct ai_opts *o, const char *command, int status)
{
	if (status == AI_EXIT_OK || !o->json || o->printed)
		return status;
	json_object *doc = ai_json_doc(command);
	if (doc && ai_json_add(doc, "error", ai_json_error(status, o->err, last_error)) == 0)
		ai_json_print(o, doc);
	else
		json_object_put(doc);
	return status;
}

int main(int argc, char **argv)
{
	struct ai_opts o = {.prog = "alloc-info"};
	int i = 1;
	static char prog[64];

	/* Options before the command: --json, --help, --version. */
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			ai_help(stdout, NULL);
			return AI_EXIT_OK;
		} else if (!strcmp(argv[i], "--version")) {
			printf("alloc-info %s (JSON schema %d)\n", AI_VERSION, AI_JSON_VERSION);
			return AI_EXIT_OK;
		} else if (!strcmp(argv[i], "--json") || !strcmp(argv[i], "-j")) {
			o.json = true;
		} else {
			ai_error(&o, "unknown option '%s' (see --help)", argv[i]);
			return finish(&o, NULL, AI_EXIT_USAGE);
		}
	}
	if (i >= argc) {
		ai_error(&o, "no command given: list, caps or negotiate (see --help)");
		return finish(&o, NULL, AI_EXIT_USAGE);
	}
	for (size_t c = 0; c < sizeof(commands) / sizeof(commands[0]); c++) {
		if (strcmp(argv[i], commands[c].name) != 0)
			continue;
		snprintf(prog, sizeof(prog), "alloc-info %s", commands[c].name);
		o.prog = prog;
		return finish(&o, commands[c].name, commands[c].run(argc - i, argv + i, &o));
	}
	if (!strcmp(argv[i], "help")) {
		ai_help(stdout, i + 1 < argc ? argv[i + 1] : NULL);
		return AI_EXIT_OK;
	}
	ai_error(&o, "unknown command '%s': list, caps or negotiate (see --help)", argv[i]);
	return finish(&o, NULL, AI_EXIT_USAGE);
}
