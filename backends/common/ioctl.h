/* SPDX-License-Identifier: MIT */
/*
 * The one ioctl wrapper of the backends and the V4L2 stream helper, header
 * only (each backend is its own .so and links no other backend's code).
 *
 * Both return 0 or -errno and leave errno as the ioctl set it, so a caller
 * may test `< 0` and read errno, or return the value. A non-negative result
 * folds to 0: no ioctl these callers make returns data in its result.
 */
#ifndef LA_BACKEND_COMMON_IOCTL_H
#define LA_BACKEND_COMMON_IOCTL_H

#include <errno.h>
#include <stdbool.h>
#include <sys/ioctl.h>

static inline int be_ioctl_retry(int fd, unsigned long req, void *arg, bool again)
{
	int ret;

	do {
		ret = ioctl(fd, req, arg);
	} while (ret < 0 && (errno == EINTR || (again && errno == EAGAIN)));
	return ret < 0 ? -errno : 0;
}

/*
 * Retried on EINTR only: on a non-blocking V4L2 fd EAGAIN means "no buffer
 * yet" (VIDIOC_DQBUF) and must reach the caller, not spin.
 */
static inline int be_ioctl(int fd, unsigned long req, void *arg)
{
	return be_ioctl_retry(fd, req, arg, false);
}

/*
 * Also retried on EAGAIN, as libdrm's drmIoctl() does: ION and SMAF
 * allocations may ask to be tried again under memory pressure.
 */
static inline int be_ioctl_again(int fd, unsigned long req, void *arg)
{
	return be_ioctl_retry(fd, req, arg, true);
}

#endif
