/* SPDX-License-Identifier: GPL-2.0 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM kho_event

#if !defined(_KHO_EVENT_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _KHO_EVENT_TRACE_H

#include <linux/tracepoint.h>

TRACE_EVENT(kho_event_demo,
	TP_PROTO(int seq, const char *word),
	TP_ARGS(seq, word),
	TP_STRUCT__entry(
		__field(int, seq)
		__string(word, word)
	),
	TP_fast_assign(
		__entry->seq = seq;
		__assign_str(word);
	),
	TP_printk("seq=%d word=%s", __entry->seq, __get_str(word))
);

#endif /* _KHO_EVENT_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#define TRACE_INCLUDE_FILE kho_event_trace
#include <trace/define_trace.h>
