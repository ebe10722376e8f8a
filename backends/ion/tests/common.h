/* SPDX-License-Identifier: MIT */
/*
 * Helpers of the liballoc-ion guest programs. They use the public liballoc
 * API only, with LIBALLOC_BACKEND_PATH pointing at the build's backends/ion,
 * and check what the backend says against what the kernel says (readdir of
 * /dev/dma_heap, ion_test's debugfs, vgem, vivid).
 */
#ifndef ION_BACKEND_TEST_COMMON_H
#define ION_BACKEND_TEST_COMMON_H

#include <liballoc/liballoc.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "result.h"
#include "testlib.h"
#include "vmtest.h"

#define FMT_R8   0x20203852u /* 'R','8',' ',' ' */
#define FMT_XRGB 0x34325258u /* 'X','R','2','4' */
#define FMT_YUYV 0x56595559u /* 'Y','U','Y','V' */

/* A context with the ion backend loaded and every log line kept. */
struct la_context *test_context(void);
/* Log lines so far, '\n'-separated (borrowed). */
const char *test_log(void);
bool test_log_has(const char *needle);

/* A hand-made capability set: one linear candidate per format. */
struct la_capset *test_set(const char *label, const char *driver, uint64_t usage,
			   enum la_import_rule rule, const char *reason, const uint32_t *formats,
			   size_t n_formats, const struct la_constraints *c);
/* A vgem set (imports any dma-buf) and a CPU set, both for fmt. */
struct la_capset *test_vgem_set(uint64_t usage, uint32_t fmt, const struct la_constraints *c);
struct la_capset *test_cpu_set(uint64_t usage, uint32_t fmt);

/* Negotiates fmt at w x h among sets; prints the path table. */
int test_negotiate(struct la_context *ctx, uint32_t fmt, uint32_t w, uint32_t h,
		   struct la_capset **sets, size_t n, struct la_result **res);
/*
 * No path serves the sets: -ENODEV for live devices; sets without a live
 * device negotiate (they answer "which format") with no matched path.
 */
bool test_no_path(int ret, const struct la_result *res);

/* Kernel facts. */
size_t dma_heap_names(char names[][64], size_t max);
bool have_node(const char *path);
struct ion_heap_fact {
	unsigned id, type;
	char name[64];
};
/* ion_test's debugfs heap list; -1 if the module is not loaded. */
int ion_heap_facts(struct ion_heap_fact *out, int max);
long ion_live_buffers(void);
/* ion_test's abi parameter ("legacy", ...) or "" */
const char *ion_param_abi(void);
/* Live dma-bufs in the system (debugfs dma_buf/bufinfo), -1 if unreadable. */
long dmabuf_count(void);
uint64_t page_round_up(uint64_t v);

/* vgem: PRIME import of fd, then reads size bytes through vgem's own mapping
 * and compares them with pattern seed. */
bool vgem_readback(int fd, uint64_t size, uint8_t seed, const char *what);
void fill_pattern(uint8_t *p, uint64_t size, uint8_t seed);
bool check_pattern(const uint8_t *p, uint64_t size, uint8_t seed);

#endif
