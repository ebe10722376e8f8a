/* SPDX-License-Identifier: MIT */
/*
 * The compositor example's wire protocol: one message per SOCK_SEQPACKET
 * packet, a fixed header and a payload; dma-buf fds ride along as
 * SCM_RIGHTS. Capability sets and descriptors travel in liballoc's own
 * versioned binary forms (la_capset_serialize, la_descriptor_serialize),
 * which treat what they read as hostile.
 *
 *   server -> client  HELLO    struct proto_hello
 *   server -> client  CAPSET   one la_capset_serialize() blob, n_sets times
 *   client -> server  BUFFER   uint32 index + la_descriptor_serialize() blob, fds
 *   client -> server  FRAME    uint32 index: show that buffer now
 *   server -> client  RELEASE  uint32 index: no longer on screen, refill it
 *   either            ERROR    text: why the peer gives up
 *   client -> server  DONE     no more frames
 */
#ifndef COMPOSITOR_PROTOCOL_H
#define COMPOSITOR_PROTOCOL_H

#include <stddef.h>
#include <stdint.h>

#define PROTO_MAX_PAYLOAD 65536
#define PROTO_MAX_FDS 4
#define PROTO_MAX_FORMATS 16
#define PROTO_BUFFERS 2

enum proto_type {
	PROTO_HELLO = 1,
	PROTO_CAPSET,
	PROTO_BUFFER,
	PROTO_FRAME,
	PROTO_RELEASE,
	PROTO_ERROR,
	PROTO_DONE,
};

struct proto_hello {
	uint32_t version; /* 1 */
	uint32_t width, height;
	uint32_t frames;  /* how many the server wants to show */
	uint32_t n_sets;  /* CAPSET messages that follow */
	uint32_t n_formats;
	uint32_t formats[PROTO_MAX_FORMATS];
};

/* 0 or a negative errno. fds are borrowed (the kernel dups them in flight). */
int proto_send(int sock, uint32_t type, const void *payload, size_t size, const int *fds,
	       size_t n_fds);
/* Convenience for one uint32 payload. */
int proto_send_u32(int sock, uint32_t type, uint32_t value);

/*
 * Receives one message into buf (PROTO_MAX_PAYLOAD bytes). Received fds
 * (O_CLOEXEC) are owned by the caller. -EPIPE when the peer closed,
 * -EMSGSIZE for a truncated message (its fds closed).
 */
int proto_recv(int sock, uint32_t *type, void *buf, size_t *size, int *fds, size_t *n_fds);

#endif
