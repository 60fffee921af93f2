/* SPDX-License-Identifier: GPL-2.0 */
/*
 * C interface to the ftrace handover formats: the node and the positions
 * block (node.cpp), the page list, the kexec-time records and the event
 * table (format.cpp), one sub-buffer (ring_page.cpp).  Each format's writer
 * and reader are one C++ unit.  Includes nothing from the kernel; every int
 * return is 0 or a negative errno, and on a refusal @why names the problem.
 */
#ifndef KHO_FTRACE_FORMAT_H
#define KHO_FTRACE_FORMAT_H

#include "kx_env.h"
#include <kho/abi/ftrace.h>

#ifdef __cplusplus
extern "C" {
#endif

struct kho_ftrace_events_builder;
struct kho_ftrace_event_table;
struct trace_array;
struct trace_buffer;
struct ring_buffer_iter;

/* --- Outgoing: what this kernel hands over --- */

struct kho_ftrace_cpu_out {
	struct trace_buffer *buffer;
	unsigned int cpu;
	unsigned int nr_pages;		/* sub-buffers, the reader page included */
	kx_u64 *pfns;			/* sorted */
	kx_u64 *unread;			/* at kexec time: pfns holding unread events, oldest first */
	unsigned int nr_unread;
	unsigned int slot;		/* of its record in the positions block */
	struct ring_buffer_iter *pin;	/* held from DUMP to ABORT: no resize */
};

struct kho_ftrace_instance_out {
	struct trace_array *tr;		/* holds a reference */
	const char *name;		/* "" for the global instance */
	const char *clock;
	unsigned int subbuf_order;
	unsigned int nr_cpus;		/* its CPUs follow the previous instance's */
};

struct kho_ftrace_out {
	struct kho_ftrace_instance_out *instances;
	unsigned int nr_instances;
	struct kho_ftrace_cpu_out *cpus;
	unsigned int nr_cpus;
	const void *events;		/* the event table */
	kx_size_t events_size;
	unsigned char build_id[KHO_FTRACE_BUILD_ID_SIZE];
	kx_u64 positions_phys;
	kx_size_t positions_size;
	unsigned int modules_at;	/* byte offset of the module table in the block */
	unsigned int modules_max;
};

/*
 * Lays out the positions block for @out's CPUs and @nr_modules loaded
 * modules (and a few more until the kexec): sets every slot, modules_at,
 * modules_max and positions_size.
 */
void kho_ftrace_positions_layout(struct kho_ftrace_out *out, unsigned int nr_modules);
/* Writes the head of a zeroed positions block of @out's layout. */
void kho_ftrace_positions_init(void *block, const struct kho_ftrace_out *out);
/* At kexec time, once the records and modules are in: marks the block written. */
void kho_ftrace_positions_seal(void *block, kx_u64 text, unsigned int nr_modules);
/* Adds the "ftrace" node to @fdt, a tree in libfdt's sequential-write mode. */
int kho_ftrace_node_write(void *fdt, const struct kho_ftrace_out *out);
/*
 * At kexec time: @o's record at its slot, listing @o->unread as indices
 * into @o->pfns.  A page not among them leaves an empty record: -ERANGE.
 */
int kho_ftrace_record_write(void *block, const struct kho_ftrace_cpu_out *o, kx_u64 kexec_clock,
			    unsigned int reader_read, int first_is_reader);

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
/* The encoded table, kx_alloc()ed (kx_free() it), or NULL when memory is short. */
void *kho_ftrace_events_encode(const struct kho_ftrace_events_builder *b, kx_size_t *size);
/* The builder's events as a table, as the next kernel would parse them. */
struct kho_ftrace_event_table *kho_ftrace_events_table(const struct kho_ftrace_events_builder *b);

/* --- Incoming: everything here is checked before it is believed --- */

struct kho_ftrace_root_node {
	int node;			/* the "ftrace" node's offset */
	kx_u64 positions_phys;		/* the positions block, */
	kx_u64 positions_size;		/* as the "positions" property says */
	const void *events;		/* the "events" property, or NULL */
	unsigned int events_size;
	const void *build_id;		/* KHO_FTRACE_BUILD_ID_SIZE bytes, or NULL */
};

/*
 * The tree's "ftrace" node; its pointers point into @fdt (checked as a
 * whole already).  -ENOENT if there is none, -EINVAL if it is not
 * KHO_FTRACE_COMPATIBLE or its "positions" property is malformed.
 */
int kho_ftrace_root_node_find(const void *fdt, struct kho_ftrace_root_node *out,
			      const char **why);

struct kho_ftrace_instance_node {
	const char *name;		/* "" for the global instance; no '/' */
	const char *clock;
	unsigned int subbuf_order;	/* at most 8 */
};

/* An "ftrace,instance-v1" node; its strings point into @fdt.  0 or -EINVAL. */
int kho_ftrace_instance_node_check(const void *fdt, int node,
				   struct kho_ftrace_instance_node *out, const char **why);

struct kho_ftrace_cpu_node {
	unsigned int cpu;
	unsigned int nr_pages;		/* at least 1, at most pfns_size */
	unsigned int slot;		/* inside the positions block, past its head */
	const void *pfns;		/* the "pfns" property, not yet decoded */
	unsigned int pfns_size;
};

/* An "ftrace,cpu-v1" node, its slot inside @positions_size.  0 or -EINVAL. */
int kho_ftrace_cpu_node_check(const void *fdt, int node, kx_u64 positions_size,
			      struct kho_ftrace_cpu_node *out, const char **why);

/* One CPU's kexec-time record, checked against its node. */
struct kho_ftrace_cpu_view {
	unsigned int nr_valid;		/* entries of the order array filled */
	unsigned int reader_read;	/* consumed bytes of the first page */
	int first_is_reader;
	kx_u64 kexec_clock;
};

/* A CPU node, its page list and its record, read together. */
struct kho_ftrace_cpu_in {
	struct kho_ftrace_cpu_node node;
	struct kho_ftrace_cpu_view view;
	kx_u64 *pfns;			/* node.nr_pages, strictly increasing */
	unsigned int *order;		/* view.nr_valid indices into pfns, oldest first */
};

/*
 * Reads the CPU node @node with its record in the positions block: every
 * page below @max_pfn, each listed at most once.  On success free @out
 * with kho_ftrace_cpu_in_free().  0, -EINVAL, or -ENOMEM.
 */
int kho_ftrace_cpu_read(const void *fdt, int node, const void *positions,
			kx_size_t positions_size, kx_u64 max_pfn, struct kho_ftrace_cpu_in *out,
			const char **why);
void kho_ftrace_cpu_in_free(struct kho_ftrace_cpu_in *in);

struct kho_ftrace_positions_view {
	kx_u64 text;				/* the previous kernel's _text */
	const struct kho_ftrace_module *modules;	/* in the block */
	unsigned int nr_modules;
};

/* The head of the positions block, of @size as the "positions" property says. */
int kho_ftrace_positions_check(const void *block, kx_size_t size,
			       struct kho_ftrace_positions_view *out, const char **why);

/* The next child of @parent that is @compatible after @prev (-1: the first), or -1. */
int kho_ftrace_next_node(const void *fdt, int parent, int prev, const char *compatible);

#define kho_ftrace_for_each_node(fdt, parent, compatible, node)			\
	for ((node) = kho_ftrace_next_node(fdt, parent, -1, compatible); (node) >= 0;	\
	     (node) = kho_ftrace_next_node(fdt, parent, node, compatible))

/* A node's name for a log line, or "?". */
const char *kho_ftrace_node_name(const void *fdt, int node);

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
/* Whether event @idx was kept from an earlier kernel (its addresses are not its). */
int kho_ftrace_events_carried(const struct kho_ftrace_event_table *t, long idx);
/*
 * Whether @record (@size bytes) is sound for event @idx's own output
 * function: every field inside it, every char array and string terminated
 * inside its field, every dynamic location inside the record.
 */
int kho_ftrace_events_record_sound(const struct kho_ftrace_event_table *t, long idx,
				   const void *record, kx_size_t size);

/* A field of a previous kernel's event, its strings in the table. */
struct kho_ftrace_field_view {
	const char *name;
	const char *type;
	unsigned int offset;
	unsigned int size;
	int is_signed;
};

unsigned int kho_ftrace_events_nr_fields(const struct kho_ftrace_event_table *t, long idx);
/* Field @i of event @idx, in record order. */
void kho_ftrace_events_field(const struct kho_ftrace_event_table *t, long idx, unsigned int i,
			     struct kho_ftrace_field_view *out);
/*
 * The print format of a format file for event @idx, as trace-cmd reads
 * it, into @buf: its length, or -EINVAL (and @why) if the event's names
 * and types cannot stand in tracefs or the format does not fit.
 */
long kho_ftrace_events_print_format(const struct kho_ftrace_event_table *t, long idx, char *buf,
				    kx_size_t size, const char **why);

/* How addresses in the previous kernel's records are named. */
struct kho_ftrace_names {
	kx_u64 old_text;		/* the previous kernel's _text, */
	kx_u64 text, text_size;		/* this kernel's */
	int same_build;			/* then an old kernel address is a symbol here */
	const struct kho_ftrace_module *modules;
	unsigned int nr_modules;
	/* Writes the symbol at this kernel's @addr into @buf. */
	void (*symbol)(kx_u64 addr, char *buf, kx_size_t size);
};

/*
 * The same place in this kernel's text as @addr in the previous kernel's:
 * 1 and *@moved if @n is the same build and @addr in its text, else 0.
 */
int kho_ftrace_move_text_address(const struct kho_ftrace_names *n, kx_u64 addr, kx_u64 *moved);

/*
 * "name: field=value ..." for a record of event @idx, addresses named by
 * @names (NULL: as hex); returns its length.
 */
kx_size_t kho_ftrace_format_record(const struct kho_ftrace_event_table *t, long idx,
				   const void *record, kx_size_t len,
				   const struct kho_ftrace_names *names, char *buf, kx_size_t size);

/*
 * A time stamp from before the kexec (negative), as the trace file prints
 * time: " -S.UUUUUU" in nanoseconds, else the raw count.  0 (and nothing
 * written) if @ts is not negative, else its length.
 */
kx_size_t kho_ftrace_format_time(kx_u64 ts, int in_ns, char *buf, kx_size_t size);

struct kho_ftrace_page_info {
	unsigned int events;		/* data events after the read offset */
	unsigned int bytes;		/* the commit, flags masked */
	kx_u64 read_ts;			/* time stamp at the read offset */
	kx_u64 last_ts;			/* time stamp after the last event */
	int missed_events;		/* events were lost before this page */
};
int kho_ftrace_page_check(const void *subbuf, kx_size_t size, unsigned int read,
			  struct kho_ftrace_page_info *info, const char **why);
/* The type to store for a record of @old_type; may adapt @payload in place. */
typedef unsigned int (*kho_ftrace_remap_t)(void *ctx, unsigned int old_type, void *payload,
					   unsigned int payload_size);
/* For a page kho_ftrace_page_check() accepted: shift stamps, remap types. */
void kho_ftrace_page_rewrite(void *subbuf, kx_size_t size, kx_u64 shift,
			     kho_ftrace_remap_t remap, void *ctx);

#ifdef __cplusplus
}
#endif

#endif /* KHO_FTRACE_FORMAT_H */
