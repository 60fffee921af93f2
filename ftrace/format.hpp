// SPDX-License-Identifier: GPL-2.0
// The ftrace handover's own formats (include/kho/abi/ftrace.h): the sorted
// page-frame list, each CPU's kexec-time record, and the event table with
// which the next kernel decodes records field by field, never through the
// previous kernel's pointers.
#pragma once

#include <kx/result.hpp>
#include <kx/span.hpp>
#include <kx/types.hpp>
#include <kx/vector.hpp>

#include "ftrace/format.h"

namespace ftrace {

// --- Sorted page-frame numbers: first value, then differences, LEB128. ---

kx::usize pfns_encoded_size(kx::Span<const kx::u64> sorted);
// @sorted must be strictly increasing.  Returns the bytes written.
kx::Result<kx::usize> encode_pfns(kx::Span<const kx::u64> sorted, kx::Span<kx::u8> out);
// Exactly out.size() numbers, strictly increasing, all below @limit, and
// nothing left over.
kx::Result<void> decode_pfns(kx::Span<const kx::u8> in, kx::Span<kx::u64> out, kx::u64 limit);

// --- One CPU's kexec-time record. ---

kx::usize cpu_record_size(kx::u32 nr_pages);
// Writes @o's record at @slot: @o.unread as indices into @o.pfns.  A page
// not among them leaves an empty record and the error.
kx::Result<void> write_cpu_record(kx::Span<kx::u8> slot, const kho_ftrace_cpu_out& o,
				  const kho_ftrace_cpu_view& view);
// Checks the record at @slot against the node's @nr_pages and fills @order
// (room for nr_pages) with the listed page indices: each below nr_pages,
// none twice.
kx::Result<kho_ftrace_cpu_view> check_cpu_record(kx::Span<const kx::u8> slot, kx::u32 nr_pages,
						 kx::Span<kx::u32> order);

// --- The CPU node (node.cpp). ---

// The node's numbers and its page list, not yet decoded: the slot inside
// a positions block of @positions_size, past its head.
kx::Result<kho_ftrace_cpu_node> check_cpu_node(const void* fdt, int node, kx::u64 positions_size);

// --- Event table. ---


struct Field {
	const char* name;
	const char* type;
	kx::u32 offset;
	kx::u32 size;
	bool is_signed;
};

struct Event {
	kx::u32 type;
	const char* system;
	const char* name;
	kx::Span<const kho_ftrace_field_desc> fields;
	bool carried;  // kept from an earlier kernel: addresses never named
};

// Collects the running kernel's events and encodes them.
class EventTableBuilder {
public:
	kx::Result<void> add_event(kx::u32 type, const char* system, const char* name);
	// A field of the event added last.
	kx::Result<void> add_field(const Field& field);
	// Event @index of @table again, recorded as @type and marked carried:
	// describes the records a kernel kept from its predecessor to its
	// successor.
	kx::Result<void> add_copy(const class EventTable& table, kx::usize index, kx::u32 type);
	kx::usize encoded_size() const;
	kx::Result<void> encode(kx::Span<kx::u8> out) const;
	// The table these events encode to, as the next kernel parses it.
	kx::Result<class EventTable> table() const;

private:
	friend class EventTable;
	kx::Result<void> make_room(kx::usize events, kx::usize fields, kx::usize string_bytes);
	kx::u32 append_string(const char* s);
	void append_event(kx::u32 type, const char* system, const char* name, kx::u32 flags);
	void append_field(const Field& field);

	kx::Vector<kho_ftrace_event_desc> events_;
	kx::Vector<kho_ftrace_field_desc> fields_;
	kx::Vector<kx::u8> strings_;
};

// A validated copy of an encoded table.
class EventTable {
public:
	static kx::Result<EventTable> parse(kx::Span<const kx::u8> blob);
	EventTable(EventTable&&) = default;
	KX_NONCOPYABLE(EventTable);

	kx::usize size() const { return events_.size(); }
	Event event(kx::usize index) const;
	// The event recorded with @type, or -1.
	long find_type(kx::u32 type) const;
	// Field @i of event @index, in record order.
	kho_ftrace_field_view field(kx::usize index, kx::u32 i) const;
	// The event with this system and name, or -1.
	long find_name(const char* system, const char* name) const;
	// Over the system, name and every field: equal for equal formats.
	kx::u32 fingerprint(kx::usize index) const;
	// Whether @record holds what the event's own output function takes
	// for granted: every field inside the record, every char array and
	// string terminated inside its field, every dynamic location inside
	// the record.
	bool record_sound(kx::usize index, kx::Span<const kx::u8> record) const;
	// "name: field=value ..." from the recorded format: integers in
	// decimal, pointers in hex, strings bounded by the record; the
	// "ip"/"parent_ip" fields of the ftrace system named by @names (a
	// symbol, or a module and offset), unless it is null or the event is
	// carried: then they are hex too.  Returns the length (the text is cut
	// to fit @out, NUL-terminated).
	kx::usize format_record(kx::usize index, kx::Span<const kx::u8> record,
				const kho_ftrace_names* names, kx::Span<char> out) const;
	// The print format of a format file for event @index, which tools
	// that decode records by it (trace-cmd) read: "f1=%u f2=%s",
	// REC->f1, __get_str(f2), ...: integers in decimal, pointers and
	// ftrace's ip and parent_ip in hex, strings, other arrays in hex
	// bytes (__print_hex).  Only for an event whose system, name
	// and field names are C identifiers, not "common_" ones, and whose
	// field types are C type names, none longer than 64 bytes: they
	// become names in tracefs and text in its format file.  Returns the
	// length written into @out, NUL-terminated.
	kx::Result<kx::usize> print_format(kx::usize index, kx::Span<char> out) const;

private:
	friend class EventTableBuilder;
	EventTable() = default;
	const char* string(kx::u32 offset) const;

	kx::Vector<kx::u8> blob_;
	kx::Span<const kho_ftrace_event_desc> events_;
	kx::Span<kho_ftrace_field_desc> fields_;
	kx::Vector<kx::u32> by_type_;  // event indices sorted by type
	kx::usize strings_at_ = 0;
	kx::usize strings_size_ = 0;
};

// A time stamp from before the kexec as the trace file prints it, or 0.
kx::usize format_time(kx::u64 ts, bool in_ns, kx::Span<char> out);

}  // namespace ftrace
