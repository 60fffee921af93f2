/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Between the parts of the ftrace handover: outgoing.c, incoming.c,
 * records.c and config.c.  What they ask of the ring buffer is in
 * <linux/kho_hooks.h>.
 */
#ifndef KHO_FTRACE_INTERNAL_H
#define KHO_FTRACE_INTERNAL_H

struct trace_array;
struct trace_buffer;
struct kho_ftrace_events_builder;
struct kho_ftrace_module;
struct kho_ftrace_root_node;
struct kho_ftrace_positions_view;

/* outgoing.c */
unsigned long kho_ftrace_nr_subbufs(struct trace_buffer *buffer, int cpu);
const char *kho_ftrace_clock(const struct trace_array *tr);

/* incoming.c, for config.c too */
bool kho_ftrace_has_records(struct trace_array *tr);
int kho_ftrace_set_clock(struct trace_array *tr, const char *name, const char *clock);

/* config.c, incoming: configure, then take the records, then start tracing. */
#ifdef CONFIG_KSTATE
void kho_ftrace_config_restore(void);
void kho_ftrace_config_start(void);
#else
static inline void kho_ftrace_config_restore(void) { }
static inline void kho_ftrace_config_start(void) { }
#endif

/* records.c, outgoing */
int kho_ftrace_build_id(unsigned char *id);
unsigned int kho_ftrace_write_modules(struct kho_ftrace_module *out, unsigned int max);
struct kho_ftrace_events_builder *kho_ftrace_events_collect(void);

/* records.c, incoming: kho_ftrace_remap() is valid from begin to end. */
int kho_ftrace_records_begin(const struct kho_ftrace_root_node *root,
			     const struct kho_ftrace_positions_view *pos);
unsigned int kho_ftrace_remap(void *ctx, unsigned int old_type, void *payload, unsigned int size);
void kho_ftrace_records_end(void);

#endif /* KHO_FTRACE_INTERNAL_H */
