// SPDX-License-Identifier: GPL-2.0
/*
 * race: first uses of one buffer from several threads at once (CPU mmap,
 * DMA_BUF_IOCTL_SYNC, vgem import) allocate it exactly once, and everyone
 * sees the same memory. Run with 2 vCPUs.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/dma-buf.h>

#include "smaf-test.h"

#define ROUNDS 200
#define LEN (64 * 1024)

static pthread_barrier_t start;
static int cur_fd, vgem;
static int errors;

static void *mapper(void *arg)
{
	int i;

	for (i = 0; i < ROUNDS; i++) {
		uint8_t *p;

		pthread_barrier_wait(&start);
		p = mmap(NULL, LEN, PROT_READ | PROT_WRITE, MAP_SHARED, cur_fd, 0);
		if (p == MAP_FAILED) {
			__atomic_add_fetch(&errors, 1, __ATOMIC_RELAXED);
		} else {
			p[0] = 1;
			munmap(p, LEN);
		}
		pthread_barrier_wait(&start);
	}
	return arg;
}

static void *syncer(void *arg)
{
	int i;

	for (i = 0; i < ROUNDS; i++) {
		pthread_barrier_wait(&start);
		if (tl_dmabuf_sync(cur_fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW))
			__atomic_add_fetch(&errors, 1, __ATOMIC_RELAXED);
		tl_dmabuf_sync(cur_fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW);
		pthread_barrier_wait(&start);
	}
	return arg;
}

static void *importer(void *arg)
{
	int i;

	for (i = 0; i < ROUNDS; i++) {
		uint32_t h;

		pthread_barrier_wait(&start);
		if (vm_vgem_import(vgem, cur_fd, &h))
			__atomic_add_fetch(&errors, 1, __ATOMIC_RELAXED);
		else
			vm_vgem_close(vgem, h);
		pthread_barrier_wait(&start);
	}
	return arg;
}

int main(void)
{
	long long live0 = smaf_stat(NULL, "live_buffers");
	int smaf = smaf_open();
	long long a0 = smaf_stat("smaf-page", "allocations");
	pthread_t t[3];
	int i, creates = 0;

	vgem = vm_vgem_open();
	pthread_barrier_init(&start, NULL, 4);
	pthread_create(&t[0], NULL, mapper, NULL);
	pthread_create(&t[1], NULL, syncer, NULL);
	pthread_create(&t[2], NULL, importer, NULL);
	for (i = 0; i < ROUNDS; i++) {
		if (!smaf_create(smaf, LEN, SMAF_RDWR, NULL, &cur_fd))
			creates++;
		pthread_barrier_wait(&start);	/* go */
		pthread_barrier_wait(&start);	/* all done */
		close(cur_fd);
	}
	for (i = 0; i < 3; i++)
		pthread_join(t[i], NULL);
	vm_note("%d online CPUs", (int)sysconf(_SC_NPROCESSORS_ONLN));
	vm_check(creates == ROUNDS && !errors, "%d rounds of concurrent mmap/sync/import: %d errors",
		 ROUNDS, errors);
	vm_check(smaf_stat("smaf-page", "allocations") - a0 == ROUNDS,
		 "exactly one allocation per buffer (%lld for %d buffers)",
		 smaf_stat("smaf-page", "allocations") - a0, ROUNDS);
	close(vgem);
	close(smaf);
	smaf_check_no_leak(live0);
	return vm_exit_status();
}
