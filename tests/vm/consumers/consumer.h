/* SPDX-License-Identifier: MIT */
/*
 * What the consumer programs (egl.c, vulkan.c) share: a liballoc buffer
 * negotiated for rendering on vgem and filled by the CPU through
 * la_buffer_map(), and the pattern to compare the consumer's pixels with.
 */
#ifndef LIBALLOC_VM_CONSUMER_H
#define LIBALLOC_VM_CONSUMER_H

#include <liballoc/liballoc.h>
#include <stdbool.h>
#include <stdint.h>

/* vgem's render node as a liballoc device; exits the program if absent. */
struct la_device *cs_open_vgem(struct la_context *ctx);

/* Negotiates format at w x h for LA_USAGE_RENDER on dev (and, if
 * pitch_align is not 0, a consumer whose rows must be a multiple of
 * pitch_align bytes apart: a pitch other than w * 4 that the consumer must
 * take from the descriptor), allocates with the best path (printed) and
 * fills plane 0 with cs_pixel() through la_buffer_map(); exits the program
 * on failure. */
struct la_buffer *cs_alloc_filled(struct la_context *ctx, struct la_device *dev,
				  uint32_t format, uint32_t w, uint32_t h, uint64_t pitch_align);

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
