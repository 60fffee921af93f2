// SPDX-License-Identifier: GPL-2.0
/*
 * x86 boot protocol glue: the handover descriptor travels in one
 * setup_data entry of type KHO_SETUP_DATA_TYPE (kho/abi/handover.h) in the
 * boot parameters segment of a kexec_file_load() image.
 */
#define pr_fmt(fmt) "kho: " fmt

#include <linux/init.h>
#include <linux/io.h>
#include <linux/kexec.h>
#include <linux/kho_hooks.h>
#include <linux/string.h>
#include <asm/bootparam.h>
#include <asm/early_ioremap.h>
#include <asm/setup_data.h>

#include "../../kho/incoming.h"
#include "../../kho/kexec.h"
#include "../../kho/test_knobs.h"

/* parse_setup_data(): an entry of a type it does not know, @data_len with its header. */
void __init kho_x86_parse_setup_data(u32 type, u64 pa_data, u32 data_len)
{
	u32 len = data_len - sizeof(struct setup_data);
	struct setup_data *sd = NULL;

	if (type != KHO_SETUP_DATA_TYPE)
		return;
	/* Anything but the one expected length is refused unread. */
	if (len == sizeof(struct kho_handover_desc)) {
		sd = early_memremap(pa_data, data_len);
		if (!sd)
			return;
	}
	kho_in_populate(sd ? sd->data : NULL, len);
	if (sd)
		early_memunmap(sd, data_len);
}

/* bzImage64_load(): room for the entry in the boot parameters segment. */
unsigned long kho_x86_setup_data_size(struct kimage *image)
{
	return sizeof(struct setup_data) + sizeof(struct kho_handover_desc);
}

/* setup_boot_parameters(): write the entry if @image carries the handover. */
unsigned long kho_x86_add_setup_data(struct kimage *image, struct boot_params *params,
				     unsigned long params_load_addr,
				     unsigned long setup_data_offset)
{
	struct setup_data *sd = (void *)params + setup_data_offset;
	struct kho_handover_desc desc;

	/* The ABI (include/kho/abi/handover.h; kho/descriptor.hpp checks it too). */
	BUILD_BUG_ON(sizeof(desc) != 16 + 2 * 16 + KHO_MAX_SCRATCH * 16);
	if (!kho_kexec_handover_desc(image, &desc))
		return 0;
	sd->type = KHO_SETUP_DATA_TYPE;
	sd->len = sizeof(desc) - kho_test_damage_desc_len();
	memcpy(sd->data, &desc, sizeof(desc));
	sd->next = params->hdr.setup_data;
	params->hdr.setup_data = params_load_addr + setup_data_offset;
	return sizeof(*sd) + sizeof(desc);
}
