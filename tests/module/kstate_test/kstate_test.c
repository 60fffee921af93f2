// SPDX-License-Identifier: GPL-2.0
/*
 * kstate_test: a nested state saved in one kernel and restored, byte for
 * byte, in the next, through kstate.
 *
 * Each object has every kind of field: plain values, a fixed array, an
 * embedded struct, a pointer, an array counted by another field, an array
 * of pointers, an array of structs, a custom field, memory handed over by
 * reference -- a folio (16 KiB), a run of 3 pages and a 5-page vmalloc
 * area, each holding a pattern -- and an address in the kernel image
 * (saved relative to _text, so KASLR moves it).
 *
 *   save=I,J,...    register fresh objects with these instance ids
 *   restore=I,...   restore these ids and check every byte
 *   resave=1        register the restored objects again, for the next kernel
 *   seed=N          the objects' contents (the same N when checking)
 *
 * The same source builds four modules whose description differs:
 * kstate_test (version 1), kstate_test_v2 (adds a field in version 2),
 * kstate_test_v2only (version 2, reads only 2) and kstate_test_resized
 * (one field wider, version unchanged).  Results go to the log as
 * "<module>: PASS ..." / "<module>: FAIL ..." / "<module>: restore I: <errno>".
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kstate.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#ifndef KST_VERSION
#define KST_VERSION	1
#endif
#ifndef KST_MIN_VERSION
#define KST_MIN_VERSION	1
#endif
#define KST_FOLIO_ORDER	2
#define KST_NR_PAGES	3
#define KST_AREA_BYTES	(5 * PAGE_SIZE)
#define KST_MAX_OBJS	8
#define KST_EXTRA_DEFAULT 0xdefa

struct kst_inner {
	u32 a;
	u64 b;
};

struct kst_state {
#ifdef KST_WIDE_MAGIC
	u64 magic;
#else
	u32 magic;
#endif
	u64 words[4];
	struct kst_inner inner;
	struct kst_inner *blob;
	u32 nr_items;
	u32 items[8];
	struct kst_inner *ptrs[3];
	u32 nr_note;
	char note[48];
	struct folio *folio;
	struct page *pages;
	u32 nr_pages;
	void *area;
	const void *addr;
	u32 nr_inners;
	struct kst_inner inners[3];
	u32 extra;		/* carried from version 2 */
};

/* A state and the storage its pointers point at. */
struct kst_obj {
	struct kst_state st;
	struct kst_inner blob;
	struct kst_inner pointees[3];
	u64 id;
	bool registered;
};

static const struct kstate_field kst_inner_fields[] = {
	KSTATE_SIMPLE(a, struct kst_inner),
	KSTATE_SIMPLE(b, struct kst_inner),
	KSTATE_END_OF_LIST(),
};

static const struct kstate_description kst_inner_desc = {
	.name = "kstate_test.inner",
	.version_id = 1,
	.min_version_id = 1,
	.fields = kst_inner_fields,
};

static long kst_note_save(void *field, void *buf, unsigned long len)
{
	struct kst_state *st = container_of(field, struct kst_state, note);

	if (buf && st->nr_note <= len)	/* measuring: no buffer */
		memcpy(buf, st->note, st->nr_note);
	return st->nr_note;
}

static int kst_note_restore(void *field, const void *buf, unsigned long len)
{
	struct kst_state *st = container_of(field, struct kst_state, note);

	if (len > sizeof(st->note))
		return -EINVAL;
	memcpy(st->note, buf, len);
	st->nr_note = len;
	return 0;
}

static const struct kstate_field kst_fields[] = {
	KSTATE_SIMPLE(magic, struct kst_state),
	KSTATE_ARRAY(words, struct kst_state),
	KSTATE_STRUCT(inner, struct kst_state, kst_inner_desc),
	KSTATE_POINTER(blob, struct kst_state),
	KSTATE_SIMPLE(nr_items, struct kst_state),
	KSTATE_ARRAY_COUNTED(items, struct kst_state, nr_items),
	KSTATE_ARRAY_OF_POINTERS(ptrs, struct kst_state),
	KSTATE_CUSTOM(note, struct kst_state, kst_note_save, kst_note_restore),
	KSTATE_FOLIO(folio, struct kst_state),
	KSTATE_PAGES(pages, struct kst_state, nr_pages),
	KSTATE_VMALLOC(area, struct kst_state),
	KSTATE_ADDRESS(addr, struct kst_state),
	KSTATE_SIMPLE(nr_inners, struct kst_state),
	KSTATE_ARRAY_COUNTED(inners, struct kst_state, nr_inners, KSTATE_DESC(kst_inner_desc)),
#if KST_VERSION >= 2
	KSTATE_SIMPLE(extra, struct kst_state, KSTATE_SINCE(2)),
#endif
	KSTATE_END_OF_LIST(),
};

static const struct kstate_description kst_desc = {
	.name = "kstate_test",
	.version_id = KST_VERSION,
	.min_version_id = KST_MIN_VERSION,
	.fields = kst_fields,
};

static int save_ids[KST_MAX_OBJS], nr_save;
module_param_array_named(save, save_ids, int, &nr_save, 0444);
MODULE_PARM_DESC(save, "instance ids to register fresh objects under");
static int restore_ids[KST_MAX_OBJS], nr_restore;
module_param_array_named(restore, restore_ids, int, &nr_restore, 0444);
MODULE_PARM_DESC(restore, "instance ids to restore and check");
static bool resave;
module_param(resave, bool, 0444);
MODULE_PARM_DESC(resave, "register restored objects again");
static unsigned int seed = 1;
module_param(seed, uint, 0444);
MODULE_PARM_DESC(seed, "the objects' contents");

static struct kst_obj *objs[2 * KST_MAX_OBJS];
static unsigned int nr_objs;

static u8 kst_pattern(u64 id, unsigned long i)
{
	return (u8)(seed * 31 + id * 7 + i * 13);
}

static void kst_link(struct kst_obj *o)
{
	o->st.blob = &o->blob;
	for (int i = 0; i < 3; i++)
		o->st.ptrs[i] = &o->pointees[i];
}

/* What object @id holds for seed: the memory fields apart. */
static void kst_fill(struct kst_obj *o, u64 id)
{
	u32 v = seed * 1000 + id;

	o->id = id;
	o->st.magic = 0x6b737400 + v;
	for (int i = 0; i < 4; i++)
		o->st.words[i] = ((u64)v << 32) + i;
	o->st.inner = (struct kst_inner){ v + 1, (u64)v * 7 };
	o->blob = (struct kst_inner){ v + 2, (u64)v * 11 };
	o->st.nr_items = 5;
	for (int i = 0; i < 5; i++)
		o->st.items[i] = v + 100 + i;
	for (int i = 0; i < 3; i++)
		o->pointees[i] = (struct kst_inner){ v + 10 + i, (u64)v * 3 + i };
	o->st.nr_note = snprintf(o->st.note, sizeof(o->st.note), "object %llu of seed %u", id, seed);
	o->st.addr = kstate_register;	/* in the kernel image */
	o->st.nr_inners = 2;
	for (int i = 0; i < 2; i++)
		o->st.inners[i] = (struct kst_inner){ v + 20 + i, (u64)v * 5 + i };
	o->st.extra = KST_EXTRA_DEFAULT + 1;
	kst_link(o);
}

static struct kst_obj *kst_new(u64 id)
{
	struct kst_obj *o;

	if (nr_objs == ARRAY_SIZE(objs))
		return NULL;
	o = kzalloc(sizeof(*o), GFP_KERNEL);
	if (o)
		objs[nr_objs++] = o;
	return o;
}

static int kst_save(struct kst_obj *o)
{
	int err = kstate_register(&kst_desc, &o->st, o->id);

	o->registered = !err;
	if (err)
		pr_err("FAIL register %llu: %d\n", o->id, err);
	else
		pr_info("registered %llu (version %u)\n", o->id, KST_VERSION);
	return err;
}

/* The memory fields' patterns, each of its own. */
static u8 *kst_pages_bytes(const struct kst_state *st)
{
	return page_address(st->pages);
}

static int kst_save_fresh(u64 id)
{
	struct kst_obj *o = kst_new(id);
	void *pages;

	if (!o)
		return -ENOMEM;
	kst_fill(o, id);
	o->st.folio = folio_alloc(GFP_KERNEL, KST_FOLIO_ORDER);
	pages = alloc_pages_exact(KST_NR_PAGES * PAGE_SIZE, GFP_KERNEL);
	o->st.area = vmalloc(KST_AREA_BYTES);
	if (pages) {
		o->st.pages = virt_to_page(pages);
		o->st.nr_pages = KST_NR_PAGES;
	}
	if (!o->st.folio || !pages || !o->st.area)
		return -ENOMEM;
	for (unsigned long i = 0; i < folio_size(o->st.folio); i++)
		((u8 *)folio_address(o->st.folio))[i] = kst_pattern(id, i);
	for (unsigned long i = 0; i < KST_NR_PAGES * PAGE_SIZE; i++)
		kst_pages_bytes(&o->st)[i] = kst_pattern(id + 100, i);
	for (unsigned long i = 0; i < KST_AREA_BYTES; i++)
		((u8 *)o->st.area)[i] = kst_pattern(id + 200, i);
	return kst_save(o);
}

/* The first difference between @got and what seed and @id give, or NULL. */
static const char *kst_differs(const struct kst_obj *got, u64 id)
{
	struct kst_obj *want = kzalloc(sizeof(*want), GFP_KERNEL);
	const struct folio *folio = got->st.folio;
	const char *what = NULL;

	if (!want)
		return "no memory to compare";
	kst_fill(want, id);
	if (got->st.magic != want->st.magic)
		what = "magic";
	else if (memcmp(got->st.words, want->st.words, sizeof(want->st.words)))
		what = "words";
	else if (memcmp(&got->st.inner, &want->st.inner, sizeof(want->st.inner)))
		what = "inner";
	else if (memcmp(&got->blob, &want->blob, sizeof(want->blob)))
		what = "blob";
	else if (got->st.nr_items != want->st.nr_items ||
		 memcmp(got->st.items, want->st.items, sizeof(want->st.items)))
		what = "items";
	else if (memcmp(got->pointees, want->pointees, sizeof(want->pointees)))
		what = "ptrs";
	else if (got->st.nr_note != want->st.nr_note ||
		 memcmp(got->st.note, want->st.note, want->st.nr_note))
		what = "note";
	else if (got->st.addr != want->st.addr)
		what = "addr";
	else if (got->st.nr_inners != want->st.nr_inners ||
		 memcmp(got->st.inners, want->st.inners, sizeof(want->st.inners)))
		what = "inners";
	else if (KST_VERSION >= 2 && got->st.extra != KST_EXTRA_DEFAULT)
		what = "extra (not its default)";
	else if (!folio || folio_order(folio) != KST_FOLIO_ORDER)
		what = "folio";
	else if (!got->st.pages || got->st.nr_pages != KST_NR_PAGES)
		what = "pages";
	else if (!got->st.area || !is_vmalloc_addr(got->st.area))
		what = "area";
	for (unsigned long i = 0; !what && i < folio_size(folio); i++)
		if (((u8 *)folio_address(folio))[i] != kst_pattern(id, i))
			what = "folio contents";
	/* Restored pages are each a page of their own: their addresses follow. */
	for (unsigned long i = 0; !what && i < KST_NR_PAGES * PAGE_SIZE; i++)
		if (kst_pages_bytes(&got->st)[i] != kst_pattern(id + 100, i))
			what = "pages contents";
	for (unsigned long i = 0; !what && i < KST_AREA_BYTES; i++)
		if (((u8 *)got->st.area)[i] != kst_pattern(id + 200, i))
			what = "area contents";
	kfree(want);
	return what;
}

static void kst_restore(u64 id)
{
	struct kst_obj *o = kst_new(id);
	const char *differs;
	int err;

	if (!o) {
		pr_err("FAIL restore %llu: no memory\n", id);
		return;
	}
	o->id = id;
	o->st.extra = KST_EXTRA_DEFAULT;
	kst_link(o);
	err = kstate_restore(&kst_desc, &o->st, id);
	if (err) {
		pr_info("restore %llu: %d\n", id, err);
		return;
	}
	differs = kst_differs(o, id);
	if (differs)
		pr_err("FAIL restore %llu: %s differs\n", id, differs);
	else
		pr_info("PASS restore %llu: every byte (version %u)\n", id, KST_VERSION);
	if (resave)
		kst_save(o);
}

static void kst_free_all(void)
{
	while (nr_objs) {
		struct kst_obj *o = objs[--nr_objs];

		if (o->registered)
			kstate_unregister(&kst_desc, &o->st, o->id);
		if (o->st.folio)
			folio_put(o->st.folio);
		if (o->st.pages)
			free_pages_exact(kst_pages_bytes(&o->st), o->st.nr_pages * PAGE_SIZE);
		vfree(o->st.area);
		kfree(o);
	}
}

static int __init kst_init(void)
{
	int err = 0;

	for (int i = 0; i < nr_restore; i++)
		kst_restore(restore_ids[i]);
	for (int i = 0; i < nr_save && !err; i++)
		err = kst_save_fresh(save_ids[i]);
	if (err)
		kst_free_all();
	return err;
}
module_init(kst_init);

static void __exit kst_exit(void)
{
	kst_free_all();
}
module_exit(kst_exit);

MODULE_DESCRIPTION("kstate end-to-end test: a nested state across kexec");
MODULE_LICENSE("GPL");
