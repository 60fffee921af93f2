/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Between the two halves of the ftrace handover (outgoing.c, incoming.c),
 * and what they ask of the ring buffer (kernel/trace/ring_buffer.c, which
 * includes rb_handover.h); the other direction goes through
 * <linux/kho_hooks.h>.  Not a public API.
 */
#ifndef KHO_FTRACE_INTERNAL_H
#define KHO_FTRACE_INTERNAL_H

#include <linux/types.h>

struct trace_buffer;
struct kho_ftrace_events_builder;

/* outgoing.c */
int kho_ftrace_build_id(unsigned char *id);
struct kho_ftrace_events_builder *kho_ftrace_events_collect(void);
/* incoming.c: the events of the records kept from the previous kernel. */
int kho_ftrace_put_shadows(struct kho_ftrace_events_builder *b);

/* A previous-kernel sub-buffer, checked and adapted, to attach. */
struct rb_kho_page {
	void *data;
	unsigned int events;	/* unread data events */
	unsigned int bytes;	/* its commit */
};

unsigned int rb_kho_subbuf_order(struct trace_buffer *buffer);
u64 (*rb_kho_clock(struct trace_buffer *buffer))(void);
unsigned long rb_kho_nr_subbufs(struct trace_buffer *buffer, int cpu);
int rb_kho_for_each_subbuf(struct trace_buffer *buffer, int cpu,
			   int (*fn)(void *ctx, void *data), void *ctx);
int rb_kho_for_each_unread(struct trace_buffer *buffer, int cpu,
			   int (*fn)(void *ctx, void *data), void *ctx,
			   unsigned int *reader_read, bool *first_is_reader);
int rb_kho_attach(struct trace_buffer *buffer, int cpu, const struct rb_kho_page *reader,
		  unsigned int reader_read, u64 read_ts, const struct rb_kho_page *pages,
		  unsigned int nr_pages, void *const *empty, unsigned int nr_empty);

#endif /* KHO_FTRACE_INTERNAL_H */
