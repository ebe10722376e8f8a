/* SPDX-License-Identifier: MIT */
/*
 * What the consumer programs (egl.c, vulkan.c) share: a liballoc buffer
 * negotiated for a device and filled by the CPU through la_buffer_map(),
 * and the patterns to compare the consumer's pixels with.
 */
#ifndef LIBALLOC_VM_CONSUMER_H
#define LIBALLOC_VM_CONSUMER_H

#include <liballoc/liballoc.h>
#include <stdbool.h>
#include <stdint.h>

/* vgem's render node as a liballoc device; exits the program if absent. */
struct la_device *cs_open_vgem(struct la_context *ctx);

/* Negotiates format at w x h for usage on dev and, if pitch_align is not 0,
 * a consumer whose rows must be a multiple of pitch_align bytes apart (a
 * pitch the consumer must take from the descriptor), allocates with the
 * best path and prints the buffer's layout; exits the program on failure. */
struct la_buffer *cs_alloc(struct la_context *ctx, struct la_device *dev, uint64_t usage,
			   uint32_t format, uint32_t w, uint32_t h, uint64_t pitch_align);
/* Fills plane 0 of a 32-bit RGB buffer with cs_pixel() through la_buffer_map(). */
void cs_fill_pixels(struct la_buffer *buf);

/* Bytes of pixel data in one row, and rows, of plane p of d (liballoc's
 * format table: chroma planes subsampled). */
void cs_plane_extent(const struct la_descriptor *d, uint32_t p, uint32_t *row_bytes,
		     uint32_t *rows);
/* The 32-bit pixel the CPU writes at (x, y): every byte varies with x or y,
 * so a wrong pitch, offset, byte order or flip shows. */
uint32_t cs_pixel(uint32_t x, uint32_t y);

/* Compares w x h pixels of 4 bytes at data (rows pitch bytes apart) with
 * want(x, y), after masking each with mask; prints the first mismatches
 * and returns how many pixels differ. */
uint64_t cs_compare(const uint8_t *data, uint64_t pitch, uint32_t w, uint32_t h, uint32_t mask,
		    uint32_t (*want)(uint32_t x, uint32_t y), const char *what);

/* The bytes R, G, B, A of cs_pixel() read as XRGB8888 (B, G, R, X in
 * memory), i.e. what a GL_RGBA / GL_UNSIGNED_BYTE read of the texture
 * gives as a little-endian word (alpha 0xff: X is not alpha). */
uint32_t cs_pixel_as_rgba(uint32_t x, uint32_t y);

#endif
