/* SPDX-License-Identifier: GPL-2.0 */
/*
 * C interface to the ftrace handover formats (format.hpp, ring_page.hpp).
 * Used by the C shim and the KUnit suite; includes nothing from the kernel.
 * Every int return is 0 or a negative errno.
 */
#ifndef KHO_FTRACE_FORMAT_H
#define KHO_FTRACE_FORMAT_H

#include "kx_env.h"

#ifdef __cplusplus
extern "C" {
#endif

struct kho_ftrace_events_builder;
struct kho_ftrace_module;
struct kho_ftrace_event_table;

/* --- Outgoing --- */

/**
 * kho_ftrace_events_builder_create() - start describing this kernel's events
 *
 * Return: the builder, or NULL when memory is short.
 */
struct kho_ftrace_events_builder *kho_ftrace_events_builder_create(void);
void kho_ftrace_events_builder_destroy(struct kho_ftrace_events_builder *b);
int kho_ftrace_events_add(struct kho_ftrace_events_builder *b, unsigned int type,
			  const char *system, const char *name);
/* A field of the event added last. */
int kho_ftrace_events_add_field(struct kho_ftrace_events_builder *b, const char *name,
				const char *type, unsigned int offset, unsigned int size,
				int is_signed);
/* Event @idx of the previous kernel's table, as kept here with @type. */
int kho_ftrace_events_add_copy(struct kho_ftrace_events_builder *b,
			       const struct kho_ftrace_event_table *t, long idx, unsigned int type);
kx_size_t kho_ftrace_events_size(const struct kho_ftrace_events_builder *b);
int kho_ftrace_events_encode(const struct kho_ftrace_events_builder *b, void *out,
			     kx_size_t size);

/* Sorted, strictly increasing page frame numbers, as the "pfns" property. */
kx_size_t kho_ftrace_pfns_size(const kx_u64 *pfns, kx_size_t nr);
int kho_ftrace_pfns_encode(const kx_u64 *pfns, kx_size_t nr, void *out, kx_size_t size);
/* Bytes of one CPU's kexec-time record for @nr_pages sub-buffers. */
kx_size_t kho_ftrace_cpu_record_size(unsigned int nr_pages);

/* --- Incoming: everything here is checked before it is believed --- */

int kho_ftrace_pfns_decode(const void *in, kx_size_t size, kx_u64 *pfns, kx_size_t nr,
			   kx_u64 limit);

struct kho_ftrace_cpu_view {
	unsigned int nr_valid;		/* entries of the order array filled */
	unsigned int reader_read;	/* consumed bytes of the first page */
	int first_is_reader;
	kx_u64 kexec_clock;
};
/*
 * Checks the record at @slot and fills @order (@nr_pages entries) with the
 * indices of the pages holding unread events, oldest first.  On error @why
 * names the problem.
 */
int kho_ftrace_cpu_record_check(const void *slot, kx_size_t size, unsigned int nr_pages,
				unsigned int *order, struct kho_ftrace_cpu_view *view,
				const char **why);

struct kho_ftrace_event_table *kho_ftrace_events_parse(const void *blob, kx_size_t size,
						       const char **why);
void kho_ftrace_events_free(struct kho_ftrace_event_table *t);
/* Index of the event recorded with @type, or -1. */
long kho_ftrace_events_find_type(const struct kho_ftrace_event_table *t, unsigned int type);
/* Index of the event @system:@name, or -1. */
long kho_ftrace_events_find_name(const struct kho_ftrace_event_table *t, const char *system,
				 const char *name);
unsigned int kho_ftrace_events_fingerprint(const struct kho_ftrace_event_table *t, long idx);
const char *kho_ftrace_events_name(const struct kho_ftrace_event_table *t, long idx,
				   const char **system);

typedef int (*kho_ftrace_address_name_t)(void *ctx, kx_u64 addr, char *buf, kx_size_t size);
/* "name: field=value ..." for a record of event @idx; returns its length. */
kx_size_t kho_ftrace_format_record(const struct kho_ftrace_event_table *t, long idx,
				   const void *record, kx_size_t len,
				   kho_ftrace_address_name_t name, void *ctx,
				   char *buf, kx_size_t size);

struct kho_ftrace_page_info {
	unsigned int events;		/* data events after the read offset */
	unsigned int bytes;		/* the commit */
	kx_u64 read_ts;			/* time stamp at the read offset */
};
int kho_ftrace_page_check(const void *subbuf, kx_size_t size, unsigned int read,
			  struct kho_ftrace_page_info *info, const char **why);
typedef unsigned int (*kho_ftrace_remap_t)(void *ctx, unsigned int old_type,
					   unsigned int payload_size);
/* For a page kho_ftrace_page_check() accepted: shift stamps, remap types. */
void kho_ftrace_page_rewrite(void *subbuf, kx_size_t size, kx_u64 shift,
			     kho_ftrace_remap_t remap, void *ctx);

/* --- The nodes and the positions block (node.cpp): no C code reads the tree --- */

struct kho_ftrace_cpu_node {
	unsigned int cpu;
	unsigned int nr_pages;		/* at least 1, at most pfns_size */
	unsigned int slot;		/* inside the positions block, past its head */
	const void *pfns;		/* the "pfns" property, not yet decoded */
	unsigned int pfns_size;
};

/**
 * kho_ftrace_cpu_node_check() - read an "ftrace,cpu-v1" node
 * @fdt: the tree, checked as a whole already
 * @node: the node's offset
 * @positions_size: size of the positions block the slot points into
 * @out: filled on success
 * @why: on error, a few words naming the problem
 *
 * Return: 0, or -EINVAL.
 */
int kho_ftrace_cpu_node_check(const void *fdt, int node, kx_u64 positions_size,
			      struct kho_ftrace_cpu_node *out, const char **why);

struct kho_ftrace_instance_node {
	const char *name;		/* "" for the global instance; no '/' */
	const char *clock;
	unsigned int subbuf_order;	/* at most 8 */
};

/**
 * kho_ftrace_instance_node_check() - read an "ftrace,instance-v1" node
 * @fdt: the tree, checked as a whole already
 * @node: the node's offset
 * @out: filled on success; its strings point into @fdt
 * @why: on error, a few words naming the problem
 *
 * Return: 0, or -EINVAL.
 */
int kho_ftrace_instance_node_check(const void *fdt, int node,
				   struct kho_ftrace_instance_node *out, const char **why);

struct kho_ftrace_positions_view {
	kx_u64 text;				/* the previous kernel's _text */
	const struct kho_ftrace_module *modules;	/* in the block */
	unsigned int nr_modules;
};

/**
 * kho_ftrace_positions_check() - read the head of the positions block
 * @block: the block
 * @size: its size, as the "positions" property gives it
 * @out: filled on success
 * @why: on error, a few words naming the problem
 *
 * Return: 0, or -EINVAL.
 */
int kho_ftrace_positions_check(const void *block, kx_size_t size,
			       struct kho_ftrace_positions_view *out, const char **why);

struct kho_ftrace_root_node {
	int node;			/* the "ftrace" node's offset */
	kx_u64 positions_phys;		/* the positions block, */
	kx_u64 positions_size;		/* as the "positions" property says */
	const void *events;		/* the "events" property, or NULL */
	unsigned int events_size;
	const void *build_id;		/* KHO_FTRACE_BUILD_ID_SIZE bytes, or NULL */
};

/**
 * kho_ftrace_root_node_find() - find and read the tree's "ftrace" node
 * @fdt: the tree, checked as a whole already
 * @out: filled on success; its pointers point into @fdt
 * @why: on -EINVAL, a few words naming the problem
 *
 * Return: 0; -ENOENT if there is no "ftrace" node; -EINVAL if it is not
 * KHO_FTRACE_COMPATIBLE or its "positions" property is malformed.
 */
int kho_ftrace_root_node_find(const void *fdt, struct kho_ftrace_root_node *out,
			      const char **why);

/**
 * kho_ftrace_next_node() - the next child of @parent that is @compatible
 * @fdt: the tree
 * @parent: the parent's offset
 * @prev: the child returned before, or -1 to start
 * @compatible: the compatible string to look for
 *
 * Return: the child's offset, or -1 past the last one (or on a broken tree).
 */
int kho_ftrace_next_node(const void *fdt, int parent, int prev, const char *compatible);

#define kho_ftrace_for_each_node(fdt, parent, compatible, node)			\
	for ((node) = kho_ftrace_next_node(fdt, parent, -1, compatible); (node) >= 0;	\
	     (node) = kho_ftrace_next_node(fdt, parent, node, compatible))

/**
 * kho_ftrace_node_name() - a node's name, for a log line
 * @fdt: the tree
 * @node: the node's offset
 *
 * Return: the name, or "?" if it cannot be read.
 */
const char *kho_ftrace_node_name(const void *fdt, int node);

#ifdef __cplusplus
}
#endif

#endif /* KHO_FTRACE_FORMAT_H */
