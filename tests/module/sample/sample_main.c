// SPDX-License-Identifier: GPL-2.0
/*
 * kx_sample: proves an out-of-tree module can carry C++ built by the
 * Kbuild C++ rule, and loads and unloads cleanly.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/printk.h>

int kx_sample_sum_of_shapes(void);

static int __init kx_sample_init(void)
{
	int sum = kx_sample_sum_of_shapes();

	if (sum != 6 + 12) {
		pr_err("C++ computed %d, expected 18\n", sum);
		return -EINVAL;
	}
	pr_info("C++ virtual calls and templates work (sum %d)\n", sum);
	return 0;
}

static void __exit kx_sample_exit(void)
{
	pr_info("unloaded\n");
}

module_init(kx_sample_init);
module_exit(kx_sample_exit);
MODULE_DESCRIPTION("Out-of-tree C++ module sample for the KHO build");
MODULE_LICENSE("GPL");
