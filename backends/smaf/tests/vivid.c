/* SPDX-License-Identifier: MIT */
/*
 * vivid: the camera that needs contiguous memory (vivid instance 0,
 * allocators=1, vb2-dma-contig) gets it through liballoc without the
 * program naming an allocator.
 *
 *  1. Negotiated with vivid's import rule (only contiguous dma-bufs, as the
 *     V4L2 backend reports it): the smaf path forces smaf-contig, so even
 *     vgem importing FIRST does not spoil it; vivid captures its colour bars.
 *  2. Negotiated without vivid (the program did not say): the kernel's
 *     deferred choice decides. vivid attaching first gets smaf-contig and
 *     the bars, vgem may attach later; vgem first gets smaf-page, and
 *     vivid's later QBUF is refused, with SMAF's reason (EXDEV, naming
 *     vivid) readable through liballoc.
 *  3. A contiguous buffer bigger than smaf-contig can give (no CMA) is
 *     refused by the negotiation, with the limit in the diagnosis.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "guest-util.h"

static void capture_and_check(struct vm_vivid *v, struct la_buffer *buf, const char *what)
{
	struct la_descriptor d;
	const char *step = "";
	uint8_t *px;
	double t0 = tl_now();
	int ret;

	la_buffer_get_descriptor(buf, &d);
	ret = vm_vivid_capture(v, d.planes[0].fd, &step);
	if (!vm_check(ret == 0, "%s: vivid captures into it: %s at %s", what, strerror(-ret), step))
		return;
	vm_note("%s: QBUF to DQBUF %.3f s", what, tl_now() - t0);
	ret = la_buffer_map(buf, 0, LA_MAP_READ, (void **)&px);
	if (vm_check(ret == 0, "%s: map: %s", what, strerror(-ret))) {
		vm_check(vm_vivid_bars(v, px), "%s: the frame shows vivid's eight colour bars", what);
		la_buffer_unmap(buf, 0);
	}
}

static void negotiated_contiguous(struct la_context *ctx, struct la_device *smaf, int vgem,
				  struct vm_vivid *v)
{
	struct la_capset *sets[2] = {
		gu_capset("vgem", "vgem", LA_USAGE_RENDER, LA_IMPORT_ANY, 0, 0),
		/*
		 * what the V4L2 backend reports for a vb2-dma-contig queue: the
		 * import rule only (no DMA limit, no contiguous constraint), so
		 * that the rule alone must reach the path (the core folds it
		 * into the request's constraints)
		 */
		gu_capset("vivid (instance 0)", "vivid", LA_USAGE_CAPTURE, LA_IMPORT_CONTIGUOUS, 0,
			  0),
	};
	struct la_result *res = NULL;
	struct la_buffer *buf = NULL;
	struct la_descriptor d;
	uint32_t handle;
	double t0 = tl_now();
	int ret = gu_negotiate(ctx, GU_W, GU_H, sets, 2, &res);

	vm_note("negotiation took %.4f s", tl_now() - t0);
	vm_check(ret == 0 && !strcmp(vm_best_path(res), "smaf"), "vgem + vivid: best path smaf");
	t0 = tl_now();
	ret = ret ? ret : la_allocate(res, &buf);
	if (!vm_check(ret == 0, "allocate: %s (%s)", strerror(-ret), la_last_diagnosis()))
		goto out;
	vm_note("la_allocate took %.4f s", tl_now() - t0);
	la_buffer_get_descriptor(buf, &d);
	struct la_import *w = gu_watch(smaf, buf);
	vm_check((d.flags & LA_BUFFER_CONTIGUOUS) && gu_prop(w, "smaf.forced") == 1 &&
			 gu_prop(w, "smaf.allocator=smaf-contig") == 1,
		 "vivid's import rule made the backend force smaf-contig (flags 0x%x)", d.flags);
	/* the order that deferred allocation alone would get wrong */
	ret = vm_vgem_import(vgem, d.planes[0].fd, &handle);
	vm_check(ret == 0, "vgem imports first: %s", strerror(-ret));
	vm_check(gu_prop(w, "smaf.allocated") == 1 && gu_prop(w, "smaf.segments") == 1,
		 "allocated at vgem's import, one contiguous segment");
	capture_and_check(v, buf, "forced smaf-contig");
	if (ret == 0)
		vm_vgem_close(vgem, handle);
	la_import_destroy(w);
out:
	la_buffer_destroy(buf);
	la_result_destroy(res);
	la_capset_destroy(sets[0]);
	la_capset_destroy(sets[1]);
}

static void deferred(struct la_context *ctx, struct la_device *smaf, int vgem,
		     struct vm_vivid *v)
{
	struct la_capset *set = gu_capset("vgem", "vgem", LA_USAGE_RENDER, LA_IMPORT_ANY, 0, 0);
	struct la_result *res = NULL;
	struct la_buffer *buf = NULL;
	struct la_descriptor d;
	const char *step = "";
	uint32_t handle;
	uint64_t err = 0;
	int ret = gu_negotiate(ctx, GU_W, GU_H, &set, 1, &res);

	if (!vm_check(ret == 0, "vgem alone: %s", strerror(-ret)))
		goto out;
	/* vivid attaches first: the kernel picks contiguous memory for it */
	ret = la_allocate(res, &buf);
	if (vm_check(ret == 0, "allocate: %s", strerror(-ret))) {
		struct la_import *w = gu_watch(smaf, buf);
		la_buffer_get_descriptor(buf, &d);
		vm_check(!(d.flags & LA_BUFFER_CONTIGUOUS) && gu_prop(w, "smaf.forced") == 0,
			 "nothing forced: the kernel chooses at first use");
		capture_and_check(v, buf, "deferred, vivid first");
		vm_check(gu_prop(w, "smaf.allocator=smaf-contig") == 1 &&
				 gu_prop(w, "smaf.segments") == 1,
			 "deferred choice at vivid's QBUF: smaf-contig, one segment");
		ret = vm_vgem_import(vgem, d.planes[0].fd, &handle);
		if (vm_check(ret == 0, "vgem attaches late to the contiguous buffer: %s",
			     strerror(-ret)))
			vm_vgem_close(vgem, handle);
		la_import_destroy(w);
	}
	buf = (la_buffer_destroy(buf), NULL);

	/* vgem attaches first: scattered pages, vivid is refused later */
	ret = la_allocate(res, &buf);
	if (vm_check(ret == 0, "allocate: %s", strerror(-ret))) {
		struct la_import *w = gu_watch(smaf, buf);
		la_buffer_get_descriptor(buf, &d);
		ret = vm_vgem_import(vgem, d.planes[0].fd, &handle);
		vm_check(ret == 0 && gu_prop(w, "smaf.allocator=smaf-page") == 1,
			 "deferred, vgem first: smaf-page");
		ret = vm_vivid_capture(v, d.planes[0].fd, &step);
		vm_check(ret < 0, "vivid refused afterwards: %s at %s", strerror(-ret), step);
		int perr = la_import_get_property(w, "smaf.last_error", &err);
		const char *diag = la_last_diagnosis();
		vm_check(perr == 0 && err == EXDEV && strstr(diag, "vivid"),
			 "SMAF's reason through liballoc: %s: %s", strerror((int)err), diag);
		vm_vgem_close(vgem, handle);
		la_import_destroy(w);
	}
out:
	la_buffer_destroy(buf);
	la_result_destroy(res);
	la_capset_destroy(set);
}

static void too_big(struct la_context *ctx)
{
	struct la_capset *set = gu_capset("vivid (instance 0)", "vivid", LA_USAGE_CAPTURE,
					  LA_IMPORT_CONTIGUOUS, 0, 32);
	struct la_result *res = NULL;
	struct la_buffer *buf = NULL;
	int ret = gu_negotiate(ctx, 1920, 1080, &set, 1, &res);
	const char *diag = la_result_get_diagnosis(res);

	vm_check(gu_no_path(ret, res) && strstr(diag, "smaf-contig gives at most") &&
			 strstr(diag, "8294400 bytes asked"),
		 "1920x1080 contiguous refused by the negotiation, with the size limit");
	ret = la_allocate_with_path(res, "smaf", &buf);
	vm_check(ret == -EINVAL && !buf, "forcing the smaf path is refused too: %s",
		 la_last_diagnosis());
	la_result_destroy(res);
	la_capset_destroy(set);
}

int main(void)
{
	struct la_context *ctx = NULL;
	struct la_device *smaf = NULL;
	struct vm_vivid v;
	int vgem = vm_vgem_open();
	int fds0;

	gu_vivid_open(0, &v);
	smaf = gu_smaf_device(&ctx);
	fds0 = tl_fd_count();
	negotiated_contiguous(ctx, smaf, vgem, &v);
	deferred(ctx, smaf, vgem, &v);
	too_big(ctx);
	vm_check_fds(fds0, "vivid");
	la_device_unref(smaf);
	la_context_destroy(ctx);
	vm_vivid_close(&v);
	close(vgem);
	return vm_exit_status();
}
