// SPDX-License-Identifier: GPL-2.0
/*
 * Memory hotplug around kexec (seed 003).
 *
 * Offlining a memory block is refused, with the block and the reason in
 * the log, while it holds KHO scratch, preserved memory (outgoing, or
 * incoming and not yet restored), or a destination of the loaded kexec
 * image: relocating a kexec image onto memory that is gone hangs the old
 * kernel, and preserved memory must still be there for the next one.
 *
 * Every online or offline bumps a layout generation.  A normal kexec image
 * loaded under an older generation is refused at kexec -e with -ESTALE:
 * the memory map it was built for is gone.  Crash images are left to the
 * crash-hotplug update that already rewrites their elfcorehdr.
 */
#define pr_fmt(fmt) "kho: " fmt

#include <linux/init.h>
#include <linux/kexec.h>
#include <linux/kho_hooks.h>
#include <linux/memory.h>
#include <linux/mm.h>

#include "kernel/kexec_internal.h"
#include "incoming.h"
#include "kexec.h"
#include "record.h"
#include "scratch.h"

static atomic_t kho_layout_gen = ATOMIC_INIT(0);

/* Bumped by every memory online or offline: kexec.c compares it at kexec -e. */
int kho_layout_generation(void)
{
	return atomic_read(&kho_layout_gen);
}

#ifdef CONFIG_MEMORY_HOTPLUG
static bool kho_kexec_destination(unsigned long start_pfn, unsigned long nr_pages)
{
	phys_addr_t start = PFN_PHYS(start_pfn), end = PFN_PHYS(start_pfn + nr_pages);
	struct kimage *image = kexec_image;

	if (!image)
		return false;
	for (unsigned long i = 0; i < image->nr_segments; i++) {
		phys_addr_t mem = image->segment[i].mem;

		if (mem < end && start < mem + image->segment[i].memsz)
			return true;
	}
	return false;
}

/* offline_pages(), before isolation: say why, rather than "failure to isolate". */
int kho_offline_check(unsigned long start_pfn, unsigned long nr_pages, char **reason)
{
	unsigned long block = PFN_PHYS(start_pfn) / memory_block_size_bytes();
	const char *why = NULL;

	if (kho_in_scratch(PFN_PHYS(start_pfn), PFN_PHYS(nr_pages)))
		why = "it holds KHO scratch";
	else if (kho_out_preserves(start_pfn, nr_pages))
		why = "it holds memory preserved for the next kernel";
	else if (kho_in_preserves(start_pfn, nr_pages))
		why = "it holds memory the previous kernel handed over, not yet restored";
	else if (!kexec_trylock())
		why = "a kexec image is being loaded";
	else {
		if (kho_kexec_destination(start_pfn, nr_pages))
			why = "the loaded kexec image is placed there";
		kexec_unlock();
	}
	if (!why)
		return 0;
	pr_warn("offline of memory%lu refused: %s\n", block, why);
	*reason = "KHO or kexec needs it";
	return -EBUSY;
}

static int kho_memory_callback(struct notifier_block *nb, unsigned long action, void *arg)
{
	if (action == MEM_ONLINE || action == MEM_OFFLINE)
		atomic_inc(&kho_layout_gen);
	return NOTIFY_OK;
}

static int __init kho_hotplug_init(void)
{
	hotplug_memory_notifier(kho_memory_callback, DEFAULT_CALLBACK_PRI);
	return 0;
}
subsys_initcall(kho_hotplug_init);
#endif /* CONFIG_MEMORY_HOTPLUG */
