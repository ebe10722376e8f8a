/* SPDX-License-Identifier: MIT */
/*
 * Fault injection into the calls liballoc makes (see README.md): the
 * wrappers of faultinj.c count the system calls and heap allocations whose
 * immediate caller is liballoc.so or a backend, and the system calls libdrm
 * makes for a backend, and fail the Nth one.
 */
#ifndef LIBALLOC_TESTS_FAULTINJ_H
#define LIBALLOC_TESTS_FAULTINJ_H

#include <stdbool.h>

enum fi_kind {
	FI_IOCTL = 1u << 0,
	FI_MMAP = 1u << 1,
	FI_OPEN = 1u << 2,   /* open, openat and their 64 and fortified forms */
	FI_MEMFD = 1u << 3,  /* memfd_create */
	FI_DUP = 1u << 4,    /* dup, dup2, dup3, fcntl F_DUPFD / F_DUPFD_CLOEXEC */
	FI_MALLOC = 1u << 5, /* malloc, calloc, realloc */
	FI_ALL = (1u << 6) - 1,
};
#define FI_KINDS 6

/* Starts counting the calls of the kinds in mask from 0, failing the nth
 * (n 0: none, counting only). */
void faultinj_arm(unsigned mask, long n);
/* Stops counting and failing. */
void faultinj_disarm(void);
/* Calls of kind (one FI_ bit) counted since the last arm; FI_ALL: all. */
long faultinj_calls(unsigned kind);
/* Whether the armed fault was injected, and which call it was: "ioctl(fd
 * 5, 0xc01064b2) from liballoc-drm.so+0x3a2f: EIO". */
bool faultinj_hit(void);
const char *faultinj_last(void);
/* The FI_ kind of that call. */
unsigned faultinj_last_kind(void);
/* The kind's name ("ioctl", "malloc", ...) for one FI_ bit. */
const char *faultinj_kind_name(unsigned kind);
/* Whether malloc, calloc and realloc are wrapped in this build. */
bool faultinj_heap_wrapped(void);

#endif
