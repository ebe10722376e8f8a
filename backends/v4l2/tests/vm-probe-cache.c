/* SPDX-License-Identifier: MIT */
/*
 * Guest: the import probe's answers are kept for the whole process
 * (backends/common/probe-cache.h). A second context, opening the same node
 * after the first is gone, gets vivid-1's answer (dma-contig: contiguous,
 * from the kernel's EFAULT) without probing: no probe trace, no new EFAULT
 * in the kernel log. A probe that cannot run (vivid-0's queue held busy by
 * another open) is retried by the next queries, three in all, then its
 * fallback is the definite answer, which a freed queue no longer changes.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "vm-common.h"

#define W 640
#define H 360

struct trace {
	int probes; /* "import probe: " lines: the probe ran */
	int cached; /* answered from the process's probe cache */
};

static void count_log(void *data, enum la_log_level level, const char *msg)
{
	struct trace *t = data;

	(void)level;
	if (strstr(msg, "import probe: "))
		t->probes++;
	if (strstr(msg, "import rule from an earlier probe in this process"))
		t->cached++;
}

static struct la_context *traced_context(struct trace *t)
{
	struct la_context *ctx = vm_context();

	*t = (struct trace){0};
	la_context_set_log_handler(ctx, count_log, t);
	la_context_set_log_level(ctx, LA_LOG_DEBUG);
	return ctx;
}

/* Capture capabilities of node in ctx: the import rule and its reason. */
static int query(struct la_context *ctx, const char *node, enum la_import_rule *rule,
		 char *reason, size_t len)
{
	struct la_assertion a = {.width = W, .height = H};
	struct la_device *dev = NULL;
	struct la_capset *set = NULL;
	struct la_capset_info info;
	int ret = la_device_open(ctx, node, &dev);

	if (ret == 0)
		ret = la_device_get_capabilities(dev, LA_USAGE_CAPTURE, &a, &set);
	if (ret == 0) {
		la_capset_get_info(set, &info);
		*rule = info.import_rule;
		snprintf(reason, len, "%s", info.import_reason ? info.import_reason : "");
	} else {
		vm_note("%s: %s", node, la_last_diagnosis());
	}
	la_capset_destroy(set);
	la_device_unref(dev);
	return ret;
}

static void second_context_does_not_probe(void)
{
	struct trace t;
	enum la_import_rule rule;
	char node[64], reason[256];
	int klog, efault;

	if (!vm_check(vt_find_vivid(1, node, sizeof(node)) == 0, "vivid-1 found"))
		return;
	klog = tl_klog_open();
	struct la_context *ctx = traced_context(&t);
	vm_check(query(ctx, node, &rule, reason, sizeof(reason)) == 0 &&
			 rule == LA_IMPORT_CONTIGUOUS && strstr(reason, "EFAULT"),
		 "first context: vivid-1 probed contiguous (%s)", reason);
	vm_check(t.probes == 1 && t.cached == 0, "first context: one probe (%d probes, %d cached)",
		 t.probes, t.cached);
	la_context_destroy(ctx);

	ctx = traced_context(&t);
	vm_check(query(ctx, node, &rule, reason, sizeof(reason)) == 0 &&
			 rule == LA_IMPORT_CONTIGUOUS && strstr(reason, "EFAULT"),
		 "second context: same answer (%s)", reason);
	vm_check(t.probes == 0 && t.cached == 1,
		 "second context, new open of the node: no probe (%d probes, %d cached)", t.probes,
		 t.cached);
	la_context_destroy(ctx);
	efault = tl_klog_count(klog, "contiguous chunk is too small");
	if (klog >= 0)
		close(klog);
	vm_check(efault == 1, "the kernel saw one probe import (%d contiguity refusals)", efault);
}

static void busy_queue_bounded_retries(void)
{
	struct trace t;
	enum la_import_rule rule;
	char node[64], reason[256];

	if (!vm_check(vt_find_vivid(0, node, sizeof(node)) == 0, "vivid-0 found"))
		return;
	/* another open holds buffers: the probe must not touch the queue */
	int other = open(node, O_RDWR | O_CLOEXEC);
	uint32_t type = vt_capture_type(other);
	struct v4l2_requestbuffers rb = {.count = 2, .type = type, .memory = V4L2_MEMORY_MMAP};
	if (!vm_check(ioctl(other, VIDIOC_REQBUFS, &rb) == 0 && rb.count > 0,
		      "vivid-0: another open holds %u MMAP buffers", rb.count)) {
		close(other);
		return;
	}
	struct la_context *ctx = traced_context(&t);
	for (int i = 1; i <= 3; i++) {
		vm_check(query(ctx, node, &rule, reason, sizeof(reason)) == 0 &&
				 rule == LA_IMPORT_CONTIGUOUS && strstr(reason, "not probed"),
			 "busy vivid-0, query %d: cautious contiguous-only (%s)", i, reason);
		vm_check(t.probes == i, "query %d: probe attempt %d (%d)", i, i, t.probes);
		vm_check((i == 3) == (strstr(reason, "fallback after 3 failed probes") != NULL),
			 "query %d: %s", i, i == 3 ? "the fallback is definite, and says so"
						   : "no final answer yet");
	}
	rb.count = 0;
	vm_check(ioctl(other, VIDIOC_REQBUFS, &rb) == 0, "vivid-0: buffers freed");
	close(other);
	vm_check(query(ctx, node, &rule, reason, sizeof(reason)) == 0 &&
			 rule == LA_IMPORT_CONTIGUOUS && strstr(reason, "fallback after 3"),
		 "idle vivid-0 now: the definite fallback stands (%s)", reason);
	vm_check(t.probes == 3 && t.cached == 1, "no fourth attempt (%d probes, %d cached)",
		 t.probes, t.cached);
	la_context_destroy(ctx);
	ctx = traced_context(&t);
	vm_check(query(ctx, node, &rule, reason, sizeof(reason)) == 0 && t.probes == 0 &&
			 strstr(reason, "fallback after 3"),
		 "another context: the same definite fallback, no probe (%d probes)", t.probes);
	la_context_destroy(ctx);
}

int main(void)
{
	int before_fds = tl_fd_count();

	second_context_does_not_probe();
	busy_queue_bounded_retries();
	vm_check_fds(before_fds, "probe-cache");
	return vm_exit_status();
}
