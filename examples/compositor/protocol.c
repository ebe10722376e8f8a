/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "protocol.h"

struct header {
	uint32_t type;
	uint32_t size;
};

int proto_send(int sock, uint32_t type, const void *payload, size_t size, const int *fds,
	       size_t n_fds)
{
	struct header h = {type, (uint32_t)size};
	struct iovec iov[2] = {{&h, sizeof(h)}, {(void *)payload, size}};
	union {
		char buf[CMSG_SPACE(sizeof(int) * PROTO_MAX_FDS)];
		struct cmsghdr align;
	} ctl;
	struct msghdr msg = {.msg_iov = iov, .msg_iovlen = size ? 2 : 1};
	ssize_t n;

	if (size > PROTO_MAX_PAYLOAD || n_fds > PROTO_MAX_FDS)
		return -EINVAL;
	if (n_fds) {
		struct cmsghdr *c;
		memset(&ctl, 0, sizeof(ctl));
		msg.msg_control = ctl.buf;
		msg.msg_controllen = CMSG_SPACE(sizeof(int) * n_fds);
		c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * n_fds);
		memcpy(CMSG_DATA(c), fds, sizeof(int) * n_fds);
	}
	do
		n = sendmsg(sock, &msg, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	return (size_t)n == sizeof(h) + size ? 0 : -EIO;
}

int proto_send_u32(int sock, uint32_t type, uint32_t value)
{
	return proto_send(sock, type, &value, sizeof(value), NULL, 0);
}

static void take_fds(struct msghdr *msg, int *fds, size_t *n_fds)
{
	*n_fds = 0;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(msg); c; c = CMSG_NXTHDR(msg, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		size_t n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < n; i++) {
			int fd;
			memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
			if (*n_fds < PROTO_MAX_FDS)
				fds[(*n_fds)++] = fd;
			else
				close(fd);
		}
	}
}

int proto_recv(int sock, uint32_t *type, void *buf, size_t *size, int *fds, size_t *n_fds)
{
	struct header h;
	struct iovec iov[2] = {{&h, sizeof(h)}, {buf, PROTO_MAX_PAYLOAD}};
	union {
		char buf[CMSG_SPACE(sizeof(int) * PROTO_MAX_FDS)];
		struct cmsghdr align;
	} ctl;
	struct msghdr msg = {.msg_iov = iov, .msg_iovlen = 2, .msg_control = ctl.buf,
			     .msg_controllen = sizeof(ctl.buf)};
	ssize_t n;

	/*
	 * A peer that closes with our messages unread leaves ECONNRESET, which
	 * a SEQPACKET recv reports before the packets it sent last (and
	 * clears): read on, its DONE may still be queued.
	 */
	int resets = 0;
	do
		n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
	while (n < 0 && (errno == EINTR || (errno == ECONNRESET && resets++ == 0)));
	if (n < 0)
		return -errno;
	if (n == 0)
		return -EPIPE;
	take_fds(&msg, fds, n_fds);
	if ((msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) || (size_t)n < sizeof(h) ||
	    h.size != (size_t)n - sizeof(h)) {
		for (size_t i = 0; i < *n_fds; i++)
			close(fds[i]);
		*n_fds = 0;
		return -EMSGSIZE;
	}
	*type = h.type;
	*size = h.size;
	return 0;
}
