// SPDX-License-Identifier: GPL-2.0
// Live Update's sessions: the ones to preserve, the table they become in
// the handover, and the previous kernel's table read back, every byte of it
// checked.  A session keeps its files sorted by token, so that finding one
// and refusing a duplicate are a binary search.

#include <kx/result.hpp>
#include <kx/span.hpp>
#include <kx/vector.hpp>

#include <kho/abi/liveupdate.h>
#include "liveupdate/engine.h"

using kx::Errno;
using kx::Result;
using kx::Span;
using kx::u32;
using kx::u64;
using kx::usize;
using kx::Vector;

static_assert(sizeof(luo_file_ref::compatible) == LUO_COMPATIBLE_BYTES);
static_assert(sizeof(luo_table) == 24 && sizeof(luo_session_record) == 72 &&
	      sizeof(luo_file_record) == 64);

struct luo_session {
	char name[LUO_NAME_BYTES] = {};
	Vector<luo_file_ref> files;	// by token
	bool retrieved = false;
	bool closed = false;

	// Where @token is, or would go.
	usize lower_bound(u64 token) const
	{
		usize lo = 0, hi = files.size();
		while (lo < hi) {
			const usize mid = lo + (hi - lo) / 2;
			if (files[mid].token < token)
				lo = mid + 1;
			else
				hi = mid;
		}
		return lo;
	}
};

struct luo_engine {
	Vector<luo_session*> outgoing;
	Vector<luo_session*> incoming;	// the previous kernel's, not yet retrieved
};

namespace {

// strnlen(): clang has no __builtin_strnlen, and the core has no libc.
usize bounded_length(const char* s, usize max)
{
	usize len = 0;
	while (len < max && s[len])
		len++;
	return len;
}

// Whether @s is a NUL-terminated, non-empty string in its @N bytes, zero
// after the NUL (so that two equal names are equal arrays).
template <usize N>
bool well_formed(const char (&s)[N])
{
	const usize len = bounded_length(s, N);
	if (len == 0 || len == N)
		return false;
	for (usize i = len; i < N; i++)
		if (s[i])
			return false;
	return true;
}

bool same_name(const luo_session* s, const char* name)
{
	return __builtin_strncmp(s->name, name, LUO_NAME_BYTES) == 0;
}

luo_session* find(Span<luo_session* const> sessions, const char* name, usize* at = nullptr)
{
	for (usize i = 0; i < sessions.size(); i++) {
		if (same_name(sessions[i], name)) {
			if (at)
				*at = i;
			return sessions[i];
		}
	}
	return nullptr;
}

// A session named by the caller: a string of at most LUO_NAME_BYTES with its NUL.
Result<luo_session*> new_session(const char* name)
{
	const usize len = bounded_length(name, LUO_NAME_BYTES);
	if (len == 0 || len == LUO_NAME_BYTES)
		return kx::invalid("name empty or not NUL-terminated");
	auto* s = new (std::nothrow) luo_session();
	if (!s)
		return Errno::nomem;
	__builtin_memcpy(s->name, name, len);
	return s;
}

// Checks one session of the previous kernel's table and copies it.
Result<luo_session*> read_session(const luo_session_record& r, Span<const luo_file_record> files)
{
	if (!well_formed(r.name))
		return kx::invalid("malformed name (empty, unterminated or not zero-padded)");
	if (r.nr_files > LUO_MAX_FILES)
		return kx::invalid("too many files");
	auto* s = new (std::nothrow) luo_session();
	if (!s)
		return Errno::nomem;
	__builtin_memcpy(s->name, r.name, LUO_NAME_BYTES);
	if (s->files.try_reserve(r.nr_files).is_error()) {
		delete s;
		return Errno::nomem;
	}
	for (u32 i = 0; i < r.nr_files; i++) {
		const luo_file_record& f = files[r.first_file + i];
		if (!well_formed(f.compatible)) {
			delete s;
			return kx::invalid(
				"a file's handler name malformed (empty, unterminated or not zero-padded)");
		}
		if (i && f.token <= s->files[i - 1].token) {
			delete s;
			return kx::invalid("file tokens not in increasing order");
		}
		luo_file_ref ref = {};
		ref.token = f.token;
		ref.data = f.data;
		__builtin_memcpy(ref.compatible, f.compatible, LUO_COMPATIBLE_BYTES);
		s->files.unchecked_append(ref);
	}
	return s;
}

// Frees the sessions, and the list's storage: nothing stays allocated
// after an unload or a load that ran out of memory.
void free_sessions(Vector<luo_session*>& sessions)
{
	for (luo_session* s : sessions.span())
		delete s;
	sessions.reset();
}

}  // namespace

extern "C" {

luo_engine* luo_engine_create(void)
{
	return new (std::nothrow) luo_engine();
}

void luo_engine_destroy(luo_engine* engine)
{
	if (!engine)
		return;
	KX_ASSERT(engine->outgoing.empty());
	free_sessions(engine->incoming);
	delete engine;
}

int luo_engine_create_session(luo_engine* e, const char* name, luo_session** session)
{
	if (find(e->outgoing.span(), name))
		return -KX_EEXIST;
	if (e->outgoing.size() >= LUO_MAX_SESSIONS)
		return -KX_ENOSPC;
	auto r = new_session(name);
	if (r.is_error())
		return r.error().to_errno();
	if (e->outgoing.try_append(r.value()).is_error()) {
		delete r.value();
		return -KX_ENOMEM;
	}
	*session = r.value();
	return 0;
}

int luo_engine_retrieve_session(luo_engine* e, const char* name, luo_session** session)
{
	usize at;
	luo_session* s = find(e->incoming.span(), name, &at);
	if (!s)
		return -KX_ENOENT;
	e->incoming.erase(at);
	s->retrieved = true;
	*session = s;
	return 0;
}

void luo_engine_remove_session(luo_engine* e, luo_session* session)
{
	usize at;
	if (find(e->outgoing.span(), session->name, &at) == session)
		e->outgoing.erase(at);
	delete session;
}

kx_size_t luo_engine_nr_sessions(const luo_engine* e)
{
	return e->outgoing.size();
}

luo_session* luo_engine_session(luo_engine* e, kx_size_t i)
{
	return e->outgoing[i];
}

const char* luo_session_name(const luo_session* s)
{
	return s->name;
}

int luo_session_retrieved(const luo_session* s)
{
	return s->retrieved;
}

void luo_session_mark_closed(luo_session* s)
{
	s->closed = true;
}

int luo_session_closed(const luo_session* s)
{
	return s->closed;
}

kx_size_t luo_session_nr_files(const luo_session* s)
{
	return s->files.size();
}

luo_file_ref* luo_session_file(luo_session* s, kx_size_t i)
{
	return &s->files[i];
}

luo_file_ref* luo_session_find(luo_session* s, kx_u64 token)
{
	const usize at = s->lower_bound(token);
	return at < s->files.size() && s->files[at].token == token ? &s->files[at] : nullptr;
}

int luo_session_add_file(luo_session* s, const luo_file_ref* ref)
{
	const usize at = s->lower_bound(ref->token);
	if (at < s->files.size() && s->files[at].token == ref->token)
		return -KX_EEXIST;
	if (s->files.size() >= LUO_MAX_FILES)
		return -KX_ENOSPC;
	return kx::to_errno(s->files.try_insert(at, *ref));
}

void luo_session_clear(luo_session* s)
{
	s->files.clear();
}

kx_size_t luo_engine_table_size(const luo_engine* e)
{
	usize files = 0;
	for (const luo_session* s : e->outgoing.span())
		files += s->files.size();
	return sizeof(luo_table) + e->outgoing.size() * sizeof(luo_session_record) +
	       files * sizeof(luo_file_record);
}

void luo_engine_write_table(const luo_engine* e, void* buf, kx_size_t bytes)
{
	KX_ASSERT(bytes >= luo_engine_table_size(e));
	auto* t = static_cast<luo_table*>(buf);
	auto* sessions = reinterpret_cast<luo_session_record*>(t + 1);
	auto* files = reinterpret_cast<luo_file_record*>(sessions + e->outgoing.size());
	u32 nr_files = 0;

	t->magic = LUO_TABLE_MAGIC;
	t->format = LUO_TABLE_FORMAT;
	t->nr_sessions = e->outgoing.size();
	for (usize i = 0; i < e->outgoing.size(); i++) {
		const luo_session* s = e->outgoing[i];
		__builtin_memcpy(sessions[i].name, s->name, LUO_NAME_BYTES);
		sessions[i].first_file = nr_files;
		sessions[i].nr_files = s->files.size();
		for (const luo_file_ref& f : s->files.span()) {
			luo_file_record& r = files[nr_files++];
			r.token = f.token;
			r.data = f.data;
			__builtin_memcpy(r.compatible, f.compatible, LUO_COMPATIBLE_BYTES);
		}
	}
	t->nr_files = nr_files;
}

long luo_engine_load(luo_engine* e, const void* table, kx_size_t bytes,
		     void (*dropped)(const char* name, kx_size_t index, const char* why),
		     const char** why)
{
	*why = nullptr;
	KX_ASSERT(e->incoming.empty());
	const auto* t = static_cast<const luo_table*>(table);
	if (bytes < sizeof(*t) || t->magic != LUO_TABLE_MAGIC) {
		*why = "not a session table";
		return -KX_EINVAL;
	}
	if (t->format != LUO_TABLE_FORMAT || t->reserved) {
		*why = "unknown table format";
		return -KX_EINVAL;
	}
	if (t->nr_sessions > LUO_MAX_SESSIONS) {
		*why = "too many sessions";
		return -KX_EINVAL;
	}
	// Both counts are below 2^32: no product overflows 64 bits.
	if ((bytes - sizeof(*t)) / sizeof(luo_session_record) < t->nr_sessions ||
	    (bytes - sizeof(*t) - t->nr_sessions * sizeof(luo_session_record)) /
			    sizeof(luo_file_record) < t->nr_files) {
		*why = "table larger than its memory";
		return -KX_EINVAL;
	}
	Span<const luo_session_record> sessions(reinterpret_cast<const luo_session_record*>(t + 1),
						t->nr_sessions);
	Span<const luo_file_record> files(reinterpret_cast<const luo_file_record*>(sessions.end()),
					  t->nr_files);
	u64 next_file = 0;
	for (const luo_session_record& r : sessions) {
		if (r.first_file != next_file || r.nr_files > files.size() - next_file) {
			*why = "sessions' files overlap or leave gaps";
			return -KX_EINVAL;
		}
		next_file += r.nr_files;
	}
	if (next_file != files.size()) {
		*why = "sessions' files overlap or leave gaps";
		return -KX_EINVAL;
	}
	if (e->incoming.try_reserve(sessions.size()).is_error())
		return -KX_ENOMEM;

	for (usize i = 0; i < sessions.size(); i++) {
		const luo_session_record& r = sessions[i];
		auto s = read_session(r, files);
		if (s.is_error() && s.error().code() == Errno::nomem) {
			free_sessions(e->incoming);
			return -KX_ENOMEM;
		}
		const char* refused = s.is_error() ? s.error().reason() : nullptr;
		if (!refused && find(e->incoming.span(), s.value()->name)) {
			delete s.value();
			refused = "a second session of that name";
		}
		if (refused) {
			dropped(well_formed(r.name) ? r.name : nullptr, i, refused);
			continue;
		}
		e->incoming.unchecked_append(s.value());
	}
	return e->incoming.size();
}

void luo_engine_unload(luo_engine* e)
{
	free_sessions(e->incoming);
}

kx_size_t luo_engine_unretrieved(const luo_engine* e)
{
	return e->incoming.size();
}

}  // extern "C"
