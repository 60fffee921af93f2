// SPDX-License-Identifier: GPL-2.0
// libFuzzer target: the reader of the kstate stream.  The stream has two
// chunks: a valid one the engine writes at start-up, then the input's.
// The input is one flags byte, then the contents of a 64 KiB chunk (zero
// past the input); flag bit 0 sets the chunk header's folio size right, so
// that mutations get past it.  The stream is indexed, then every test
// description tries to restore instances 0 to 2 (in the first chunk, so
// the second numbers its descriptions after it) and 3 to 5.  Whatever is
// accepted must fit its object; nothing may crash, leak (ASan) or read
// outside the chunks.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "kho/libfdt_api.h"
#include "kstate/kstate.hpp"
#include "tests/host/kstate_descs.h"

struct folio {
	int restored;
};

namespace {

using kx::u64;

constexpr u64 kChunkBytes = 64 * 1024;
constexpr u64 kFirstBytes = 256 * 1024;  // the engine's chunk size
alignas(4096) unsigned char first[kFirstBytes];	 // written by the engine
alignas(4096) unsigned char chunk[kChunkBytes];	 // the input
folio folios[4];  // at "physical" 1 MiB * (i + 1), order (or pages) i
char image[4096];

void check(bool ok, const char* what)
{
	if (!ok) {
		fprintf(stderr, "accepted kstate stream breaks: %s\n", what);
		abort();
	}
}

u64 phys_of(const unsigned char* c)
{
	return reinterpret_cast<u64>(c);
}

const void* map_chunk(kx_u64 phys, kx_u64* size)
{
	if (phys != phys_of(first) && phys != phys_of(chunk))
		return nullptr;
	*size = phys == phys_of(first) ? kFirstBytes : kChunkBytes;
	return reinterpret_cast<const void*>(phys);
}

// Memory of every kind is a fake folio at "physical" 1 MiB * (i + 1)
// with i as its order (its page count for pages and vmalloc areas).
folio* folio_at(const kstate_mem_ref* ref)
{
	for (unsigned i = 0; i < 4; i++)
		if (ref->phys == (i + 1) * 0x100000ull && ref->count == i && !folios[i].restored)
			return &folios[i];
	return nullptr;
}

int mem_restorable(unsigned int, const kstate_mem_ref* ref)
{
	return folio_at(ref) != nullptr;
}

void* restore_mem(unsigned int, const kstate_mem_ref* ref)
{
	folio* f = folio_at(ref);
	if (f)
		f->restored = 1;
	return f;
}

void release_mem(unsigned int, void* f, const kstate_mem_ref*)
{
	static_cast<folio*>(f)->restored = 0;
}

void* address_at(kx_u64 offset)
{
	return offset < sizeof(image) ? image + offset : nullptr;
}

void dropped(const char*, kx_u64, const char*) {}

constexpr kstate_ops kOps = {
	nullptr, nullptr, nullptr, nullptr, nullptr,
	map_chunk, mem_restorable, restore_mem, release_mem, address_at, dropped,
};

// A tree whose kstate node lists the one chunk.
alignas(8) char tree[1024];

void build_tree()
{
	const u64 phys[] = {phys_of(first), phys_of(chunk)};
	check(!fdt_create(tree, sizeof(tree)) && !fdt_finish_reservemap(tree) &&
		      !fdt_begin_node(tree, "") && !fdt_begin_node(tree, KSTATE_NODE_NAME) &&
		      !fdt_property(tree, "compatible", KSTATE_COMPATIBLE, sizeof(KSTATE_COMPATIBLE)) &&
		      !fdt_property(tree, KSTATE_CHUNKS_PROP, phys, sizeof(phys)) &&
		      !fdt_end_node(tree) && !fdt_end_node(tree) && !fdt_finish(tree),
	      "the test tree builds");
}

// The first chunk: instances 0 to 2 of ks_sample (with its embedded
// struct and subsection) and of ks_structs, saved by the engine itself.
int new_chunk(kx_u64 min_size, void** addr, kx_u64* phys, kx_u64* size)
{
	if (min_size > kFirstBytes)
		return -KX_E2BIG;
	*addr = first;
	*phys = phys_of(first);
	*size = kFirstBytes;
	return 0;
}
void free_chunk(void*) {}
int preserve_mem(unsigned int kind, void*, kx_u32 count, kstate_mem_ref* ref)
{
	*ref = {kind == KS_PAGES ? (count + 1) * 0x100000ull : 0x300000, kind == KS_PAGES ? count : 2, 0};
	return 0;
}
void unpreserve_mem(unsigned int, void*, const kstate_mem_ref*) {}
int address_offset(const void*, kx_u64* offset)
{
	*offset = 16;
	return 0;
}

void write_first_chunk()
{
	static constexpr kstate_ops kSave = {new_chunk, free_chunk, preserve_mem, unpreserve_mem,
					     address_offset};
	static ks_sample s[3];
	static ks_blob blob;
	static ks_inner pointees[3];
	static folio f;
	kstate_engine* e = kstate_engine_create();
	const char *who, *why;
	for (unsigned i = 0; i < 3; i++) {
		s[i].blob = &blob;
		for (unsigned k = 0; k < 3; k++)
			s[i].ptrs[k] = &pointees[k];
		s[i].nr_items = i;
		s[i].nr_inners = i;
		s[i].folio = i == 1 ? &f : nullptr;
		s[i].addr = image;
		s[i].sub_on = i == 2;
		check(!kstate_engine_register(e, &ks_sample_v1, &s[i], i, &why) &&
			      !kstate_engine_register(e, &ks_structs_desc, &s[i], i, &why),
		      "the first chunk's objects register");
	}
	static ks_memory memory = {&f, reinterpret_cast<page*>(&f), 1, &f};
	check(!kstate_engine_register(e, &ks_memory_desc, &memory, 0, &why), "ks_memory registers");
	static char scratch_tree[4096];
	fdt_create(scratch_tree, sizeof(scratch_tree));
	fdt_finish_reservemap(scratch_tree);
	fdt_begin_node(scratch_tree, "");
	check(!kstate_engine_save(e, scratch_tree, &kSave, &who, &why), "the first chunk is written");
	kstate_engine_drop_saved(e, &kSave);	// gives back nothing: the bytes stay
	kstate_engine_destroy(e);
}

template <typename T>
void try_restore(kstate_engine* e, const kstate_description& d, T& obj, u64 id)
{
	kstate_refusal refusal;
	int state = kstate_engine_claim(e, &d, &obj, id, &kOps, &refusal);
	if (state >= 0)
		kstate_engine_apply(e, state, &d, &obj, &kOps, &refusal);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
	if (size < 1)
		return 0;
	const uint8_t flags = data[0];
	memset(chunk, 0, sizeof(chunk));
	memcpy(chunk, data + 1, size - 1 < sizeof(chunk) ? size - 1 : sizeof(chunk));
	if (flags & 1) {
		const u64 folio_size = kChunkBytes;
		memcpy(chunk + __builtin_offsetof(kstate_chunk, size), &folio_size, sizeof(folio_size));
	}
	memset(folios, 0, sizeof(folios));
	static bool ready;
	if (!ready) {
		write_first_chunk();
		build_tree();
		ready = true;
	}

	kstate_engine* e = kstate_engine_create();
	const char* why;
	if (!e)
		return 0;
	if (kstate_engine_load(e, tree, &kOps, &why) > 0) {
		for (u64 id = 0; id < 6; id++) {
			ks_sample s{};
			ks_blob blob{};
			ks_inner pointees[3]{};
			s.blob = &blob;
			for (unsigned i = 0; i < 3; i++)
				s.ptrs[i] = &pointees[i];
			try_restore(e, ks_sample_v1, s, id);
			try_restore(e, ks_sample_v2, s, id);
			try_restore(e, ks_structs_desc, s, id);
			try_restore(e, ks_counted_desc, s, id);
			check(s.nr_items <= 8, "a counted array's count is within it");
			check(s.nr_notes <= sizeof(s.notes), "a custom field's length is within it");
			check(s.nr_inners <= 3, "an array of structs' count is within it");
			check(!s.addr || (s.addr >= image && s.addr < image + sizeof(image)),
			      "an address is in the image");
			ks_pair32 p32{};
			ks_pair64 p64{};
			ks_new n{};
			try_restore(e, ks_pair32_desc, p32, id);
			try_restore(e, ks_pair64_desc, p64, id);
			try_restore(e, ks_new_desc, n, id);
			ks_memory m{};
			try_restore(e, ks_memory_desc, m, id);
			check(!m.pages || m.nr_pages, "restored pages are counted");
		}
	}
	kstate_engine_destroy(e);
	return 0;
}
