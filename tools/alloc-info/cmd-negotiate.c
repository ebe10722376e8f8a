/* SPDX-License-Identifier: MIT */
/*
 * alloc-info negotiate DEVICE:USAGE...: what every device accepts, what was
 * chosen, each allocation path with why it matched or not, and with
 * --allocate the buffers. Live devices and saved capability sets mix: each
 * argument becomes a capability set and la_negotiate_capsets() decides,
 * which is what la_negotiate() does for live devices.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "alloc-info.h"


/*
 * "DEVICE:USAGE": split at the last colon, since /dev/v4l/by-path names
 * contain colons and usage names never do. A saved set may omit the usage.
 */
static int split_arg(const struct ai_opts *o, const char *arg, char *dev, size_t len,
		     const char **usage)
{
	struct stat st;
	const char *colon = strrchr(arg, ':');

	*usage = NULL;
	if (stat(arg, &st) == 0 && S_ISREG(st.st_mode)) {
		snprintf(dev, len, "%s", arg);
		return 0;
	}
	if (!colon || colon == arg || !colon[1] || (size_t)(colon - arg) >= len) {
		ai_error(o, "bad argument '%s': expected DEVICE:USAGE[,USAGE...] such as "
			    "/dev/video0:capture, or a saved capability set file", arg);
		return -EINVAL;
	}
	memcpy(dev, arg, (size_t)(colon - arg));
	dev[colon - arg] = '\0';
	*usage = colon + 1;
	return 0;
}

static int open_all(struct ai_opts *o, struct ai_negotiation *ng, int argc, char **argv)
{
	for (int i = 0; i < argc; i++) {
		char dev[4096];
		const char *usage;
		int ret, status;

		if (split_arg(o, argv[i], dev, sizeof(dev), &usage) < 0)
			return AI_EXIT_USAGE;
		ret = ai_source_open(o, ng->ctx, dev, &ng->src[ng->n]);
		ng->src[ng->n].arg = argv[i]; /* dev is a local copy */
		ng->n++;
		if (ret < 0) {
			o->err = ng->src[ng->n - 1].err;
			return ret == -EINVAL ? AI_EXIT_USAGE : AI_EXIT_DEVICE;
		}
		status = ai_source_capset(o, &ng->src[ng->n - 1], usage, &ng->a,
					  &ng->sets[ng->n - 1], &o->err);
		if (status != AI_EXIT_OK)
			return status;
	}
	return AI_EXIT_OK;
}

static void free_buffers(struct ai_negotiation *ng)
{
	for (size_t i = 0; i < ng->n_bufs; i++)
		la_buffer_destroy(ng->bufs[i]);
	ng->n_bufs = 0;
}

/* Returns an exit status; the reason stays in ng->alloc_diag for the output. */
static int allocate(struct ai_opts *o, struct ai_negotiation *ng)
{
	size_t count = o->count ? o->count : 1;
	int ret = 0;

	if (!o->path) {
		ret = la_allocate_set(ng->res, ng->bufs, count);
		ng->n_bufs = ret == 0 ? count : 0;
	}
	for (size_t i = 0; o->path && ret == 0 && i < count; i++) {
		ret = la_allocate_with_path(ng->res, o->path, &ng->bufs[i]);
		ng->n_bufs += ret == 0;
	}
	if (ret == 0)
		return AI_EXIT_OK;
	snprintf(ng->alloc_diag, sizeof(ng->alloc_diag), "%s",
		 la_last_diagnosis()[0] ? la_last_diagnosis() : strerror(-ret));
	free_buffers(ng);
	ng->alloc_err = ret;
	o->err = ret;
	if (o->path && ret == -ENOENT) {
		ai_error(o, "no path named '%s' in this negotiation (the paths are listed above "
			    "or in the \"paths\" array)", o->path);
		return AI_EXIT_USAGE;
	}
	if (o->path && ret == -EINVAL) {
		ai_error(o, "path %s does not serve this negotiation: %s", o->path, ng->alloc_diag);
		return AI_EXIT_NO_PATH;
	}
	ai_error(o, "allocation failed: %s", ng->alloc_diag);
	return AI_EXIT_DEVICE;
}

static bool offline(const struct ai_negotiation *ng)
{
	for (size_t i = 0; i < ng->n; i++)
		if (ng->src[i].device)
			return false;
	return true;
}

static int check_args(const struct ai_opts *o, int operands)
{
	if (operands < 1) {
		ai_error(o, "expected at least one DEVICE:USAGE (see --help)");
		return -EINVAL;
	}
	if (operands > LA_MAX_DEVICES) {
		ai_error(o, "%d devices given, at most %d", operands, LA_MAX_DEVICES);
		return -EINVAL;
	}
	if (!o->width) {
		ai_error(o, "--size is needed (e.g. --size 1280x720)");
		return -EINVAL;
	}
	return 0;
}

int ai_cmd_negotiate(int argc, char **argv, struct ai_opts *o)
{
	struct ai_negotiation *ng = calloc(1, sizeof(*ng));
	int first, ret, status;

	if (!ng) {
		ai_error(o, "out of memory");
		return AI_EXIT_DEVICE;
	}
	ret = ai_parse_options(argc, argv, "jsfmnap", o, &first);
	if (ret || check_args(o, argc - first) < 0) {
		free(ng);
		return ret > 0 ? AI_EXIT_OK : AI_EXIT_USAGE;
	}
	ai_assertion(o, &ng->a);
	if ((ret = la_context_new(&ng->ctx)) < 0) {
		o->err = ret;
		ai_error(o, "cannot create a liballoc context: %s", strerror(-ret));
		status = AI_EXIT_DEVICE;
		goto out;
	}
	status = open_all(o, ng, argc - first, argv + first);
	if (status != AI_EXIT_OK)
		goto out;
	if (o->allocate && offline(ng)) {
		ai_error(o, "every DEVICE is a saved capability set: there is no device to "
			    "allocate for offline (drop --allocate/--path)");
		status = AI_EXIT_USAGE;
		goto out;
	}
	ng->neg_err = la_negotiate_capsets(ng->ctx, &ng->a, ng->sets, ng->n, &ng->res);
	status = ai_exit_for(ng->neg_err);
	if (!ng->res) {
		o->err = ng->neg_err;
		ai_error(o, "negotiation failed: %s", la_last_diagnosis());
		goto out;
	}
	if (status != AI_EXIT_OK) {
		o->err = ng->neg_err;
		ai_error(o, "%s", la_result_get_diagnosis(ng->res));
	} else if (o->allocate) {
		status = allocate(o, ng);
	}
	ret = o->json ? ai_negotiate_json(o, ng, status) : ai_negotiate_text(o, ng);
	if (ret < 0 && status == AI_EXIT_OK)
		status = AI_EXIT_DEVICE;
out:
	free_buffers(ng);
	la_result_destroy(ng->res);
	for (size_t i = 0; i < ng->n; i++) {
		la_capset_destroy(ng->sets[i]);
		ai_source_close(&ng->src[i]);
	}
	la_context_destroy(ng->ctx);
	free(ng);
	return status;
}
