// SPDX-License-Identifier: GPL-2.0
/*
 * ftrace across kexec: how one kernel's records are read by the next.
 * Outgoing, this kernel describes itself: its events' formats (and those
 * of the records it kept from its predecessor), its build id, its loaded
 * modules.  Incoming, a record of an event this kernel has with the same
 * format, and whose output depends on the record alone, becomes a record
 * of this kernel's event and prints as the previous kernel printed it;
 * any other event type of the previous kernel becomes a shadow event that
 * prints the record from its recorded format, naming addresses where it
 * can, and that tracefs describes to tools as previous_<system>/<name>.
 * The previous kernel's time stamps are negative.
 *
 * The formats, the printing and the naming are C++ (format.cpp); this file
 * owns the kernel objects.
 */
#define pr_fmt(fmt) "KHO ftrace: " fmt

#include <linux/buildid.h>
#include <linux/kallsyms.h>
#include <linux/kho_hooks.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/trace_seq.h>
#include <linux/unaligned.h>

#include "kernel/trace/trace.h"
#include "ftrace/format.h"
#include "ftrace/ftrace_internal.h"

extern const char __start_notes[], __stop_notes[];

int kho_ftrace_build_id(unsigned char *id)
{
	memset(id, 0, KHO_FTRACE_BUILD_ID_SIZE);
	return build_id_parse_buf(__start_notes, id, __stop_notes - __start_notes);
}

/* Loaded modules, for the next kernel to name their addresses. */
struct kho_ftrace_mod {
	struct list_head list;
	struct kho_ftrace_module desc;
	void *mod;
};
static LIST_HEAD(kho_ftrace_mods);
static DEFINE_MUTEX(kho_ftrace_mods_lock);

#ifdef CONFIG_MODULES
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
	} else if (state == MODULE_STATE_GOING) {
		list_for_each_entry_safe(m, tmp, &kho_ftrace_mods, list) {
			if (m->mod == mod) {
				list_del(&m->list);
				kfree(m);
			}
		}
	}
	return NOTIFY_DONE;
}

static struct notifier_block kho_ftrace_module_nb = {
	.notifier_call = kho_ftrace_module_notify,
};
#else
static struct notifier_block kho_ftrace_module_nb;	/* never called */
#endif

/* The loaded modules' text, at most @max of them (@out NULL: counts them). */
unsigned int kho_ftrace_write_modules(struct kho_ftrace_module *out, unsigned int max)
{
	struct kho_ftrace_mod *m;
	unsigned int n = 0;

	guard(mutex)(&kho_ftrace_mods_lock);
	list_for_each_entry(m, &kho_ftrace_mods, list) {
		if (out && n < max)
			out[n] = m->desc;
		n++;
	}
	return min(n, max);
}

/* A shadow's print format longer than this is not described to tools. */
#define KHO_FTRACE_PRINT_FMT_MAX 4096

/*
 * An event of the previous kernel, as this one prints it.  Where its
 * names and types allow, it is also an event of its own in tracefs, in
 * the system "previous_<system>", that cannot be enabled: its format file
 * tells tools that read records by it (trace-cmd) how to decode them.
 */
struct kho_ftrace_shadow {
	struct list_head list;		/* kho_ftrace_shadows */
	struct trace_event_call call;	/* call.event: the type its records have now */
	struct trace_event_class class;
	long idx;		/* in the previous kernel's table, or -1 */
	unsigned int old_type;
};

/* Never freed: records of these types may be read at any time. */
static LIST_HEAD(kho_ftrace_shadows);
static DEFINE_MUTEX(kho_ftrace_shadows_lock);

/* What the records of one event type of the previous kernel become here. */
struct kho_ftrace_in_type {
	u16 shadow;		/* prints from the recorded format; 0: not registered yet */
	u16 native;		/* this kernel's event that prints them itself, or 0 */
	u16 cur;		/* and its index in this kernel's table */
	u8 looked_up;
};

static struct {
	struct kho_ftrace_event_table *old;	/* kept: shadows print from it */
	struct kho_ftrace_names names;
	/* While restoring: */
	const struct kho_ftrace_root_node *root;
	bool tables_read;			/* old and cur, at the first record */
	struct kho_ftrace_event_table *cur;	/* this kernel's events */
	struct kho_ftrace_in_type *types;	/* indexed by the old type */
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
	struct kho_ftrace_shadow *sh = container_of(event, struct kho_ftrace_shadow, call.event);
	struct trace_seq *s = &iter->seq;
	char *buf;
	size_t room, len;

	if (sh->idx < 0) {
		trace_seq_printf(s, "previous-kernel event type %u: not described, %u bytes raw\n",
				 sh->old_type, iter->ent_size);
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

/* Records kept from the previous kernel are described to the next one. */
static int kho_ftrace_put_shadows(struct kho_ftrace_events_builder *b)
{
	struct kho_ftrace_shadow *sh;
	int err = 0;

	guard(mutex)(&kho_ftrace_shadows_lock);
	list_for_each_entry(sh, &kho_ftrace_shadows, list)
		if (!err && sh->idx >= 0)
			err = kho_ftrace_events_add_copy(b, kho_ftrace_in.old, sh->idx,
							 sh->call.event.type);
	return err;
}

/*
 * The previous kernel's event table, and this kernel's to compare formats
 * with, are read for the first record that needs them: buffers that hold
 * no records (tracing was off) leave them unread, and the boot is shorter.
 */
static void kho_ftrace_read_tables(void)
{
	const struct kho_ftrace_root_node *root = kho_ftrace_in.root;
	struct kho_ftrace_events_builder *b;
	const char *why;

	if (kho_ftrace_in.tables_read)
		return;
	kho_ftrace_in.tables_read = true;
	kho_ftrace_in.old = root->events ?
		kho_ftrace_events_parse(root->events, root->events_size, &why) : NULL;
	if (!kho_ftrace_in.old)
		pr_err("event table: %s; previous records print as raw sizes\n",
		       root->events ? why : "missing");
	b = kho_ftrace_events_collect();
	kho_ftrace_in.cur = b ? kho_ftrace_events_table(b) : NULL;
	kho_ftrace_events_builder_destroy(b);
}

/*
 * This kernel's event @system:@name, if its output depends on the record
 * alone: its print format names no pointer (%p) and no string outside the
 * record (TRACE_EVENT_FL_TEST_STR).  trace_marker's records qualify too:
 * their one address, in the kernel's text, is moved to this kernel's text
 * (kho_ftrace_move_ip()).  0 otherwise.
 */
static unsigned int kho_ftrace_native_type(const char *system, const char *name)
{
	struct trace_event_call *call;

	guard(mutex)(&event_mutex);
	list_for_each_entry(call, &ftrace_events, list) {
		if (!call->class || !call->class->system || strcmp(call->class->system, system) ||
		    strcmp(trace_event_name(call), name))
			continue;
		if (call->event.type == TRACE_PRINT)
			return TRACE_PRINT;
		if (!call->print_fmt || strstr(call->print_fmt, "%p") ||
		    (call->flags & TRACE_EVENT_FL_TEST_STR))
			return 0;
		return call->event.type;
	}
	return 0;
}

static void kho_ftrace_look_up(unsigned int old_type, struct kho_ftrace_in_type *t)
{
	const char *system, *name;
	long idx, cur;

	t->looked_up = true;
	kho_ftrace_read_tables();
	idx = kho_ftrace_in.old ? kho_ftrace_events_find_type(kho_ftrace_in.old, old_type) : -1;
	if (idx < 0 || !kho_ftrace_in.cur)
		return;
	name = kho_ftrace_events_name(kho_ftrace_in.old, idx, &system);
	cur = kho_ftrace_events_find_name(kho_ftrace_in.cur, system, name);
	/* Only this kernel's event with an identical format may print them. */
	if (cur < 0 || cur > U16_MAX ||
	    kho_ftrace_events_fingerprint(kho_ftrace_in.cur, cur) !=
	    kho_ftrace_events_fingerprint(kho_ftrace_in.old, idx))
		return;
	t->cur = cur;
	t->native = kho_ftrace_native_type(system, name);
	/* An address of an earlier kernel, or of another build, has no place here. */
	if (t->native == TRACE_PRINT &&
	    (!kho_ftrace_in.names.same_build || kho_ftrace_events_carried(kho_ftrace_in.old, idx)))
		t->native = 0;
}

/* A trace_marker record's address, in the previous kernel's text, moved into this one's. */
static bool kho_ftrace_move_ip(struct print_entry *entry)
{
	kx_u64 ip;

	/* A module's stays: the shadow names it. */
	if (!kho_ftrace_move_text_address(&kho_ftrace_in.names, get_unaligned(&entry->ip), &ip))
		return false;
	put_unaligned(ip, &entry->ip);
	return true;
}

static int kho_ftrace_shadow_define_fields(struct trace_event_call *call)
{
	struct kho_ftrace_shadow *sh = container_of(call, struct kho_ftrace_shadow, call);
	struct kho_ftrace_field_view f;
	unsigned int i, n = kho_ftrace_events_nr_fields(kho_ftrace_in.old, sh->idx);
	int err = 0;

	/* The strings stay in the previous kernel's table, which is never freed. */
	for (i = 0; i < n && !err; i++) {
		kho_ftrace_events_field(kho_ftrace_in.old, sh->idx, i, &f);
		err = trace_define_field(call, f.type, f.name, f.offset, f.size, f.is_signed,
					 FILTER_OTHER);
	}
	return err;
}

static struct trace_event_fields kho_ftrace_shadow_fields[] = {
	{ .type = TRACE_FUNCTION_TYPE, .define_fields = kho_ftrace_shadow_define_fields },
	{}
};

/* A shadow already described to tools as @system:@name. */
static bool kho_ftrace_shadow_named(const char *system, const char *name)
{
	struct kho_ftrace_shadow *sh;

	guard(mutex)(&kho_ftrace_shadows_lock);
	list_for_each_entry(sh, &kho_ftrace_shadows, list)
		if (sh->class.system && !strcmp(sh->class.system, system) &&
		    !strcmp(sh->call.name, name))
			return true;
	return false;
}

/*
 * Makes @sh an event in tracefs (see struct kho_ftrace_shadow).  A second
 * event of the same name (a chain of kernels keeps older ones) is told
 * apart by its type in the previous kernel.  Never removed.
 */
static void kho_ftrace_shadow_describe(struct kho_ftrace_shadow *sh)
{
	char *buf, *fmt = NULL, *sys = NULL, *unique = NULL;
	const char *system, *name, *why = "out of memory";
	long len;
	int err = -ENOMEM;

	buf = kmalloc(KHO_FTRACE_PRINT_FMT_MAX, GFP_KERNEL);
	if (!buf)
		goto fail;
	/* Checks the names and types first: nothing unchecked reaches tracefs or the log. */
	len = kho_ftrace_events_print_format(kho_ftrace_in.old, sh->idx, buf,
					     KHO_FTRACE_PRINT_FMT_MAX, &why);
	if (len < 0)
		goto fail;
	fmt = kmemdup(buf, len + 1, GFP_KERNEL);
	name = kho_ftrace_events_name(kho_ftrace_in.old, sh->idx, &system);
	sys = kasprintf(GFP_KERNEL, "previous_%s", system);
	if (!fmt || !sys)
		goto fail;
	if (kho_ftrace_shadow_named(sys, name)) {
		unique = kasprintf(GFP_KERNEL, "%s_%u", name, sh->old_type);
		if (!unique)
			goto fail;
		name = unique;
	}
	sh->class.system = sys;
	sh->class.fields_array = kho_ftrace_shadow_fields;
	INIT_LIST_HEAD(&sh->class.fields);
	sh->call.class = &sh->class;
	sh->call.name = name;
	sh->call.print_fmt = fmt;
	/* No enable, filter or trigger file; no class->reg: nothing to attach to. */
	sh->call.flags = TRACE_EVENT_FL_IGNORE_ENABLE;
	scoped_guard(mutex, &event_mutex)
		err = trace_add_event_call(&sh->call);
	if (err >= 0) {
		kfree(buf);
		return;
	}
	why = "cannot add it to tracefs";
	sh->class.system = NULL;
	sh->call.class = NULL;
	sh->call.print_fmt = NULL;
fail:
	pr_warn_ratelimited("previous-kernel event type %u: not described to tools: %s\n",
			    sh->old_type, why);
	kfree(unique);
	kfree(sys);
	kfree(fmt);
	kfree(buf);
}

static unsigned int kho_ftrace_shadow_type(unsigned int old_type)
{
	struct kho_ftrace_shadow *sh = kzalloc(sizeof(*sh), GFP_KERNEL);

	if (!sh)
		return 0;	/* type 0 is never registered: prints as unknown */
	sh->old_type = old_type;
	sh->idx = kho_ftrace_in.old ? kho_ftrace_events_find_type(kho_ftrace_in.old, old_type) : -1;
	sh->call.event.funcs = &kho_ftrace_shadow_funcs;
	if (!register_trace_event(&sh->call.event)) {
		kfree(sh);
		return 0;
	}
	if (sh->idx >= 0)
		kho_ftrace_shadow_describe(sh);
	scoped_guard(mutex, &kho_ftrace_shadows_lock)
		list_add_tail(&sh->list, &kho_ftrace_shadows);
	return sh->call.event.type;
}

unsigned int kho_ftrace_remap(void *ctx, unsigned int old_type, void *payload, unsigned int size)
{
	struct kho_ftrace_in_type *t = &kho_ftrace_in.types[old_type];

	if (!t->looked_up)
		kho_ftrace_look_up(old_type, t);
	/*
	 * The record is checked against the format its own output trusts:
	 * this kernel's, not the previous kernel's description of it (a
	 * fingerprint is no proof).
	 */
	if (t->native && kho_ftrace_events_record_sound(kho_ftrace_in.cur, t->cur, payload, size) &&
	    (t->native != TRACE_PRINT || kho_ftrace_move_ip(payload)))
		return t->native;
	if (!t->shadow)
		t->shadow = kho_ftrace_shadow_type(old_type);
	return t->shadow;
}

/* This kernel's events, and those it kept from the previous one. */
struct kho_ftrace_events_builder *kho_ftrace_events_collect(void)
{
	struct kho_ftrace_events_builder *b = kho_ftrace_events_builder_create();
	struct trace_event_call *call;
	struct ftrace_event_field *field;
	int err = b ? 0 : -ENOMEM;

	mutex_lock(&event_mutex);
	list_for_each_entry(call, &ftrace_events, list) {
		/* Shadows are described under their own names, below. */
		if (err || !call->event.type || !call->class || !call->class->system ||
		    call->class->fields_array == kho_ftrace_shadow_fields)
			continue;
		err = kho_ftrace_events_add(b, call->event.type, call->class->system,
					    trace_event_name(call));
		list_for_each_entry(field, trace_get_fields(call), link) {
			if (err)
				break;
			err = kho_ftrace_events_add_field(b, field->name, field->type,
							  field->offset, field->size,
							  field->is_signed);
		}
	}
	mutex_unlock(&event_mutex);
	err = err ?: kho_ftrace_put_shadows(b);
	if (err) {
		kho_ftrace_events_builder_destroy(b);
		return NULL;
	}
	return b;
}

/*
 * Before the restore: where the previous kernel's text was, to name the
 * addresses in its records; its events come with the first record
 * (kho_ftrace_read_tables()).  @root must stay until kho_ftrace_records_end().
 */
int __init kho_ftrace_records_begin(const struct kho_ftrace_root_node *root,
				    const struct kho_ftrace_positions_view *pos)
{
	struct kho_ftrace_names *names = &kho_ftrace_in.names;
	unsigned char id[KHO_FTRACE_BUILD_ID_SIZE];

	kho_ftrace_in.root = root;
	kho_ftrace_in.types = kvcalloc(1 << 16, sizeof(*kho_ftrace_in.types), GFP_KERNEL);

	names->same_build = root->build_id && !kho_ftrace_build_id(id) &&
		!memcmp(id, root->build_id, sizeof(id)) && memchr_inv(id, 0, sizeof(id));
	names->old_text = pos->text;
	names->text = (unsigned long)_text;
	names->text_size = _etext - _text;
	names->symbol = kho_ftrace_symbol;
	pr_info("previous kernel %s this build: its addresses print %s\n",
		names->same_build ? "is" : "is not",
		names->same_build ? "as symbols" : "as raw hex");
	names->modules = kmemdup_array(pos->modules, pos->nr_modules, sizeof(*pos->modules),
				       GFP_KERNEL);
	if (names->modules)
		names->nr_modules = pos->nr_modules;
	return kho_ftrace_in.types ? 0 : -ENOMEM;
}

void __init kho_ftrace_records_end(void)
{
	kvfree(kho_ftrace_in.types);
	kho_ftrace_in.types = NULL;
	kho_ftrace_events_free(kho_ftrace_in.cur);
	kho_ftrace_in.cur = NULL;
	kho_ftrace_in.root = NULL;
}

static int __init kho_ftrace_records_init(void)
{
	if (register_module_notifier(&kho_ftrace_module_nb))
		pr_err("cannot follow modules: their addresses will print as hex\n");
	return 0;
}
core_initcall(kho_ftrace_records_init);
