/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <time.h>

#include "measure.h"

double bench_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

double bench_cpu_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

double bench_process_cpu_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* Nearest-rank percentile of sorted samples. */
static double percentile(const double *s, size_t n, double p)
{
	size_t rank = (size_t)ceil(p * (double)n);
	return s[rank ? rank - 1 : 0];
}

void bench_stats_compute(double *samples, size_t n, struct bench_stats *out)
{
	*out = (struct bench_stats){0};
	if (n == 0)
		return;
	qsort(samples, n, sizeof(*samples), cmp_double);
	out->n = n;
	out->min = samples[0];
	out->median = n % 2 ? samples[n / 2] : (samples[n / 2 - 1] + samples[n / 2]) / 2;
	out->p90 = percentile(samples, n, 0.9);
}

int bench_measure(bench_fn fn, void *data, const struct bench_plan *plan, struct bench_stats *wall,
		  struct bench_stats *cpu)
{
	size_t cap = plan->samples ? plan->samples : 1;
	double *s = calloc(cap, sizeof(*s)), *c = calloc(cap, sizeof(*c));
	double spent = 0;
	size_t n = 0;
	int ret = s && c ? 0 : -ENOMEM;

	for (unsigned i = 0; i < plan->warmup && ret == 0; i++)
		ret = fn(data);
	while (ret == 0 && n < plan->samples) {
		if (n >= plan->min_samples && spent >= plan->budget_us)
			break;
		/* the CPU clock is a system call: read it outside the wall window */
		double c0 = bench_cpu_us(), t0 = bench_now_us();
		ret = fn(data);
		s[n] = bench_now_us() - t0;
		c[n] = bench_cpu_us() - c0;
		spent += s[n++];
	}
	if (s)
		bench_stats_compute(s, n, wall);
	if (c && cpu)
		bench_stats_compute(c, n, cpu);
	free(s);
	free(c);
	return ret;
}

double bench_loglog_slope(const double *x, const double *y, size_t n)
{
	double sx = 0, sy = 0, sxx = 0, sxy = 0;
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		if (!(x[i] > 0) || !(y[i] > 0))
			continue;
		double lx = log(x[i]), ly = log(y[i]);
		sx += lx;
		sy += ly;
		sxx += lx * lx;
		sxy += lx * ly;
		k++;
	}
	double d = (double)k * sxx - sx * sx;
	if (k < 2 || d == 0)
		return NAN;
	return ((double)k * sxy - sx * sy) / d;
}
