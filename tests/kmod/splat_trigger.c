// SPDX-License-Identifier: GPL-2.0
/*
 * Test-only module: provokes a kernel warning on load so that the tests can
 * check that scripts/vm-run fails a run whose kernel log shows a splat.
 * Loading fails afterwards, so nothing stays behind.
 */
#include <linux/bug.h>
#include <linux/module.h>

static int __init splat_trigger_init(void)
{
	WARN(1, "splat_trigger: deliberate warning\n");
	return -EAGAIN;
}
module_init(splat_trigger_init);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Provokes a kernel warning, for testing the splat detector");
