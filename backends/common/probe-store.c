/* SPDX-License-Identifier: MIT */
/*
 * The probe cache file of probe-store.h. Format, one record a line:
 *
 *   liballoc-probe-cache 1 <boot id>
 *   <major>:<minor> <sysfs inode> <rule> <driver> <what> <reason to the end of the line>
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "probe-store.h"

#define DIR_NAME "liballoc"
#define FILE_NAME "probe-cache"
#define LOCK_NAME "probe-cache.lock"
#define MAGIC "liballoc-probe-cache 1"

bool be_probe_store_enabled(void)
{
	const char *v;

	if (getauxval(AT_SECURE))
		return false;
	v = secure_getenv("LIBALLOC_PROBE_CACHE");
	return !(v && strcmp(v, "0") == 0);
}

/* Folders: this user's, no access for anyone else. Files: this user's,
 * writable by nobody else. */
static int check_owned(int fd, bool dir, const char *what, char *note, size_t len)
{
	struct stat st;

	if (fstat(fd, &st) != 0)
		return -errno;
	if (dir ? !S_ISDIR(st.st_mode) : !S_ISREG(st.st_mode)) {
		snprintf(note, len, "%s is not a %s: not used", what, dir ? "folder" : "file");
		return -EPERM;
	}
	if (st.st_uid != geteuid()) {
		snprintf(note, len, "%s belongs to uid %u, not this user: not used", what,
			 (unsigned)st.st_uid);
		return -EPERM;
	}
	if (st.st_mode & (dir ? 077 : 022)) {
		snprintf(note, len, "%s has mode %03o (others may %s): not used", what,
			 (unsigned)(st.st_mode & 0777), dir ? "look or write" : "write");
		return -EPERM;
	}
	return 0;
}

/* The fd of $XDG_RUNTIME_DIR/liballoc, created 0700 if absent. */
static int open_dir(char *note, size_t len)
{
	const char *rt = secure_getenv("XDG_RUNTIME_DIR");
	int rfd, dfd = -1, ret;

	if (!rt || rt[0] != '/') {
		snprintf(note, len, "no XDG_RUNTIME_DIR: probe answers are not kept across processes");
		return -ENOENT;
	}
	rfd = open(rt, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (rfd < 0) {
		ret = -errno;
		snprintf(note, len, "XDG_RUNTIME_DIR %s: %s", rt, strerror(-ret));
		return ret;
	}
	ret = check_owned(rfd, true, "XDG_RUNTIME_DIR", note, len);
	if (ret == 0) {
		/* created by the first process of the user: the others only open it */
		dfd = openat(rfd, DIR_NAME, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (dfd < 0 && errno == ENOENT) {
			if (mkdirat(rfd, DIR_NAME, 0700) != 0 && errno != EEXIST)
				ret = -errno;
			else
				dfd = openat(rfd, DIR_NAME,
					     O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		}
		if (ret == 0)
			ret = dfd < 0 ? -errno
				      : check_owned(dfd, true, DIR_NAME " in XDG_RUNTIME_DIR", note, len);
	}
	if (ret < 0 && !note[0])
		snprintf(note, len, "%s/%s: %s", rt, DIR_NAME, strerror(-ret));
	if (ret < 0 && dfd >= 0)
		close(dfd);
	close(rfd);
	return ret < 0 ? ret : dfd;
}

/* The sysfs node's inode: a reloaded driver's device gets a new one. */
static unsigned long long instance_of(dev_t devnum)
{
	char path[64];
	struct stat st;

	snprintf(path, sizeof(path), "/sys/dev/char/%u:%u", major(devnum), minor(devnum));
	return stat(path, &st) == 0 ? (unsigned long long)st.st_ino : 0;
}

/* The file's bytes into buf (NUL-terminated); 0 bytes when there is none. */
static int read_file(int dfd, char *buf, size_t cap, size_t *n, char *note, size_t len)
{
	int fd = openat(dfd, FILE_NAME, O_RDONLY | O_NOFOLLOW | O_CLOEXEC), ret;
	struct stat st;

	*n = 0;
	buf[0] = '\0';
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	ret = check_owned(fd, false, FILE_NAME, note, len);
	if (ret == 0 && fstat(fd, &st) != 0)
		ret = -errno;
	if (ret == 0 && (size_t)st.st_size >= cap) {
		snprintf(note, len, "%s: %lld bytes, more than %zu: ignored", FILE_NAME,
			 (long long)st.st_size, cap - 1);
		ret = -EFBIG;
	}
	while (ret == 0 && *n + 1 < cap) {
		ssize_t r = read(fd, buf + *n, cap - 1 - *n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			ret = -errno;
		if (r <= 0)
			break;
		*n += (size_t)r;
	}
	buf[*n] = '\0';
	close(fd);
	return ret;
}

static bool valid_word(const char *s, size_t max)
{
	size_t n = strlen(s);
	return n > 0 && n < max;
}

/*
 * The sysfs identities a parse already looked up: a device has several
 * records (import, dumb-pitch, ...), and each stat of sysfs is a system
 * call. One parse is one moment: a device re-created during it is caught by
 * the next process.
 */
struct seen {
	size_t n;
	struct {
		dev_t devnum;
		unsigned long long inst;
	} v[16];
};

static unsigned long long instance_seen(struct seen *seen, dev_t devnum)
{
	unsigned long long inst;

	for (size_t i = 0; i < seen->n; i++)
		if (seen->v[i].devnum == devnum)
			return seen->v[i].inst;
	inst = instance_of(devnum);
	if (seen->n < sizeof(seen->v) / sizeof(seen->v[0])) {
		seen->v[seen->n].devnum = devnum;
		seen->v[seen->n++].inst = inst;
	}
	return inst;
}

/* Decimal digits at *p (after blanks) ended by a byte of stop; false on none or overflow. */
static bool scan_u64(const char **p, const char *stop, unsigned long long max,
		     unsigned long long *v)
{
	const char *s = *p;

	while (*s == ' ')
		s++;
	if (*s < '0' || *s > '9')
		return false;
	for (*v = 0; *s >= '0' && *s <= '9'; s++) {
		if (*v > (max - (unsigned long long)(*s - '0')) / 10)
			return false;
		*v = *v * 10 + (unsigned long long)(*s - '0');
	}
	if (!strchr(stop, *s) || !*s)
		return false;
	*p = s + 1;
	return true;
}

/* A word (after blanks) ended by a blank or the end, at most max - 1 bytes, into out. */
static bool scan_word(const char **p, char *out, size_t max)
{
	size_t n;

	while (**p == ' ')
		(*p)++;
	n = strcspn(*p, " ");
	if (n == 0 || n >= max)
		return false;
	memcpy(out, *p, n);
	out[n] = '\0';
	*p += n;
	return true;
}

/*
 * One record line; false if it does not parse. *current: it matches the
 * device now. By hand rather than sscanf: a warm process would run scanf
 * for these lines and nothing else.
 */
static bool parse_line(char *line, struct be_probe_record *r, bool *current, struct seen *seen)
{
	unsigned long long maj, min, inst, rule;
	const char *p = line;
	char driver[64], what[32];

	if (!scan_u64(&p, ":", UINT_MAX, &maj) || !scan_u64(&p, " ", UINT_MAX, &min) ||
	    !scan_u64(&p, " ", ULLONG_MAX, &inst) || !scan_u64(&p, " ", INT_MAX, &rule) ||
	    !scan_word(&p, driver, sizeof(driver)) || !scan_word(&p, what, sizeof(what)))
		return false;
	while (*p == ' ')
		p++;
	if (!la_import_rule_name((enum la_import_rule)rule) ||
	    !valid_word(driver, sizeof(r->key.driver)) || !valid_word(what, sizeof(r->key.what)) ||
	    strlen(p) >= sizeof(r->reason) || makedev(maj, min) == 0)
		return false;
	memset(r, 0, sizeof(*r));
	r->key.devnum = makedev(maj, min);
	memcpy(r->key.driver, driver, strlen(driver) + 1);
	memcpy(r->key.what, what, strlen(what) + 1);
	r->rule = (enum la_import_rule)rule;
	memcpy(r->reason, p, strlen(p) + 1);
	*current = instance_seen(seen, r->key.devnum) == inst;
	return true;
}

/* Records of buf valid now, at most max; -EBADMSG if it does not parse. */
static int parse(char *buf, const char *boot_id, struct be_probe_record *out, size_t max,
		 char *note, size_t len)
{
	char *save = NULL, *line = strtok_r(buf, "\n", &save);
	size_t n = 0, lineno = 1, stale = 0;
	struct seen seen = {0};

	if (!line)
		return 0;
	if (strncmp(line, MAGIC " ", sizeof(MAGIC)) != 0) {
		snprintf(note, len, "%s: not a liballoc probe cache (first line): ignored", FILE_NAME);
		return -EBADMSG;
	}
	if (strcmp(line + sizeof(MAGIC), boot_id) != 0)
		return 0; /* written in another boot: nothing in it holds now */
	while ((line = strtok_r(NULL, "\n", &save))) {
		struct be_probe_record r;
		bool current;
		lineno++;
		if (!parse_line(line, &r, &current, &seen) || n == max) {
			snprintf(note, len, "%s: line %zu %s: ignored", FILE_NAME, lineno,
				 n == max ? "is one record too many" : "does not parse");
			return -EBADMSG;
		}
		if (current)
			out[n++] = r;
		else
			stale++;
	}
	if (stale)
		snprintf(note, len, "%s: %zu record(s) of devices since re-created dropped", FILE_NAME,
			 stale);
	return (int)n;
}

static int load_at(int dfd, const char *boot_id, struct be_probe_record *out, size_t max,
		   char *note, size_t len)
{
	char *buf = malloc(BE_PROBE_STORE_MAX_BYTES + 1);
	size_t n;
	int ret;

	if (!buf)
		return -ENOMEM;
	ret = read_file(dfd, buf, BE_PROBE_STORE_MAX_BYTES + 1, &n, note, len);
	if (ret == 0)
		ret = parse(buf, boot_id, out, max, note, len);
	free(buf);
	return ret;
}

int be_probe_store_load(const char *boot_id, struct be_probe_record *out, size_t max, char *note,
			size_t note_len)
{
	int dfd, ret;

	note[0] = '\0';
	if (!boot_id[0])
		return -ENOENT; /* no boot id: nothing could be told apart from another boot */
	dfd = open_dir(note, note_len);
	if (dfd < 0)
		return dfd;
	ret = load_at(dfd, boot_id, out, max, note, note_len);
	close(dfd);
	if (ret > 0 && !note[0])
		snprintf(note, note_len, "%d probe answer(s) from $XDG_RUNTIME_DIR/%s/%s", ret,
			 DIR_NAME, FILE_NAME);
	return ret;
}

static int append(char *buf, size_t cap, size_t *n, const struct be_probe_record *r)
{
	char reason[BE_PROBE_CACHE_REASON_MAX];
	int w;

	snprintf(reason, sizeof(reason), "%s", r->reason);
	for (char *c = reason; *c; c++)
		if (*c == '\n' || *c == '\r')
			*c = ' ';
	w = snprintf(buf + *n, cap - *n, "%u:%u %llu %d %s %s %s\n", major(r->key.devnum),
		     minor(r->key.devnum), instance_of(r->key.devnum), (int)r->rule, r->key.driver,
		     r->key.what, reason);
	if (w < 0 || (size_t)w >= cap - *n)
		return -EFBIG;
	*n += (size_t)w;
	return 0;
}

static int write_all(int fd, const char *buf, size_t n)
{
	while (n) {
		ssize_t w = write(fd, buf, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		buf += w;
		n -= (size_t)w;
	}
	return 0;
}

/* recs[0..n) into the file: a temporary file renamed over it. Caller holds the lock. */
static int write_at(int dfd, const char *boot_id, const struct be_probe_record *recs, size_t n)
{
	char *buf = malloc(BE_PROBE_STORE_MAX_BYTES), tmp[64];
	size_t len = 0;
	int fd, ret;

	if (!buf)
		return -ENOMEM;
	ret = snprintf(buf, BE_PROBE_STORE_MAX_BYTES, "%s %s\n", MAGIC, boot_id) < 0 ? -EIO : 0;
	len = strlen(buf);
	for (size_t i = 0; i < n && ret == 0; i++)
		ret = append(buf, BE_PROBE_STORE_MAX_BYTES, &len, &recs[i]);
	snprintf(tmp, sizeof(tmp), "%s.%ld.tmp", FILE_NAME, (long)getpid());
	unlinkat(dfd, tmp, 0); /* a crashed writer's leftover of the same pid */
	fd = ret < 0 ? -1 : openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (ret == 0 && fd < 0)
		ret = -errno;
	if (ret == 0)
		ret = write_all(fd, buf, len);
	if (fd >= 0)
		close(fd);
	if (ret == 0 && renameat(dfd, tmp, dfd, FILE_NAME) != 0)
		ret = -errno;
	if (ret < 0 && fd >= 0)
		unlinkat(dfd, tmp, 0);
	free(buf);
	return ret;
}

static bool same_key(const struct be_probe_key *a, const struct be_probe_key *b)
{
	return a->devnum == b->devnum && strcmp(a->driver, b->driver) == 0 &&
	       strcmp(a->what, b->what) == 0;
}

int be_probe_store_save(const char *boot_id, const struct be_probe_record *rec, char *note,
			size_t note_len)
{
	struct be_probe_record *recs;
	int dfd, lfd = -1, ret;
	size_t n = 0;

	note[0] = '\0';
	if (!boot_id[0])
		return -ENOENT;
	dfd = open_dir(note, note_len);
	if (dfd < 0)
		return dfd;
	recs = calloc(BE_PROBE_CACHE_ENTRIES, sizeof(*recs));
	ret = recs ? 0 : -ENOMEM;
	if (ret == 0) {
		lfd = openat(dfd, LOCK_NAME, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
		ret = lfd < 0 ? -errno : check_owned(lfd, false, LOCK_NAME, note, note_len);
	}
	while (ret == 0 && flock(lfd, LOCK_EX) != 0)
		ret = errno == EINTR ? 0 : -errno;
	if (ret == 0) {
		/* a file that does not parse is replaced by this process's answer */
		int got = load_at(dfd, boot_id, recs, BE_PROBE_CACHE_ENTRIES - 1, note, note_len);
		n = got > 0 ? (size_t)got : 0;
		size_t i = 0;
		while (i < n && !same_key(&recs[i].key, &rec->key))
			i++;
		recs[i] = *rec;
		n += i == n;
		ret = write_at(dfd, boot_id, recs, n);
	}
	if (ret < 0 && !note[0])
		snprintf(note, note_len, "saving the probe cache: %s", strerror(-ret));
	else if (ret == 0 && !note[0])
		snprintf(note, note_len, "probe answer saved in $XDG_RUNTIME_DIR/%s/%s (%zu record(s))",
			 DIR_NAME, FILE_NAME, n);
	if (lfd >= 0)
		close(lfd); /* releases the lock */
	free(recs);
	close(dfd);
	return ret;
}
