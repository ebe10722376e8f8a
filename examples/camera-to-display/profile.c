/* SPDX-License-Identifier: MIT */
#include <inttypes.h>
#include <stdio.h>
#include <time.h>

#include "profile.h"

double c2d_clock(clockid_t id)
{
	struct timespec ts;
	clock_gettime(id, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void profile_start(struct profile *p)
{
	if (!p->on || p->started)
		return;
	p->started = true;
	p->last = c2d_clock(CLOCK_THREAD_CPUTIME_ID);
}

void profile_enter(struct profile *p)
{
	double t = c2d_clock(CLOCK_THREAD_CPUTIME_ID);

	p->cpu[PH_OTHER] += t - p->last;
	p->last = t;
	p->wall_in = c2d_clock(CLOCK_MONOTONIC);
}

void profile_leave(struct profile *p, enum phase ph)
{
	double t = c2d_clock(CLOCK_THREAD_CPUTIME_ID);

	p->cpu[ph] += t - p->last;
	p->wall[ph] += c2d_clock(CLOCK_MONOTONIC) - p->wall_in;
	p->calls[ph]++;
	p->last = t;
}

void profile_print(const struct profile *p, uint64_t frames)
{
	static const char *const names[N_PHASES] = {
		[PH_WAIT] = "wait (poll)",      [PH_DEQUEUE] = "dequeue (VIDIOC_DQBUF)",
		[PH_COMMIT] = "commit (atomic)", [PH_EVENT] = "flip event (read)",
		[PH_REQUEUE] = "requeue (VIDIOC_QBUF)", [PH_COPY] = "copy (CPU)",
		[PH_OTHER] = "the rest (loop, bookkeeping)",
	};
	double total = 0;

	if (!p->started || frames == 0)
		return;
	for (int i = 0; i < N_PHASES; i++)
		total += p->cpu[i];
	printf("profile: %" PRIu64 " frames, thread CPU %.3f ms per frame in the loop\n", frames,
	       total * 1000.0 / (double)frames);
	for (int i = 0; i < N_PHASES; i++)
		if (i == PH_OTHER)
			printf("profile: %-30s CPU %.3f ms/frame (%4.1f%%)\n", names[i],
			       p->cpu[i] * 1000.0 / (double)frames,
			       total > 0 ? 100.0 * p->cpu[i] / total : 0.0);
		else
			printf("profile: %-30s CPU %.3f ms/frame (%4.1f%%), wall %.3f ms/frame, "
			       "%.2f calls/frame\n", names[i], p->cpu[i] * 1000.0 / (double)frames,
			       total > 0 ? 100.0 * p->cpu[i] / total : 0.0,
			       p->wall[i] * 1000.0 / (double)frames,
			       (double)p->calls[i] / (double)frames);
}
