// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for kstate's kernel API: what kstate_register() accepts and
 * refuses, and what kstate_restore() says when nothing was saved.  The
 * engine itself is host-tested and fuzzed (tests/host, tests/fuzz); the
 * round trip across kexec is the kstate scenario.
 */
#include <kunit/test.h>
#include <linux/kstate.h>

struct kstate_kunit_obj {
	u32 nr;
	u32 items[4];
	u64 value;
};

static const struct kstate_field good_fields[] = {
	KSTATE_SIMPLE(nr, struct kstate_kunit_obj),
	KSTATE_ARRAY_COUNTED(items, struct kstate_kunit_obj, nr),
	KSTATE_SIMPLE(value, struct kstate_kunit_obj),
	KSTATE_END_OF_LIST(),
};

static const struct kstate_description good_desc = {
	.name = "kstate_kunit",
	.version_id = 1,
	.min_version_id = 1,
	.fields = good_fields,
};

/* The count saved after its array would overwrite what the array restored. */
static const struct kstate_field count_after_array_fields[] = {
	KSTATE_ARRAY_COUNTED(items, struct kstate_kunit_obj, nr),
	KSTATE_SIMPLE(nr, struct kstate_kunit_obj),
	KSTATE_END_OF_LIST(),
};

static const struct kstate_description count_after_array_desc = {
	.name = "kstate_kunit.bad_count",
	.version_id = 1,
	.min_version_id = 1,
	.fields = count_after_array_fields,
};

static const struct kstate_description min_above_version_desc = {
	.name = "kstate_kunit.bad_versions",
	.version_id = 1,
	.min_version_id = 2,
	.fields = good_fields,
};

static const struct kstate_field field_from_the_future[] = {
	KSTATE_SIMPLE(value, struct kstate_kunit_obj, KSTATE_SINCE(3)),
	KSTATE_END_OF_LIST(),
};

static const struct kstate_description future_field_desc = {
	.name = "kstate_kunit.future",
	.version_id = 2,
	.min_version_id = 1,
	.fields = field_from_the_future,
};

static void malformed_descriptions_are_refused(struct kunit *test)
{
	struct kstate_kunit_obj obj = {};

	KUNIT_EXPECT_EQ(test, kstate_register(&count_after_array_desc, &obj, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, kstate_register(&min_above_version_desc, &obj, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, kstate_register(&future_field_desc, &obj, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, kstate_restore(&count_after_array_desc, &obj, 0), -EINVAL);
}

static void a_key_registers_once(struct kunit *test)
{
	struct kstate_kunit_obj a = {}, b = {};

	KUNIT_ASSERT_EQ(test, kstate_register(&good_desc, &a, 7), 0);
	KUNIT_EXPECT_EQ(test, kstate_register(&good_desc, &b, 7), -EEXIST);
	KUNIT_EXPECT_EQ(test, kstate_register(&good_desc, &b, 8), 0);
	/* Another object under the key is not the registered one: ignored. */
	kstate_unregister(&good_desc, &b, 7);
	KUNIT_EXPECT_EQ(test, kstate_register(&good_desc, &b, 7), -EEXIST);
	kstate_unregister(&good_desc, &a, 7);
	KUNIT_EXPECT_EQ(test, kstate_register(&good_desc, &a, 7), 0);
	kstate_unregister(&good_desc, &a, 7);
	kstate_unregister(&good_desc, &b, 8);
}

static void nothing_saved_is_enoent(struct kunit *test)
{
	struct kstate_kunit_obj obj = { .value = 42 };

	/* KUnit runs on a boot without a handover. */
	KUNIT_EXPECT_EQ(test, kstate_restore(&good_desc, &obj, 0), -ENOENT);
	KUNIT_EXPECT_EQ(test, obj.value, 42);
}

static struct kunit_case kstate_cases[] = {
	KUNIT_CASE(malformed_descriptions_are_refused),
	KUNIT_CASE(a_key_registers_once),
	KUNIT_CASE(nothing_saved_is_enoent),
	{}
};

static struct kunit_suite kstate_suite = {
	.name = "kstate",
	.test_cases = kstate_cases,
};
kunit_test_suite(kstate_suite);

MODULE_DESCRIPTION("KUnit tests for the kstate API");
MODULE_LICENSE("GPL");
