// SPDX-License-Identifier: GPL-2.0
// The extern "C" face of scratch sizing.
#include "kho/scratch_policy.h"
#include "kho/scratch_policy.hpp"

using kho::MemoryFacts;
using kho::ScratchRequest;

static MemoryFacts facts_of(const kho_memory_facts* f)
{
	return {f->ram_bytes, f->boot_alloc_bytes, f->page_size, f->struct_page_size, f->align,
		f->shadow_shift};
}

extern "C" {

int kho_scratch_parse(const char* text, kho_scratch_request* req)
{
	auto parsed = kho::parse_scratch_param(text);
	if (parsed.is_error())
		return parsed.error().to_errno();
	req->kind = static_cast<int>(parsed.value().kind);
	req->value = parsed.value().value;
	return 0;
}

int kho_scratch_plan(const kho_scratch_request* req, const kho_memory_facts* facts, kx_u64* low,
		     kx_u64* main)
{
	if (req->kind < 0 || req->kind > static_cast<int>(ScratchRequest::Kind::percent))
		return -KX_EINVAL;
	ScratchRequest request{static_cast<ScratchRequest::Kind>(req->kind), req->value};
	auto plan = kho::plan_scratch(request, facts_of(facts));
	if (plan.is_error())
		return plan.error().to_errno();
	*low = plan.value().low;
	*main = plan.value().main;
	return 0;
}

kx_u64 kho_scratch_next_kernel_need(const kho_memory_facts* facts, kx_u64 handover_bytes)
{
	return kho::next_kernel_need(facts_of(facts), handover_bytes);
}

}  // extern "C"
