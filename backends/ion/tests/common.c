/* SPDX-License-Identifier: MIT */
#include "common.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <linux/dma-buf.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xf86drm.h>

static char log_buf[1 << 16];
static size_t log_len;

static void keep_log(void *data, enum la_log_level level, const char *msg)
{
	size_t n = strlen(msg);

	(void)data;
	(void)level;
	if (log_len + n + 2 < sizeof(log_buf)) {
		memcpy(log_buf + log_len, msg, n);
		log_len += n;
		log_buf[log_len++] = '\n';
		log_buf[log_len] = '\0';
	}
}

const char *test_log(void)
{
	return log_buf;
}

bool test_log_has(const char *needle)
{
	return strstr(log_buf, needle) != NULL;
}

struct la_context *test_context(void)
{
	struct la_context *ctx;
	bool found = false;
	size_t n = 0;

	if (la_context_new(&ctx) < 0)
		vm_fatal("la_context_new failed");
	la_context_set_log_handler(ctx, keep_log, NULL);
	la_context_set_log_level(ctx, LA_LOG_DEBUG);
	la_context_get_backend_count(ctx, &n);
	for (size_t i = 0; i < n; i++)
		found |= strcmp(la_context_get_backend_name(ctx, i), "ion") == 0;
	if (!found)
		vm_fatal("backend 'ion' not loaded (LIBALLOC_BACKEND_PATH=%s): %s",
			 getenv("LIBALLOC_BACKEND_PATH") ? getenv("LIBALLOC_BACKEND_PATH") : "",
			 log_buf);
	return ctx;
}

struct la_capset *test_set(const char *label, const char *driver, uint64_t usage,
			   enum la_import_rule rule, const char *reason, const uint32_t *formats,
			   size_t n_formats, const struct la_constraints *c)
{
	struct la_capset_info info = {
		.label = label, .driver = driver, .backend = "test", .usage = usage,
		.import_rule = rule, .import_reason = reason};
	struct la_candidate cands[8];

	if (n_formats > sizeof(cands) / sizeof(cands[0]))
		vm_fatal("capability set %s: %zu formats, at most 8", label, n_formats);
	for (size_t i = 0; i < n_formats; i++) {
		cands[i] = (struct la_candidate){.format = formats[i], .modifier = 0};
		if (c)
			cands[i].constraints = *c;
	}
	return vm_capset(&info, cands, n_formats);
}

struct la_capset *test_vgem_set(uint64_t usage, uint32_t fmt, const struct la_constraints *c)
{
	return test_set("vgem", "vgem", usage, LA_IMPORT_ANY, NULL, &fmt, 1, c);
}

struct la_capset *test_cpu_set(uint64_t usage, uint32_t fmt)
{
	return test_set("cpu", "cpu", usage, LA_IMPORT_ANY, NULL, &fmt, 1, NULL);
}

int test_negotiate(struct la_context *ctx, uint32_t fmt, uint32_t w, uint32_t h,
		   struct la_capset **sets, size_t n, struct la_result **res)
{
	int ret = vm_negotiate_sets(ctx, fmt, w, h, sets, n, res);

	vm_print_paths(*res);
	return ret;
}

bool test_no_path(int ret, const struct la_result *res)
{
	return res && (ret == -ENODEV || (ret == 0 && !vm_best_path(res)[0])) &&
	       la_result_get_diagnosis(res)[0];
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(a, b);
}

size_t dma_heap_names(char names[][64], size_t max)
{
	DIR *d = opendir("/dev/dma_heap");
	struct dirent *e;
	size_t n = 0;

	if (!d)
		return 0;
	while ((e = readdir(d)) && n < max)
		if (e->d_name[0] != '.')
			snprintf(names[n++], 64, "%.63s", e->d_name);
	closedir(d);
	qsort(names, n, 64, cmp_name);
	return n;
}

bool have_node(const char *path)
{
	return access(path, F_OK) == 0;
}

int ion_heap_facts(struct ion_heap_fact *out, int max)
{
	FILE *f = fopen("/sys/kernel/debug/ion_test/heaps", "re");
	char line[256];
	int n = 0;

	if (!f)
		return -1;
	/* "id type name live_buffers live_bytes limit", one heap a line */
	while (n < max && fgets(line, sizeof(line), f)) {
		struct ion_heap_fact h;
		if (sscanf(line, "%u %u %63s", &h.id, &h.type, h.name) == 3)
			out[n++] = h;
	}
	fclose(f);
	return n;
}

long ion_live_buffers(void)
{
	FILE *f = fopen("/sys/kernel/debug/ion_test/heaps", "re");
	char line[256];
	long total = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		unsigned id, type;
		long live;
		char name[64];
		if (sscanf(line, "%u %u %63s %ld", &id, &type, name, &live) == 4)
			total += live;
	}
	fclose(f);
	return total;
}

const char *ion_param_abi(void)
{
	static char abi[32];

	if (tl_module_param("ion_test", "abi", abi, sizeof(abi)) < 0)
		abi[0] = '\0';
	return abi;
}

long dmabuf_count(void)
{
	FILE *f = fopen("/sys/kernel/debug/dma_buf/bufinfo", "re");
	char line[512];
	long total = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Total %ld objects", &total) == 1)
			break;
	fclose(f);
	return total;
}

uint64_t page_round_up(uint64_t v)
{
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);
	return (v + page - 1) / page * page;
}

void fill_pattern(uint8_t *p, uint64_t size, uint8_t seed)
{
	for (uint64_t i = 0; i < size; i++)
		p[i] = (uint8_t)(seed + i * 7 + (i >> 12));
}

bool check_pattern(const uint8_t *p, uint64_t size, uint8_t seed)
{
	for (uint64_t i = 0; i < size; i++)
		if (p[i] != (uint8_t)(seed + i * 7 + (i >> 12)))
			return false;
	return true;
}

/*
 * vgem imports (attach + map for its device) through PRIME. It refuses to
 * map an imported object itself (drm_gem_dumb_map_offset: EINVAL), so the
 * bytes are read through vgem's re-export, which must be the very same
 * dma-buf (same inode) and stays valid after the caller's fd is closed.
 */
bool vgem_readback(int fd, uint64_t size, uint8_t seed, const char *what)
{
	struct stat a, b;
	uint32_t handle;
	bool ok = false;
	int card = vm_open_drm("vgem", "card", NULL, 0), fd2 = -1;
	void *p;

	if (!vm_check(card >= 0, "%s: vgem card node", what))
		return false;
	if (!vm_check(drmPrimeFDToHandle(card, fd, &handle) == 0, "%s: vgem imports it (PRIME)",
		      what))
		goto out;
	if (!vm_check(drmPrimeHandleToFD(card, handle, DRM_CLOEXEC | DRM_RDWR, &fd2) == 0 &&
			      fstat(fd, &a) == 0 && fstat(fd2, &b) == 0 && a.st_ino == b.st_ino,
		      "%s: vgem re-exports the same dma-buf", what))
		goto out_close;
	p = mmap(NULL, size, PROT_READ, MAP_SHARED, fd2, 0);
	if (!vm_check(p != MAP_FAILED, "%s: mmap of vgem's export", what))
		goto out_close;
	tl_dmabuf_sync(fd2, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ);
	ok = vm_check(check_pattern(p, size, seed), "%s: %llu bytes read back through vgem", what,
		      (unsigned long long)size);
	tl_dmabuf_sync(fd2, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ);
	munmap(p, size);
out_close:
	if (fd2 >= 0)
		close(fd2);
	drmCloseBufferHandle(card, handle);
out:
	close(card);
	return ok;
}
