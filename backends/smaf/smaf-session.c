/* SPDX-License-Identifier: MIT */
/*
 * The SMAF uapi (kernel/smaf/uapi/smaf.h, installed as <liballoc/smaf.h>):
 * opening /dev/smaf, listing its allocators, finding out whether a secure
 * module is registered, creating buffers.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "../common/ioctl.h"
#include "smaf-backend.h"

int smaf_is_node(int fd)
{
	char path[64], line[128];
	struct stat st;
	bool named = false;
	FILE *f;

	/*
	 * Ask sysfs for the node's kernel name rather than sending SMAF's
	 * ioctl to whatever node the core probes: 'S' is not our magic alone.
	 */
	if (fstat(fd, &st) != 0 || !S_ISCHR(st.st_mode))
		return -ENODEV;
	snprintf(path, sizeof(path), "/sys/dev/char/%u:%u/uevent", major(st.st_rdev),
		 minor(st.st_rdev));
	f = fopen(path, "re");
	if (!f)
		return -ENODEV;
	while (fgets(line, sizeof(line), f))
		named |= strcmp(line, "DEVNAME=smaf\n") == 0;
	fclose(f);
	return named ? 0 : -ENODEV;
}

static int list_allocators(struct smaf_session *s)
{
	struct smaf_info info = {0};
	int ret = be_ioctl_again(s->fd, SMAF_IOC_GET_INFO, &info);

	if (ret < 0)
		return ret;
	for (uint32_t i = 0; i < info.count && i < SMAF_MAX_ALLOCATORS; i++) {
		memset(&info, 0, sizeof(info));
		info.index = i;
		ret = be_ioctl_again(s->fd, SMAF_IOC_GET_INFO, &info);
		if (ret < 0)
			return ret;
		memcpy(s->allocs[i].name, info.name, sizeof(s->allocs[i].name));
		s->allocs[i].name[sizeof(s->allocs[i].name) - 1] = '\0';
		s->allocs[i].ranking = info.ranking;
		s->n_allocs = i + 1;
	}
	return 0;
}

/*
 * The uapi has no "is a secure module loaded" query; SET_SECURE_FLAG on a
 * fresh buffer answers it (-EINVAL: none registered). Create allocates no
 * memory, so the probe costs three syscalls.
 */
static int probe_secure(int smaf)
{
	int buf, ret = smaf_create(smaf, 1, "", &buf);

	if (ret < 0)
		return ret;
	ret = smaf_set_secure(smaf, buf);
	close(buf);
	return ret;
}

int smaf_session_open(struct smaf_backend *be, struct smaf_session **out, struct la_why *why)
{
	struct smaf_session *s;
	int ret;

	*out = NULL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->refs = 1;
	s->lazy = (pthread_mutex_t)PTHREAD_MUTEX_INITIALIZER;
	s->fd = open(SMAF_NODE, O_RDWR | O_CLOEXEC);
	if (s->fd < 0) {
		ret = -errno;
		if (ret == -ENOENT)
			smaf_diag(why, SMAF_NODE ": absent (smaf.ko not loaded)");
		else
			smaf_diag(why, SMAF_NODE ": open: %s%s", strerror(-ret),
				  ret == -EACCES ? " (node permissions)" : "");
		goto fail;
	}
	ret = list_allocators(s);
	if (ret < 0) {
		smaf_diag(why, SMAF_NODE ": SMAF_IOC_GET_INFO: %s", strerror(-ret));
		goto fail;
	}
	*out = s;
	return 0;
fail:
	smaf_session_unref(s);
	return ret;
}

/* Once learnt, a figure is only read: the flag is published after it. */
int smaf_session_secure(struct smaf_backend *be, struct smaf_session *s)
{
	if (__atomic_load_n(&s->secure_known, __ATOMIC_ACQUIRE))
		return s->secure_err;
	pthread_mutex_lock(&s->lazy);
	if (!s->secure_known) {
		s->secure_err = probe_secure(s->fd);
		__atomic_store_n(&s->secure_known, true, __ATOMIC_RELEASE);
		smaf_dbg(be, "secure module %s", s->secure_err == 0 ? "registered" : "absent");
	}
	pthread_mutex_unlock(&s->lazy);
	return s->secure_err;
}

uint64_t smaf_session_contig_max(struct smaf_backend *be, struct smaf_session *s)
{
	if (__atomic_load_n(&s->contig_known, __ATOMIC_ACQUIRE))
		return s->contig_max;
	pthread_mutex_lock(&s->lazy);
	if (!s->contig_known) {
		s->contig_max = smaf_contig_limit(s->contig_why, sizeof(s->contig_why));
		__atomic_store_n(&s->contig_known, true, __ATOMIC_RELEASE);
		smaf_dbg(be, "contiguous blocks up to %llu bytes (%s)",
			 (unsigned long long)s->contig_max, s->contig_why);
	}
	pthread_mutex_unlock(&s->lazy);
	return s->contig_max;
}

void smaf_session_unref(struct smaf_session *s)
{
	if (!s || --s->refs > 0)
		return;
	if (s->fd >= 0)
		close(s->fd);
	pthread_mutex_destroy(&s->lazy);
	free(s);
}

const struct smaf_allocator *smaf_session_find(const struct smaf_session *s, const char *name)
{
	for (size_t i = 0; i < s->n_allocs; i++)
		if (strcmp(s->allocs[i].name, name) == 0)
			return &s->allocs[i];
	return NULL;
}

void smaf_session_describe(const struct smaf_session *s, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < s->n_allocs && off < len; i++) {
		int n = snprintf(buf + off, len - off, "%s%s (%u)", i ? ", " : "", s->allocs[i].name,
				 s->allocs[i].ranking);
		if (n < 0)
			break;
		off += (size_t)n;
	}
	if (s->n_allocs == 0)
		snprintf(buf, len, "none");
}

int smaf_create(int smaf, uint64_t length, const char *allocator, int *fd)
{
	struct smaf_create_data c = {
		.length = length,
		.flags = SMAF_RDWR | SMAF_CLOEXEC,
	};
	int ret;

	*fd = -1;
	/* c.name stays NUL-terminated (zeroed above); no printf per buffer */
	for (size_t i = 0; i + 1 < sizeof(c.name) && allocator[i]; i++)
		c.name[i] = (__u8)allocator[i];
	ret = be_ioctl_again(smaf, SMAF_IOC_CREATE, &c);
	if (ret == 0)
		*fd = c.fd;
	return ret;
}

int smaf_set_secure(int smaf, int buf_fd)
{
	struct smaf_secure_flag f = {.fd = buf_fd, .secure = 1};

	return be_ioctl_again(smaf, SMAF_IOC_SET_SECURE_FLAG, &f);
}

int smaf_buffer_info(int smaf, int buf_fd, struct smaf_buffer_info *info)
{
	memset(info, 0, sizeof(*info));
	info->fd = buf_fd;
	int ret = be_ioctl_again(smaf, SMAF_IOC_GET_BUFFER_INFO, info);
	info->allocator[sizeof(info->allocator) - 1] = '\0';
	info->diag[sizeof(info->diag) - 1] = '\0';
	return ret;
}
