// SPDX-License-Identifier: GPL-2.0
// The extern "C" face of the ftrace formats: opaque handles, and every
// Result becomes 0 or a negative errno here, at the boundary.
#include "ftrace/format.h"
#include "ftrace/format.hpp"
#include "ftrace/ring_page.hpp"

using kx::u8;

struct kho_ftrace_events_builder {
	ftrace::EventTableBuilder builder;
};

struct kho_ftrace_event_table {
	explicit kho_ftrace_event_table(ftrace::EventTable&& t) : table(kx::move(t)) {}
	ftrace::EventTable table;
};

// The record header (struct trace_entry) starts with the u16 type.
static constexpr unsigned int kRecordHeader = 8;

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
	return kx::to_errno(b->builder.add_copy(t->table, static_cast<kx_size_t>(idx), type));
}

kx_size_t kho_ftrace_events_size(const kho_ftrace_events_builder* b)
{
	return b->builder.encoded_size();
}

int kho_ftrace_events_encode(const kho_ftrace_events_builder* b, void* out, kx_size_t size)
{
	return kx::to_errno(b->builder.encode({static_cast<u8*>(out), size}));
}

kx_size_t kho_ftrace_pfns_size(const kx_u64* pfns, kx_size_t nr)
{
	return ftrace::pfns_encoded_size({pfns, nr});
}

int kho_ftrace_pfns_encode(const kx_u64* pfns, kx_size_t nr, void* out, kx_size_t size)
{
	return kx::to_errno(ftrace::encode_pfns({pfns, nr}, {static_cast<u8*>(out), size}));
}

kx_size_t kho_ftrace_cpu_record_size(unsigned int nr_pages)
{
	return ftrace::cpu_record_size(nr_pages);
}

int kho_ftrace_pfns_decode(const void* in, kx_size_t size, kx_u64* pfns, kx_size_t nr,
			   kx_u64 limit)
{
	return kx::to_errno(ftrace::decode_pfns({static_cast<const u8*>(in), size}, {pfns, nr}, limit));
}

int kho_ftrace_cpu_record_check(const void* slot, kx_size_t size, unsigned int nr_pages,
				unsigned int* order, kho_ftrace_cpu_view* view, const char** why)
{
	auto rec = ftrace::check_cpu_record({static_cast<const u8*>(slot), size}, nr_pages,
					    {order, nr_pages});
	if (rec.is_ok())
		*view = {rec.value().nr_valid, rec.value().reader_read, rec.value().first_is_reader,
			 rec.value().kexec_clock};
	return kx::to_errno(rec, why);
}

kho_ftrace_event_table* kho_ftrace_events_parse(const void* blob, kx_size_t size, const char** why)
{
	auto t = ftrace::EventTable::parse({static_cast<const u8*>(blob), size});
	if (kx::to_errno(t, why))
		return nullptr;
	auto* handle = new (std::nothrow) kho_ftrace_event_table(t.release_value());
	if (!handle)
		*why = "out of memory";
	return handle;
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
	return t->table.fingerprint(static_cast<kx_size_t>(idx));
}

const char* kho_ftrace_events_name(const kho_ftrace_event_table* t, long idx, const char** system)
{
	const ftrace::Event e = t->table.event(static_cast<kx_size_t>(idx));
	*system = e.system;
	return e.name;
}

kx_size_t kho_ftrace_format_record(const kho_ftrace_event_table* t, long idx, const void* record,
				   kx_size_t len, kho_ftrace_address_name_t name, void* ctx,
				   char* buf, kx_size_t size)
{
	struct Callback {
		kho_ftrace_address_name_t fn;
		void* ctx;
	} cb{name, ctx};
	auto adapt = [](void* c, kx_u64 addr, char* out, kx_size_t n) -> bool {
		auto* cb = static_cast<Callback*>(c);
		return cb->fn && cb->fn(cb->ctx, addr, out, n) == 0;
	};
	return t->table.format_record(static_cast<kx_size_t>(idx),
				      {static_cast<const u8*>(record), len}, adapt, &cb,
				      {buf, size});
}

int kho_ftrace_page_check(const void* subbuf, kx_size_t size, unsigned int read,
			  kho_ftrace_page_info* info, const char** why)
{
	auto sum = ftrace::check_page({static_cast<const u8*>(subbuf), size}, {read, kRecordHeader});
	if (sum.is_ok())
		*info = {sum.value().events, sum.value().data_bytes, sum.value().read_ts};
	return kx::to_errno(sum, why);
}

void kho_ftrace_page_rewrite(void* subbuf, kx_size_t size, kx_u64 shift, kho_ftrace_remap_t remap,
			     void* ctx)
{
	ftrace::rewrite_page({static_cast<u8*>(subbuf), size}, shift, remap, ctx);
}

}  // extern "C"
