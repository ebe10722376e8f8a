// SPDX-License-Identifier: GPL-2.0
#include "smaf-test.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

int smaf_open(void)
{
	int fd;

	/* the counters live in debugfs */
	if (access("/sys/kernel/debug/smaf", F_OK) &&
	    mount("debugfs", "/sys/kernel/debug", "debugfs", 0, NULL))
		vm_note("mount debugfs: %s", strerror(errno));
	/* the allocation choice is logged at debug level */
	fd = open("/sys/kernel/debug/dynamic_debug/control", O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, "module smaf +p", 14) != 14)
		vm_note("cannot enable SMAF's debug messages: %s", strerror(errno));
	if (fd >= 0)
		close(fd);
	fd = open("/dev/smaf", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		vm_fatal("open /dev/smaf: %s", strerror(errno));
	return fd;
}

int smaf_create(int smaf, uint64_t length, uint32_t flags, const char *name,
		int *fd)
{
	struct smaf_create_data d;
	int ret;

	memset(&d, 0, sizeof(d));
	d.length = length;
	d.flags = flags;
	d.fd = -1;
	if (name)
		snprintf((char *)d.name, sizeof(d.name), "%s", name);
	ret = tl_xioctl(smaf, SMAF_IOC_CREATE, &d);
	if (!ret)
		*fd = d.fd;
	return ret;
}

int smaf_info(int smaf, int fd, struct smaf_buffer_info *info)
{
	memset(info, 0, sizeof(*info));
	info->fd = fd;
	return tl_xioctl(smaf, SMAF_IOC_GET_BUFFER_INFO, info);
}

int smaf_set_secure(int smaf, int fd, unsigned int secure)
{
	struct smaf_secure_flag s;

	memset(&s, 0, sizeof(s));
	s.fd = fd;
	s.secure = secure;
	return tl_xioctl(smaf, SMAF_IOC_SET_SECURE_FLAG, &s);
}

int smaf_get_secure(int smaf, int fd, unsigned int *secure)
{
	struct smaf_secure_flag s;
	int ret;

	memset(&s, 0, sizeof(s));
	s.fd = fd;
	ret = tl_xioctl(smaf, SMAF_IOC_GET_SECURE_FLAG, &s);
	if (!ret)
		*secure = s.secure;
	return ret;
}

long long smaf_stat(const char *allocator, const char *key)
{
	FILE *f = fopen("/sys/kernel/debug/smaf/stats", "r");
	char line[512], name[128];
	long long val = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char *p;

		if (allocator) {
			if (sscanf(line, "allocator %127s", name) != 1 ||
			    strcmp(name, allocator))
				continue;
			p = strstr(line, key);
			if (p && p[strlen(key)] == ' ')
				val = atoll(p + strlen(key) + 1);
		} else if (!strncmp(line, key, strlen(key)) &&
			   line[strlen(key)] == ' ') {
			val = atoll(line + strlen(key) + 1);
		}
	}
	fclose(f);
	return val;
}

void smaf_check_no_leak(long long live_before)
{
	long long live = smaf_stat(NULL, "live_buffers");
	char line[512];
	FILE *f;

	if (vm_check(live == live_before, "no SMAF buffer left behind (%lld live, %lld before)",
		     live, live_before))
		return;
	f = fopen("/sys/kernel/debug/smaf/buffers", "r");
	while (f && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = 0;
		vm_note("left: %s", line);
	}
	if (f)
		fclose(f);
}
