// SPDX-License-Identifier: GPL-2.0
#include "kho/scratch_policy.hpp"

namespace kho {

using kx::Errno;

namespace {

constexpr u64 kMiB = u64{1} << 20;

constexpr u64 round_up(u64 n, u64 align) { return (n + align - 1) / align * align; }

}  // namespace

Result<kho_scratch_request> parse_scratch_param(const char* text)
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

	kho_scratch_request req{};
	unsigned shift = 0;
	switch (*p) {
	case '%':
		if (p[1] != '\0' || value > 50)
			return Errno::inval;
		req.kind = KHO_SCRATCH_PERCENT;
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
	req.kind = KHO_SCRATCH_BYTES;
	req.value = value << shift;
	return req;
}

Result<ScratchPlan> plan_scratch(kho_scratch_request request, const kho_memory_facts& m)
{
	if (m.align == 0 || m.page_size == 0 || m.ram_bytes == 0)
		return Errno::inval;
	u64 total;
	switch (request.kind) {
	case KHO_SCRATCH_BYTES:
		total = request.value;
		break;
	case KHO_SCRATCH_PERCENT:
		total = m.ram_bytes / 100 * request.value;
		break;
	case KHO_SCRATCH_AUTOMATIC: {
		u64 memmap = memmap_bytes(m);
		u64 others = m.boot_alloc_bytes > memmap ? m.boot_alloc_bytes - memmap : 0;
		total = memmap + 2 * others + 64 * kMiB;
		break;
	}
	default:
		return Errno::inval;
	}
	// At least a pageblock for each part: with 64 KiB pages that is 1 GiB.
	total = kx::max(round_up(total, m.align), 2 * m.align);
	if (total >= m.ram_bytes)
		return Errno::inval;

	u64 low = round_up(kx::min(kx::max(total / 8, 16 * kMiB), 256 * kMiB), m.align);
	if (low >= total)
		low = total / 2 / m.align * m.align;
	return ScratchPlan{low, total - low};
}

}  // namespace kho

extern "C" int kho_scratch_parse(const char* text, kho_scratch_request* req)
{
	auto parsed = kho::parse_scratch_param(text);
	if (parsed.is_error())
		return parsed.error().to_errno();
	*req = parsed.value();
	return 0;
}

extern "C" int kho_scratch_plan(const kho_scratch_request* req, const kho_memory_facts* facts,
				kx_u64* low, kx_u64* main)
{
	auto plan = kho::plan_scratch(*req, *facts);
	if (plan.is_error())
		return plan.error().to_errno();
	*low = plan.value().low;
	*main = plan.value().main;
	return 0;
}

extern "C" kx_u64 kho_scratch_next_kernel_need(const kho_memory_facts* facts, kx_u64 handover_bytes)
{
	return kho::next_kernel_need(*facts, handover_bytes);
}
