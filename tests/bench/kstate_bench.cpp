// SPDX-License-Identifier: GPL-2.0
// The kstate engine (kstate/engine.cpp, stream.cpp) on the host, against
// memcpy of the same bytes in the same run: save (registry to stream) and
// restore (index, check, fill) for bulk simple data and for many small
// objects, the stream's overhead, and folios handed over by reference.
// KHO is a fake as cheap as the kernel's calls are light: chunks come from
// a pool (the kernel zeroes a new folio, not counted here), folios are
// recorded, never touched.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <malloc.h>
#include <vector>

#include "kho/libfdt_api.h"
#include "kstate/kstate.hpp"

struct folio {
	kx::u64 phys;
	unsigned int order;
};

namespace {

using kx::u64;
using Clock = std::chrono::steady_clock;

std::vector<void*> pool;	// chunks, reused across runs
size_t next_chunk;
std::vector<std::pair<void*, u64>> live;  // phys -> addr, this run

int new_chunk(kx_u64 min_size, void** addr, kx_u64* phys, kx_u64* size)
{
	u64 bytes = 256 * 1024;
	while (bytes < min_size)
		bytes *= 2;
	if (next_chunk == pool.size())
		pool.push_back(aligned_alloc(4096, 4 << 20));
	if (bytes > (4 << 20))
		return -KX_E2BIG;
	*addr = pool[next_chunk++];
	*phys = reinterpret_cast<u64>(*addr);
	*size = bytes;
	live.push_back({*addr, bytes});
	return 0;
}
void free_chunk(void*) {}
int preserve_mem(unsigned int, void* f, kx_u32, kstate_mem_ref* ref)
{
	*ref = {static_cast<folio*>(f)->phys, static_cast<folio*>(f)->order, 0};
	return 0;
}
void unpreserve_mem(unsigned int, void*, const kstate_mem_ref*) {}
int address_offset(const void*, kx_u64* offset)
{
	*offset = 0;
	return 0;
}
const void* map_chunk(kx_u64 phys, kx_u64* size)
{
	for (auto& [addr, bytes] : live)
		if (reinterpret_cast<u64>(addr) == phys) {
			*size = bytes;
			return addr;
		}
	return nullptr;
}
int mem_restorable(unsigned int, const kstate_mem_ref*) { return 1; }
folio restored;
void* restore_mem(unsigned int, const kstate_mem_ref* ref)
{
	restored = {ref->phys, ref->count};
	return &restored;
}
void release_mem(unsigned int, void*, const kstate_mem_ref*) {}
void* address_at(kx_u64) { return nullptr; }
void dropped(const char* what, kx_u64, const char* why) { fprintf(stderr, "dropped %s: %s\n", what, why); }

constexpr kstate_ops kOps = {new_chunk,	   free_chunk,	    preserve_mem, unpreserve_mem,
			     address_offset, map_chunk,	    mem_restorable, restore_mem,
			     release_mem,    address_at,    dropped};

double seconds_since(Clock::time_point t)
{
	return std::chrono::duration<double>(Clock::now() - t).count();
}

struct Result {
	double save_s, restore_s;
	u64 stream_bytes;
};

// Saves every object of @objs, indexes the stream and restores each into @into.
template <typename T>
Result round_trip(const kstate_description& d, std::vector<T>& objs, std::vector<T>& into)
{
	kstate_engine* out = kstate_engine_create();
	kstate_engine* in = kstate_engine_create();
	const char *who, *why;
	for (size_t i = 0; i < objs.size(); i++)
		kstate_engine_register(out, &d, &objs[i], i, &why);
	static char tree[1 << 20];
	fdt_create(tree, sizeof(tree));
	fdt_finish_reservemap(tree);
	fdt_begin_node(tree, "");
	next_chunk = 0;
	live.clear();
	auto t = Clock::now();
	if (kstate_engine_save(out, tree, &kOps, &who, &why))
		abort();
	const double save_s = seconds_since(t);
	fdt_end_node(tree);
	fdt_finish(tree);
	u64 bytes, chunks;
	kstate_engine_saved_size(out, &bytes, &chunks);

	t = Clock::now();
	if (kstate_engine_load(in, tree, &kOps, &why) != static_cast<long>(objs.size()))
		abort();
	kstate_refusal refusal;
	for (size_t i = 0; i < objs.size(); i++) {
		const int st = kstate_engine_claim(in, &d, &into[i], i, &kOps, &refusal);
		if (st < 0 || kstate_engine_apply(in, st, &d, &into[i], &kOps, &refusal))
			abort();
	}
	const double restore_s = seconds_since(t);
	kstate_engine_drop_saved(out, &kOps);
	kstate_engine_destroy(out);
	kstate_engine_destroy(in);
	return {save_s, restore_s, bytes};
}

template <typename T>
Result best_round_trip(const kstate_description& d, std::vector<T>& from, std::vector<T>& to,
		       int runs)
{
	Result best{1e9, 1e9, 0};
	for (int i = 0; i < runs; i++) {
		const Result r = round_trip(d, from, to);
		best = {std::min(best.save_s, r.save_s), std::min(best.restore_s, r.restore_s),
			r.stream_bytes};
	}
	return best;
}

template <typename T>
double memcpy_seconds(std::vector<T>& from, std::vector<T>& to)
{
	auto t = Clock::now();
	for (size_t i = 0; i < from.size(); i++)
		memcpy(&to[i], &from[i], sizeof(T));
	asm volatile("" : : "r"(to.data()) : "memory");
	return seconds_since(t);
}

template <typename F>
double best_of(int runs, F f)
{
	double best = 1e9;
	for (int i = 0; i < runs; i++)
		best = std::min(best, f());
	return best;
}

// 1 MiB: 256 fields of 4 KiB.
struct Bulk {
	unsigned char part[256][4096];
};

// 64 bytes in 4 fields.
struct Small {
	u64 a;
	u64 b;
	unsigned char c[32];
	u64 d[2];
};

struct WithFolio {
	folio* f;
};

// Best of @runs round trips of @from with @d, checked, against memcpy.
template <typename T>
void row(const char* name, const kstate_description& d, std::vector<T>& from, int runs)
{
	std::vector<T> to(from.size());
	Result r = best_round_trip(d, from, to, runs);
	if (memcmp(from.data(), to.data(), from.size() * sizeof(T)))
		abort();
	const double cpy = best_of(runs, [&] { return memcpy_seconds(from, to); });
	const double mib = double(from.size() * sizeof(T)) / (1 << 20);
	printf("| %-26s | %8.0f | %8.0f | %8.0f | %5.2fx | %5.2fx | %8.1f |\n", name, mib / r.save_s,
	       mib / r.restore_s, mib / cpy, cpy / r.save_s, cpy / r.restore_s,
	       double(r.stream_bytes - from.size() * sizeof(T)) / double(from.size()));
}

}  // namespace

int main()
{
	constexpr int kRuns = 5;
	// The kernel's allocators hand out memory that is mapped already;
	// glibc maps large blocks afresh, and the page faults would dominate.
	mallopt(M_MMAP_THRESHOLD, 1 << 30);
	mallopt(M_TRIM_THRESHOLD, 1 << 30);
	printf("| %-26s | %8s | %8s | %8s | %6s | %6s | %8s |\n", "workload", "save", "restore",
	       "memcpy", "save", "rest.", "overhead");
	printf("| %-26s | %8s | %8s | %8s | %6s | %6s | %8s |\n", "", "MiB/s", "MiB/s", "MiB/s",
	       "vs cpy", "vs cpy", "B/object");
	printf("|%s|%s|%s|%s|%s|%s|%s|\n", "----------------------------", "----------:",
	       "----------:", "----------:", "-------:", "-------:", "---------:");

	{
		static kstate_field fields[257];
		char names[256][8];
		for (int i = 0; i < 256; i++) {
			snprintf(names[i], sizeof(names[i]), "p%d", i);
			fields[i] = {};
			fields[i].name = names[i];
			fields[i].kind = KS_SIMPLE;
			fields[i].offset = i * 4096;
			fields[i].size = 4096;
		}
		fields[256] = {};
		const kstate_description d = {"bench.bulk", 1, 1, fields, nullptr,
					      nullptr, nullptr, nullptr, nullptr, nullptr};
		std::vector<Bulk> from(1);
		memset(from.data(), 0x5a, sizeof(Bulk));
		row("1 MiB, 256 simple fields", d, from, kRuns * 20);
	}
	{
		static const kstate_field fields[] = {
			{"all", KS_SIMPLE, 0, 0, sizeof(Bulk), 0, 0, nullptr, nullptr, nullptr, nullptr, 0, 0},
			{},
		};
		const kstate_description d = {"bench.blob", 1, 1, fields, nullptr,
					      nullptr, nullptr, nullptr, nullptr, nullptr};
		std::vector<Bulk> from(1);
		memset(from.data(), 0xa5, sizeof(Bulk));
		row("1 MiB, one simple field", d, from, kRuns * 20);
	}
	{
		static const kstate_field fields[] = {
			{"a", KS_SIMPLE, 0, offsetof(Small, a), 8, 0, 0, nullptr, nullptr, nullptr, nullptr, 0, 0},
			{"b", KS_SIMPLE, 0, offsetof(Small, b), 8, 0, 0, nullptr, nullptr, nullptr, nullptr, 0, 0},
			{"c", KS_SIMPLE, 0, offsetof(Small, c), 32, 0, 0, nullptr, nullptr, nullptr, nullptr, 0, 0},
			{"d", KS_ARRAY, 0, offsetof(Small, d), 8, 2, 0, nullptr, nullptr, nullptr, nullptr, 0, 0},
			{},
		};
		const kstate_description d = {"bench.small", 1, 1, fields, nullptr,
					      nullptr, nullptr, nullptr, nullptr, nullptr};
		std::vector<Small> from(100000);
		for (size_t i = 0; i < from.size(); i++)
			from[i] = {i, i * 3, {}, {i, i}};
		row("100k objects of 64 B", d, from, kRuns);
	}
	printf("\nFolios by reference (one object with one folio field):\n\n");
	printf("| %-12s | %12s | %12s | %12s |\n", "folio", "save us", "restore us", "stream bytes");
	printf("|%s|%s|%s|%s|\n", "--------------", "-------------:", "-------------:", "-------------:");
	static const kstate_field ffields[] = {
		{"f", KS_FOLIO, 0, 0, 8, 0, 0, nullptr, nullptr, nullptr, nullptr, 0, 0},
		{},
	};
	const kstate_description fd = {"bench.folio", 1, 1, ffields, nullptr,
				       nullptr, nullptr, nullptr, nullptr, nullptr};
	for (unsigned order : {0u, 10u, 14u}) {
		folio f{0x40000000ull, order};
		std::vector<WithFolio> from{{&f}}, to(1);
		const Result r = best_round_trip(fd, from, to, kRuns * 20);
		char name[16];
		snprintf(name, sizeof(name), "%llu KiB", 4ull << order);
		printf("| %-12s | %12.1f | %12.1f | %12llu |\n", name, r.save_s * 1e6, r.restore_s * 1e6,
		       r.stream_bytes);
	}
	return 0;
}
