/* SPDX-License-Identifier: GPL-2.0 */
/*
 * In-kernel interface between SMAF and a secure module
 *
 * A secure module decides which devices may reach the memory of buffers
 * that userspace marked secure (SMAF_IOC_SET_SECURE_FLAG) and whether the
 * CPU may map them. One secure module can be registered at a time; SMAF
 * holds a reference on @owner for as long as any buffer uses a context of
 * it, so the module cannot be unloaded under a live secure buffer.
 */
#ifndef _SMAF_SECURE_H
#define _SMAF_SECURE_H

#include <linux/device.h>
#include <linux/dma-direction.h>
#include <linux/module.h>

/**
 * struct smaf_secure - hooks of a secure module
 * @name:	for logs
 * @owner:	THIS_MODULE
 * @create_ctx:	called when a buffer becomes secure; returns the per-buffer
 *		context or an ERR_PTR (the errno goes back to userspace)
 * @destroy_ctx: called when the buffer is released or stops being secure;
 *		every access granted has been revoked by then
 * @grant_access: called when @dev attaches to the buffer, before any memory
 *		may be allocated: @addr and @size are the byte range of the
 *		buffer the device gets (today always 0 and the whole size) and
 *		@dir is DMA_BIDIRECTIONAL. Return 0 to allow, a negative errno
 *		to refuse the attach (-EPERM is what userspace should see).
 * @revoke_access: called when a granted device detaches, same arguments
 * @allow_cpu_access: called before any CPU mapping (mmap, vmap,
 *		begin_cpu_access); 0 allows it, a negative errno refuses it.
 *		NULL refuses every CPU access with -EPERM.
 */
struct smaf_secure {
	const char *name;
	struct module *owner;
	void *(*create_ctx)(void);
	void (*destroy_ctx)(void *ctx);
	int (*grant_access)(void *ctx, struct device *dev, size_t addr,
			    size_t size, enum dma_data_direction dir);
	void (*revoke_access)(void *ctx, struct device *dev, size_t addr,
			      size_t size, enum dma_data_direction dir);
	int (*allow_cpu_access)(void *ctx, enum dma_data_direction dir);
};

/* -EBUSY if another secure module is registered, -EINVAL if a hook is missing. */
int smaf_register_secure(const struct smaf_secure *s);
/* Only from the module's exit path (no buffer can hold a context then). */
void smaf_unregister_secure(const struct smaf_secure *s);

/*
 * True if @dev is named in @list: entries separated by commas or white
 * space (a trailing newline from sysfs is fine), each compared
 * with the device name (dev_name(), e.g. "vivid.0") and with the name of
 * the driver bound to it (e.g. "vivid"). A NULL or empty list matches
 * nothing.
 */
bool smaf_device_in_list(struct device *dev, const char *list);

#endif /* _SMAF_SECURE_H */
