/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Objects and descriptions for the kstate host tests, written in C with the
 * real KSTATE_*() macros (kstate_descs.c), as a subsystem would.
 */
#ifndef KSTATE_HOST_DESCS_H
#define KSTATE_HOST_DESCS_H

#include <kstate/description.h>

#ifdef __cplusplus
extern "C" {
#endif

struct folio;
struct page;

struct ks_inner {
	unsigned int a;
	unsigned long long b;
};

struct ks_blob {
	unsigned char bytes[24];
};

/* Every field kind; @extra is carried from version 2. */
struct ks_sample {
	unsigned int id;
	unsigned long long words[4];
	struct ks_inner inner;
	struct ks_blob *blob;
	unsigned int nr_items;
	unsigned int items[8];
	struct ks_inner *ptrs[3];
	unsigned int nr_notes;
	char notes[32];
	struct folio *folio;
	const void *addr;
	unsigned int extra;
	int sub_on;
	unsigned int sub_value;
	unsigned int nr_inners;
	struct ks_inner inners[3];
};

extern const struct kstate_description ks_sample_v1;		/* version 1 */
extern const struct kstate_description ks_sample_v2;		/* 2, reads 1 */
extern const struct kstate_description ks_sample_v2_only;	/* 2, reads only 2 */
extern const struct kstate_description ks_sample_no_subs;	/* 1, knows no subsection */
extern const struct kstate_description ks_sample_post_load_fails;	/* 1, post_load -EIO */

/* Same name, one field's size differs, both version 1. */
struct ks_pair32 {
	unsigned int x;
	unsigned int y;
};
struct ks_pair64 {
	unsigned long long x;
	unsigned int y;
};
extern const struct kstate_description ks_pair32_desc;
extern const struct kstate_description ks_pair64_desc;

/* Version 1 has @gone; version 2 dropped it. */
struct ks_old {
	unsigned int a;
	unsigned int gone;
	unsigned int c;
};
struct ks_new {
	unsigned int a;
	unsigned int c;
};
extern const struct kstate_description ks_old_desc;
extern const struct kstate_description ks_new_desc;

/* Memory by reference of every kind. */
struct ks_memory {
	struct folio *folio;
	struct page *pages;
	unsigned int nr_pages;
	void *area;
};
extern const struct kstate_description ks_memory_desc;

/* A single large field, for records bigger than a chunk. */
struct ks_big {
	unsigned char bytes[1 << 20];
};
extern const struct kstate_description ks_big_desc;

/* Arrays of structs: inners (counted), and the pointees of ptrs. */
extern const struct kstate_description ks_structs_desc;

/* The first two of ks_sample's pointees, counted by a callback. */
extern const struct kstate_description ks_counted_desc;

/* Malformed: a field after a counted array overwrites its count. */
extern const struct kstate_description ks_bad_count_desc;

#ifdef __cplusplus
}
#endif

#endif /* KSTATE_HOST_DESCS_H */
