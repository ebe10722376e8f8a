/* Helpers shared by the programs that run inside the test guest. Each check
 * prints one line on stdout (vm-run turns it into a TAP comment) and a
 * program exits non-zero if any check failed. Helpers for host and guest
 * are in testlib.h, V4L2 and vivid in vivid.h. */
#ifndef LIBALLOC_VMTEST_H
#define LIBALLOC_VMTEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Records one check; returns ok so callers can stop early. */
bool vm_check(bool ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Prints and exits 1 at once: for failures that make later checks pointless. */
void vm_fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
void vm_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The check that this process has exactly the `before` fds open again
 * (tl_fd_count); what says after what. */
bool vm_check_fds(int before, const char *what);
/* 0 if every check passed, 1 otherwise. */
int vm_exit_status(void);

/* Opens the first /dev/dri node of the given kind ("card" or "renderD")
 * whose kernel driver (drmGetVersion name) is `driver`, never guessing by
 * number: card numbering follows module load order. Returns an fd owned by
 * the caller, or -1. The node path is copied to path if not NULL. */
int vm_open_drm(const char *driver, const char *kind, char *path, size_t len);

/* Counts the /dev/dri nodes of `kind` that belong to `driver`. */
int vm_count_drm(const char *driver, const char *kind);

/* vgem's render node; exits the program if there is none. */
int vm_vgem_open(void);
/* PRIME import of dmabuf into vgem, which attaches and maps it at once:
 * 0 or -errno. Close *handle with vm_vgem_close(). */
int vm_vgem_import(int vgem, int dmabuf, uint32_t *handle);
void vm_vgem_close(int vgem, uint32_t handle);

struct vm_image {
	int width, height;
	uint8_t *rgb; /* width * height * 3, owned; free with vm_image_free */
};

/* Asks the host for a screendump (tests/vm/vm-screenshot) and loads the
 * resulting NAME.ppm from $LIBALLOC_VM_RESULTS. 0 or -1 (message printed). */
int vm_screenshot(const char *name, struct vm_image *img);
void vm_image_free(struct vm_image *img);

#endif
