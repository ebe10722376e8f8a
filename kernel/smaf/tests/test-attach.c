// SPDX-License-Identifier: GPL-2.0
/*
 * attach: "every device attached so far" with attachments that are not
 * mapped yet, made for the real vgem and vivid.0 devices through
 * smaf_test_importer.ko.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "smaf-test.h"
#include "smaf_test_importer.h"

/* filled before each check that prints fields of struct smaf_buffer_info */
static bool got;

static int imp_attach(int imp, int fd, const char *device, uint32_t *handle)
{
	struct smaf_test_attach a = { .fd = fd };

	snprintf(a.device, sizeof(a.device), "%s", device);
	if (ioctl(imp, SMAF_TEST_IOC_ATTACH, &a))
		return -errno;
	*handle = a.handle;
	return 0;
}

static int imp_op(int imp, unsigned long op, uint32_t handle)
{
	return ioctl(imp, op, &handle) ? -errno : 0;
}

/* vgem and vivid.0 attached, nothing mapped: the CPU's mmap must still
 * take an allocator that vivid.0 accepts */
static void test_cpu_after_two_attaches(int smaf, int imp)
{
	struct smaf_buffer_info bi;
	uint32_t hv, hc;
	void *p;
	int fd;

	if (!vm_check(!smaf_create(smaf, 512 * 1024, SMAF_RDWR, NULL, &fd), "create"))
		return;
	vm_check(!imp_attach(imp, fd, "vgem", &hv), "attach vgem, not mapped");
	vm_check(!imp_attach(imp, fd, "vivid.0", &hc), "attach vivid.0, not mapped");
	got = !smaf_info(smaf, fd, &bi);
	vm_check(got && bi.attachments == 2 && !(bi.flags & SMAF_BUFFER_ALLOCATED),
		 "two attachments, nothing allocated (%u, flags %#x)", bi.attachments, bi.flags);
	p = mmap(NULL, 512 * 1024, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (vm_check(p != MAP_FAILED, "mmap"))
		munmap(p, 512 * 1024);
	got = !smaf_info(smaf, fd, &bi);
	vm_check(got && !strcmp((char *)bi.allocator, "smaf-contig") && bi.segments == 1,
		 "CPU first use with vivid.0 attached picks smaf-contig (%s, %u segments)",
		 bi.allocator, bi.segments);
	vm_check(!imp_op(imp, SMAF_TEST_IOC_MAP, hc), "vivid.0 maps it");
	vm_check(!imp_op(imp, SMAF_TEST_IOC_MAP, hv), "vgem maps it");
	imp_op(imp, SMAF_TEST_IOC_DETACH, hv);
	imp_op(imp, SMAF_TEST_IOC_DETACH, hc);
	got = !smaf_info(smaf, fd, &bi);
	vm_check(got && bi.attachments == 0, "both detached");
	close(fd);
}

/* vivid.0 attached first, vgem maps first: still smaf-contig */
static void test_map_by_other_device(int smaf, int imp)
{
	struct smaf_buffer_info bi;
	uint32_t hv, hc;
	int fd, ret;

	if (!vm_check(!smaf_create(smaf, 256 * 1024, SMAF_RDWR, NULL, &fd), "create"))
		return;
	vm_check(!imp_attach(imp, fd, "vivid.0", &hc), "attach vivid.0, not mapped");
	vm_check(!imp_attach(imp, fd, "vgem", &hv), "attach vgem");
	ret = imp_op(imp, SMAF_TEST_IOC_MAP, hv);
	got = !smaf_info(smaf, fd, &bi);
	vm_check(!ret && got && !strcmp((char *)bi.allocator, "smaf-contig"),
		 "map by vgem with vivid.0 attached picks smaf-contig (%s)", bi.allocator);
	vm_check(!imp_op(imp, SMAF_TEST_IOC_MAP, hc), "vivid.0 maps it");
	imp_op(imp, SMAF_TEST_IOC_DETACH, hv);
	imp_op(imp, SMAF_TEST_IOC_DETACH, hc);
	close(fd);
}

/* late attach: by default the map fails, with refuse_on_attach the attach */
static void test_late(int smaf, int imp)
{
	struct smaf_buffer_info bi;
	uint32_t hv, hc;
	int fd, ret;

	if (!vm_check(!smaf_create(smaf, 256 * 1024, SMAF_RDWR, NULL, &fd), "create"))
		return;
	vm_check(!imp_attach(imp, fd, "vgem", &hv) && !imp_op(imp, SMAF_TEST_IOC_MAP, hv),
		 "vgem attaches and maps");
	got = !smaf_info(smaf, fd, &bi);
	vm_check(got && !strcmp((char *)bi.allocator, "smaf-page"), "smaf-page (%s)",
		 bi.allocator);
	ret = imp_attach(imp, fd, "vivid.0", &hc);
	vm_check(!ret, "late vivid.0 attach gets an attachment (refusal deferred): %s",
		 strerror(-ret));
	if (!ret) {
		ret = imp_op(imp, SMAF_TEST_IOC_MAP, hc);
		vm_check(ret == -EXDEV, "its map fails with EXDEV: %s", strerror(-ret));
		got = !smaf_info(smaf, fd, &bi);
		vm_check(got && bi.attachments == 1, "refused attachment not counted (%u)",
			 bi.attachments);
		imp_op(imp, SMAF_TEST_IOC_DETACH, hc);
	}
	if (vm_check(!tl_module_param_write("smaf", "refuse_on_attach", "1"), "refuse_on_attach=1")) {
		ret = imp_attach(imp, fd, "vivid.0", &hc);
		vm_check(ret == -EXDEV, "late vivid.0 attach fails with EXDEV: %s",
			 strerror(-ret));
		if (!ret)
			imp_op(imp, SMAF_TEST_IOC_DETACH, hc);
		tl_module_param_write("smaf", "refuse_on_attach", "0");
	}
	vm_check(imp_attach(imp, fd, "no-such-device", &hc) == -ENODEV,
		 "importer: unknown device ENODEV");
	imp_op(imp, SMAF_TEST_IOC_DETACH, hv);
	close(fd);
}

int main(void)
{
	long long live0 = smaf_stat(NULL, "live_buffers");
	int smaf = smaf_open();
	int imp = open("/dev/smaf_test_importer", O_RDWR | O_CLOEXEC);
	uint32_t h;
	int fd;

	if (imp < 0)
		vm_fatal("open /dev/smaf_test_importer: %s", strerror(errno));
	test_cpu_after_two_attaches(smaf, imp);
	test_map_by_other_device(smaf, imp);
	test_late(smaf, imp);

	/* attachments left at close are undone by the importer */
	if (vm_check(!smaf_create(smaf, 4096, SMAF_RDWR, NULL, &fd), "create")) {
		vm_check(!imp_attach(imp, fd, "vgem", &h) && !imp_op(imp, SMAF_TEST_IOC_MAP, h),
			 "attach and map, then close everything");
		close(fd);
	}
	close(imp);
	close(smaf);
	smaf_check_no_leak(live0);
	return vm_exit_status();
}
