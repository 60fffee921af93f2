/* SPDX-License-Identifier: GPL-2.0 */
/* The host build's stand-in for the kernel's <linux/stddef.h>. */
#ifndef KHO_HOST_SHIM_STDDEF_H
#define KHO_HOST_SHIM_STDDEF_H
#include <stddef.h>
#define sizeof_field(TYPE, MEMBER) sizeof((((TYPE *)0)->MEMBER))
#endif
