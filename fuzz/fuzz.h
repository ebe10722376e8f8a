/* SPDX-License-Identifier: MIT */
/*
 * Shared by the fuzz targets: the libFuzzer entry point, a failure macro
 * that names the broken invariant, and a reader that turns fuzz bytes into
 * structured values (reading past the end gives zeros, so every input is
 * a valid program for the target).
 */
#ifndef LA_FUZZ_H
#define LA_FUZZ_H

#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <liballoc/liballoc.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * An invariant failure is a crash for the fuzzing engine: abort() makes
 * libFuzzer and the standalone driver keep the input that caused it.
 */
#define FUZZ_CHECK(cond, ...)                                                         \
	do {                                                                          \
		if (!(cond)) {                                                        \
			fprintf(stderr, "%s:%d: invariant failed: %s: ", __FILE__,     \
				__LINE__, #cond);                                     \
			fprintf(stderr, __VA_ARGS__);                                 \
			fputc('\n', stderr);                                          \
			abort();                                                      \
		}                                                                     \
	} while (0)

struct fuzz_in {
	const uint8_t *p;
	size_t n;
};

static inline uint8_t fin_u8(struct fuzz_in *in)
{
	if (!in->n)
		return 0;
	in->n--;
	return *in->p++;
}

static inline uint64_t fin_bytes(struct fuzz_in *in, unsigned bytes)
{
	uint64_t v = 0;
	for (unsigned i = 0; i < bytes; i++)
		v |= (uint64_t)fin_u8(in) << (8 * i);
	return v;
}

/*
 * Alignments and limits that matter are small, powers of two, or at the
 * edge of overflow; a uniform 64-bit value is almost never any of them.
 */
static inline uint64_t fin_value(struct fuzz_in *in)
{
	static const uint64_t picks[] = {
		0, 0, 0, 0, 1, 2, 3, 4, 6, 8, 16, 48, 64, 100, 256, 4096, 65536,
		UINT64_C(1) << 20, UINT32_MAX, UINT64_C(1) << 32, (UINT64_C(1) << 32) + 1,
		UINT64_MAX / 3, UINT64_MAX,
	};
	uint8_t b = fin_u8(in);

	if (b < 200)
		return picks[b % (sizeof(picks) / sizeof(picks[0]))];
	if (b < 240)
		return fin_bytes(in, 2);
	return fin_bytes(in, 8);
}

static inline uint32_t fin_value32(struct fuzz_in *in)
{
	uint64_t v = fin_value(in);
	return v > UINT32_MAX ? (uint32_t)(v >> 32) | 1 : (uint32_t)v;
}

/* Lowest free fd number: changes if an iteration leaked an fd below it. */
static inline int fuzz_lowest_free_fd(void)
{
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (fd >= 0)
		close(fd);
	return fd;
}

/* Field by field: memcmp would compare struct padding. */
static inline bool fuzz_same_constraints(const struct la_constraints *a,
					 const struct la_constraints *b)
{
	for (int p = 0; p < LA_MAX_PLANES; p++) {
		if (a->pitch_align[p] != b->pitch_align[p] || a->offset_align[p] != b->offset_align[p])
			return false;
	}
	return a->size_align == b->size_align && a->base_align == b->base_align &&
	       a->width_align == b->width_align && a->height_align == b->height_align &&
	       a->max_pitch == b->max_pitch && a->max_size == b->max_size &&
	       a->max_width == b->max_width && a->max_height == b->max_height &&
	       a->dma_addr_bits == b->dma_addr_bits && a->caching == b->caching &&
	       a->flags == b->flags;
}

static inline bool fuzz_same_candidate(const struct la_candidate *a, const struct la_candidate *b)
{
	return a->format == b->format && a->modifier == b->modifier &&
	       a->plane_count == b->plane_count &&
	       fuzz_same_constraints(&a->constraints, &b->constraints);
}

static inline bool fuzz_same_descriptor(const struct la_descriptor *a,
					const struct la_descriptor *b)
{
	if (a->format != b->format || a->modifier != b->modifier || a->width != b->width ||
	    a->height != b->height || a->plane_count != b->plane_count || a->flags != b->flags)
		return false;
	for (int p = 0; p < LA_MAX_PLANES; p++) {
		if (a->planes[p].fd != b->planes[p].fd || a->planes[p].offset != b->planes[p].offset ||
		    a->planes[p].pitch != b->planes[p].pitch || a->planes[p].size != b->planes[p].size)
			return false;
	}
	return true;
}

#endif
