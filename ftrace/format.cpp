// SPDX-License-Identifier: GPL-2.0
#include "ftrace/format.hpp"

namespace ftrace {

using kx::Errno;
using kx::Span;
using kx::u32;
using kx::u64;
using kx::u8;
using kx::usize;

namespace {

template <typename T>
T load(const u8* p)
{
	T v;
	__builtin_memcpy(&v, p, sizeof(v));
	return v;
}

usize varint_size(u64 v)
{
	usize n = 1;
	while (v >= 0x80) {
		v >>= 7;
		n++;
	}
	return n;
}

usize string_length(const char* s)
{
	usize n = 0;
	while (s[n])
		n++;
	return n;
}

// With the terminating NUL.
usize string_size(const char* s) { return string_length(s) + 1; }

bool string_equal(const char* a, const char* b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return *a == *b;
}

bool contains(const char* s, const char* what)
{
	const usize n = string_length(what);
	for (; *s; s++) {
		usize i = 0;
		while (i < n && s[i] == what[i])
			i++;
		if (i == n)
			return true;
	}
	return false;
}

bool has_nul(const u8* s, usize size)
{
	for (usize i = 0; i < size; i++)
		if (!s[i])
			return true;
	return false;
}

bool starts_with(const char* s, const char* prefix)
{
	while (*prefix && *s == *prefix) {
		s++;
		prefix++;
	}
	return !*prefix;
}

// FNV-1a, 32 bits: small and stable; both kernels compute it the same way.
class Fnv {
public:
	void bytes(const void* p, usize n)
	{
		for (usize i = 0; i < n; i++)
			hash_ = (hash_ ^ static_cast<const u8*>(p)[i]) * 16777619u;
	}
	void string(const char* s) { bytes(s, string_size(s)); }
	void number(u32 v) { bytes(&v, sizeof(v)); }
	u32 value() const { return hash_; }

private:
	u32 hash_ = 2166136261u;
};

// Appends text to a fixed buffer, cutting (never overflowing) at its end.
class Text {
public:
	explicit Text(Span<char> out) : out_(out) {}

	void put(char c)
	{
		if (len_ + 1 < out_.size())
			out_[len_] = c;
		len_++;
	}
	void put(const char* s)
	{
		while (*s)
			put(*s++);
	}
	void decimal(u64 v, bool negative = false)
	{
		char digits[20];
		usize n = 0;
		if (negative)
			put('-');
		do {
			digits[n++] = static_cast<char>('0' + v % 10);
			v /= 10;
		} while (v);
		while (n)
			put(digits[--n]);
	}
	void hex(u64 v)
	{
		put("0x");
		int shift = 60;
		while (shift > 0 && !(v >> shift))
			shift -= 4;
		for (; shift >= 0; shift -= 4)
			put("0123456789abcdef"[(v >> shift) & 0xf]);
	}
	// Printable bytes up to a NUL or @n, anything else as '?' (but a
	// final newline, as trace_marker and trace_printk store, is dropped).
	void bounded(const u8* s, usize n)
	{
		for (usize i = 0; i < n && s[i]; i++) {
			if (s[i] == '\n' && (i + 1 == n || !s[i + 1]))
				break;
			put(s[i] >= 0x20 && s[i] < 0x7f ? static_cast<char>(s[i]) : '?');
		}
	}
	usize finish()
	{
		if (out_.size())
			out_[len_ < out_.size() ? len_ : out_.size() - 1] = '\0';
		return len_ < out_.size() ? len_ : out_.size() - 1;
	}

private:
	Span<char> out_;
	usize len_ = 0;
};

u64 load_uint(const u8* p, u32 size)
{
	switch (size) {
	case 1: return load<u8>(p);
	case 2: return load<__UINT16_TYPE__>(p);
	case 4: return load<u32>(p);
	default: return load<u64>(p);
	}
}

long long sign_extend(u64 v, u32 size)
{
	const u32 bits = size * 8;
	if (bits >= 64)
		return static_cast<long long>(v);
	const u64 sign = u64{1} << (bits - 1);
	return static_cast<long long>((v ^ sign) - sign);
}

bool is_location(const char* type)
{
	return starts_with(type, "__data_loc") || starts_with(type, "__rel_loc");
}

// How a field is read, printed and described to tools, from its type and
// size: every reader of a record asks this one question.
enum class FieldKind {
	kLocatedString,	 // __data_loc/__rel_loc char[]: NUL-terminated text elsewhere
	kLocatedBytes,	 // any other __data_loc/__rel_loc array
	kString,	 // char[N] in place, or char[] up to the record's end
	kArray,		 // any other array in place
	kOddSize,	 // a scalar not 1, 2, 4 or 8 bytes
	kPointer,	 // a scalar whose type is a pointer
	kInteger,
};

FieldKind field_kind(const char* type, u32 size)
{
	if (is_location(type))
		return contains(type, "char[") ? FieldKind::kLocatedString : FieldKind::kLocatedBytes;
	if (contains(type, "char[") && !contains(type, "*"))
		return FieldKind::kString;
	if (contains(type, "["))
		return FieldKind::kArray;
	if (size != 1 && size != 2 && size != 4 && size != 8)
		return FieldKind::kOddSize;
	return contains(type, "*") ? FieldKind::kPointer : FieldKind::kInteger;
}

// ftrace's function and graph events hold code addresses in ip and
// parent_ip, typed unsigned long.
bool is_code_address(bool ftrace_system, const char* name)
{
	return ftrace_system && (string_equal(name, "ip") || string_equal(name, "parent_ip"));
}

// The bytes a __data_loc or __rel_loc field of @record points to: a u32,
// offset in the low half (for __rel_loc from the end of the field), length
// in the high half.  The field itself must be inside the record.
kx::Result<Span<const u8>> located(const kho_ftrace_field_desc& f, const char* type,
				   Span<const u8> record)
{
	if (f.size != 4)
		return kx::invalid("bad location");
	const u32 loc = load<u32>(record.data() + f.offset);
	usize off = loc & 0xffff;
	const usize len = loc >> 16;
	if (starts_with(type, "__rel_loc"))
		off += f.offset + 4;
	if (off > record.size() || len > record.size() - off)
		return kx::invalid("beyond record");
	return Span<const u8>{record.data() + off, len};
}

// "unsigned long caller[8]" -> 8; 0 when there is no count.
u32 array_count(const char* type)
{
	for (; *type && *type != '['; type++)
		;
	u32 n = 0;
	for (type += *type ? 1 : 0; *type >= '0' && *type <= '9'; type++)
		n = n * 10 + static_cast<u32>(*type - '0');
	return n;
}

// The same place in this kernel's text as @addr in the previous kernel's,
// if this kernel is the same build and @addr is in its text.
bool move_text_address(const kho_ftrace_names& n, u64 addr, u64* moved)
{
	if (!n.same_build || addr < n.old_text || addr - n.old_text >= n.text_size)
		return false;
	*moved = addr - n.old_text + n.text;
	return true;
}

// What an address of the previous kernel was: a symbol, if this kernel is
// the same build, or a module and offset; false to print it as hex.
bool name_address(const kho_ftrace_names& n, u64 addr, Span<char> out)
{
	u64 here;
	if (move_text_address(n, addr, &here)) {
		n.symbol(here, out.data(), out.size());
		return true;
	}
	for (u32 i = 0; i < n.nr_modules; i++) {
		const kho_ftrace_module& m = n.modules[i];
		if (addr >= m.base && addr - m.base < m.size) {
			Text text(out);
			text.put('[');
			text.put(m.name);
			text.put("]+");
			text.hex(addr - m.base);
			text.finish();
			return true;
		}
	}
	return false;
}

}  // namespace

// --- pfns ---

usize pfns_encoded_size(Span<const u64> sorted)
{
	usize n = 0;
	u64 prev = 0;
	for (u64 pfn : sorted) {
		n += varint_size(pfn - prev);
		prev = pfn;
	}
	return n;
}

kx::Result<usize> encode_pfns(Span<const u64> sorted, Span<u8> out)
{
	usize at = 0;
	u64 prev = 0;
	for (usize i = 0; i < sorted.size(); i++) {
		if (i && sorted[i] <= prev)
			return Errno::inval;
		u64 v = sorted[i] - prev;
		prev = sorted[i];
		if (out.size() - at < varint_size(v))
			return Errno::nospc;
		while (v >= 0x80) {
			out[at++] = static_cast<u8>(v | 0x80);
			v >>= 7;
		}
		out[at++] = static_cast<u8>(v);
	}
	return at;
}

kx::Result<void> decode_pfns(Span<const u8> in, Span<u64> out, u64 limit)
{
	usize at = 0;
	u64 prev = 0;
	for (usize i = 0; i < out.size(); i++) {
		u64 v = 0;
		for (u32 shift = 0;; shift += 7) {
			if (at == in.size() || shift > 63)
				return Errno::inval;
			const u8 b = in[at++];
			if (shift == 63 && (b & 0x7e))
				return Errno::overflow;
			v |= u64{b & 0x7fu} << shift;
			if (!(b & 0x80))
				break;
		}
		if ((i && v == 0) || prev + v < prev || prev + v >= limit)
			return Errno::range;
		prev += v;
		out[i] = prev;
	}
	if (at != in.size())
		return Errno::inval;
	return {};
}

// --- CPU records ---

namespace {

// The one rule for the width of a record's page indices.
u32 index_size(u32 nr_pages) { return nr_pages < 65536 ? 2 : 4; }

void store_index(u8* at, u32 size, u32 v)
{
	if (size == 2) {
		const __UINT16_TYPE__ narrow = static_cast<__UINT16_TYPE__>(v);
		__builtin_memcpy(at, &narrow, 2);
	} else {
		__builtin_memcpy(at, &v, 4);
	}
}

}  // namespace

usize cpu_record_size(u32 nr_pages)
{
	return sizeof(kho_ftrace_cpu_record) + usize{nr_pages} * index_size(nr_pages);
}

kx::Result<void> write_cpu_record(Span<u8> slot, const kho_ftrace_cpu_out& o,
				  const kho_ftrace_cpu_view& view)
{
	kho_ftrace_cpu_record rec = {KHO_FTRACE_CPU_MAGIC, o.nr_pages, 0, index_size(o.nr_pages),
				     view.reader_read,
				     view.first_is_reader ? u32{KHO_FTRACE_FIRST_IS_READER} : 0,
				     view.kexec_clock};
	KX_ASSERT(slot.size() >= cpu_record_size(o.nr_pages) && o.nr_unread <= o.nr_pages);
	for (u32 i = 0; i < o.nr_unread; i++) {
		usize lo = 0, hi = o.nr_pages;
		while (lo < hi) {
			const usize mid = lo + (hi - lo) / 2;
			if (o.pfns[mid] < o.unread[i])
				lo = mid + 1;
			else
				hi = mid;
		}
		// Not preserved: the page set changed, which the freeze forbids.
		if (lo == o.nr_pages || o.pfns[lo] != o.unread[i]) {
			rec.nr_valid = rec.reader_read = rec.flags = 0;
			__builtin_memcpy(slot.data(), &rec, sizeof(rec));
			return Errno::range;
		}
		store_index(slot.data() + sizeof(rec) + usize{i} * rec.index_size, rec.index_size,
			    static_cast<u32>(lo));
		rec.nr_valid++;
	}
	__builtin_memcpy(slot.data(), &rec, sizeof(rec));
	return {};
}

kx::Result<kho_ftrace_cpu_view> check_cpu_record(Span<const u8> slot, u32 nr_pages, Span<u32> order)
{
	kho_ftrace_cpu_record rec;

	if (slot.size() < sizeof(rec))
		return kx::invalid("record beyond the positions block");
	__builtin_memcpy(&rec, slot.data(), sizeof(rec));
	if (rec.magic != KHO_FTRACE_CPU_MAGIC)
		return kx::invalid("bad record magic");
	if (rec.nr_pages != nr_pages || rec.index_size != index_size(nr_pages) ||
	    rec.nr_valid > nr_pages || order.size() < nr_pages || (rec.flags & ~u32{KHO_FTRACE_FIRST_IS_READER}) ||
	    (!(rec.flags & KHO_FTRACE_FIRST_IS_READER) && rec.reader_read) ||
	    slot.size() - sizeof(rec) < usize{rec.nr_valid} * rec.index_size)
		return kx::invalid("record disagrees with the node");

	kx::Vector<u8> seen;
	TRY(seen.try_reserve(nr_pages));
	for (u32 i = 0; i < nr_pages; i++)
		TRY(seen.try_append(0));
	const u8* idx = slot.data() + sizeof(rec);
	for (u32 i = 0; i < rec.nr_valid; i++) {
		const u32 v = static_cast<u32>(load_uint(idx + usize{i} * rec.index_size, rec.index_size));
		if (v >= nr_pages || seen[v])
			return kx::invalid("page index out of range or listed twice");
		seen[v] = 1;
		order[i] = v;
	}
	return kho_ftrace_cpu_view{rec.nr_valid, rec.reader_read,
				   (rec.flags & KHO_FTRACE_FIRST_IS_READER) != 0, rec.kexec_clock};
}

// --- Event table builder ---

// Every add makes room for all it appends first, so a failed add leaves the
// builder as it was: no half-added event, field or string.
kx::Result<void> EventTableBuilder::make_room(usize events, usize fields, usize string_bytes)
{
	// Every string offset, and the strings' total size, is a u32.
	if (string_bytes > 0xffffffffu - strings_.size())
		return Errno::overflow;
	// All or nothing; geometric growth (reserving the exact size per
	// string made building the table quadratic).
	auto event_room = TRY(events_.try_prepare_room(events));
	auto field_room = TRY(fields_.try_prepare_room(fields));
	auto string_room = TRY(strings_.try_prepare_room(string_bytes));
	events_.install(kx::move(event_room));
	fields_.install(kx::move(field_room));
	strings_.install(kx::move(string_room));
	return {};
}

u32 EventTableBuilder::append_string(const char* s)
{
	const u32 at = static_cast<u32>(strings_.size());
	do
		strings_.unchecked_append(static_cast<u8>(*s));
	while (*s++);
	return at;
}

void EventTableBuilder::append_event(u32 type, const char* system, const char* name, u32 flags)
{
	const u32 sys = append_string(system);
	const u32 nm = append_string(name);
	events_.unchecked_append({type, static_cast<u32>(fields_.size()), 0, sys, nm, flags});
}

void EventTableBuilder::append_field(const Field& f)
{
	const u32 name = append_string(f.name);
	const u32 type = append_string(f.type);
	fields_.unchecked_append({name, type, f.offset, f.size, f.is_signed ? 1u : 0u});
	events_[events_.size() - 1].nr_fields++;
}

kx::Result<void> EventTableBuilder::add_event(u32 type, const char* system, const char* name)
{
	TRY(make_room(1, 0, string_size(system) + string_size(name)));
	append_event(type, system, name, 0);
	return {};
}

kx::Result<void> EventTableBuilder::add_field(const Field& f)
{
	if (events_.empty())
		return Errno::inval;
	TRY(make_room(0, 1, string_size(f.name) + string_size(f.type)));
	append_field(f);
	return {};
}

kx::Result<void> EventTableBuilder::add_copy(const EventTable& table, usize index, u32 type)
{
	const Event e = table.event(index);
	usize bytes = string_size(e.system) + string_size(e.name);
	for (const auto& f : e.fields)
		bytes += string_size(table.string(f.name)) + string_size(table.string(f.type));
	TRY(make_room(1, e.fields.size(), bytes));
	append_event(type, e.system, e.name, KHO_FTRACE_EVENT_CARRIED);
	for (const auto& f : e.fields)
		append_field({table.string(f.name), table.string(f.type), f.offset, f.size, f.is_signed != 0});
	return {};
}

usize EventTableBuilder::encoded_size() const
{
	return sizeof(kho_ftrace_events) + events_.size() * sizeof(kho_ftrace_event_desc) +
	       fields_.size() * sizeof(kho_ftrace_field_desc) + strings_.size();
}

kx::Result<EventTable> EventTableBuilder::table() const
{
	const usize size = encoded_size();
	u8* blob = static_cast<u8*>(kx_alloc(size));
	if (!blob)
		return Errno::nomem;
	auto table = encode({blob, size}).is_ok() ? EventTable::parse({blob, size})
						   : kx::Result<EventTable>(Errno::nospc);
	kx_free(blob);
	return table;
}

kx::Result<void> EventTableBuilder::encode(Span<u8> out) const
{
	if (out.size() < encoded_size())
		return Errno::nospc;
	const kho_ftrace_events head = {KHO_FTRACE_EVENTS_MAGIC, KHO_FTRACE_EVENTS_VERSION,
					static_cast<u32>(events_.size()),
					static_cast<u32>(fields_.size()),
					static_cast<u32>(strings_.size()), 0};
	u8* p = out.data();
	auto put = [&p](const void* from, usize n) {
		if (n)  // an empty Vector has no storage to copy from
			__builtin_memcpy(p, from, n);
		p += n;
	};
	put(&head, sizeof(head));
	put(events_.span().data(), events_.size() * sizeof(kho_ftrace_event_desc));
	put(fields_.span().data(), fields_.size() * sizeof(kho_ftrace_field_desc));
	put(strings_.span().data(), strings_.size());
	return {};
}

// --- Event table ---

kx::Result<EventTable> EventTable::parse(Span<const u8> in)
{
	kho_ftrace_events head;

	if (in.size() < sizeof(head))
		return kx::invalid("event table header");
	__builtin_memcpy(&head, in.data(), sizeof(head));
	if (head.magic != KHO_FTRACE_EVENTS_MAGIC || head.version != KHO_FTRACE_EVENTS_VERSION ||
	    head.reserved)
		return kx::invalid("event table header");
	const u64 need = sizeof(head) + u64{head.nr_events} * sizeof(kho_ftrace_event_desc) +
			 u64{head.nr_fields} * sizeof(kho_ftrace_field_desc) + head.strings_size;
	if (need != in.size() || head.strings_size == 0 || in[in.size() - 1] != 0)
		return kx::invalid("event table size");

	EventTable t;
	TRY(t.blob_.try_reserve(in.size()));
	for (u8 b : in)
		TRY(t.blob_.try_append(b));
	// The blob's offsets are multiples of 4 from an allocation kmalloc
	// aligns, so the descriptors can be read in place.
	u8* base = t.blob_.span().data();
	t.events_ = {reinterpret_cast<const kho_ftrace_event_desc*>(base + sizeof(head)),
		     head.nr_events};
	t.fields_ = {reinterpret_cast<kho_ftrace_field_desc*>(
			     base + sizeof(head) + usize{head.nr_events} * sizeof(kho_ftrace_event_desc)),
		     head.nr_fields};
	t.strings_at_ = in.size() - head.strings_size;
	t.strings_size_ = head.strings_size;

	for (const auto& e : t.events_) {
		if (e.type > 0xffff || e.system >= t.strings_size_ || e.name >= t.strings_size_ ||
		    (e.flags & ~u32{KHO_FTRACE_EVENT_CARRIED}) ||
		    e.first_field > head.nr_fields || e.nr_fields > head.nr_fields - e.first_field)
			return kx::invalid("event description out of range");
	}
	for (const auto& f : t.fields_) {
		if (f.name >= t.strings_size_ || f.type >= t.strings_size_ || f.offset > 0xffff ||
		    f.size > 0xffff || f.is_signed > 1)
			return kx::invalid("event description out of range");
	}
	// Each event's fields in record order (the kernel keeps them reversed).
	for (const auto& e : t.events_) {
		kho_ftrace_field_desc* f = t.fields_.data() + e.first_field;
		for (u32 i = 1; i < e.nr_fields; i++)
			for (u32 j = i; j && f[j - 1].offset > f[j].offset; j--) {
				const kho_ftrace_field_desc tmp = f[j];
				f[j] = f[j - 1];
				f[j - 1] = tmp;
			}
	}
	// Sorted by type for lookups; a type described twice is ambiguous.
	TRY(t.by_type_.try_reserve(t.events_.size()));
	for (u32 i = 0; i < t.events_.size(); i++) {
		usize at = t.by_type_.size();
		while (at && t.events_[t.by_type_[at - 1]].type > t.events_[i].type)
			at--;
		if (at && t.events_[t.by_type_[at - 1]].type == t.events_[i].type)
			return kx::invalid("event type described twice");
		TRY(t.by_type_.try_insert(at, i));
	}
	return t;
}

kho_ftrace_field_view EventTable::field(usize index, u32 i) const
{
	const auto& f = event(index).fields[i];
	return {string(f.name), string(f.type), f.offset, f.size, static_cast<int>(f.is_signed)};
}

const char* EventTable::string(u32 offset) const
{
	return reinterpret_cast<const char*>(blob_.span().data() + strings_at_ + offset);
}

Event EventTable::event(usize index) const
{
	const auto& e = events_[index];
	return {e.type, string(e.system), string(e.name),
		{fields_.data() + e.first_field, e.nr_fields},
		(e.flags & KHO_FTRACE_EVENT_CARRIED) != 0};
}

long EventTable::find_type(u32 type) const
{
	usize lo = 0, hi = by_type_.size();
	while (lo < hi) {
		const usize mid = lo + (hi - lo) / 2;
		const u32 t = events_[by_type_[mid]].type;
		if (t == type)
			return by_type_[mid];
		if (t < type)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

long EventTable::find_name(const char* system, const char* name) const
{
	for (usize i = 0; i < events_.size(); i++)
		if (string_equal(string(events_[i].system), system) &&
		    string_equal(string(events_[i].name), name))
			return static_cast<long>(i);
	return -1;
}

u32 EventTable::fingerprint(usize index) const
{
	const Event e = event(index);
	Fnv h;
	h.string(e.system);
	h.string(e.name);
	for (const auto& f : e.fields) {
		h.string(string(f.type));
		h.string(string(f.name));
		h.number(f.offset);
		h.number(f.size);
		h.number(f.is_signed);
	}
	return h.value();
}

bool EventTable::record_sound(usize index, Span<const u8> record) const
{
	for (const auto& f : event(index).fields) {
		const char* type = string(f.type);
		if (f.offset > record.size() || f.size > record.size() - f.offset)
			return false;
		const FieldKind kind = field_kind(type, f.size);
		if (kind == FieldKind::kLocatedString || kind == FieldKind::kLocatedBytes) {
			auto bytes = located(f, type, record);
			if (bytes.is_error() ||
			    (kind == FieldKind::kLocatedString &&
			     !has_nul(bytes.value().data(), bytes.value().size())))
				return false;
		} else if (kind == FieldKind::kString &&
			   !has_nul(record.data() + f.offset, f.size ? f.size : record.size() - f.offset)) {
			return false;
		}
	}
	return true;
}

// --- Printing ---

usize EventTable::format_record(usize index, Span<const u8> record, const kho_ftrace_names* names,
				Span<char> out) const
{
	const Event e = event(index);
	const bool ftrace_system = string_equal(e.system, "ftrace");
	Text text(out);

	text.put(e.name);
	text.put(':');
	for (const auto& f : e.fields) {
		const char* name = string(f.name);
		const char* type = string(f.type);
		const u8* at = record.data() + f.offset;

		text.put(' ');
		text.put(name);
		text.put('=');
		if (f.offset > record.size() || f.size > record.size() - f.offset) {
			text.put("<beyond record>");
			continue;
		}
		const FieldKind kind = field_kind(type, f.size);
		switch (kind) {
		case FieldKind::kLocatedString:
		case FieldKind::kLocatedBytes: {
			auto bytes = located(f, type, record);
			if (bytes.is_error()) {
				text.put("<");
				text.put(bytes.error().reason());
				text.put(">");
			} else if (kind == FieldKind::kLocatedString) {
				text.bounded(bytes.value().data(), bytes.value().size());
			} else {
				text.put("<");
				text.decimal(bytes.value().size());
				text.put(" bytes>");
			}
			break;
		}
		case FieldKind::kString:
			// A fixed array, or a flexible one (size 0) up to the end.
			text.bounded(at, f.size ? f.size : record.size() - f.offset);
			break;
		case FieldKind::kArray: {
			// Elements of 1, 2, 4 or 8 bytes in hex; anything else by size.
			const u32 n = array_count(type);
			const u32 elem = n && f.size % n == 0 ? f.size / n : 0;
			if (elem != 1 && elem != 2 && elem != 4 && elem != 8) {
				text.put("<");
				text.decimal(f.size);
				text.put(" bytes>");
				break;
			}
			text.put('{');
			for (u32 i = 0; i < n; i++) {
				if (i)
					text.put(',');
				text.hex(load_uint(at + usize{i} * elem, elem));
			}
			text.put('}');
			break;
		}
		case FieldKind::kOddSize:
			text.put("<");
			text.decimal(f.size);
			text.put(" bytes>");
			break;
		case FieldKind::kPointer:
		case FieldKind::kInteger: {
			const u64 v = load_uint(at, f.size);
			const bool code = is_code_address(ftrace_system, name);
			char sym[128];
			if (code && !e.carried && names && name_address(*names, v, sym))
				text.put(sym);
			else if (code || kind == FieldKind::kPointer)
				text.hex(v);
			else if (f.is_signed) {
				const long long sv = sign_extend(v, f.size);
				text.decimal(sv < 0 ? 0 - static_cast<u64>(sv) : static_cast<u64>(sv), sv < 0);
			} else {
				text.decimal(v);
			}
			break;
		}
		}
	}
	return text.finish();
}

namespace {

constexpr usize kMaxFormatName = 64;

// Whether @s is 1 to kMaxFormatName characters, each a letter, a digit, '_'
// or one of @also.
bool is_plain(const char* s, const char* also)
{
	usize n = 0;
	for (; s[n]; n++) {
		const char c = s[n];
		const bool word = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
				  (c >= '0' && c <= '9') || c == '_';
		const char* a = also;
		for (; *a && *a != c; a++)
			;
		if (!word && !*a)
			return false;
	}
	return n && n <= kMaxFormatName;
}

bool is_identifier(const char* s) { return is_plain(s, "") && !(s[0] >= '0' && s[0] <= '9'); }

// "unsigned long", "const char *", "__data_loc char[]", "u8[16]".
bool is_type_name(const char* s) { return is_plain(s, " *[]"); }

}  // namespace

kx::Result<usize> EventTable::print_format(usize index, Span<char> out) const
{
	const Event e = event(index);

	if (!is_identifier(e.system) || !is_identifier(e.name))
		return kx::invalid("event name not an identifier");
	for (const auto& f : e.fields)
		if (!is_identifier(string(f.name)) || starts_with(string(f.name), "common_") ||
		    !is_type_name(string(f.type)))
			return kx::invalid("field name or type not plain");

	// The format, then its arguments, in libtraceevent's terms.
	const bool ftrace_system = string_equal(e.system, "ftrace");
	Text text(out);
	text.put('"');
	bool first = true;
	for (const auto& f : e.fields) {
		const char* name = string(f.name);
		const char* type = string(f.type);
		if (!first)
			text.put(' ');
		first = false;
		text.put(name);
		text.put('=');
		switch (field_kind(type, f.size)) {
		case FieldKind::kPointer:
			text.put(f.size == 8 ? "0x%llx" : "0x%x");
			break;
		case FieldKind::kInteger:
			if (is_code_address(ftrace_system, name))
				text.put(f.size == 8 ? "0x%llx" : "0x%x");
			else if (f.size == 8)
				text.put(f.is_signed ? "%lld" : "%llu");
			else
				text.put(f.is_signed ? "%d" : "%u");
			break;
		default:
			text.put("%s");
			break;
		}
	}
	text.put('"');
	for (const auto& f : e.fields) {
		const char* name = string(f.name);
		const char* type = string(f.type);
		const bool rel = starts_with(type, "__rel_loc");
		text.put(", ");
		switch (field_kind(type, f.size)) {
		case FieldKind::kLocatedString:
			text.put(rel ? "__get_rel_str(" : "__get_str(");
			text.put(name);
			text.put(')');
			break;
		case FieldKind::kLocatedBytes:
			text.put(rel ? "__print_hex(__get_rel_dynamic_array(" : "__print_hex(__get_dynamic_array(");
			text.put(name);
			text.put(rel ? "), __get_rel_dynamic_array_len(" : "), __get_dynamic_array_len(");
			text.put(name);
			text.put("))");
			break;
		case FieldKind::kArray:
		case FieldKind::kOddSize:
			text.put("__print_hex(REC->");
			text.put(name);
			text.put(", ");
			text.decimal(f.size);
			text.put(')');
			break;
		case FieldKind::kString:
		case FieldKind::kPointer:
		case FieldKind::kInteger:
			text.put("REC->");
			text.put(name);
			break;
		}
	}
	const usize len = text.finish();
	if (len + 1 >= out.size())
		return kx::invalid("print format too long");
	return len;
}

usize format_time(u64 ts, bool in_ns, Span<char> out)
{
	if (static_cast<long long>(ts) >= 0)
		return 0;
	const u64 before = 0 - ts;
	// " %5s.%06lu" of "-seconds" and microseconds, or " %12lld".
	char number[24];
	Text digits({number, sizeof(number)});
	digits.decimal(in_ns ? before / 1000000000 : before, true);
	Text text(out);
	text.put(' ');
	for (usize n = digits.finish(); n < (in_ns ? 5u : 12u); n++)
		text.put(' ');
	text.put(number);
	if (in_ns) {
		const u64 usec = before / 1000 % 1000000;
		text.put('.');
		for (u64 d = 100000; d; d /= 10)
			text.put(static_cast<char>('0' + usec / d % 10));
	}
	return text.finish();
}

}  // namespace ftrace

// The extern "C" face: opaque handles, and every Result becomes 0 or a
// negative errno here, at the boundary.

using kx::u8;
using kx::usize;

struct kho_ftrace_events_builder {
	ftrace::EventTableBuilder builder;
};

struct kho_ftrace_event_table {
	explicit kho_ftrace_event_table(ftrace::EventTable&& t) : table(kx::move(t)) {}
	ftrace::EventTable table;
};

namespace {

kho_ftrace_event_table* table_handle(kx::Result<ftrace::EventTable> t, const char** why)
{
	if (kx::to_errno(t, why))
		return nullptr;
	auto* handle = new (std::nothrow) kho_ftrace_event_table(t.release_value());
	if (!handle)
		*why = "out of memory";
	return handle;
}

}  // namespace

extern "C" {

kho_ftrace_events_builder* kho_ftrace_events_builder_create(void)
{
	return new (std::nothrow) kho_ftrace_events_builder;
}

void kho_ftrace_events_builder_destroy(kho_ftrace_events_builder* b)
{
	delete b;
}

int kho_ftrace_events_add(kho_ftrace_events_builder* b, unsigned int type, const char* system,
			  const char* name)
{
	return kx::to_errno(b->builder.add_event(type, system, name));
}

int kho_ftrace_events_add_field(kho_ftrace_events_builder* b, const char* name, const char* type,
				unsigned int offset, unsigned int size, int is_signed)
{
	return kx::to_errno(b->builder.add_field({name, type, offset, size, is_signed != 0}));
}

int kho_ftrace_events_add_copy(kho_ftrace_events_builder* b, const kho_ftrace_event_table* t,
			       long idx, unsigned int type)
{
	return kx::to_errno(b->builder.add_copy(t->table, static_cast<usize>(idx), type));
}

void* kho_ftrace_events_encode(const kho_ftrace_events_builder* b, kx_size_t* size)
{
	*size = b->builder.encoded_size();
	void* blob = kx_alloc(*size);
	if (blob && b->builder.encode({static_cast<u8*>(blob), *size}).is_error()) {
		kx_free(blob);
		blob = nullptr;
	}
	return blob;
}

kho_ftrace_event_table* kho_ftrace_events_table(const kho_ftrace_events_builder* b)
{
	const char* why;
	return table_handle(b->builder.table(), &why);
}

int kho_ftrace_record_write(void* block, const kho_ftrace_cpu_out* o, kx_u64 kexec_clock,
			    unsigned int reader_read, int first_is_reader)
{
	const kho_ftrace_cpu_view view = {0, reader_read, first_is_reader, kexec_clock};
	return kx::to_errno(ftrace::write_cpu_record(
		{static_cast<u8*>(block) + o->slot, ftrace::cpu_record_size(o->nr_pages)}, *o, view));
}

kho_ftrace_event_table* kho_ftrace_events_parse(const void* blob, kx_size_t size, const char** why)
{
	return table_handle(ftrace::EventTable::parse({static_cast<const u8*>(blob), size}), why);
}

void kho_ftrace_events_free(kho_ftrace_event_table* t)
{
	delete t;
}

long kho_ftrace_events_find_type(const kho_ftrace_event_table* t, unsigned int type)
{
	return t->table.find_type(type);
}

long kho_ftrace_events_find_name(const kho_ftrace_event_table* t, const char* system,
				 const char* name)
{
	return t->table.find_name(system, name);
}

unsigned int kho_ftrace_events_fingerprint(const kho_ftrace_event_table* t, long idx)
{
	return t->table.fingerprint(static_cast<usize>(idx));
}

const char* kho_ftrace_events_name(const kho_ftrace_event_table* t, long idx, const char** system)
{
	const ftrace::Event e = t->table.event(static_cast<usize>(idx));
	*system = e.system;
	return e.name;
}

int kho_ftrace_move_text_address(const kho_ftrace_names* n, kx_u64 addr, kx_u64* moved)
{
	return ftrace::move_text_address(*n, addr, moved);
}

int kho_ftrace_events_carried(const kho_ftrace_event_table* t, long idx)
{
	return t->table.event(static_cast<usize>(idx)).carried;
}

int kho_ftrace_events_record_sound(const kho_ftrace_event_table* t, long idx, const void* record,
				   kx_size_t size)
{
	return t->table.record_sound(static_cast<usize>(idx), {static_cast<const u8*>(record), size});
}

kx_size_t kho_ftrace_format_record(const kho_ftrace_event_table* t, long idx, const void* record,
				   kx_size_t len, const kho_ftrace_names* names, char* buf,
				   kx_size_t size)
{
	return t->table.format_record(static_cast<usize>(idx),
				      {static_cast<const u8*>(record), len}, names, {buf, size});
}

long kho_ftrace_events_print_format(const kho_ftrace_event_table* t, long idx, char* buf,
				    kx_size_t size, const char** why)
{
	auto len = t->table.print_format(static_cast<usize>(idx), {buf, size});
	if (const int err = kx::to_errno(len, why))
		return err;
	return static_cast<long>(len.value());
}

unsigned int kho_ftrace_events_nr_fields(const kho_ftrace_event_table* t, long idx)
{
	return static_cast<unsigned int>(t->table.event(static_cast<usize>(idx)).fields.size());
}

void kho_ftrace_events_field(const kho_ftrace_event_table* t, long idx, unsigned int i,
			     struct kho_ftrace_field_view* out)
{
	*out = t->table.field(static_cast<usize>(idx), i);
}

kx_size_t kho_ftrace_format_time(kx_u64 ts, int in_ns, char* buf, kx_size_t size)
{
	return ftrace::format_time(ts, in_ns != 0, {buf, size});
}

}  // extern "C"
