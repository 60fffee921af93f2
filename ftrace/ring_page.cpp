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

// One event header, decoded: the layout rules of include/linux/ring_buffer.h
// in one place for the check and the rewrite.
struct RawEvent {
	u32 type_len;
	u32 delta;
	usize len;         // whole event, header included
	usize payload_at;  // data events and padding
	u64 stamp;         // time extends and absolute stamps: the 59-bit value
};

bool is_stamp(u32 type_len)
{
	return type_len == kTypeTimeExtend || type_len == kTypeTimeStamp;
}

bool is_data(u32 type_len)
{
	return type_len != kTypePadding && !is_stamp(type_len);
}

// The event at @at, or an error naming what lies beyond @commit.
kx::Result<RawEvent> decode(const u8* data, usize at, usize commit)
{
	if (commit - at < 4)
		return kx::invalid("event header beyond the commit");
	const u32 header = load<u32>(data + at);
	RawEvent e = {header & 0x1f, header >> 5, 0, 0, 0};

	if (is_stamp(e.type_len)) {
		if (commit - at < 8)
			return kx::invalid("time stamp event beyond the commit");
		e.stamp = u64{load<u32>(data + at + 4)} << 27 | e.delta;
		e.len = 8;
	} else if (e.type_len == 0 || e.type_len == kTypePadding) {
		if (commit - at < 8)
			return kx::invalid("event length word beyond the commit");
		e.len = usize{load<u32>(data + at + 4)} + 4;
		e.payload_at = at + 8;
		if (e.len < 8 || e.len % 4)
			return kx::invalid("event length invalid");
	} else {
		e.len = usize{e.type_len} * 4 + 4;
		e.payload_at = at + 4;
	}
	if (e.len > commit - at)
		return kx::invalid("event beyond the commit");
	return e;
}

bool is_null_padding(const u8* data, usize at)
{
	const u32 header = load<u32>(data + at);
	return (header & 0x1f) == kTypePadding && !(header >> 5);
}

}  // namespace

kx::Result<kho_ftrace_page_info> check_page(kx::Span<const u8> subbuf, PageRules rules)
{
	if (subbuf.size() <= kPageHeaderSize)
		return kx::invalid("page too small");
	const u8* data = subbuf.data() + kPageHeaderSize;
	const usize capacity = subbuf.size() - kPageHeaderSize;
	const u64 raw_commit = load<u64>(subbuf.data() + 8);
	const u32 commit = commit_of(subbuf.data());

	if ((raw_commit >> 32) != 0 || commit > capacity || commit % 4 ||
	    ((raw_commit & kMissedStored) && capacity - commit < sizeof(u64)))
		return kx::invalid("commit beyond the page");
	if (rules.read > commit)
		return kx::invalid("read offset beyond the commit");

	kho_ftrace_page_info sum = {0, commit, 0, load<u64>(subbuf.data()), (raw_commit & kMissedEvents) != 0};
	u64 ts = sum.last_ts;
	bool read_seen = rules.read == 0;
	if (read_seen)
		sum.read_ts = ts;
	for (usize at = 0; at < commit;) {
		if (!read_seen && at >= rules.read) {
			if (at != rules.read)
				return kx::invalid("read offset inside an event");
			read_seen = true;
			sum.read_ts = ts;
		}
		if (commit - at < 4)
			return kx::invalid("event header beyond the commit");
		if (is_null_padding(data, at))
			break;  // the rest of the page is padding
		const RawEvent e = TRY(decode(data, at, commit));
		if (e.type_len == kTypeTimeExtend) {
			if (ts + e.stamp < ts)
				return kx::invalid("time stamp overflows");
			ts += e.stamp;
		} else if (e.type_len == kTypeTimeStamp) {
			const u64 abs = fix_abs(e.stamp, ts);
			if (abs < ts)
				return kx::invalid("absolute time stamp goes backwards");
			ts = abs;
		} else {
			if (is_data(e.type_len) && at + e.len - e.payload_at < rules.min_payload)
				return kx::invalid("event shorter than its record header");
			if (ts + e.delta < ts)
				return kx::invalid("time stamp overflows");
			ts += e.delta;
			if (is_data(e.type_len) && read_seen)
				sum.events++;
		}
		at += e.len;
	}
	if (!read_seen && rules.read != commit)
		return kx::invalid("read offset inside an event");
	if (!read_seen)
		sum.read_ts = ts;
	sum.last_ts = ts;
	return sum;
}

void rewrite_page(kx::Span<u8> subbuf, u64 shift, TypeRemap remap, void* ctx)
{
	u8* data = subbuf.data() + kPageHeaderSize;
	const u32 commit = commit_of(subbuf.data());
	u64 ts = load<u64>(subbuf.data());

	store<u64>(subbuf.data(), ts + shift);
	for (usize at = 0; at < commit && !is_null_padding(data, at);) {
		auto decoded = decode(data, at, commit);
		KX_ASSERT(decoded.is_ok());  // check_page() accepted the page
		const RawEvent e = decoded.release_value();
		if (e.type_len == kTypeTimeExtend) {
			ts += e.stamp;
		} else if (e.type_len == kTypeTimeStamp) {
			const u64 abs = fix_abs(e.stamp, ts);
			const u64 moved = (abs + shift) & kTsMask;
			ts = abs;
			store<u32>(data + at, e.type_len | static_cast<u32>(moved << 5));
			store<u32>(data + at + 4, static_cast<u32>(moved >> 27));
		} else {
			ts += e.delta;
		}
		if (is_data(e.type_len)) {
			const u32 payload = static_cast<u32>(at + e.len - e.payload_at);
			const u32 type = load<__UINT16_TYPE__>(data + e.payload_at);
			store<__UINT16_TYPE__>(data + e.payload_at,
					       static_cast<__UINT16_TYPE__>(
						       remap(ctx, type, data + e.payload_at, payload)));
		}
		at += e.len;
	}
}

}  // namespace ftrace

// The record header (struct trace_entry) starts with the u16 type.
static constexpr unsigned int kRecordHeader = 8;

extern "C" int kho_ftrace_page_check(const void* subbuf, kx_size_t size, unsigned int read,
				     kho_ftrace_page_info* info, const char** why)
{
	return kx::to_errno(ftrace::check_page({static_cast<const kx::u8*>(subbuf), size}, {read, kRecordHeader}),
			    info, why);
}

extern "C" void kho_ftrace_page_rewrite(void* subbuf, kx_size_t size, kx_u64 shift,
					kho_ftrace_remap_t remap, void* ctx)
{
	ftrace::rewrite_page({static_cast<kx::u8*>(subbuf), size}, shift, remap, ctx);
}
