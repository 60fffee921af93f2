// SPDX-License-Identifier: GPL-2.0
/*
 * libfdt for modules.  6.12 builds libfdt in but exports none of it, and
 * KHO users -- which may be modules -- write and read their own trees.
 */
#include <linux/export.h>
#include <linux/libfdt.h>

EXPORT_SYMBOL_GPL(fdt_create);
EXPORT_SYMBOL_GPL(fdt_finish_reservemap);
EXPORT_SYMBOL_GPL(fdt_begin_node);
EXPORT_SYMBOL_GPL(fdt_property);
EXPORT_SYMBOL_GPL(fdt_end_node);
EXPORT_SYMBOL_GPL(fdt_finish);
EXPORT_SYMBOL_GPL(fdt_check_header);
EXPORT_SYMBOL_GPL(fdt_getprop);
EXPORT_SYMBOL_GPL(fdt_subnode_offset);
EXPORT_SYMBOL_GPL(fdt_node_check_compatible);
EXPORT_SYMBOL_GPL(fdt_node_offset_by_compatible);
EXPORT_SYMBOL_GPL(fdt_first_subnode);
EXPORT_SYMBOL_GPL(fdt_next_subnode);
EXPORT_SYMBOL_GPL(fdt_get_name);
