// SPDX-License-Identifier: GPL-2.0
/*
 * ftrace across kexec: the kernel side of the handover of trace buffers.
 *
 * Outgoing, on KEXEC_KHO_DUMP: every trace instance's sub-buffers are
 * preserved in place and listed in an "ftrace" node, with the event formats
 * and what is needed to name old addresses.  The ring order is only known
 * at kexec time: a reboot notifier stops the writers and records it in a
 * preserved positions block.  While the handover is active the set of
 * sub-buffers is frozen (resize, sub-buffer order, snapshot and instance
 * removal return -EBUSY; splice readers get copies).
 *
 * Incoming, at core_initcall: each instance is found or created, every
 * sub-buffer is checked (ftrace/ring_page.hpp), its time stamps moved to
 * "before the kexec" (negative) and its event types re-mapped to shadow
 * events that print the record from its recorded format; then the ring
 * buffer re-attaches the pages without copying (rb_handover.h).
 *
 * Formats and checks are C++ (format.hpp); this file owns kernel objects.
 */
#define pr_fmt(fmt) "KHO ftrace: " fmt

#include <linux/buildid.h>
#include <linux/kallsyms.h>
#include <linux/kexec.h>
#include <linux/kexec_handover.h>
#include <linux/kho_hooks.h>
#include <linux/libfdt.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/reboot.h>
#include <linux/sched/clock.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/trace_clock.h>
#include <linux/trace_seq.h>
#include <kho/abi/ftrace.h>

#include "kernel/trace/trace.h"
#include "kho/kho_internal.h"
#include "ftrace/format.h"
#include "ftrace/ftrace_internal.h"

/* The clocks a trace instance can use, by the name trace_clock shows. */
static const struct {
	const char *name;
	u64 (*func)(void);
} kho_trace_clocks[] = {
	{ "local", trace_clock_local },
	{ "global", trace_clock_global },
	{ "counter", trace_clock_counter },
	{ "uptime", trace_clock_jiffies },
	{ "perf", trace_clock },
	{ "mono", ktime_get_mono_fast_ns },
	{ "mono_raw", ktime_get_raw_fast_ns },
	{ "boot", ktime_get_boot_fast_ns },
	{ "tai", ktime_get_tai_fast_ns },
};

extern const char __start_notes[], __stop_notes[];

/* Modules loaded between activation and kexec that can still be named. */
#define KHO_FTRACE_MODULES_SLACK	16

/* libfdt's errors are not errnos; running out of tree is the likely one. */
#define KHO_FDT(call) ((call) ? -ENOSPC : 0)

static int kho_kernel_build_id(unsigned char *id)
{
	memset(id, 0, KHO_FTRACE_BUILD_ID_SIZE);
	return build_id_parse_buf(__start_notes, id, __stop_notes - __start_notes);
}

/* ---------------------------------------------------------------------- */
/* Loaded modules, for naming their addresses in the next kernel.         */
#ifdef CONFIG_MODULES

struct kho_ftrace_mod {
	struct list_head list;
	struct kho_ftrace_module desc;
	struct module *mod;
};
static LIST_HEAD(kho_ftrace_mods);
static DEFINE_MUTEX(kho_ftrace_mods_lock);
static unsigned int kho_ftrace_nr_mods;

static int kho_ftrace_module_notify(struct notifier_block *nb, unsigned long state, void *data)
{
	struct module *mod = data;
	struct kho_ftrace_mod *m, *tmp;

	guard(mutex)(&kho_ftrace_mods_lock);
	if (state == MODULE_STATE_COMING) {
		m = kzalloc(sizeof(*m), GFP_KERNEL);
		if (!m)
			return NOTIFY_DONE;	/* its addresses print as hex */
		m->mod = mod;
		m->desc.base = (unsigned long)mod->mem[MOD_TEXT].base;
		m->desc.size = mod->mem[MOD_TEXT].size;
		strscpy(m->desc.name, mod->name, sizeof(m->desc.name));
		list_add_tail(&m->list, &kho_ftrace_mods);
		kho_ftrace_nr_mods++;
	} else if (state == MODULE_STATE_GOING) {
		list_for_each_entry_safe(m, tmp, &kho_ftrace_mods, list) {
			if (m->mod == mod) {
				list_del(&m->list);
				kfree(m);
				kho_ftrace_nr_mods--;
			}
		}
	}
	return NOTIFY_DONE;
}

static struct notifier_block kho_ftrace_module_nb = {
	.notifier_call = kho_ftrace_module_notify,
};

static int kho_ftrace_register_modules(void)
{
	return register_module_notifier(&kho_ftrace_module_nb);
}

static unsigned int kho_ftrace_nr_modules(void)
{
	guard(mutex)(&kho_ftrace_mods_lock);
	return kho_ftrace_nr_mods;
}

/* At kexec time: the loaded modules' text, at most @max of them. */
static unsigned int kho_ftrace_write_modules(struct kho_ftrace_module *out, unsigned int max)
{
	struct kho_ftrace_mod *m;
	unsigned int n = 0;

	guard(mutex)(&kho_ftrace_mods_lock);
	list_for_each_entry(m, &kho_ftrace_mods, list)
		if (n < max)
			out[n++] = m->desc;
	return n;
}
#else
static int kho_ftrace_register_modules(void) { return 0; }
static unsigned int kho_ftrace_nr_modules(void) { return 0; }
static unsigned int kho_ftrace_write_modules(struct kho_ftrace_module *out, unsigned int max)
{
	return 0;
}
#endif

/* ---------------------------------------------------------------------- */
/* Outgoing.                                                              */

struct kho_ftrace_cpu_out {
	struct trace_buffer *buffer;
	int cpu;
	unsigned int nr_pages;
	u64 *pfns;		/* sorted */
	size_t slot;		/* of its record in the positions block */
};

static struct {
	bool frozen;		/* from DUMP until ABORT: the page set is fixed */
	struct kho_ftrace_cpu_out *cpus;
	unsigned int nr_cpus;
	struct trace_array **trs;	/* each holds a reference */
	unsigned int nr_trs;
	struct folio *positions;
	size_t events_size;	/* of the event table, for the activation log */
} kho_ftrace_out;

bool kho_ftrace_frozen(void)
{
	return READ_ONCE(kho_ftrace_out.frozen);
}

/**
 * kho_ftrace_refuse() - refuse a change to the trace buffers' page set
 * @what: the change, for the log line
 *
 * Return: true (and one log line) while a handover holds the trace buffers.
 */
bool kho_ftrace_refuse(const char *what)
{
	if (!kho_ftrace_frozen())
		return false;
	pr_warn_ratelimited("%s refused: the trace buffers are handed over (KHO active)\n", what);
	return true;
}

/**
 * kho_trace_print_time() - print a time stamp from before the kexec
 * @s: the output
 * @in_ns: the clock counts nanoseconds (else raw counts)
 * @ts: the time stamp
 *
 * Records of the previous kernel are shown relative to the kexec, so
 * their time stamps are negative; the new kernel's start near zero.
 *
 * Return: true if @ts was negative and is printed.
 */
bool kho_trace_print_time(struct trace_seq *s, bool in_ns, u64 ts)
{
	u64 t = -ts;
	unsigned long usec_rem;

	if ((s64)ts >= 0)
		return false;
	if (!in_ns) {
		trace_seq_printf(s, " %12lld", (s64)ts);
		return true;
	}
	char secs[24];

	t = div_u64(t, NSEC_PER_USEC);
	usec_rem = do_div(t, USEC_PER_SEC);
	snprintf(secs, sizeof(secs), "-%lu", (unsigned long)t);
	trace_seq_printf(s, " %5s.%06lu", secs, usec_rem);
	return true;
}

static int kho_ftrace_cmp_pfn(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

struct kho_ftrace_collect {
	u64 *pfns;
	unsigned int nr, max;
};

static int kho_ftrace_collect_page(void *ctx, void *data)
{
	struct kho_ftrace_collect *c = ctx;

	if (c->nr == c->max)
		return -ERANGE;
	c->pfns[c->nr++] = PHYS_PFN(virt_to_phys(data));
	return 0;
}

static void kho_ftrace_out_release(void)
{
	struct kho_ftrace_cpu_out *o;
	unsigned int i, p;

	for (i = 0; i < kho_ftrace_out.nr_cpus; i++) {
		o = &kho_ftrace_out.cpus[i];
		for (p = 0; o->pfns && p < o->nr_pages; p++)
			kho_unpreserve_folio(pfn_folio(o->pfns[p]));
		kvfree(o->pfns);
	}
	kvfree(kho_ftrace_out.cpus);
	for (i = 0; i < kho_ftrace_out.nr_trs; i++)
		trace_array_put(kho_ftrace_out.trs[i]);
	kfree(kho_ftrace_out.trs);
	if (kho_ftrace_out.positions) {
		kho_unpreserve_folio(kho_ftrace_out.positions);
		folio_put(kho_ftrace_out.positions);
	}
	kho_ftrace_out.cpus = NULL;
	kho_ftrace_out.trs = NULL;
	kho_ftrace_out.positions = NULL;
	kho_ftrace_out.nr_cpus = kho_ftrace_out.nr_trs = 0;
	WRITE_ONCE(kho_ftrace_out.frozen, false);
}

/* Preserves one CPU's sub-buffers and lists them, sorted. */
static int kho_ftrace_out_cpu(struct kho_ftrace_cpu_out *o)
{
	struct kho_ftrace_collect c = { .max = o->nr_pages };
	unsigned int i;
	int err;

	c.pfns = kvcalloc(o->nr_pages, sizeof(u64), GFP_KERNEL);
	if (!c.pfns)
		return -ENOMEM;
	err = rb_kho_for_each_subbuf(o->buffer, o->cpu, kho_ftrace_collect_page, &c);
	if (!err && c.nr != o->nr_pages)
		err = -ERANGE;
	if (err) {
		kvfree(c.pfns);
		return err;
	}
	sort(c.pfns, c.nr, sizeof(u64), kho_ftrace_cmp_pfn, NULL);
	for (i = 0; i < c.nr; i++) {
		err = kho_preserve_folio(pfn_folio(c.pfns[i]));
		if (err) {
			while (i--)
				kho_unpreserve_folio(pfn_folio(c.pfns[i]));
			kvfree(c.pfns);
			return err;
		}
	}
	o->pfns = c.pfns;
	return 0;
}

static const char *kho_ftrace_clock_name(struct trace_buffer *buffer)
{
	u64 (*clock)(void) = rb_kho_clock(buffer);
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(kho_trace_clocks); i++)
		if (kho_trace_clocks[i].func == clock)
			return kho_trace_clocks[i].name;
	return "local";
}

static int kho_ftrace_put_shadows(struct kho_ftrace_events_builder *b);


/* This kernel's events (and the ones it kept) as an event table blob. */
static void *kho_ftrace_events_blob(size_t *size)
{
	struct kho_ftrace_events_builder *b = kho_ftrace_events_builder_create();
	struct trace_event_call *call;
	struct ftrace_event_field *field;
	struct list_head *fields;
	void *blob = NULL;
	int err = b ? 0 : -ENOMEM;

	mutex_lock(&event_mutex);
	list_for_each_entry(call, &ftrace_events, list) {
		if (err || !call->event.type || !call->class || !call->class->system)
			continue;
		err = kho_ftrace_events_add(b, call->event.type, call->class->system,
					    trace_event_name(call));
		fields = trace_get_fields(call);
		list_for_each_entry(field, fields, link) {
			if (err)
				break;
			err = kho_ftrace_events_add_field(b, field->name, field->type,
							  field->offset, field->size,
							  field->is_signed);
		}
	}
	mutex_unlock(&event_mutex);
	err = err ?: kho_ftrace_put_shadows(b);
	if (!err) {
		*size = kho_ftrace_events_size(b);
		blob = kvmalloc(*size, GFP_KERNEL);
		if (blob && kho_ftrace_events_encode(b, blob, *size)) {
			kvfree(blob);
			blob = NULL;
		}
	}
	kho_ftrace_events_builder_destroy(b);
	return blob;
}

static int kho_ftrace_put_events(void *fdt)
{
	size_t size;
	void *blob = kho_ftrace_events_blob(&size);
	int err;

	if (!blob)
		return -ENOMEM;
	err = KHO_FDT(fdt_property(fdt, "events", blob, size));
	kho_ftrace_out.events_size = size;
	kvfree(blob);
	return err;
}

/* Which kernel this is; where its text is goes in the positions block. */
static int kho_ftrace_put_kernel(void *fdt)
{
	unsigned char id[KHO_FTRACE_BUILD_ID_SIZE];

	kho_kernel_build_id(id);
	return KHO_FDT(fdt_property(fdt, "build-id", id, sizeof(id)));
}

/* Counts instances and CPUs, takes references; trace_types_lock held. */
static int kho_ftrace_out_collect(void)
{
	struct trace_array *tr;
	unsigned int nr_trs = 0, nr_cpus = 0;
	int cpu;

	list_for_each_entry(tr, &ftrace_trace_arrays, list) {
		if (!tr->array_buffer.buffer)
			continue;
		nr_trs++;
		for_each_possible_cpu(cpu)
			nr_cpus += rb_kho_nr_subbufs(tr->array_buffer.buffer, cpu) != 0;
	}
	kho_ftrace_out.trs = kcalloc(nr_trs, sizeof(*kho_ftrace_out.trs), GFP_KERNEL);
	kho_ftrace_out.cpus = kvcalloc(nr_cpus, sizeof(*kho_ftrace_out.cpus), GFP_KERNEL);
	if (!kho_ftrace_out.trs || !kho_ftrace_out.cpus)
		return -ENOMEM;

	list_for_each_entry(tr, &ftrace_trace_arrays, list) {
		struct trace_buffer *buffer = tr->array_buffer.buffer;

		if (!buffer)
			continue;
		tr->ref++;	/* trace_array_get() without the lock we hold */
		kho_ftrace_out.trs[kho_ftrace_out.nr_trs++] = tr;
		for_each_possible_cpu(cpu) {
			unsigned long n = rb_kho_nr_subbufs(buffer, cpu);
			struct kho_ftrace_cpu_out *o;

			if (!n)
				continue;
			if (n > U32_MAX / 2)
				return -E2BIG;
			/* A CPU came online and got its buffers since the count. */
			if (kho_ftrace_out.nr_cpus == nr_cpus) {
				pr_err("a CPU came online during activation; try again\n");
				return -EAGAIN;
			}
			o = &kho_ftrace_out.cpus[kho_ftrace_out.nr_cpus++];
			o->buffer = buffer;
			o->cpu = cpu;
			o->nr_pages = n;
		}
	}
	return 0;
}

static int kho_ftrace_put_instance(void *fdt, unsigned int index, struct trace_array *tr)
{
	struct trace_buffer *buffer = tr->array_buffer.buffer;
	u32 order = rb_kho_subbuf_order(buffer);
	const char *name = tr->name ?: "";
	char node[16];
	unsigned int i;
	int err;

	snprintf(node, sizeof(node), "i%u", index);
	err = KHO_FDT(fdt_begin_node(fdt, node));
	err = err ?: KHO_FDT(fdt_property_string(fdt, "compatible", KHO_FTRACE_INSTANCE_COMPATIBLE));
	err = err ?: KHO_FDT(fdt_property_string(fdt, "name", name));
	err = err ?: KHO_FDT(fdt_property_string(fdt, "clock", kho_ftrace_clock_name(buffer)));
	err = err ?: KHO_FDT(fdt_property(fdt, "subbuf-order", &order, sizeof(order)));
	for (i = 0; !err && i < kho_ftrace_out.nr_cpus; i++) {
		struct kho_ftrace_cpu_out *o = &kho_ftrace_out.cpus[i];
		size_t size = kho_ftrace_pfns_size(o->pfns, o->nr_pages);
		u32 cpu = o->cpu, nr = o->nr_pages, slot = o->slot;
		void *pfns;

		if (o->buffer != buffer)
			continue;
		snprintf(node, sizeof(node), "cpu%u", cpu);
		err = KHO_FDT(fdt_begin_node(fdt, node));
		err = err ?: KHO_FDT(fdt_property_string(fdt, "compatible", KHO_FTRACE_CPU_COMPATIBLE));
		err = err ?: KHO_FDT(fdt_property(fdt, "cpu", &cpu, sizeof(cpu)));
		err = err ?: KHO_FDT(fdt_property(fdt, "nr-pages", &nr, sizeof(nr)));
		err = err ?: KHO_FDT(fdt_property(fdt, "slot", &slot, sizeof(slot)));
		err = err ?: KHO_FDT(fdt_property_placeholder(fdt, "pfns", size, &pfns));
		err = err ?: kho_ftrace_pfns_encode(o->pfns, o->nr_pages, pfns, size);
		err = err ?: KHO_FDT(fdt_end_node(fdt));
	}
	return err ?: KHO_FDT(fdt_end_node(fdt));
}

static int kho_ftrace_dump(void *fdt)
{
	struct kho_ftrace_positions *head;
	size_t size = sizeof(*head), node_start, modules_at;
	u64 positions[2], start = local_clock(), subbufs = 0;
	unsigned int i, modules_max;
	int err;

	/* Freeze first: a resize that began earlier finishes before the walk. */
	WRITE_ONCE(kho_ftrace_out.frozen, true);
	scoped_guard(mutex, &trace_types_lock)
		err = kho_ftrace_out_collect();
	for (i = 0; !err && i < kho_ftrace_out.nr_cpus; i++) {
		struct kho_ftrace_cpu_out *o = &kho_ftrace_out.cpus[i];

		o->slot = size;
		size += ALIGN(kho_ftrace_cpu_record_size(o->nr_pages), 8);
		err = kho_ftrace_out_cpu(o);	/* on error it preserved nothing */
	}
	/* Room for the modules loaded now and a few more until the kexec. */
	modules_at = size;
	modules_max = kho_ftrace_nr_modules() + KHO_FTRACE_MODULES_SLACK;
	size += modules_max * sizeof(struct kho_ftrace_module);
	if (!err) {
		kho_ftrace_out.positions = folio_alloc(GFP_KERNEL | __GFP_ZERO, get_order(size));
		err = kho_ftrace_out.positions ? 0 : -ENOMEM;
	}
	if (!err) {
		err = kho_preserve_folio(kho_ftrace_out.positions);
		if (err) {
			folio_put(kho_ftrace_out.positions);
			kho_ftrace_out.positions = NULL;
		}
	}
	if (err)
		return err;
	head = folio_address(kho_ftrace_out.positions);
	head->magic = KHO_FTRACE_POSITIONS_MAGIC;
	head->modules_at = modules_at;
	head->modules_max = modules_max;
	positions[0] = folio_pfn(kho_ftrace_out.positions) << PAGE_SHIFT;
	positions[1] = size;

	node_start = fdt_size_dt_struct(fdt) + fdt_size_dt_strings(fdt);
	err = KHO_FDT(fdt_begin_node(fdt, "ftrace"));
	err = err ?: KHO_FDT(fdt_property_string(fdt, "compatible", KHO_FTRACE_COMPATIBLE));
	err = err ?: kho_ftrace_put_events(fdt);
	err = err ?: kho_ftrace_put_kernel(fdt);
	err = err ?: KHO_FDT(fdt_property(fdt, "positions", positions, sizeof(positions)));
	for (i = 0; !err && i < kho_ftrace_out.nr_trs; i++)
		err = kho_ftrace_put_instance(fdt, i, kho_ftrace_out.trs[i]);
	err = err ?: KHO_FDT(fdt_end_node(fdt));
	if (err)
		return err;
	for (i = 0; i < kho_ftrace_out.nr_cpus; i++)
		subbufs += kho_ftrace_out.cpus[i].nr_pages;
	pr_info("handing over %llu sub-buffers of %u instances: node %u bytes (event table %zu), positions %zu bytes, in %llu us\n",
		subbufs, kho_ftrace_out.nr_trs,
		fdt_size_dt_struct(fdt) + fdt_size_dt_strings(fdt) - (unsigned int)node_start,
		kho_ftrace_out.events_size, size, (local_clock() - start) / NSEC_PER_USEC);
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

static void kho_ftrace_test_corrupt(void *base)
{
	unsigned int i;

	if (!READ_ONCE(kho_ftrace_corrupt_armed))
		return;
	for (i = 0; i < kho_ftrace_out.nr_cpus; i++) {
		const struct kho_ftrace_cpu_out *o = &kho_ftrace_out.cpus[i];
		const struct kho_ftrace_cpu_record *rec = base + o->slot;
		unsigned int idx;
		void *page;

		if (rec->nr_valid < 2)
			continue;
		idx = rec->index_size == 2 ? ((const u16 *)(rec + 1))[1] : ((const u32 *)(rec + 1))[1];
		page = pfn_to_kaddr(o->pfns[idx]);
		*(unsigned long *)(page + 8) = PAGE_SIZE << rb_kho_subbuf_order(o->buffer);
		pr_warn("test knob: cpu %d page %#llx corrupted on purpose\n", o->cpu,
			PFN_PHYS(o->pfns[idx]));
		return;
	}
}
#else
static void kho_ftrace_test_corrupt(void *base) { }
#endif

/* At kexec time: the ring order, from the oldest unread page on. */
struct kho_ftrace_order {
	const struct kho_ftrace_cpu_out *o;
	void *indices;
	unsigned int index_size, nr;
};

static int kho_ftrace_note_page(void *ctx, void *data)
{
	struct kho_ftrace_order *ord = ctx;
	u64 pfn = PHYS_PFN(virt_to_phys(data));
	u64 *at = bsearch(&pfn, ord->o->pfns, ord->o->nr_pages, sizeof(u64), kho_ftrace_cmp_pfn);
	u32 idx;

	/* Not preserved: the page set changed, which the freeze forbids. */
	if (WARN_ON_ONCE(!at) || ord->nr == ord->o->nr_pages)
		return -ERANGE;
	idx = at - ord->o->pfns;
	if (ord->index_size == 2)
		((u16 *)ord->indices)[ord->nr++] = idx;
	else
		((u32 *)ord->indices)[ord->nr++] = idx;
	return 0;
}

static void kho_ftrace_record_cpu(const struct kho_ftrace_cpu_out *o, void *base)
{
	struct kho_ftrace_cpu_record *rec = base + o->slot;
	struct kho_ftrace_order ord = {
		.o = o,
		.indices = rec + 1,
		.index_size = o->nr_pages < 65536 ? 2 : 4,
	};
	unsigned int read = 0;
	bool reader = false;

	rec->magic = KHO_FTRACE_CPU_MAGIC;
	rec->nr_pages = o->nr_pages;
	rec->index_size = ord.index_size;
	rec->kexec_clock = ring_buffer_time_stamp(o->buffer);
	if (rb_kho_for_each_unread(o->buffer, o->cpu, kho_ftrace_note_page, &ord, &read, &reader)) {
		pr_err("cpu %d: ring changed while handed over; its records are dropped\n", o->cpu);
		ord.nr = 0;
		reader = false;
		read = 0;
	}
	rec->nr_valid = ord.nr;
	rec->reader_read = read;
	rec->flags = reader ? KHO_FTRACE_FIRST_IS_READER : 0;
}

static int kho_ftrace_reboot(struct notifier_block *nb, unsigned long code, void *cmd)
{
	struct kho_ftrace_positions *head;
	unsigned int i;

	if (!kexec_in_progress || !kho_ftrace_frozen() || !kho_ftrace_out.positions)
		return NOTIFY_DONE;
	/* The cut-off: what was committed before the reboot() call. */
	for (i = 0; i < kho_ftrace_out.nr_trs; i++)
		ring_buffer_record_off(kho_ftrace_out.trs[i]->array_buffer.buffer);
	synchronize_rcu();
	head = folio_address(kho_ftrace_out.positions);
	for (i = 0; i < kho_ftrace_out.nr_cpus; i++)
		kho_ftrace_record_cpu(&kho_ftrace_out.cpus[i], head);
	head->text = (unsigned long)_text;
	head->nr_modules = kho_ftrace_write_modules((void *)head + head->modules_at,
						    head->modules_max);
	smp_wmb();
	head->written = 1;
	kho_ftrace_test_corrupt(head);
	return NOTIFY_DONE;
}

static struct notifier_block kho_ftrace_reboot_nb = {
	.notifier_call = kho_ftrace_reboot,
	.priority = INT_MIN,	/* after everyone else might still trace */
};

/* ---------------------------------------------------------------------- */
/* Incoming.                                                              */

/* An event of the previous kernel, as this one prints it. */
struct kho_ftrace_shadow {
	struct list_head list;		/* kho_ftrace_shadows */
	struct trace_event event;
	long idx;		/* in the previous kernel's table, or -1 */
	unsigned int old_type;
	bool same_format;	/* this kernel has it with an identical format */
};

/* Never freed: records of these types may be read at any time. */
static LIST_HEAD(kho_ftrace_shadows);
static DEFINE_MUTEX(kho_ftrace_shadows_lock);

static struct {
	struct kho_ftrace_event_table *old;	/* kept: shadows print from it */
	bool same_build;
	u64 old_text;
	struct kho_ftrace_module *mods;
	unsigned int nr_mods;
} kho_ftrace_in;

static int kho_ftrace_name_address(void *ctx, kx_u64 addr, char *buf, size_t size)
{
	unsigned long text_size = (unsigned long)_etext - (unsigned long)_text;
	char sym[KSYM_SYMBOL_LEN];
	unsigned int i;

	if (kho_ftrace_in.same_build && addr >= kho_ftrace_in.old_text &&
	    addr - kho_ftrace_in.old_text < text_size) {
		sprint_symbol(sym, addr - kho_ftrace_in.old_text + (unsigned long)_text);
		strscpy(buf, sym, size);
		return 0;
	}
	for (i = 0; i < kho_ftrace_in.nr_mods; i++) {
		const struct kho_ftrace_module *m = &kho_ftrace_in.mods[i];

		if (addr >= m->base && addr - m->base < m->size) {
			snprintf(buf, size, "[%s]+0x%llx", m->name, addr - m->base);
			return 0;
		}
	}
	return -ENOENT;
}

static enum print_line_t kho_ftrace_shadow_print(struct trace_iterator *iter, int flags,
						 struct trace_event *event)
{
	struct kho_ftrace_shadow *sh = container_of(event, struct kho_ftrace_shadow, event);
	struct trace_seq *s = &iter->seq;
	const char *system, *name;
	char *buf;
	size_t room, len;

	if (sh->idx < 0) {
		trace_seq_printf(s, "previous-kernel event type %u: not described, %u bytes raw\n",
				 sh->old_type, iter->ent_size);
		return trace_handle_return(s);
	}
	name = kho_ftrace_events_name(kho_ftrace_in.old, sh->idx, &system);
	if (!sh->same_format) {
		trace_seq_printf(s, "%s:%s: previous-kernel event, format not in this kernel, %u bytes raw\n",
				 system, name, iter->ent_size);
		return trace_handle_return(s);
	}
	room = seq_buf_get_buf(&s->seq, &buf);
	len = kho_ftrace_format_record(kho_ftrace_in.old, sh->idx, iter->ent, iter->ent_size,
				       kho_ftrace_name_address, NULL, buf, room);
	seq_buf_commit(&s->seq, len + 1 < room ? len : -1);
	trace_seq_putc(s, '\n');
	return trace_handle_return(s);
}

static struct trace_event_functions kho_ftrace_shadow_funcs = {
	.trace = kho_ftrace_shadow_print,
	.raw = kho_ftrace_shadow_print,
};

/* Per restore: old event type -> this kernel's shadow type. */
struct kho_ftrace_in_ctx {
	struct kho_ftrace_event_table *cur;	/* this kernel's events */
	u16 *remap;				/* 64Ki entries, 0 = not yet */
};

/* Records kept from the previous kernel are described to the next one. */
static int kho_ftrace_put_shadows(struct kho_ftrace_events_builder *b)
{
	struct kho_ftrace_shadow *sh;
	int err = 0;

	guard(mutex)(&kho_ftrace_shadows_lock);
	list_for_each_entry(sh, &kho_ftrace_shadows, list)
		if (!err && sh->idx >= 0)
			err = kho_ftrace_events_add_copy(b, kho_ftrace_in.old, sh->idx,
							 sh->event.type);
	return err;
}

static unsigned int kho_ftrace_remap(void *ctx, unsigned int old_type, unsigned int payload)
{
	struct kho_ftrace_in_ctx *r = ctx;
	struct kho_ftrace_shadow *sh;
	const char *system, *name;
	long cur;

	if (r->remap[old_type])
		return r->remap[old_type];
	sh = kzalloc(sizeof(*sh), GFP_KERNEL);
	if (!sh)
		return 0;	/* type 0 is never registered: prints as unknown */
	sh->old_type = old_type;
	sh->idx = kho_ftrace_in.old ? kho_ftrace_events_find_type(kho_ftrace_in.old, old_type) : -1;
	if (sh->idx >= 0 && r->cur) {
		name = kho_ftrace_events_name(kho_ftrace_in.old, sh->idx, &system);
		cur = kho_ftrace_events_find_name(r->cur, system, name);
		sh->same_format = cur >= 0 &&
			kho_ftrace_events_fingerprint(r->cur, cur) ==
			kho_ftrace_events_fingerprint(kho_ftrace_in.old, sh->idx);
	}
	sh->event.funcs = &kho_ftrace_shadow_funcs;
	if (!register_trace_event(&sh->event)) {
		kfree(sh);
		return 0;
	}
	r->remap[old_type] = sh->event.type;
	scoped_guard(mutex, &kho_ftrace_shadows_lock)
		list_add_tail(&sh->list, &kho_ftrace_shadows);
	return sh->event.type;
}

static struct trace_array *kho_ftrace_global(void)
{
	struct trace_array *tr;

	list_for_each_entry(tr, &ftrace_trace_arrays, list)
		if (tr->flags & TRACE_ARRAY_FL_GLOBAL)
			return tr;
	return NULL;
}

/* The instance that takes records of @name (NULL: global), or NULL. */
static struct trace_array *kho_ftrace_target(const char *name)
{
	struct trace_array *tr;

	if (!name)
		return kho_ftrace_global();
	tr = trace_array_get_by_name(name, NULL);
	if (tr)
		trace_array_put(tr);	/* the user may remove it later */
	else
		pr_err("instance %s: cannot create it; its records are dropped\n", name);
	return tr;
}

/* Restores, checks and attaches one CPU's pages; frees what it does not use. */
static void kho_ftrace_restore_cpu(struct kho_ftrace_in_ctx *r, const void *fdt, int node,
				   const char *instance, struct trace_array *tr, unsigned int order,
				   const void *positions, size_t positions_size)
{
	struct kho_ftrace_cpu_node n;
	int err, cpu;
	u32 nr, i, n_data = 0, n_empty = 0;
	struct kho_ftrace_cpu_view view;
	struct rb_kho_page reader = {}, *pages = NULL;
	unsigned int *ord = NULL;
	void **empty = NULL;
	u64 *pfns = NULL;
	bool *used = NULL, have_reader = false;
	struct trace_array *view_tr = tr;
	unsigned long reader_read = 0;
	u64 read_ts = 0;
	const char *why = NULL;
	char vname[64];

	if (kho_ftrace_cpu_node_check(fdt, node, positions_size, &n, &why))
		goto bad_node;
	if (n.nr_pages > totalram_pages()) {
		why = "more pages than this machine has";
		goto bad_node;
	}
	cpu = n.cpu;
	nr = n.nr_pages;
	pfns = kvcalloc(nr, sizeof(*pfns), GFP_KERNEL);
	ord = kvcalloc(nr, sizeof(*ord), GFP_KERNEL);
	pages = kvcalloc(nr, sizeof(*pages), GFP_KERNEL);
	empty = kvcalloc(nr, sizeof(*empty), GFP_KERNEL);
	used = kvcalloc(nr, sizeof(*used), GFP_KERNEL);
	if (!pfns || !ord || !pages || !empty || !used) {
		pr_err("instance %s cpu %d: out of memory; its records are dropped\n", instance, cpu);
		goto out;
	}
	if (kho_ftrace_pfns_decode(n.pfns, n.pfns_size, pfns, nr, max_pfn)) {
		why = "bad page list";
		goto bad_node;
	}
	if (kho_ftrace_cpu_record_check(positions + n.slot, positions_size - n.slot, nr, ord, &view,
					&why))
		goto bad_node;

	/* A CPU this kernel does not have: a read-only view of its own. */
	if (cpu < 0 || cpu >= nr_cpu_ids || !cpu_possible(cpu) ||
	    !rb_kho_nr_subbufs(tr->array_buffer.buffer, cpu)) {
		snprintf(vname, sizeof(vname), "%s%sprev-cpu%d", tr->name ?: "",
			 tr->name ? "-" : "", cpu);
		view_tr = kho_ftrace_target(vname);
		if (!view_tr)
			goto out;
		pr_info("instance %s: records of cpu %d, absent here, are in instance %s, cpu 0\n",
			instance, cpu, vname);
		cpu = 0;
	}
	if (order != rb_kho_subbuf_order(view_tr->array_buffer.buffer) &&
	    ring_buffer_subbuf_order_set(view_tr->array_buffer.buffer, order)) {
		pr_err("instance %s: cannot use sub-buffer order %u; its records are dropped\n",
		       instance, order);
		goto out;
	}

	for (i = 0; i < view.nr_valid; i++) {
		u32 idx = ord[i];
		struct folio *folio = kho_restore_folio(PFN_PHYS(pfns[idx]));
		struct kho_ftrace_page_info info;
		unsigned int read = i == 0 && view.first_is_reader ? view.reader_read : 0;

		used[idx] = true;
		if (!folio) {
			pr_err("instance %s cpu %d: page %#llx was not preserved; dropped\n",
			       instance, cpu, PFN_PHYS(pfns[idx]));
			continue;
		}
		if (folio_order(folio) != order) {
			pr_err("instance %s cpu %d: page %#llx has order %u, not %u; dropped\n",
			       instance, cpu, PFN_PHYS(pfns[idx]), folio_order(folio), order);
			folio_put(folio);
			continue;
		}
		err = kho_ftrace_page_check(folio_address(folio), folio_size(folio), read, &info,
					    &why);
		if (err) {
			pr_err("instance %s cpu %d: page %#llx dropped: %s\n", instance, cpu,
			       PFN_PHYS(pfns[idx]), why);
			folio_put(folio);
			continue;
		}
		kho_ftrace_page_rewrite(folio_address(folio), folio_size(folio), -view.kexec_clock,
					kho_ftrace_remap, r);
		if (read) {
			have_reader = true;
			reader = (struct rb_kho_page){ folio_address(folio), info.events, info.bytes };
			reader_read = read;
			read_ts = info.read_ts - view.kexec_clock;
		} else if (info.events) {
			pages[n_data++] = (struct rb_kho_page){ folio_address(folio), info.events,
								info.bytes };
		} else {
			empty[n_empty++] = folio_address(folio);
		}
	}
	for (i = 0; i < nr; i++) {
		struct folio *folio;

		if (used[i])
			continue;
		folio = kho_restore_folio(PFN_PHYS(pfns[i]));
		if (folio && folio_order(folio) == order)
			empty[n_empty++] = folio_address(folio);
		else if (folio)
			folio_put(folio);
	}
	err = rb_kho_attach(view_tr->array_buffer.buffer, cpu, have_reader ? &reader : NULL,
			    reader_read, read_ts, pages, n_data, empty, n_empty);
	if (err) {
		pr_err("instance %s cpu %d: cannot attach its pages (%d); dropped\n",
		       instance, cpu, err);
		if (have_reader)
			pages[n_data++] = reader;
		for (i = 0; i < n_data; i++)
			folio_put(virt_to_folio(pages[i].data));
		for (i = 0; i < n_empty; i++)
			folio_put(virt_to_folio(empty[i]));
		goto out;
	}
	view_tr->ring_buffer_expanded = true;
	per_cpu_ptr(view_tr->array_buffer.data, cpu)->entries =
		ring_buffer_size(view_tr->array_buffer.buffer, cpu);
	pr_info("instance %s cpu %d: %u pages with %s records attached, %u free\n", instance, cpu,
		n_data + have_reader, "previous-kernel", n_empty);
	goto out;

bad_node:
	pr_err("instance %s: cpu node %s: %s; dropped\n", instance, kho_ftrace_node_name(fdt, node),
	       why ?: "malformed");
out:
	kvfree(pfns);
	kvfree(ord);
	kvfree(pages);
	kvfree(empty);
	kvfree(used);
}

static void kho_ftrace_restore_instance(struct kho_ftrace_in_ctx *r, const void *fdt, int node,
					const void *positions, size_t positions_size)
{
	struct kho_ftrace_instance_node in;
	struct trace_array *tr;
	const char *why, *name;
	int sub;

	if (kho_ftrace_instance_node_check(fdt, node, &in, &why)) {
		pr_err("instance node %s: %s; dropped\n", kho_ftrace_node_name(fdt, node), why);
		return;
	}
	name = *in.name ? in.name : "global";
	tr = kho_ftrace_target(*in.name ? in.name : NULL);
	if (!tr)
		return;
	if (!*in.name && tracing_update_buffers(tr))
		pr_warn("global instance: cannot expand; previous records still attached\n");
	if (tracing_set_clock(tr, in.clock))
		pr_warn("instance %s: clock %s unknown here; kept its own\n", name, in.clock);
	kho_ftrace_for_each_node(fdt, node, KHO_FTRACE_CPU_COMPATIBLE, sub)
		kho_ftrace_restore_cpu(r, fdt, sub, name, tr, in.subbuf_order, positions,
				       positions_size);
}

/* Which kernel wrote the records, and where its text was, to name addresses. */
static void kho_ftrace_restore_kernel(const struct kho_ftrace_root_node *root,
				      const struct kho_ftrace_positions_view *pos)
{
	unsigned char id[KHO_FTRACE_BUILD_ID_SIZE];

	kho_ftrace_in.same_build = root->build_id && !kho_kernel_build_id(id) &&
		!memcmp(id, root->build_id, sizeof(id)) && memchr_inv(id, 0, sizeof(id));
	kho_ftrace_in.old_text = pos->text;
	pr_info("previous kernel %s this build: its addresses print %s\n",
		kho_ftrace_in.same_build ? "is" : "is not",
		kho_ftrace_in.same_build ? "as symbols" : "as raw hex");
	if (!pos->nr_modules)
		return;
	kho_ftrace_in.mods = kmemdup_array(pos->modules, pos->nr_modules, sizeof(*pos->modules),
					   GFP_KERNEL);
	if (kho_ftrace_in.mods)
		kho_ftrace_in.nr_mods = pos->nr_modules;
}

/* This kernel's events, in the table format, to compare fingerprints. */
static struct kho_ftrace_event_table *kho_ftrace_current_events(void)
{
	struct kho_ftrace_event_table *t;
	const char *why;
	size_t size;
	void *blob = kho_ftrace_events_blob(&size);

	if (!blob)
		return NULL;
	t = kho_ftrace_events_parse(blob, size, &why);
	kvfree(blob);
	return t;
}

/**
 * kho_ftrace_restore() - take back the previous kernel's trace buffers
 *
 * Runs once every CPU the kernel boots with is up (their buffers exist) and
 * the built-in events are registered.  Drops, with a log line, whatever
 * fails a check; KHO's finish gives back the memory of anything not taken.
 */
static void __init kho_ftrace_restore(void)
{
	struct kho_ftrace_in_ctx r = {};
	struct kho_ftrace_positions_view view;
	struct kho_ftrace_root_node root;
	const void *fdt = kho_get_fdt();
	struct folio *folio = NULL;
	const char *why;
	int err, sub;

	if (!fdt)
		return;
	err = kho_ftrace_root_node_find(fdt, &root, &why);
	if (err) {
		if (err != -ENOENT)
			pr_err("%s; previous trace records dropped\n", why);
		goto out;
	}
	folio = kho_restore_folio(root.positions_phys);
	if (!folio || folio_size(folio) < root.positions_size) {
		pr_err("positions block missing; previous trace records dropped\n");
		goto out;
	}
	if (kho_ftrace_positions_check(folio_address(folio), root.positions_size, &view, &why)) {
		pr_err("%s; previous trace records dropped\n", why);
		goto out;
	}

	kho_ftrace_in.old = root.events ?
		kho_ftrace_events_parse(root.events, root.events_size, &why) : NULL;
	if (!kho_ftrace_in.old)
		pr_err("event table: %s; previous records print as raw sizes\n",
		       root.events ? why : "missing");
	kho_ftrace_restore_kernel(&root, &view);
	r.cur = kho_ftrace_current_events();
	r.remap = kvcalloc(1 << 16, sizeof(u16), GFP_KERNEL);
	if (!r.remap) {
		pr_err("out of memory; previous trace records dropped\n");
		goto out;
	}
	kho_ftrace_for_each_node(fdt, root.node, KHO_FTRACE_INSTANCE_COMPATIBLE, sub)
		kho_ftrace_restore_instance(&r, fdt, sub, folio_address(folio), root.positions_size);
out:
	kvfree(r.remap);
	kho_ftrace_events_free(r.cur);
	if (folio)
		folio_put(folio);
	kho_put_fdt(fdt);
}

static int __init kho_ftrace_init(void)
{
	int err;

	BUILD_BUG_ON(sizeof(struct trace_entry) != 8 ||
		     offsetof(struct trace_entry, type) != 0 ||
		     sizeof_field(struct trace_entry, type) != 2);
	err = kho_ftrace_register_modules();
	err = err ?: register_reboot_notifier(&kho_ftrace_reboot_nb);
	err = err ?: register_kho_notifier(&kho_ftrace_nb);
	if (err)
		pr_err("cannot register (%d): trace buffers will not be handed over\n", err);
	kho_ftrace_restore();
	return 0;
}
core_initcall(kho_ftrace_init);
