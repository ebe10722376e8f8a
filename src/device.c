/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "private.h"

static void device_free(struct la_device *dev)
{
	if (dev->data) {
		la_backend_lock(dev->backend);
		dev->backend->iface->device_close(dev->backend->data, dev->data);
		la_backend_unlock(dev->backend);
	}
	if (dev->fd >= 0)
		close(dev->fd);
	free(dev->node);
	free(dev->label);
	free(dev);
}

static int set_label(struct la_device *dev)
{
	int n = dev->node[0] ? asprintf(&dev->label, "%s (%s)", dev->driver, dev->node)
			     : asprintf(&dev->label, "%s (%u:%u)", dev->driver, major(dev->devnum),
					minor(dev->devnum));
	if (n < 0) {
		dev->label = NULL;
		return -ENOMEM;
	}
	return 0;
}

/*
 * The sysfs subsystem of a character device ("drm", "video4linux", ...):
 * what module manifests name. "" when unknown (no sysfs, not a device
 * node): then every module is asked.
 */
static void device_subsystem(dev_t devnum, char *out, size_t len)
{
	char link[64], target[PATH_MAX];
	ssize_t n;

	out[0] = '\0';
	if (!devnum)
		return;
	snprintf(link, sizeof(link), "/sys/dev/char/%u:%u/subsystem", major(devnum), minor(devnum));
	n = readlink(link, target, sizeof(target) - 1);
	if (n <= 0)
		return;
	target[n] = '\0';
	const char *base = strrchr(target, '/');
	base = base ? base + 1 : target;
	if (strlen(base) < len)
		memcpy(out, base, strlen(base) + 1); /* a longer name is none a manifest has */
}

static int probe_one(struct la_device *dev, struct la_backend *be, struct la_why *why)
{
	struct la_backend_device_info info = {0};
	void *data = NULL;
	int ret;

	la_backend_lock(be);
	la_why_clear(why);
	ret = be->iface->probe(be->data, dev->fd, dev->node, &data, &info, why);
	la_backend_unlock(be);
	if (ret == -ENODEV)
		return ret;
	if (ret < 0) {
		la_why_prefix(why, "%s: backend '%s' refused it", dev->node, be->name);
		return ret;
	}
	dev->backend = be;
	dev->data = data;
	dev->usages = info.usages;
	memcpy(dev->driver, info.driver, sizeof(dev->driver));
	dev->driver[sizeof(dev->driver) - 1] = '\0';
	if (!dev->driver[0])
		snprintf(dev->driver, sizeof(dev->driver), "%s", be->name);
	if (be->iface->layout_domain) {
		la_backend_lock(be);
		be->iface->layout_domain(be->data, data, dev->layout_domain,
					 sizeof(dev->layout_domain));
		la_backend_unlock(be);
		dev->layout_domain[sizeof(dev->layout_domain) - 1] = '\0';
	}
	return 0;
}

/*
 * Asks each loaded backend in turn, in search-path order, skipping those
 * asked before (tried, one flag per slot); the first that claims the node
 * owns it.
 */
static int probe_loaded(struct la_device *dev, bool *tried, struct la_why *why)
{
	struct la_context *ctx = dev->ctx;

	for (size_t i = 0; i < ctx->n_backends; i++) {
		struct la_backend *be = la_loader_backend(ctx, i);
		int ret;

		if (!be || tried[i])
			continue;
		tried[i] = true;
		ret = probe_one(dev, be, why);
		if (ret != -ENODEV)
			return ret;
	}
	return -ENODEV;
}

/*
 * The modules whose manifests claim the node's subsystem first; if none of
 * them claims it, every other module too (a manifest may be incomplete).
 */
static int probe_backends(struct la_device *dev, struct la_why *why)
{
	struct la_context *ctx = dev->ctx;
	char subsystem[32];
	size_t loaded = 0;
	bool *tried;
	int ret;

	device_subsystem(dev->devnum, subsystem, sizeof(subsystem));
	ret = la_loader_load_claimants(ctx, subsystem[0] ? subsystem : NULL, why);
	if (ret < 0)
		return ret;
	tried = calloc(ctx->n_backends ? ctx->n_backends : 1, sizeof(*tried));
	if (!tried)
		return -ENOMEM;
	ret = probe_loaded(dev, tried, why);
	if (ret == -ENODEV && subsystem[0]) {
		ret = la_loader_load_all(ctx, why);
		if (ret == 0)
			ret = probe_loaded(dev, tried, why);
	}
	free(tried);
	if (ret != -ENODEV)
		return ret;
	for (size_t i = 0; i < ctx->n_backends; i++)
		loaded += la_loader_backend(ctx, i) != NULL;
	return la_why_set(why, -ENODEV,
			  "%s: no backend recognises this device (%zu backend(s) loaded)",
			  dev->node[0] ? dev->node : "fd", loaded);
}

static int open_common(struct la_context *ctx, int fd, const char *node, struct la_device **out,
		       struct la_why *why)
{
	struct la_device *dev;
	struct stat st;
	int ret;

	dev = calloc(1, sizeof(*dev));
	if (!dev) {
		close(fd);
		return -ENOMEM;
	}
	dev->refcount = 1;
	dev->ctx = ctx;
	dev->fd = fd;
	dev->node = strdup(node ? node : "");
	if (!dev->node) {
		ret = -ENOMEM;
		goto fail;
	}
	if (fstat(fd, &st) != 0) {
		ret = -errno;
		la_why_set(why, ret, "%s: fstat: %s", dev->node, strerror(-ret));
		goto fail;
	}
	/* Only a character device has an identity another process can name. */
	dev->devnum = S_ISCHR(st.st_mode) ? st.st_rdev : 0;
	ret = probe_backends(dev, why);
	if (ret < 0)
		goto fail;
	ret = set_label(dev);
	if (ret < 0)
		goto fail;
	la_dbg(ctx, "opened %s with backend '%s'", dev->label, dev->backend->name);
	*out = dev;
	return 0;
fail:
	device_free(dev);
	return ret;
}

static int device_open(struct la_context *ctx, const char *node, struct la_device **out,
		       struct la_why *why)
{
	int fd = open(node, O_RDWR | O_CLOEXEC);

	if (fd < 0 && (errno == EACCES || errno == EROFS || errno == EISDIR))
		fd = open(node, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		int err = errno;
		return la_why_set(why, -err, "%s: %s%s", node, strerror(err),
				  err == EACCES ? " (add the user to the device's group, e.g. video/render)"
						: "");
	}
	return open_common(ctx, fd, node, out, why);
}

LA_EXPORT int la_device_open(struct la_context *ctx, const char *node, struct la_device **out)
{
	struct la_why why = {0};

	if (!out)
		return -EINVAL;
	*out = NULL;
	if (!ctx || !node)
		return -EINVAL;
	la_diag_clear();
	return la_publish(&why, device_open(ctx, node, out, &why));
}

LA_EXPORT int la_device_open_fd(struct la_context *ctx, int fd, struct la_device **out)
{
	char link[64], node[PATH_MAX];
	ssize_t n;
	int dup_fd;

	if (!out)
		return -EINVAL;
	*out = NULL;
	if (!ctx)
		return -EINVAL;
	if (fd < 0) {
		la_diag("open_fd: %d is not a file descriptor", fd);
		return -EBADF;
	}
	la_diag_clear();
	dup_fd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	if (dup_fd < 0) {
		int err = errno;
		la_diag("fd %d: cannot duplicate: %s", fd, strerror(err));
		return -err;
	}
	snprintf(link, sizeof(link), "/proc/self/fd/%d", dup_fd);
	n = readlink(link, node, sizeof(node) - 1);
	node[n > 0 ? n : 0] = '\0';
	struct la_why why = {0};
	return la_publish(&why, open_common(ctx, dup_fd, node, out, &why));
}

LA_EXPORT struct la_device *la_device_ref(struct la_device *dev)
{
	if (dev)
		__atomic_add_fetch(&dev->refcount, 1, __ATOMIC_RELAXED);
	return dev;
}

LA_EXPORT struct la_device *la_device_unref(struct la_device *dev)
{
	if (dev && __atomic_sub_fetch(&dev->refcount, 1, __ATOMIC_ACQ_REL) == 0)
		device_free(dev);
	return NULL;
}

LA_EXPORT const char *la_device_get_backend(const struct la_device *dev)
{
	return dev ? dev->backend->name : NULL;
}

LA_EXPORT const char *la_device_get_driver(const struct la_device *dev)
{
	return dev ? dev->driver : NULL;
}

LA_EXPORT const char *la_device_get_node(const struct la_device *dev)
{
	return dev ? dev->node : NULL;
}

LA_EXPORT const char *la_device_get_path(const struct la_device *dev)
{
	return la_device_get_node(dev);
}

LA_EXPORT const char *la_device_get_label(const struct la_device *dev)
{
	return dev ? dev->label : NULL;
}

LA_EXPORT dev_t la_device_get_devnum(const struct la_device *dev)
{
	return dev ? dev->devnum : 0;
}

LA_EXPORT int la_device_get_fd(const struct la_device *dev)
{
	return dev ? dev->fd : -1;
}

LA_EXPORT int la_device_usage_from_name(struct la_device *dev, const char *name, uint64_t *bit)
{
	int ret;

	if (!dev || !name || !bit)
		return -EINVAL;
	if (!dev->backend->iface->usage_from_name)
		return -ENOENT;
	struct la_why why = {0};
	la_backend_lock(dev->backend);
	ret = dev->backend->iface->usage_from_name(dev->backend->data, name, bit, &why);
	la_backend_unlock(dev->backend);
	if (ret == 0 && (*bit & ~LA_USAGE_BACKEND_MASK))
		ret = la_why_set(&why, -EPROTO, "backend '%s' returned a core usage bit for '%s'",
				 dev->backend->name, name);
	return la_publish(&why, ret);
}

/* ---- enumeration ---- */

struct node_list {
	char **nodes;
	size_t n_nodes;
	bool failed;
};

static int collect_node(void *data, const char *node)
{
	struct node_list *l = data;
	char **v;

	if (!node)
		return -EINVAL;
	v = realloc(l->nodes, (l->n_nodes + 1) * sizeof(*v));
	if (!v) {
		l->failed = true;
		return -ENOMEM;
	}
	l->nodes = v;
	l->nodes[l->n_nodes] = strdup(node);
	if (!l->nodes[l->n_nodes]) {
		l->failed = true;
		return -ENOMEM;
	}
	l->n_nodes++;
	return 0;
}

static int cmp_node(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void free_nodes(struct node_list *l)
{
	for (size_t i = 0; i < l->n_nodes; i++)
		free(l->nodes[i]);
	free(l->nodes);
}

LA_EXPORT int la_context_enumerate(struct la_context *ctx, struct la_device ***devices, size_t *count)
{
	struct node_list nodes = {0};
	struct la_device **out;
	size_t n = 0;
	int ret;

	if (!devices || !count)
		return -EINVAL;
	*devices = NULL;
	*count = 0;
	if (!ctx)
		return -EINVAL;
	struct la_why why = {0};
	ret = la_loader_load_all(ctx, &why);
	if (ret < 0)
		return la_publish(&why, ret);
	for (size_t i = 0; i < ctx->n_backends; i++) {
		struct la_backend *be = la_loader_backend(ctx, i);
		if (!be || !be->iface->enumerate)
			continue;
		la_why_clear(&why);
		la_backend_lock(be);
		ret = be->iface->enumerate(be->data, collect_node, &nodes, &why);
		la_backend_unlock(be);
		if (ret < 0 && ret != -ENOMEM)
			la_dbg(ctx, "backend '%s' could not enumerate: %s", be->name,
			       la_why_text(&why, ret));
	}
	if (nodes.failed) {
		free_nodes(&nodes);
		return -ENOMEM;
	}
	if (nodes.n_nodes)
		qsort(nodes.nodes, nodes.n_nodes, sizeof(*nodes.nodes), cmp_node);
	out = calloc(nodes.n_nodes ? nodes.n_nodes : 1, sizeof(*out));
	if (!out) {
		free_nodes(&nodes);
		return -ENOMEM;
	}
	for (size_t i = 0; i < nodes.n_nodes; i++) {
		if (i > 0 && strcmp(nodes.nodes[i], nodes.nodes[i - 1]) == 0)
			continue;
		la_why_clear(&why);
		ret = device_open(ctx, nodes.nodes[i], &out[n], &why);
		if (ret == -ENOMEM) {
			la_device_list_free(out, n);
			free_nodes(&nodes);
			return ret;
		}
		if (ret < 0) {
			la_dbg(ctx, "enumerate: skipping %s: %s", nodes.nodes[i], la_why_text(&why, ret));
			continue;
		}
		n++;
	}
	free_nodes(&nodes);
	la_diag_clear();
	*devices = out;
	*count = n;
	return 0;
}

LA_EXPORT void la_device_list_free(struct la_device **devices, size_t count)
{
	if (!devices)
		return;
	for (size_t i = 0; i < count; i++)
		la_device_unref(devices[i]);
	free(devices);
}
