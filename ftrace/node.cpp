// SPDX-License-Identifier: GPL-2.0
// The nodes of the ftrace handover and its positions block, as the next
// kernel reads them (include/kho/abi/ftrace.h): every property's presence
// and length is checked before its value is believed, and every size is
// checked against the bytes that carry it before anyone allocates for it.
#include "ftrace/format.h"

#include <kho/abi/ftrace.h>
#include <kx/result.hpp>
#include <kx/span.hpp>
#include <kx/types.hpp>

#include "kho/libfdt_api.h"

namespace ftrace {
namespace {

using kx::Errno;
using kx::Result;
using kx::u32;
using kx::u64;

constexpr u32 kMaxNameBytes = 64;   // instance and clock names, with the NUL
constexpr u32 kMaxSubbufOrder = 8;

// A property of exactly @size bytes, copied out.
template <typename T>
bool fixed(const void* fdt, int node, const char* name, T& out)
{
	int len;
	const void* p = fdt_getprop(fdt, node, name, &len);
	if (!p || len != static_cast<int>(sizeof(T)))
		return false;
	__builtin_memcpy(&out, p, sizeof(T));
	return true;
}

// A NUL-terminated name of at most kMaxNameBytes, no '/' (instance names
// become directories) and nothing after the NUL.
const char* name(const void* fdt, int node, const char* prop)
{
	int len;
	const char* s = static_cast<const char*>(fdt_getprop(fdt, node, prop, &len));
	if (!s || len <= 0 || static_cast<u32>(len) > kMaxNameBytes || s[len - 1])
		return nullptr;
	for (int i = 0; i < len - 1; i++)
		if (!s[i] || s[i] == '/')
			return nullptr;
	return s;
}

Result<kho_ftrace_cpu_node> check_cpu(const void* fdt, int node, u64 positions_size)
{
	kho_ftrace_cpu_node n;
	int len;

	if (!fixed(fdt, node, "cpu", n.cpu) || !fixed(fdt, node, "nr-pages", n.nr_pages) ||
	    !fixed(fdt, node, "slot", n.slot))
		return kx::invalid("cpu, nr-pages or slot missing or not 4 bytes");
	n.pfns = fdt_getprop(fdt, node, "pfns", &len);
	if (!n.pfns || len <= 0)
		return kx::invalid("pfns missing");
	n.pfns_size = static_cast<u32>(len);
	// Each page frame number takes at least one byte of the list.
	if (!n.nr_pages || n.nr_pages > n.pfns_size)
		return kx::invalid("nr-pages out of range for its page list");
	if (n.slot < sizeof(kho_ftrace_positions) || n.slot >= positions_size)
		return kx::invalid("slot outside the positions block");
	return n;
}

Result<kho_ftrace_instance_node> check_instance(const void* fdt, int node)
{
	kho_ftrace_instance_node n;

	n.name = name(fdt, node, "name");
	n.clock = name(fdt, node, "clock");
	// The global instance has the empty name.
	if (!n.name || !n.clock || !*n.clock)
		return kx::invalid("name or clock malformed");
	if (!fixed(fdt, node, "subbuf-order", n.subbuf_order) || n.subbuf_order > kMaxSubbufOrder)
		return kx::invalid("subbuf-order missing, not 4 bytes or above 8");
	return n;
}

Result<kho_ftrace_positions_view> check_positions(kx::Span<const kx::u8> block)
{
	kho_ftrace_positions head;

	if (block.size() < sizeof(head))
		return kx::invalid("positions block too small or not from this format");
	__builtin_memcpy(&head, block.data(), sizeof(head));
	if (head.magic != KHO_FTRACE_POSITIONS_MAGIC || head.reserved)
		return kx::invalid("positions block too small or not from this format");
	if (head.written != 1)
		return kx::invalid("positions were not recorded at kexec time");
	const u64 room = u64{head.modules_max} * sizeof(kho_ftrace_module);
	if (head.nr_modules > head.modules_max || head.modules_at < sizeof(head) ||
	    head.modules_at % 8 || head.modules_at > block.size() ||
	    room > block.size() - head.modules_at)
		return kx::invalid("module table outside the positions block");
	auto* mods = reinterpret_cast<const kho_ftrace_module*>(block.data() + head.modules_at);
	for (u32 i = 0; i < head.nr_modules; i++) {
		const kho_ftrace_module& m = mods[i];
		bool terminated = false;
		for (auto c : m.name)
			terminated |= c == '\0';
		if (!terminated || m.base + m.size < m.base)
			return kx::invalid("module entry malformed");
	}
	return kho_ftrace_positions_view{head.text, mods, head.nr_modules};
}

Result<kho_ftrace_root_node> find_root(const void* fdt)
{
	kho_ftrace_root_node n = {};
	u64 positions[2];
	int len;

	n.node = fdt_subnode_offset(fdt, 0, "ftrace");
	if (n.node < 0)
		return Errno::noent;
	if (fdt_node_check_compatible(fdt, n.node, KHO_FTRACE_COMPATIBLE))
		return kx::invalid("ftrace node is not " KHO_FTRACE_COMPATIBLE);
	if (!fixed(fdt, n.node, "positions", positions))
		return kx::invalid("positions block missing");
	n.positions_phys = positions[0];
	n.positions_size = positions[1];
	n.events = fdt_getprop(fdt, n.node, "events", &len);
	n.events_size = n.events && len > 0 ? static_cast<u32>(len) : 0;
	if (!n.events_size)
		n.events = nullptr;
	n.build_id = fdt_getprop(fdt, n.node, "build-id", &len);
	if (len != KHO_FTRACE_BUILD_ID_SIZE)
		n.build_id = nullptr;
	return n;
}

int next_node(const void* fdt, int parent, int prev, const char* compatible)
{
	int node = prev < 0 ? fdt_first_subnode(fdt, parent) : fdt_next_subnode(fdt, prev);
	for (; node >= 0; node = fdt_next_subnode(fdt, node))
		if (!fdt_node_check_compatible(fdt, node, compatible))
			return node;
	return -1;
}

}  // namespace
}  // namespace ftrace

extern "C" {

int kho_ftrace_cpu_node_check(const void* fdt, int node, kx_u64 positions_size,
			      kho_ftrace_cpu_node* out, const char** why)
{
	return kx::to_errno(ftrace::check_cpu(fdt, node, positions_size), out, why);
}

int kho_ftrace_instance_node_check(const void* fdt, int node, kho_ftrace_instance_node* out,
				   const char** why)
{
	return kx::to_errno(ftrace::check_instance(fdt, node), out, why);
}

int kho_ftrace_positions_check(const void* block, kx_size_t size, kho_ftrace_positions_view* out,
			       const char** why)
{
	return kx::to_errno(ftrace::check_positions({static_cast<const kx::u8*>(block), size}), out,
			    why);
}

int kho_ftrace_root_node_find(const void* fdt, kho_ftrace_root_node* out, const char** why)
{
	return kx::to_errno(ftrace::find_root(fdt), out, why);
}

int kho_ftrace_next_node(const void* fdt, int parent, int prev, const char* compatible)
{
	return ftrace::next_node(fdt, parent, prev, compatible);
}

const char* kho_ftrace_node_name(const void* fdt, int node)
{
	const char* name = fdt_get_name(fdt, node, nullptr);
	return name ? name : "?";
}

}  // extern "C"
