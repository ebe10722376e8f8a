#include "vmtest.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <xf86drm.h>

#include "testlib.h"

static int failures;

__attribute__((format(printf, 2, 0)))
static void vprint(const char *tag, const char *fmt, va_list ap)
{
	printf("%s", tag);
	vprintf(fmt, ap);
	printf("\n");
	fflush(stdout);
}

bool vm_check(bool ok, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprint(ok ? "ok: " : "FAIL: ", fmt, ap);
	va_end(ap);
	if (!ok)
		failures++;
	return ok;
}

void vm_fatal(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprint("FAIL: ", fmt, ap);
	va_end(ap);
	exit(1);
}

void vm_note(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprint("", fmt, ap);
	va_end(ap);
}

bool vm_check_fds(int before, const char *what)
{
	int after = tl_fd_count();

	return vm_check(after == before, "%s: no fd left behind (%d before, %d after)", what, before,
			after);
}

int vm_exit_status(void)
{
	return failures ? 1 : 0;
}

static bool drm_driver_is(int fd, const char *driver)
{
	drmVersionPtr v = drmGetVersion(fd);
	bool same = v && strcmp(v->name, driver) == 0;

	drmFreeVersion(v);
	return same;
}

static int scan_drm(const char *driver, const char *kind, char *path, size_t len, bool count)
{
	DIR *d = opendir("/dev/dri");
	struct dirent *e;
	int found = 0, fd = -1;

	if (!d)
		return -1;
	while ((e = readdir(d))) {
		char p[300];
		int f;

		if (strncmp(e->d_name, kind, strlen(kind)) != 0)
			continue;
		snprintf(p, sizeof(p), "/dev/dri/%s", e->d_name);
		f = open(p, O_RDWR | O_CLOEXEC);
		if (f < 0)
			continue;
		if (!drm_driver_is(f, driver)) {
			close(f);
			continue;
		}
		found++;
		if (count) {
			close(f);
			continue;
		}
		if (path)
			snprintf(path, len, "%s", p);
		fd = f;
		break;
	}
	closedir(d);
	return count ? found : fd;
}

int vm_open_drm(const char *driver, const char *kind, char *path, size_t len)
{
	return scan_drm(driver, kind, path, len, false);
}

int vm_count_drm(const char *driver, const char *kind)
{
	return scan_drm(driver, kind, NULL, 0, true);
}

int vm_vgem_open(void)
{
	int fd = vm_open_drm("vgem", "renderD", NULL, 0);

	if (fd < 0)
		vm_fatal("no vgem render node");
	return fd;
}

int vm_vgem_import(int vgem, int dmabuf, uint32_t *handle)
{
	return drmPrimeFDToHandle(vgem, dmabuf, handle) ? -errno : 0;
}

void vm_vgem_close(int vgem, uint32_t handle)
{
	drmCloseBufferHandle(vgem, handle);
}

static int read_ppm(const char *file, struct vm_image *img)
{
	FILE *f = fopen(file, "rb");
	int w, h, maxval;
	size_t n;

	if (!f) {
		vm_note("cannot open %s: %s", file, strerror(errno));
		return -1;
	}
	/* QEMU writes "P6\n<w> <h>\n255\n" with no comments. */
	if (fscanf(f, "P6 %d %d %d", &w, &h, &maxval) != 3 || maxval != 255 ||
	    w <= 0 || h <= 0 || fgetc(f) == EOF) {
		vm_note("%s: not an 8-bit binary PPM", file);
		fclose(f);
		return -1;
	}
	n = (size_t)w * h * 3;
	img->rgb = malloc(n);
	if (!img->rgb || fread(img->rgb, 1, n, f) != n) {
		vm_note("%s: truncated pixel data", file);
		free(img->rgb);
		img->rgb = NULL;
		fclose(f);
		return -1;
	}
	fclose(f);
	img->width = w;
	img->height = h;
	return 0;
}

int vm_screenshot(const char *name, struct vm_image *img)
{
	const char *tool = getenv("LIBALLOC_VM_SCREENSHOT");
	const char *results = getenv("LIBALLOC_VM_RESULTS");
	char file[4096];
	pid_t pid;
	int status;

	if (!tool || !results) {
		vm_note("LIBALLOC_VM_SCREENSHOT/RESULTS unset: not running under vm-run");
		return -1;
	}
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		/* The tool prints the file name; keep our output to checks. */
		int null = open("/dev/null", O_WRONLY);

		dup2(null, STDOUT_FILENO);
		execl(tool, tool, name, (char *)NULL);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0) {
		vm_note("%s %s failed", tool, name);
		return -1;
	}
	snprintf(file, sizeof(file), "%s/%s.ppm", results, name);
	return read_ppm(file, img);
}

void vm_image_free(struct vm_image *img)
{
	free(img->rgb);
	img->rgb = NULL;
}
