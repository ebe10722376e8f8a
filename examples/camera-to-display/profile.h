/* SPDX-License-Identifier: MIT */
/*
 * --profile: where the frame loop's CPU time goes, per phase (wait, dequeue,
 * commit, flip event, requeue, copy, the rest). Each phase is bracketed by
 * two reads of the thread's CPU clock, so the figures include a few system
 * calls of their own; the loop's total is measured as without --profile.
 */
#ifndef C2D_PROFILE_H
#define C2D_PROFILE_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

enum phase { PH_WAIT, PH_DEQUEUE, PH_COMMIT, PH_EVENT, PH_REQUEUE, PH_COPY, PH_OTHER, N_PHASES };

struct profile {
	bool on, started;
	double last;                      /* thread CPU s at the last mark */
	double wall_in;                   /* CLOCK_MONOTONIC s at profile_enter() */
	double cpu[N_PHASES], wall[N_PHASES];
	uint64_t calls[N_PHASES];
};

/* A clock (CLOCK_MONOTONIC, CLOCK_PROCESS_CPUTIME_ID, ...) in seconds. */
double c2d_clock(clockid_t id);

/* Starts counting (after the first frame and its modeset): the steady state. */
void profile_start(struct profile *p);
/* The time since the last mark was spent outside any phase. */
void profile_enter(struct profile *p);
/* The time since profile_enter() was phase ph. */
void profile_leave(struct profile *p, enum phase ph);
/* One line per phase: CPU and wall ms per frame, calls per frame. */
void profile_print(const struct profile *p, uint64_t frames);

/* Wraps one call in a phase when profiling (a no-op test otherwise). */
#define PROFILED(p, ph, call)                      \
	do {                                       \
		if ((p)->on && (p)->started)       \
			profile_enter(p);          \
		call;                              \
		if ((p)->on && (p)->started)       \
			profile_leave((p), (ph));  \
	} while (0)

#endif
