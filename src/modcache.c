/* SPDX-License-Identifier: MIT */
/*
 * The module table's cache file, $XDG_RUNTIME_DIR/liballoc/modules: what
 * listing each search-path folder and reading its manifests gave, keyed by
 * the folder's device, inode, modification and change times. Adding,
 * removing or renaming a module or manifest (an install, a rebuild) changes
 * the folder's times, so the next process lists it again; a process whose
 * folders are unchanged reads one local file instead of listing folders and
 * reading manifests (on a network or 9p root, a round trip each).
 * The modules themselves are still checked when loaded. Format:
 *
 *   liballoc-module-cache 1
 *   F <dev> <ino> <mtime s> <ns> <ctime s> <ns> <folder to the end of the line>
 *   M <file name> <has manifest 0|1> <name|-> <neutral paths 0|1> <claims,...|->
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "private.h"

#define DIR_NAME "liballoc"
#define FILE_NAME "modules"
#define MAGIC "liballoc-module-cache 1\n"
#define CACHE_MAX 65536

static bool owned(int fd, bool dir)
{
	struct stat st;

	return fstat(fd, &st) == 0 && (dir ? S_ISDIR(st.st_mode) : S_ISREG(st.st_mode)) &&
	       st.st_uid == geteuid() && !(st.st_mode & (dir ? 077 : 022));
}

/* $XDG_RUNTIME_DIR/liballoc (this user's, 0700), created if absent; -1 without. */
static int open_dir(void)
{
	const char *rt = secure_getenv("XDG_RUNTIME_DIR"), *v = secure_getenv("LIBALLOC_MODULE_CACHE");
	int rfd, dfd = -1;

	if (la_process_is_secure() || (v && strcmp(v, "0") == 0) || !rt || rt[0] != '/')
		return -1;
	rfd = open(rt, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (rfd < 0)
		return -1;
	if (owned(rfd, true)) {
		/* created by the first process of the user: the others only open it */
		dfd = openat(rfd, DIR_NAME, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (dfd < 0 && errno == ENOENT &&
		    (mkdirat(rfd, DIR_NAME, 0700) == 0 || errno == EEXIST))
			dfd = openat(rfd, DIR_NAME, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	}
	close(rfd);
	if (dfd >= 0 && !owned(dfd, true)) {
		close(dfd);
		dfd = -1;
	}
	return dfd;
}

void la_modcache_open(struct la_modcache *c)
{
	ssize_t n = 0;
	int fd;

	*c = (struct la_modcache){.dfd = open_dir()};
	if (c->dfd < 0)
		return;
	c->old = malloc(CACHE_MAX + 1);
	c->text = malloc(CACHE_MAX);
	if (!c->old || !c->text) {
		la_modcache_close(c);
		return;
	}
	c->old[0] = '\0';
	snprintf(c->text, CACHE_MAX, "%s", MAGIC);
	c->len = strlen(MAGIC);
	fd = openat(c->dfd, FILE_NAME, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return;
	if (owned(fd, false))
		n = read(fd, c->old, CACHE_MAX + 1);
	close(fd);
	/* a short or foreign file is as good as none */
	if (n > 0 && n <= CACHE_MAX && strncmp(c->old, MAGIC, strlen(MAGIC)) == 0)
		c->old[n] = '\0';
	else
		c->old[0] = '\0';
}

static int folder_line(char *buf, size_t len, const char *dir, const struct stat *st)
{
	int n = snprintf(buf, len, "F %llu %llu %lld %ld %lld %ld %s\n",
			 (unsigned long long)st->st_dev, (unsigned long long)st->st_ino,
			 (long long)st->st_mtim.tv_sec, st->st_mtim.tv_nsec,
			 (long long)st->st_ctim.tv_sec, st->st_ctim.tv_nsec, dir);
	return n < 0 || (size_t)n >= len || strchr(dir, '\n') ? -ENAMETOOLONG : n;
}

/*
 * The next space-separated word of *p into out (at most max - 1 bytes);
 * false if there is none or it is longer. By hand rather than sscanf: a
 * warm process would run scanf for these lines and nothing else.
 */
static bool next_word(const char **p, char *out, size_t max)
{
	const char *s = *p;
	size_t n;

	while (*s == ' ')
		s++;
	n = strcspn(s, " ");
	if (n == 0 || n >= max)
		return false;
	memcpy(out, s, n);
	out[n] = '\0';
	*p = s + n;
	return true;
}

static int parse_module(char *line, const char *dir, struct la_module *m)
{
	char file[256], name[64], claims[LA_MODULE_MAX_CLAIMS * 32 + 8], path[4096], flag[2][4];
	const char *p = line;
	int manifest, neutral;
	size_t dl = strlen(dir);
	char *save = NULL;

	*m = (struct la_module){0};
	if (!next_word(&p, flag[0], sizeof(flag[0])) || strcmp(flag[0], "M") != 0 ||
	    !next_word(&p, file, sizeof(file)) || !next_word(&p, flag[0], sizeof(flag[0])) ||
	    !next_word(&p, name, sizeof(name)) || !next_word(&p, flag[1], sizeof(flag[1])) ||
	    !next_word(&p, claims, sizeof(claims)) || dl + 1 + strlen(file) >= sizeof(path))
		return -EINVAL;
	manifest = strcmp(flag[0], "1") == 0;
	neutral = strcmp(flag[1], "1") == 0;
	memcpy(path, dir, dl);
	path[dl] = '/';
	strcpy(path + dl + 1, file);
	m->has_manifest = manifest == 1;
	if (m->has_manifest) {
		snprintf(m->name, sizeof(m->name), "%s", name);
		m->neutral_paths = neutral == 1;
		for (char *w = strtok_r(claims, ",", &save); w && strcmp(claims, "-") != 0;
		     w = strtok_r(NULL, ",", &save)) {
			if (m->n_claims == LA_MODULE_MAX_CLAIMS || strlen(w) >= sizeof(m->claims[0]))
				return -EINVAL;
			strcpy(m->claims[m->n_claims++], w);
		}
	}
	m->file = strdup(path);
	return m->file ? 0 : -ENOMEM;
}

int la_modcache_lookup(struct la_modcache *c, const char *dir, const struct stat *st,
		       struct la_module **mods, size_t *n)
{
	char head[4200];
	const char *at;
	int ret = 0;

	*mods = NULL;
	*n = 0;
	if (!c->old || !c->old[0] || folder_line(head + 1, sizeof(head) - 1, dir, st) < 0)
		return -ENOENT;
	head[0] = '\n';
	at = strstr(c->old, head);
	if (!at)
		return -ENOENT;
	at += strlen(head);
	while (ret == 0 && at[0] == 'M') {
		const char *end = strchr(at, '\n');
		char line[800];
		struct la_module *v;

		if (!end || (size_t)(end - at) >= sizeof(line)) {
			ret = -EINVAL;
			break;
		}
		memcpy(line, at, (size_t)(end - at));
		line[end - at] = '\0';
		v = realloc(*mods, (*n + 1) * sizeof(*v));
		if (!v) {
			ret = -ENOMEM;
			break;
		}
		*mods = v;
		ret = parse_module(line, dir, &v[*n]);
		if (ret == 0)
			(*n)++;
		at = end + 1;
	}
	if (ret < 0) {
		for (size_t i = 0; i < *n; i++)
			free((*mods)[i].file);
		free(*mods);
		*mods = NULL;
		*n = 0;
	}
	return ret;
}

static bool plain(const char *s)
{
	return s[0] && !strpbrk(s, " \t\n\r,");
}

void la_modcache_record(struct la_modcache *c, const char *dir, const struct stat *st,
			const struct la_module *mods, size_t n)
{
	char buf[CACHE_MAX];
	size_t len;
	int k;

	if (!c->text || (k = folder_line(buf, sizeof(buf), dir, st)) < 0)
		return;
	len = (size_t)k;
	for (size_t i = 0; i < n; i++) {
		const struct la_module *m = &mods[i];
		const char *base = strrchr(m->file, '/');
		char claims[LA_MODULE_MAX_CLAIMS * 32 + 8] = "";

		base = base ? base + 1 : m->file;
		for (size_t j = 0; j < m->n_claims; j++) {
			if (!plain(m->claims[j]))
				return;
			strcat(claims, j ? "," : "");
			strcat(claims, m->claims[j]);
		}
		if (!plain(base) || strlen(base) > 255 || (m->has_manifest && !plain(m->name)))
			return; /* a name the format cannot hold: not cached */
		k = snprintf(buf + len, sizeof(buf) - len, "M %s %d %s %d %s\n", base,
			     m->has_manifest, m->has_manifest ? m->name : "-", m->neutral_paths,
			     claims[0] ? claims : "-");
		if (k < 0 || (size_t)k >= sizeof(buf) - len)
			return;
		len += (size_t)k;
	}
	if (c->len + len >= CACHE_MAX)
		return;
	memcpy(c->text + c->len, buf, len);
	c->len += len;
}

/* Writes what this listing recorded if it differs: a temporary file renamed over the old. */
void la_modcache_close(struct la_modcache *c)
{
	char tmp[64];
	int fd;

	if (c->dfd >= 0 && c->text && c->old && (strlen(c->old) != c->len ||
						 memcmp(c->old, c->text, c->len) != 0)) {
		snprintf(tmp, sizeof(tmp), "%s.%ld.tmp", FILE_NAME, (long)getpid());
		unlinkat(c->dfd, tmp, 0); /* a crashed writer's leftover of the same pid */
		fd = openat(c->dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd >= 0) {
			bool ok = write(fd, c->text, c->len) == (ssize_t)c->len;
			close(fd);
			if (!ok || renameat(c->dfd, tmp, c->dfd, FILE_NAME) != 0)
				unlinkat(c->dfd, tmp, 0);
		}
	}
	if (c->dfd >= 0)
		close(c->dfd);
	free(c->old);
	free(c->text);
	*c = (struct la_modcache){.dfd = -1};
}
