/* SPDX-License-Identifier: MIT */
/*
 * What a backend learnt by probing a device (an import rule and why),
 * remembered for the whole process: every context loads the same module
 * (dlopen returns the same copy while one is loaded; a module using this
 * store is linked -z nodelete so that it stays), so a second context, or a
 * second open of the same node, gets the answer without disturbing the
 * device again.
 *
 * Key: the node's device number (st_rdev), the driver name and which probe
 * of the device ("capture", "output", ...), plus the kernel's boot id
 * (/proc/sys/kernel/random/boot_id, read once), so an answer never outlives
 * the boot whose device it describes. Device number 0 (no character device:
 * nothing another open could name) is not cached.
 *
 * A probe that cannot run (busy queue, no udmabuf, ...) gives a cautious
 * fallback answer that is not definite: the next query probes again, at
 * most BE_PROBE_CACHE_ATTEMPTS times per key and process; the last failure
 * turns the fallback into the definite answer, its reason saying so.
 *
 * Answers of a probe that ran (be_probe_cache_store) are also kept across
 * processes in a per-user file (probe-store.h: $XDG_RUNTIME_DIR/liballoc/,
 * off with LIBALLOC_PROBE_CACHE=0 and in setuid processes), read at the
 * first lookup of a process; fallbacks after failed probes are not.
 *
 * Thread-safe (one mutex). Backends only: the core never sees this store.
 */
#ifndef LA_BACKEND_COMMON_PROBE_CACHE_H
#define LA_BACKEND_COMMON_PROBE_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include <liballoc/liballoc.h>

#define BE_PROBE_CACHE_ATTEMPTS 3   /* failed probes before the fallback is definite */
#define BE_PROBE_CACHE_REASON_MAX 240
#define BE_PROBE_CACHE_ENTRIES 256  /* keys per process; beyond, nothing more is cached */

struct be_probe_key {
	dev_t devnum;      /* st_rdev of the node */
	char driver[64];   /* kernel driver name */
	char what[32];     /* which probe of the device, e.g. "capture" */
};

struct be_probe_answer {
	enum la_import_rule rule;
	char reason[BE_PROBE_CACHE_REASON_MAX];
	unsigned attempts; /* failed probes recorded so far */
	bool definite;     /* true: use it, do not probe again */
	bool from_file;    /* learnt by an earlier process (probe-store.h) */
};

/*
 * 1: a definite answer is stored, in *out. 0: probe (*out holds the failed
 * attempts so far, rule LA_IMPORT_ANY and reason "" otherwise). -EINVAL:
 * key or out NULL, or devnum 0.
 */
int be_probe_cache_lookup(const struct be_probe_key *key, struct be_probe_answer *out);
/*
 * A probe that gave its answer: stored as definite (reason truncated to
 * BE_PROBE_CACHE_REASON_MAX - 1 bytes). -EINVAL: key NULL or devnum 0.
 * -ENOSPC: BE_PROBE_CACHE_ENTRIES keys already stored. -ENOMEM.
 */
int be_probe_cache_store(const struct be_probe_key *key, enum la_import_rule rule,
			 const char *reason);
/*
 * A probe that could not run: counts the attempt and fills *out with the
 * answer to use now: fallback and reason, definite (and stored) from the
 * BE_PROBE_CACHE_ATTEMPTS-th attempt on, with the reason then ending in
 * "(fallback after N failed probes)". If the answer cannot be stored
 * (devnum 0, -ENOSPC, -ENOMEM), *out is the fallback with 1 attempt, not
 * definite, and the error is returned; else 0. -EINVAL: key or out NULL.
 */
int be_probe_cache_fail(const struct be_probe_key *key, enum la_import_rule fallback,
			const char *reason, struct be_probe_answer *out);
/* What the probe cache file last did (read, saved, ignored and why), once:
 * true and the text in buf if there is something to trace. */
bool be_probe_cache_note(char *buf, size_t len);
/* Forgets every key and reads the file again at the next lookup (tests). */
void be_probe_cache_clear(void);
/* The boot id in the keys ("" if unreadable), read once per process. */
const char *be_probe_cache_boot_id(void);

#endif
