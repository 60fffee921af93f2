// SPDX-License-Identifier: GPL-2.0
// The kstate engine: what a description must be, its fingerprint, the
// registry of objects to save, and the C interface (engine.h).
#include "kstate/kstate.hpp"

namespace kstate {

Span<const kstate_field> fields_of(const kstate_description& d)
{
	usize n = 0;
	while (d.fields[n].kind != KS_END)
		n++;
	return {d.fields, n};
}

namespace {

usize name_length(const char* s)
{
	return s ? __builtin_strlen(s) : 0;
}

bool covers(const kstate_field& f, unsigned long offset)
{
	return !(f.flags & KS_F_UNUSED) && f.offset <= offset && offset < f.offset + f.size;
}

Result<void> check_field(const kstate_description& d, const kstate_field& f, u32 depth)
{
	const usize len = name_length(f.name);
	if (len == 0 || len > kMaxNameBytes)
		return kx::invalid("a field has no name, or a name too long");
	if (f.kind > KS_VMALLOC || f.size == 0 || f.size > ~u32{0} || f.offset > ~u32{0})
		return kx::invalid("a field's kind, size or offset is out of range");
	if (f.version_min > d.version_id || (f.version_max && f.version_max <= f.version_min))
		return kx::invalid("a field's versions are out of order");
	if ((f.flags & KS_F_UNUSED) && (f.kind != KS_SIMPLE || !f.version_max || f.version_max > d.version_id))
		return kx::invalid("a dropped field is still carried");
	if (f.desc && f.kind != KS_STRUCT && f.kind != KS_ARRAY)
		return kx::invalid("only structs and arrays take a description");
	switch (f.kind) {
	case KS_STRUCT:
		if (!f.desc)
			return kx::invalid("an embedded struct has no description");
		return check_description(*f.desc, depth + 1);
	case KS_ARRAY:
		if (f.count == 0 || u64{f.count} * f.size > ~u32{0})
			return kx::invalid("an array has no elements, or too many bytes");
		if ((f.flags & KS_F_COUNT_FN) && !f.count_fn)
			return kx::invalid("a counted array has no count function");
		return f.desc ? check_description(*f.desc, depth + 1) : Result<void>();
	case KS_CUSTOM:
		if (!f.save || !f.restore)
			return kx::invalid("a custom field lacks save or restore");
		return {};
	case KS_PAGES:
		if (!(f.flags & KS_F_COUNT_FIELD))
			return kx::invalid("a pages field has no count field");
		[[fallthrough]];
	case KS_FOLIO:
	case KS_VMALLOC:
	case KS_ADDRESS:
		if (f.size != sizeof(void*))
			return kx::invalid("a memory or address field is not a pointer");
		return {};
	default:
		return {};
	}
}

}  // namespace

Result<void> check_description(const kstate_description& d, u32 depth)
{
	const usize len = name_length(d.name);
	if (depth >= kMaxDepth)
		return kx::invalid("structs or subsections nest too deep");
	if (len == 0 || len > kMaxNameBytes || !d.fields)
		return kx::invalid("a description has no name, a name too long, or no fields");
	if (d.min_version_id > d.version_id)
		return kx::invalid("min_version_id is above version_id");
	const Span<const kstate_field> fields = fields_of(d);
	if (fields.size() > kMaxFields)
		return kx::invalid("a description has too many fields");
	for (usize i = 0; i < fields.size(); i++) {
		const kstate_field& f = fields[i];
		TRY(check_field(d, f, depth));
		// An array restores its own count: nothing after it may overwrite it.
		if (f.flags & KS_F_COUNT_FIELD)
			for (usize j = i + 1; j < fields.size(); j++)
				if (covers(fields[j], f.count_offset))
					return kx::invalid("a field after a counted array overwrites its count");
	}
	for (auto sub = d.subsections; sub && *sub; sub++) {
		if (sub - d.subsections >= kMaxSubsections)
			return kx::invalid("a description has too many subsections");
		if (!(*sub)->needed)
			return kx::invalid("a subsection has no needed()");
		TRY(check_description(**sub, depth + 1));
	}
	return {};
}

namespace {

// A word-at-a-time multiply-xorshift hash: the same in both kernels by
// construction, and cheap enough to compute at every restore.
class Hasher {
public:
	void number(u64 v)
	{
		h_ = (h_ ^ v) * 0x9e3779b97f4a7c15ull;
		h_ ^= h_ >> 29;
	}
	void bytes(const void* p, usize n)
	{
		const u8* b = static_cast<const u8*>(p);
		u64 w;
		for (; n >= sizeof(w); b += sizeof(w), n -= sizeof(w)) {
			__builtin_memcpy(&w, b, sizeof(w));
			number(w);
		}
		w = 0;
		__builtin_memcpy(&w, b, n);
		number(w ^ (u64{n} << 56));
	}
	void string(const char* s) { bytes(s, __builtin_strlen(s)); }
	u64 value() const { return h_; }

private:
	u64 h_ = 0x6b73746174650001ull;	 // "kstate", 1
};

}  // namespace

u64 fingerprint(const kstate_description& d)
{
	Hasher h;
	h.string(d.name);
	for (const kstate_field& f : fields_of(d)) {
		h.string(f.name);
		const u64 facts[] = {f.kind, f.flags, f.offset, f.size, f.count, f.version_min,
				     f.version_max};
		for (u64 v : facts)
			h.number(v);
		h.number(f.desc ? fingerprint(*f.desc) : 0);
	}
	return h.value();
}

u64 key_hash(const char* name, usize len, u64 instance_id)
{
	Hasher h;
	h.bytes(name, len);
	h.number(instance_id);
	return h.value();
}

Result<void> HashIndex::insert(u64 hash, u32 index)
{
	if ((used_ + 1) * 2 > slots_.size())
		TRY(grow());
	for (usize i = hash & mask();; i = (i + 1) & mask()) {
		Slot& s = slots_[i];
		if (s.index == kEmpty || s.index == kGone) {
			used_ += s.index == kEmpty;
			live_++;
			s = {hash, index};
			return {};
		}
	}
}

void HashIndex::retarget(u64 hash, u32 index, u32 to)
{
	const u32 at = find(hash, [&](u32 i) { return i == index; });
	if (at == kNone)
		return;
	for (usize i = hash & mask();; i = (i + 1) & mask()) {
		Slot& s = slots_[i];
		if (s.hash == hash && s.index == index) {
			s.index = to;
			live_ -= to == kGone;
			return;
		}
	}
}

Result<void> HashIndex::grow()
{
	usize capacity = 16;
	while (capacity < (live_ + 1) * 4)
		capacity *= 2;
	Vector<Slot> old;
	TRY(old.try_reserve(capacity));
	for (usize i = 0; i < capacity; i++)
		old.unchecked_append({0, kEmpty});
	slots_.swap(old);  // the new table in place, the old one to re-insert
	used_ = live_ = 0;
	for (const Slot& s : old.span())
		if (s.index != kEmpty && s.index != kGone)
			insert(s.hash, s.index).release_value();  // room was made above
	return {};
}

void HashIndex::reset()
{
	slots_.reset();
	used_ = live_ = 0;
}

}  // namespace kstate

using namespace kstate;

struct kstate_engine {
	Vector<Registered> registered;
	HashIndex by_key;
	Saved saved;
	Index loaded;
};

namespace {

u32 find_registered(const kstate_engine& e, const kstate_description& d, u64 id, u64 hash)
{
	return e.by_key.find(hash, [&](u32 i) {
		const Registered& r = e.registered[i];
		return r.instance_id == id && !__builtin_strcmp(r.desc->name, d.name);
	});
}

}  // namespace

extern "C" {

int kstate_engine_check(const kstate_description* desc, const char** why)
{
	return kx::to_errno(check_description(*desc), why);
}

kstate_engine* kstate_engine_create(void)
{
	return new (std::nothrow) kstate_engine();
}

void kstate_engine_destroy(kstate_engine* engine)
{
	if (engine)
		KX_ASSERT(engine->saved.chunks.empty() && engine->saved.mems.empty());
	delete engine;
}

int kstate_engine_register(kstate_engine* e, const kstate_description* desc, void* obj,
			   kx_u64 instance_id, const char** why)
{
	*why = nullptr;
	if (auto r = check_description(*desc); r.is_error())
		return kx::to_errno(r, why);
	const u64 hash = key_hash(desc->name, __builtin_strlen(desc->name), instance_id);
	if (find_registered(*e, *desc, instance_id, hash) != HashIndex::kNone)
		return -KX_EEXIST;
	if (e->registered.size() >= HashIndex::kNone - 1)
		return -KX_ENOSPC;
	auto room = e->registered.try_prepare_room(1);
	if (room.is_error())
		return kx::to_errno(room);
	const u32 index = static_cast<u32>(e->registered.size());
	if (auto r = e->by_key.insert(hash, index); r.is_error())
		return kx::to_errno(r);
	e->registered.install(room.release_value());
	e->registered.unchecked_append({desc, obj, instance_id, hash});
	return 0;
}

void kstate_engine_unregister(kstate_engine* e, const kstate_description* desc, void* obj,
			      kx_u64 instance_id)
{
	const u64 hash = key_hash(desc->name, __builtin_strlen(desc->name), instance_id);
	const u32 at = find_registered(*e, *desc, instance_id, hash);
	if (at == HashIndex::kNone || e->registered[at].obj != obj)
		return;
	const u32 last = static_cast<u32>(e->registered.size() - 1);
	e->by_key.erase(hash, at);
	if (at != last) {
		e->by_key.retarget(e->registered[last].hash, last, at);
		e->registered[at] = e->registered[last];
	}
	e->registered.erase(last);
}

kx_size_t kstate_engine_registered(const kstate_engine* e)
{
	return e->registered.size();
}

int kstate_engine_save(kstate_engine* e, void* fdt, const kstate_ops* ops, const char** who,
		       const char** why)
{
	*who = nullptr;
	KX_ASSERT(e->saved.chunks.empty());
	return kx::to_errno(save_stream(e->registered.span(), fdt, *ops, e->saved, who), why);
}

void kstate_engine_drop_saved(kstate_engine* e, const kstate_ops* ops)
{
	drop_saved(e->saved, *ops);
}

void kstate_engine_saved_size(const kstate_engine* e, kx_u64* bytes, kx_u64* chunks)
{
	*bytes = e->saved.bytes;
	*chunks = e->saved.chunks.size();
}

long kstate_engine_load(kstate_engine* e, const void* fdt, const kstate_ops* ops, const char** why)
{
	e->loaded.reset();
	auto r = e->loaded.load(fdt, *ops);
	const int err = kx::to_errno(r, why);
	return err ? err : static_cast<long>(r.value());
}

int kstate_engine_claim(kstate_engine* e, const kstate_description* desc, void* obj,
			kx_u64 instance_id, const kstate_ops* ops, kstate_refusal* refusal)
{
	*refusal = {};
	if (auto r = check_description(*desc); r.is_error()) {
		refusal->why = r.error().reason();
		return kx::to_errno(r);
	}
	auto claimed = e->loaded.claim(*desc, obj, instance_id, *ops, *refusal);
	return claimed.is_ok() ? static_cast<int>(claimed.value()) : claimed.error().to_errno();
}

int kstate_engine_apply(kstate_engine* e, int state, const kstate_description* desc, void* obj,
			const kstate_ops* ops, kstate_refusal* refusal)
{
	return kx::to_errno(e->loaded.apply(static_cast<u32>(state), *desc, obj, *ops, *refusal));
}

void kstate_engine_unload(kstate_engine* e)
{
	e->loaded.reset();
}

kx_size_t kstate_engine_unclaimed(const kstate_engine* e)
{
	return e->loaded.unclaimed();
}

}  // extern "C"
