/* SPDX-License-Identifier: MIT */
/*
 * The process-wide probe store of probe-cache.h: a short list under one
 * mutex. The one deliberate global of a backend: it is what makes the
 * answer outlive the context that probed (see probe-cache.h). Filled from
 * the per-user file of probe-store.h at the first lookup, and every probed
 * answer saved there.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "probe-cache.h"
#include "probe-store.h"

struct entry {
	struct entry *next;
	struct be_probe_key key;
	struct be_probe_answer answer;
};

static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static struct entry *cache_head;
static size_t cache_count;
static pthread_once_t boot_once = PTHREAD_ONCE_INIT;
static char boot_id[40];
static bool file_loaded;            /* the probe cache file was read */
static char store_note[300];        /* what the file did, for the next trace */

static void read_boot_id(void)
{
	int fd = open("/proc/sys/kernel/random/boot_id", O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return;
	n = read(fd, boot_id, sizeof(boot_id) - 1);
	close(fd);
	boot_id[n > 0 ? n : 0] = '\0';
	boot_id[strcspn(boot_id, "\n")] = '\0';
}

const char *be_probe_cache_boot_id(void)
{
	pthread_once(&boot_once, read_boot_id);
	return boot_id;
}

/* The boot id is the same for every key of one process: it is checked once, here. */
static bool same_key(const struct be_probe_key *a, const struct be_probe_key *b)
{
	return a->devnum == b->devnum && strncmp(a->driver, b->driver, sizeof(a->driver)) == 0 &&
	       strncmp(a->what, b->what, sizeof(a->what)) == 0;
}

/* Caller holds cache_lock. */
static struct entry *find(const struct be_probe_key *key)
{
	for (struct entry *e = cache_head; e; e = e->next)
		if (same_key(&e->key, key))
			return e;
	return NULL;
}

/* Caller holds cache_lock. A new entry starts with no attempt and no answer. */
static int find_or_add(const struct be_probe_key *key, struct entry **out)
{
	struct entry *e = find(key);

	if (!e) {
		if (cache_count >= BE_PROBE_CACHE_ENTRIES)
			return -ENOSPC;
		e = calloc(1, sizeof(*e));
		if (!e)
			return -ENOMEM;
		e->key = *key;
		e->key.driver[sizeof(e->key.driver) - 1] = '\0';
		e->key.what[sizeof(e->key.what) - 1] = '\0';
		e->next = cache_head;
		cache_head = e;
		cache_count++;
	}
	*out = e;
	return 0;
}

/* Caller holds cache_lock. Answers of the file that this process has not. */
static void load_file(void)
{
	struct be_probe_record *recs;
	int n;

	file_loaded = true;
	if (!be_probe_store_enabled())
		return;
	recs = calloc(BE_PROBE_CACHE_ENTRIES, sizeof(*recs));
	if (!recs)
		return;
	n = be_probe_store_load(be_probe_cache_boot_id(), recs, BE_PROBE_CACHE_ENTRIES, store_note,
				sizeof(store_note));
	for (int i = 0; i < n; i++) {
		struct entry *e;
		if (find(&recs[i].key) || find_or_add(&recs[i].key, &e) < 0)
			continue;
		e->answer.rule = recs[i].rule;
		e->answer.definite = true;
		e->answer.from_file = true;
		snprintf(e->answer.reason, sizeof(e->answer.reason), "%s", recs[i].reason);
	}
	free(recs);
}

/* A probed answer into the file (not under cache_lock: file I/O). */
static void save_file(const struct be_probe_key *key, enum la_import_rule rule, const char *reason)
{
	struct be_probe_record r = {.key = *key, .rule = rule};
	char note[sizeof(store_note)];

	if (!be_probe_store_enabled())
		return;
	snprintf(r.reason, sizeof(r.reason), "%s", reason ? reason : "");
	be_probe_store_save(be_probe_cache_boot_id(), &r, note, sizeof(note));
	pthread_mutex_lock(&cache_lock);
	snprintf(store_note, sizeof(store_note), "%s", note);
	pthread_mutex_unlock(&cache_lock);
}

bool be_probe_cache_note(char *buf, size_t len)
{
	bool any;

	pthread_mutex_lock(&cache_lock);
	any = store_note[0] != '\0';
	snprintf(buf, len, "%s", store_note);
	store_note[0] = '\0';
	pthread_mutex_unlock(&cache_lock);
	return any;
}

int be_probe_cache_lookup(const struct be_probe_key *key, struct be_probe_answer *out)
{
	struct entry *e;
	int ret = 0;

	if (!key || !out || key->devnum == 0)
		return -EINVAL;
	(void)be_probe_cache_boot_id();
	memset(out, 0, sizeof(*out));
	out->rule = LA_IMPORT_ANY;
	pthread_mutex_lock(&cache_lock);
	if (!file_loaded)
		load_file();
	e = find(key);
	if (e) {
		ret = e->answer.definite ? 1 : 0;
		if (ret)
			*out = e->answer;
		else
			out->attempts = e->answer.attempts;
	}
	pthread_mutex_unlock(&cache_lock);
	return ret;
}

static void set_reason(struct be_probe_answer *a, const char *reason)
{
	snprintf(a->reason, sizeof(a->reason), "%s", reason ? reason : "");
}

int be_probe_cache_store(const struct be_probe_key *key, enum la_import_rule rule,
			 const char *reason)
{
	struct entry *e;
	int ret;

	if (!key || key->devnum == 0)
		return -EINVAL;
	pthread_mutex_lock(&cache_lock);
	ret = find_or_add(key, &e);
	if (ret == 0) {
		e->answer.rule = rule;
		e->answer.definite = true;
		e->answer.from_file = false;
		set_reason(&e->answer, reason);
	}
	pthread_mutex_unlock(&cache_lock);
	if (ret == 0)
		save_file(key, rule, reason);
	return ret;
}

int be_probe_cache_fail(const struct be_probe_key *key, enum la_import_rule fallback,
			const char *reason, struct be_probe_answer *out)
{
	struct entry *e;
	int ret;

	if (!key || !out)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	out->rule = fallback;
	out->attempts = 1;
	set_reason(out, reason);
	if (key->devnum == 0)
		return -EINVAL;
	pthread_mutex_lock(&cache_lock);
	ret = find_or_add(key, &e);
	if (ret == 0 && e->answer.definite) {
		/* another context answered meanwhile: that answer stands */
		*out = e->answer;
	} else if (ret == 0) {
		e->answer.attempts++;
		e->answer.rule = fallback;
		if (e->answer.attempts >= BE_PROBE_CACHE_ATTEMPTS) {
			char r[BE_PROBE_CACHE_REASON_MAX];
			/* keep the suffix whole: cut the reason, not the verdict */
			int tail = snprintf(r, sizeof(r), " (fallback after %u failed probes)",
					    e->answer.attempts);
			snprintf(e->answer.reason, sizeof(e->answer.reason), "%.*s%s",
				 (int)(sizeof(r) - 1 - (size_t)tail), reason ? reason : "", r);
			e->answer.definite = true;
		} else {
			set_reason(&e->answer, reason);
		}
		*out = e->answer;
	}
	pthread_mutex_unlock(&cache_lock);
	return ret;
}

void be_probe_cache_clear(void)
{
	pthread_mutex_lock(&cache_lock);
	while (cache_head) {
		struct entry *e = cache_head;
		cache_head = e->next;
		free(e);
	}
	cache_count = 0;
	file_loaded = false;
	store_note[0] = '\0';
	pthread_mutex_unlock(&cache_lock);
}
