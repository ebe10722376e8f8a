// SPDX-License-Identifier: GPL-2.0
/*
 * ion_test: /dev/ion speaking the Android ION uapi, legacy (handles, <= 4.11)
 * or new (fds, 4.12 - 5.10), chosen by the "abi" module parameter.
 *
 * Test infrastructure for liballoc: no kernel we can run ships ION. Written
 * from the uapi (uapi/ion.h and its sources in README.md, "Sources"), not
 * from the staging driver's sources.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/dma-mapping.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/version.h>

#include "ion_test.h"

static const char * const ion_abi_names[] = {
	[ION_ABI_LEGACY] = "legacy",
	[ION_ABI_LEGACY_NOQUERY] = "legacy-noquery",
	[ION_ABI_MODERN] = "modern",
};

static enum ion_abi abi = ION_ABI_MODERN;

static int ion_abi_set(const char *val, const struct kernel_param *kp)
{
	int i = sysfs_match_string(ion_abi_names, val);

	if (i < 0)
		return -EINVAL;
	*(enum ion_abi *)kp->arg = i;
	return 0;
}

static int ion_abi_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%s\n", ion_abi_names[*(enum ion_abi *)kp->arg]);
}

static const struct kernel_param_ops ion_abi_ops = {
	.set = ion_abi_set,
	.get = ion_abi_get,
};
module_param_cb(abi, &ion_abi_ops, &abi, 0444);
MODULE_PARM_DESC(abi, "uapi of /dev/ion: legacy (handles, with HEAP_QUERY: 4.10/4.11), legacy-noquery (<= 4.9), modern (fds: 4.12-5.10, default)");

/*
 * Default ids are neither the heap types (0-5) nor the indices of the query
 * answer (0-2), so a mask built from either selects no heap and fails
 * loudly with ENODEV. heap_ids=0,1,4 gives the id == type convention of
 * many pre-4.10 boards.
 */
static unsigned int heap_ids[ION_NR_HEAPS] = { 8, 9, 10 };
module_param_array(heap_ids, uint, NULL, 0444);
MODULE_PARM_DESC(heap_ids, "ids of the system, system-contig and dma heaps (distinct, < 32; default 8,9,10)");

static unsigned int contig_max_order = MAX_PAGE_ORDER;
module_param(contig_max_order, uint, 0444);
MODULE_PARM_DESC(contig_max_order, "largest allocation of system-contig and dma, as a page order (default and maximum MAX_PAGE_ORDER); larger asks fail with ENOMEM");

static struct ion_device ion_dev;

/*
 * The dma heap's budget stands in for the size of a CMA area: contiguous
 * memory that runs out, repeatably. dma_budget and dma_used are the test
 * module's equivalent of /proc/meminfo CmaTotal and CmaTotal - CmaFree,
 * readable by any user (mode 0444). Sizes take memparse's suffixes (16M).
 */
static unsigned long dma_budget;

static int ion_budget_set(const char *val, const struct kernel_param *kp)
{
	unsigned long long v;
	char *end;

	v = memparse(val, &end);
	if (*end == '\n')
		end++;
	if (end == val || *end || v > ULONG_MAX || !PAGE_ALIGNED(v))
		return -EINVAL;
	*(unsigned long *)kp->arg = v;
	return 0;
}

static const struct kernel_param_ops ion_budget_ops = {
	.set = ion_budget_set,
	.get = param_get_ulong,
};
module_param_cb(dma_budget, &ion_budget_ops, &dma_budget, 0444);
MODULE_PARM_DESC(dma_budget, "bytes the dma heap may have live at once, like the size of a CMA area (a multiple of the page size, suffixes K/M/G; 0, the default: no limit but RAM); an allocation beyond it fails with ENOMEM");

/* A figure, not a setting: loading with dma_used=... is refused. */
static int ion_used_set(const char *val, const struct kernel_param *kp)
{
	return -EINVAL;
}

static int ion_used_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%ld\n",
			  atomic_long_read(&ion_dev.heaps[ION_HEAP_DMA].nr_bytes));
}

static const struct kernel_param_ops ion_used_ops = {
	.set = ion_used_set,
	.get = ion_used_get,
};
module_param_cb(dma_used, &ion_used_ops, NULL, 0444);
MODULE_PARM_DESC(dma_used, "read-only: bytes live in the dma heap now (budget left: dma_budget - dma_used)");

/* A legacy handle: a reference on a buffer, counted per ALLOC/IMPORT. */
struct ion_handle {
	struct ion_buffer *buffer;
	unsigned int count;
};

/* ---- clients ---- */

static int ion_open(struct inode *inode, struct file *file)
{
	struct ion_client *client;

	client = kzalloc(sizeof(*client), GFP_KERNEL);
	if (!client)
		return -ENOMEM;
	client->idev = &ion_dev;
	mutex_init(&client->lock);
	idr_init_base(&client->handles, 1);
	file->private_data = client;
	return 0;
}

static int ion_release(struct inode *inode, struct file *file)
{
	struct ion_client *client = file->private_data;
	struct ion_handle *h;
	int id;

	idr_for_each_entry(&client->handles, h, id) {
		ion_buffer_put(h->buffer);
		kfree(h);
	}
	idr_destroy(&client->handles);
	mutex_destroy(&client->lock);
	kfree(client);
	return 0;
}

/* A new handle (id > 0) on @buf with its own buffer reference. */
static int ion_handle_create(struct ion_client *client, struct ion_buffer *buf)
{
	struct ion_handle *h;
	int id;

	lockdep_assert_held(&client->lock);
	h = kzalloc(sizeof(*h), GFP_KERNEL);
	if (!h)
		return -ENOMEM;
	/* Cyclic: a stale handle does not name a new buffer soon. */
	id = idr_alloc_cyclic(&client->handles, h, 1, 0, GFP_KERNEL);
	if (id < 0) {
		kfree(h);
		return id;
	}
	ion_buffer_get(buf);
	h->buffer = buf;
	h->count = 1;
	return id;
}

static void ion_handle_put(struct ion_client *client, int id,
			   struct ion_handle *h)
{
	lockdep_assert_held(&client->lock);
	if (--h->count)
		return;
	idr_remove(&client->handles, id);
	ion_buffer_put(h->buffer);
	kfree(h);
}

/* ---- fds ---- */

struct ion_new_fd {
	int fd;
	struct dma_buf *dmabuf;
};

/*
 * Exporting is split around the copy to user space: the fd is reserved
 * first and installed only once the caller has been told its number, so a
 * fault leaves no fd behind.
 */
static int ion_new_fd_prepare(struct ion_new_fd *nfd, struct ion_buffer *buf)
{
	nfd->fd = get_unused_fd_flags(O_CLOEXEC);
	if (nfd->fd < 0)
		return nfd->fd;
	nfd->dmabuf = ion_buffer_export(buf);
	if (IS_ERR(nfd->dmabuf)) {
		put_unused_fd(nfd->fd);
		return PTR_ERR(nfd->dmabuf);
	}
	return 0;
}

static void ion_new_fd_finish(struct ion_new_fd *nfd, bool install)
{
	if (install) {
		fd_install(nfd->fd, nfd->dmabuf->file);
	} else {
		put_unused_fd(nfd->fd);
		dma_buf_put(nfd->dmabuf);
	}
}

/* ---- ioctls of both ABIs ---- */

static long ion_ioc_heap_query(struct ion_client *client, void __user *uarg)
{
	struct ion_device *idev = client->idev;
	struct ion_heap_data __user *out;
	struct ion_heap_query q;
	struct ion_heap_data hd;
	u32 i, n;

	if (copy_from_user(&q, uarg, sizeof(q)))
		return -EFAULT;
	if (q.reserved0 || q.reserved1 || q.reserved2)
		return -EINVAL;
	if (!q.heaps) {
		q.cnt = ION_NR_HEAPS;
	} else {
		/* An array of no entries is a caller's mistake. */
		if (!q.cnt)
			return -EINVAL;
		out = u64_to_user_ptr(q.heaps);
		n = min_t(u32, q.cnt, ION_NR_HEAPS);
		for (i = 0; i < n; i++) {
			const struct ion_heap *heap = &idev->heaps[i];

			memset(&hd, 0, sizeof(hd));
			strscpy(hd.name, heap->name, sizeof(hd.name));
			hd.type = heap->type;
			hd.heap_id = heap->id;
			if (copy_to_user(&out[i], &hd, sizeof(hd)))
				return -EFAULT;
		}
		q.cnt = n;
	}
	if (copy_to_user(uarg, &q, sizeof(q)))
		return -EFAULT;
	return 0;
}

/* ---- new ABI ---- */

static long ion_ioc_new_alloc(struct ion_client *client, void __user *uarg)
{
	struct ion_new_allocation_data d;
	struct ion_buffer *buf;
	struct ion_new_fd nfd;
	int ret;

	if (copy_from_user(&d, uarg, sizeof(d)))
		return -EFAULT;
	/* Stricter than ION was: unknown flags and a non-zero "unused" are refused. */
	if (d.unused || (d.flags & ~ION_FLAG_CACHED))
		return -EINVAL;
	buf = ion_buffer_alloc(client->idev, d.len, 0, d.heap_id_mask, d.flags);
	if (IS_ERR(buf))
		return PTR_ERR(buf);
	ret = ion_new_fd_prepare(&nfd, buf);
	ion_buffer_put(buf);
	if (ret)
		return ret;
	d.fd = nfd.fd;
	ret = copy_to_user(uarg, &d, sizeof(d)) ? -EFAULT : 0;
	ion_new_fd_finish(&nfd, !ret);
	return ret;
}

/* ---- legacy ABI ---- */

#define ION_LEGACY_FLAGS	(ION_FLAG_CACHED | ION_FLAG_CACHED_NEEDS_SYNC)

static long ion_ioc_legacy_alloc(struct ion_client *client, void __user *uarg)
{
	struct ion_legacy_allocation_data d;
	struct ion_buffer *buf;
	int id, ret = 0;

	if (copy_from_user(&d, uarg, sizeof(d)))
		return -EFAULT;
	if (d.flags & ~ION_LEGACY_FLAGS)
		return -EINVAL;
	buf = ion_buffer_alloc(client->idev, d.len, d.align, d.heap_id_mask,
			       d.flags);
	if (IS_ERR(buf))
		return PTR_ERR(buf);

	/* Held across the copy: no other thread sees the handle before the caller. */
	mutex_lock(&client->lock);
	id = ion_handle_create(client, buf);
	if (id < 0) {
		ret = id;
	} else {
		d.handle = id;
		if (copy_to_user(uarg, &d, sizeof(d))) {
			ion_handle_put(client, id, idr_find(&client->handles, id));
			ret = -EFAULT;
		}
	}
	mutex_unlock(&client->lock);
	ion_buffer_put(buf);
	return ret;
}

static long ion_ioc_free(struct ion_client *client, void __user *uarg)
{
	struct ion_buffer *buf = NULL;
	struct ion_handle_data d;
	struct ion_handle *h;

	if (copy_from_user(&d, uarg, sizeof(d)))
		return -EFAULT;
	mutex_lock(&client->lock);
	h = d.handle > 0 ? idr_find(&client->handles, d.handle) : NULL;
	if (h) {
		/* Freeing a large buffer takes a while: not under the lock. */
		buf = h->buffer;
		ion_buffer_get(buf);
		ion_handle_put(client, d.handle, h);
	}
	mutex_unlock(&client->lock);
	if (!buf)
		return -EINVAL;
	ion_buffer_put(buf);
	return 0;
}

/* ION_IOC_SHARE and ION_IOC_MAP: a new dma-buf fd for a handle. */
static long ion_ioc_share(struct ion_client *client, void __user *uarg)
{
	struct ion_buffer *buf = NULL;
	struct ion_fd_data d;
	struct ion_handle *h;
	struct ion_new_fd nfd;
	int ret;

	if (copy_from_user(&d, uarg, sizeof(d)))
		return -EFAULT;
	mutex_lock(&client->lock);
	h = d.handle > 0 ? idr_find(&client->handles, d.handle) : NULL;
	if (h) {
		buf = h->buffer;
		ion_buffer_get(buf);
	}
	mutex_unlock(&client->lock);
	if (!buf)
		return -EINVAL;

	ret = ion_new_fd_prepare(&nfd, buf);
	ion_buffer_put(buf);
	if (ret)
		return ret;
	d.fd = nfd.fd;
	ret = copy_to_user(uarg, &d, sizeof(d)) ? -EFAULT : 0;
	ion_new_fd_finish(&nfd, !ret);
	return ret;
}

/*
 * A handle for a dma-buf of ours. Like legacy ION, a buffer the client
 * already has a handle for gives that handle again, one count more: it
 * then takes one more ION_IOC_FREE.
 */
static long ion_ioc_import(struct ion_client *client, void __user *uarg)
{
	struct ion_fd_data d;
	struct dma_buf *dmabuf;
	struct ion_buffer *buf;
	struct ion_handle *h;
	int id, ret = 0;

	if (copy_from_user(&d, uarg, sizeof(d)))
		return -EFAULT;
	dmabuf = dma_buf_get(d.fd);
	if (IS_ERR(dmabuf))
		return PTR_ERR(dmabuf);
	buf = ion_dma_buf_to_buffer(dmabuf);
	if (!buf) {
		ret = -EINVAL;
		goto out_put;
	}

	mutex_lock(&client->lock);
	idr_for_each_entry(&client->handles, h, id)
		if (h->buffer == buf)
			break;
	if (h) {
		if (h->count == UINT_MAX) {
			ret = -EOVERFLOW;
			goto out_unlock;
		}
		h->count++;
	} else {
		id = ion_handle_create(client, buf);
		if (id < 0) {
			ret = id;
			goto out_unlock;
		}
		h = idr_find(&client->handles, id);
	}
	d.handle = id;
	if (copy_to_user(uarg, &d, sizeof(d))) {
		ion_handle_put(client, id, h);
		ret = -EFAULT;
	}
out_unlock:
	mutex_unlock(&client->lock);
out_put:
	dma_buf_put(dmabuf);
	return ret;
}

static long ion_ioc_sync(struct ion_client *client, void __user *uarg)
{
	struct ion_fd_data d;
	struct dma_buf *dmabuf;
	struct ion_buffer *buf;
	int ret = 0;

	if (copy_from_user(&d, uarg, sizeof(d)))
		return -EFAULT;
	dmabuf = dma_buf_get(d.fd);
	if (IS_ERR(dmabuf))
		return PTR_ERR(dmabuf);
	buf = ion_dma_buf_to_buffer(dmabuf);
	if (buf)
		ion_buffer_sync_for_device(buf);
	else
		ret = -EINVAL;
	dma_buf_put(dmabuf);
	return ret;
}

/* ---- dispatch ---- */

/* The largest argument of each ABI's ioctls. */
static size_t ion_max_arg_size(enum ion_abi abi)
{
	if (abi == ION_ABI_MODERN)
		return max(sizeof(struct ion_new_allocation_data),
			   sizeof(struct ion_heap_query));
	return max3(sizeof(struct ion_legacy_allocation_data),
		    sizeof(struct ion_custom_data),
		    sizeof(struct ion_heap_query));
}

static long ion_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct ion_client *client = file->private_data;
	enum ion_abi abi = client->idev->abi;
	void __user *uarg = (void __user *)arg;

	/*
	 * ION refused an argument larger than any of its own with EINVAL
	 * before looking at the number: in the new ABI the legacy
	 * ION_IOC_ALLOC is EINVAL, its ION_IOC_FREE (the probe libion
	 * uses to tell the ABIs apart) ENOTTY.
	 */
	if (_IOC_SIZE(cmd) > ion_max_arg_size(abi))
		return -EINVAL;

	if (abi == ION_ABI_MODERN) {
		switch (cmd) {
		case ION_IOC_NEW_ALLOC:
			return ion_ioc_new_alloc(client, uarg);
		case ION_IOC_HEAP_QUERY:
			return ion_ioc_heap_query(client, uarg);
		}
		return -ENOTTY;
	}

	switch (cmd) {
	case ION_IOC_LEGACY_ALLOC:
		return ion_ioc_legacy_alloc(client, uarg);
	case ION_IOC_FREE:
		return ion_ioc_free(client, uarg);
	case ION_IOC_MAP:
	case ION_IOC_SHARE:
		return ion_ioc_share(client, uarg);
	case ION_IOC_IMPORT:
		return ion_ioc_import(client, uarg);
	case ION_IOC_SYNC:
		return ion_ioc_sync(client, uarg);
	case ION_IOC_HEAP_QUERY:
		if (abi == ION_ABI_LEGACY)
			return ion_ioc_heap_query(client, uarg);
		break;
	}
	/* ION_IOC_CUSTOM too: no platform handler is registered. */
	return -ENOTTY;
}

static const struct file_operations ion_fops = {
	.owner = THIS_MODULE,
	.open = ion_open,
	.release = ion_release,
	.unlocked_ioctl = ion_ioctl,
	/*
	 * Every argument has the same layout for 32-bit callers except the
	 * legacy ALLOC's size_t fields: its 32-bit number is not known here
	 * and gets ENOTTY.
	 */
	.compat_ioctl = compat_ptr_ioctl,
};

/* ---- debugfs: live buffers per heap, for leak checks ---- */

static int ion_heaps_show(struct seq_file *s, void *unused)
{
	struct ion_device *idev = s->private;
	int i;

	seq_puts(s, "id type name buffers bytes max_bytes\n");
	for (i = 0; i < ION_NR_HEAPS; i++) {
		struct ion_heap *heap = &idev->heaps[i];

		seq_printf(s, "%u %u %s %ld %ld %zu\n", heap->id, heap->type,
			   heap->name, atomic_long_read(&heap->nr_buffers),
			   atomic_long_read(&heap->nr_bytes), heap->max_len);
	}
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(ion_heaps);

/* ---- module ---- */

static int ion_check_params(void)
{
	int i, j;

	for (i = 0; i < ION_NR_HEAPS; i++) {
		if (heap_ids[i] >= ION_NUM_HEAP_IDS) {
			pr_err("heap id %u is not below %zu\n", heap_ids[i],
			       ION_NUM_HEAP_IDS);
			return -EINVAL;
		}
		for (j = 0; j < i; j++) {
			if (heap_ids[i] == heap_ids[j]) {
				pr_err("heap id %u given twice\n", heap_ids[i]);
				return -EINVAL;
			}
		}
	}
	if (contig_max_order > MAX_PAGE_ORDER) {
		pr_err("contig_max_order %u is above MAX_PAGE_ORDER %u\n",
		       contig_max_order, MAX_PAGE_ORDER);
		return -EINVAL;
	}
	return 0;
}

static int __init ion_init(void)
{
	struct device *dev;
	int i, ret;

	BUILD_BUG_ON(sizeof(struct ion_new_allocation_data) != 24);
	BUILD_BUG_ON(sizeof(struct ion_heap_query) != 24);
	BUILD_BUG_ON(sizeof(struct ion_heap_data) != 52);

	ret = ion_check_params();
	if (ret)
		return ret;

	ion_dev.abi = abi;
	ion_heaps_init(&ion_dev, heap_ids, contig_max_order);
	ion_dev.heaps[ION_HEAP_DMA].budget = dma_budget;
	ion_dev.misc.minor = MISC_DYNAMIC_MINOR;
	ion_dev.misc.name = "ion";
	ion_dev.misc.fops = &ion_fops;
	/* Test infrastructure: any user of the test VM may allocate. */
	ion_dev.misc.mode = 0666;
	ret = misc_register(&ion_dev.misc);
	if (ret)
		return ret;

	/* The dma heap allocates for a device that can address 32 bits. */
	dev = ion_dev.misc.this_device;
	ret = dma_coerce_mask_and_coherent(dev, DMA_BIT_MASK(32));
	if (ret) {
		misc_deregister(&ion_dev.misc);
		return ret;
	}
	/* /dev/ion may be open already: publish the device after its mask. */
	for (i = 0; i < ION_NR_HEAPS; i++)
		smp_store_release(&ion_dev.heaps[i].dev, dev);

	/* Optional: a missing debugfs only loses the statistics. */
	ion_dev.debugfs = debugfs_create_dir(KBUILD_MODNAME, NULL);
	debugfs_create_file("heaps", 0444, ion_dev.debugfs, &ion_dev,
			    &ion_heaps_fops);

	pr_info("/dev/ion with the %s ABI; heaps system id %u, system-contig id %u, dma id %u (budget %lu bytes, 0: none)\n",
		ion_abi_names[abi], heap_ids[0], heap_ids[1], heap_ids[2], dma_budget);
	return 0;
}

static void __exit ion_exit(void)
{
	int i;

	debugfs_remove_recursive(ion_dev.debugfs);
	misc_deregister(&ion_dev.misc);
	/*
	 * Open clients and dma-bufs pin the module, so every buffer must be
	 * gone by now; one that is not was leaked.
	 */
	for (i = 0; i < ION_NR_HEAPS; i++) {
		struct ion_heap *heap = &ion_dev.heaps[i];

		WARN(atomic_long_read(&heap->nr_buffers), "%s heap: %ld buffers leaked\n",
		     heap->name, atomic_long_read(&heap->nr_buffers));
		WARN(atomic_long_read(&heap->nr_bytes), "%s heap: %ld bytes still counted\n",
		     heap->name, atomic_long_read(&heap->nr_bytes));
	}
}

module_init(ion_init);
module_exit(ion_exit);

MODULE_DESCRIPTION("Android ION uapi (legacy and fd-based) on plain pages: test infrastructure for liballoc");
MODULE_LICENSE("GPL");
/* The namespace became a string literal in 6.13. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 13, 0)
MODULE_IMPORT_NS("DMA_BUF");
#else
MODULE_IMPORT_NS(DMA_BUF);
#endif
