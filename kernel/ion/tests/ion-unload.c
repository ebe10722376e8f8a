// SPDX-License-Identifier: GPL-2.0
/*
 * Module unload: refused while /dev/ion is open, while a dma-buf fd exists,
 * and while vgem still holds an imported buffer; done once all are gone.
 * Runs last in a boot: it removes the module.
 * Usage: ion-unload --abi legacy|legacy-noquery|modern
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <xf86drm.h>

#include "ion-util.h"

static int unload(void)
{
	return syscall(SYS_delete_module, ION_MODULE, O_NONBLOCK);
}

int main(int argc, char **argv)
{
	enum ion_abi abi = parse_abi_arg(argc, argv);
	bool legacy = abi != ABI_MODERN;
	unsigned int ids[3];
	int ion, fd, drm = ion_vgem_open();
	uint32_t gh;

	ion_param_heap_ids(ids);
	ion = ion_open();
	check_errno(unload(), EWOULDBLOCK, "unload with /dev/ion open");
	if (!check_errno(ion_alloc_fd(ion, legacy, 65536, 1u << ids[0], 0, &fd), 0, "ALLOC"))
		return vm_exit_status();
	close(ion);
	check_errno(unload(), EWOULDBLOCK, "unload with a dma-buf fd open");
	check_errno(drmPrimeFDToHandle(drm, fd, &gh), 0, "vgem imports it");
	close(fd);
	check_errno(unload(), EWOULDBLOCK, "unload while vgem holds the buffer");
	vm_check(access("/dev/ion", F_OK) == 0, "/dev/ion is still there");
	drmCloseBufferHandle(drm, gh);
	close(drm);
	check_errno(unload(), 0, "unload once all are gone");
	vm_check(access("/dev/ion", F_OK) < 0, "/dev/ion is gone");
	vm_check(access("/sys/module/" ION_MODULE, F_OK) < 0, "the module is gone");
	return vm_exit_status();
}
