/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * Test importer for SMAF: lets a test attach a dma-buf on behalf of a real
 * platform device (vgem, vivid.0, ...) without mapping it, and map it
 * later, to exercise "every device attached so far". /dev/smaf_test_importer
 */
#ifndef _SMAF_TEST_IMPORTER_H
#define _SMAF_TEST_IMPORTER_H

#include <linux/ioctl.h>
#include <linux/types.h>

/**
 * struct smaf_test_attach - SMAF_TEST_IOC_ATTACH argument
 * @fd:		dma-buf to attach
 * @handle:	out: attachment number for MAP and DETACH
 * @device:	NUL-terminated platform device name, e.g. "vivid.0"
 */
struct smaf_test_attach {
	__s32 fd;
	__u32 handle;
	char device[64];
};

/* attach without mapping: the exporter's attach errno comes back */
#define SMAF_TEST_IOC_ATTACH	_IOWR('s', 0, struct smaf_test_attach)
/* dma_buf_map_attachment(): the exporter's map errno comes back */
#define SMAF_TEST_IOC_MAP	_IOW('s', 1, __u32)
/* unmap if mapped, detach */
#define SMAF_TEST_IOC_DETACH	_IOW('s', 2, __u32)

#endif
