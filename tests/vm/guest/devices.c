/* Every device the backends rely on exists in the guest and is found by its
 * driver's name: vgem and virtio_gpu (DRM), vivid (V4L2), the system
 * dma-heap and udmabuf.
 *
 *   vm-devices [--vivid-instances N] [--mplane]
 *
 * --vivid-instances and --mplane check that vivid's module parameters
 * (n_devs, multiplanar) reached the driver. */
#include "vivid.h"
#include "vmtest.h"

#include <linux/videodev2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_INSTANCES 16

struct vivid_instance {
	char bus_info[32];
	int capture, output;
};

static void check_chardev(const char *path)
{
	struct stat st;

	vm_check(stat(path, &st) == 0 && S_ISCHR(st.st_mode), "%s is a character device", path);
}

static void check_drm(const char *driver)
{
	char path[300] = "";
	int fd = vm_open_drm(driver, "card", path, sizeof(path));

	vm_check(fd >= 0, "%s primary node found by driver name (%s)", driver, fd >= 0 ? path : "none");
	if (fd >= 0)
		close(fd);
	fd = vm_open_drm(driver, "renderD", path, sizeof(path));
	vm_check(fd >= 0, "%s render node found by driver name (%s)", driver, fd >= 0 ? path : "none");
	if (fd >= 0)
		close(fd);
}

struct scan {
	struct vivid_instance *inst;
	int n;
	bool mplane;
};

/* Counts the node's capture and output on its instance (by bus_info). */
static bool count_node(int fd, const char *path, const struct v4l2_capability *cap, void *data)
{
	struct scan *s = data;
	uint32_t caps = vm_v4l2_caps(cap);
	int i;

	(void)fd;
	for (i = 0; i < s->n && strcmp(s->inst[i].bus_info, (char *)cap->bus_info) != 0; i++)
		;
	if (i == s->n) {
		if (s->n == MAX_INSTANCES)
			return false;
		snprintf(s->inst[s->n++].bus_info, sizeof(s->inst->bus_info), "%s",
			 (char *)cap->bus_info);
	}
	if (caps & (s->mplane ? V4L2_CAP_VIDEO_CAPTURE_MPLANE : V4L2_CAP_VIDEO_CAPTURE)) {
		s->inst[i].capture++;
		vm_note("%s: vivid capture (%s), caps 0x%08x", path, cap->bus_info, caps);
	}
	if (caps & (s->mplane ? V4L2_CAP_VIDEO_OUTPUT_MPLANE : V4L2_CAP_VIDEO_OUTPUT)) {
		s->inst[i].output++;
		vm_note("%s: vivid output (%s), caps 0x%08x", path, cap->bus_info, caps);
	}
	return false;
}

static int scan_vivid(struct vivid_instance *inst, bool mplane)
{
	struct scan s = {.inst = inst, .mplane = mplane};

	vm_each_v4l2("vivid", count_node, &s);
	return s.n;
}

int main(int argc, char **argv)
{
	struct vivid_instance inst[MAX_INSTANCES];
	int want_instances = 1, n, i;
	bool mplane = false;

	memset(inst, 0, sizeof(inst));
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--vivid-instances") == 0 && i + 1 < argc)
			want_instances = atoi(argv[++i]);
		else if (strcmp(argv[i], "--mplane") == 0)
			mplane = true;
		else
			vm_fatal("usage: %s [--vivid-instances N] [--mplane]", argv[0]);
	}
	if (want_instances < 1 || want_instances > MAX_INSTANCES)
		vm_fatal("--vivid-instances must be 1..%d", MAX_INSTANCES);

	check_chardev("/dev/dma_heap/system");
	check_chardev("/dev/udmabuf");
	check_drm("vgem");
	check_drm("virtio_gpu");

	n = scan_vivid(inst, mplane);
	vm_check(n == want_instances, "%d vivid instance(s) found by driver name, want %d", n,
		 want_instances);
	for (i = 0; i < n; i++)
		vm_check(inst[i].capture > 0 && inst[i].output > 0,
			 "%s has a %s capture and output node", inst[i].bus_info,
			 mplane ? "multi-planar" : "single-planar");
	return vm_exit_status();
}
