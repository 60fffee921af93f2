// SPDX-License-Identifier: GPL-2.0
// One ring-buffer data page (sub-buffer) from the previous kernel, checked
// before it may be attached to a buffer of this one: the on-page format is
// the versioned contract between the two kernels, not the internal structs.
//
//   u64  time_stamp      page's first time stamp
//   long commit          bytes of events; bit 31: events were lost before
//                        this page, bit 30: their count follows the data
//   u8   data[]          events: a u32 header (type_len:5, time_delta:27),
//                        then payload (include/linux/ring_buffer.h)
#pragma once

#include <kx/result.hpp>
#include <kx/span.hpp>
#include <kx/types.hpp>

namespace ftrace {

inline constexpr kx::usize kPageHeaderSize = 16;  // u64 + 64-bit long

struct PageSummary {
	kx::u32 events;       // data events (not time extends or padding)
	kx::u32 data_bytes;   // the commit, flags masked
	kx::u64 last_ts;      // time stamp after the last event
	bool missed_events;   // events were lost before this page
};

// Checks bounds, commit size, every event's length and type, and that time
// never goes backwards (absolute stamps included).  On error @why names
// the problem, for the one log line.
kx::Result<PageSummary> check_page(kx::Span<const kx::u8> subbuf, const char*& why);

}  // namespace ftrace
