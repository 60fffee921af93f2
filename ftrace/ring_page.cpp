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
constexpr u64 kTsMask = ~kTsMsb;

template <typename T>
T load(const u8* p)
{
	T v;
	__builtin_memcpy(&v, p, sizeof(v));
	return v;
}

template <typename T>
void store(u8* p, T v)
{
	__builtin_memcpy(p, &v, sizeof(v));
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

u32 commit_of(const u8* page)
{
	return static_cast<u32>(load<u64>(page + 8)) & ~(kMissedEvents | kMissedStored);
}

}  // namespace

kx::Result<PageSummary> check_page(kx::Span<const u8> subbuf, const char*& why, PageRules rules)
{
	why = "page too small";
	if (subbuf.size() <= kPageHeaderSize)
		return Errno::inval;
	const u8* data = subbuf.data() + kPageHeaderSize;
	const usize capacity = subbuf.size() - kPageHeaderSize;
	const u64 raw_commit = load<u64>(subbuf.data() + 8);
	const u32 commit = commit_of(subbuf.data());

	why = "commit beyond the page";
	if ((raw_commit >> 32) != 0 || commit > capacity || commit % 4)
		return Errno::inval;
	if ((raw_commit & kMissedStored) && capacity - commit < sizeof(u64))
		return Errno::inval;
	why = "read offset beyond the commit";
	if (rules.read > commit)
		return Errno::inval;

	PageSummary sum = {0, commit, 0, load<u64>(subbuf.data()), (raw_commit & kMissedEvents) != 0};
	u64 ts = sum.last_ts;
	bool read_seen = rules.read == 0;
	if (read_seen)
		sum.read_ts = ts;
	for (usize at = 0; at < commit;) {
		if (!read_seen && at >= rules.read) {
			why = "read offset inside an event";
			if (at != rules.read)
				return Errno::inval;
			read_seen = true;
			sum.read_ts = ts;
		}
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
		usize payload;
		if (type_len == 0 || type_len == kTypePadding) {
			why = "event length word beyond the commit";
			if (commit - at < 8)
				return Errno::inval;
			len = usize{load<u32>(data + at + 4)} + 4;
			why = "event length invalid";
			if (len < 8 || len % 4)
				return Errno::inval;
			payload = len - 8;
		} else {
			len = usize{type_len} * 4 + 4;
			payload = len - 4;
		}
		why = "event beyond the commit";
		if (len > commit - at)
			return Errno::inval;
		why = "event shorter than its record header";
		if (type_len != kTypePadding && payload < rules.min_payload)
			return Errno::inval;
		why = "time stamp overflows";
		if (ts + delta < ts)
			return Errno::inval;
		ts += delta;
		if (type_len != kTypePadding && read_seen)
			sum.events++;
		at += len;
	}
	why = "read offset inside an event";
	if (!read_seen && rules.read != commit)
		return Errno::inval;
	if (!read_seen)
		sum.read_ts = ts;
	sum.last_ts = ts;
	why = nullptr;
	return sum;
}

void rewrite_page(kx::Span<u8> subbuf, u64 shift, TypeRemap remap, void* ctx)
{
	u8* data = subbuf.data() + kPageHeaderSize;
	const u32 commit = commit_of(subbuf.data());
	u64 ts = load<u64>(subbuf.data());

	store<u64>(subbuf.data(), ts + shift);
	for (usize at = 0; at < commit;) {
		const u32 header = load<u32>(data + at);
		const u32 type_len = header & 0x1f;
		const u32 delta = header >> 5;

		if (type_len == kTypePadding && delta == 0)
			break;
		if (type_len == kTypeTimeExtend) {
			ts += u64{load<u32>(data + at + 4)} << 27 | delta;
			at += 8;
			continue;
		}
		if (type_len == kTypeTimeStamp) {
			const u64 abs = fix_abs(u64{load<u32>(data + at + 4)} << 27 | delta, ts);
			const u64 moved = (abs + shift) & kTsMask;
			ts = abs;
			store<u32>(data + at, type_len | static_cast<u32>(moved << 5));
			store<u32>(data + at + 4, static_cast<u32>(moved >> 27));
			at += 8;
			continue;
		}
		usize len, payload_at;
		if (type_len == 0 || type_len == kTypePadding) {
			len = usize{load<u32>(data + at + 4)} + 4;
			payload_at = at + 8;
		} else {
			len = usize{type_len} * 4 + 4;
			payload_at = at + 4;
		}
		ts += delta;
		if (type_len != kTypePadding) {
			const u32 payload = static_cast<u32>(at + len - payload_at);
			const u32 type = load<__UINT16_TYPE__>(data + payload_at);
			store<__UINT16_TYPE__>(data + payload_at,
					       static_cast<__UINT16_TYPE__>(remap(ctx, type, payload)));
		}
		at += len;
	}
}

}  // namespace ftrace
