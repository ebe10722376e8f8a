// SPDX-License-Identifier: GPL-2.0
/*
 * secure: with smaf_test_secure loaded (allow=vgem) a secure buffer refuses
 * every CPU mapping, admits vgem and refuses vivid.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/dma-buf.h>

#include "smaf-test.h"

/* filled before each check that prints fields of struct smaf_buffer_info */
static bool got;

int main(void)
{
	long long live0 = smaf_stat(NULL, "live_buffers");
	int smaf = smaf_open(), vgem = vm_vgem_open();
	struct smaf_buffer_info bi;
	struct vm_vivid v0, v1;
	unsigned int secure = 7;
	const char *step;
	uint32_t h;
	int fd, fd2, ret;
	void *p;

	if (vm_vivid_open(0, 640, 480, &v0) || vm_vivid_open(1, 640, 480, &v1))
		vm_fatal("vivid instances 0 and 1 needed");
	if (!vm_check(!smaf_create(smaf, v0.fmt.fmt.pix.sizeimage, SMAF_RDWR, NULL, &fd),
		      "create"))
		return 1;
	vm_check(smaf_set_secure(smaf, fd, 2) == -EINVAL, "SET_SECURE_FLAG 2: EINVAL");
	ret = smaf_set_secure(smaf, fd, 1);
	if (!vm_check(!ret, "SET_SECURE_FLAG 1 with smaf_test_secure loaded: %s", strerror(-ret)))
		return vm_exit_status();
	vm_check(!smaf_get_secure(smaf, fd, &secure) && secure == 1, "GET_SECURE_FLAG says 1");
	got = !smaf_info(smaf, fd, &bi);
	vm_check(got && (bi.flags & SMAF_BUFFER_SECURE),
		 "GET_BUFFER_INFO: SMAF_BUFFER_SECURE");

	errno = 0;
	p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
	vm_check(p == MAP_FAILED && errno == EPERM, "mmap of a secure buffer: EPERM (%s)",
		 strerror(errno));
	ret = tl_dmabuf_sync(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ);
	vm_check(ret == -EPERM,
		 "DMA_BUF_IOCTL_SYNC (begin_cpu_access) of a secure buffer: EPERM (%s)",
		 strerror(-ret));
	got = !smaf_info(smaf, fd, &bi);
	vm_check(got && !(bi.flags & SMAF_BUFFER_ALLOCATED),
		 "refused CPU access allocated nothing");
	/* vb2-vmalloc vmaps the buffer: refused (vb2 reports EFAULT) */
	ret = vm_vivid_capture(&v1, fd, &step);
	vm_check(ret != 0, "vmap by vivid instance 1 (vmalloc) refused: %s at %s",
		 strerror(-ret), step);
	got = !smaf_info(smaf, fd, &bi);
	vm_check(got && strstr((char *)bi.diag, "vmap"),
		 "diagnostic: \"%s\"", bi.diag);

	/* a device outside the allow list */
	ret = vm_vivid_capture(&v0, fd, &step);
	vm_check(ret != 0 && !strcmp(step, "QBUF"),
		 "vivid.0 (not allowed) refused: %s at %s (vb2 reports map errors as EINVAL)",
		 strerror(-ret), step);
	got = !smaf_info(smaf, fd, &bi);
	vm_check(got && bi.last_error == -EPERM &&
		 strstr((char *)bi.diag, "vivid.0"), "diagnostic: \"%s\"", bi.diag);

	/* the allowed device */
	ret = vm_vgem_import(vgem, fd, &h);
	got = !smaf_info(smaf, fd, &bi);
	if (vm_check(!ret, "vgem (allowed) imports the secure buffer: %s", strerror(-ret))) {
		vm_check(got && (bi.flags & SMAF_BUFFER_ALLOCATED) &&
			 bi.attachments == 1, "allocated for vgem (%s)", bi.allocator);
		vm_check(smaf_set_secure(smaf, fd, 0) == -EBUSY,
			 "clearing the flag once attached: EBUSY");
		vm_vgem_close(vgem, h);
	}
	errno = 0;
	p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
	vm_check(p == MAP_FAILED && errno == EPERM, "still no mmap after allocation: %s",
		 strerror(errno));
	close(fd);

	/* set then clear before use: an ordinary buffer again */
	if (vm_check(!smaf_create(smaf, 8192, SMAF_RDWR, NULL, &fd2), "create")) {
		vm_check(!smaf_set_secure(smaf, fd2, 1) && !smaf_set_secure(smaf, fd2, 0),
			 "set then clear the secure flag before use");
		p = mmap(NULL, 8192, PROT_READ, MAP_SHARED, fd2, 0);
		vm_check(p != MAP_FAILED, "mmap after clearing works");
		if (p != MAP_FAILED)
			munmap(p, 8192);
		vm_check(smaf_set_secure(smaf, fd2, 1) == -EBUSY,
			 "setting the flag on an allocated buffer: EBUSY");
		close(fd2);
	}
	vm_vivid_close(&v0);
	vm_vivid_close(&v1);
	close(vgem);
	close(smaf);
	smaf_check_no_leak(live0);
	return vm_exit_status();
}
