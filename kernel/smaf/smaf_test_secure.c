// SPDX-License-Identifier: GPL-2.0
/*
 * A test secure module for SMAF
 *
 * Policy: only the devices named in the "allow" parameter (device or
 * driver names, comma-separated) may attach to a secure buffer, and the
 * CPU may never map one (mmap, vmap and begin_cpu_access get -EPERM).
 * It keeps no real firewall: it only counts what it granted, so that a
 * context destroyed with access still granted shows up as a warning.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/err.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/slab.h>

#include "smaf-secure.h"

static char allow[256];
module_param_string(allow, allow, sizeof(allow), 0644);
MODULE_PARM_DESC(allow, "Comma-separated device or driver names allowed to attach to secure buffers");

struct smaf_test_ctx {
	atomic_t granted;
};

static atomic_t smaf_test_live_ctx = ATOMIC_INIT(0);

static void *smaf_test_create_ctx(void)
{
	struct smaf_test_ctx *ctx = kzalloc(sizeof(*ctx), GFP_KERNEL);

	if (!ctx)
		return ERR_PTR(-ENOMEM);
	atomic_inc(&smaf_test_live_ctx);
	return ctx;
}

static void smaf_test_destroy_ctx(void *data)
{
	struct smaf_test_ctx *ctx = data;

	WARN(atomic_read(&ctx->granted), "context destroyed with %d grants left\n",
	     atomic_read(&ctx->granted));
	atomic_dec(&smaf_test_live_ctx);
	kfree(ctx);
}

static int smaf_test_grant(void *data, struct device *dev, size_t addr,
			   size_t size, enum dma_data_direction dir)
{
	struct smaf_test_ctx *ctx = data;
	bool ok;

	kernel_param_lock(THIS_MODULE);
	ok = smaf_device_in_list(dev, allow);
	kernel_param_unlock(THIS_MODULE);
	if (!ok) {
		pr_info("%s may not access secure memory (allow=%s)\n",
			dev_name(dev), allow);
		return -EPERM;
	}
	atomic_inc(&ctx->granted);
	dev_dbg(dev, "granted %zu bytes at %zu\n", size, addr);
	return 0;
}

static void smaf_test_revoke(void *data, struct device *dev, size_t addr,
			     size_t size, enum dma_data_direction dir)
{
	struct smaf_test_ctx *ctx = data;

	atomic_dec(&ctx->granted);
	dev_dbg(dev, "revoked %zu bytes at %zu\n", size, addr);
}

static int smaf_test_allow_cpu(void *data, enum dma_data_direction dir)
{
	pr_info("CPU access to secure memory refused\n");
	return -EPERM;
}

static const struct smaf_secure smaf_test_secure = {
	.name = "smaf_test_secure",
	.owner = THIS_MODULE,
	.create_ctx = smaf_test_create_ctx,
	.destroy_ctx = smaf_test_destroy_ctx,
	.grant_access = smaf_test_grant,
	.revoke_access = smaf_test_revoke,
	.allow_cpu_access = smaf_test_allow_cpu,
};

static int __init smaf_test_secure_init(void)
{
	return smaf_register_secure(&smaf_test_secure);
}

static void __exit smaf_test_secure_exit(void)
{
	smaf_unregister_secure(&smaf_test_secure);
	WARN_ON(atomic_read(&smaf_test_live_ctx));
}

module_init(smaf_test_secure_init);
module_exit(smaf_test_secure_exit);

MODULE_DESCRIPTION("SMAF test secure module: device allow-list, no CPU access");
MODULE_LICENSE("GPL");
