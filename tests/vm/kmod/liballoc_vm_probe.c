// SPDX-License-Identifier: MIT
/* The smallest out-of-tree module: proves that modules of the project build
 * against the test kernel's headers (tests/vm/fetch-kernel) and that vm-run
 * loads them with parameters. The token is read back from sysfs.
 * warn=1 and hold=1 give vm-run's kernel-log check (selftest kernel-log)
 * what it must catch: a WARN, and a module that cannot be unloaded. */
#include <linux/init.h>
#include <linux/module.h>

static int token;
module_param(token, int, 0444);
MODULE_PARM_DESC(token, "value the guest test reads back from sysfs");

static bool warn;
module_param(warn, bool, 0444);
MODULE_PARM_DESC(warn, "WARN() once at load");

static bool hold;
module_param(hold, bool, 0444);
MODULE_PARM_DESC(hold, "keep a reference on itself, as a leaked object would");

static int __init probe_init(void)
{
	pr_info("liballoc_vm_probe: loaded, token=%d\n", token);
	WARN(warn, "liballoc_vm_probe: warning asked for by the warn parameter\n");
	if (hold)
		__module_get(THIS_MODULE);
	return 0;
}

static void __exit probe_exit(void)
{
}

module_init(probe_init);
module_exit(probe_exit);
MODULE_LICENSE("Dual MIT/GPL");
MODULE_DESCRIPTION("liballoc test harness probe module");
