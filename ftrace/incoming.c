// SPDX-License-Identifier: GPL-2.0
/*
 * ftrace across kexec, incoming, at core_initcall: each instance of the
 * previous kernel is found or created, every sub-buffer is checked
 * (ring_page.cpp), its time stamps moved to "before the kexec" (negative)
 * and its event types re-mapped to shadow events that print the record
 * from its recorded format; then the ring buffer re-attaches the pages
 * without copying.
 *
 * The nodes and the positions block are read by C++ (node.cpp) and reach
 * this file checked; this file owns the kernel objects.
 */
#define pr_fmt(fmt) "KHO ftrace: " fmt

#include <linux/kallsyms.h>
#include <linux/kexec_handover.h>
#include <linux/kho_hooks.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/trace_seq.h>

#include "kernel/trace/trace.h"
#include "kho/kho_internal.h"
#include "ftrace/format.h"
#include "ftrace/ftrace_internal.h"

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
	struct kho_ftrace_names names;
} kho_ftrace_in;

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
	char text[32];

	if (!kho_ftrace_format_time(ts, in_ns, text, sizeof(text)))
		return false;
	trace_seq_puts(s, text);
	return true;
}

static void kho_ftrace_symbol(kx_u64 addr, char *buf, size_t size)
{
	char sym[KSYM_SYMBOL_LEN];

	sprint_symbol(sym, addr);
	strscpy(buf, sym, size);
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
				       &kho_ftrace_in.names, buf, room);
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

int kho_ftrace_put_shadows(struct kho_ftrace_events_builder *b)
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

/* Restores, checks and attaches one CPU's pages; gives back what it does not use. */
static void kho_ftrace_restore_cpu(struct kho_ftrace_in_ctx *r, const void *fdt, int node,
				   const char *instance, struct trace_array *tr, unsigned int order,
				   const void *positions, size_t positions_size)
{
	struct kho_ftrace_cpu_in in;
	struct rb_kho_page reader = {}, *pages = NULL;
	struct trace_array *view_tr = tr;
	unsigned int reader_read = 0, n_data = 0, n_empty = 0, i;
	void **empty = NULL;
	bool *used = NULL;
	const char *why;
	u64 read_ts = 0;
	char vname[64];
	int err, cpu;

	if (kho_ftrace_cpu_read(fdt, node, positions, positions_size, max_pfn, &in, &why)) {
		pr_err("instance %s: cpu node %s: %s; dropped\n", instance,
		       kho_ftrace_node_name(fdt, node), why);
		return;
	}
	cpu = in.node.cpu;
	pages = kvcalloc(in.node.nr_pages, sizeof(*pages), GFP_KERNEL);
	empty = kvcalloc(in.node.nr_pages, sizeof(*empty), GFP_KERNEL);
	used = kvcalloc(in.node.nr_pages, sizeof(*used), GFP_KERNEL);
	if (!pages || !empty || !used) {
		pr_err("instance %s cpu %d: out of memory; its records are dropped\n", instance, cpu);
		goto out;
	}

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

	for (i = 0; i < in.view.nr_valid; i++) {
		u32 idx = in.order[i];
		u64 phys = PFN_PHYS(in.pfns[idx]);
		struct folio *folio = kho_restore_folio(phys);
		struct kho_ftrace_page_info info;
		unsigned int read = i == 0 && in.view.first_is_reader ? in.view.reader_read : 0;

		used[idx] = true;
		if (!folio) {
			pr_err("instance %s cpu %d: page %#llx was not preserved; dropped\n",
			       instance, cpu, phys);
			continue;
		}
		if (folio_order(folio) != order) {
			pr_err("instance %s cpu %d: page %#llx has order %u, not %u; dropped\n",
			       instance, cpu, phys, folio_order(folio), order);
			folio_put(folio);
			continue;
		}
		if (kho_ftrace_page_check(folio_address(folio), folio_size(folio), read, &info, &why)) {
			pr_err("instance %s cpu %d: page %#llx dropped: %s\n", instance, cpu, phys, why);
			folio_put(folio);
			continue;
		}
		kho_ftrace_page_rewrite(folio_address(folio), folio_size(folio), -in.view.kexec_clock,
					kho_ftrace_remap, r);
		if (read) {
			reader = (struct rb_kho_page){ folio_address(folio), info.events, info.bytes };
			reader_read = read;
			read_ts = info.read_ts - in.view.kexec_clock;
		} else if (info.events) {
			pages[n_data++] = (struct rb_kho_page){ folio_address(folio), info.events,
								info.bytes };
		} else {
			empty[n_empty++] = folio_address(folio);
		}
	}
	for (i = 0; i < in.node.nr_pages; i++) {
		struct folio *folio = used[i] ? NULL : kho_restore_folio(PFN_PHYS(in.pfns[i]));

		if (folio && folio_order(folio) == order)
			empty[n_empty++] = folio_address(folio);
		else if (folio)
			folio_put(folio);
	}
	err = rb_kho_attach(view_tr->array_buffer.buffer, cpu, reader_read ? &reader : NULL,
			    reader_read, read_ts, pages, n_data, empty, n_empty);
	if (err) {
		pr_err("instance %s cpu %d: cannot attach its pages (%d); dropped\n",
		       instance, cpu, err);
		if (reader_read)
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
		n_data + !!reader_read, "previous-kernel", n_empty);
out:
	kho_ftrace_cpu_in_free(&in);
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
	struct kho_ftrace_names *names = &kho_ftrace_in.names;
	unsigned char id[KHO_FTRACE_BUILD_ID_SIZE];

	names->same_build = root->build_id && !kho_ftrace_build_id(id) &&
		!memcmp(id, root->build_id, sizeof(id)) && memchr_inv(id, 0, sizeof(id));
	names->old_text = pos->text;
	names->text = (unsigned long)_text;
	names->text_size = _etext - _text;
	names->symbol = kho_ftrace_symbol;
	pr_info("previous kernel %s this build: its addresses print %s\n",
		names->same_build ? "is" : "is not",
		names->same_build ? "as symbols" : "as raw hex");
	if (!pos->nr_modules)
		return;
	names->modules = kmemdup_array(pos->modules, pos->nr_modules, sizeof(*pos->modules),
				       GFP_KERNEL);
	if (names->modules)
		names->nr_modules = pos->nr_modules;
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
	struct kho_ftrace_events_builder *b;
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
	b = kho_ftrace_events_collect();
	r.cur = b ? kho_ftrace_events_table(b) : NULL;
	kho_ftrace_events_builder_destroy(b);
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

static int __init kho_ftrace_in_init(void)
{
	BUILD_BUG_ON(sizeof(struct trace_entry) != 8 ||
		     offsetof(struct trace_entry, type) != 0 ||
		     sizeof_field(struct trace_entry, type) != 2);
	kho_ftrace_restore();
	return 0;
}
core_initcall(kho_ftrace_in_init);
