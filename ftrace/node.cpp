// SPDX-License-Identifier: GPL-2.0
// The nodes of the ftrace handover and its positions block
// (include/kho/abi/ftrace.h), as this kernel writes them and as the next
// one reads them: every property's presence and length is checked before
// its value is believed, and every size is checked against the bytes that
// carry it before anyone allocates for it.
#include "ftrace/format.hpp"

#include "kho/handover_tree.hpp"
#include "kho/libfdt_api.h"

namespace ftrace {
namespace {

using kx::Errno;
using kx::Result;
using kx::Span;
using kx::u32;
using kx::u64;
using kx::u8;
using kx::usize;

constexpr u32 kMaxNameBytes = 64;   // instance and clock names, with the NUL
constexpr u32 kMaxSubbufOrder = 8;
// Modules loaded between activation and kexec that can still be named.
constexpr u32 kModulesSlack = 16;

// The one spelling of every property, for the writer and the reader.
namespace prop {
constexpr char compatible[] = "compatible";
constexpr char events[] = "events";
constexpr char build_id[] = "build-id";
constexpr char positions[] = "positions";
constexpr char name[] = "name";
constexpr char clock[] = "clock";
constexpr char subbuf_order[] = "subbuf-order";
constexpr char cpu[] = "cpu";
constexpr char nr_pages[] = "nr-pages";
constexpr char slot[] = "slot";
constexpr char pfns[] = "pfns";
}  // namespace prop

// --- Writing, at activation ---

// libfdt's errors are not errnos; running out of tree is the likely one.
Result<void> fdt_ok(int err)
{
	if (err)
		return Errno::nospc;
	return {};
}

Result<void> put_bytes(void* fdt, const char* name, const void* value, usize size)
{
	return fdt_ok(fdt_property(fdt, name, value, static_cast<int>(size)));
}

template <typename T>
Result<void> put(void* fdt, const char* name, const T& value)
{
	return put_bytes(fdt, name, &value, sizeof(T));
}

Result<void> put_string(void* fdt, const char* name, const char* s)
{
	return put_bytes(fdt, name, s, __builtin_strlen(s) + 1);
}

// Opens the node @prefix@index, e.g. "cpu3", with its compatible.
Result<void> begin_node(void* fdt, const char* prefix, u32 index, const char* compatible)
{
	char name[16], digits[10];
	usize at = 0, n = 0;
	while (*prefix)
		name[at++] = *prefix++;
	do
		digits[n++] = static_cast<char>('0' + index % 10);
	while (index /= 10);
	while (n)
		name[at++] = digits[--n];
	name[at] = '\0';
	TRY(fdt_ok(fdt_begin_node(fdt, name)));
	return put_string(fdt, prop::compatible, compatible);
}

Result<void> write_cpu(void* fdt, const kho_ftrace_cpu_out& o)
{
	const Span<const u64> pfns{o.pfns, o.nr_pages};
	const usize size = pfns_encoded_size(pfns);
	void* list;

	TRY(begin_node(fdt, prop::cpu, o.cpu, KHO_FTRACE_CPU_COMPATIBLE));
	TRY(put(fdt, prop::cpu, u32{o.cpu}));
	TRY(put(fdt, prop::nr_pages, u32{o.nr_pages}));
	TRY(put(fdt, prop::slot, u32{o.slot}));
	TRY(fdt_ok(fdt_property_placeholder(fdt, prop::pfns, static_cast<int>(size), &list)));
	TRY(encode_pfns(pfns, {static_cast<u8*>(list), size}));
	return fdt_ok(fdt_end_node(fdt));
}

Result<void> write_node(void* fdt, const kho_ftrace_out& out)
{
	const u64 positions[2] = {out.positions_phys, out.positions_size};
	const kho_ftrace_cpu_out* cpu = out.cpus;

	TRY(fdt_ok(fdt_begin_node(fdt, "ftrace")));
	TRY(put_string(fdt, prop::compatible, KHO_FTRACE_COMPATIBLE));
	TRY(put_bytes(fdt, prop::events, out.events, out.events_size));
	TRY(put(fdt, prop::build_id, out.build_id));
	TRY(put(fdt, prop::positions, positions));
	for (u32 i = 0; i < out.nr_instances; i++) {
		const kho_ftrace_instance_out& in = out.instances[i];
		TRY(begin_node(fdt, "i", i, KHO_FTRACE_INSTANCE_COMPATIBLE));
		TRY(put_string(fdt, prop::name, in.name));
		TRY(put_string(fdt, prop::clock, in.clock));
		TRY(put(fdt, prop::subbuf_order, u32{in.subbuf_order}));
		for (u32 c = 0; c < in.nr_cpus; c++)
			TRY(write_cpu(fdt, *cpu++));
		TRY(fdt_ok(fdt_end_node(fdt)));
	}
	return fdt_ok(fdt_end_node(fdt));
}

void layout_positions(kho_ftrace_out& out, u32 nr_modules)
{
	usize size = sizeof(kho_ftrace_positions);
	for (u32 i = 0; i < out.nr_cpus; i++) {
		out.cpus[i].slot = static_cast<u32>(size);
		size += (cpu_record_size(out.cpus[i].nr_pages) + 7) & ~usize{7};
	}
	out.modules_at = static_cast<u32>(size);
	out.modules_max = nr_modules + kModulesSlack;
	out.positions_size = size + usize{out.modules_max} * sizeof(kho_ftrace_module);
}

// --- Reading, in the next kernel ---

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

// The node, its page list and its record, in one allocation @out owns.
Result<void> read_cpu(const void* fdt, int node, Span<const u8> positions, u64 max_pfn,
		      kho_ftrace_cpu_in& out)
{
	out = {};
	out.node = TRY(check_cpu_node(fdt, node, positions.size()));
	const u32 nr = out.node.nr_pages;
	// Distinct pages below max_pfn: no more than that many.
	if (nr > max_pfn)
		return kx::invalid("more pages than this machine has");
	u8* arrays = static_cast<u8*>(kx_alloc(usize{nr} * (sizeof(u64) + sizeof(u32))));
	if (!arrays)
		return Errno::nomem;
	out.pfns = reinterpret_cast<u64*>(arrays);
	out.order = reinterpret_cast<u32*>(arrays + usize{nr} * sizeof(u64));
	const Span<const u8> list{static_cast<const u8*>(out.node.pfns), out.node.pfns_size};
	auto view = decode_pfns(list, {out.pfns, nr}, max_pfn).is_ok()
			    ? check_cpu_record({positions.data() + out.node.slot,
						positions.size() - out.node.slot},
					       nr, {out.order, nr})
			    : Result<kho_ftrace_cpu_view>(kx::invalid("bad page list"));
	if (view.is_error()) {
		kx_free(arrays);
		out.pfns = nullptr;
		out.order = nullptr;
		return view.error();
	}
	out.view = view.value();
	return {};
}

Result<kho_ftrace_instance_node> check_instance(const void* fdt, int node)
{
	kho_ftrace_instance_node n;

	n.name = name(fdt, node, prop::name);
	n.clock = name(fdt, node, prop::clock);
	// The global instance has the empty name.
	if (!n.name || !n.clock || !*n.clock)
		return kx::invalid("name or clock malformed");
	if (!fixed(fdt, node, prop::subbuf_order, n.subbuf_order) || n.subbuf_order > kMaxSubbufOrder)
		return kx::invalid("subbuf-order missing, not 4 bytes or above 8");
	return n;
}

Result<kho_ftrace_positions_view> check_positions(Span<const u8> block)
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
	if (!kho::node_compatible(fdt, n.node, KHO_FTRACE_COMPATIBLE))
		return kx::invalid("ftrace node is not " KHO_FTRACE_COMPATIBLE);
	if (!fixed(fdt, n.node, prop::positions, positions))
		return kx::invalid("positions block missing");
	n.positions_phys = positions[0];
	n.positions_size = positions[1];
	n.events = fdt_getprop(fdt, n.node, prop::events, &len);
	n.events_size = n.events && len > 0 ? static_cast<u32>(len) : 0;
	if (!n.events_size)
		n.events = nullptr;
	n.build_id = fdt_getprop(fdt, n.node, prop::build_id, &len);
	if (len != KHO_FTRACE_BUILD_ID_SIZE)
		n.build_id = nullptr;
	return n;
}

int next_node(const void* fdt, int parent, int prev, const char* compatible)
{
	int node = prev < 0 ? fdt_first_subnode(fdt, parent) : fdt_next_subnode(fdt, prev);
	for (; node >= 0; node = fdt_next_subnode(fdt, node))
		if (kho::node_compatible(fdt, node, compatible))
			return node;
	return -1;
}

}  // namespace

Result<kho_ftrace_cpu_node> check_cpu_node(const void* fdt, int node, u64 positions_size)
{
	kho_ftrace_cpu_node n;
	int len;

	if (!fixed(fdt, node, prop::cpu, n.cpu) || !fixed(fdt, node, prop::nr_pages, n.nr_pages) ||
	    !fixed(fdt, node, prop::slot, n.slot))
		return kx::invalid("cpu, nr-pages or slot missing or not 4 bytes");
	n.pfns = fdt_getprop(fdt, node, prop::pfns, &len);
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

}  // namespace ftrace

extern "C" {

void kho_ftrace_positions_layout(kho_ftrace_out* out, unsigned int nr_modules)
{
	ftrace::layout_positions(*out, nr_modules);
}

void kho_ftrace_positions_init(void* block, const kho_ftrace_out* out)
{
	const kho_ftrace_positions head = {KHO_FTRACE_POSITIONS_MAGIC, 0, 0, out->modules_at,
					   out->modules_max, 0, 0};
	__builtin_memcpy(block, &head, sizeof(head));
}

void kho_ftrace_positions_seal(void* block, kx_u64 text, unsigned int nr_modules)
{
	auto* head = static_cast<kho_ftrace_positions*>(block);
	head->text = text;
	head->nr_modules = nr_modules;
	__atomic_store_n(&head->written, 1, __ATOMIC_RELEASE);
}

int kho_ftrace_node_write(void* fdt, const kho_ftrace_out* out)
{
	return kx::to_errno(ftrace::write_node(fdt, *out));
}

int kho_ftrace_cpu_read(const void* fdt, int node, const void* positions, kx_size_t positions_size,
			kx_u64 max_pfn, kho_ftrace_cpu_in* out, const char** why)
{
	return kx::to_errno(ftrace::read_cpu(fdt, node,
					     {static_cast<const kx::u8*>(positions), positions_size},
					     max_pfn, *out),
			    why);
}

void kho_ftrace_cpu_in_free(kho_ftrace_cpu_in* in)
{
	kx_free(in->pfns);
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
