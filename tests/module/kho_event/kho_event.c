// SPDX-License-Identifier: GPL-2.0
/*
 * kho_event: a module with its own trace event, for the tests of decoding
 * records across a kexec when the new kernel has the module loaded at a
 * different time, or not at all.  Writing N to the "emit" parameter
 * records kho_event_demo with seq 1..N and the "word" parameter, and a
 * trace_printk() line after each (its address lies in this module).
 */
#include <linux/kernel.h>
#include <linux/module.h>

#define CREATE_TRACE_POINTS
#include "kho_event_trace.h"

static char *word = "hello";
module_param(word, charp, 0444);
MODULE_PARM_DESC(word, "the string each event carries");

static int emit_set(const char *val, const struct kernel_param *kp)
{
	unsigned int n, i;
	int err = kstrtouint(val, 0, &n);

	if (err)
		return err;
	for (i = 1; i <= n; i++) {
		trace_kho_event_demo(i, word);
		trace_printk("kho_event printk %s %u\n", word, i);
	}
	return 0;
}

static const struct kernel_param_ops emit_ops = { .set = emit_set };
module_param_cb(emit, &emit_ops, NULL, 0200);
MODULE_PARM_DESC(emit, "write N to record N events");

MODULE_DESCRIPTION("A trace event for the KHO ftrace tests");
MODULE_LICENSE("GPL");
