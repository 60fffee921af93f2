// SPDX-License-Identifier: GPL-2.0
// libFuzzer target: the reader of the previous kernel's Live Update session
// table (luo_engine_load() in liveupdate/sessions.cpp).  The input is one
// flags byte, then the table (as many bytes as remain: that is the size of
// its memory).  Flag bit 0 sets the header's magic, format and reserved
// bytes right, bit 1 the sessions' file ranges (each where the last ended,
// all of them together the table's files), so that mutations get past
// those checks.
//
// The reader must agree with a plain restatement of the format
// (Documentation/liveupdate/format.rst), below: the same tables refused,
// the same sessions dropped for the same reasons, and the callback told
// their index, and their name unless that is what is damaged.  Whatever is
// indexed is retrieved once by name, with its files exactly as the table
// has them; a second load after an unload indexes the same, and the
// sessions retrieved from it, preserved again, write the input table back
// byte for byte without the dropped ones.  Every engine is destroyed at
// the end of an input: LeakSanitizer sees any block left.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include <kho/abi/liveupdate.h>

#include "liveupdate/engine.h"

namespace {

using u32 = uint32_t;
using u64 = uint64_t;

constexpr size_t kMaxTable = 1 << 20;
alignas(4096) unsigned char table[kMaxTable];
alignas(4096) unsigned char rewritten[kMaxTable];

void check(bool ok, const char* what)
{
	if (!ok) {
		fprintf(stderr, "session table reader breaks: %s\n", what);
		abort();
	}
}

luo_table head_of(const unsigned char* t)
{
	luo_table h;
	memcpy(&h, t, sizeof(h));
	return h;
}

luo_session_record session_at(const unsigned char* t, u64 i)
{
	luo_session_record r;
	memcpy(&r, t + sizeof(luo_table) + i * sizeof(r), sizeof(r));
	return r;
}

luo_file_record file_at(const unsigned char* t, u64 nr_sessions, u64 i)
{
	luo_file_record f;
	memcpy(&f, t + sizeof(luo_table) + nr_sessions * sizeof(luo_session_record) + i * sizeof(f),
	       sizeof(f));
	return f;
}

// --- The format, restated ---

// NUL-terminated in its @n bytes, not empty, zero after the NUL.
bool good_string(const char* s, size_t n)
{
	size_t len = 0;
	while (len < n && s[len])
		len++;
	if (len == 0 || len == n)
		return false;
	for (size_t i = len; i < n; i++)
		if (s[i])
			return false;
	return true;
}

// Whether the table as a whole is one: its header, sizes and file ranges.
bool table_ok(const unsigned char* t, size_t bytes)
{
	if (bytes < sizeof(luo_table))
		return false;
	const luo_table h = head_of(t);
	if (h.magic != LUO_TABLE_MAGIC || h.format != LUO_TABLE_FORMAT || h.reserved)
		return false;
	if (h.nr_sessions > LUO_MAX_SESSIONS)
		return false;
	const u64 need = sizeof(luo_table) + u64{h.nr_sessions} * sizeof(luo_session_record) +
			 u64{h.nr_files} * sizeof(luo_file_record);
	if (need > bytes)
		return false;
	u64 next = 0;
	for (u64 i = 0; i < h.nr_sessions; i++) {
		const luo_session_record r = session_at(t, i);
		if (r.first_file != next)
			return false;
		next += r.nr_files;
	}
	return next == h.nr_files;
}

// Why session @i of a good table is dropped, or nullptr; @kept lists the
// sessions before it that were not.
const char* session_refused(const unsigned char* t, u64 i, const bool* kept)
{
	const luo_table h = head_of(t);
	const luo_session_record r = session_at(t, i);
	if (!good_string(r.name, sizeof(r.name)))
		return "malformed name (empty, unterminated or not zero-padded)";
	if (r.nr_files > LUO_MAX_FILES)
		return "too many files";
	for (u64 k = 0; k < r.nr_files; k++) {
		const luo_file_record f = file_at(t, h.nr_sessions, r.first_file + k);
		if (!good_string(f.compatible, sizeof(f.compatible)))
			return "a file's handler name malformed (empty, unterminated or not zero-padded)";
		if (k && f.token <= file_at(t, h.nr_sessions, r.first_file + k - 1).token)
			return "file tokens not in increasing order";
	}
	for (u64 j = 0; j < i; j++)
		if (kept[j] && !memcmp(session_at(t, j).name, r.name, LUO_NAME_BYTES))
			return "a second session of that name";
	return nullptr;
}

// --- What the reader did ---

struct Drop {
	bool named;
	u64 index;
	const char* why;
};
Drop drops[LUO_MAX_SESSIONS];
u64 nr_drops;
u64 nr_sessions;  // of the table being loaded, if its header is there

void dropped(const char* name, kx_size_t index, const char* why)
{
	check(nr_drops < LUO_MAX_SESSIONS && index < nr_sessions, "dropped index inside the table");
	check(nr_drops == 0 || index > drops[nr_drops - 1].index, "each session dropped once, in order");
	check(why != nullptr, "a dropped session has a reason");
	if (name) {
		const luo_session_record r = session_at(table, index);
		check(name == reinterpret_cast<const char*>(table) + sizeof(luo_table) +
				      index * sizeof(luo_session_record),
		      "the name given is the record's");
		check(good_string(r.name, sizeof(r.name)), "a name given is well formed");
	}
	drops[nr_drops++] = {name != nullptr, index, why};
}

long load(luo_engine* e, size_t bytes, const char** why)
{
	nr_drops = 0;
	*why = "unset";
	return luo_engine_load(e, table, bytes, dropped, why);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
	if (size < 1)
		return 0;
	const uint8_t flags = data[0];
	const size_t bytes = size - 1 < kMaxTable ? size - 1 : kMaxTable;
	memcpy(table, data + 1, bytes);
	auto* head = reinterpret_cast<luo_table*>(table);
	if (bytes >= sizeof(luo_table) && (flags & 1)) {
		head->magic = LUO_TABLE_MAGIC;
		head->format = LUO_TABLE_FORMAT;
		head->reserved = 0;
	}
	if (bytes >= sizeof(luo_table) && (flags & 2)) {
		u64 next = 0;
		for (u64 i = 0; i < head->nr_sessions && i < LUO_MAX_SESSIONS; i++) {
			const u64 at = sizeof(luo_table) + i * sizeof(luo_session_record);
			if (at + sizeof(luo_session_record) > bytes)
				break;
			auto* r = reinterpret_cast<luo_session_record*>(table + at);
			r->first_file = next;
			next = (next + r->nr_files) & 0xffffffffu;
		}
		head->nr_files = next;
	}
	nr_sessions = bytes >= sizeof(luo_table) ? head->nr_sessions : 0;

	luo_engine* e = luo_engine_create();
	check(e != nullptr, "an engine");
	const char* why;
	const long n = load(e, bytes, &why);
	check(n != -KX_ENOMEM, "memory enough");
	if (!table_ok(table, bytes)) {
		check(n == -KX_EINVAL && why && !nr_drops, "a bad table refused whole, with a reason");
		check(luo_engine_unretrieved(e) == 0, "a refused table indexes nothing");
		luo_engine_destroy(e);
		return 0;
	}
	check(n >= 0 && why == nullptr, "a good table indexed");

	// The same sessions dropped, for the same reasons.
	const luo_table h = head_of(table);
	static bool kept[LUO_MAX_SESSIONS];
	u64 d = 0, nr_kept = 0;
	for (u64 i = 0; i < h.nr_sessions; i++) {
		const char* refused = session_refused(table, i, kept);
		kept[i] = !refused;
		nr_kept += kept[i];
		if (!refused)
			continue;
		check(d < nr_drops && drops[d].index == i, "a bad session dropped");
		check(!strcmp(drops[d].why, refused), "dropped for its first fault");
		check(drops[d].named == good_string(session_at(table, i).name, LUO_NAME_BYTES),
		      "named unless the name is the fault");
		d++;
	}
	check(d == nr_drops, "only bad sessions dropped");
	check(static_cast<u64>(n) == nr_kept && luo_engine_unretrieved(e) == nr_kept,
	      "every good session indexed");

	// Every other session retrieved once, with its files; the rest forgotten.
	luo_session* got[LUO_MAX_SESSIONS] = {};
	u64 nr_got = 0;
	for (u64 i = 0, k = 0; i < h.nr_sessions; i++) {
		if (!kept[i] || k++ % 2)
			continue;
		const luo_session_record r = session_at(table, i);
		luo_session* s = nullptr;
		check(luo_engine_retrieve_session(e, r.name, &s) == 0 && s, "a good session retrieved");
		got[nr_got++] = s;
		check(luo_session_retrieved(s) && !memcmp(luo_session_name(s), r.name, LUO_NAME_BYTES),
		      "retrieved, by its name");
		check(luo_session_nr_files(s) == r.nr_files, "all its files");
		for (u32 f = 0; f < r.nr_files; f++) {
			const luo_file_record want = file_at(table, h.nr_sessions, r.first_file + f);
			const luo_file_ref* ref = luo_session_file(s, f);
			check(ref->token == want.token && ref->data == want.data &&
				      !memcmp(ref->compatible, want.compatible, LUO_COMPATIBLE_BYTES),
			      "each file as the table has it");
			check(!ref->file && !ref->handler && !ref->private_data && !ref->taken &&
				      !ref->frozen,
			      "nothing else of a file");
			check(luo_session_find(s, want.token) == ref, "each file found by its token");
		}
		luo_session* again = nullptr;
		check(luo_engine_retrieve_session(e, r.name, &again) == -KX_ENOENT, "retrieved once");
	}
	check(luo_engine_unretrieved(e) == nr_kept - nr_got, "the others wait");
	luo_engine_unload(e);
	check(luo_engine_unretrieved(e) == 0, "unloading forgets them");
	for (u64 i = 0; i < h.nr_sessions; i++) {
		luo_session* s = nullptr;
		if (kept[i])
			check(luo_engine_retrieve_session(e, session_at(table, i).name, &s) == -KX_ENOENT,
			      "nothing retrieved after an unload");
	}
	for (u64 i = 0; i < nr_got; i++)
		luo_engine_remove_session(e, got[i]);

	// Loaded again: the same.  Each session preserved again in another
	// engine writes the table back, without the dropped sessions.
	check(load(e, bytes, &why) == n && nr_drops == d && why == nullptr, "a second load the same");
	luo_engine* next = luo_engine_create();
	check(next != nullptr, "an engine");
	nr_got = 0;
	for (u64 i = 0; i < h.nr_sessions; i++) {
		if (!kept[i])
			continue;
		const luo_session_record r = session_at(table, i);
		luo_session *s = nullptr, *out = nullptr;
		check(luo_engine_retrieve_session(e, r.name, &s) == 0, "retrieved after a second load");
		got[nr_got++] = s;
		check(luo_engine_create_session(next, r.name, &out) == 0, "preserved again");
		for (u32 f = 0; f < luo_session_nr_files(s); f++)
			check(luo_session_add_file(out, luo_session_file(s, f)) == 0, "its files too");
	}
	check(luo_engine_unretrieved(e) == 0, "all retrieved");
	const size_t out_bytes = luo_engine_table_size(next);
	check(out_bytes <= bytes, "no larger than the table read");
	memset(rewritten, 0, out_bytes);
	luo_engine_write_table(next, rewritten, out_bytes);
	luo_table want = h;
	want.nr_sessions = nr_kept;
	want.nr_files = 0;
	for (u64 i = 0; i < h.nr_sessions; i++)
		want.nr_files += kept[i] ? session_at(table, i).nr_files : 0;
	check(!memcmp(rewritten, &want, sizeof(want)), "the header written back");
	for (u64 i = 0, k = 0, files = 0; i < h.nr_sessions; i++) {
		if (!kept[i])
			continue;
		luo_session_record r = session_at(table, i);
		const u32 first = r.first_file;
		r.first_file = files;
		check(!memcmp(&r, rewritten + sizeof(luo_table) + k * sizeof(r), sizeof(r)),
		      "each session written back");
		for (u32 f = 0; f < r.nr_files; f++) {
			const luo_file_record rec = file_at(table, h.nr_sessions, first + f);
			const luo_file_record out = file_at(rewritten, nr_kept, files + f);
			check(!memcmp(&rec, &out, sizeof(rec)), "each file written back");
		}
		files += r.nr_files;
		k++;
	}
	if (nr_kept == h.nr_sessions)
		check(!memcmp(rewritten, table, out_bytes), "a table without damage written back whole");

	for (u64 i = 0; i < nr_got; i++)
		luo_engine_remove_session(e, got[i]);
	while (luo_engine_nr_sessions(next))
		luo_engine_remove_session(next, luo_engine_session(next, 0));
	luo_engine_destroy(next);
	luo_engine_destroy(e);
	return 0;
}
