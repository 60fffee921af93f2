// SPDX-License-Identifier: GPL-2.0
/*
 * Test knobs (CONFIG_KEXEC_HANDOVER_TEST_KNOBS, never for production):
 * damage the outgoing handover on purpose, so the end-to-end tests can
 * prove the next kernel distrusts it.  Write to /sys/kernel/debug/kho/corrupt:
 *
 *   bad-range   before activation: record one page outside boot RAM,
 *               bypassing the checks preserve calls make
 *   memmap      while active: break the memory map's magic
 *   compatible  while active: make the root compatible "kho-v1"
 *
 * Refused under kexec lockdown.
 */
#define pr_fmt(fmt) "kho: " fmt

#include <linux/debugfs.h>
#include <linux/init.h>
#include <linux/security.h>
#include <linux/string.h>

#include "kho_internal.h"

static ssize_t corrupt_write(struct file *file, const char __user *ubuf, size_t count,
			     loff_t *ppos)
{
	char buf[16] = {};
	int err;

	err = security_locked_down(LOCKDOWN_KEXEC);
	if (err)
		return err;
	if (count >= sizeof(buf) || copy_from_user(buf, ubuf, count))
		return -EINVAL;
	if (IS_ENABLED(CONFIG_KEXEC_HANDOVER_FTRACE) && !strcmp(strim(buf), "ftrace-page"))
		err = kho_ftrace_test_corrupt_arm();
	else
		err = kho_test_corrupt(strim(buf));
	if (err)
		return err;
	pr_warn("test knob: handover corrupted on purpose (%s)\n", buf);
	return count;
}

static const struct file_operations corrupt_fops = {
	.write = corrupt_write,
};

static int __init kho_test_knobs_init(void)
{
	struct dentry *dir = debugfs_create_dir("kho", NULL);

	debugfs_create_file("corrupt", 0200, dir, NULL, &corrupt_fops);
	return 0;
}
late_initcall(kho_test_knobs_init);
