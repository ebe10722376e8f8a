// SPDX-License-Identifier: GPL-2.0
/*
 * contig_display.ko unloads cleanly: refused while its card is open and
 * while a dma-buf it exported exists (the dma-buf pins the module), done
 * once they are closed with no GEM object left; the card node and the
 * debugfs folder disappear.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <xf86drm.h>

#include "cd-util.h"
#include "testlib.h"
#include "vmtest.h"

static int unload(void)
{
	return syscall(SYS_delete_module, "contig_display", O_NONBLOCK) ? -errno : 0;
}

int main(void)
{
	char node[64];
	int fd = cd_open_card(node, sizeof(node)), buf = -1, ret;
	uint32_t handle, pitch;
	uint64_t size;

	ret = unload();
	vm_check(ret == -EBUSY || ret == -EWOULDBLOCK, "unload with the card open: %s",
		 strerror(-ret));
	if (cd_dumb(fd, 64, 64, 32, &handle, &pitch, &size, NULL) != 0 ||
	    drmPrimeHandleToFD(fd, handle, DRM_CLOEXEC, &buf) != 0)
		vm_fatal("dumb buffer and its dma-buf: %s", strerror(errno));
	close(fd);
	ret = unload();
	vm_check(ret == -EBUSY || ret == -EWOULDBLOCK, "unload with an exported dma-buf: %s",
		 strerror(-ret));
	vm_check(cd_stat("gem_objects") == 1, "the dma-buf keeps one GEM object");
	close(buf);
	vm_check(cd_stat("gem_objects") == 0, "none once it is closed");
	ret = unload();
	vm_check(ret == 0, "unload: %s", strerror(-ret));
	vm_check(access(node, F_OK) != 0, "%s gone", node);
	vm_check(access(CD_DEBUGFS, F_OK) != 0, CD_DEBUGFS " gone");
	return vm_exit_status();
}
