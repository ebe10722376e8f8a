// SPDX-License-Identifier: MIT
/* The smallest out-of-tree module: proves that modules of the project build
 * against the test kernel's headers (tests/vm/fetch-kernel) and that vm-run
 * loads them with parameters. The token is read back from sysfs. */
#include <linux/init.h>
#include <linux/module.h>

static int token;
module_param(token, int, 0444);
MODULE_PARM_DESC(token, "value the guest test reads back from sysfs");

static int __init probe_init(void)
{
	pr_info("liballoc_vm_probe: loaded, token=%d\n", token);
	return 0;
}

static void __exit probe_exit(void)
{
}

module_init(probe_init);
module_exit(probe_exit);
MODULE_LICENSE("Dual MIT/GPL");
MODULE_DESCRIPTION("liballoc test harness probe module");
