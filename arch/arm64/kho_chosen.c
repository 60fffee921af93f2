// SPDX-License-Identifier: GPL-2.0
/*
 * arm64 boot protocol glue: the handover descriptor travels in the next
 * kernel's device tree, as the property KHO_CHOSEN_PROPERTY of /chosen
 * (kho/abi/handover.h; Documentation/kho/format.rst).  The hooks sit in
 * drivers/of, which builds that tree (kexec.c) and reads it early (fdt.c).
 */
#define pr_fmt(fmt) "kho: " fmt

#include <linux/init.h>
#include <linux/kexec.h>
#include <linux/kho_hooks.h>
#include <linux/libfdt.h>

#include "../../kho/incoming.h"
#include "../../kho/kexec.h"
#include "../../kho/test_knobs.h"

/*
 * early_init_dt_scan_chosen(): before memblock allocates anything, so that
 * scratch-only allocation is on from the first allocation.
 */
void __init kho_of_scan_chosen(const void *fdt, int chosen)
{
	const void *desc;
	int len;

	desc = fdt_getprop(fdt, chosen, KHO_CHOSEN_PROPERTY, &len);
	if (desc)
		kho_in_populate(desc, len);
}

/*
 * of_kexec_alloc_and_setup_fdt(): the tree was copied from this kernel's,
 * so a handover this kernel was booted with is in it.  Drop it first: a
 * next kernel must never see stale ranges.
 */
int kho_of_add_chosen(const struct kimage *image, void *fdt, int chosen)
{
	struct kho_handover_desc desc;
	int err;

	err = fdt_delprop(fdt, chosen, KHO_CHOSEN_PROPERTY);
	if (err && err != -FDT_ERR_NOTFOUND)
		return -EINVAL;
	if (!kho_kexec_handover_desc(image, &desc))
		return 0;
	err = fdt_setprop(fdt, chosen, KHO_CHOSEN_PROPERTY, &desc,
			  sizeof(desc) - kho_test_damage_desc_len());
	return err ? -ENOSPC : 0;
}
