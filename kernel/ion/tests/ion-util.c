// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/dma-buf.h>

#include "ion-util.h"

bool check_errno(int ret, int want, const char *what)
{
	int err = ret < 0 ? errno : 0;

	if (!want)
		return vm_check(ret >= 0, "%s succeeds%s%s", what, err ? ": " : "",
			     err ? strerror(err) : "");
	return vm_check(ret < 0 && err == want, "%s fails with %s (got %s)", what,
		     strerrorname_np(want), ret < 0 ? strerrorname_np(err) : "success");
}

static const char *const abi_names[] = {
	[ABI_LEGACY] = "legacy",
	[ABI_LEGACY_NOQUERY] = "legacy-noquery",
	[ABI_MODERN] = "modern",
};

const char *abi_name(enum ion_abi abi)
{
	return abi_names[abi];
}

enum ion_abi parse_abi_arg(int argc, char **argv)
{
	char sys[32] = "";
	int i, a;

	for (i = 1; i + 1 < argc; i++) {
		if (strcmp(argv[i], "--abi"))
			continue;
		for (a = 0; a < 3; a++) {
			if (strcmp(argv[i + 1], abi_names[a]))
				continue;
			/* The module must have been loaded with what the test asked. */
			if (!ion_param("abi", sys, sizeof(sys)) || strcmp(sys, abi_names[a]))
				vm_fatal("module parameter abi is '%s', the test expects '%s'",
				      sys, abi_names[a]);
			return a;
		}
		vm_fatal("unknown ABI '%s'", argv[i + 1]);
	}
	vm_fatal("usage: %s --abi legacy|legacy-noquery|modern", argv[0]);
}

int ion_open(void)
{
	int fd = open("/dev/ion", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		vm_fatal("open /dev/ion: %s (is %s.ko loaded?)", strerror(errno), ION_MODULE);
	return fd;
}

bool ion_is_legacy(int ion)
{
	struct ion_handle_data d = { .handle = 0 };

	return !(ioctl(ion, ION_IOC_FREE, &d) < 0 && errno == ENOTTY);
}

struct ion_heap_data *ion_heaps(int ion, unsigned int *n)
{
	struct ion_heap_query q = { 0 };
	struct ion_heap_data *h;

	if (ioctl(ion, ION_IOC_HEAP_QUERY, &q) < 0)
		return NULL;
	h = calloc(q.cnt ? q.cnt : 1, sizeof(*h));
	if (!h)
		return NULL;
	q.heaps = (uintptr_t)h;
	if (ioctl(ion, ION_IOC_HEAP_QUERY, &q) < 0) {
		free(h);
		return NULL;
	}
	*n = q.cnt;
	return h;
}

int ion_heap_id(int ion, const char *name)
{
	struct ion_heap_data *h;
	unsigned int i, n;
	int id = -1;

	h = ion_heaps(ion, &n);
	if (!h)
		return -1;
	for (i = 0; i < n; i++)
		if (!strcmp(h[i].name, name))
			id = h[i].heap_id;
	free(h);
	return id;
}

void ion_param_heap_ids(unsigned int ids[3])
{
	char buf[64];

	if (!ion_param("heap_ids", buf, sizeof(buf)) ||
	    sscanf(buf, "%u,%u,%u", &ids[0], &ids[1], &ids[2]) != 3)
		vm_fatal("cannot read the heap_ids parameter ('%s')", buf);
}

int ion_legacy_alloc(int ion, size_t len, size_t align, unsigned int mask,
		     unsigned int flags, ion_user_handle_t *handle)
{
	struct ion_legacy_allocation_data d = {
		.len = len, .align = align, .heap_id_mask = mask, .flags = flags,
	};

	if (ioctl(ion, ION_IOC_LEGACY_ALLOC, &d) < 0)
		return -1;
	*handle = d.handle;
	return 0;
}

int ion_legacy_free(int ion, ion_user_handle_t handle)
{
	struct ion_handle_data d = { .handle = handle };

	return ioctl(ion, ION_IOC_FREE, &d);
}

int ion_legacy_share(int ion, unsigned long cmd, ion_user_handle_t handle, int *fd)
{
	struct ion_fd_data d = { .handle = handle, .fd = -1 };

	if (ioctl(ion, cmd, &d) < 0)
		return -1;
	*fd = d.fd;
	return 0;
}

int ion_legacy_import(int ion, int fd, ion_user_handle_t *handle)
{
	struct ion_fd_data d = { .fd = fd };

	if (ioctl(ion, ION_IOC_IMPORT, &d) < 0)
		return -1;
	*handle = d.handle;
	return 0;
}

int ion_alloc_fd(int ion, bool legacy, uint64_t len, unsigned int mask,
		 unsigned int flags, int *fd)
{
	struct ion_new_allocation_data d = {
		.len = len, .heap_id_mask = mask, .flags = flags,
	};
	ion_user_handle_t h;
	int ret, err;

	if (!legacy) {
		if (ioctl(ion, ION_IOC_NEW_ALLOC, &d) < 0)
			return -1;
		*fd = d.fd;
		return 0;
	}
	if (len > SIZE_MAX) {
		errno = EINVAL;
		return -1;
	}
	if (ion_legacy_alloc(ion, len, 0, mask, flags, &h) < 0)
		return -1;
	ret = ion_legacy_share(ion, ION_IOC_SHARE, h, fd);
	err = errno;
	if (ion_legacy_free(ion, h) < 0)
		vm_check(false, "FREE of handle %d after SHARE: %s", h, strerror(errno));
	errno = err;
	return ret;
}

long ion_live_buffers(void)
{
	FILE *f = fopen("/sys/kernel/debug/" ION_MODULE "/heaps", "r");
	char line[256];
	long total = 0, n;

	if (!f)
		return -1;
	if (!fgets(line, sizeof(line), f)) {	/* header */
		fclose(f);
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%*u %*u %*s %ld", &n) != 1) {
			fclose(f);
			return -1;
		}
		total += n;
	}
	fclose(f);
	return total;
}

long long dmabuf_size(int fd)
{
	return lseek(fd, 0, SEEK_END);
}

bool ion_param(const char *name, char *buf, size_t len)
{
	return tl_module_param(ION_MODULE, name, buf, len) == 0;
}

int ion_vgem_open(void)
{
	char path[64];
	int fd = vm_open_drm("vgem", "card", path, sizeof(path));

	if (fd < 0)
		vm_fatal("no vgem node in /dev/dri");
	vm_note("vgem is %s", path);
	return fd;
}
