// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the ftrace handover formats: a CPU node and its
 * kexec-time record read back exactly and refuse damage; an event keeps
 * its fingerprint across kernels exactly when its format is the same;
 * old records decode field by field without following pointers; and a
 * page is re-mapped to this kernel's types with its time moved.
 */
#include <kunit/test.h>
#include <linux/libfdt.h>
#include <linux/slab.h>
#include <linux/string.h>

#include <kho/abi/ftrace.h>
#include "ftrace/format.h"

/* A CPU's pages and kexec-time order, written and read back; damage refused. */
static void cpu_node_and_record_read_back(struct kunit *test)
{
	u64 pfns[] = { 0x100, 0x101, 0x102, 0x2000, 0x3ffff }, unread[] = { 0x2000, 0x100, 0x101 };
	struct kho_ftrace_cpu_out cpu = { .cpu = 1, .nr_pages = ARRAY_SIZE(pfns), .pfns = pfns,
					  .unread = unread, .nr_unread = ARRAY_SIZE(unread) };
	struct kho_ftrace_instance_out inst = { .name = "", .clock = "local", .nr_cpus = 1 };
	struct kho_ftrace_out out = { .instances = &inst, .nr_instances = 1, .cpus = &cpu,
				      .nr_cpus = 1, .events = "", .events_size = 1 };
	struct kho_ftrace_root_node root;
	struct kho_ftrace_cpu_in in;
	void *fdt = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL), *block;
	const char *why;
	int node;

	KUNIT_ASSERT_NOT_NULL(test, fdt);
	kho_ftrace_positions_layout(&out, 0);
	block = kunit_kzalloc(test, out.positions_size, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, block);
	kho_ftrace_positions_init(block, &out);
	KUNIT_ASSERT_EQ(test, fdt_create(fdt, PAGE_SIZE) ?: fdt_finish_reservemap(fdt) ?:
			fdt_begin_node(fdt, ""), 0);
	KUNIT_ASSERT_EQ(test, kho_ftrace_node_write(fdt, &out), 0);
	KUNIT_ASSERT_EQ(test, fdt_end_node(fdt) ?: fdt_finish(fdt), 0);
	KUNIT_ASSERT_EQ(test, kho_ftrace_record_write(block, &cpu, 5000, 24, 1), 0);
	kho_ftrace_positions_seal(block, 0, 0);

	KUNIT_ASSERT_EQ(test, kho_ftrace_root_node_find(fdt, &root, &why), 0);
	node = kho_ftrace_next_node(fdt, root.node, -1, KHO_FTRACE_INSTANCE_COMPATIBLE);
	node = kho_ftrace_next_node(fdt, node, -1, KHO_FTRACE_CPU_COMPATIBLE);
	KUNIT_ASSERT_EQ(test, kho_ftrace_cpu_read(fdt, node, block, out.positions_size, 0x40000,
						  &in, &why), 0);
	KUNIT_EXPECT_EQ(test, memcmp(in.pfns, pfns, sizeof(pfns)), 0);
	KUNIT_EXPECT_EQ(test, in.view.nr_valid, 3u);
	KUNIT_EXPECT_TRUE(test, in.view.first_is_reader);
	KUNIT_EXPECT_EQ(test, in.view.reader_read, 24u);
	KUNIT_EXPECT_EQ(test, in.order[0], 3u);
	KUNIT_EXPECT_EQ(test, in.order[2], 1u);
	kho_ftrace_cpu_in_free(&in);

	/* A page beyond this machine; a record cut short. */
	KUNIT_EXPECT_NE(test, kho_ftrace_cpu_read(fdt, node, block, out.positions_size, 0x3ffff,
						  &in, &why), 0);
	KUNIT_EXPECT_NE(test, kho_ftrace_cpu_read(fdt, node, block, cpu.slot + 36, 0x40000,
						  &in, &why), 0);
	/* A page that was not preserved leaves an empty record. */
	unread[1] = 0x103;
	KUNIT_EXPECT_NE(test, kho_ftrace_record_write(block, &cpu, 5000, 24, 1), 0);
}

/* A sched_switch-like event, optionally with one field changed. */
static struct kho_ftrace_event_table *table(struct kunit *test, unsigned int type,
					    unsigned int pid_size)
{
	struct kho_ftrace_events_builder *b = kho_ftrace_events_builder_create();
	struct kho_ftrace_event_table *t;
	const char *why = NULL;
	size_t size;
	void *blob;

	KUNIT_ASSERT_NOT_NULL(test, b);
	/* Fields in the kernel's (reverse) list order. */
	KUNIT_ASSERT_EQ(test, kho_ftrace_events_add(b, type, "sched", "demo"), 0);
	KUNIT_ASSERT_EQ(test, kho_ftrace_events_add_field(b, "name", "__data_loc char[]", 24, 4, 0), 0);
	KUNIT_ASSERT_EQ(test, kho_ftrace_events_add_field(b, "task", "struct task_struct *", 16, 8, 0), 0);
	KUNIT_ASSERT_EQ(test, kho_ftrace_events_add_field(b, "delta", "int", 12, 4, 1), 0);
	KUNIT_ASSERT_EQ(test, kho_ftrace_events_add_field(b, "pid", "pid_t", 8, pid_size, 1), 0);
	KUNIT_ASSERT_EQ(test, kho_ftrace_events_add(b, 6, "ftrace", "function"), 0);
	KUNIT_ASSERT_EQ(test, kho_ftrace_events_add_field(b, "ip", "unsigned long", 8, 8, 0), 0);
	blob = kho_ftrace_events_encode(b, &size);
	kho_ftrace_events_builder_destroy(b);
	KUNIT_ASSERT_NOT_NULL(test, blob);
	t = kho_ftrace_events_parse(blob, size, &why);
	/* A table cut short is refused. */
	KUNIT_EXPECT_NULL(test, kho_ftrace_events_parse(blob, size - 1, &why));
	kx_free(blob);
	KUNIT_ASSERT_NOT_NULL_MSG(test, t, "%s", why);
	return t;
}

static void fingerprint_follows_the_format_not_the_id(struct kunit *test)
{
	struct kho_ftrace_event_table *old = table(test, 300, 4);
	struct kho_ftrace_event_table *moved = table(test, 412, 4);
	struct kho_ftrace_event_table *changed = table(test, 300, 8);
	long o = kho_ftrace_events_find_type(old, 300);
	long m = kho_ftrace_events_find_name(moved, "sched", "demo");
	long c = kho_ftrace_events_find_name(changed, "sched", "demo");

	KUNIT_ASSERT_GE(test, o, 0L);
	KUNIT_ASSERT_GE(test, m, 0L);
	KUNIT_EXPECT_EQ(test, kho_ftrace_events_find_type(moved, 300), -1L);
	KUNIT_EXPECT_EQ(test, kho_ftrace_events_fingerprint(old, o),
			kho_ftrace_events_fingerprint(moved, m));
	KUNIT_EXPECT_NE(test, kho_ftrace_events_fingerprint(old, o),
			kho_ftrace_events_fingerprint(changed, c));
	KUNIT_EXPECT_EQ(test, kho_ftrace_events_find_name(old, "sched", "gone"), -1L);
	kho_ftrace_events_free(old);
	kho_ftrace_events_free(moved);
	kho_ftrace_events_free(changed);
}

static void records_decode_by_field_and_never_dereference(struct kunit *test)
{
	struct kho_ftrace_event_table *t = table(test, 300, 4);
	u8 rec[40] = { 0x2c, 0x01 };	/* type 300 */
	u32 loc = 5 << 16 | 32;		/* "hello" at offset 32 */
	u64 task = 0xffff888012345678ULL;
	s32 pid = 42, delta = -7;
	char out[160];

	memcpy(rec + 8, &pid, 4);
	memcpy(rec + 12, &delta, 4);
	memcpy(rec + 16, &task, 8);
	memcpy(rec + 24, &loc, 4);
	memcpy(rec + 32, "hello", 5);
	kho_ftrace_format_record(t, kho_ftrace_events_find_type(t, 300), rec, sizeof(rec),
				 NULL, out, sizeof(out));
	KUNIT_EXPECT_STREQ(test, out,
			   "demo: pid=42 delta=-7 task=0xffff888012345678 name=hello");

	/* A string that claims to reach past the record is not read. */
	loc = 64 << 16 | 32;
	memcpy(rec + 24, &loc, 4);
	kho_ftrace_format_record(t, kho_ftrace_events_find_type(t, 300), rec, sizeof(rec),
				 NULL, out, sizeof(out));
	KUNIT_EXPECT_NOT_NULL(test, strstr(out, "name=<beyond record>"));
	/* An address nothing names is raw hex. */
	kho_ftrace_format_record(t, kho_ftrace_events_find_type(t, 6), rec, 16,
				 NULL, out, sizeof(out));
	KUNIT_EXPECT_STREQ(test, out, "function: ip=0xfffffff90000002a");
	kho_ftrace_events_free(t);
}

static unsigned int remap_to_500(void *ctx, unsigned int old_type, void *payload,
				 unsigned int size)
{
	(*(int *)ctx)++;
	return old_type == 300 ? 500 : 0;
}

static void page_is_remapped_and_moved_before_the_kexec(struct kunit *test)
{
	u8 *page = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);
	struct kho_ftrace_page_info info;
	const char *why;
	u64 ts = 5000, commit = 2 * 12, moved;
	u32 header = 2 | 10 << 5;	/* 8-byte payload, 10 ns after the last */
	u16 type = 300;
	int calls = 0;

	KUNIT_ASSERT_NOT_NULL(test, page);
	memcpy(page, &ts, 8);
	memcpy(page + 8, &commit, 8);
	memcpy(page + 16, &header, 4);
	memcpy(page + 20, &type, 2);
	memcpy(page + 28, &header, 4);
	memcpy(page + 32, &type, 2);
	KUNIT_ASSERT_EQ(test, kho_ftrace_page_check(page, PAGE_SIZE, 12, &info, &why), 0);
	KUNIT_EXPECT_EQ(test, info.events, 1u);
	KUNIT_EXPECT_EQ(test, info.read_ts, 5010ULL);
	/* A read offset inside an event is damage. */
	KUNIT_EXPECT_NE(test, kho_ftrace_page_check(page, PAGE_SIZE, 8, &info, &why), 0);

	kho_ftrace_page_rewrite(page, PAGE_SIZE, -6000ULL, remap_to_500, &calls);
	memcpy(&moved, page, 8);
	KUNIT_EXPECT_EQ(test, (s64)moved, -1000LL);
	memcpy(&type, page + 20, 2);
	KUNIT_EXPECT_EQ(test, type, 500);
	KUNIT_EXPECT_EQ(test, calls, 2);
}

static struct kunit_case ftrace_format_cases[] = {
	KUNIT_CASE(cpu_node_and_record_read_back),
	KUNIT_CASE(fingerprint_follows_the_format_not_the_id),
	KUNIT_CASE(records_decode_by_field_and_never_dereference),
	KUNIT_CASE(page_is_remapped_and_moved_before_the_kexec),
	{}
};

static struct kunit_suite ftrace_format_suite = {
	.name = "kho_ftrace_format",
	.test_cases = ftrace_format_cases,
};
kunit_test_suite(ftrace_format_suite);
