/* SPDX-License-Identifier: MIT */
#include "testlib.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/dma-buf.h>
#include <linux/dma-heap.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

int tl_fd_count(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (!d) {
		fprintf(stderr, "FAIL: cannot count open fds: /proc/self/fd: %s\n", strerror(errno));
		exit(1);
	}
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n - 1; /* the directory's own fd */
}

int tl_xioctl(int fd, unsigned long req, void *arg)
{
	int ret;

	do
		ret = ioctl(fd, req, arg);
	while (ret < 0 && errno == EINTR);
	return ret < 0 ? -errno : ret;
}

int tl_dmabuf_sync(int dmabuf, uint64_t flags)
{
	struct dma_buf_sync s = {.flags = flags};

	return tl_xioctl(dmabuf, DMA_BUF_IOCTL_SYNC, &s);
}

long tl_rss_kib(void)
{
	FILE *f = fopen("/proc/self/statm", "re");
	long size, resident = -1;

	if (!f)
		return -1;
	if (fscanf(f, "%ld %ld", &size, &resident) != 2)
		resident = -1;
	fclose(f);
	return resident < 0 ? -1 : resident * (sysconf(_SC_PAGESIZE) / 1024);
}

long long tl_meminfo_kib(const char *key)
{
	FILE *f = fopen("/proc/meminfo", "re");
	char line[256];
	long long val = -1;
	size_t n = strlen(key);

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, n) && line[n] == ':')
			val = atoll(line + n + 1);
	fclose(f);
	return val;
}

long long tl_meminfo_settled_kib(const char *key, long long tolerance_kib)
{
	struct timespec pause = {0, 20 * 1000 * 1000};
	long long prev = tl_meminfo_kib(key), cur = prev;

	/* Frees of earlier tests' buffers may still run from RCU callbacks and
	 * workqueues; half a second of 20 ms steps is far longer than they take. */
	for (int i = 0; i < 25; i++) {
		nanosleep(&pause, NULL);
		cur = tl_meminfo_kib(key);
		if (llabs(cur - prev) < tolerance_kib)
			break;
		prev = cur;
	}
	return cur;
}

int tl_klog_open(void)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	if (lseek(fd, 0, SEEK_END) < 0) {
		int err = errno;

		close(fd);
		return -err;
	}
	return fd;
}

int tl_klog_count(int klog, const char *needle)
{
	char rec[2048];
	int n = 0;

	for (;;) {
		ssize_t len = read(klog, rec, sizeof(rec) - 1);

		if (len < 0) {
			if (errno == EPIPE) /* records overwritten: go on with the next */
				continue;
			if (errno == EAGAIN)
				return n;
			return -errno;
		}
		rec[len] = '\0';
		n += strstr(rec, needle) != NULL;
	}
}

static void param_path(char *path, size_t len, const char *module, const char *name)
{
	snprintf(path, len, "/sys/module/%s/parameters/%s", module, name);
}

int tl_module_param(const char *module, const char *name, char *buf, size_t len)
{
	char path[256];
	FILE *f;
	int ret = 0;

	param_path(path, sizeof(path), module, name);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	if (!fgets(buf, (int)len, f))
		ret = -EIO;
	fclose(f);
	if (ret == 0)
		buf[strcspn(buf, "\n")] = '\0';
	return ret;
}

int tl_module_param_write(const char *module, const char *name, const char *val)
{
	char path[256];
	FILE *f;
	int ret;

	param_path(path, sizeof(path), module, name);
	f = fopen(path, "we");
	if (!f)
		return -errno;
	ret = fputs(val, f) < 0 ? -EIO : 0;
	if (fclose(f))
		ret = -errno;
	return ret;
}

int tl_heap_alloc(uint64_t len)
{
	struct dma_heap_allocation_data d = {.len = len, .fd_flags = O_RDWR | O_CLOEXEC};
	int heap = open("/dev/dma_heap/system", O_RDONLY | O_CLOEXEC), ret;

	if (heap < 0)
		return -errno;
	ret = tl_xioctl(heap, DMA_HEAP_IOCTL_ALLOC, &d);
	close(heap);
	return ret < 0 ? ret : (int)d.fd;
}

void *tl_read_file(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rbe");
	char *buf = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
	    (buf = malloc((size_t)n + 1))) {
		if (fread(buf, 1, (size_t)n, f) == (size_t)n) {
			buf[n] = '\0';
			*size = (size_t)n;
		} else {
			free(buf);
			buf = NULL;
			errno = EIO;
		}
	}
	fclose(f);
	return buf;
}

/* One seed: 0 if it did what its name says, 1 (err filled) if not, -errno. */
static int check_seed(const char *dir, const char *name,
		      int (*load)(const void *data, size_t size), char *err, size_t len)
{
	bool valid = strncmp(name, "valid-", 6) == 0;
	char path[512];
	size_t size;
	void *data;
	int ret;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	data = tl_read_file(path, &size);
	if (!data)
		return -errno;
	ret = load(data, size);
	free(data);
	if (valid ? ret == 0 : ret == -EINVAL)
		return 0;
	snprintf(err, len, "%s: %s, got %d (%s)", name, valid ? "must load" : "expected -EINVAL",
		 ret, ret < 0 ? strerror(-ret) : "success");
	return 1;
}

int tl_check_seeds(const char *dir, int (*load)(const void *data, size_t size), int min_valid,
		   int min_invalid, char *err, size_t len)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int ret = 0, valid = 0, invalid = 0;

	if (!d)
		return -errno;
	while (ret == 0 && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		ret = check_seed(dir, e->d_name, load, err, len);
		if (ret == 0)
			strncmp(e->d_name, "valid-", 6) == 0 ? valid++ : invalid++;
	}
	closedir(d);
	if (ret == 0 && (valid < min_valid || invalid < min_invalid)) {
		snprintf(err, len, "%s: %d valid and %d invalid seeds, want at least %d and %d", dir,
			 valid, invalid, min_valid, min_invalid);
		ret = 1;
	}
	return ret;
}

double tl_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

long tl_dmabuf_count(void)
{
	char line[256], c;
	long n = -1;
	FILE *f = fopen("/sys/kernel/debug/dma_buf/bufinfo", "re");

	if (!f)
		return -1;
	/* each buffer has its own "Total N devices attached" line before the
	 * last line, "Total N objects, M bytes": the suffix tells them apart */
	while (n < 0 && fgets(line, sizeof(line), f))
		if (sscanf(line, "Total %ld object%c", &n, &c) != 2)
			n = -1;
	fclose(f);
	return n;
}

long tl_module_param_long(const char *module, const char *name)
{
	char buf[32], *end;
	long v;

	if (tl_module_param(module, name, buf, sizeof(buf)) < 0)
		return -1;
	v = strtol(buf, &end, 10);
	return end == buf ? -1 : v;
}
