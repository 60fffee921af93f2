// SPDX-License-Identifier: GPL-2.0
/* Descriptions for the kstate host tests (kstate_descs.h). */
#include <errno.h>
#include <string.h>
#include <linux/build_bug.h>
#include <linux/container_of.h>
#include <linux/stddef.h>
#include <linux/types.h>

#include <linux/kstate.h>

#include "kstate_descs.h"

static const struct kstate_field ks_inner_fields[] = {
	KSTATE_SIMPLE(a, struct ks_inner),
	KSTATE_SIMPLE(b, struct ks_inner),
	KSTATE_END_OF_LIST(),
};

static const struct kstate_description ks_inner_desc = {
	.name = "ks_inner",
	.version_id = 1,
	.min_version_id = 1,
	.fields = ks_inner_fields,
};

static long ks_notes_save(void *field, void *buf, unsigned long len)
{
	struct ks_sample *s = container_of(field, struct ks_sample, notes);

	if (s->nr_notes > sizeof(s->notes))
		return -EINVAL;
	if (buf && s->nr_notes <= len)	/* measuring: no buffer */
		memcpy(buf, s->notes, s->nr_notes);
	return s->nr_notes;
}

static int ks_notes_restore(void *field, const void *buf, unsigned long len)
{
	struct ks_sample *s = container_of(field, struct ks_sample, notes);

	if (len > sizeof(s->notes))
		return -EINVAL;
	memcpy(s->notes, buf, len);
	s->nr_notes = len;
	return 0;
}

static bool ks_sub_needed(void *obj)
{
	return ((struct ks_sample *)obj)->sub_on;
}

static const struct kstate_field ks_sub_fields[] = {
	KSTATE_SIMPLE(sub_value, struct ks_sample),
	KSTATE_END_OF_LIST(),
};

static const struct kstate_description ks_sub_desc = {
	.name = "ks_sample.sub",
	.version_id = 1,
	.min_version_id = 1,
	.fields = ks_sub_fields,
	.needed = ks_sub_needed,
};

static const struct kstate_description * const ks_subs[] = { &ks_sub_desc, NULL };

#define KS_SAMPLE_FIELDS						\
	KSTATE_SIMPLE(id, struct ks_sample),				\
	KSTATE_ARRAY(words, struct ks_sample),				\
	KSTATE_STRUCT(inner, struct ks_sample, ks_inner_desc),		\
	KSTATE_POINTER(blob, struct ks_sample),				\
	KSTATE_SIMPLE(nr_items, struct ks_sample),			\
	KSTATE_ARRAY_COUNTED(items, struct ks_sample, nr_items),	\
	KSTATE_ARRAY_OF_POINTERS(ptrs, struct ks_sample),		\
	KSTATE_CUSTOM(notes, struct ks_sample, ks_notes_save, ks_notes_restore), \
	KSTATE_FOLIO(folio, struct ks_sample),				\
	KSTATE_ADDRESS(addr, struct ks_sample)

static const struct kstate_field ks_sample_v1_fields[] = {
	KS_SAMPLE_FIELDS,
	KSTATE_END_OF_LIST(),
};

static const struct kstate_field ks_sample_v2_fields[] = {
	KS_SAMPLE_FIELDS,
	KSTATE_SIMPLE(extra, struct ks_sample, KSTATE_SINCE(2)),
	KSTATE_END_OF_LIST(),
};

const struct kstate_description ks_sample_v1 = {
	.name = "ks_sample",
	.version_id = 1,
	.min_version_id = 1,
	.fields = ks_sample_v1_fields,
	.subsections = ks_subs,
};

const struct kstate_description ks_sample_v2 = {
	.name = "ks_sample",
	.version_id = 2,
	.min_version_id = 1,
	.fields = ks_sample_v2_fields,
	.subsections = ks_subs,
};

const struct kstate_description ks_sample_v2_only = {
	.name = "ks_sample",
	.version_id = 2,
	.min_version_id = 2,
	.fields = ks_sample_v2_fields,
	.subsections = ks_subs,
};

const struct kstate_description ks_sample_no_subs = {
	.name = "ks_sample",
	.version_id = 1,
	.min_version_id = 1,
	.fields = ks_sample_v1_fields,
};

static int ks_fail_post_load(void *obj __attribute__((unused)),
			     unsigned int version __attribute__((unused)))
{
	return -EIO;
}

const struct kstate_description ks_sample_post_load_fails = {
	.name = "ks_sample",
	.version_id = 1,
	.min_version_id = 1,
	.fields = ks_sample_v1_fields,
	.subsections = ks_subs,
	.post_load = ks_fail_post_load,
};

static const struct kstate_field ks_pair32_fields[] = {
	KSTATE_SIMPLE(x, struct ks_pair32),
	KSTATE_SIMPLE(y, struct ks_pair32),
	KSTATE_END_OF_LIST(),
};

static const struct kstate_field ks_pair64_fields[] = {
	KSTATE_SIMPLE(x, struct ks_pair64),
	KSTATE_SIMPLE(y, struct ks_pair64),
	KSTATE_END_OF_LIST(),
};

const struct kstate_description ks_pair32_desc = {
	.name = "ks_pair", .version_id = 1, .min_version_id = 1, .fields = ks_pair32_fields,
};

const struct kstate_description ks_pair64_desc = {
	.name = "ks_pair", .version_id = 1, .min_version_id = 1, .fields = ks_pair64_fields,
};

static const struct kstate_field ks_old_fields[] = {
	KSTATE_SIMPLE(a, struct ks_old),
	KSTATE_SIMPLE(gone, struct ks_old),
	KSTATE_SIMPLE(c, struct ks_old),
	KSTATE_END_OF_LIST(),
};

static const struct kstate_field ks_new_fields[] = {
	KSTATE_SIMPLE(a, struct ks_new),
	KSTATE_DROPPED(gone, sizeof(u32), 0, 2),
	KSTATE_SIMPLE(c, struct ks_new),
	KSTATE_END_OF_LIST(),
};

const struct kstate_description ks_old_desc = {
	.name = "ks_drop", .version_id = 1, .min_version_id = 1, .fields = ks_old_fields,
};

const struct kstate_description ks_new_desc = {
	.name = "ks_drop", .version_id = 2, .min_version_id = 1, .fields = ks_new_fields,
};

static const struct kstate_field ks_big_fields[] = {
	KSTATE_SIMPLE(bytes, struct ks_big),
	KSTATE_END_OF_LIST(),
};

const struct kstate_description ks_big_desc = {
	.name = "ks_big", .version_id = 1, .min_version_id = 1, .fields = ks_big_fields,
};

static const struct kstate_field ks_bad_count_fields[] = {
	KSTATE_ARRAY_COUNTED(items, struct ks_sample, nr_items),
	KSTATE_SIMPLE(nr_items, struct ks_sample),
	KSTATE_END_OF_LIST(),
};

const struct kstate_description ks_bad_count_desc = {
	.name = "ks_bad", .version_id = 1, .min_version_id = 1, .fields = ks_bad_count_fields,
};

static unsigned int ks_two(void *obj __attribute__((unused)))
{
	return 2;
}

static const struct kstate_field ks_structs_fields[] = {
	KSTATE_SIMPLE(nr_inners, struct ks_sample),
	KSTATE_ARRAY_COUNTED(inners, struct ks_sample, nr_inners, KSTATE_DESC(ks_inner_desc)),
	KSTATE_ARRAY_OF_POINTERS(ptrs, struct ks_sample, KSTATE_DESC(ks_inner_desc)),
	KSTATE_END_OF_LIST(),
};

const struct kstate_description ks_structs_desc = {
	.name = "ks_structs", .version_id = 1, .min_version_id = 1, .fields = ks_structs_fields,
};

static const struct kstate_field ks_counted_fields[] = {
	KSTATE_ARRAY_OF_POINTERS_COUNTED(ptrs, struct ks_sample, ks_two),
	KSTATE_END_OF_LIST(),
};

const struct kstate_description ks_counted_desc = {
	.name = "ks_counted", .version_id = 1, .min_version_id = 1, .fields = ks_counted_fields,
};

static const struct kstate_field ks_memory_fields[] = {
	KSTATE_FOLIO(folio, struct ks_memory),
	KSTATE_PAGES(pages, struct ks_memory, nr_pages),
	KSTATE_VMALLOC(area, struct ks_memory),
	KSTATE_END_OF_LIST(),
};

const struct kstate_description ks_memory_desc = {
	.name = "ks_memory",
	.version_id = 1,
	.min_version_id = 1,
	.fields = ks_memory_fields,
};
