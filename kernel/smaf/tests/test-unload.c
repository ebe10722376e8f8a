// SPDX-License-Identifier: GPL-2.0
/*
 * unload: 1000 create/attach/free cycles leak nothing, module unload is
 * refused while buffers or fds live, SET_SECURE_FLAG without a secure module
 * is EINVAL, and both modules unload once everything is closed.
 * Must run last: it removes smaf_test_secure and smaf.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "smaf-test.h"

static int delete_module(const char *name)
{
	return syscall(SYS_delete_module, name, O_NONBLOCK) ? -errno : 0;
}

static bool module_loaded(const char *name)
{
	char path[128];

	snprintf(path, sizeof(path), "/sys/module/%s", name);
	return access(path, F_OK) == 0;
}

static void test_cycles(int smaf)
{
	const int cycles = 1000;
	long long live0 = smaf_stat(NULL, "live_buffers");
	long long avail0, avail1, slab0, slab1;
	struct timespec t0, t1;
	int i, fd, fails = 0, vgem = vm_vgem_open();

	/* quiet: 1000 debug lines would push older reports out of the log */
	fd = open("/sys/kernel/debug/dynamic_debug/control", O_WRONLY | O_CLOEXEC);
	if (fd >= 0) {
		if (write(fd, "module smaf -p", 14) != 14)
			vm_note("dynamic debug: %s", strerror(errno));
		close(fd);
	}

	/* warm-up: first-use allocations of the kernel's own caches */
	for (i = 0; i < 20; i++) {
		uint32_t h;

		if (!smaf_create(smaf, 64 * 1024, SMAF_RDWR, NULL, &fd)) {
			if (!vm_vgem_import(vgem, fd, &h))
				vm_vgem_close(vgem, h);
			close(fd);
		}
	}
	avail0 = tl_meminfo_kib("MemAvailable");
	slab0 = tl_meminfo_kib("Slab");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < cycles; i++) {
		const char *alloc = i % 4 == 3 ? "smaf-contig" : NULL;
		uint32_t h;

		if (smaf_create(smaf, 64 * 1024 + (i % 7) * 1000, SMAF_RDWR, alloc, &fd)) {
			fails++;
			continue;
		}
		if (vm_vgem_import(vgem, fd, &h))
			fails++;
		else
			vm_vgem_close(vgem, h);
		close(fd);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	avail1 = tl_meminfo_kib("MemAvailable");
	slab1 = tl_meminfo_kib("Slab");
	vm_check(!fails, "%d create/vgem-import/free cycles, %d failures (%.2f s)", cycles,
		 fails, (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
	vm_check(smaf_stat(NULL, "live_buffers") == live0, "no SMAF buffer left");
	vm_check(smaf_stat("smaf-page", "live_bytes") == 0 &&
		 smaf_stat("smaf-contig", "live_bytes") == 0,
		 "no allocator memory left (debugfs live_bytes 0)");
	vm_check(avail0 - avail1 < 4096,
		 "MemAvailable changed by %lld KiB over the cycles (< 4 MiB; 1000 leaked 64 KiB buffers would be 64 MiB)",
		 avail0 - avail1);
	vm_note("Slab changed by %lld KiB", slab1 - slab0);
	vm_check(slab1 - slab0 < 2048, "Slab grew by less than 2 MiB");
	close(vgem);
}

int main(void)
{
	int smaf = smaf_open();
	int fd, ret;

	test_cycles(smaf);

	if (!vm_check(!smaf_create(smaf, 4096, SMAF_RDWR, NULL, &fd), "create"))
		return 1;
	vm_check(!smaf_set_secure(smaf, fd, 1), "buffer made secure");
	ret = delete_module("smaf_test_secure");
	vm_check(ret == -EWOULDBLOCK || ret == -EBUSY,
		 "rmmod smaf_test_secure with a secure buffer alive refused: %s", strerror(-ret));
	ret = delete_module("smaf");
	vm_check(ret == -EWOULDBLOCK || ret == -EBUSY,
		 "rmmod smaf with buffers alive refused: %s", strerror(-ret));
	close(fd);
	ret = delete_module("smaf_test_secure");
	vm_check(!ret && !module_loaded("smaf_test_secure"),
		 "rmmod smaf_test_secure once the buffer is closed: %s", strerror(-ret));

	if (vm_check(!smaf_create(smaf, 4096, SMAF_RDWR, NULL, &fd), "create")) {
		vm_check(smaf_set_secure(smaf, fd, 1) == -EINVAL,
			 "SET_SECURE_FLAG without a secure module: EINVAL");
		vm_check(smaf_set_secure(smaf, fd, 0) == -EINVAL,
			 "SET_SECURE_FLAG 0 without a secure module: EINVAL (as SMAF)");
		close(fd);
	}
	ret = delete_module("smaf");
	vm_check(ret == -EWOULDBLOCK || ret == -EBUSY,
		 "rmmod smaf with /dev/smaf open refused: %s", strerror(-ret));
	vm_check(smaf_stat(NULL, "live_buffers") == 0, "debugfs: no live buffer");
	close(smaf);
	ret = delete_module("smaf");
	vm_check(!ret && !module_loaded("smaf"), "rmmod smaf once everything is closed: %s",
		 strerror(-ret));
	return vm_exit_status();
}
