// SPDX-License-Identifier: GPL-2.0
/*
 * contig_display.ko — test infrastructure, not a driver to ship: a DRM
 * display whose memory rules are those of SoC display engines (physically
 * contiguous buffers only, a 32-bit DMA mask), on a platform device the
 * module registers itself. See README.md.
 */
#include <linux/module.h>
#include <linux/platform_device.h>
#include <drm/drm_atomic_helper.h>
#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_ioctl.h>

#include "contig_display.h"

struct cd_stats cd_stats;

static unsigned int dma_bits = 32;
module_param(dma_bits, uint, 0444);
MODULE_PARM_DESC(dma_bits, "DMA mask of the device in bits, 24..64 (default 32)");

unsigned int cd_max_order = MAX_PAGE_ORDER;
module_param_named(max_order, cd_max_order, uint, 0444);
MODULE_PARM_DESC(max_order, "largest buffer: PAGE_SIZE << max_order, at most MAX_PAGE_ORDER (default)");

unsigned int cd_pitch_align = 1;
module_param_named(pitch_align, cd_pitch_align, uint, 0444);
MODULE_PARM_DESC(pitch_align, "dumb buffer pitch alignment in bytes, a power of two (default 1, as drm_gem_dma)");

unsigned int cd_checksum_lines = 16;
module_param_named(checksum_lines, cd_checksum_lines, uint, 0444);
MODULE_PARM_DESC(checksum_lines, "lines of each plane in the scanout checksum, 1..65536 (default 16)");

/* Same name and format as PCI's: user space walks up from
 * /sys/dev/char/226:N/device to the first dma_mask_bits. */
static ssize_t dma_mask_bits_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%d\n", fls64(dma_get_mask(dev)));
}
static DEVICE_ATTR_RO(dma_mask_bits);

static ssize_t consistent_dma_mask_bits_show(struct device *dev, struct device_attribute *attr,
					     char *buf)
{
	return sysfs_emit(buf, "%d\n", fls64(dev->coherent_dma_mask));
}
static DEVICE_ATTR_RO(consistent_dma_mask_bits);

static struct attribute *cd_dev_attrs[] = {
	&dev_attr_dma_mask_bits.attr,
	&dev_attr_consistent_dma_mask_bits.attr,
	NULL,
};
ATTRIBUTE_GROUPS(cd_dev);

DEFINE_DRM_GEM_FOPS(cd_fops);

static const struct drm_driver cd_driver = {
	.driver_features = DRIVER_MODESET | DRIVER_GEM | DRIVER_ATOMIC,
	.fops = &cd_fops,
	.name = CD_NAME,
	.desc = "test display: contiguous memory, 32-bit DMA",
	.date = "20261204",
	.major = 1,
	.minor = 0,
	.dumb_create = cd_dumb_create,
	.gem_prime_import = cd_prime_import,
	.gem_prime_import_sg_table = cd_prime_import_sg_table,
};

static int cd_probe(struct platform_device *pdev)
{
	struct cd_device *cd;
	int ret;

	ret = dma_coerce_mask_and_coherent(&pdev->dev, DMA_BIT_MASK(dma_bits));
	if (ret)
		return ret;
	cd = devm_drm_dev_alloc(&pdev->dev, &cd_driver, struct cd_device, drm);
	if (IS_ERR(cd))
		return PTR_ERR(cd);
	platform_set_drvdata(pdev, cd);
	ret = cd_kms_init(cd);
	if (ret)
		return ret;
	cd_kms_probe_modes(cd);
	ret = drm_dev_register(&cd->drm, 0);
	if (ret)
		return ret;
	cd_debugfs_init(cd);
	return 0;
}

static void cd_remove(struct platform_device *pdev)
{
	struct cd_device *cd = platform_get_drvdata(pdev);

	cd_debugfs_fini(cd);
	drm_dev_unplug(&cd->drm);
	drm_atomic_helper_shutdown(&cd->drm);
}

static struct platform_driver cd_platform_driver = {
	.probe = cd_probe,
	.remove_new = cd_remove,
	.driver = {
		.name = CD_NAME,
		.dev_groups = cd_dev_groups,
	},
};

static struct platform_device *cd_pdev;

static int __init cd_init(void)
{
	int ret;

	if (dma_bits < 24 || dma_bits > 64 || cd_max_order > MAX_PAGE_ORDER ||
	    !is_power_of_2(cd_pitch_align) || !cd_checksum_lines || cd_checksum_lines > 65536) {
		pr_err(CD_NAME ": bad parameter (dma_bits 24..64, max_order <= %d, pitch_align a power of two, checksum_lines 1..65536)\n",
		       MAX_PAGE_ORDER);
		return -EINVAL;
	}
	ret = platform_driver_register(&cd_platform_driver);
	if (ret)
		return ret;
	cd_pdev = platform_device_register_simple(CD_NAME, -1, NULL, 0);
	if (IS_ERR(cd_pdev)) {
		platform_driver_unregister(&cd_platform_driver);
		return PTR_ERR(cd_pdev);
	}
	if (!cd_pdev->dev.driver) {
		/* probe failed: the reason is in the log above */
		platform_device_unregister(cd_pdev);
		platform_driver_unregister(&cd_platform_driver);
		return -ENODEV;
	}
	return 0;
}

static void __exit cd_exit(void)
{
	platform_device_unregister(cd_pdev);
	platform_driver_unregister(&cd_platform_driver);
	/* Every dma-buf and open file pins the module: nothing can be left. */
	WARN(atomic_read(&cd_stats.gem_objects), CD_NAME ": %d GEM objects leaked\n",
	     atomic_read(&cd_stats.gem_objects));
}

module_init(cd_init);
module_exit(cd_exit);
MODULE_DESCRIPTION("Test DRM display: physically contiguous scanout below its DMA mask");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(DMA_BUF);
