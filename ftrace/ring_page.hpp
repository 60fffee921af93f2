// SPDX-License-Identifier: GPL-2.0
// One ring-buffer data page (sub-buffer) from the previous kernel, checked
// before it may be attached to a buffer of this one, then adapted to this
// kernel in place: the on-page format is the versioned contract between the
// two kernels, not the internal structs.
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

#include "ftrace/format.h"

namespace ftrace {

inline constexpr kx::usize kPageHeaderSize = KHO_FTRACE_PAGE_HEADER_SIZE;

struct PageRules {
	kx::u32 read = 0;         // bytes already consumed: must be an event boundary
	kx::u32 min_payload = 0;  // every data event carries at least this much
};

// Checks bounds, commit size, every event's length and type, and that time
// never goes backwards (absolute stamps included).  A refusal's reason
// names the problem, for the one log line.
kx::Result<kho_ftrace_page_info> check_page(kx::Span<const kx::u8> subbuf, PageRules rules = {});

// Gives each data event's payload (starting with its u16 event type) to
// @remap, which returns the type to store instead and may adapt the rest of
// the payload in place, and moves every time stamp by @shift (mod 2^64).
// Only for a page check_page() accepted.
using TypeRemap = kx::u32 (*)(void* ctx, kx::u32 old_type, void* payload, kx::u32 payload_size);
void rewrite_page(kx::Span<kx::u8> subbuf, kx::u64 shift, TypeRemap remap, void* ctx);

}  // namespace ftrace
