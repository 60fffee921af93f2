/* SPDX-License-Identifier: GPL-2.0 */
/*
 * KHO for Linux 6.12: the ftrace node, how trace buffers cross a kexec.
 *
 * Only ring-buffer data pages (sub-buffers) cross, preserved in place; their
 * on-page format (page header, then event headers, include/linux/ring_buffer.h)
 * is part of this contract.  Everything else is rebuilt by the next kernel.
 *
 *   ftrace {
 *	compatible = "ftrace-v2";
 *	events = [struct kho_ftrace_events ...];    every event's format
 *	build-id = [20 bytes];			    the running kernel's
 *	positions = <u64 phys, u64 size>;  preserved, written at kexec time
 *	i<N> {			one per trace instance, i0 is the global one
 *		compatible = "ftrace,instance-v1";
 *		name = "<instance name>";  ("" for the global instance)
 *		clock = "<trace_clock name>";
 *		subbuf-order = <u32>;
 *		cpu<M> {
 *			compatible = "ftrace,cpu-v1";
 *			cpu = <u32>;
 *			pfns = [sorted page frame numbers, see below];
 *			nr-pages = <u32>;     sub-buffers including the reader page
 *			slot = <u32>;         byte offset of its record in positions
 *		};
 *	};
 *   };
 *
 * pfns: the first sub-buffer's page frame number, then each next one as
 * the (positive) difference to the previous, all as LEB128 varints.
 *
 * The ring order is only known at kexec time: then each CPU's record in
 * the preserved positions block lists the sub-buffers that hold unread
 * events, oldest first, as indices into its pfns list.  The positions
 * block also carries, written at kexec time, where the kernel's and the
 * modules' text was, to name addresses in records: never the tree, which
 * holds no kernel virtual address.
 * Documentation/kho/format.rst has the full schema.
 */
#ifndef KHO_ABI_FTRACE_H
#define KHO_ABI_FTRACE_H

#define KHO_FTRACE_COMPATIBLE		"ftrace-v2"
#define KHO_FTRACE_INSTANCE_COMPATIBLE	"ftrace,instance-v1"
#define KHO_FTRACE_CPU_COMPATIBLE	"ftrace,cpu-v1"

#define KHO_FTRACE_POSITIONS_MAGIC	0x46545250	/* "PRTF" */
#define KHO_FTRACE_CPU_MAGIC		0x46545243	/* "CRTF" */
#define KHO_FTRACE_EVENTS_MAGIC		0x46545645	/* "EVTF" */
#define KHO_FTRACE_EVENTS_VERSION	1
#define KHO_FTRACE_BUILD_ID_SIZE	20
#define KHO_FTRACE_MODULE_NAME_LEN	56
/* A sub-buffer starts with a u64 time stamp and a 64-bit commit. */
#define KHO_FTRACE_PAGE_HEADER_SIZE	16

/*
 * Head of the positions block: the CPU records follow at their nodes'
 * slots, then room for @modules_max module entries at @modules_at.
 * Everything but the magic and the layout is written at kexec time,
 * @written last.
 */
struct kho_ftrace_positions {
	unsigned int magic;		/* KHO_FTRACE_POSITIONS_MAGIC */
	unsigned int written;		/* 1 once the kexec-time walk is done */
	unsigned long long text;	/* the kernel's _text */
	unsigned int modules_at;	/* byte offset of struct kho_ftrace_module[] */
	unsigned int modules_max;
	unsigned int nr_modules;	/* loaded at kexec time, at most modules_max */
	unsigned int reserved;		/* zero */
};

/* One CPU's record in the positions block, at its node's slot. */
struct kho_ftrace_cpu_record {
	unsigned int magic;		/* KHO_FTRACE_CPU_MAGIC */
	unsigned int nr_pages;		/* equals the node's nr-pages */
	unsigned int nr_valid;		/* indices that follow */
	unsigned int index_size;	/* 2 if nr_pages < 65536, else 4 */
	unsigned int reader_read;	/* bytes of the first page already read */
	unsigned int flags;		/* KHO_FTRACE_FIRST_IS_READER */
	unsigned long long kexec_clock;	/* the buffer's clock at kexec time */
	/* then nr_valid indices of index_size bytes, oldest page first */
};
#define KHO_FTRACE_FIRST_IS_READER	1

/*
 * The event table: a header, the events, their fields, then the strings
 * (NUL-terminated) the name and type offsets point into.
 */
struct kho_ftrace_events {
	unsigned int magic;		/* KHO_FTRACE_EVENTS_MAGIC */
	unsigned int version;		/* KHO_FTRACE_EVENTS_VERSION */
	unsigned int nr_events;
	unsigned int nr_fields;
	unsigned int strings_size;
	unsigned int reserved;		/* zero */
};

struct kho_ftrace_event_desc {
	unsigned int type;		/* the id in trace_entry.type */
	unsigned int first_field;	/* index into the fields */
	unsigned int nr_fields;
	unsigned int system;		/* string offset */
	unsigned int name;		/* string offset */
	unsigned int flags;		/* KHO_FTRACE_EVENT_* */
};
/*
 * Records of this type were kept from an earlier kernel: their addresses
 * are not the writing kernel's, so they are never turned into symbols.
 */
#define KHO_FTRACE_EVENT_CARRIED	1

struct kho_ftrace_field_desc {
	unsigned int name;		/* string offset */
	unsigned int type;		/* string offset: the C type, as in format files */
	unsigned int offset;		/* in the record */
	unsigned int size;
	unsigned int is_signed;
};

struct kho_ftrace_module {
	unsigned long long base;	/* core text */
	unsigned long long size;
	char name[KHO_FTRACE_MODULE_NAME_LEN];
};

#ifdef __cplusplus
#define KHO_FTRACE_ASSERT static_assert
#else
#define KHO_FTRACE_ASSERT _Static_assert
#endif
KHO_FTRACE_ASSERT(sizeof(struct kho_ftrace_positions) == 32, "ABI");
KHO_FTRACE_ASSERT(sizeof(struct kho_ftrace_cpu_record) == 32, "ABI");
KHO_FTRACE_ASSERT(sizeof(struct kho_ftrace_events) == 24, "ABI");
KHO_FTRACE_ASSERT(sizeof(struct kho_ftrace_event_desc) == 24, "ABI");
KHO_FTRACE_ASSERT(sizeof(struct kho_ftrace_field_desc) == 20, "ABI");
KHO_FTRACE_ASSERT(sizeof(struct kho_ftrace_module) == 72, "ABI");
#undef KHO_FTRACE_ASSERT

#endif /* KHO_ABI_FTRACE_H */
