/* SPDX-License-Identifier: MIT */
/*
 * secure: protected usage through liballoc-smaf.
 *
 * With smaf_test_secure.ko (allow=vgem): a protected negotiation chooses
 * smaf-secure; the buffer is marked protected, la_buffer_map refuses it
 * with EPERM and so does the kernel for a raw mmap; forcing the normal
 * "smaf" path is refused; vgem (allowed) imports it, vivid (not allowed)
 * is refused with SMAF's reason; protected plus CPU usage has no path; a
 * capability set that says PROTECTED usage but not PROTECTED_REQUIRED
 * still never gets normal memory.
 *
 * --unload-secure-module: removes smaf_test_secure first; then the
 * protected negotiation fails with a diagnosis naming the missing secure
 * module, nothing falls back to a normal buffer, and normal negotiations
 * still work.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "guest-util.h"

#define PROT_FLAGS (LA_CONSTRAINT_PROTECTED_REQUIRED | LA_CONSTRAINT_PROTECTED_OK)

static void with_module(struct la_context *ctx, struct la_device *smaf, int vgem)
{
	struct la_capset *set = gu_capset("vgem", "vgem", LA_USAGE_RENDER | LA_USAGE_PROTECTED,
					  LA_IMPORT_ANY, PROT_FLAGS, 0);
	struct la_result *res = NULL;
	struct la_buffer *buf = NULL, *other = NULL;
	struct la_descriptor d;
	struct vm_vivid v;
	const char *step = "";
	uint32_t handle;
	uint64_t err = 0;
	bool matched;
	void *p;
	int ret = gu_negotiate(ctx, GU_W, GU_H, &set, 1, &res);

	vm_check(ret == 0 && !strcmp(vm_best_path(res), "smaf-secure"),
		 "protected vgem: best path smaf-secure (%s)", vm_best_path(res));
	const char *why = gu_path_reason(res, "smaf", &matched);
	vm_check(!matched && strstr(why, "protected"), "smaf refused: %s", why);
	ret = ret ? ret : la_allocate(res, &buf);
	if (!vm_check(ret == 0, "allocate: %s (%s)", strerror(-ret), la_last_diagnosis()))
		goto out;
	la_buffer_get_descriptor(buf, &d);
	vm_check(!strcmp(la_buffer_get_path(buf), "smaf-secure") &&
			 (d.flags & LA_BUFFER_PROTECTED) && !(d.flags & LA_BUFFER_CACHED),
		 "buffer from smaf-secure, flags 0x%x: protected", d.flags);
	ret = la_buffer_map(buf, 0, LA_MAP_READ, &p);
	vm_check(ret == -EPERM, "la_buffer_map: %s", strerror(-ret));
	p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, d.planes[0].fd, 0);
	vm_check(p == MAP_FAILED && errno == EPERM, "raw mmap refused by the kernel: %s",
		 p == MAP_FAILED ? strerror(errno) : "mapped!");
	if (p != MAP_FAILED)
		munmap(p, 4096);
	ret = la_allocate_with_path(res, "smaf", &other);
	vm_check(ret == -EINVAL && !other, "forcing the normal smaf path refused: %s",
		 la_last_diagnosis());
	la_buffer_destroy(other);
	other = NULL;

	struct la_import *w = gu_watch(smaf, buf);
	vm_check(gu_prop(w, "smaf.secure") == 1 && gu_prop(w, "smaf.allocated") == 0,
		 "SMAF: secure flag set, nothing allocated by the refused maps");
	ret = vm_vgem_import(vgem, d.planes[0].fd, &handle);
	if (vm_check(ret == 0, "vgem (allowed) imports: %s", strerror(-ret))) {
		vm_check(gu_prop(w, "smaf.allocated") == 1, "allocated at vgem's import");
		vm_vgem_close(vgem, handle);
	}
	la_import_destroy(w);

	/*
	 * vivid (not allowed) on a fresh secure buffer: once vgem's import
	 * gave the first one smaf-page memory, vivid would be refused for the
	 * memory (EXDEV) before the secure module is even asked.
	 */
	ret = la_allocate(res, &other);
	if (!vm_check(ret == 0, "second secure buffer: %s", strerror(-ret)))
		goto out;
	la_buffer_get_descriptor(other, &d);
	w = gu_watch(smaf, other);
	gu_vivid_open(0, &v);
	ret = vm_vivid_capture(&v, d.planes[0].fd, &step);
	vm_check(ret < 0, "vivid (not allowed) refused: %s at %s", strerror(-ret), step);
	ret = la_import_get_property(w, "smaf.last_error", &err);
	vm_check(ret == 0 && err == EPERM && strstr(la_last_diagnosis(), "vivid"),
		 "the secure module's refusal through liballoc: %s: %s", strerror((int)err),
		 la_last_diagnosis());
	vm_check(gu_prop(w, "smaf.allocated") == 0, "and nothing was allocated");
	vm_vivid_close(&v);
	la_import_destroy(w);
out:
	la_buffer_destroy(other);
	la_buffer_destroy(buf);
	la_result_destroy(res);
	la_capset_destroy(set);
}

/* Protected usage never ends on a normal buffer, however it is described. */
static void no_downgrade(struct la_context *ctx)
{
	struct la_capset *sets[2] = {
		gu_capset("vgem", "vgem", LA_USAGE_RENDER | LA_USAGE_PROTECTED, LA_IMPORT_ANY,
			  PROT_FLAGS, 0),
		gu_capset("cpu", "cpu", LA_USAGE_CPU_READ, LA_IMPORT_ANY, LA_CONSTRAINT_PROTECTED_OK,
			  0),
	};
	struct la_result *res = NULL;
	struct la_buffer *buf = NULL;
	int ret = gu_negotiate(ctx, GU_W, GU_H, sets, 2, &res);

	vm_check(gu_no_path(ret, res) && strstr(la_result_get_diagnosis(res), "CPU"),
		 "protected + CPU read: no path, the diagnosis says why");
	la_result_destroy(res);
	la_capset_destroy(sets[0]);
	la_capset_destroy(sets[1]);

	/* usage says protected, constraints forgot PROTECTED_REQUIRED */
	sets[0] = gu_capset("vgem", "vgem", LA_USAGE_RENDER | LA_USAGE_PROTECTED, LA_IMPORT_ANY,
			    LA_CONSTRAINT_PROTECTED_OK, 0);
	ret = gu_negotiate(ctx, GU_W, GU_H, sets, 1, &res);
	ret = ret ? ret : la_allocate(res, &buf);
	if (ret == 0) {
		struct la_descriptor d;
		la_buffer_get_descriptor(buf, &d);
		vm_check(d.flags & LA_BUFFER_PROTECTED, "protected usage alone: buffer from %s, "
			 "flags 0x%x", la_buffer_get_path(buf), d.flags);
	} else {
		vm_check(strstr(la_last_diagnosis(), "protected") != NULL,
			 "protected usage alone: refused: %s", la_last_diagnosis());
	}
	la_buffer_destroy(buf);
	la_result_destroy(res);
	la_capset_destroy(sets[0]);
}

static void without_module(struct la_context *ctx)
{
	struct la_capset *set = gu_capset("vgem", "vgem", LA_USAGE_RENDER | LA_USAGE_PROTECTED,
					  LA_IMPORT_ANY, PROT_FLAGS, 0);
	struct la_result *res = NULL;
	struct la_buffer *buf = NULL;
	void *p;
	int ret = gu_negotiate(ctx, GU_W, GU_H, &set, 1, &res);

	vm_check(gu_no_path(ret, res) && strstr(la_result_get_diagnosis(res), "no secure module"),
		 "protected vgem without a secure module: no path, diagnosis names the module");
	ret = la_allocate(res, &buf);
	vm_check(ret == -ENODEV && !buf, "la_allocate refused: %s", strerror(-ret));
	ret = la_allocate_with_path(res, "smaf", &buf);
	vm_check(ret == -EINVAL && !buf, "forcing smaf refused: %s", la_last_diagnosis());
	ret = la_allocate_with_path(res, "smaf-secure", &buf);
	vm_check(ret == -EINVAL && !buf, "forcing smaf-secure refused: %s", la_last_diagnosis());
	la_result_destroy(res);
	la_capset_destroy(set);

	/* ordinary buffers still work */
	set = gu_capset("vgem", "vgem", LA_USAGE_RENDER, LA_IMPORT_ANY, 0, 0);
	ret = gu_negotiate(ctx, GU_W, GU_H, &set, 1, &res);
	ret = ret ? ret : la_allocate(res, &buf);
	if (vm_check(ret == 0, "normal vgem buffer: %s", strerror(-ret))) {
		ret = la_buffer_map(buf, 0, LA_MAP_WRITE, &p);
		vm_check(ret == 0, "and it maps: %s", strerror(-ret));
		if (ret == 0)
			la_buffer_unmap(buf, 0);
	}
	la_buffer_destroy(buf);
	la_result_destroy(res);
	la_capset_destroy(set);
}

int main(int argc, char **argv)
{
	bool unload = argc > 1 && !strcmp(argv[1], "--unload-secure-module");
	struct la_context *ctx = NULL;
	struct la_device *smaf = NULL;
	int vgem = vm_vgem_open();
	int fds0, ret;

	if (unload) {
		ret = syscall(SYS_delete_module, "smaf_test_secure", O_NONBLOCK) ? -errno : 0;
		if (!vm_check(ret == 0, "rmmod smaf_test_secure: %s", strerror(-ret)))
			return 1;
	}
	smaf = gu_smaf_device(&ctx);
	fds0 = tl_fd_count();
	if (unload) {
		without_module(ctx);
	} else {
		with_module(ctx, smaf, vgem);
		no_downgrade(ctx);
	}
	vm_check_fds(fds0, "secure");
	la_device_unref(smaf);
	la_context_destroy(ctx);
	close(vgem);
	return vm_exit_status();
}
