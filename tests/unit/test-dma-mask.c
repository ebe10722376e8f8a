/* SPDX-License-Identifier: MIT */
/*
 * backends/common/dma-mask.c on fake sysfs trees: the walk up to the first
 * dma_mask_bits, an IOMMU lifting the limit, and what is refused.
 */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../backends/common/dma-mask.h"

static char root[64];

static void mk(const char *rel)
{
	char path[PATH_MAX], *p;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	for (p = path + strlen(root) + 1; (p = strchr(p, '/')); p++) {
		*p = '\0';
		mkdir(path, 0755);
		*p = '/';
	}
	mkdir(path, 0755);
}

static void put(const char *rel, const char *text)
{
	char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int walk(const char *rel, uint32_t *bits, char *src, size_t len)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	return be_dma_mask_bits_at(path, bits, src, len);
}

static int setup(void **state)
{
	(void)state;
	snprintf(root, sizeof(root), "/tmp/la-dma-mask-XXXXXX");
	assert_non_null(mkdtemp(root));
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];
	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	return system(cmd);
}

/* virtio-gpu: the DRM node's device is a virtio device under PCI. */
static void test_parent_pci(void **state)
{
	char src[256];
	uint32_t bits = 0;
	(void)state;

	mk("devices/pci0000:00/0000:00:02.0/virtio0");
	put("devices/pci0000:00/0000:00:02.0/dma_mask_bits", "64\n");
	assert_int_equal(walk("devices/pci0000:00/0000:00:02.0/virtio0", &bits, src, sizeof(src)), 0);
	assert_int_equal(bits, 64);
	assert_non_null(strstr(src, "0000:00:02.0/dma_mask_bits"));
}

static void test_own_32(void **state)
{
	char src[256];
	uint32_t bits = 0;
	(void)state;

	mk("devices/platform/disp.0");
	put("devices/platform/disp.0/dma_mask_bits", "32\n");
	assert_int_equal(walk("devices/platform/disp.0", &bits, src, sizeof(src)), 0);
	assert_int_equal(bits, 32);
}

static void test_iommu(void **state)
{
	char src[256], link[PATH_MAX];
	uint32_t bits = 0;
	(void)state;

	mk("devices/soc/gpu.1");
	put("devices/soc/gpu.1/dma_mask_bits", "32\n");
	mk("kernel/iommu_groups/3");
	put("kernel/iommu_groups/3/type", "DMA-FQ\n");
	snprintf(link, sizeof(link), "%s/kernel/iommu_groups/3", root);
	snprintf(src, sizeof(src), "%s/devices/soc/gpu.1/iommu_group", root);
	assert_int_equal(symlink(link, src), 0);
	assert_int_equal(walk("devices/soc/gpu.1", &bits, src, sizeof(src)), 0);
	assert_int_equal(bits, 64);
	assert_non_null(strstr(src, "IOMMU"));

	/* passthrough translates nothing: the mask holds */
	put("kernel/iommu_groups/3/type", "identity\n");
	assert_int_equal(walk("devices/soc/gpu.1", &bits, src, sizeof(src)), 0);
	assert_int_equal(bits, 32);
}

static void test_none_and_bad(void **state)
{
	char src[256];
	uint32_t bits = 7;
	(void)state;

	mk("devices/platform/vivid.0");
	assert_int_equal(walk("devices/platform/vivid.0", &bits, src, sizeof(src)), -ENOENT);
	assert_non_null(strstr(src, "no dma_mask_bits"));
	mk("devices/platform/odd.0");
	put("devices/platform/odd.0/dma_mask_bits", "65\n");
	assert_int_equal(walk("devices/platform/odd.0", &bits, src, sizeof(src)), -EINVAL);
	put("devices/platform/odd.0/dma_mask_bits", "32x\n");
	assert_int_equal(walk("devices/platform/odd.0", &bits, src, sizeof(src)), -EINVAL);
	assert_non_null(strstr(src, "32x"));
	assert_int_equal(walk("devices/missing", &bits, src, sizeof(src)), -ENOENT);
}

/* Symlink targets applied lexically (be_sysfs_device_dir's two readlinks). */
static void test_join_rel(void **state)
{
	static const char *const cases[][3] = {
		{"/sys/dev/char", "../../devices/platform/vgem/drm/card0",
		 "/sys/devices/platform/vgem/drm/card0"},
		{"/sys/devices/platform/vgem/drm/card0", "../../../vgem", "/sys/devices/platform/vgem"},
		{"/sys/devices/pci0000:00/0000:00:02.0/drm/card1", "../../../0000:00:02.0",
		 "/sys/devices/pci0000:00/0000:00:02.0"},
		{"/a/b", "./c//d/./", "/a/b/c/d"},
		{"/a", "../../../x", "/x"},
		{"/", "..", "/"},
		{"/a/b", "", "/a/b"},
	};
	char out[PATH_MAX];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(be_path_join_rel(cases[i][0], cases[i][1], out, sizeof(out)), 0);
		assert_string_equal(out, cases[i][2]);
	}
	assert_int_equal(be_path_join_rel("/a", "/b", out, sizeof(out)), -EINVAL);
	assert_int_equal(be_path_join_rel("/a", "bcdefgh", out, 6), -ENAMETOOLONG);
}

/* On this machine's sysfs: the same folder as realpath() for every char device. */
static void test_sysfs_device_dir(void **state)
{
	DIR *d = opendir("/sys/dev/char");
	struct dirent *e;
	unsigned checked = 0;

	(void)state;
	if (!d)
		skip();
	while ((e = readdir(d))) {
		char link[300], real[PATH_MAX], dir[PATH_MAX];
		unsigned maj, min;
		if (sscanf(e->d_name, "%u:%u", &maj, &min) != 2)
			continue;
		snprintf(link, sizeof(link), "/sys/dev/char/%s/device", e->d_name);
		if (!realpath(link, real)) {
			assert_int_not_equal(be_sysfs_device_dir(makedev(maj, min), dir, sizeof(dir)), 0);
			continue;
		}
		assert_int_equal(be_sysfs_device_dir(makedev(maj, min), dir, sizeof(dir)), 0);
		assert_string_equal(dir, real);
		checked++;
	}
	closedir(d);
	if (!checked)
		skip();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_join_rel),
		cmocka_unit_test(test_sysfs_device_dir),
		cmocka_unit_test(test_parent_pci),
		cmocka_unit_test(test_own_32),
		cmocka_unit_test(test_iommu),
		cmocka_unit_test(test_none_and_bad),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
