// SPDX-License-Identifier: GPL-2.0
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "ftrace/format.hpp"

namespace {

using kx::u32;
using kx::u64;
using kx::u8;

TEST(FtracePfns, RoundTripAndRefuseDamage)
{
	const std::vector<u64> pfns = {1, 2, 3, 0x80, 0x10000, 0xfffffffffull};
	std::vector<u8> buf(ftrace::pfns_encoded_size({pfns.data(), pfns.size()}));
	auto n = ftrace::encode_pfns({pfns.data(), pfns.size()}, {buf.data(), buf.size()});
	ASSERT_TRUE(n.is_ok());
	EXPECT_EQ(n.value(), buf.size());
	std::vector<u64> back(pfns.size());
	ASSERT_TRUE(ftrace::decode_pfns({buf.data(), buf.size()}, {back.data(), back.size()}, ~0ull)
			    .is_ok());
	EXPECT_EQ(back, pfns);
	EXPECT_TRUE(ftrace::decode_pfns({buf.data(), buf.size()}, {back.data(), back.size()},
					0xfffffffffull).is_error());
	EXPECT_TRUE(ftrace::decode_pfns({buf.data(), buf.size() - 1}, {back.data(), back.size()},
					~0ull).is_error());
	// A zero step would list a page twice.
	const u8 twice[] = {5, 0};
	u64 two[2];
	EXPECT_TRUE(ftrace::decode_pfns({twice, 2}, {two, 2}, ~0ull).is_error());
	// Eleven continuation bytes overflow 64 bits.
	const u8 endless[11] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01};
	EXPECT_TRUE(ftrace::decode_pfns({endless, 11}, {two, 1}, ~0ull).is_error());
}

TEST(FtracePfns, DenseListsCostAByteAPage)
{
	std::vector<u64> pfns;
	for (u64 i = 0; i < 4096; i++)
		pfns.push_back(0x100000 + i * 3);
	EXPECT_LE(ftrace::pfns_encoded_size({pfns.data(), pfns.size()}), 4096u + 3);
}

std::vector<u8> record_slot(u32 nr_pages, std::vector<u32> idx, u32 flags = 0, u32 read = 0)
{
	std::vector<u8> slot(ftrace::cpu_record_size(nr_pages));
	kho_ftrace_cpu_record rec = {KHO_FTRACE_CPU_MAGIC, nr_pages, static_cast<u32>(idx.size()),
				     nr_pages < 65536 ? 2u : 4u, read, flags, 123};
	std::memcpy(slot.data(), &rec, sizeof(rec));
	for (size_t i = 0; i < idx.size(); i++) {
		if (rec.index_size == 2) {
			uint16_t v = static_cast<uint16_t>(idx[i]);
			std::memcpy(slot.data() + sizeof(rec) + 2 * i, &v, 2);
		} else {
			std::memcpy(slot.data() + sizeof(rec) + 4 * i, &idx[i], 4);
		}
	}
	return slot;
}

TEST(FtraceCpuRecord, ListsEachPageOnce)
{
	std::vector<u32> order(8);
	auto ok = record_slot(8, {7, 0, 1}, KHO_FTRACE_FIRST_IS_READER, 32);
	auto rec = ftrace::check_cpu_record({ok.data(), ok.size()}, 8, {order.data(), 8});
	ASSERT_TRUE(rec.is_ok()) << rec.error().reason();
	EXPECT_EQ(rec.value().nr_valid, 3u);
	EXPECT_EQ(rec.value().kexec_clock, 123u);
	EXPECT_EQ(order[0], 7u);

	auto twice = record_slot(8, {1, 1});
	EXPECT_STREQ(ftrace::check_cpu_record({twice.data(), twice.size()}, 8, {order.data(), 8})
			     .error().reason(),
		     "page index out of range or listed twice");
	auto beyond = record_slot(8, {8});
	EXPECT_TRUE(ftrace::check_cpu_record({beyond.data(), beyond.size()}, 8, {order.data(), 8})
			    .is_error());
	// A read offset without the reader page first is damage.
	auto stray = record_slot(8, {1}, 0, 16);
	EXPECT_STREQ(ftrace::check_cpu_record({stray.data(), stray.size()}, 8, {order.data(), 8})
			     .error().reason(),
		     "record disagrees with the node");
	// Large rings use 32-bit indices.
	std::vector<u32> big(70000);
	auto wide = record_slot(70000, {69999, 3});
	ASSERT_TRUE(ftrace::check_cpu_record({wide.data(), wide.size()}, 70000, {big.data(), 70000})
			    .is_ok());
	EXPECT_EQ(big[0], 69999u);
}

std::vector<u8> encode(const ftrace::EventTableBuilder& b)
{
	std::vector<u8> blob(b.encoded_size());
	EXPECT_TRUE(b.encode({blob.data(), blob.size()}).is_ok());
	return blob;
}

ftrace::EventTable parse(const std::vector<u8>& blob)
{
	auto t = ftrace::EventTable::parse({blob.data(), blob.size()});
	EXPECT_TRUE(t.is_ok()) << t.error().reason();
	return t.release_value();
}

TEST(FtraceEvents, FingerprintIgnoresIdAndFieldOrder)
{
	ftrace::EventTableBuilder a, b;
	ASSERT_TRUE(a.add_event(300, "sched", "demo").is_ok());
	ASSERT_TRUE(a.add_field({"pid", "pid_t", 8, 4, true}).is_ok());
	ASSERT_TRUE(a.add_field({"comm", "char[16]", 12, 16, false}).is_ok());
	ASSERT_TRUE(b.add_event(77, "sched", "demo").is_ok());
	ASSERT_TRUE(b.add_field({"comm", "char[16]", 12, 16, false}).is_ok());
	ASSERT_TRUE(b.add_field({"pid", "pid_t", 8, 4, true}).is_ok());
	auto ta = parse(encode(a));
	auto tb = parse(encode(b));
	EXPECT_EQ(ta.fingerprint(ta.find_type(300)), tb.fingerprint(tb.find_type(77)));

	ftrace::EventTableBuilder c;
	ASSERT_TRUE(c.add_event(300, "sched", "demo").is_ok());
	ASSERT_TRUE(c.add_field({"pid", "pid_t", 8, 8, true}).is_ok());
	ASSERT_TRUE(c.add_field({"comm", "char[16]", 16, 16, false}).is_ok());
	auto tc = parse(encode(c));
	EXPECT_NE(ta.fingerprint(0), tc.fingerprint(0));
}

TEST(FtraceEvents, CopyCarriesAnEventToTheNextKernel)
{
	ftrace::EventTableBuilder a;
	ASSERT_TRUE(a.add_event(300, "sched", "demo").is_ok());
	ASSERT_TRUE(a.add_field({"pid", "pid_t", 8, 4, true}).is_ok());
	auto ta = parse(encode(a));
	ftrace::EventTableBuilder next;
	ASSERT_TRUE(next.add_copy(ta, 0, 512).is_ok());
	auto tn = parse(encode(next));
	ASSERT_EQ(tn.find_type(512), 0);
	EXPECT_EQ(tn.fingerprint(0), ta.fingerprint(0));
	EXPECT_FALSE(ta.event(0).carried);
	EXPECT_TRUE(tn.event(0).carried);
}

TEST(FtraceEvents, CarriedAddressesAreNeverNamed)
{
	ftrace::EventTableBuilder a;
	ASSERT_TRUE(a.add_event(1, "ftrace", "function").is_ok());
	ASSERT_TRUE(a.add_field({"ip", "unsigned long", 8, 8, false}).is_ok());
	auto ta = parse(encode(a));
	ftrace::EventTableBuilder next;
	ASSERT_TRUE(next.add_copy(ta, 0, 600).is_ok());
	auto tn = parse(encode(next));
	std::vector<u8> rec(16);
	rec[8] = 0x42;
	kho_ftrace_names names = {};
	names.same_build = 1;
	names.text_size = 0x1000;
	names.symbol = [](kx_u64, char* buf, size_t size) { std::snprintf(buf, size, "schedule+0x0"); };
	char out[64];
	ta.format_record(0, {rec.data(), rec.size()}, &names, {out, sizeof(out)});
	EXPECT_STREQ(out, "function: ip=schedule+0x0");
	tn.format_record(0, {rec.data(), rec.size()}, &names, {out, sizeof(out)});
	EXPECT_STREQ(out, "function: ip=0x42");
}

TEST(FtraceEvents, DamagedTablesAreRefused)
{
	ftrace::EventTableBuilder a;
	ASSERT_TRUE(a.add_event(300, "sched", "demo").is_ok());
	ASSERT_TRUE(a.add_field({"pid", "pid_t", 8, 4, true}).is_ok());
	ASSERT_TRUE(a.add_event(300, "sched", "again").is_ok());
	auto dup = encode(a);
	auto refused = ftrace::EventTable::parse({dup.data(), dup.size()});
	ASSERT_TRUE(refused.is_error());
	EXPECT_STREQ(refused.error().reason(), "event type described twice");

	ftrace::EventTableBuilder b;
	ASSERT_TRUE(b.add_event(1, "s", "e").is_ok());
	auto blob = encode(b);
	auto cut = blob;
	cut.pop_back();
	EXPECT_STREQ(ftrace::EventTable::parse({cut.data(), cut.size()}).error().reason(),
		     "event table size");
	auto bad = blob;
	kho_ftrace_event_desc d;
	std::memcpy(&d, bad.data() + sizeof(kho_ftrace_events), sizeof(d));
	d.name = 1000;  // beyond the strings
	std::memcpy(bad.data() + sizeof(kho_ftrace_events), &d, sizeof(d));
	EXPECT_STREQ(ftrace::EventTable::parse({bad.data(), bad.size()}).error().reason(),
		     "event description out of range");
}

std::string format(const ftrace::EventTable& t, long idx, const std::vector<u8>& rec,
		   const kho_ftrace_names* names = nullptr)
{
	char out[256];
	t.format_record(static_cast<size_t>(idx), {rec.data(), rec.size()}, names, {out, sizeof(out)});
	return out;
}

TEST(FtraceEvents, RecordsPrintFromTheirFormat)
{
	ftrace::EventTableBuilder b;
	ASSERT_TRUE(b.add_event(5, "ftrace", "print").is_ok());
	ASSERT_TRUE(b.add_field({"buf", "char[]", 16, 0, true}).is_ok());
	ASSERT_TRUE(b.add_field({"ip", "unsigned long", 8, 8, false}).is_ok());
	ASSERT_TRUE(b.add_event(300, "sched", "demo").is_ok());
	ASSERT_TRUE(b.add_field({"caller", "unsigned long[2]", 16, 16, false}).is_ok());
	ASSERT_TRUE(b.add_field({"comm", "char[8]", 8, 8, false}).is_ok());
	auto t = parse(encode(b));

	std::vector<u8> print(24);
	u64 ip = 0xffffffff81000010ull;
	std::memcpy(print.data() + 8, &ip, 8);
	std::memcpy(print.data() + 16, "tok-1\n\0", 7);
	EXPECT_EQ(format(t, t.find_type(5), print), "print: ip=0xffffffff81000010 buf=tok-1");
	// The same build: at its place in this kernel's text, a symbol.
	kho_ftrace_names names = {};
	names.same_build = 1;
	names.old_text = 0xffffffff81000000ull;
	names.text = 0xffffffff82000000ull;
	names.text_size = 0x100;
	names.symbol = [](kx_u64 addr, char* buf, size_t size) {
		std::snprintf(buf, size, "sym+0x%llx", static_cast<unsigned long long>(addr - 0xffffffff82000000ull));
	};
	EXPECT_EQ(format(t, t.find_type(5), print, &names), "print: ip=sym+0x10 buf=tok-1");
	// Beyond its text, or another build: hex, unless a module had it.
	names.text_size = 0x10;
	EXPECT_EQ(format(t, t.find_type(5), print, &names), "print: ip=0xffffffff81000010 buf=tok-1");
	const kho_ftrace_module mods[2] = {{0xffffffffa0000000ull, 0x1000, "other"},
					   {0xffffffff81000008ull, 0x9, "kho_test"}};
	names.modules = mods;
	names.nr_modules = 2;
	EXPECT_EQ(format(t, t.find_type(5), print, &names), "print: ip=[kho_test]+0x8 buf=tok-1");
	names.same_build = 0;
	names.text_size = 0x100;
	EXPECT_EQ(format(t, t.find_type(5), print, &names), "print: ip=[kho_test]+0x8 buf=tok-1");
	names.nr_modules = 1;
	EXPECT_EQ(format(t, t.find_type(5), print, &names), "print: ip=0xffffffff81000010 buf=tok-1");

	std::vector<u8> demo(32);
	std::memcpy(demo.data() + 8, "ab\x01" "cdefgh", 8);  // not NUL-terminated
	u64 callers[2] = {1, 0x20};
	std::memcpy(demo.data() + 16, callers, 16);
	EXPECT_EQ(format(t, t.find_type(300), demo), "demo: comm=ab?cdefg caller={0x1,0x20}");
	// Arrays whose element size is not 1, 2, 4 or 8 print by size only
	// (found by the fuzzer: a 3-byte element once read 8).
	ftrace::EventTableBuilder odd;
	ASSERT_TRUE(odd.add_event(9, "x", "odd").is_ok());
	ASSERT_TRUE(odd.add_field({"v", "u8[3]", 13, 3, false}).is_ok());
	ASSERT_TRUE(odd.add_field({"w", "u8[2]", 10, 3, false}).is_ok());
	auto to = parse(encode(odd));
	std::vector<u8> tight(16);
	EXPECT_EQ(format(to, 0, tight), "odd: w=<3 bytes> v={0x0,0x0,0x0}");
	// Fields beyond a short record are named, not read.
	demo.resize(20);
	EXPECT_EQ(format(t, t.find_type(300), demo),
		  "demo: comm=ab?cdefg caller=<beyond record>");
}

// What an event's own output function would read past: a record of the
// previous kernel prints through it only when sound.
TEST(FtraceEvents, RecordsSoundForTheirOwnOutput)
{
	ftrace::EventTableBuilder b;
	ASSERT_TRUE(b.add_event(5, "ftrace", "print").is_ok());
	ASSERT_TRUE(b.add_field({"ip", "unsigned long", 8, 8, false}).is_ok());
	ASSERT_TRUE(b.add_field({"buf", "char[]", 16, 0, true}).is_ok());
	ASSERT_TRUE(b.add_event(300, "sched", "switch").is_ok());
	ASSERT_TRUE(b.add_field({"comm", "char[4]", 8, 4, false}).is_ok());
	ASSERT_TRUE(b.add_field({"pid", "int", 12, 4, true}).is_ok());
	ASSERT_TRUE(b.add_event(301, "sched", "exec").is_ok());
	ASSERT_TRUE(b.add_field({"filename", "__data_loc char[]", 8, 4, false}).is_ok());
	ASSERT_TRUE(b.add_field({"blob", "__rel_loc u8[]", 12, 4, false}).is_ok());
	auto t = parse(encode(b));
	auto sound = [&t](u32 type, const std::vector<u8>& rec) {
		return t.record_sound(static_cast<size_t>(t.find_type(type)), {rec.data(), rec.size()});
	};

	std::vector<u8> print(20);
	std::memcpy(print.data() + 16, "tok\n", 4);
	EXPECT_FALSE(sound(5, print));  // the string runs off the record
	print.push_back(0);
	EXPECT_TRUE(sound(5, print));
	print.resize(12);
	EXPECT_FALSE(sound(5, print));  // ip cut short

	std::vector<u8> sw(16);
	std::memcpy(sw.data() + 8, "abcd", 4);
	EXPECT_FALSE(sound(300, sw));  // comm not terminated inside its 4 bytes
	sw[11] = 0;
	EXPECT_TRUE(sound(300, sw));
	sw.resize(15);
	EXPECT_FALSE(sound(300, sw));  // pid beyond the record

	std::vector<u8> ex(24);
	auto at = [&ex](size_t field, u32 off, u32 len) {
		const u32 loc = off | len << 16;
		std::memcpy(ex.data() + field, &loc, 4);
	};
	std::memcpy(ex.data() + 16, "/bin/sh", 8);
	at(8, 16, 8);
	at(12, 0, 8);  // relative to the end of its field: bytes 16..23
	EXPECT_TRUE(sound(301, ex));
	at(8, 16, 7);
	EXPECT_FALSE(sound(301, ex));  // the string's NUL outside its length
	at(8, 16, 9);
	EXPECT_FALSE(sound(301, ex));  // beyond the record
	at(8, 16, 8);
	at(12, 1, 8);
	EXPECT_FALSE(sound(301, ex));  // the relative location beyond the record
}

std::string print_format(const ftrace::EventTable& t, u32 type, size_t room = 512)
{
	std::vector<char> out(room);
	auto len = t.print_format(static_cast<size_t>(t.find_type(type)), {out.data(), out.size()});
	return len.is_ok() ? std::string(out.data(), len.value()) : "refused: " + std::string(len.error().reason());
}

TEST(FtraceEvents, PrintFormatsForFormatFiles)
{
	ftrace::EventTableBuilder b;
	ASSERT_TRUE(b.add_event(300, "sched", "sched_switch").is_ok());
	ASSERT_TRUE(b.add_field({"prev_comm", "char[16]", 8, 16, false}).is_ok());
	ASSERT_TRUE(b.add_field({"prev_pid", "pid_t", 24, 4, true}).is_ok());
	ASSERT_TRUE(b.add_field({"prev_state", "long", 32, 8, true}).is_ok());
	ASSERT_TRUE(b.add_field({"flags", "unsigned long", 40, 8, false}).is_ok());
	ASSERT_TRUE(b.add_field({"prio", "u8", 48, 1, false}).is_ok());
	ASSERT_TRUE(b.add_event(301, "kho_event", "kho_event_test").is_ok());
	ASSERT_TRUE(b.add_field({"msg", "__data_loc char[]", 8, 4, false}).is_ok());
	ASSERT_TRUE(b.add_field({"blob", "__rel_loc u8[]", 12, 4, false}).is_ok());
	ASSERT_TRUE(b.add_field({"where", "void *", 16, 8, false}).is_ok());
	ASSERT_TRUE(b.add_field({"stack", "unsigned long[2]", 24, 16, false}).is_ok());
	ASSERT_TRUE(b.add_field({"odd", "struct x", 40, 3, false}).is_ok());
	ASSERT_TRUE(b.add_field({"note", "__rel_loc char[]", 44, 4, false}).is_ok());
	ASSERT_TRUE(b.add_event(308, "ftrace", "function").is_ok());
	ASSERT_TRUE(b.add_field({"ip", "unsigned long", 8, 8, false}).is_ok());
	ASSERT_TRUE(b.add_field({"parent_ip", "unsigned long", 16, 8, false}).is_ok());
	ASSERT_TRUE(b.add_event(302, "sched", "empty").is_ok());
	ASSERT_TRUE(b.add_event(303, "bad/system", "x").is_ok());
	ASSERT_TRUE(b.add_event(304, "sys", "name with space").is_ok());
	ASSERT_TRUE(b.add_event(305, "sys", "semicolon").is_ok());
	ASSERT_TRUE(b.add_field({"f", "int;\nfield:int x", 8, 4, true}).is_ok());
	ASSERT_TRUE(b.add_event(306, "sys", "common").is_ok());
	ASSERT_TRUE(b.add_field({"common_pid", "int", 8, 4, true}).is_ok());
	ASSERT_TRUE(b.add_event(307, "sys", "x0123456789012345678901234567890123456789012345678901234567890123").is_ok());
	auto t = parse(encode(b));

	EXPECT_EQ(print_format(t, 300),
		  "\"prev_comm=%s prev_pid=%d prev_state=%lld flags=%llu prio=%u\", "
		  "REC->prev_comm, REC->prev_pid, REC->prev_state, REC->flags, REC->prio");
	EXPECT_EQ(print_format(t, 301),
		  "\"msg=%s blob=%s where=0x%llx stack=%s odd=%s note=%s\", __get_str(msg), "
		  "__print_hex(__get_rel_dynamic_array(blob), __get_rel_dynamic_array_len(blob)), "
		  "REC->where, __print_hex(REC->stack, 16), __print_hex(REC->odd, 3), __get_rel_str(note)");
	// The function tracer's addresses in hex, as in the trace file.
	EXPECT_EQ(print_format(t, 308), "\"ip=0x%llx parent_ip=0x%llx\", REC->ip, REC->parent_ip");
	EXPECT_EQ(print_format(t, 302), "\"\"");
	// Names that would not stand in tracefs, or text that would break
	// the format file's lines, are refused.
	EXPECT_EQ(print_format(t, 303), "refused: event name not an identifier");
	EXPECT_EQ(print_format(t, 304), "refused: event name not an identifier");
	EXPECT_EQ(print_format(t, 305), "refused: field name or type not plain");
	EXPECT_EQ(print_format(t, 306), "refused: field name or type not plain");
	EXPECT_EQ(print_format(t, 307), "refused: event name not an identifier");
	// A format that does not fit is refused, not cut.
	EXPECT_EQ(print_format(t, 300, 40), "refused: print format too long");
	EXPECT_EQ(t.field(static_cast<size_t>(t.find_type(300)), 1).offset, 24u);
	EXPECT_STREQ(t.field(static_cast<size_t>(t.find_type(300)), 1).type, "pid_t");
}

std::string time_text(u64 ts, bool in_ns)
{
	char out[32];
	const size_t len = ftrace::format_time(ts, in_ns, {out, sizeof(out)});
	return len ? std::string(out, len) : "(not before the kexec)";
}

TEST(FtraceTime, RecordsBeforeTheKexecPrintNegative)
{
	// As " %5s.%06lu" of "-seconds" and microseconds, and " %12lld".
	EXPECT_EQ(time_text(-1500000000ull, true), "    -1.500000");
	EXPECT_EQ(time_text(-999ull, true), "    -0.000000");
	EXPECT_EQ(time_text(-123456789012345ull, true), " -123456.789012");
	EXPECT_EQ(time_text(-42ull, false), "          -42");
	EXPECT_EQ(time_text(u64{1} << 63, false), " -9223372036854775808");
	EXPECT_EQ(time_text(0, true), "(not before the kexec)");
	EXPECT_EQ(time_text(1000, false), "(not before the kexec)");
	// Cut to the room given, terminated.
	char small[4];
	ftrace::format_time(-1500000000ull, true, {small, sizeof(small)});
	EXPECT_STREQ(small, "   ");
}

}  // namespace
