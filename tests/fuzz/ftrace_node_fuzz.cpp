// SPDX-License-Identifier: GPL-2.0
// libFuzzer target: the ftrace node readers (ftrace/node.cpp).  The input,
// if it passes kho::tree_header_ok(), is a tree: every node of it goes through
// the CPU node check (against a few positions-block sizes), the whole CPU
// read (node, page list and its record in the positions block) and the
// instance node check, and the "ftrace" node is looked up and its children
// walked; the bytes after the tree, or all of them if there is no tree, are
// a positions block.  Whatever is accepted must be what the format
// promises; libfdt is the kernel's own.
#include <libfdt.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include <kho/abi/ftrace.h>
#include <kx/types.hpp>

#include "ftrace/format.hpp"
#include "kho/handover_tree.hpp"

namespace {

using kx::u32;
using kx::u64;
using kx::u8;

void check(bool ok, const char* what)
{
	if (!ok) {
		fprintf(stderr, "accepted ftrace input breaks: %s\n", what);
		abort();
	}
}

bool inside(const void* p, size_t len, const u8* begin, const u8* end)
{
	const u8* b = static_cast<const u8*>(p);
	return b >= begin && b <= end && len <= static_cast<size_t>(end - b);
}

u32 prop_u32(const void* fdt, int node, const char* name)
{
	int len;
	const void* p = fdt_getprop(fdt, node, name, &len);
	check(p && len == 4, "accepted number is 4 bytes");
	u32 v;
	std::memcpy(&v, p, 4);
	return v;
}

void check_name(const void* fdt, int node, const char* prop, const char* s, const u8* begin,
		const u8* end, bool may_be_empty)
{
	int len;
	const void* p = fdt_getprop(fdt, node, prop, &len);
	check(p == s && len >= 1 && len <= 64, "name is the property, at most 64 bytes");
	check(inside(s, len, begin, end), "name inside the tree");
	check(std::strlen(s) + 1 == static_cast<size_t>(len), "name NUL-terminated, no NUL inside");
	check(!std::strchr(s, '/'), "no '/' in a name");
	check(may_be_empty || *s, "clock not empty");
}

// A CPU node read whole: its pages increasing and below @max_pfn, its
// record's indices distinct and in range.
void cpu_read(const void* fdt, int node, const u8* block, size_t size)
{
	const u64 max_pfn = 1u << 20;
	kho_ftrace_cpu_in in;
	const char* why = "unset";
	if (kho_ftrace_cpu_read(fdt, node, block, size, max_pfn, &in, &why)) {
		check(why != nullptr && in.pfns == nullptr, "refusal has a reason, owns nothing");
		return;
	}
	check(why == nullptr, "acceptance has no reason");
	const u32 nr = in.node.nr_pages;
	for (u32 i = 0; i < nr; i++)
		check(in.pfns[i] < max_pfn && (!i || in.pfns[i] > in.pfns[i - 1]),
		      "pages increasing, below the limit");
	check(in.view.nr_valid <= nr, "no more listed than there are");
	std::vector<bool> seen(nr);
	for (u32 i = 0; i < in.view.nr_valid; i++) {
		check(in.order[i] < nr && !seen[in.order[i]], "each index in range, once");
		seen[in.order[i]] = true;
	}
	check(in.view.first_is_reader || !in.view.reader_read, "only a reader page was read");
	kho_ftrace_cpu_in_free(&in);
}

void nodes(const void* fdt, const u8* begin, const u8* end, const u8* block, size_t size)
{
	const u64 sizes[] = {0, 32, 33, 4096, u64{1} << 32};
	int depth = 0, n = 0;
	for (int node = fdt_next_node(fdt, -1, &depth); node >= 0 && n < 4096;
	     node = fdt_next_node(fdt, node, &depth), n++) {
		for (u64 positions_size : sizes) {
			kho_ftrace_cpu_node c;
			const char* why = "unset";
			if (kx::to_errno(ftrace::check_cpu_node(fdt, node, positions_size), &c, &why)) {
				check(why != nullptr, "refusal has a reason");
				continue;
			}
			check(why == nullptr, "acceptance has no reason");
			check(c.cpu == prop_u32(fdt, node, "cpu") &&
				      c.nr_pages == prop_u32(fdt, node, "nr-pages") &&
				      c.slot == prop_u32(fdt, node, "slot"),
			      "numbers as in the tree");
			int len;
			const void* pfns = fdt_getprop(fdt, node, "pfns", &len);
			check(pfns == c.pfns && len > 0 && static_cast<u32>(len) == c.pfns_size,
			      "pfns is the property");
			check(inside(c.pfns, c.pfns_size, begin, end), "pfns inside the tree");
			check(c.nr_pages >= 1 && c.nr_pages <= c.pfns_size, "nr-pages in range");
			check(c.slot >= sizeof(kho_ftrace_positions) && c.slot < positions_size,
			      "slot inside the block, past its head");
		}
		cpu_read(fdt, node, block, size);
		kho_ftrace_instance_node in;
		const char* why = "unset";
		if (kho_ftrace_instance_node_check(fdt, node, &in, &why)) {
			check(why != nullptr, "refusal has a reason");
			continue;
		}
		check(why == nullptr, "acceptance has no reason");
		check_name(fdt, node, "name", in.name, begin, end, true);
		check_name(fdt, node, "clock", in.clock, begin, end, false);
		check(in.subbuf_order <= 8 && in.subbuf_order == prop_u32(fdt, node, "subbuf-order"),
		      "subbuf-order");
	}
}

// The "ftrace" node, and every child the iteration yields.
void root(const void* fdt, const u8* begin, const u8* end)
{
	kho_ftrace_root_node r;
	const char* why = "unset";
	const int rc = kho_ftrace_root_node_find(fdt, &r, &why);
	if (rc == -KX_ENOENT) {
		check(fdt_subnode_offset(fdt, 0, "ftrace") < 0, "no node means none there");
		return;
	}
	if (rc) {
		check(rc == -KX_EINVAL && why != nullptr, "refusal has a reason");
		return;
	}
	check(why == nullptr, "acceptance has no reason");
	check(kho::node_compatible(fdt, r.node, KHO_FTRACE_COMPATIBLE), "compatible");
	int len;
	const void* pos = fdt_getprop(fdt, r.node, "positions", &len);
	check(pos && len == 16, "positions is two u64");
	check(!r.events || (r.events_size && inside(r.events, r.events_size, begin, end)),
	      "events inside the tree");
	check(!r.build_id || inside(r.build_id, KHO_FTRACE_BUILD_ID_SIZE, begin, end),
	      "build id inside the tree");
	int n = 0, inst, cpu;
	kho_ftrace_for_each_node(fdt, r.node, KHO_FTRACE_INSTANCE_COMPATIBLE, inst) {
		check(kho::node_compatible(fdt, inst, KHO_FTRACE_INSTANCE_COMPATIBLE) &&
			      fdt_parent_offset(fdt, inst) == r.node,
		      "an instance child");
		(void)kho_ftrace_node_name(fdt, inst);
		kho_ftrace_for_each_node(fdt, inst, KHO_FTRACE_CPU_COMPATIBLE, cpu)
			check(++n < 100000 && kho::node_compatible(fdt, cpu, KHO_FTRACE_CPU_COMPATIBLE),
			      "a CPU child, finitely many");
	}
}

void positions(const u8* block, size_t size)
{
	kho_ftrace_positions_view v;
	const char* why = "unset";
	if (kho_ftrace_positions_check(block, size, &v, &why)) {
		check(why != nullptr, "refusal has a reason");
		return;
	}
	check(why == nullptr, "acceptance has no reason");
	kho_ftrace_positions h;
	check(size >= sizeof(h), "head fits");
	std::memcpy(&h, block, sizeof(h));
	check(h.magic == KHO_FTRACE_POSITIONS_MAGIC && h.written == 1 && !h.reserved, "head");
	check(v.text == h.text && v.nr_modules == h.nr_modules, "view as in the head");
	check(h.nr_modules <= h.modules_max, "nr_modules <= modules_max");
	check(h.modules_at >= sizeof(h) && h.modules_at % 8 == 0, "table past the head, aligned");
	check(reinterpret_cast<const u8*>(v.modules) == block + h.modules_at, "table where it says");
	check(u64{h.modules_at} + u64{h.modules_max} * sizeof(kho_ftrace_module) <= size,
	      "whole table room inside the block");
	for (u32 i = 0; i < v.nr_modules; i++) {
		const kho_ftrace_module& m = v.modules[i];
		check(std::memchr(m.name, 0, sizeof(m.name)) != nullptr, "module name terminated");
		check(m.base + m.size >= m.base, "module does not wrap");
	}
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
	// 8-byte aligned, as a tree and a folio are.
	std::vector<u64> buf((size + 7) / 8 + 1);
	u8* bytes = reinterpret_cast<u8*>(buf.data());
	if (size)
		std::memcpy(bytes, data, size);

	// A tree, then (from the next 8-byte boundary) a positions block; or,
	// if there is no tree, all of it a positions block.
	size_t at = 0;
	if (kho::tree_header_ok({bytes, size})) {
		at = std::min<size_t>((fdt_totalsize(bytes) + 7) & ~size_t{7}, size);
		nodes(bytes, bytes, bytes + fdt_totalsize(bytes), bytes + at, size - at);
		root(bytes, bytes, bytes + fdt_totalsize(bytes));
	}
	positions(bytes + at, size - at);
	return 0;
}
