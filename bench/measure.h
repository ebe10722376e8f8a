/* SPDX-License-Identifier: MIT */
/*
 * Timing: CLOCK_MONOTONIC (wall time, not CPU time, because a negotiation
 * that waits on a lock or a page fault costs its caller that wait too),
 * warm-up calls that are not recorded, then one sample per call. Medians and
 * p90 rather than means: the machine is shared, and a neighbour's burst
 * should move the tail, not the centre. The thread's CPU time is recorded
 * next to it: on a loaded machine a long call is preempted and its wall
 * time grows with the load, its CPU time does not.
 */
#ifndef BENCH_MEASURE_H
#define BENCH_MEASURE_H

#include <stddef.h>

double bench_now_us(void);
/* CPU time of the calling thread (CLOCK_THREAD_CPUTIME_ID). */
double bench_cpu_us(void);
/* CPU time of every thread of the process, in µs (what a frame costs a
 * program that captures on one thread and displays on another). */
double bench_process_cpu_us(void);

struct bench_plan {
	unsigned warmup;      /* calls before recording */
	unsigned samples;     /* recorded calls at most */
	unsigned min_samples; /* recorded calls at least, whatever the budget */
	double budget_us;     /* stop recording once this much time was spent */
};

struct bench_stats {
	double median;
	double p90;
	double min;
	size_t n;
};

/* One call of the thing measured; 0 or a negative errno (which stops the run). */
typedef int (*bench_fn)(void *data);

/* wall and cpu (may be NULL) get the statistics of the recorded calls. */
int bench_measure(bench_fn fn, void *data, const struct bench_plan *plan, struct bench_stats *wall,
		  struct bench_stats *cpu);

/* Sorts samples in place. n may be 0 (all fields 0). */
void bench_stats_compute(double *samples, size_t n, struct bench_stats *out);

/*
 * Least-squares slope of log(y) over log(x): the exponent k of y ~ x^k.
 * NAN with fewer than two usable points.
 */
double bench_loglog_slope(const double *x, const double *y, size_t n);

#endif
