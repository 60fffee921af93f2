// SPDX-License-Identifier: GPL-2.0
#include "ftrace/ring_page.hpp"

namespace ftrace {

using kx::Errno;
using kx::u32;
using kx::u64;
using kx::u8;
using kx::usize;

namespace {

constexpr u32 kMissedEvents = 1u << 31;
constexpr u32 kMissedStored = 1u << 30;
constexpr u32 kTypePadding = 29;
constexpr u32 kTypeTimeExtend = 30;
constexpr u32 kTypeTimeStamp = 31;
constexpr u64 kTsMsb = 0xf8000000'00000000ull;  // bits the 59-bit stamps lack

template <typename T>
T load(const u8* p)
{
	T v;
	__builtin_memcpy(&v, p, sizeof(v));
	return v;
}

// An absolute stamp carries 59 bits; the top ones come from the last full
// time stamp, as the writer's rb_fix_abs_ts() does.
u64 fix_abs(u64 abs, u64 last)
{
	if (last & kTsMsb) {
		abs |= last & kTsMsb;
		if (abs < last)
			abs += u64{1} << 59;
	}
	return abs;
}

}  // namespace

kx::Result<PageSummary> check_page(kx::Span<const u8> subbuf, const char*& why)
{
	why = "page too small";
	if (subbuf.size() <= kPageHeaderSize)
		return Errno::inval;
	const u8* data = subbuf.data() + kPageHeaderSize;
	const usize capacity = subbuf.size() - kPageHeaderSize;
	const u64 raw_commit = load<u64>(subbuf.data() + 8);
	const u32 commit = static_cast<u32>(raw_commit) & ~(kMissedEvents | kMissedStored);

	why = "commit beyond the page";
	if ((raw_commit >> 32) != 0 || commit > capacity || commit % 4)
		return Errno::inval;
	if ((raw_commit & kMissedStored) && capacity - commit < sizeof(u64))
		return Errno::inval;

	PageSummary sum = {0, commit, load<u64>(subbuf.data()), (raw_commit & kMissedEvents) != 0};
	u64 ts = sum.last_ts;
	for (usize at = 0; at < commit;) {
		why = "event header beyond the commit";
		if (commit - at < 4)
			return Errno::inval;
		const u32 header = load<u32>(data + at);
		const u32 type_len = header & 0x1f;
		const u32 delta = header >> 5;
		usize len;

		if (type_len == kTypePadding && delta == 0)
			break;  // the rest of the page is padding
		if (type_len == kTypeTimeExtend || type_len == kTypeTimeStamp) {
			why = "time stamp event beyond the commit";
			if (commit - at < 8)
				return Errno::inval;
			const u64 value = u64{load<u32>(data + at + 4)} << 27 | delta;
			if (type_len == kTypeTimeExtend) {
				why = "time stamp overflows";
				if (ts + value < ts)
					return Errno::inval;
				ts += value;
			} else {
				why = "absolute time stamp goes backwards";
				const u64 abs = fix_abs(value, ts);
				if (abs < ts)
					return Errno::inval;
				ts = abs;
			}
			at += 8;
			continue;
		}
		if (type_len == 0 || type_len == kTypePadding) {
			why = "event length word beyond the commit";
			if (commit - at < 8)
				return Errno::inval;
			len = usize{load<u32>(data + at + 4)} + 4;
			why = "event length invalid";
			if (len < 8 || len % 4)
				return Errno::inval;
		} else {
			len = usize{type_len} * 4 + 4;
		}
		why = "event beyond the commit";
		if (len > commit - at)
			return Errno::inval;
		why = "time stamp overflows";
		if (ts + delta < ts)
			return Errno::inval;
		ts += delta;
		if (type_len != kTypePadding)
			sum.events++;
		at += len;
	}
	sum.last_ts = ts;
	why = nullptr;
	return sum;
}

}  // namespace ftrace
