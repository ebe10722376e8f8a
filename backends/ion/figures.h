/* SPDX-License-Identifier: MIT */
/*
 * Pure text helpers of the heap backend, without I/O so that the unit tests
 * can run them on strings: the /proc/meminfo parser and the sentence that
 * explains a contiguous heap running out, with its figures.
 */
#ifndef LA_ION_FIGURES_H
#define LA_ION_FIGURES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * The field's value in bytes from the text of /proc/meminfo
 * ("CmaFree:   1024 kB"); false if the field is absent or unreadable.
 */
bool meminfo_parse(const char *text, const char *field, uint64_t *bytes);

/* What a contiguous heap that failed with ENOMEM had to give. */
struct contig_figures {
	const char *heap;   /* path name, "ion:dma" */
	uint64_t asked;     /* bytes of the buffer that failed */
	bool known;         /* free and total below are the kernel's figures */
	uint64_t free;
	uint64_t total;
	const char *source; /* where free and total come from */
	const char *grow;   /* how to make the contiguous area bigger */
};

/*
 * "out of contiguous memory: HEAP must give physically contiguous memory;
 * asked A, free F of T (SOURCE); fix: smaller buffers, fewer buffers, or
 * GROW", with "free and total unknown (SOURCE)" when not known. Bytes are
 * printed exactly, with MiB beside from 1 MiB. Returns out.
 */
const char *contig_figures_text(const struct contig_figures *f, char *out, size_t len);

#endif
