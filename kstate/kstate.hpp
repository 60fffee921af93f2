// SPDX-License-Identifier: GPL-2.0
// The kstate engine's parts, for engine.cpp, stream.cpp and the host tests.
#pragma once

#include <kx/result.hpp>
#include <kx/span.hpp>
#include <kx/vector.hpp>

#include <kho/abi/kstate.h>
#include <kstate/description.h>
#include "kstate/engine.h"

namespace kstate {

using kx::Errno;
using kx::Error;
using kx::Result;
using kx::Span;
using kx::u32;
using kx::u64;
using kx::u8;
using kx::usize;
using kx::Vector;

// Structs embedded in structs, and subsections, at most this deep.
constexpr u32 kMaxDepth = 8;
constexpr u32 kMaxNameBytes = 255;
constexpr u32 kMaxFields = 4096;	// per description
constexpr u32 kMaxSubsections = 64;	// per description

// Whether @f is carried by a state saved at @version.
constexpr bool carried(const kstate_field& f, u32 version)
{
	return f.version_min <= version && (f.version_max == 0 || version < f.version_max);
}

// Whether @f has bytes in a state saved at @version: a dropped field has
// none when its own description writes.
constexpr bool stored(const kstate_field& f, u32 version)
{
	return carried(f, version) && !(f.flags & KS_F_UNUSED);
}

// The fields of @d, up to KSTATE_END_OF_LIST().
Span<const kstate_field> fields_of(const kstate_description& d);

// Whether @d is one kstate can save and restore; the reason if not.
Result<void> check_description(const kstate_description& d, u32 depth = 0);

// Over @d's name and every field's name, kind, flags, size, offset, count,
// versions and embedded struct: what both kernels must agree on.
u64 fingerprint(const kstate_description& d);

// The registry's and the index's key.
u64 key_hash(const char* name, usize len, u64 instance_id);

// An open-addressing table from 64-bit hashes to the caller's u32 indices:
// several indices may share a hash, the caller tells them apart.
class HashIndex {
public:
	static constexpr u32 kNone = ~0u;

	HashIndex() = default;
	KX_NONCOPYABLE(HashIndex);

	// The first index under @hash for which @match(index) holds, or kNone.
	template <typename Match>
	u32 find(u64 hash, Match match) const
	{
		if (slots_.empty())
			return kNone;
		for (usize i = hash & mask(), n = 0; n < slots_.size(); i = (i + 1) & mask(), n++) {
			const Slot& s = slots_[i];
			if (s.index == kEmpty)
				return kNone;
			if (s.index != kGone && s.hash == hash && match(s.index))
				return s.index;
		}
		return kNone;
	}

	Result<void> insert(u64 hash, u32 index);
	// Forgets, or moves to @to, the entry (@hash, @index).
	void erase(u64 hash, u32 index) { retarget(hash, index, kGone); }
	void retarget(u64 hash, u32 index, u32 to);
	void reset();

private:
	static constexpr u32 kEmpty = ~0u;
	static constexpr u32 kGone = ~1u;
	struct Slot {
		u64 hash;
		u32 index;
	};

	usize mask() const { return slots_.size() - 1; }
	Result<void> grow();

	Vector<Slot> slots_;
	usize used_ = 0;  // live and gone
	usize live_ = 0;
};

// A chunk of the stream this kernel wrote.
struct SavedChunk {
	void* addr;
	u64 phys;
};

// Memory a field handed over by reference.
struct SavedMem {
	u32 kind;
	void* ptr;
	kstate_mem_ref ref;
};

// What a save keeps until the kexec, or until it is dropped.
struct Saved {
	Vector<SavedChunk> chunks;
	Vector<SavedMem> mems;
	u64 bytes = 0;
};

struct Registered {
	const kstate_description* desc;
	void* obj;
	u64 instance_id;
	u64 hash;
};

// Writes every object of @objects into new chunks (stream.cpp); on error
// gives back whatever it took and names the description at fault.
Result<void> save_stream(Span<const Registered> objects, void* fdt, const kstate_ops& ops,
			 Saved& saved, const char** who);
void drop_saved(Saved& saved, const kstate_ops& ops);

// The previous kernel's stream, indexed (stream.cpp).
class Index {
public:
	Index() = default;
	KX_NONCOPYABLE(Index);

	// Indexes the stream @fdt's "kstate" node names; damage costs the chunk
	// or record it is in.  Returns the states indexed.
	Result<usize> load(const void* fdt, const kstate_ops& ops);
	// Checks the state saved under (@d.name, @instance_id) whole against
	// @d and takes it: its number, for apply().
	Result<u32> claim(const kstate_description& d, void* obj, u64 instance_id,
			  const kstate_ops& ops, kstate_refusal& refusal);
	// Fills @obj from the claimed state; reads the index, never changes it.
	Result<void> apply(u32 state, const kstate_description& d, void* obj,
			   const kstate_ops& ops, kstate_refusal& refusal) const;
	usize unclaimed() const { return unclaimed_; }
	void reset();

private:
	struct Desc {
		const char* name;
		u32 name_len;
		u32 version;
		u64 fingerprint;
		u32 first_field;
		u32 nr_fields;
		u32 first_sub;
		u32 nr_subs;
		u32 chunk_base;	 // descs_ index of its chunk's description 0
	};
	struct Field {
		kstate_field_record rec;  // a copy: read once, then trusted as checked
		const char* name;
		u32 desc;  // of a struct or its array elements, in descs_; else KSTATE_NO_DESC
	};
	struct State {
		u64 instance_id;
		u64 hash;
		const u8* data;
		u64 size;
		u32 desc;
		bool claimed;
	};
	class Decoder;

	Result<void> load_chunk(const u8* base, u64 size);
	Result<void> load_desc(const u8* body, u64 size, u32 chunk_first_desc);
	Result<void> load_state(const u8* body, u64 size, u32 chunk_first_desc);
	void truncate(usize descs, usize fields, usize subs, usize states);

	Vector<Desc> descs_;
	Vector<Field> fields_;
	Vector<u32> subs_;
	Vector<State> states_;
	HashIndex by_key_;
	usize unclaimed_ = 0;
};

}  // namespace kstate
