#include "drmtest.h"

#include <dlfcn.h>
#include <gbm.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

struct la_context *dt_context(void)
{
	struct la_context *ctx;
	int ret = la_context_new(&ctx);

	if (ret < 0)
		vm_fatal("la_context_new: %s", strerror(-ret));
	return ctx;
}

struct la_device *dt_open(struct la_context *ctx, const char *driver, const char *kind)
{
	struct la_device *dev;
	char path[256];
	int fd = vm_open_drm(driver, kind, path, sizeof(path));
	int ret;

	if (fd < 0)
		vm_fatal("no %s node of %s", kind, driver);
	close(fd);
	ret = la_device_open(ctx, path, &dev);
	if (ret < 0)
		vm_fatal("la_device_open %s: %s (%s)", path, strerror(-ret), la_last_diagnosis());
	return dev;
}

void dt_print_result(const struct la_result *res)
{
	char name[32];

	vm_note("diagnosis: %s", la_result_get_diagnosis(res));
	for (size_t i = 0; i < la_result_get_candidate_count(res); i++) {
		struct la_candidate c;
		la_result_get_candidate(res, i, &c);
		vm_note("candidate %zu: %s modifier 0x%llx pitch_align %llu%s", i,
			la_format_name(c.format, name, sizeof(name)), (unsigned long long)c.modifier,
			(unsigned long long)c.constraints.pitch_align[0],
			(int)i == la_result_get_chosen_candidate(res) ? " (chosen)" : "");
	}
	vm_print_paths(res);
}

uint64_t dt_lowbit(uint64_t v)
{
	return v & (~v + 1);
}

int dt_heap_buffer(size_t size)
{
	int fd = tl_heap_alloc(size);

	if (fd < 0)
		vm_fatal("DMA_HEAP_IOCTL_ALLOC %zu from /dev/dma_heap/system: %s", size, strerror(-fd));
	return fd;
}

bool dt_mesa_driver(const char *driver)
{
	char path[512];
	Dl_info info;

	if (!dladdr((void *)gbm_create_device, &info) || !info.dli_fname ||
	    !strrchr(info.dli_fname, '/'))
		vm_fatal("cannot locate libgbm");
	snprintf(path, sizeof(path), "%.*s/dri/%s_dri.so",
		 (int)(strrchr(info.dli_fname, '/') - info.dli_fname), info.dli_fname, driver);
	return access(path, F_OK) == 0;
}
