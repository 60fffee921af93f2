// SPDX-License-Identifier: GPL-2.0
#include "kho/handover_tree.hpp"

#include <kho/abi/handover.h>

#include "kho/handover_tree.h"
#include "kho/libfdt_api.h"

namespace kho {

using kx::Errno;
using kx::u8;
using kx::u32;
using kx::u64;

namespace {

constexpr kx::usize kFdtHeaderSize = 40;
constexpr u32 kFdtVersion = 17;
constexpr int kFdtErrNoSpace = 3;  // FDT_ERR_NOSPACE
// A map this small rides in the tree: a few ranges, no segment of its own.
constexpr u64 kInlineMemMapMax = 64;

kx::Result<void> fdt_ok(int err)
{
	if (!err)
		return {};
	return err == -kFdtErrNoSpace ? Errno::nospc : Errno::inval;
}

u32 be32_at(kx::Span<const u8> b, kx::usize at)
{
	return u32{b[at]} << 24 | u32{b[at + 1]} << 16 | u32{b[at + 2]} << 8 | b[at + 3];
}

// A property that is a list of strings: not empty, and NUL-terminated.
bool is_string_list(const char* prop, int len)
{
	return prop && len > 0 && !prop[len - 1];
}

// A u64 property: 4-byte aligned in the tree, so copied out.
bool read_u64(const void* fdt, int node, const char* name, u64* value)
{
	int len;
	const void* prop = fdt_getprop(fdt, node, name, &len);

	if (!prop || len != sizeof(u64))
		return false;
	__builtin_memcpy(value, prop, sizeof(u64));
	return true;
}

// A subtree reference: an address, and a size that is not zero and does
// not wrap it; a size with no address is not one.  Other nodes have
// neither property.
bool subtree_ref_ok(const void* fdt, int node)
{
	int len;
	const bool has_phys = fdt_getprop(fdt, node, "fdt", &len) != nullptr;
	const bool has_size = fdt_getprop(fdt, node, "blob-size", &len) != nullptr;
	u64 phys, size;

	if (!has_phys)
		return !has_size;
	if (!read_u64(fdt, node, "fdt", &phys))
		return false;
	return !has_size ||
	       (read_u64(fdt, node, "blob-size", &size) && size && phys + size > phys);
}

}  // namespace

kx::Result<void> begin_tree(kx::Span<u8> buf)
{
	void* fdt = buf.data();

	TRY(fdt_ok(fdt_create(fdt, static_cast<int>(buf.size()))));
	TRY(fdt_ok(fdt_finish_reservemap(fdt)));
	TRY(fdt_ok(fdt_begin_node(fdt, "")));
	return fdt_ok(fdt_property(fdt, "compatible", KHO_ROOT_COMPATIBLE,
				   sizeof(KHO_ROOT_COMPATIBLE)));
}

kx::Result<SealedMap> seal_tree(kx::Span<u8> buf, const kho_subtree* subtrees,
				const PreservedMemory* mem, unsigned page_shift)
{
	void* fdt = buf.data();

	for (const kho_subtree* sub = subtrees; sub; sub = sub->next) {
		TRY(fdt_ok(fdt_begin_node(fdt, sub->name)));
		TRY(fdt_ok(fdt_property(fdt, "fdt", &sub->phys, sizeof(sub->phys))));
		TRY(fdt_ok(fdt_property(fdt, "blob-size", &sub->size, sizeof(sub->size))));
		TRY(fdt_ok(fdt_end_node(fdt)));
	}
	TRY(fdt_ok(fdt_end_node(fdt)));
	TRY(fdt_ok(fdt_finish(fdt)));

	const u64 size = mem ? mem->encoded_size() : 0;
	if (!size)
		return SealedMap{nullptr, 0};
	if (size <= kInlineMemMapMax) {
		u8 map[kInlineMemMapMax];
		const u64 written = TRY(mem->encode({map, size}, page_shift));
		// A root property must precede the subnodes, which the
		// sequential writer has emitted by now: insert it.
		TRY(fdt_ok(fdt_open_into(fdt, fdt, static_cast<int>(buf.size()))));
		TRY(fdt_ok(fdt_setprop(fdt, 0, "preserved-memory-map", map,
				       static_cast<int>(written))));
		TRY(fdt_ok(fdt_pack(fdt)));
		return SealedMap{nullptr, written};
	}
	auto* map = static_cast<u8*>(kx_alloc(size));
	if (!map)
		return Errno::nomem;
	auto written = mem->encode({map, size}, page_shift);
	if (written.is_error()) {
		kx_free(map);
		return written.error();
	}
	return SealedMap{map, written.value()};
}

bool tree_header_ok(kx::Span<const u8> tree)
{
	return tree.size() >= kFdtHeaderSize && be32_at(tree, 4) <= tree.size() &&
	       be32_at(tree, 20) >= kFdtVersion && !fdt_check_header(tree.data());
}

bool node_compatible(const void* fdt, int node, const char* compatible)
{
	int len;
	const char* list = static_cast<const char*>(fdt_getprop(fdt, node, "compatible", &len));

	if (!is_string_list(list, len))
		return false;
	// Each entry of the list against @compatible, NULs included.
	for (int at = 0; at < len; at++) {
		int i = 0;
		while (list[at + i] && list[at + i] == compatible[i])
			i++;
		if (!list[at + i] && !compatible[i])
			return true;
		while (list[at])
			at++;
	}
	return false;
}

kx::Result<TreeView> check_tree(kx::Span<const u8> tree, bool memmap_segment)
{
	const void* fdt = tree.data();
	int len;

	if (!tree_header_ok(tree))
		return kx::invalid("tree header invalid");

	if (!node_compatible(fdt, 0, KHO_ROOT_COMPATIBLE))
		return kx::invalid("root compatible is not \"" KHO_ROOT_COMPATIBLE "\"");

	TreeView view;
	const void* map = fdt_getprop(fdt, 0, "preserved-memory-map", &len);
	if (map) {
		if (memmap_segment || len <= 0)
			return kx::invalid("memory map both inline and in a segment");
		view.inline_memmap = {static_cast<const u8*>(map), static_cast<kx::usize>(len)};
	}

	int node;
	for (node = fdt_first_subnode(fdt, 0); node >= 0; node = fdt_next_subnode(fdt, node)) {
		const char* c = static_cast<const char*>(fdt_getprop(fdt, node, "compatible", &len));
		if (!subtree_ref_ok(fdt, node) || (c && !is_string_list(c, len)))
			return kx::invalid("malformed subsystem node");
	}
	// Anything but "no more subnodes" means the structure is broken.
	if (node != -1 /* -FDT_ERR_NOTFOUND */)
		return kx::invalid("malformed subsystem node");
	return view;
}

kx::Result<SubtreeRef> find_subtree(kx::Span<const u8> tree, const char* name)
{
	const void* fdt = tree.data();
	SubtreeRef ref{};

	if (!tree_header_ok(tree))
		return Errno::noent;
	const int node = fdt_subnode_offset(fdt, 0, name);
	if (node < 0 || !subtree_ref_ok(fdt, node) || !read_u64(fdt, node, "fdt", &ref.phys))
		return Errno::noent;
	read_u64(fdt, node, "blob-size", &ref.size);
	return ref;
}

}  // namespace kho

extern "C" int kho_tree_begin(void* fdt, kx_size_t max)
{
	return kx::to_errno(kho::begin_tree({static_cast<kx::u8*>(fdt), max}));
}

extern "C" int kho_tree_seal(void* fdt, kx_size_t max, const kho_subtree* subtrees,
			     const kho_preserved* mem, unsigned int page_shift, void** memmap,
			     kx_size_t* memmap_size)
{
	auto sealed = kho::seal_tree({static_cast<kx::u8*>(fdt), max}, subtrees,
				     mem ? &mem->mem : nullptr, page_shift);
	if (sealed.is_error())
		return sealed.error().to_errno();
	*memmap = sealed.value().segment;
	*memmap_size = sealed.value().size;
	return 0;
}

extern "C" int kho_tree_node_compatible(const void* fdt, int node, const char* compatible)
{
	return kho::node_compatible(fdt, node, compatible);
}

extern "C" int kho_tree_check(const void* tree, kx_size_t size, int memmap_segment,
			      const void** inline_map, kx_size_t* inline_len, const char** why)
{
	auto view = kho::check_tree({static_cast<const kx::u8*>(tree), size}, memmap_segment);
	if (view.is_ok()) {
		const kx::Span<const kx::u8> map = view.value().inline_memmap;
		*inline_map = map.empty() ? nullptr : map.data();
		*inline_len = map.size();
	}
	return kx::to_errno(view, why);
}

extern "C" int kho_tree_find_subtree(const void* tree, kx_size_t size, const char* name,
				     kx_u64* phys, kx_u64* blob_size)
{
	auto found = kho::find_subtree({static_cast<const kx::u8*>(tree), size}, name);
	if (found.is_error())
		return found.error().to_errno();
	*phys = found.value().phys;
	*blob_size = found.value().size;
	return 0;
}
