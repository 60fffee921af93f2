/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The few libfdt calls the C++ core makes, declared here because the core
 * includes no kernel header.  The kernel links its own libfdt (lib/fdt*.c),
 * the host build the same sources; the signatures are libfdt's own.
 */
#ifndef KHO_LIBFDT_API_H
#define KHO_LIBFDT_API_H

#ifdef __cplusplus
extern "C" {
#endif

int fdt_check_header(const void *fdt);
const void *fdt_getprop(const void *fdt, int nodeoffset, const char *name, int *lenp);
int fdt_subnode_offset(const void *fdt, int parentoffset, const char *name);
int fdt_first_subnode(const void *fdt, int offset);
int fdt_next_subnode(const void *fdt, int offset);
const char *fdt_get_name(const void *fdt, int nodeoffset, int *lenp);
/* Sequential write. */
int fdt_create(void *buf, int bufsize);
int fdt_finish_reservemap(void *fdt);
int fdt_begin_node(void *fdt, const char *name);
int fdt_end_node(void *fdt);
int fdt_property(void *fdt, const char *name, const void *val, int len);
int fdt_property_placeholder(void *fdt, const char *name, int len, void **valp);
int fdt_finish(void *fdt);
int fdt_open_into(const void *fdt, void *buf, int bufsize);
int fdt_setprop(void *fdt, int nodeoffset, const char *name, const void *val, int len);
int fdt_pack(void *fdt);

#ifdef __cplusplus
}
#endif

#endif /* KHO_LIBFDT_API_H */
