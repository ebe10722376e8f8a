/* SPDX-License-Identifier: MIT */
/*
 * Heap nodes as devices, so that enumeration and listings show them. They
 * take part in no negotiation (no get_capabilities: -ENOTSUP): heaps are
 * offered to every negotiation through list_paths instead.
 *
 * A node is recognised by what sysfs says about its device number, not by
 * its path, so that la_device_open_fd() and renamed nodes work too.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "heap.h"

struct heap_device {
	char devname[80];
};

/* DEVNAME= from /sys/dev/char/M:m/uevent: "dma_heap/system", "ion", ... */
static bool read_devname(dev_t rdev, char *out, size_t len)
{
	char path[64], line[160];
	bool found = false;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/dev/char/%u:%u/uevent", major(rdev), minor(rdev));
	f = fopen(path, "re");
	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		if (strncmp(line, "DEVNAME=", 8) != 0)
			continue;
		line[strcspn(line, "\n")] = '\0';
		/* a name that does not fit is none of ours */
		if (strlen(line + 8) >= len)
			break;
		memcpy(out, line + 8, strlen(line + 8) + 1);
		found = true;
	}
	fclose(f);
	return found;
}

int ion_probe(void *backend, int fd, const char *node, void **device,
	      struct la_backend_device_info *info, struct la_why *why)
{
	struct heap_device *d;
	char devname[80];
	const char *driver;
	struct stat st;

	(void)backend;
	(void)node;
	if (fstat(fd, &st) != 0 || !S_ISCHR(st.st_mode) ||
	    !read_devname(st.st_rdev, devname, sizeof(devname)))
		return -ENODEV;
	if (strncmp(devname, "dma_heap/", 9) == 0)
		driver = "dma-heap";
	else if (strcmp(devname, "ion") == 0)
		driver = "ion";
	else if (strcmp(devname, "udmabuf") == 0)
		driver = "udmabuf";
	else
		return -ENODEV;
	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	snprintf(d->devname, sizeof(d->devname), "%s", devname);
	snprintf(info->driver, sizeof(info->driver), "%s", driver);
	info->usages = 0; /* memory, not a user of it */
	*device = d;
	return 0;
}

void ion_device_close(void *backend, void *device)
{
	(void)backend;
	free(device);
}

int ion_enumerate(void *backend, la_enumerate_fn add, void *ctx, struct la_why *why)
{
	struct ion_backend *be = backend;
	char node[PATH_MAX];
	int ret = backend_scan(be);

	for (size_t i = 0; i < be->n_heaps && ret == 0; i++) {
		const struct heap *h = be->heaps[i];
		if (h->kind != HEAP_DMA_HEAP)
			continue;
		snprintf(node, sizeof(node), "/dev/dma_heap/%s", h->kname);
		ret = add(ctx, node);
	}
	if (ret == 0 && access("/dev/ion", F_OK) == 0)
		ret = add(ctx, "/dev/ion");
	if (ret == 0 && access("/dev/udmabuf", F_OK) == 0)
		ret = add(ctx, "/dev/udmabuf");
	return ret;
}
