// SPDX-License-Identifier: GPL-2.0
/*
 * A test importer for SMAF. Real importers (DRM PRIME, videobuf2) attach
 * and map in one call; this one attaches a dma-buf for a real platform
 * device found by name and maps it only when asked, so that tests can
 * attach several devices before the memory is allocated. Attachments
 * belong to the open file and are undone when it is closed.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/dma-buf.h>
#include <linux/fs.h>
#include <linux/idr.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/platform_device.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "smaf_test_importer.h"

struct smaf_test_att {
	struct device *dev;
	struct dma_buf *dmabuf;
	struct dma_buf_attachment *attach;
	struct sg_table *sgt;
};

struct smaf_test_file {
	struct mutex lock;	/* protects atts */
	struct idr atts;
};

static void smaf_test_release_att(struct smaf_test_att *a)
{
	if (a->sgt)
		dma_buf_unmap_attachment_unlocked(a->attach, a->sgt,
						  DMA_BIDIRECTIONAL);
	dma_buf_detach(a->dmabuf, a->attach);
	dma_buf_put(a->dmabuf);
	put_device(a->dev);
	kfree(a);
}

static int smaf_test_attach(struct smaf_test_file *f, struct smaf_test_attach *arg)
{
	struct smaf_test_att *a;
	int ret;

	if (!memchr(arg->device, 0, sizeof(arg->device)))
		return -EINVAL;
	a = kzalloc(sizeof(*a), GFP_KERNEL);
	if (!a)
		return -ENOMEM;
	a->dev = bus_find_device_by_name(&platform_bus_type, NULL, arg->device);
	if (!a->dev) {
		ret = -ENODEV;
		goto free;
	}
	a->dmabuf = dma_buf_get(arg->fd);
	if (IS_ERR(a->dmabuf)) {
		ret = PTR_ERR(a->dmabuf);
		goto put_dev;
	}
	a->attach = dma_buf_attach(a->dmabuf, a->dev);
	if (IS_ERR(a->attach)) {
		ret = PTR_ERR(a->attach);
		goto put_buf;
	}
	mutex_lock(&f->lock);
	ret = idr_alloc(&f->atts, a, 1, 0, GFP_KERNEL);
	mutex_unlock(&f->lock);
	if (ret < 0)
		goto detach;
	arg->handle = ret;
	return 0;

detach:
	dma_buf_detach(a->dmabuf, a->attach);
put_buf:
	dma_buf_put(a->dmabuf);
put_dev:
	put_device(a->dev);
free:
	kfree(a);
	return ret;
}

static long smaf_test_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct smaf_test_file *f = file->private_data;
	struct smaf_test_attach at;
	struct smaf_test_att *a;
	struct sg_table *sgt;
	u32 handle;
	int ret = 0;

	switch (cmd) {
	case SMAF_TEST_IOC_ATTACH:
		if (copy_from_user(&at, (void __user *)arg, sizeof(at)))
			return -EFAULT;
		ret = smaf_test_attach(f, &at);
		if (ret)
			return ret;
		/* the attachment stays until DETACH or close */
		if (copy_to_user((void __user *)arg, &at, sizeof(at)))
			return -EFAULT;
		return 0;
	case SMAF_TEST_IOC_MAP:
	case SMAF_TEST_IOC_DETACH:
		if (get_user(handle, (u32 __user *)arg))
			return -EFAULT;
		break;
	default:
		return -ENOTTY;
	}

	mutex_lock(&f->lock);
	a = idr_find(&f->atts, handle);
	if (!a) {
		ret = -ENOENT;
	} else if (cmd == SMAF_TEST_IOC_DETACH) {
		idr_remove(&f->atts, handle);
		smaf_test_release_att(a);
	} else if (a->sgt) {
		ret = -EBUSY;
	} else {
		sgt = dma_buf_map_attachment_unlocked(a->attach, DMA_BIDIRECTIONAL);
		if (IS_ERR(sgt))
			ret = PTR_ERR(sgt);
		else
			a->sgt = sgt;
	}
	mutex_unlock(&f->lock);
	return ret;
}

static int smaf_test_open(struct inode *inode, struct file *file)
{
	struct smaf_test_file *f = kzalloc(sizeof(*f), GFP_KERNEL);

	if (!f)
		return -ENOMEM;
	mutex_init(&f->lock);
	idr_init(&f->atts);
	file->private_data = f;
	return 0;
}

static int smaf_test_release(struct inode *inode, struct file *file)
{
	struct smaf_test_file *f = file->private_data;
	struct smaf_test_att *a;
	int id;

	idr_for_each_entry(&f->atts, a, id)
		smaf_test_release_att(a);
	idr_destroy(&f->atts);
	mutex_destroy(&f->lock);
	kfree(f);
	return 0;
}

static const struct file_operations smaf_test_fops = {
	.owner = THIS_MODULE,
	.open = smaf_test_open,
	.release = smaf_test_release,
	.unlocked_ioctl = smaf_test_ioctl,
};

static struct miscdevice smaf_test_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "smaf_test_importer",
	.fops = &smaf_test_fops,
	.mode = 0600,
};

module_misc_device(smaf_test_misc);

MODULE_DESCRIPTION("SMAF test importer: attach for a named device, map later");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(DMA_BUF);
