/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <math.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "measure.h"
#include "child.h"

extern char **environ;

static bool skipped(const char *entry)
{
	return strncmp(entry, "LIBALLOC_BACKEND_PATH=", 22) == 0 ||
	       strncmp(entry, "LIBALLOC_DEBUG=", 15) == 0;
}

/* environ without our variables, plus LIBALLOC_BACKEND_PATH=path. */
static char **child_env(const char *path, char **owned)
{
	size_t n = 0, k = 0;
	char **env;

	while (environ[n])
		n++;
	env = calloc(n + 2, sizeof(*env));
	if (!env)
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (!skipped(environ[i]))
			env[k++] = environ[i];
	*owned = NULL;
	if (path) {
		size_t len = strlen(path) + sizeof("LIBALLOC_BACKEND_PATH=");
		*owned = malloc(len);
		if (!*owned) {
			free(env);
			return NULL;
		}
		snprintf(*owned, len, "LIBALLOC_BACKEND_PATH=%s", path);
		env[k++] = *owned;
	}
	return env;
}

static void read_all(int fd, char *buf, size_t len)
{
	size_t n = 0;
	char sink[512];

	for (;;) {
		ssize_t r = n + 1 < len ? read(fd, buf + n, len - 1 - n) : read(fd, sink, sizeof(sink));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		if (n + 1 < len)
			n += (size_t)r;
	}
	buf[n] = '\0';
}

int bench_spawn(const char *exe, char *const argv[], const char *backend_path,
		struct bench_child *out)
{
	posix_spawn_file_actions_t fa;
	char *owned = NULL, **env = child_env(backend_path, &owned);
	int pipefd[2], status = 0, ret;
	pid_t pid;

	if (!env)
		return -ENOMEM;
	if (pipe2(pipefd, O_CLOEXEC) != 0) {
		ret = -errno;
		goto out;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, pipefd[1], STDOUT_FILENO);
	double t0 = bench_now_us();
	ret = -posix_spawn(&pid, exe, &fa, NULL, argv, env);
	posix_spawn_file_actions_destroy(&fa);
	close(pipefd[1]);
	if (ret == 0) {
		read_all(pipefd[0], out->out, sizeof(out->out));
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
		out->wall_us = bench_now_us() - t0;
		out->exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	}
	close(pipefd[0]);
out:
	free(owned);
	free(env);
	return ret;
}

double bench_child_value(const struct bench_child *c, const char *key)
{
	size_t len = strlen(key);

	for (const char *l = c->out; *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : l + strlen(l))
		if (strncmp(l, key, len) == 0 && l[len] == ' ')
			return strtod(l + len + 1, NULL);
	return NAN;
}
