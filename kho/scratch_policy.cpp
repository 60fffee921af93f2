// SPDX-License-Identifier: GPL-2.0
#include "kho/scratch_policy.hpp"

namespace kho {

using kx::Errno;

namespace {

constexpr u64 kMiB = u64{1} << 20;

constexpr u64 round_up(u64 n, u64 align) { return (n + align - 1) / align * align; }

}  // namespace

Result<ScratchRequest> parse_scratch_param(const char* text)
{
	if (!text || !*text)
		return Errno::inval;
	u64 value = 0;
	const char* p = text;
	for (; *p >= '0' && *p <= '9'; p++) {
		u64 next = value * 10 + static_cast<u64>(*p - '0');
		if (next / 10 != value)
			return Errno::inval;
		value = next;
	}
	if (p == text || value == 0)
		return Errno::inval;

	ScratchRequest req;
	unsigned shift = 0;
	switch (*p) {
	case '%':
		if (p[1] != '\0' || value > 50)
			return Errno::inval;
		req.kind = ScratchRequest::Kind::percent;
		req.value = value;
		return req;
	case 'K': case 'k': shift = 10; p++; break;
	case 'M': case 'm': shift = 20; p++; break;
	case 'G': case 'g': shift = 30; p++; break;
	case 'T': case 't': shift = 40; p++; break;
	case '\0': break;
	default: return Errno::inval;
	}
	if (*p != '\0' || (value << shift) >> shift != value)
		return Errno::inval;
	req.kind = ScratchRequest::Kind::bytes;
	req.value = value << shift;
	return req;
}

Result<ScratchPlan> plan_scratch(ScratchRequest request, const MemoryFacts& m)
{
	if (m.align == 0 || m.page_size == 0 || m.ram_bytes == 0)
		return Errno::inval;
	u64 total;
	switch (request.kind) {
	case ScratchRequest::Kind::bytes:
		total = request.value;
		break;
	case ScratchRequest::Kind::percent:
		total = m.ram_bytes / 100 * request.value;
		break;
	default: {
		u64 memmap = memmap_bytes(m);
		u64 others = m.boot_alloc_bytes > memmap ? m.boot_alloc_bytes - memmap : 0;
		total = memmap + 2 * others + 64 * kMiB;
		break;
	}
	}
	total = round_up(total, m.align);
	if (total < 2 * m.align || total >= m.ram_bytes)
		return Errno::inval;

	u64 low = round_up(kx::min(kx::max(total / 8, 16 * kMiB), 256 * kMiB), m.align);
	if (low >= total)
		low = total / 2 / m.align * m.align;
	return ScratchPlan{low, total - low};
}

}  // namespace kho
