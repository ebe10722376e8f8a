// SPDX-License-Identifier: GPL-2.0
/*
 * Several threads on one /dev/ion client at once (run with --smp 2): legacy
 * handles allocated, shared, imported, synced and freed from any thread,
 * racing one another; or, on the new ABI, allocations mapped and imported
 * into vgem concurrently. Only "done" or EINVAL (a handle another thread
 * freed first) are acceptable answers, and nothing may stay allocated.
 * Usage: ion-threads --abi legacy|legacy-noquery|modern
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <xf86drm.h>

#include "ion-util.h"

#define THREADS	4
#define ITERS	600
#define SLOTS	16

static int ion, drm = -1;
static bool legacy;
static unsigned int ids[3];
static atomic_int slots[SLOTS];
static atomic_int bad, ops;

static void expect(int ret, const char *what)
{
	if (ret < 0 && errno != EINVAL && atomic_fetch_add(&bad, 1) < 10)
		printf("FAIL: %s: %s\n", what, strerror(errno));
}

static void touch(int fd)
{
	unsigned char *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

	if (p == MAP_FAILED) {
		expect(-1, "mmap");
		return;
	}
	tl_dmabuf_sync(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW);
	p[0]++;
	tl_dmabuf_sync(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW);
	munmap(p, 4096);
}

static void legacy_op(unsigned int *seed)
{
	int s = rand_r(seed) % SLOTS, fd, h, old;
	ion_user_handle_t h2;

	switch (rand_r(seed) % 5) {
	case 0:
		if (ion_legacy_alloc(ion, 4096 * (1 + rand_r(seed) % 4), 0,
				     1u << ids[rand_r(seed) % 3], rand_r(seed) & 1, &h2) < 0) {
			expect(-1, "ALLOC");
			break;
		}
		old = atomic_exchange(&slots[s], h2);
		if (old)
			expect(ion_legacy_free(ion, old), "FREE of a replaced handle");
		break;
	case 1:
		h = atomic_load(&slots[s]);
		if (h && ion_legacy_share(ion, ION_IOC_SHARE, h, &fd) == 0) {
			touch(fd);
			close(fd);
		} else if (h) {
			expect(-1, "SHARE");
		}
		break;
	case 2:
		h = atomic_load(&slots[s]);
		if (h && ion_legacy_share(ion, ION_IOC_MAP, h, &fd) == 0) {
			if (ion_legacy_import(ion, fd, &h2) == 0)
				expect(ion_legacy_free(ion, h2), "FREE of an import");
			else
				expect(-1, "IMPORT");
			expect(ioctl(ion, ION_IOC_SYNC, &(struct ion_fd_data){ .fd = fd }), "SYNC");
			close(fd);
		}
		break;
	default:
		old = atomic_exchange(&slots[s], 0);
		if (old)
			expect(ion_legacy_free(ion, old), "FREE");
		break;
	}
}

static void modern_op(unsigned int *seed)
{
	uint32_t gh;
	int fd;

	if (ion_alloc_fd(ion, false, 4096 * (1 + rand_r(seed) % 4), 1u << ids[rand_r(seed) % 3],
			 rand_r(seed) & 1, &fd) < 0) {
		expect(-1, "ALLOC");
		return;
	}
	touch(fd);
	if (drm >= 0 && rand_r(seed) % 2) {
		if (drmPrimeFDToHandle(drm, fd, &gh) == 0)
			drmCloseBufferHandle(drm, gh);
		else
			expect(-1, "vgem import");
	}
	close(fd);
}

static void *worker(void *arg)
{
	unsigned int seed = (unsigned int)(uintptr_t)arg * 7919 + 1;

	for (int i = 0; i < ITERS; i++) {
		if (legacy)
			legacy_op(&seed);
		else
			modern_op(&seed);
		atomic_fetch_add(&ops, 1);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	enum ion_abi abi = parse_abi_arg(argc, argv);
	long live = ion_live_buffers();
	pthread_t t[THREADS];
	double start;
	int i;

	legacy = abi != ABI_MODERN;
	ion_param_heap_ids(ids);
	ion = ion_open();
	drm = vm_open_drm("vgem", "card", NULL, 0);
	vm_note("%ld CPUs online", sysconf(_SC_NPROCESSORS_ONLN));
	start = tl_now();
	for (i = 0; i < THREADS; i++)
		if (pthread_create(&t[i], NULL, worker, (void *)(uintptr_t)i))
			vm_fatal("pthread_create");
	for (i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	vm_note("%d operations in %.2f s", atomic_load(&ops), tl_now() - start);
	vm_check(atomic_load(&bad) == 0, "%d unexpected errors", atomic_load(&bad));
	/* Handles still in the slots go with the client. */
	close(ion);
	if (drm >= 0)
		close(drm);
	vm_check(ion_live_buffers() == live, "no buffer left behind (%ld live, %ld before)",
	      ion_live_buffers(), live);
	return vm_exit_status();
}
