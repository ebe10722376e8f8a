// SPDX-License-Identifier: GPL-2.0
/*
 * The dma heap's budget (dma_budget), the stand-in for a CMA area that runs
 * out: filled exactly, one byte more is ENOMEM and leaves nothing behind,
 * freeing gives the bytes back, a mixed mask falls back to another heap,
 * threads racing never push dma_used past the budget nor below 0, and the
 * figures are readable by an unprivileged user.
 * Usage: ion-budget --abi ABI --budget BYTES (what the module was loaded with)
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ion-util.h"

#define NOBODY 65534
#define CHUNKS 4
#define THREADS 4
#define THREAD_ROUNDS 100
/* More than the budget in one thread: each round ends in ENOMEM, for sure. */
#define THREAD_HOLD 24
#define THREAD_SIZE 65536

static long long param_ll(const char *name)
{
	char buf[64];

	if (!ion_param(name, buf, sizeof(buf)))
		return -1;
	return strtoll(buf, NULL, 10);
}

static long long used(void)
{
	return param_ll("dma_used");
}

/* Both figures open and parse as an unprivileged user (mode 0444). */
static void figures_unprivileged(void)
{
	static const char *const names[] = {"dma_budget", "dma_used"};

	for (size_t i = 0; i < 2; i++) {
		char path[128];
		struct stat st;
		snprintf(path, sizeof(path), "/sys/module/%s/parameters/%s", ION_MODULE, names[i]);
		int ret = stat(path, &st);
		vm_check(ret == 0 && (st.st_mode & 0777) == 0444, "%s has mode 0444 (%o)", path,
			 ret == 0 ? (unsigned)(st.st_mode & 0777) : 0u);
	}
	pid_t pid = fork();
	if (pid == 0) {
		if (setresgid(NOBODY, NOBODY, NOBODY) || setresuid(NOBODY, NOBODY, NOBODY))
			_exit(2);
		_exit(param_ll("dma_budget") >= 0 && param_ll("dma_used") >= 0 ? 0 : 1);
	}
	int st = -1;
	waitpid(pid, &st, 0);
	vm_check(WIFEXITED(st) && WEXITSTATUS(st) == 0,
		 "uid %d reads dma_budget and dma_used (status %d)", NOBODY, st);
}

static void fill_exactly(int ion, bool legacy, unsigned int dma, unsigned int sys,
			 long long budget)
{
	int fds[CHUNKS], fd, nfd = tl_fd_count();
	long live = ion_live_buffers();
	uint64_t chunk = (uint64_t)budget / CHUNKS;

	for (int i = 0; i < CHUNKS; i++)
		fds[i] = -1;
	for (int i = 0; i < CHUNKS; i++)
		check_errno(ion_alloc_fd(ion, legacy, chunk, 1u << dma, 0, &fds[i]), 0,
			    "dma heap: chunk within the budget");
	vm_check(used() == budget, "budget filled exactly: dma_used %lld of %lld", used(), budget);
	check_errno(ion_alloc_fd(ion, legacy, 1, 1u << dma, 0, &fd), ENOMEM,
		    "one byte more than the budget");
	vm_check(used() == budget && ion_live_buffers() == live + CHUNKS,
		 "the refused allocation left nothing counted nor allocated");
	vm_check(tl_fd_count() == nfd + CHUNKS, "and no fd");
	if (check_errno(ion_alloc_fd(ion, legacy, 1, (1u << dma) | (1u << sys), 0, &fd), 0,
			"mask of dma and system: falls back to system"))
		close(fd);
	vm_check(used() == budget, "the fallback took nothing from the budget");
	close(fds[0]);
	fds[0] = -1;
	vm_check(used() == budget - (long long)chunk, "freeing a chunk gives it back: dma_used %lld",
		 used());
	check_errno(ion_alloc_fd(ion, legacy, chunk, 1u << dma, 0, &fds[0]), 0,
		    "the freed chunk can be allocated again");
	for (int i = 0; i < CHUNKS; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	vm_check(used() == 0, "all closed: dma_used back to 0 (%lld)", used());
	check_errno(ion_alloc_fd(ion, legacy, (uint64_t)budget + 1, 1u << dma, 0, &fd), ENOMEM,
		    "budget + 1 byte in one buffer");
	if (check_errno(ion_alloc_fd(ion, legacy, (uint64_t)budget, 1u << dma, 0, &fd), 0,
			"the whole budget in one buffer"))
		close(fd);
	vm_check(used() == 0 && ion_live_buffers() == live, "nothing left: dma_used %lld", used());
	vm_check_fds(nfd, "the budget checks");
}

struct racer {
	int ion;
	bool legacy;
	unsigned int dma;
	long long budget;
	int ok, nomem, other;
};

static atomic_bool stop;
static atomic_int over_budget, negative;

static void *race(void *arg)
{
	struct racer *r = arg;
	int held[THREAD_HOLD];

	for (int i = 0; i < THREAD_ROUNDS; i++) {
		int n = 0;
		for (int k = 0; k < THREAD_HOLD; k++) {
			int ret = ion_alloc_fd(r->ion, r->legacy, THREAD_SIZE, 1u << r->dma, 0, &held[n]);
			if (ret == 0)
				n++, r->ok++;
			else if (errno == ENOMEM)
				r->nomem++;
			else
				r->other++;
		}
		while (n)
			close(held[--n]);
	}
	return NULL;
}

static void *watch(void *arg)
{
	long long budget = *(long long *)arg;

	while (!atomic_load(&stop)) {
		long long u = used();
		if (u > budget)
			atomic_fetch_add(&over_budget, 1);
		if (u < 0)
			atomic_fetch_add(&negative, 1);
	}
	return NULL;
}

static void threads(int ion, bool legacy, unsigned int dma, long long budget)
{
	struct racer r[THREADS];
	pthread_t t[THREADS], w;
	int ok = 0, nomem = 0, other = 0;
	long live = ion_live_buffers();

	pthread_create(&w, NULL, watch, &budget);
	for (int i = 0; i < THREADS; i++) {
		r[i] = (struct racer){.ion = ion, .legacy = legacy, .dma = dma, .budget = budget};
		pthread_create(&t[i], NULL, race, &r[i]);
	}
	for (int i = 0; i < THREADS; i++) {
		pthread_join(t[i], NULL);
		ok += r[i].ok;
		nomem += r[i].nomem;
		other += r[i].other;
	}
	atomic_store(&stop, true);
	pthread_join(w, NULL);
	vm_note("%d threads: %d allocations, %d ENOMEM, %d other errors", THREADS, ok, nomem, other);
	vm_check(other == 0 && ok > 0, "racing threads get buffers or ENOMEM, nothing else");
	vm_check(nomem > 0, "the threads did run into the budget");
	vm_check(atomic_load(&over_budget) == 0 && atomic_load(&negative) == 0,
		 "dma_used never above the budget nor below 0 while racing");
	vm_check(used() == 0 && ion_live_buffers() == live, "after the race: dma_used %lld", used());
}

int main(int argc, char **argv)
{
	enum ion_abi abi = parse_abi_arg(argc, argv);
	bool legacy = abi != ABI_MODERN;
	long long budget = -1;
	unsigned int ids[3];
	int ion;

	for (int i = 1; i + 1 < argc; i++)
		if (!strcmp(argv[i], "--budget"))
			budget = strtoll(argv[i + 1], NULL, 0);
	if (budget <= 0 || budget % (CHUNKS * 4096) || budget / THREAD_SIZE >= THREAD_HOLD)
		vm_fatal("--budget: a multiple of %d pages below %d bytes, as the module was loaded with",
			 CHUNKS, THREAD_HOLD * THREAD_SIZE);
	vm_check(param_ll("dma_budget") == budget, "dma_budget says %lld", param_ll("dma_budget"));
	vm_check(used() == 0, "nothing used at first: dma_used %lld", used());
	figures_unprivileged();
	ion_param_heap_ids(ids);
	ion = ion_open();
	fill_exactly(ion, legacy, ids[2], ids[0], budget);
	threads(ion, legacy, ids[2], budget);
	close(ion);
	return vm_exit_status();
}
