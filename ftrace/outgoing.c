// SPDX-License-Identifier: GPL-2.0
/*
 * ftrace across kexec, outgoing.  On KEXEC_KHO_DUMP every trace instance's
 * sub-buffers are preserved in place and described in an "ftrace" node,
 * with the event formats.  The ring order is only known at kexec time: a
 * reboot notifier stops the writers and records it, with where the kernel
 * and its modules were (records.c), in a preserved positions block.  From DUMP until
 * ABORT the set of sub-buffers is frozen, with what the trace code has:
 * an instance held by a reference cannot be removed; one counted as
 * memory-mapped (tr->mapped) takes no snapshot; a CPU buffer with an open
 * iterator is not resized nor its sub-buffer order changed.  Splice readers
 * get copies (hook 0008).
 *
 * The node, the block and the records are written by C++ (node.cpp,
 * format.cpp); this file owns the kernel objects.
 */
#define pr_fmt(fmt) "KHO ftrace: " fmt

#include <linux/kexec.h>
#include <linux/kexec_handover.h>
#include <linux/kho_hooks.h>
#include <linux/libfdt.h>
#include <linux/mm.h>
#include <linux/reboot.h>
#include <linux/sched/clock.h>
#include <linux/slab.h>
#include <linux/sort.h>

#include "kernel/trace/trace.h"
#include "ftrace/format.h"
#include "ftrace/ftrace_internal.h"
#include "kho/test_knobs.h"

/* The clocks of trace_clock, by tr->clock_id (kernel/trace/trace.c). */
static const char *const kho_trace_clocks[] = {
	"local", "global", "counter", "uptime", "perf", "mono", "mono_raw", "boot", "tai",
};

/* Sub-buffers of @cpu, the reader page included; 0 if it has no buffer. */
unsigned long kho_ftrace_nr_subbufs(struct trace_buffer *buffer, int cpu)
{
	unsigned long size = ring_buffer_size(buffer, cpu);

	return size ? size / (ring_buffer_subbuf_size_get(buffer) - KHO_FTRACE_PAGE_HEADER_SIZE) + 1 : 0;
}

/* The name of @tr's trace_clock. */
const char *kho_ftrace_clock(const struct trace_array *tr)
{
	return tr->clock_id < ARRAY_SIZE(kho_trace_clocks) ? kho_trace_clocks[tr->clock_id] : "local";
}

static struct kho_ftrace_out kho_ftrace_out;
static struct folio *kho_ftrace_positions;
static bool kho_ftrace_is_frozen;	/* from DUMP until ABORT: the page set is fixed */

/**
 * kho_ftrace_frozen() - whether the trace buffers' sub-buffers are handed over
 *
 * Return: true from KEXEC_KHO_DUMP until KEXEC_KHO_ABORT: a splice reader
 * must get copies, never a sub-buffer of the ring.
 */
bool kho_ftrace_frozen(void)
{
	return READ_ONCE(kho_ftrace_is_frozen);
}

/**
 * kho_trace_array_flags() - flags for a trace array being created
 *
 * While a handover is possible, trace arrays are boot-mapped, as stock 6.12
 * marks its persistent buffers: trace_printk writes text, never a pointer
 * to a format string the next kernel cannot read, and the buffers cannot
 * be mmap()ed.
 *
 * Return: TRACE_ARRAY_FL_BOOT if KHO is enabled, else 0.
 */
unsigned int kho_trace_array_flags(void)
{
	return kho_is_enabled() ? TRACE_ARRAY_FL_BOOT : 0;
}

/* Counts @tr as memory-mapped (no snapshot), or not; refused if a snapshot is armed. */
static int kho_ftrace_map(struct trace_array *tr, bool map)
{
#ifdef CONFIG_TRACER_MAX_TRACE
	guard(spinlock)(&tr->snapshot_trigger_lock);
	if (map && tr->snapshot) {
		pr_err("instance %s: a snapshot or latency tracer is armed\n", tr->name ?: "global");
		return -EBUSY;
	}
#endif
	tr->mapped += map ? 1 : -1;
	return 0;
}

static int kho_ftrace_cmp_pfn(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

/* A walk of one CPU's sub-buffers: all of them, or only those with unread events. */
struct kho_ftrace_walk {
	struct kho_ftrace_cpu_out *o;
	bool unread;
	unsigned int read;	/* of the first listed, if it is the reader page */
};

/* Lists a sub-buffer in the unread array; unread events end at the commit page. */
static int kho_ftrace_note_page(void *ctx, void *data, unsigned int read, bool commit)
{
	struct kho_ftrace_walk *w = ctx;
	struct kho_ftrace_cpu_out *o = w->o;
	/* Its commit (include/kho/abi/ftrace.h): the writers are stopped. */
	u64 size = READ_ONCE(((u64 *)data)[1]);

	if (!w->unread || read < size) {
		if (o->nr_unread == o->nr_pages)
			return -ERANGE;
		if (!o->nr_unread)
			w->read = read;
		o->unread[o->nr_unread++] = PHYS_PFN(virt_to_phys(data));
	}
	return w->unread && commit;
}

static void kho_ftrace_out_release(void)
{
	struct kho_ftrace_out *out = &kho_ftrace_out;
	unsigned int i, p;

	for (i = 0; i < out->nr_cpus; i++) {
		struct kho_ftrace_cpu_out *o = &out->cpus[i];

		for (p = 0; o->pfns && p < o->nr_pages; p++)
			kho_unpreserve_folio(pfn_folio(o->pfns[p]));
		kvfree(o->pfns);
		kvfree(o->unread);
		if (o->pin)
			ring_buffer_read_finish(o->pin);
	}
	kvfree(out->cpus);
	for (i = 0; i < out->nr_instances; i++) {
		kho_ftrace_map(out->instances[i].tr, false);
		trace_array_put(out->instances[i].tr);
	}
	kfree(out->instances);
	if (kho_ftrace_positions) {
		kho_unpreserve_folio(kho_ftrace_positions);
		folio_put(kho_ftrace_positions);
	}
	kho_ftrace_positions = NULL;
	memset(out, 0, sizeof(*out));
	WRITE_ONCE(kho_ftrace_is_frozen, false);
}

/* Pins one CPU's sub-buffers, preserves them and lists them, sorted; on error, nothing. */
static int kho_ftrace_out_cpu(struct kho_ftrace_cpu_out *o)
{
	struct kho_ftrace_walk walk = { o };
	unsigned int i;
	int err = -ENOMEM;

	/* A resize that began earlier finishes first. */
	o->pin = ring_buffer_read_start(o->buffer, o->cpu, GFP_KERNEL);
	o->pfns = kvcalloc(o->nr_pages, sizeof(u64), GFP_KERNEL);
	o->unread = kvcalloc(o->nr_pages, sizeof(u64), GFP_KERNEL);
	if (o->pin && o->pfns && o->unread)
		err = ring_buffer_kho_pages(o->buffer, o->cpu, kho_ftrace_note_page, &walk);
	if (!err && o->nr_unread != o->nr_pages)
		err = -ERANGE;
	if (!err) {
		swap(o->pfns, o->unread);
		sort(o->pfns, o->nr_pages, sizeof(u64), kho_ftrace_cmp_pfn, NULL);
	}
	for (i = 0; !err && i < o->nr_pages; i++) {
		err = kho_preserve_folio(pfn_folio(o->pfns[i]));
		while (err && i--)
			kho_unpreserve_folio(pfn_folio(o->pfns[i]));
	}
	o->nr_unread = 0;
	if (err) {
		kvfree(o->pfns);
		kvfree(o->unread);
		o->pfns = o->unread = NULL;
	}
	return err;
}

/* Lists instances and their CPUs, takes references; trace_types_lock held. */
static int kho_ftrace_out_collect(struct kho_ftrace_out *out)
{
	struct trace_array *tr;
	unsigned int nr_trs = 0, nr_cpus = 0;
	int cpu;

	list_for_each_entry(tr, &ftrace_trace_arrays, list) {
		if (!tr->array_buffer.buffer)
			continue;
		nr_trs++;
		for_each_possible_cpu(cpu)
			nr_cpus += kho_ftrace_nr_subbufs(tr->array_buffer.buffer, cpu) != 0;
	}
	out->instances = kcalloc(nr_trs, sizeof(*out->instances), GFP_KERNEL);
	out->cpus = kvcalloc(nr_cpus, sizeof(*out->cpus), GFP_KERNEL);
	if (!out->instances || !out->cpus)
		return -ENOMEM;

	list_for_each_entry(tr, &ftrace_trace_arrays, list) {
		struct trace_buffer *buffer = tr->array_buffer.buffer;
		struct kho_ftrace_instance_out *in;
		int err;

		if (!buffer)
			continue;
		err = kho_ftrace_map(tr, true);
		if (err)
			return err;
		tr->ref++;	/* trace_array_get() without the lock we hold */
		in = &out->instances[out->nr_instances++];
		*in = (struct kho_ftrace_instance_out){ tr, tr->name ?: "", kho_ftrace_clock(tr),
							ring_buffer_subbuf_order_get(buffer) };
		for_each_possible_cpu(cpu) {
			unsigned long n = kho_ftrace_nr_subbufs(buffer, cpu);

			if (!n)
				continue;
			if (n > U32_MAX / 2)
				return -E2BIG;
			/* A CPU came online and got its buffers since the count. */
			if (out->nr_cpus == nr_cpus) {
				pr_err("a CPU came online during activation; try again\n");
				return -EAGAIN;
			}
			out->cpus[out->nr_cpus++] = (struct kho_ftrace_cpu_out){
				.buffer = buffer, .cpu = cpu, .nr_pages = n };
			in->nr_cpus++;
		}
	}
	return 0;
}

static int kho_ftrace_dump(void *fdt)
{
	struct kho_ftrace_out *out = &kho_ftrace_out;
	size_t node_start = fdt_size_dt_struct(fdt) + fdt_size_dt_strings(fdt);
	u64 start = local_clock(), subbufs = 0;
	struct kho_ftrace_events_builder *b;
	void *events;
	unsigned int i;
	int err;

	WRITE_ONCE(kho_ftrace_is_frozen, true);
	scoped_guard(mutex, &trace_types_lock)
		err = kho_ftrace_out_collect(out);
	/* A snapshot swap that saw no tr->mapped is over (as for mmap). */
	synchronize_rcu();
	for (i = 0; !err && i < out->nr_cpus; i++) {
		err = kho_ftrace_out_cpu(&out->cpus[i]);
		subbufs += out->cpus[i].nr_pages;
	}
	if (err)
		return err;
	kho_ftrace_positions_layout(out, kho_ftrace_write_modules(NULL, UINT_MAX));
	kho_ftrace_positions = folio_alloc(GFP_KERNEL | __GFP_ZERO, get_order(out->positions_size));
	if (!kho_ftrace_positions)
		return -ENOMEM;
	err = kho_preserve_folio(kho_ftrace_positions);
	if (err) {
		folio_put(kho_ftrace_positions);
		kho_ftrace_positions = NULL;
		return err;
	}
	kho_ftrace_positions_init(folio_address(kho_ftrace_positions), out);
	out->positions_phys = PFN_PHYS(folio_pfn(kho_ftrace_positions));
	kho_ftrace_build_id(out->build_id);

	b = kho_ftrace_events_collect();
	events = b ? kho_ftrace_events_encode(b, &out->events_size) : NULL;
	kho_ftrace_events_builder_destroy(b);
	if (!events)
		return -ENOMEM;
	out->events = events;
	err = kho_ftrace_node_write(fdt, out);
	out->events = NULL;
	kx_free(events);
	if (err)
		return err;
	pr_info("trace buffers frozen while handed over: resize, sub-buffer order, snapshot and instance removal fail with -EBUSY\n");
	pr_info("handing over %llu sub-buffers of %u instances: node %u bytes (event table %zu), positions %zu bytes, in %llu us\n",
		subbufs, out->nr_instances,
		fdt_size_dt_struct(fdt) + fdt_size_dt_strings(fdt) - (unsigned int)node_start,
		out->events_size, out->positions_size, (local_clock() - start) / NSEC_PER_USEC);
	return 0;
}

static int kho_ftrace_notify(struct notifier_block *nb, unsigned long event, void *data)
{
	int err;

	if (event == KEXEC_KHO_ABORT) {
		kho_ftrace_out_release();
		return NOTIFY_DONE;
	}
	err = kho_ftrace_dump(kho_ser_fdt(data));
	if (err) {
		pr_err("cannot hand over the trace buffers: %d\n", err);
		kho_ftrace_out_release();
		return notifier_from_errno(err);
	}
	return NOTIFY_DONE;
}

static struct notifier_block kho_ftrace_nb = { .notifier_call = kho_ftrace_notify };

#ifdef CONFIG_KEXEC_HANDOVER_TEST_KNOBS
static bool kho_ftrace_corrupt_armed;

/* Test knob "ftrace-page": at kexec, break the second page of the first CPU that has two. */
int kho_ftrace_test_corrupt_arm(void)
{
	WRITE_ONCE(kho_ftrace_corrupt_armed, true);
	return 0;
}

static void kho_ftrace_test_corrupt(void)
{
	unsigned int i;

	for (i = 0; READ_ONCE(kho_ftrace_corrupt_armed) && i < kho_ftrace_out.nr_cpus; i++) {
		const struct kho_ftrace_cpu_out *o = &kho_ftrace_out.cpus[i];

		if (o->nr_unread < 2)
			continue;
		*(unsigned long *)(pfn_to_kaddr(o->unread[1]) + 8) =
			ring_buffer_subbuf_size_get(o->buffer);
		pr_warn("test knob: cpu %d page %#llx corrupted on purpose\n", o->cpu,
			PFN_PHYS(o->unread[1]));
		return;
	}
}
#else
static void kho_ftrace_test_corrupt(void) { }
#endif

/* At kexec time: the ring order, from the oldest unread page on. */
static void kho_ftrace_record_cpu(struct kho_ftrace_cpu_out *o, void *block, u64 clock)
{
	struct kho_ftrace_walk walk = { o, true };

	o->nr_unread = 0;
	if (ring_buffer_kho_pages(o->buffer, o->cpu, kho_ftrace_note_page, &walk) < 0 ||
	    kho_ftrace_record_write(block, o, clock, walk.read, walk.read != 0)) {
		pr_err("cpu %d: ring changed while handed over; its records are dropped\n", o->cpu);
		o->nr_unread = 0;
		kho_ftrace_record_write(block, o, clock, 0, false);
	}
}

static int kho_ftrace_reboot(struct notifier_block *nb, unsigned long code, void *cmd)
{
	struct kho_ftrace_out *out = &kho_ftrace_out;
	void *block;
	unsigned int i;
	u64 clock = 0;

	if (!kexec_in_progress || !kho_ftrace_frozen() || !kho_ftrace_positions)
		return NOTIFY_DONE;
	/* The cut-off: what was committed before the reboot() call. */
	for (i = 0; i < out->nr_instances; i++)
		ring_buffer_record_off(out->instances[i].tr->array_buffer.buffer);
	synchronize_rcu();
	block = folio_address(kho_ftrace_positions);
	for (i = 0; i < out->nr_cpus; i++) {
		/*
		 * One reading for all CPUs of a buffer (they are listed
		 * together): the next kernel moves their records by the same
		 * amount, so records of different CPUs keep their order.
		 */
		if (!i || out->cpus[i].buffer != out->cpus[i - 1].buffer)
			clock = ring_buffer_time_stamp(out->cpus[i].buffer);
		kho_ftrace_record_cpu(&out->cpus[i], block, clock);
	}
	kho_ftrace_positions_seal(block, (unsigned long)_text,
				  kho_ftrace_write_modules(block + out->modules_at, out->modules_max));
	kho_ftrace_test_corrupt();
	return NOTIFY_DONE;
}

static struct notifier_block kho_ftrace_reboot_nb = {
	.notifier_call = kho_ftrace_reboot,
	.priority = INT_MIN,	/* after everyone else might still trace */
};

static int __init kho_ftrace_out_init(void)
{
	int err;

	err = register_reboot_notifier(&kho_ftrace_reboot_nb);
	err = err ?: register_kho_notifier(&kho_ftrace_nb);
	if (err)
		pr_err("cannot register (%d): trace buffers will not be handed over\n", err);
	return 0;
}
core_initcall(kho_ftrace_out_init);
