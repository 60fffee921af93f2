/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Live Update's sessions, as the next kernel finds them.
 *
 * The handover tree has a node "liveupdate" (compatible "liveupdate-v1")
 * whose property "table" is a struct kho_vmalloc: a preserved vmalloc area
 * holding a struct luo_table, then nr_sessions struct luo_session_record,
 * then nr_files struct luo_file_record.  A session's files are the
 * nr_files records from first_file; sessions take the file records in
 * order, without gaps.  Names and compatible strings are NUL-terminated
 * within their arrays, and zero after the NUL.
 *
 * A file record's data is its handler's: for "memfd-v1", the physical
 * address of a preserved page holding a struct luo_memfd, whose folios
 * (a preserved vmalloc area) list the file's folios, one struct
 * luo_memfd_folio each, in increasing index order.  What is not listed is
 * a hole.
 *
 * All integers native-endian: both kernels run on the same machine.
 * Plain C types only: the C++ reader and writer include this.
 * See Documentation/liveupdate/format.rst.
 */
#ifndef KHO_ABI_LIVEUPDATE_H
#define KHO_ABI_LIVEUPDATE_H

#include <kho/abi/vmalloc.h>

#define LUO_NODE_NAME		"liveupdate"
#define LUO_COMPATIBLE		"liveupdate-v1"
#define LUO_TABLE_PROP		"table"

#define LUO_TABLE_MAGIC		0x544f554cu	/* "LUOT" */
#define LUO_TABLE_FORMAT	1

#define LUO_NAME_BYTES		64	/* LIVEUPDATE_SESSION_NAME_LENGTH */
#define LUO_COMPATIBLE_BYTES	48

struct luo_table {
	unsigned int magic;
	unsigned int format;
	unsigned int nr_sessions;
	unsigned int nr_files;
	unsigned long long reserved;	/* zero */
};

struct luo_session_record {
	char name[LUO_NAME_BYTES];
	unsigned int first_file;
	unsigned int nr_files;
};

struct luo_file_record {
	unsigned long long token;
	char compatible[LUO_COMPATIBLE_BYTES];
	unsigned long long data;
};

/* The memfd handler's file: struct luo_memfd at data. */
#define LUO_MEMFD_COMPATIBLE	"memfd-v1"
#define LUO_MEMFD_MAGIC		0x4d4f554cu	/* "LUOM" */
#define LUO_MEMFD_FORMAT	1

struct luo_memfd {
	unsigned int magic;
	unsigned int format;
	unsigned long long size;	/* i_size, bytes */
	unsigned long long pos;		/* the file position */
	unsigned int seals;		/* F_SEAL_* the program had set */
	unsigned int page_shift;	/* of the kernel that wrote it */
	unsigned long long nr_folios;
	struct kho_vmalloc folios;	/* nr_folios struct luo_memfd_folio */
};

#define LUO_MEMFD_FOLIO_DIRTY		0x1
#define LUO_MEMFD_FOLIO_UPTODATE	0x2

struct luo_memfd_folio {
	unsigned long long phys;	/* of the folio, preserved */
	unsigned long long index;	/* in the file, in pages */
	unsigned int order;
	unsigned int flags;		/* LUO_MEMFD_FOLIO_* */
};

#endif /* KHO_ABI_LIVEUPDATE_H */
