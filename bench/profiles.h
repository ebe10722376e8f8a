/* SPDX-License-Identifier: MIT */
/*
 * The devices the negotiation benchmark negotiates between, as candidate
 * lists a backend would report. The same arrays feed liballoc (through
 * la_capset_add_candidate) and the nested-loop baseline, so both see the
 * same data in the same order.
 */
#ifndef BENCH_PROFILES_H
#define BENCH_PROFILES_H

#include <liballoc/liballoc.h>

struct bench_device {
	char label[64];
	const char *driver;
	uint64_t usage;
	struct la_candidate *cands; /* in the device's preference order */
	size_t n;
};

enum bench_profile {
	BENCH_DISPLAY, /* KMS planes: 60 formats x 8 modifiers (LINEAR + 7 Intel tilings) */
	BENCH_CAMERA,  /* V4L2 capture: 40 formats, LINEAR only, 32-bit DMA */
	BENCH_GPU,     /* render + sample: 80 formats x 12 modifiers */
};

/* 0 or -ENOMEM. */
int bench_profile_device(enum bench_profile p, struct bench_device *out);

/*
 * Synthetic devices for the scaling curves: each of n_devices offers m
 * (format, modifier) pairs drawn from the real fourccs x vendor modifiers;
 * half of them (m/2) are offered by every device, the rest by that device
 * only, and each list is shuffled with its own seed. -E2BIG when there are
 * not enough distinct pairs.
 */
int bench_synthetic_devices(size_t m, size_t n_devices, struct bench_device *out);

void bench_device_fini(struct bench_device *d);
int bench_device_capset(const struct bench_device *d, struct la_capset **out);

#endif
