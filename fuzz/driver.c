/* SPDX-License-Identifier: MIT */
/*
 * Standalone engine for the fuzz targets, so that CI's gcc build runs them
 * without libFuzzer (clang only): replays every seed of the corpus, then
 * runs a fixed number of random mutations of them. It has no coverage
 * feedback; fuzz/run-long runs the same targets under real libFuzzer.
 *
 *   fuzz-TARGET [-runs=N] [-seed=S] [-max_len=L] CORPUS_DIR_OR_FILE...
 *
 * The options are spelt as libFuzzer's so one command line serves both.
 * Deterministic for a given seed; an input that aborts is printed in hex
 * (and written to ./crash-TARGET) before the process dies.
 */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "fuzz.h"

struct seed {
	uint8_t *data;
	size_t size;
};

static struct seed *seeds;
static size_t n_seeds;
static const uint8_t *current;
static size_t current_size;
static const char *target_name = "fuzz";

/* xorshift64*: deterministic across libcs, unlike rand(). */
static uint64_t rng_state = 1;
static uint64_t rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * UINT64_C(2685821657736338717);
}

static size_t below(size_t n)
{
	return n ? (size_t)(rng() % n) : 0;
}

static void dump_current(void)
{
	char name[256];
	FILE *f;

	if (!current)
		return;
	snprintf(name, sizeof(name), "crash-%s", target_name);
	f = fopen(name, "wb");
	if (f) {
		fwrite(current, 1, current_size, f);
		fclose(f);
	}
	fprintf(stderr, "\n%s: failing input (%zu bytes, saved to ./%s):\n", target_name,
		current_size, name);
	for (size_t i = 0; i < current_size && i < 4096; i++)
		fprintf(stderr, "%02x%s", current[i], (i + 1) % 32 ? "" : "\n");
	fputc('\n', stderr);
}

static void on_abort(int sig)
{
	dump_current();
	signal(sig, SIG_DFL);
	raise(sig);
}

/* Sanitizers call this before they exit on a report. */
extern void __sanitizer_set_death_callback(void (*cb)(void)) __attribute__((weak));

static void add_seed(const uint8_t *data, size_t size)
{
	struct seed *s = realloc(seeds, (n_seeds + 1) * sizeof(*s));
	if (!s)
		abort();
	seeds = s;
	seeds[n_seeds].data = malloc(size ? size : 1);
	if (!seeds[n_seeds].data)
		abort();
	memcpy(seeds[n_seeds].data, data, size);
	seeds[n_seeds++].size = size;
}

static int load_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t buf[1 << 16];
	size_t n;

	if (!f) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return -1;
	}
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	add_seed(buf, n);
	return 0;
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Files of a folder in name order, so a run is reproducible. */
static int load_path(const char *path)
{
	struct stat st;
	char *names[4096];
	size_t n = 0;
	struct dirent *e;
	DIR *d;

	if (stat(path, &st) != 0) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode))
		return load_file(path);
	d = opendir(path);
	if (!d)
		return -1;
	while ((e = readdir(d)) && n < 4096) {
		if (e->d_name[0] == '.')
			continue;
		names[n] = malloc(strlen(path) + strlen(e->d_name) + 2);
		if (!names[n])
			abort();
		sprintf(names[n], "%s/%s", path, e->d_name);
		n++;
	}
	closedir(d);
	qsort(names, n, sizeof(*names), cmp_name);
	int ret = 0;
	for (size_t i = 0; i < n; i++) {
		ret |= load_file(names[i]);
		free(names[i]);
	}
	return ret;
}

static void run_one(const uint8_t *data, size_t size)
{
	/* An exact-size heap copy, so ASan sees any read past the end. */
	uint8_t *copy = malloc(size ? size : 1);
	if (!copy)
		abort();
	memcpy(copy, data, size);
	current = copy;
	current_size = size;
	LLVMFuzzerTestOneInput(copy, size);
	current = NULL;
	free(copy);
}

static const uint64_t interesting[] = {
	0, 1, 2, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0xffff, 0x10000, 0x7fffffff,
	0x80000000, 0xffffffff, UINT64_C(0x100000000), UINT64_MAX,
};

/* One random edit of buf[0..*size) within max bytes. */
static void mutate(uint8_t *buf, size_t *size, size_t max)
{
	size_t n = *size;

	switch (below(8)) {
	case 0: /* flip a bit */
		if (n)
			buf[below(n)] ^= (uint8_t)(1u << below(8));
		break;
	case 1: /* random byte */
		if (n)
			buf[below(n)] = (uint8_t)rng();
		break;
	case 2: { /* interesting little-endian integer of 1, 2, 4 or 8 bytes */
		size_t w = (size_t)1 << below(4);
		uint64_t v = interesting[below(sizeof(interesting) / sizeof(interesting[0]))];
		if (rng() & 1)
			v = -v;
		if (n >= w) {
			size_t at = below(n - w + 1);
			for (size_t i = 0; i < w; i++)
				buf[at + i] = (uint8_t)(v >> (8 * i));
		}
		break;
	}
	case 3: /* insert random bytes */
		if (n < max) {
			size_t at = below(n + 1), k = 1 + below(max - n < 8 ? max - n : 8);
			memmove(buf + at + k, buf + at, n - at);
			for (size_t i = 0; i < k; i++)
				buf[at + i] = (uint8_t)rng();
			*size = n + k;
		}
		break;
	case 4: /* delete a range */
		if (n) {
			size_t at = below(n), k = 1 + below(n - at < 16 ? n - at : 16);
			memmove(buf + at, buf + at + k, n - at - k);
			*size = n - k;
		}
		break;
	case 5: /* copy a chunk over another place */
		if (n > 1) {
			size_t from = below(n), to = below(n), k = 1 + below(n - (from > to ? from : to));
			memmove(buf + to, buf + from, k);
		}
		break;
	case 6: { /* splice: tail of another seed */
		const struct seed *s = &seeds[below(n_seeds)];
		size_t at = below(n + 1), from = below(s->size + 1);
		size_t k = s->size - from;
		if (at + k > max)
			k = max - at;
		memcpy(buf + at, s->data + from, k);
		if (at + k > n)
			*size = at + k;
		break;
	}
	default: /* truncate */
		*size = below(n + 1);
		break;
	}
}

static bool opt(const char *arg, const char *name, unsigned long long *v)
{
	size_t len = strlen(name);
	if (strncmp(arg, name, len) != 0)
		return false;
	*v = strtoull(arg + len, NULL, 0);
	return true;
}

int main(int argc, char **argv)
{
	unsigned long long runs = 10000, seed = 1, max_len = 4096, v;
	struct timespec t0, t1;

	target_name = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
	signal(SIGABRT, on_abort);
	signal(SIGSEGV, on_abort);
	signal(SIGBUS, on_abort);
	if (__sanitizer_set_death_callback)
		__sanitizer_set_death_callback(dump_current);
	for (int i = 1; i < argc; i++) {
		if (opt(argv[i], "-runs=", &v))
			runs = v;
		else if (opt(argv[i], "-seed=", &v))
			seed = v ? v : 1;
		else if (opt(argv[i], "-max_len=", &v))
			max_len = v ? v : 1;
		else if (argv[i][0] == '-')
			fprintf(stderr, "%s: ignoring libFuzzer option %s\n", target_name, argv[i]);
		else if (load_path(argv[i]) < 0)
			return 2;
	}
	rng_state = seed * UINT64_C(0x9e3779b97f4a7c15) | 1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (size_t i = 0; i < n_seeds; i++)
		run_one(seeds[i].data, seeds[i].size);
	if (n_seeds == 0)
		add_seed((const uint8_t *)"", 0);

	uint8_t *buf = malloc(max_len);
	if (!buf)
		abort();
	for (unsigned long long r = 0; r < runs; r++) {
		const struct seed *s = &seeds[below(n_seeds)];
		size_t size = s->size < max_len ? s->size : max_len;
		memcpy(buf, s->data, size);
		for (size_t k = 1 + below(6); k > 0; k--)
			mutate(buf, &size, max_len);
		run_one(buf, size);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("%s: %zu seeds replayed, %llu mutated inputs, seed %llu, %.2f s\n", target_name,
	       n_seeds, runs, seed,
	       (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	free(buf);
	for (size_t i = 0; i < n_seeds; i++)
		free(seeds[i].data);
	free(seeds);
	return 0;
}
