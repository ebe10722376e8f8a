/* Enumeration through the drm backend (drmGetDevices2): every /dev/dri
 * node is found, claimed by "drm" with the driver name the kernel gives
 * (checked against DRM_IOCTL_VERSION here), and only KMS nodes offer
 * scanout. */
#include "drmtest.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <xf86drm.h>

int main(void)
{
	struct la_context *ctx = dt_context();
	struct la_device **devs;
	size_t n, backends = 0;
	int found_vgem_render = 0, found_virtio_card = 0, ret;

	ret = la_context_get_backend_count(ctx, &backends);
	vm_check(ret == 0 && backends >= 1, "%zu backend(s) loaded", backends);
	for (size_t i = 0; i < backends; i++)
		vm_note("backend %s", la_context_get_backend_name(ctx, i));
	ret = la_context_enumerate(ctx, &devs, &n);
	if (ret < 0)
		vm_fatal("la_context_enumerate: %s", strerror(-ret));
	for (size_t i = 0; i < n; i++) {
		const char *path = la_device_get_node(devs[i]);
		const char *driver = la_device_get_driver(devs[i]);
		int fd = open(path, O_RDWR | O_CLOEXEC);
		drmVersionPtr v = fd >= 0 ? drmGetVersion(fd) : NULL;
		bool card = strstr(path, "/card") != NULL;
		struct la_capset *set = NULL;
		struct la_assertion a = {.width = 64, .height = 64};

		if (strcmp(la_device_get_backend(devs[i]), "drm") != 0)
			continue;
		vm_note("device %s", la_device_get_label(devs[i]));
		vm_check(v && strcmp(v->name, driver) == 0, "%s: driver '%s' is the kernel's '%s'",
			 path, driver, v ? v->name : "?");
		found_vgem_render += !strcmp(driver, "vgem") && strstr(path, "renderD");
		found_virtio_card += !strcmp(driver, "virtio_gpu") && card;
		/* scanout only where the kernel has CRTCs */
		ret = la_device_get_capabilities(devs[i], LA_USAGE_SCANOUT, &a, &set);
		bool kms = !strcmp(driver, "virtio_gpu") && card;
		vm_check(kms ? ret == 0 : ret == -ENOTSUP, "%s: scanout %s (%s)", path,
			 ret == 0 ? "offered" : "refused", ret ? la_last_diagnosis() : "ok");
		la_capset_destroy(set);
		drmFreeVersion(v);
		if (fd >= 0)
			close(fd);
	}
	vm_check(found_vgem_render == 1, "vgem render node found by driver name");
	vm_check(found_virtio_card == 1, "virtio_gpu primary node found by driver name");
	la_device_list_free(devs, n);
	la_context_destroy(ctx);
	return vm_exit_status();
}
