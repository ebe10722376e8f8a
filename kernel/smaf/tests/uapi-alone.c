// SPDX-License-Identifier: GPL-2.0
/*
 * The uapi header compiles alone in userspace (no other include before it)
 * and keeps SMAF v8-v10's layout and ioctl numbers. Runs on the host.
 */
#include "smaf.h"

#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>

_Static_assert(sizeof(struct smaf_create_data) == 128, "create size");
_Static_assert(offsetof(struct smaf_create_data, fd) == 24, "create.fd");
_Static_assert(offsetof(struct smaf_create_data, name) == 32, "create.name");
_Static_assert(sizeof(struct smaf_secure_flag) == 64, "secure size");
_Static_assert(offsetof(struct smaf_secure_flag, secure) == 16, "secure.secure");
_Static_assert(sizeof(struct smaf_info) == 128, "info size");
_Static_assert(offsetof(struct smaf_info, count) == 16, "info.count");
_Static_assert(offsetof(struct smaf_info, ranking) == 20, "info.ranking is v10 reserved2");
_Static_assert(offsetof(struct smaf_info, name) == 24, "info.name");
_Static_assert(sizeof(struct smaf_buffer_info) == 256, "buffer info size");

int main(void)
{
	static const struct {
		const char *name;
		unsigned long got, want;
	} n[] = {
		{ "SMAF_IOC_CREATE", SMAF_IOC_CREATE, 0xc0805300 },
		{ "SMAF_IOC_GET_SECURE_FLAG", SMAF_IOC_GET_SECURE_FLAG, 0xc0405301 },
		{ "SMAF_IOC_SET_SECURE_FLAG", SMAF_IOC_SET_SECURE_FLAG, 0xc0405302 },
		{ "SMAF_IOC_GET_INFO", SMAF_IOC_GET_INFO, 0xc0805303 },
		{ "SMAF_IOC_GET_BUFFER_INFO", SMAF_IOC_GET_BUFFER_INFO, 0xc1005304 },
	};
	unsigned int i, bad = 0;

	/* numbers of SMAF v10 on the generic _IOC encoding (x86, arm, riscv) */
	for (i = 0; i < sizeof(n) / sizeof(n[0]); i++) {
		printf("%s %s = %#lx\n", n[i].got == n[i].want ? "ok" : "FAIL",
		       n[i].name, n[i].got);
		bad += n[i].got != n[i].want;
	}
	if ((SMAF_RDWR | SMAF_CLOEXEC) != (O_RDWR | O_CLOEXEC))
		bad++;
	return bad ? 1 : 0;
}
