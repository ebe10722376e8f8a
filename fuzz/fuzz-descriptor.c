/* SPDX-License-Identifier: MIT */
/*
 * la_descriptor_deserialize() on hostile bytes with the fds that came with
 * them, then what a receiver does next: wrap the descriptor as a buffer
 * (la_buffer_from_descriptor) and map every plane. The fds are real memfds
 * of different sizes, so a plane the core lets through must really lie
 * inside its memory: the target touches its first and last byte. One of
 * them is not sealed against shrinking and must never be taken.
 *
 * Input: byte 0 = number of fds sent (0..4 used, 5 = one too many), the
 * rest is the blob.
 */
#include <errno.h>
#include <fcntl.h>
#include <liballoc/liballoc.h>
#include <sys/mman.h>

#include "fuzz.h"

#define N_MEMFDS 4
#define UNSEALED 0 /* a memfd its sender could shrink */
static const off_t memfd_sizes[N_MEMFDS] = {4096, 100000, 1, 0};
static int memfds[N_MEMFDS + 1];
static struct la_context *ctx;

static void init(void)
{
	if (ctx)
		return;
	for (int i = 0; i < N_MEMFDS; i++) {
		memfds[i] = memfd_create("fuzz-descriptor", MFD_CLOEXEC | MFD_ALLOW_SEALING);
		if (memfds[i] < 0 || ftruncate(memfds[i], memfd_sizes[i]) < 0)
			abort();
		/* all but the last sealed as a peer's must be; the last is refused */
		if (i != UNSEALED && fcntl(memfds[i], F_ADD_SEALS, F_SEAL_SHRINK) < 0)
			abort();
	}
	memfds[N_MEMFDS] = memfds[0];
	if (la_context_new(&ctx) < 0)
		abort();
}

static void check_shape(const struct la_descriptor *d, size_t n_fds)
{
	FUZZ_CHECK(d->plane_count >= 1 && d->plane_count <= LA_MAX_PLANES, "plane_count %u",
		   d->plane_count);
	for (uint32_t p = 0; p < LA_MAX_PLANES; p++) {
		bool known = false;
		for (size_t i = 0; i < n_fds; i++)
			known |= d->planes[p].fd == memfds[i];
		if (p < d->plane_count)
			FUZZ_CHECK(known, "plane %u fd %d was not among those received", p,
				   d->planes[p].fd);
		else
			FUZZ_CHECK(d->planes[p].fd == -1, "unused plane %u has fd %d", p,
				   d->planes[p].fd);
	}
}

/* What the blob says survives another serialize/deserialize. */
static void check_roundtrip(const struct la_descriptor *d)
{
	struct la_descriptor back;
	int fds[LA_MAX_PLANES];
	size_t n = 0, size = 0;
	void *blob = NULL;

	FUZZ_CHECK(la_descriptor_serialize(d, &blob, &size, fds, &n) == 0, "serialize: %s",
		   la_last_diagnosis());
	FUZZ_CHECK(la_descriptor_deserialize(blob, size, fds, n, &back) == 0, "deserialize: %s",
		   la_last_diagnosis());
	FUZZ_CHECK(fuzz_same_descriptor(&back, d), "descriptor changed through serialization");
	free(blob);
}

static void touch_planes(struct la_buffer *buf, const struct la_descriptor *d)
{
	for (uint32_t p = 0; p < d->plane_count; p++) {
		volatile uint8_t *ptr;
		void *v = NULL;
		int ret = la_buffer_map(buf, p, LA_MAP_READ, &v);
		if (ret < 0) {
			FUZZ_CHECK(v == NULL, "failed map set *data");
			continue;
		}
		ptr = v;
		if (d->planes[p].size) {
			(void)ptr[0];
			(void)ptr[d->planes[p].size - 1];
		}
		FUZZ_CHECK(la_buffer_unmap(buf, p) == 0, "unmap plane %u", p);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct la_descriptor d;
	struct la_buffer *buf = NULL;
	size_t n_fds;
	int free_fd, ret;

	if (size < 1)
		return 0;
	init();
	free_fd = fuzz_lowest_free_fd();
	n_fds = data[0] % (N_MEMFDS + 2);
	ret = la_descriptor_deserialize(data + 1, size - 1, memfds, n_fds, &d);
	if (ret < 0) {
		FUZZ_CHECK(ret == -EINVAL, "unexpected error %d", ret);
		return 0;
	}
	check_shape(&d, n_fds);
	check_roundtrip(&d);
	ret = la_buffer_from_descriptor(ctx, &d, &buf);
	if (ret == 0) {
		for (uint32_t p = 0; p < d.plane_count; p++)
			FUZZ_CHECK(d.planes[p].fd != memfds[UNSEALED], "unsealed memfd accepted");
		touch_planes(buf, &d);
		la_buffer_destroy(buf);
	} else {
		FUZZ_CHECK(buf == NULL, "failure left *out set");
	}
	FUZZ_CHECK(fuzz_lowest_free_fd() == free_fd, "an fd leaked");
	return 0;
}
