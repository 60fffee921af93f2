// SPDX-License-Identifier: GPL-2.0
// The kstate stream (include/kho/abi/kstate.h): the writer, when the
// handover is serialized, and the reader, in the next kernel.  One format,
// one file.  The reader trusts nothing: every record, name, count and
// offset is checked against the bytes that carry it, and a state is decoded
// twice -- once to check it whole, once to fill the object -- so that a
// refused state leaves the object untouched.
#include "kstate/kstate.hpp"

#include "kho/handover_tree.hpp"
#include "kho/libfdt_api.h"

namespace kstate {
namespace {

constexpr u64 kChunkBytes = 256 * 1024;	 // unless a record needs more
constexpr u32 kMaxChunks = 4096;

// Bytes a memory field takes in the stream (include/kho/abi/kstate.h).
constexpr u64 mem_ref_bytes(u32 kind)
{
	return sizeof(u64) + sizeof(u32) + (kind == KS_VMALLOC ? sizeof(u32) : 0);
}

constexpr u64 align8(u64 n)
{
	return (n + 7) & ~u64{7};
}

template <typename T>
T read_raw(const void* p)
{
	T v;
	__builtin_memcpy(&v, p, sizeof(T));
	return v;
}

template <typename T>
void write_raw(void* p, const T& v)
{
	__builtin_memcpy(p, &v, sizeof(T));
}

bool same_name(const char* a, usize a_len, const char* b)
{
	return __builtin_strlen(b) == a_len && !__builtin_memcmp(a, b, a_len);
}

// Bytes written at a cursor that may run out of room: past the end it only
// counts, so that a record too large for its chunk learns its size.
class Sink {
public:
	Sink(u8* buf, u64 capacity) : buf_(buf), capacity_(capacity) {}

	u64 size() const { return pos_; }
	bool fits() const { return pos_ <= capacity_; }
	// Where the next @n bytes go, or nullptr when they do not fit.
	u8* room(u64 n) const { return pos_ + n <= capacity_ ? buf_ + pos_ : nullptr; }
	u64 left() const { return pos_ < capacity_ ? capacity_ - pos_ : 0; }
	void skip(u64 n) { pos_ += n; }

	void put(const void* p, u64 n)
	{
		if (u8* at = room(n))
			__builtin_memcpy(at, p, n);
		pos_ += n;
	}
	template <typename T>
	void put(const T& v)
	{
		put(&v, sizeof(T));
	}
	void pad()
	{
		static constexpr u8 zeros[8] = {};
		put(zeros, align8(pos_) - pos_);
	}
	// Overwrites what put() wrote at @pos, if it fit.
	template <typename T>
	void patch(u64 pos, const T& v)
	{
		if (pos + sizeof(T) <= capacity_)
			write_raw(buf_ + pos, v);
	}

private:
	u8* buf_;
	u64 capacity_;
	u64 pos_ = 0;
};

class Writer {
public:
	Writer(const kstate_ops& ops, Saved& saved) : ops_(ops), saved_(saved) {}

	Result<void> save(const Registered& r);
	Result<void> write_node(void* fdt);

private:
	Result<void> new_chunk(u64 min_size);
	void close_chunk();
	// The bytes @r's record takes in the current chunk, descriptions included.
	Result<u64> measure(const Registered& r);
	// true if @r fit in the current chunk; else nothing of it is kept.
	Result<bool> try_in_chunk(const Registered& r);
	Result<void> write_record(const Registered& r, Sink& s);
	Result<u32> write_descs(const kstate_description& d, Sink& s);
	u32 index_of(const kstate_description& d) const;
	Result<void> encode(const kstate_description& d, const u8* obj, Sink& s);
	Result<void> encode_field(const kstate_field& f, const u8* obj, Sink& s);
	void forget_mems(usize keep);

	const kstate_ops& ops_;
	Saved& saved_;
	u8* chunk_ = nullptr;
	u64 chunk_size_ = 0;
	u64 used_ = 0;
	Vector<const kstate_description*> descs_;  // written to the current chunk
};

Result<void> Writer::save(const Registered& r)
{
	void* obj = r.obj;
	if (r.desc->pre_save)
		if (int err = r.desc->pre_save(obj))
			return Error::from_errno(err);
	auto done = [&]() -> Result<void> {
		// Measured first, so that a large state is copied once, into a
		// chunk of its own size.
		u64 need = TRY(measure(r));
		if (!chunk_ || need > chunk_size_ - used_) {
			close_chunk();
			descs_.clear();
			need = TRY(measure(r));
			TRY(new_chunk(kx::max(kChunkBytes, sizeof(kstate_chunk) + need)));
		}
		if (!TRY(try_in_chunk(r)))
			return Error(Errno::nospc, "a state grew while it was saved");
		return {};
	}();
	if (r.desc->post_save) {
		const int err = r.desc->post_save(obj);
		if (err && done.is_ok())
			return Error::from_errno(err);
	}
	if (done.is_error())
		return done.error();
	return {};
}

Result<void> Writer::new_chunk(u64 min_size)
{
	void* addr;
	u64 phys, size;
	if (int err = ops_.new_chunk(min_size, &addr, &phys, &size))
		return Error::from_errno(err);
	if (auto r = saved_.chunks.try_append({addr, phys}); r.is_error()) {
		ops_.free_chunk(addr);
		return r.error();
	}
	chunk_ = static_cast<u8*>(addr);
	chunk_size_ = size;
	used_ = sizeof(kstate_chunk);
	return {};
}

void Writer::close_chunk()
{
	if (!chunk_)
		return;
	write_raw(chunk_, kstate_chunk{KSTATE_CHUNK_MAGIC, KSTATE_FORMAT, chunk_size_, used_, 0});
	saved_.bytes += used_;
	chunk_ = nullptr;
}

void Writer::forget_mems(usize keep)
{
	while (saved_.mems.size() > keep) {
		const SavedMem& m = saved_.mems[saved_.mems.size() - 1];
		ops_.unpreserve_mem(m.kind, m.ptr, &m.ref);
		saved_.mems.erase(saved_.mems.size() - 1);
	}
}

Result<u64> Writer::measure(const Registered& r)
{
	const usize descs = descs_.size();
	Sink count(nullptr, 0);
	auto written = write_record(r, count);
	while (descs_.size() > descs)
		descs_.erase(descs_.size() - 1);
	if (written.is_error())
		return written.error();
	return count.size();
}

Result<bool> Writer::try_in_chunk(const Registered& r)
{
	const usize descs = descs_.size(), mems = saved_.mems.size();
	Sink s(chunk_ + used_, chunk_size_ - used_);
	auto written = write_record(r, s);
	if (written.is_ok() && s.fits()) {
		used_ += s.size();
		return true;
	}
	while (descs_.size() > descs)
		descs_.erase(descs_.size() - 1);
	forget_mems(mems);
	if (written.is_error())
		return written.error();
	return false;
}

Result<void> Writer::write_record(const Registered& r, Sink& s)
{
	const u32 desc = TRY(write_descs(*r.desc, s));
	const u64 start = s.size();
	s.put(kstate_record{KSTATE_RECORD_STATE, 0, 0});
	s.put(kstate_state_record{r.instance_id, desc, 0, 0});
	const u64 data = s.size();
	TRY(encode(*r.desc, static_cast<const u8*>(r.obj), s));
	const u64 data_size = s.size() - data;
	s.pad();
	s.patch(start + __builtin_offsetof(kstate_record, size), s.size() - start);
	s.patch(data - sizeof(kstate_state_record) + __builtin_offsetof(kstate_state_record, data_size), data_size);
	return {};
}

u32 Writer::index_of(const kstate_description& d) const
{
	for (usize i = 0; i < descs_.size(); i++)
		if (descs_[i] == &d)
			return static_cast<u32>(i);
	return KSTATE_NO_DESC;
}

// Writes @d, and the descriptions it refers to, unless the chunk has them.
Result<u32> Writer::write_descs(const kstate_description& d, Sink& s)
{
	if (u32 at = index_of(d); at != KSTATE_NO_DESC)
		return at;
	const Span<const kstate_field> fields = fields_of(d);
	u32 nr_subs = 0;
	for (const kstate_field& f : fields)
		if (f.desc)
			TRY(write_descs(*f.desc, s));
	for (auto sub = d.subsections; sub && *sub; sub++, nr_subs++)
		TRY(write_descs(**sub, s));

	const u64 start = s.size();
	const u32 name_len = static_cast<u32>(__builtin_strlen(d.name));
	s.put(kstate_record{KSTATE_RECORD_DESC, 0, 0});
	// Not while measuring: the fingerprint costs a pass over the fields.
	const bool writing = s.room(sizeof(kstate_desc_record));
	s.put(kstate_desc_record{writing ? fingerprint(d) : 0, d.version_id, name_len,
				 static_cast<u32>(fields.size()), nr_subs});
	s.put(d.name, name_len);
	s.pad();
	for (const kstate_field& f : fields) {
		const u32 len = static_cast<u32>(__builtin_strlen(f.name));
		s.put(kstate_field_record{f.kind, f.flags, static_cast<u32>(f.offset),
					  static_cast<u32>(f.size), f.count, f.version_min,
					  f.version_max,
					  f.desc ? index_of(*f.desc) : KSTATE_NO_DESC, len, 0});
		s.put(f.name, len);
		s.pad();
	}
	for (auto sub = d.subsections; sub && *sub; sub++)
		s.put(index_of(**sub));
	s.pad();
	s.patch(start + __builtin_offsetof(kstate_record, size), s.size() - start);
	TRY(descs_.try_append(&d));
	return static_cast<u32>(descs_.size() - 1);
}

// An array's element count: all of it, or what its count says.
Result<u32> array_count(const kstate_field& f, const u8* obj)
{
	u32 n = f.count;
	if (f.flags & KS_F_COUNT_FIELD)
		n = read_raw<u32>(obj + f.count_offset);
	else if (f.flags & KS_F_COUNT_FN)
		n = f.count_fn(const_cast<u8*>(obj));
	if (n > f.count)
		return kx::invalid("an array's count is above its size");
	return n;
}

Result<void> Writer::encode_field(const kstate_field& f, const u8* obj, Sink& s)
{
	const u8* at = obj + f.offset;
	switch (f.kind) {
	case KS_SIMPLE:
		s.put(at, f.size);
		return {};
	case KS_POINTER: {
		const void* p = read_raw<const void*>(at);
		if (!p)
			return kx::invalid("a pointer field is NULL");
		s.put(p, f.size);
		return {};
	}
	case KS_STRUCT:
		return encode(*f.desc, at, s);
	case KS_ARRAY: {
		const u32 n = TRY(array_count(f, obj));
		s.put(n);
		if (!(f.flags & KS_F_POINTERS) && !f.desc) {
			s.put(at, u64{n} * f.size);
			return {};
		}
		for (u32 i = 0; i < n; i++) {
			const u8* p = f.flags & KS_F_POINTERS ? read_raw<const u8*>(at + i * sizeof(void*))
							     : at + u64{i} * f.size;
			if (!p)
				return kx::invalid("an array of pointers holds a NULL");
			if (f.desc)
				TRY(encode(*f.desc, p, s));
			else
				s.put(p, f.size);
		}
		return {};
	}
	case KS_CUSTOM: {
		const u64 head = s.size();
		s.put(u32{0});
		const u64 room = s.left();
		const long n = f.save(const_cast<u8*>(at), room ? s.room(room) : nullptr, room);
		if (n < 0)
			return Error::from_errno(static_cast<int>(n));
		if (static_cast<u64>(n) > ~u32{0})
			return kx::invalid("a custom field saved too many bytes");
		s.patch(head, static_cast<u32>(n));
		s.skip(static_cast<u64>(n));
		return {};
	}
	case KS_FOLIO:
	case KS_PAGES:
	case KS_VMALLOC: {
		void* ptr = read_raw<void*>(at);
		const u32 pages = f.kind == KS_PAGES ? read_raw<u32>(obj + f.count_offset) : 0;
		kstate_mem_ref ref{};
		if (ptr && f.kind == KS_PAGES && !pages)
			return kx::invalid("a pages field counts no pages");
		// Preserved only when really written, not while measuring.
		if (ptr && s.room(mem_ref_bytes(f.kind))) {
			TRY(saved_.mems.try_make_room(1));
			if (int err = ops_.preserve_mem(f.kind, ptr, pages, &ref))
				return Error::from_errno(err);
			saved_.mems.unchecked_append({f.kind, ptr, ref});
		}
		s.put(ref.phys);
		s.put(ref.count);
		if (f.kind == KS_VMALLOC)
			s.put(ref.extra);
		return {};
	}
	case KS_ADDRESS: {
		const void* p = read_raw<const void*>(at);
		u64 offset = KSTATE_NULL_ADDRESS;
		if (p && ops_.address_offset(p, &offset))
			return kx::invalid("an address is outside the kernel image");
		s.put(offset);
		return {};
	}
	}
	return kx::invalid("a field of unknown kind");
}

Result<void> Writer::encode(const kstate_description& d, const u8* obj, Sink& s)
{
	for (const kstate_field& f : fields_of(d))
		if (stored(f, d.version_id))
			TRY(encode_field(f, obj, s));
	const u64 count_at = s.size();
	u32 n = 0;
	s.put(n);
	for (auto sub = d.subsections; sub && *sub; sub++) {
		if (!(*sub)->needed(const_cast<u8*>(obj)))
			continue;
		s.put(index_of(**sub));
		const u64 size_at = s.size();
		s.put(u32{0});
		TRY(encode(**sub, obj, s));
		if (s.size() - size_at - sizeof(u32) > ~u32{0})
			return kx::invalid("a subsection is too large");
		s.patch(size_at, static_cast<u32>(s.size() - size_at - sizeof(u32)));
		n++;
	}
	s.patch(count_at, n);
	return {};
}

// libfdt's errors are not errnos; running out of tree is the likely one.
Result<void> fdt_ok(int err)
{
	if (err)
		return Errno::nospc;
	return {};
}

Result<void> Writer::write_node(void* fdt)
{
	close_chunk();
	if (saved_.chunks.empty())
		return {};
	const usize bytes = saved_.chunks.size() * sizeof(u64);
	void* list;
	TRY(fdt_ok(fdt_begin_node(fdt, KSTATE_NODE_NAME)));
	TRY(fdt_ok(fdt_property(fdt, "compatible", KSTATE_COMPATIBLE, sizeof(KSTATE_COMPATIBLE))));
	TRY(fdt_ok(fdt_property_placeholder(fdt, KSTATE_CHUNKS_PROP, static_cast<int>(bytes), &list)));
	for (usize i = 0; i < saved_.chunks.size(); i++)
		write_raw(static_cast<u8*>(list) + i * sizeof(u64), saved_.chunks[i].phys);
	return fdt_ok(fdt_end_node(fdt));
}

// Bytes of the previous kernel's stream, read front to back.
class Source {
public:
	Source(const u8* p, u64 size) : p_(p), left_(size) {}

	u64 left() const { return left_; }
	// The next @n bytes, or nullptr if there are fewer.
	const u8* take(u64 n)
	{
		if (n > left_)
			return nullptr;
		const u8* at = p_;
		p_ += n;
		left_ -= n;
		return at;
	}
	template <typename T>
	bool read(T& out)
	{
		const u8* at = take(sizeof(T));
		if (at)
			out = read_raw<T>(at);
		return at;
	}

private:
	const u8* p_;
	u64 left_;
};

}  // namespace

Result<void> save_stream(Span<const Registered> objects, void* fdt, const kstate_ops& ops,
			 Saved& saved, const char** who)
{
	Writer w(ops, saved);
	for (const Registered& r : objects) {
		if (auto done = w.save(r); done.is_error()) {
			*who = r.desc->name;
			drop_saved(saved, ops);
			return done.error();
		}
	}
	if (auto done = w.write_node(fdt); done.is_error()) {
		drop_saved(saved, ops);
		return done.error();
	}
	return {};
}

void drop_saved(Saved& saved, const kstate_ops& ops)
{
	for (const SavedMem& m : saved.mems.span())
		ops.unpreserve_mem(m.kind, m.ptr, &m.ref);
	for (const SavedChunk& c : saved.chunks.span())
		ops.free_chunk(c.addr);
	saved.mems.reset();
	saved.chunks.reset();
	saved.bytes = 0;
}

// --- Reading, in the next kernel ---

class Index::Decoder {
public:
	Decoder(const Index& index, const kstate_ops& ops, kstate_refusal& refusal, bool apply)
		: ix_(index), ops_(ops), refusal_(refusal), apply_(apply) {}

	Result<void> section(u32 sd, const kstate_description& d, u8* obj, Source& src, u32 depth);
	// Gives back the memory this restore claimed, and clears its fields:
	// a restore that fails keeps nothing.
	void release_mems()
	{
		for (const Claimed& c : claimed_.span()) {
			ops_.release_mem(c.kind, c.ptr, &c.ref);
			write_raw(c.at, static_cast<void*>(nullptr));
		}
		claimed_.reset();
	}
	// A section that is all of @src: a state, or a subsection.
	Result<void> whole(u32 sd, const kstate_description& d, u8* obj, Source& src, u32 depth)
	{
		TRY(section(sd, d, obj, src, depth));
		if (src.left())
			return refuse("the saved state has bytes past its fields");
		return {};
	}

private:
	template <usize N>
	Error refuse(const char (&why)[N], const char* field = nullptr, usize len = 0)
	{
		refusal_.why = why;
		refusal_.field = field;
		refusal_.field_len = static_cast<unsigned int>(len);
		return Error(Errno::proto, why);
	}
	template <usize N>
	Error refuse(const char (&why)[N], const kstate_field& f)
	{
		return refuse(why, f.name, __builtin_strlen(f.name));
	}
	const Field* differing_field(const Desc& s, const kstate_description& d) const;
	Result<void> value(const Field& sf, const kstate_field& f, u8* obj, Source& src, u32 depth);
	Result<void> subsections(const Desc& s, const kstate_description& d, u8* obj, Source& src,
				 u32 depth);

	struct Claimed {
		u8* at;
		u32 kind;
		void* ptr;
		kstate_mem_ref ref;
	};

	const Index& ix_;
	const kstate_ops& ops_;
	kstate_refusal& refusal_;
	bool apply_;
	Vector<Claimed> claimed_;
};

namespace {

bool stream_stored(const kstate_field_record& f, u32 version)
{
	return f.version_min <= version && (f.version_max == 0 || version < f.version_max) &&
	       !(f.flags & KS_F_UNUSED);
}

}  // namespace

// The first field whose name, kind, flags, size, offset, count, versions
// or embedded struct differ; nullptr if none does (a local field missing
// from the stream is reported by the caller).
const Index::Field* Index::Decoder::differing_field(const Desc& s, const kstate_description& d) const
{
	const Span<const kstate_field> local = fields_of(d);
	for (u32 i = 0; i < s.nr_fields; i++) {
		const Field& sf = ix_.fields_[s.first_field + i];
		const kstate_field_record& r = sf.rec;
		if (i >= local.size())
			return &sf;
		const kstate_field& f = local[i];
		if (!same_name(sf.name, r.name_len, f.name) || r.kind != f.kind || r.flags != f.flags ||
		    r.offset != f.offset || r.size != f.size || r.count != f.count ||
		    r.version_min != f.version_min || r.version_max != f.version_max ||
		    (sf.desc == KSTATE_NO_DESC) != !f.desc ||
		    (f.desc && ix_.descs_[sf.desc].fingerprint != fingerprint(*f.desc)))
			return &sf;
	}
	return nullptr;
}

Result<void> Index::Decoder::section(u32 sd, const kstate_description& d, u8* obj, Source& src,
				     u32 depth)
{
	const Desc& s = ix_.descs_[sd];
	const u32 v = s.version;
	const Span<const kstate_field> local = fields_of(d);
	if (depth == 0)
		refusal_.version = v;
	// Versions and layout were checked when the state was claimed.
	if (!apply_ && v > d.version_id)
		return refuse("saved by a newer version than this kernel reads");
	if (!apply_ && v < d.min_version_id)
		return refuse("saved by a version older than min_version_id");
	if (!apply_ && v == d.version_id && s.fingerprint != fingerprint(d)) {
		if (const Field* f = differing_field(s, d))
			return refuse("layout changed without a version change", f->name, f->rec.name_len);
		if (s.nr_fields < local.size())
			return refuse("layout changed without a version change", local[s.nr_fields]);
		return refuse("layout changed without a version change");
	}
	if (apply_ && depth > 0 && d.pre_load)
		if (int err = d.pre_load(obj))
			return Error::from_errno(err);
	u32 i = 0;
	usize j = 0;
	for (;;) {
		while (i < s.nr_fields && !stream_stored(ix_.fields_[s.first_field + i].rec, v))
			i++;
		while (j < local.size() && !carried(local[j], v))
			j++;
		if (i == s.nr_fields && j == local.size())
			break;
		if (i == s.nr_fields)
			return refuse("the saved state lacks a field", local[j]);
		const Field& sf = ix_.fields_[s.first_field + i];
		if (j == local.size())
			return refuse("the saved state has a field this kernel lacks", sf.name,
				      sf.rec.name_len);
		const kstate_field& f = local[j];
		if (!same_name(sf.name, sf.rec.name_len, f.name) || sf.rec.kind != f.kind ||
		    sf.rec.size != f.size ||
		    (sf.rec.flags & KS_F_POINTERS) != (f.flags & KS_F_POINTERS) ||
		    (sf.desc == KSTATE_NO_DESC) != !f.desc)
			return refuse("a field differs in name, kind or size", f);
		TRY(value(sf, f, obj, src, depth));
		i++;
		j++;
	}
	TRY(subsections(s, d, obj, src, depth));
	if (apply_ && depth > 0 && d.post_load)
		if (int err = d.post_load(obj, v))
			return Error::from_errno(err);
	return {};
}

Result<void> Index::Decoder::value(const Field& sf, const kstate_field& f, u8* obj, Source& src,
				   u32 depth)
{
	u8* at = obj + f.offset;
	switch (f.kind) {
	case KS_SIMPLE:
	case KS_POINTER: {
		const u8* bytes = src.take(f.size);
		if (!bytes)
			return refuse("the saved state ends early", f);
		if (f.flags & KS_F_UNUSED)
			return {};
		u8* to = f.kind == KS_POINTER ? read_raw<u8*>(at) : at;
		if (!to)
			return refuse("a pointer field is NULL here", f);
		if (apply_)
			__builtin_memcpy(to, bytes, f.size);
		return {};
	}
	case KS_STRUCT:
		return section(sf.desc, *f.desc, at, src, depth + 1);
	case KS_ARRAY: {
		u32 n;
		if (!src.read(n))
			return refuse("the saved state ends early", f);
		if (n > f.count)
			return refuse("an array holds more elements than this kernel's", f);
		const bool pointers = f.flags & KS_F_POINTERS;
		if (!pointers && !f.desc) {
			const u8* bytes = src.take(u64{n} * f.size);
			if (!bytes)
				return refuse("the saved state ends early", f);
			if (apply_)
				__builtin_memcpy(at, bytes, u64{n} * f.size);
		}
		for (u32 k = 0; k < n && (pointers || f.desc); k++) {
			u8* to = pointers ? read_raw<u8*>(at + k * sizeof(void*)) : at + u64{k} * f.size;
			if (!to)
				return refuse("an array of pointers holds a NULL here", f);
			if (f.desc) {
				TRY(section(sf.desc, *f.desc, to, src, depth + 1));
				continue;
			}
			const u8* bytes = src.take(f.size);
			if (!bytes)
				return refuse("the saved state ends early", f);
			if (apply_)
				__builtin_memcpy(to, bytes, f.size);
		}
		if (apply_ && (f.flags & KS_F_COUNT_FIELD))
			write_raw(obj + f.count_offset, n);
		return {};
	}
	case KS_CUSTOM: {
		u32 n;
		const u8* bytes = src.read(n) ? src.take(n) : nullptr;
		if (!bytes)
			return refuse("the saved state ends early", f);
		if (apply_)
			if (int err = f.restore(at, bytes, n))
				return Error::from_errno(err);
		return {};
	}
	case KS_FOLIO:
	case KS_PAGES:
	case KS_VMALLOC: {
		kstate_mem_ref ref{};
		if (!src.read(ref.phys) || !src.read(ref.count) ||
		    (f.kind == KS_VMALLOC && !src.read(ref.extra)))
			return refuse("the saved state ends early", f);
		if (!ref.phys && (ref.count || ref.extra))
			return refuse("a memory field with no memory has a size", f);
		if (ref.phys && f.kind != KS_FOLIO && !ref.count)
			return refuse("a memory field holds no pages", f);
		if (ref.phys && !ops_.mem_restorable(f.kind, &ref))
			return refuse("memory is not preserved, or claimed already", f);
		void* ptr = nullptr;
		if (ref.phys && apply_) {
			TRY(claimed_.try_make_room(1));
			ptr = ops_.restore_mem(f.kind, &ref);
			if (!ptr)
				return Error(Errno::busy, "memory was claimed meanwhile, or is damaged");
			claimed_.unchecked_append({at, f.kind, ptr, ref});
		}
		if (apply_) {
			write_raw(at, ptr);
			if (f.kind == KS_PAGES)
				write_raw(obj + f.count_offset, ref.count);
		}
		return {};
	}
	case KS_ADDRESS: {
		u64 offset;
		if (!src.read(offset))
			return refuse("the saved state ends early", f);
		void* p = offset == KSTATE_NULL_ADDRESS ? nullptr : ops_.address_at(offset);
		if (offset != KSTATE_NULL_ADDRESS && !p)
			return refuse("an address is outside the kernel image", f);
		if (apply_)
			write_raw(at, p);
		return {};
	}
	}
	return refuse("a field of unknown kind", f);
}

Result<void> Index::Decoder::subsections(const Desc& s, const kstate_description& d, u8* obj,
					 Source& src, u32 depth)
{
	u32 n;
	u64 seen = 0;
	if (!src.read(n))
		return refuse("the saved state ends early");
	if (n > s.nr_subs)
		return refuse("more subsections than the description lists");
	for (u32 k = 0; k < n; k++) {
		u32 sd, bytes;
		if (!src.read(sd) || !src.read(bytes))
			return refuse("the saved state ends early");
		sd += s.chunk_base;  // numbered in the chunk: wraps to unlisted if hostile
		bool listed = false;
		for (u32 i = 0; i < s.nr_subs; i++)
			listed |= ix_.subs_[s.first_sub + i] == sd;
		if (!listed)
			return refuse("a subsection the description does not list");
		const Desc& sub = ix_.descs_[sd];
		u32 at = 0;
		const kstate_description* local = nullptr;
		for (auto p = d.subsections; p && *p && !local; p++, at++)
			if (same_name(sub.name, sub.name_len, (*p)->name))
				local = *p;
		if (!local)
			return refuse("a subsection this kernel does not know", sub.name, sub.name_len);
		if (seen & (u64{1} << (at - 1)))	// at is one past local's place
			return refuse("a subsection is saved twice", sub.name, sub.name_len);
		seen |= u64{1} << (at - 1);
		const u8* data = src.take(bytes);
		if (!data)
			return refuse("the saved state ends early", sub.name, sub.name_len);
		Source inner(data, bytes);
		TRY(whole(sd, *local, obj, inner, depth + 1));
	}
	return {};
}

Result<usize> Index::load(const void* fdt, const kstate_ops& ops)
{
	const int node = fdt_subnode_offset(fdt, 0, KSTATE_NODE_NAME);
	if (node < 0)
		return Errno::noent;
	if (!kho::node_compatible(fdt, node, KSTATE_COMPATIBLE))
		return kx::invalid("the kstate node is not kstate-v1");
	int len;
	const u8* list = static_cast<const u8*>(fdt_getprop(fdt, node, KSTATE_CHUNKS_PROP, &len));
	if (!list || len <= 0 || static_cast<usize>(len) % sizeof(u64) ||
	    static_cast<usize>(len) / sizeof(u64) > kMaxChunks)
		return kx::invalid("the kstate node's chunk list is malformed");
	const usize nr = static_cast<usize>(len) / sizeof(u64);
	for (usize i = 0; i < nr; i++) {
		const u64 phys = read_raw<u64>(list + i * sizeof(u64));
		bool twice = false;
		for (usize k = 0; k < i; k++)
			twice |= read_raw<u64>(list + k * sizeof(u64)) == phys;
		u64 size = 0;
		const void* base = twice ? nullptr : ops.map_chunk(phys, &size);
		if (!base) {
			ops.dropped("chunk", phys, twice ? "listed twice" : "not a preserved folio");
			continue;
		}
		const usize descs = descs_.size(), fields = fields_.size(), subs = subs_.size(),
			    states = states_.size();
		if (auto r = load_chunk(static_cast<const u8*>(base), size); r.is_error()) {
			truncate(descs, fields, subs, states);
			if (r.error().code() == Errno::nomem)
				return r.error();
			ops.dropped("chunk", phys, r.error().reason());
			continue;
		}
		// Index the chunk's states; the first saved under a key wins.
		for (usize k = states; k < states_.size(); k++) {
			State& st = states_[k];
			const Desc& d = descs_[st.desc];
			const u32 prior = by_key_.find(st.hash, [&](u32 x) {
				const State& o = states_[x];
				const Desc& od = descs_[o.desc];
				return o.instance_id == st.instance_id && od.name_len == d.name_len &&
				       !__builtin_memcmp(od.name, d.name, d.name_len);
			});
			if (prior != HashIndex::kNone) {
				st.claimed = true;
				ops.dropped("state", st.instance_id, "saved twice under one name and instance");
				continue;
			}
			TRY(by_key_.insert(st.hash, static_cast<u32>(k)));
			unclaimed_++;
		}
	}
	return unclaimed_;
}

void Index::truncate(usize descs, usize fields, usize subs, usize states)
{
	while (descs_.size() > descs)
		descs_.erase(descs_.size() - 1);
	while (fields_.size() > fields)
		fields_.erase(fields_.size() - 1);
	while (subs_.size() > subs)
		subs_.erase(subs_.size() - 1);
	while (states_.size() > states)
		states_.erase(states_.size() - 1);
}

Result<void> Index::load_chunk(const u8* base, u64 size)
{
	if (size < sizeof(kstate_chunk))
		return kx::invalid("a chunk is smaller than its header");
	const auto h = read_raw<kstate_chunk>(base);
	if (h.magic != KSTATE_CHUNK_MAGIC || h.format != KSTATE_FORMAT || h.reserved)
		return kx::invalid("a chunk has a bad magic or format");
	if (h.size != size || h.used < sizeof(kstate_chunk) || h.used > size || h.used % 8)
		return kx::invalid("a chunk's sizes do not match its folio");
	const u32 first_desc = static_cast<u32>(descs_.size());
	Source src(base + sizeof(kstate_chunk), h.used - sizeof(kstate_chunk));
	while (src.left()) {
		kstate_record rec;
		if (!src.read(rec))
			return kx::invalid("a record is cut short");
		if (rec.size < sizeof(rec) || rec.size % 8 || rec.size - sizeof(rec) > src.left() ||
		    rec.reserved)
			return kx::invalid("a record's size is out of bounds");
		const u64 body_size = rec.size - sizeof(rec);
		const u8* body = src.take(body_size);
		if (rec.kind == KSTATE_RECORD_DESC)
			TRY(load_desc(body, body_size, first_desc));
		else if (rec.kind == KSTATE_RECORD_STATE)
			TRY(load_state(body, body_size, first_desc));
		else
			return kx::invalid("a record of unknown kind");
	}
	return {};
}

namespace {

// A name of 1 to kMaxNameBytes bytes, padded to 8.
const char* take_name(Source& src, u32 len)
{
	if (len == 0 || len > kMaxNameBytes)
		return nullptr;
	return reinterpret_cast<const char*>(src.take(align8(len)));
}

}  // namespace

Result<void> Index::load_desc(const u8* body, u64 size, u32 first_desc)
{
	Source src(body, size);
	const u32 in_chunk = static_cast<u32>(descs_.size()) - first_desc;
	kstate_desc_record dr;
	if (!src.read(dr))
		return kx::invalid("a description is cut short");
	const char* name = take_name(src, dr.name_len);
	if (!name || dr.nr_fields > kMaxFields || dr.nr_subsections > kMaxSubsections)
		return kx::invalid("a description's name or counts are out of bounds");
	const Desc d{name, dr.name_len, dr.version_id, dr.fingerprint,
		     static_cast<u32>(fields_.size()), dr.nr_fields,
		     static_cast<u32>(subs_.size()), dr.nr_subsections, first_desc};
	for (u32 i = 0; i < dr.nr_fields; i++) {
		kstate_field_record rec;
		if (!src.read(rec))
			return kx::invalid("a description is cut short");
		const char* field_name = take_name(src, rec.name_len);
		if (!field_name || rec.kind == KS_END || rec.kind > KS_VMALLOC || rec.reserved)
			return kx::invalid("a field's name or kind is out of bounds");
		const bool takes_desc = rec.kind == KS_STRUCT || rec.kind == KS_ARRAY;
		const bool needs_desc = rec.kind == KS_STRUCT;
		if (rec.desc == KSTATE_NO_DESC ? needs_desc : !takes_desc || rec.desc >= in_chunk)
			return kx::invalid("a field names a description not before it");
		// Numbered in the chunk there, in the whole stream here.
		const u32 desc = rec.desc == KSTATE_NO_DESC ? KSTATE_NO_DESC : first_desc + rec.desc;
		TRY(fields_.try_append({rec, field_name, desc}));
	}
	for (u32 i = 0; i < dr.nr_subsections; i++) {
		u32 sub;
		if (!src.read(sub) || sub >= in_chunk)
			return kx::invalid("a subsection names a description not before it");
		TRY(subs_.try_append(first_desc + sub));
	}
	if (src.left() >= 8)
		return kx::invalid("a description has bytes past its end");
	return descs_.try_append(d);
}

Result<void> Index::load_state(const u8* body, u64 size, u32 first_desc)
{
	Source src(body, size);
	kstate_state_record sr;
	if (!src.read(sr) || sr.reserved)
		return kx::invalid("a state is cut short");
	if (sr.desc >= descs_.size() - first_desc)
		return kx::invalid("a state names a description not before it");
	if (sr.data_size > src.left() || align8(sr.data_size) != src.left())
		return kx::invalid("a state's data size does not match its record");
	const Desc& d = descs_[first_desc + sr.desc];
	return states_.try_append({sr.instance_id, key_hash(d.name, d.name_len, sr.instance_id),
				   src.take(sr.data_size), sr.data_size, first_desc + sr.desc, false});
}

Result<u32> Index::claim(const kstate_description& d, void* obj, u64 instance_id,
			 const kstate_ops& ops, kstate_refusal& refusal)
{
	const usize name_len = __builtin_strlen(d.name);
	const u32 at = by_key_.find(key_hash(d.name, name_len, instance_id), [&](u32 x) {
		const State& st = states_[x];
		const Desc& sd = descs_[st.desc];
		return st.instance_id == instance_id && same_name(sd.name, sd.name_len, d.name);
	});
	if (at == HashIndex::kNone || states_[at].claimed)
		return Errno::noent;
	State& st = states_[at];
	Source src(st.data, st.size);
	TRY(Decoder(*this, ops, refusal, false).whole(st.desc, d, static_cast<u8*>(obj), src, 0));
	st.claimed = true;
	unclaimed_--;
	return at;
}

Result<void> Index::apply(u32 state, const kstate_description& d, void* obj,
			  const kstate_ops& ops, kstate_refusal& refusal) const
{
	const State& st = states_[state];
	KX_ASSERT(st.claimed);
	if (d.pre_load)
		if (int err = d.pre_load(obj))
			return Error::from_errno(err);
	Source src(st.data, st.size);
	Decoder decoder(*this, ops, refusal, true);
	auto filled = decoder.whole(st.desc, d, static_cast<u8*>(obj), src, 0);
	if (filled.is_ok() && d.post_load)
		if (int err = d.post_load(obj, descs_[st.desc].version))
			filled = Error::from_errno(err);
	if (filled.is_error())
		decoder.release_mems();
	return filled;
}

void Index::reset()
{
	descs_.reset();
	fields_.reset();
	subs_.reset();
	states_.reset();
	by_key_.reset();
	unclaimed_ = 0;
}

}  // namespace kstate
