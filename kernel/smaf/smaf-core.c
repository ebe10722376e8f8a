// SPDX-License-Identifier: GPL-2.0
/*
 * SMAF core: /dev/smaf, its ioctls, the allocator list, the secure
 * module registration and the debugfs counters.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/dma-mapping.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "smaf-internal.h"

/*
 * Linux 6.12 has no device property saying "this device can only DMA to
 * physically contiguous memory" (vb2-dma-contig's requirement lives in the
 * driver), so these two lists let an integrator state it; see README.md.
 */
static char contig_devices[256];
module_param_string(contig_devices, contig_devices, sizeof(contig_devices), 0644);
MODULE_PARM_DESC(contig_devices,
		 "Comma-separated device or driver names that need physically contiguous memory");

static char sg_devices[256];
module_param_string(sg_devices, sg_devices, sizeof(sg_devices), 0644);
MODULE_PARM_DESC(sg_devices,
		 "Comma-separated device or driver names known to handle scattered memory");

/*
 * videobuf2 in Linux 6.12 leaks the dma-buf reference when dma_buf_attach()
 * fails (__prepare_dmabuf() stores the dma_buf in vb->planes only after a
 * successful attach, and its error path puts only stored planes), so by
 * default a refused device gets its attachment and the error at its first
 * map, which every importer unwinds correctly. V4L2 QBUF and DRM PRIME
 * import attach and map at once: userspace sees the same errno.
 */
bool smaf_refuse_on_attach;
module_param_named(refuse_on_attach, smaf_refuse_on_attach, bool, 0644);
MODULE_PARM_DESC(refuse_on_attach,
		 "Refuse unsuitable devices in attach itself instead of at their first map (default: no)");

struct device *smaf_device;
LIST_HEAD(smaf_allocators);
unsigned int smaf_allocator_count;
/* protects smaf_buffers, the list debugfs shows */
DEFINE_MUTEX(smaf_buffers_lock);
LIST_HEAD(smaf_buffers);
atomic64_t smaf_stat_refused_attach;
atomic64_t smaf_stat_no_match;
atomic64_t smaf_stat_cpu_refused;
atomic64_t smaf_stat_created;
atomic64_t smaf_stat_live;

/* protects smaf_secure_ops */
static DEFINE_MUTEX(smaf_secure_lock);
static const struct smaf_secure *smaf_secure_ops;
static struct dentry *smaf_debugfs;

bool smaf_device_in_list(struct device *dev, const char *list)
{
	static const char sep[] = ", \t\n";
	const char *name = dev_name(dev);
	const char *drv = dev->driver ? dev->driver->name : NULL;
	const char *p = list;

	while (p && *p) {
		size_t n;

		p += strspn(p, sep);
		n = strcspn(p, sep);
		if (n && ((strlen(name) == n && !strncmp(p, name, n)) ||
			  (drv && strlen(drv) == n && !strncmp(p, drv, n))))
			return true;
		p += n;
	}
	return false;
}
EXPORT_SYMBOL_GPL(smaf_device_in_list);

static bool smaf_device_in_param(struct device *dev, const char *param)
{
	bool ret;

	kernel_param_lock(THIS_MODULE);
	ret = smaf_device_in_list(dev, param);
	kernel_param_unlock(THIS_MODULE);
	return ret;
}

bool smaf_device_needs_contig(struct device *dev)
{
	return smaf_device_in_param(dev, contig_devices);
}

bool smaf_device_declared_sg(struct device *dev)
{
	return smaf_device_in_param(dev, sg_devices);
}

/* Insert by decreasing ranking, then by name. */
static void smaf_add_allocator(struct smaf_allocator *a)
{
	struct smaf_allocator *pos;

	list_for_each_entry(pos, &smaf_allocators, node) {
		if (a->ranking > pos->ranking ||
		    (a->ranking == pos->ranking && strcmp(a->name, pos->name) < 0))
			break;
	}
	list_add_tail(&a->node, &pos->node);
	smaf_allocator_count++;
}

struct smaf_allocator *smaf_find_allocator(const char *name)
{
	struct smaf_allocator *a;

	list_for_each_entry(a, &smaf_allocators, node)
		if (!strcmp(a->name, name))
			return a;
	return NULL;
}

int smaf_register_secure(const struct smaf_secure *s)
{
	int ret = 0;

	if (!s || !s->create_ctx || !s->destroy_ctx || !s->grant_access ||
	    !s->revoke_access)
		return -EINVAL;
	mutex_lock(&smaf_secure_lock);
	if (smaf_secure_ops)
		ret = -EBUSY;
	else
		smaf_secure_ops = s;
	mutex_unlock(&smaf_secure_lock);
	if (!ret)
		pr_info("secure module %s registered\n", s->name);
	return ret;
}
EXPORT_SYMBOL_GPL(smaf_register_secure);

void smaf_unregister_secure(const struct smaf_secure *s)
{
	mutex_lock(&smaf_secure_lock);
	if (smaf_secure_ops == s)
		smaf_secure_ops = NULL;
	mutex_unlock(&smaf_secure_lock);
	pr_info("secure module %s unregistered\n", s->name);
}
EXPORT_SYMBOL_GPL(smaf_unregister_secure);

/* The registered secure module with a reference on its owner, or -EINVAL. */
int smaf_secure_get(const struct smaf_secure **s)
{
	int ret = -EINVAL;

	mutex_lock(&smaf_secure_lock);
	if (smaf_secure_ops && try_module_get(smaf_secure_ops->owner)) {
		*s = smaf_secure_ops;
		ret = 0;
	}
	mutex_unlock(&smaf_secure_lock);
	return ret;
}

void smaf_secure_put(const struct smaf_secure *s)
{
	module_put(s->owner);
}

/*
 * A reference on the SMAF buffer behind @fd, or NULL if @fd is not a SMAF
 * dma-buf (SMAF v10 answered -EINVAL for any bad fd; so do we).
 */
static struct dma_buf *smaf_get_dmabuf(int fd)
{
	struct dma_buf *dmabuf = dma_buf_get(fd);

	if (IS_ERR(dmabuf))
		return NULL;
	if (dmabuf->ops != &smaf_dma_buf_ops) {
		dma_buf_put(dmabuf);
		return NULL;
	}
	return dmabuf;
}

static long smaf_ioc_create(void __user *uarg, struct smaf_create_data *data)
{
	struct smaf_allocator *forced = NULL;
	struct smaf_buffer *buf;
	int fd;

	if (data->version)
		return -EINVAL;
	if (data->flags & ~(SMAF_RDWR | SMAF_CLOEXEC))
		return -EINVAL;
	if (!data->length ||
	    data->length > ((u64)totalram_pages() << PAGE_SHIFT))
		return -EINVAL;
	if (!memchr(data->name, 0, sizeof(data->name)))
		return -EINVAL;
	if (data->name[0]) {
		forced = smaf_find_allocator((const char *)data->name);
		if (!forced)
			return -EINVAL;
	}

	buf = smaf_buffer_create(PAGE_ALIGN(data->length), forced,
				 data->flags & O_ACCMODE);
	if (IS_ERR(buf))
		return PTR_ERR(buf);

	fd = get_unused_fd_flags(data->flags & O_CLOEXEC);
	if (fd < 0) {
		dma_buf_put(buf->dmabuf);
		return fd;
	}
	/* install only once userspace can learn the fd number */
	data->fd = fd;
	if (copy_to_user(uarg, data, sizeof(*data))) {
		put_unused_fd(fd);
		dma_buf_put(buf->dmabuf);
		return -EFAULT;
	}
	fd_install(fd, buf->dmabuf->file);
	return 0;
}

static long smaf_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	void __user *uarg = (void __user *)arg;
	union {
		struct smaf_create_data create;
		struct smaf_secure_flag secure;
		struct smaf_info info;
		struct smaf_buffer_info binfo;
	} u;
	struct dma_buf *dmabuf;
	long ret = 0;

	switch (cmd) {
	case SMAF_IOC_CREATE:
	case SMAF_IOC_GET_SECURE_FLAG:
	case SMAF_IOC_SET_SECURE_FLAG:
	case SMAF_IOC_GET_INFO:
	case SMAF_IOC_GET_BUFFER_INFO:
		break;
	default:
		return -ENOTTY;
	}
	if (copy_from_user(&u, uarg, _IOC_SIZE(cmd)))
		return -EFAULT;

	switch (cmd) {
	case SMAF_IOC_CREATE:
		return smaf_ioc_create(uarg, &u.create);
	case SMAF_IOC_GET_SECURE_FLAG:
	case SMAF_IOC_SET_SECURE_FLAG: {
		struct smaf_buffer *buf;

		if (u.secure.version)
			return -EINVAL;
		dmabuf = smaf_get_dmabuf(u.secure.fd);
		if (!dmabuf)
			return -EINVAL;
		buf = dmabuf->priv;
		if (cmd == SMAF_IOC_SET_SECURE_FLAG) {
			if (u.secure.secure > 1)
				ret = -EINVAL;
			else
				ret = smaf_buffer_set_secure(buf, u.secure.secure);
		} else {
			mutex_lock(&buf->lock);
			u.secure.secure = !!buf->secure;
			mutex_unlock(&buf->lock);
		}
		dma_buf_put(dmabuf);
		break;
	}
	case SMAF_IOC_GET_INFO: {
		struct smaf_allocator *a;
		unsigned int i = 0;

		if (u.info.version)
			return -EINVAL;
		if (u.info.index >= smaf_allocator_count)
			return -EINVAL;
		list_for_each_entry(a, &smaf_allocators, node)
			if (i++ == u.info.index)
				break;
		u.info.count = smaf_allocator_count;
		u.info.ranking = a->ranking;
		memset(u.info.name, 0, sizeof(u.info.name));
		strscpy(u.info.name, a->name, sizeof(u.info.name));
		break;
	}
	case SMAF_IOC_GET_BUFFER_INFO:
		if (u.binfo.version || u.binfo.reserved1 ||
		    memchr_inv(u.binfo.reserved2, 0, sizeof(u.binfo.reserved2)))
			return -EINVAL;
		dmabuf = smaf_get_dmabuf(u.binfo.fd);
		if (!dmabuf)
			return -EINVAL;
		smaf_buffer_fill_info(dmabuf->priv, &u.binfo);
		dma_buf_put(dmabuf);
		break;
	}
	if (ret)
		return ret;
	if (copy_to_user(uarg, &u, _IOC_SIZE(cmd)))
		return -EFAULT;
	return 0;
}

static const struct file_operations smaf_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = smaf_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

static struct miscdevice smaf_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "smaf",
	.fops = &smaf_fops,
	.mode = 0666,
};

static int smaf_stats_show(struct seq_file *s, void *unused)
{
	struct smaf_allocator *a;

	seq_printf(s, "created %lld\n", atomic64_read(&smaf_stat_created));
	seq_printf(s, "live_buffers %lld\n", atomic64_read(&smaf_stat_live));
	seq_printf(s, "refused_attach %lld\n",
		   atomic64_read(&smaf_stat_refused_attach));
	seq_printf(s, "no_match %lld\n", atomic64_read(&smaf_stat_no_match));
	seq_printf(s, "cpu_refused %lld\n",
		   atomic64_read(&smaf_stat_cpu_refused));
	list_for_each_entry(a, &smaf_allocators, node)
		seq_printf(s, "allocator %s ranking %u allocations %lld live_buffers %lld live_bytes %lld\n",
			   a->name, a->ranking, atomic64_read(&a->allocations),
			   atomic64_read(&a->live_buffers),
			   atomic64_read(&a->live_bytes));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(smaf_stats);

static int smaf_buffers_show(struct seq_file *s, void *unused)
{
	struct smaf_buffer *buf;
	struct smaf_attachment *att;

	mutex_lock(&smaf_buffers_lock);
	list_for_each_entry(buf, &smaf_buffers, node) {
		mutex_lock(&buf->lock);
		seq_printf(s, "buffer %u size %zu allocator %s%s segments %u secure %d mmaps %d vmaps %u devices",
			   buf->id, buf->size,
			   buf->alloc ? buf->alloc->name :
			   buf->forced ? buf->forced->name : "-",
			   !buf->alloc && buf->forced ? "(forced,unallocated)" : "",
			   buf->segments, !!buf->secure,
			   atomic_read(&buf->mmap_count), buf->vmap_count);
		list_for_each_entry(att, &buf->attachments, node)
			seq_printf(s, " %s%s", dev_name(att->dev),
				   att->sgt ? "(mapped)" : "");
		seq_putc(s, '\n');
		mutex_unlock(&buf->lock);
	}
	mutex_unlock(&smaf_buffers_lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(smaf_buffers);

static int __init smaf_init(void)
{
	int ret;

	smaf_add_allocator(&smaf_page_allocator);
	smaf_add_allocator(&smaf_contig_allocator);

	ret = misc_register(&smaf_misc);
	if (ret)
		return ret;
	smaf_device = smaf_misc.this_device;
	/*
	 * The contiguous allocator allocates for this device: a 32-bit
	 * coherent mask keeps its memory reachable by every device whose
	 * mask is at least 32 bits wide.
	 */
	ret = dma_coerce_mask_and_coherent(smaf_device, DMA_BIT_MASK(32));
	if (ret) {
		misc_deregister(&smaf_misc);
		return ret;
	}

	smaf_debugfs = debugfs_create_dir("smaf", NULL);
	debugfs_create_file("stats", 0444, smaf_debugfs, NULL,
			    &smaf_stats_fops);
	debugfs_create_file("buffers", 0444, smaf_debugfs, NULL,
			    &smaf_buffers_fops);
	pr_info("ready: /dev/smaf, %u allocators\n", smaf_allocator_count);
	return 0;
}

static void __exit smaf_exit(void)
{
	debugfs_remove_recursive(smaf_debugfs);
	misc_deregister(&smaf_misc);
}

module_init(smaf_init);
module_exit(smaf_exit);

MODULE_DESCRIPTION("SMAF: deferred-allocation dma-buf exporter with ranked allocators and secure buffers");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(DMA_BUF);
