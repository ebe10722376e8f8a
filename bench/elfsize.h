/* SPDX-License-Identifier: MIT */
#ifndef BENCH_ELFSIZE_H
#define BENCH_ELFSIZE_H

#include <stdint.h>

/*
 * Sizes of a shared object. The file size depends on debug info and
 * symbol tables; what a process pays is the loadable segments, so those
 * are reported too.
 */
struct bench_elf_size {
	uint64_t file_bytes;
	uint64_t mapped_bytes; /* sum of PT_LOAD p_memsz */
	uint64_t text_bytes;   /* executable PT_LOAD segments */
};

/* 0, -errno, or -ENOEXEC for anything but a 64-bit ELF file. */
int bench_elf_size(const char *path, struct bench_elf_size *out);

#endif
