/* SPDX-License-Identifier: MIT */
/*
 * The probe answers of probe-cache.h kept across processes: one small text
 * file per user, $XDG_RUNTIME_DIR/liballoc/probe-cache, so that the second
 * program of a boot does not disturb a device again to learn what the first
 * learnt (a PRIME import, a V4L2 queue set up and torn down).
 *
 * Trust: only a runtime folder that is this user's, mode 0700 (the XDG
 * rule), and files in it owned by the user and writable by nobody else.
 * No XDG_RUNTIME_DIR (or one that fails these checks): nothing persists.
 * Never in a setuid/setgid process (AT_SECURE), nor with
 * LIBALLOC_PROBE_CACHE=0 in the environment.
 *
 * Validity: the file names the boot it was written in (a file of another
 * boot is ignored), every entry its device number, driver and the identity
 * of the device's sysfs node (/sys/dev/char/M:m, whose inode changes when
 * the driver is reloaded and the device created again): an entry that does
 * not match the device as it is now is not used. A file that does not
 * parse, or is too large, is ignored whole (and replaced at the next save).
 *
 * Writes: under an exclusive lock (flock on probe-cache.lock), the file is
 * read again, this process's answers merged in, written to a temporary
 * file and renamed over it; readers never see a partial file.
 */
#ifndef LA_BACKEND_COMMON_PROBE_STORE_H
#define LA_BACKEND_COMMON_PROBE_STORE_H

#include <stdbool.h>
#include <stddef.h>

#include "probe-cache.h"

#define BE_PROBE_STORE_MAX_BYTES (64 * 1024)

struct be_probe_record {
	struct be_probe_key key;
	enum la_import_rule rule;
	char reason[BE_PROBE_CACHE_REASON_MAX];
};

/* Whether this process may persist at all (env, AT_SECURE). */
bool be_probe_store_enabled(void);
/*
 * The records of the file that are valid now (boot id, device identity),
 * at most max. Returns their count (0 when there is no file), or -errno
 * when the file is untrusted, corrupt or unreadable. note: what happened,
 * for a debug trace.
 */
int be_probe_store_load(const char *boot_id, struct be_probe_record *out, size_t max, char *note,
			size_t note_len);
/* Merges rec into the file (replacing the same key). 0 or -errno; note as above. */
int be_probe_store_save(const char *boot_id, const struct be_probe_record *rec, char *note,
			size_t note_len);

#endif
