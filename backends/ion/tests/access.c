/* SPDX-License-Identifier: MIT */
/*
 * No permission is not missing: an unprivileged user (uid/gid 65534) whose
 * heap node exists but is root's only (mode 0600, set here) gets EACCES
 * from la_allocate_with_path() with a diagnosis saying permission and the
 * node; a heap the kernel lacks gets ENOENT (by name) and the CMA
 * stand-in a refusal, both saying missing. With the node opened up (0666) the
 * same user allocates from it: the permission was the only obstacle.
 * ion_test's /dev/ion is 0666 on purpose, so the node used is a dma-heap's.
 *
 * Runs as root (it chmods the node and restores its mode); the checks run
 * in children that drop to the unprivileged user.
 */
#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"

#define NODE "/dev/dma_heap/system"
#define PATH "dma-heap:system"
#define NOBODY 65534

static struct la_result *negotiate(struct la_context *ctx, struct la_capset **set)
{
	struct la_result *res = NULL;

	*set = test_vgem_set(LA_USAGE_SAMPLE, FMT_XRGB, NULL);
	test_negotiate(ctx, FMT_XRGB, 64, 64, set, 1, &res);
	return res;
}

static bool has_path(const struct la_result *res, const char *name, struct la_path_info *pi)
{
	for (size_t i = 0; i < la_result_get_path_count(res); i++)
		if (la_result_get_path(res, i, pi) == 0 && !strcmp(pi->name, name))
			return true;
	return false;
}

static void denied(void)
{
	struct la_context *ctx = test_context();
	struct la_capset *set;
	struct la_result *res = negotiate(ctx, &set);
	struct la_buffer *buf = NULL;
	struct la_path_info pi;
	int ret;

	vm_check(getuid() == NOBODY && geteuid() == NOBODY, "running as uid %d", (int)geteuid());
	if (!vm_check(res && has_path(res, PATH, &pi), "%s is listed although unopenable", PATH))
		goto out;
	vm_check(!pi.matched && strstr(pi.reason, "no permission to open " NODE),
		 "its reason says permission and the node: %s", pi.reason);
	ret = la_allocate_with_path(res, PATH, &buf);
	vm_check(ret == -EACCES && !buf, "la_allocate_with_path(%s): EACCES (%s)", PATH,
		 strerror(-ret));
	vm_check(strstr(la_last_diagnosis(), "no permission to open " NODE) &&
			 !strstr(la_last_diagnosis(), "missing"),
		 "the diagnosis says permission, not missing: %s", la_last_diagnosis());
	/* the stand-in for the CMA heap this kernel lacks: missing, whoever asks */
	if (has_path(res, "dma-heap:cma", &pi)) {
		ret = la_allocate_with_path(res, "dma-heap:cma", &buf);
		vm_check(ret < 0 && ret != -EACCES && !buf, "la_allocate_with_path(dma-heap:cma): "
			 "refused, not EACCES (%s)", strerror(-ret));
		vm_check(strstr(la_last_diagnosis(), "missing heap: ") &&
				 !strstr(la_last_diagnosis(), "permission"),
			 "the diagnosis says missing, not permission: %s", la_last_diagnosis());
	} else {
		vm_note("this kernel has a CMA dma-heap: no stand-in for a missing heap");
	}
	ret = has_path(res, "dma-heap:linux,cma", &pi) ? -EEXIST
	      : la_allocate_with_path(res, "dma-heap:linux,cma", &buf);
	vm_check(ret == -ENOENT && !buf && strstr(la_last_diagnosis(), "missing") &&
			 !strstr(la_last_diagnosis(), "permission"),
		 "a heap this kernel lacks: ENOENT, missing: %s", la_last_diagnosis());
out:
	la_result_destroy(res);
	la_capset_destroy(set);
	la_context_destroy(ctx);
}

static void granted(void)
{
	struct la_context *ctx = test_context();
	struct la_capset *set;
	struct la_result *res = negotiate(ctx, &set);
	struct la_buffer *buf = NULL;
	int ret = res ? la_allocate_with_path(res, PATH, &buf) : -ENODEV;

	vm_check(ret == 0 && buf, "node opened up: uid %d allocates from %s: %s", (int)geteuid(),
		 PATH, ret ? la_last_diagnosis() : "ok");
	la_buffer_destroy(buf);
	la_result_destroy(res);
	la_capset_destroy(set);
	la_context_destroy(ctx);
}

/* Runs fn in a child as the unprivileged user; its checks count as ours. */
static void as_nobody(void (*fn)(void), const char *what)
{
	int status = -1;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		if (setgroups(0, NULL) || setresgid(NOBODY, NOBODY, NOBODY) ||
		    setresuid(NOBODY, NOBODY, NOBODY))
			vm_fatal("cannot drop to uid %d: %s", NOBODY, strerror(errno));
		fn();
		fflush(stdout);
		_exit(vm_exit_status());
	}
	waitpid(pid, &status, 0);
	vm_check(pid > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0,
		 "%s: every check of the unprivileged child passed", what);
}

int main(void)
{
	struct stat st;

	if (geteuid() != 0)
		vm_fatal("runs as root: it changes the mode of %s", NODE);
	if (stat(NODE, &st) != 0)
		vm_fatal("%s: %s", NODE, strerror(errno));
	vm_check(chmod(NODE, 0600) == 0, "chmod 0600 %s (was %03o)", NODE, st.st_mode & 0777);
	as_nobody(denied, "root-only node");
	vm_check(chmod(NODE, 0666) == 0, "chmod 0666 %s", NODE);
	as_nobody(granted, "opened node");
	vm_check(chmod(NODE, st.st_mode & 07777) == 0, "mode of %s restored", NODE);
	return vm_exit_status();
}
