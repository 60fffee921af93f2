// SPDX-License-Identifier: GPL-2.0
// The ftrace node checks (ftrace/node.cpp): a CPU node, an instance node
// and the positions block, each rejection by its reason, through the C API
// the shim uses.  Trees are built with the host's libfdt.
#include <gtest/gtest.h>

#include <libfdt.h>

#include <cstring>
#include <string>
#include <vector>

#include <kho/abi/ftrace.h>

#include <kx/types.hpp>

#include "ftrace/format.hpp"

namespace {

using kx::u32;
using kx::u64;
using kx::u8;

constexpr const char* kCpuFields = "cpu, nr-pages or slot missing or not 4 bytes";
constexpr const char* kPfnsMissing = "pfns missing";
constexpr const char* kNrPages = "nr-pages out of range for its page list";
constexpr const char* kSlot = "slot outside the positions block";
constexpr const char* kNames = "name or clock malformed";
constexpr const char* kSubbuf = "subbuf-order missing, not 4 bytes or above 8";
constexpr const char* kBlock = "positions block too small or not from this format";
constexpr const char* kNotWritten = "positions were not recorded at kexec time";
constexpr const char* kTable = "module table outside the positions block";
constexpr const char* kModule = "module entry malformed";

struct Prop {
	std::string name;
	std::vector<u8> value;
};

Prop u32_prop(const char* name, u32 v)
{
	Prop p{name, std::vector<u8>(4)};
	std::memcpy(p.value.data(), &v, 4);
	return p;
}

Prop bytes_prop(const char* name, std::vector<u8> v) { return {name, std::move(v)}; }

// A string property with its NUL.
Prop str_prop(const char* name, const std::string& s)
{
	std::vector<u8> v(s.begin(), s.end());
	v.push_back(0);
	return {name, v};
}

Prop without(const char* name) { return {std::string("!") + name, {}}; }

// A tree with one node "/n" holding @props (a later prop of the same name
// replaces an earlier one; "!name" removes it).
class Tree {
public:
	explicit Tree(const std::vector<Prop>& props)
	{
		std::vector<Prop> final;
		for (const Prop& p : props) {
			const bool remove = p.name[0] == '!';
			const std::string name = remove ? p.name.substr(1) : p.name;
			std::erase_if(final, [&](const Prop& q) { return q.name == name; });
			if (!remove)
				final.push_back(p);
		}
		buf_.resize(8192);
		void* fdt = buf_.data();
		EXPECT_EQ(fdt_create(fdt, buf_.size()), 0);
		EXPECT_EQ(fdt_finish_reservemap(fdt), 0);
		EXPECT_EQ(fdt_begin_node(fdt, ""), 0);
		EXPECT_EQ(fdt_begin_node(fdt, "n"), 0);
		for (const Prop& p : final)
			EXPECT_EQ(fdt_property(fdt, p.name.c_str(), p.value.data(),
					       static_cast<int>(p.value.size())), 0);
		EXPECT_EQ(fdt_end_node(fdt), 0);
		EXPECT_EQ(fdt_end_node(fdt), 0);
		EXPECT_EQ(fdt_finish(fdt), 0);
		buf_.resize(fdt_totalsize(fdt));
		EXPECT_EQ(fdt_check_header(buf_.data()), 0);
		node_ = fdt_path_offset(buf_.data(), "/n");
		EXPECT_GE(node_, 0);
	}
	const void* fdt() const { return buf_.data(); }
	int node() const { return node_; }
	const u8* begin() const { return buf_.data(); }
	const u8* end() const { return buf_.data() + buf_.size(); }

private:
	std::vector<u8> buf_;
	int node_ = -1;
};

// --- CPU nodes ---

std::vector<Prop> cpu_props(std::vector<Prop> extra = {})
{
	std::vector<Prop> p = {u32_prop("cpu", 3), u32_prop("nr-pages", 4), u32_prop("slot", 32),
			       bytes_prop("pfns", {0x85, 0x01, 1, 1, 1})};  // 133, then steps
	p.insert(p.end(), extra.begin(), extra.end());
	return p;
}

// The reason a CPU node is refused, or nullptr (then @out is filled).
const char* cpu_why(const std::vector<Prop>& props, u64 positions_size = 4096,
		    kho_ftrace_cpu_node* out = nullptr)
{
	Tree t(props);
	kho_ftrace_cpu_node n;
	std::memset(&n, 0xa5, sizeof(n));
	const kho_ftrace_cpu_node untouched = n;
	const char* why = "unset";
	const int rc = kx::to_errno(ftrace::check_cpu_node(t.fdt(), t.node(), positions_size), &n, &why);
	if (rc) {
		EXPECT_EQ(rc, -KX_EINVAL);
		EXPECT_EQ(std::memcmp(&n, &untouched, sizeof(n)), 0) << "out written on error";
		EXPECT_NE(why, nullptr);
		return why ? why : "(null why)";
	}
	EXPECT_EQ(why, nullptr);
	// What it says holds, and the list points into the tree.
	EXPECT_GE(n.nr_pages, 1u);
	EXPECT_LE(n.nr_pages, n.pfns_size);
	EXPECT_GE(n.slot, sizeof(kho_ftrace_positions));
	EXPECT_LT(n.slot, positions_size);
	const u8* pfns = static_cast<const u8*>(n.pfns);
	EXPECT_TRUE(pfns >= t.begin() && pfns + n.pfns_size <= t.end());
	if (out)
		*out = n;
	return nullptr;
}

TEST(FtraceCpuNode, AcceptsAGoodNode)
{
	kho_ftrace_cpu_node n;
	ASSERT_EQ(cpu_why(cpu_props(), 4096, &n), nullptr);
	EXPECT_EQ(n.cpu, 3u);
	EXPECT_EQ(n.nr_pages, 4u);
	EXPECT_EQ(n.slot, 32u);
	EXPECT_EQ(n.pfns_size, 5u);
	// The edges: as many pages as list bytes, the last byte of the block.
	EXPECT_EQ(cpu_why(cpu_props({u32_prop("nr-pages", 5)})), nullptr);
	EXPECT_EQ(cpu_why(cpu_props({u32_prop("slot", 4095)})), nullptr);
	EXPECT_EQ(cpu_why(cpu_props({u32_prop("nr-pages", 1), bytes_prop("pfns", {0})})), nullptr);
	// Any cpu number: whether this kernel has it is decided later.
	EXPECT_EQ(cpu_why(cpu_props({u32_prop("cpu", ~0u)})), nullptr);
}

TEST(FtraceCpuNode, RefusesMissingOrWronglySizedNumbers)
{
	for (const char* prop : {"cpu", "nr-pages", "slot"}) {
		SCOPED_TRACE(prop);
		EXPECT_STREQ(cpu_why(cpu_props({without(prop)})), kCpuFields);
		for (size_t len : {0, 1, 2, 3, 5, 8}) {
			SCOPED_TRACE(len);
			EXPECT_STREQ(cpu_why(cpu_props({bytes_prop(prop, std::vector<u8>(len, 1))})),
				     kCpuFields);
		}
	}
}

TEST(FtraceCpuNode, RefusesAMissingOrEmptyPageList)
{
	EXPECT_STREQ(cpu_why(cpu_props({without("pfns")})), kPfnsMissing);
	EXPECT_STREQ(cpu_why(cpu_props({bytes_prop("pfns", {})})), kPfnsMissing);
	// Not even when nr-pages is 0 too.
	EXPECT_STREQ(cpu_why(cpu_props({bytes_prop("pfns", {}), u32_prop("nr-pages", 0)})),
		     kPfnsMissing);
}

TEST(FtraceCpuNode, RefusesAPageCountTheListCannotHold)
{
	EXPECT_STREQ(cpu_why(cpu_props({u32_prop("nr-pages", 0)})), kNrPages);
	EXPECT_STREQ(cpu_why(cpu_props({u32_prop("nr-pages", 6)})), kNrPages);  // 5 bytes of list
	EXPECT_STREQ(cpu_why(cpu_props({u32_prop("nr-pages", ~0u)})), kNrPages);
	EXPECT_STREQ(cpu_why(cpu_props({u32_prop("nr-pages", 0x80000000u)})), kNrPages);
}

TEST(FtraceCpuNode, RefusesASlotOutsideTheBlock)
{
	// Inside the block's head.
	for (u32 slot : {0u, 8u, 31u})
		EXPECT_STREQ(cpu_why(cpu_props({u32_prop("slot", slot)})), kSlot) << slot;
	// At or past the end.
	for (u32 slot : {4096u, 4097u, 0x10000u, ~0u})
		EXPECT_STREQ(cpu_why(cpu_props({u32_prop("slot", slot)})), kSlot) << slot;
	// A block no larger than its head has no room for any slot.
	EXPECT_STREQ(cpu_why(cpu_props(), 32), kSlot);
	EXPECT_STREQ(cpu_why(cpu_props(), 0), kSlot);
	EXPECT_EQ(cpu_why(cpu_props(), 33), nullptr);
	// A block larger than a slot can address.
	EXPECT_EQ(cpu_why(cpu_props({u32_prop("slot", ~0u)}), u64{1} << 33), nullptr);
}

TEST(FtraceCpuNode, ChecksInOrder)
{
	// Numbers first, then the list, then the count, then the slot.
	EXPECT_STREQ(cpu_why(cpu_props({without("cpu"), without("pfns")})), kCpuFields);
	EXPECT_STREQ(cpu_why(cpu_props({without("pfns"), u32_prop("slot", 0)})), kPfnsMissing);
	EXPECT_STREQ(cpu_why(cpu_props({u32_prop("nr-pages", 0), u32_prop("slot", 0)})), kNrPages);
}

// --- Instance nodes ---

std::vector<Prop> instance_props(std::vector<Prop> extra = {})
{
	std::vector<Prop> p = {str_prop("compatible", KHO_FTRACE_INSTANCE_COMPATIBLE),
			       str_prop("name", "foo"), str_prop("clock", "local"),
			       u32_prop("subbuf-order", 0)};
	p.insert(p.end(), extra.begin(), extra.end());
	return p;
}

const char* instance_why(const std::vector<Prop>& props, kho_ftrace_instance_node* out = nullptr)
{
	Tree t(props);
	kho_ftrace_instance_node n;
	std::memset(&n, 0xa5, sizeof(n));
	const kho_ftrace_instance_node untouched = n;
	const char* why = "unset";
	const int rc = kho_ftrace_instance_node_check(t.fdt(), t.node(), &n, &why);
	if (rc) {
		EXPECT_EQ(rc, -KX_EINVAL);
		EXPECT_EQ(std::memcmp(&n, &untouched, sizeof(n)), 0) << "out written on error";
		EXPECT_NE(why, nullptr);
		return why ? why : "(null why)";
	}
	EXPECT_EQ(why, nullptr);
	for (const char* s : {n.name, n.clock}) {
		const u8* p = reinterpret_cast<const u8*>(s);
		EXPECT_TRUE(p >= t.begin() && p + std::strlen(s) < t.end());
		EXPECT_LT(std::strlen(s), 64u);
		EXPECT_EQ(std::strchr(s, '/'), nullptr);
	}
	EXPECT_NE(*n.clock, 0);
	EXPECT_LE(n.subbuf_order, 8u);
	if (out) {
		*out = n;
		// Copy the strings out: they point into the tree, gone on return.
		static std::string name, clock;
		name = n.name;
		clock = n.clock;
		out->name = name.c_str();
		out->clock = clock.c_str();
	}
	return nullptr;
}

TEST(FtraceInstanceNode, AcceptsGoodNodes)
{
	kho_ftrace_instance_node n;
	ASSERT_EQ(instance_why(instance_props(), &n), nullptr);
	EXPECT_STREQ(n.name, "foo");
	EXPECT_STREQ(n.clock, "local");
	EXPECT_EQ(n.subbuf_order, 0u);
	// The global instance: the empty name.
	ASSERT_EQ(instance_why(instance_props({str_prop("name", "")}), &n), nullptr);
	EXPECT_STREQ(n.name, "");
	// The longest names, the largest order.
	const std::string longest(63, 'x');
	ASSERT_EQ(instance_why(instance_props({str_prop("name", longest), str_prop("clock", longest),
					       u32_prop("subbuf-order", 8)}),
			       &n),
		  nullptr);
	EXPECT_EQ(n.name, longest);
	EXPECT_EQ(n.clock, longest);
	EXPECT_EQ(n.subbuf_order, 8u);
	// Anything but '/' and NUL is a name; whether the clock exists is
	// decided later.
	EXPECT_EQ(instance_why(instance_props({str_prop("name", "a.b-c d\x7f\xff"),
					       str_prop("clock", "no-such-clock")})),
		  nullptr);
}

TEST(FtraceInstanceNode, RefusesABadName)
{
	for (const char* prop : {"name", "clock"}) {
		SCOPED_TRACE(prop);
		EXPECT_STREQ(instance_why(instance_props({without(prop)})), kNames);
		// Too long: 64 characters and the NUL.
		EXPECT_STREQ(instance_why(instance_props({str_prop(prop, std::string(64, 'x'))})),
			     kNames);
		EXPECT_STREQ(instance_why(instance_props({str_prop(prop, std::string(1000, 'x'))})),
			     kNames);
		// Not NUL-terminated, even when short, or 64 bytes without a NUL.
		EXPECT_STREQ(instance_why(instance_props({bytes_prop(prop, {'a', 'b', 'c'})})), kNames);
		EXPECT_STREQ(instance_why(instance_props({bytes_prop(prop, std::vector<u8>(64, 'x'))})),
			     kNames);
		// A zero-length property is not even the empty string.
		EXPECT_STREQ(instance_why(instance_props({bytes_prop(prop, {})})), kNames);
		// A '/' anywhere.
		for (const char* s : {"a/b", "/", "/ab", "ab/"})
			EXPECT_STREQ(instance_why(instance_props({str_prop(prop, s)})), kNames) << s;
		// Something after a NUL.
		EXPECT_STREQ(instance_why(instance_props({bytes_prop(prop, {'a', 0, 'b', 0})})), kNames);
		EXPECT_STREQ(instance_why(instance_props({bytes_prop(prop, {'a', 0, 0})})), kNames);
		EXPECT_STREQ(instance_why(instance_props({bytes_prop(prop, {0, 0})})), kNames);
	}
	// The clock, unlike the name, is never empty.
	EXPECT_STREQ(instance_why(instance_props({str_prop("clock", "")})), kNames);
	EXPECT_STREQ(instance_why(instance_props({str_prop("name", ""), str_prop("clock", "")})),
		     kNames);
}

TEST(FtraceInstanceNode, RefusesABadSubBufferOrder)
{
	EXPECT_STREQ(instance_why(instance_props({without("subbuf-order")})), kSubbuf);
	for (size_t len : {0, 1, 2, 8})
		EXPECT_STREQ(instance_why(instance_props({bytes_prop("subbuf-order",
								     std::vector<u8>(len, 0))})),
			     kSubbuf)
			<< len;
	for (u32 order : {9u, 31u, 0x100u, ~0u})
		EXPECT_STREQ(instance_why(instance_props({u32_prop("subbuf-order", order)})), kSubbuf)
			<< order;
	// The names are checked first.
	EXPECT_STREQ(instance_why(instance_props({without("subbuf-order"), str_prop("clock", "")})),
		     kNames);
}

// --- The positions block ---

constexpr size_t kBlockSize = 4096;
constexpr u32 kModulesAt = kBlockSize - 4 * sizeof(kho_ftrace_module);

struct Block {
	std::vector<u64> words = std::vector<u64>(kBlockSize / 8);  // 8-byte aligned, as a folio
	size_t size = kBlockSize;

	kho_ftrace_positions& head() { return *reinterpret_cast<kho_ftrace_positions*>(words.data()); }
	kho_ftrace_module& module(u32 i)
	{
		return reinterpret_cast<kho_ftrace_module*>(
			reinterpret_cast<u8*>(words.data()) + head().modules_at)[i];
	}
	const void* data() const { return words.data(); }
};

// Two modules loaded of room for four, at the end of the block.
Block good_block()
{
	Block b;
	b.head() = {KHO_FTRACE_POSITIONS_MAGIC, 1, 0xffffffff81000000ull, kModulesAt, 4, 2, 0};
	b.module(0) = {0xffffffffc0000000ull, 0x4000, "ext4"};
	b.module(1) = {0xffffffffc0100000ull, 0x2000, "kho_test"};
	// The unused entries are junk: never looked at.
	std::memset(&b.module(2), 0xff, 2 * sizeof(kho_ftrace_module));
	return b;
}

const char* positions_why(const Block& b, kho_ftrace_positions_view* out = nullptr)
{
	kho_ftrace_positions_view v;
	std::memset(&v, 0xa5, sizeof(v));
	const kho_ftrace_positions_view untouched = v;
	const char* why = "unset";
	const int rc = kho_ftrace_positions_check(b.data(), b.size, &v, &why);
	if (rc) {
		EXPECT_EQ(rc, -KX_EINVAL);
		EXPECT_EQ(std::memcmp(&v, &untouched, sizeof(v)), 0) << "out written on error";
		EXPECT_NE(why, nullptr);
		return why ? why : "(null why)";
	}
	EXPECT_EQ(why, nullptr);
	const u8* base = static_cast<const u8*>(b.data());
	const u8* mods = reinterpret_cast<const u8*>(v.modules);
	EXPECT_TRUE(mods >= base + sizeof(kho_ftrace_positions) &&
		    mods + v.nr_modules * sizeof(kho_ftrace_module) <= base + b.size);
	EXPECT_EQ(reinterpret_cast<uintptr_t>(mods) % 8, 0u);
	for (u32 i = 0; i < v.nr_modules; i++) {
		EXPECT_NE(std::memchr(v.modules[i].name, 0, sizeof(v.modules[i].name)), nullptr);
		EXPECT_GE(v.modules[i].base + v.modules[i].size, v.modules[i].base);
	}
	if (out)
		*out = v;
	return nullptr;
}

TEST(FtracePositions, AcceptsAGoodBlock)
{
	Block b = good_block();
	kho_ftrace_positions_view v;
	ASSERT_EQ(positions_why(b, &v), nullptr);
	EXPECT_EQ(v.text, 0xffffffff81000000ull);
	EXPECT_EQ(v.nr_modules, 2u);
	EXPECT_EQ(static_cast<const void*>(v.modules),
		  static_cast<const u8*>(b.data()) + kModulesAt);
	EXPECT_STREQ(v.modules[1].name, "kho_test");

	// No modules at all, the table right after the head, or empty at the
	// very end of the block.
	b = good_block();
	b.head().nr_modules = 0;
	EXPECT_EQ(positions_why(b, &v), nullptr);
	EXPECT_EQ(v.nr_modules, 0u);
	b.head().modules_at = sizeof(kho_ftrace_positions);
	EXPECT_EQ(positions_why(b), nullptr);
	b.head().modules_max = 0;
	b.head().modules_at = kBlockSize;
	EXPECT_EQ(positions_why(b), nullptr);
	// A block that is only its head.
	b.size = sizeof(kho_ftrace_positions);
	b.head().modules_at = sizeof(kho_ftrace_positions);
	EXPECT_EQ(positions_why(b), nullptr);
	// A full table; a name filling its field; a module ending at 2^64 - 1.
	b = good_block();
	b.head().nr_modules = 4;
	b.module(2) = {~u64{0} - 9, 9, ""};
	b.module(3) = {0, 0, ""};
	std::memset(b.module(3).name, 'm', sizeof(b.module(3).name) - 1);
	EXPECT_EQ(positions_why(b), nullptr);
}

TEST(FtracePositions, RefusesABlockTooSmallOrOfAnotherFormat)
{
	Block b = good_block();
	for (size_t size : {0, 1, 8, 31}) {
		b.size = size;
		EXPECT_STREQ(positions_why(b), kBlock) << size;
	}
	b = good_block();
	b.head().magic = KHO_FTRACE_CPU_MAGIC;
	EXPECT_STREQ(positions_why(b), kBlock);
	b.head().magic = 0;
	EXPECT_STREQ(positions_why(b), kBlock);
	b = good_block();
	b.head().reserved = 1;
	EXPECT_STREQ(positions_why(b), kBlock);
	b.head().reserved = 0x80000000u;
	EXPECT_STREQ(positions_why(b), kBlock);
}

TEST(FtracePositions, RefusesABlockNotWrittenAtKexec)
{
	Block b = good_block();
	for (u32 written : {0u, 2u, ~0u, 0x100u}) {
		b.head().written = written;
		EXPECT_STREQ(positions_why(b), kNotWritten) << written;
	}
}

TEST(FtracePositions, RefusesAModuleTableOutsideTheBlock)
{
	Block b = good_block();
	b.head().nr_modules = 5;  // more than room was made for
	EXPECT_STREQ(positions_why(b), kTable);
	b.head().nr_modules = ~0u;
	EXPECT_STREQ(positions_why(b), kTable);
	// Over the head.
	for (u32 at : {0u, 8u, 24u}) {
		b = good_block();
		b.head().modules_at = at;
		EXPECT_STREQ(positions_why(b), kTable) << at;
	}
	// Misaligned, even with no module in use (checked before any is read).
	b = good_block();
	b.head().modules_at = 36;
	b.head().nr_modules = 0;
	EXPECT_STREQ(positions_why(b), kTable);
	// Misaligned.
	for (u32 at : {kModulesAt - 4, kModulesAt - 1, 33u, 36u}) {
		b = good_block();
		b.head().modules_at = at;
		EXPECT_STREQ(positions_why(b), kTable) << at;
	}
	// Past the end; room for the whole table missing, by one entry or
	// by an overflowing count.
	for (u32 at : {u32{kBlockSize} + 8, 0x7ffffff8u, ~0u - 7}) {
		b = good_block();
		b.head().modules_at = at;
		EXPECT_STREQ(positions_why(b), kTable) << at;
	}
	b = good_block();
	b.head().modules_at = kModulesAt + 8;
	EXPECT_STREQ(positions_why(b), kTable);
	b = good_block();
	b.head().modules_max = 5;
	EXPECT_STREQ(positions_why(b), kTable);
	b.head().modules_max = ~0u;
	EXPECT_STREQ(positions_why(b), kTable);
	b.head().modules_max = 0x38e38e4u;  // * 72 wraps past 2^32
	EXPECT_STREQ(positions_why(b), kTable);
	// Only the room counts, not how much of it is used.
	b = good_block();
	b.head().modules_max = 5;
	b.head().nr_modules = 0;
	EXPECT_STREQ(positions_why(b), kTable);
	b = good_block();
	b.head().modules_at = kBlockSize;
	b.head().modules_max = 0;
	b.head().nr_modules = 0;
	EXPECT_EQ(positions_why(b), nullptr);
	b.head().modules_max = 1;
	EXPECT_STREQ(positions_why(b), kTable);
}

TEST(FtracePositions, RefusesAMalformedModuleEntry)
{
	for (u32 i = 0; i < 2; i++) {
		SCOPED_TRACE(i);
		Block b = good_block();
		std::memset(b.module(i).name, 'x', sizeof(b.module(i).name));  // no NUL
		EXPECT_STREQ(positions_why(b), kModule);
		b = good_block();
		b.module(i).base = ~u64{0} - 9;
		b.module(i).size = 10;  // ends at 2^64: wraps
		EXPECT_STREQ(positions_why(b), kModule);
		b.module(i).base = 1;
		b.module(i).size = ~u64{0};
		EXPECT_STREQ(positions_why(b), kModule);
	}
	// An entry past nr_modules is not read, however bad.
	Block b = good_block();
	std::memset(&b.module(2), 'x', sizeof(kho_ftrace_module));
	EXPECT_EQ(positions_why(b), nullptr);
	b.head().nr_modules = 3;
	EXPECT_STREQ(positions_why(b), kModule);
}

// --- The "ftrace" node and its children ---

struct RootSpec {
	const char* compatible = KHO_FTRACE_COMPATIBLE;
	int positions_len = 16;
	int build_id_len = KHO_FTRACE_BUILD_ID_SIZE;
	int events_len = 24;
	bool node = true;
};

std::vector<u8> root_tree(const RootSpec& spec)
{
	std::vector<u8> buf(8192);
	void* fdt = buf.data();
	const u64 positions[3] = {0x123000, 4096, 0};
	const std::vector<u8> id(32, 0x5a), events(64, 0x11);
	EXPECT_EQ(fdt_create(fdt, buf.size()), 0);
	EXPECT_EQ(fdt_finish_reservemap(fdt), 0);
	EXPECT_EQ(fdt_begin_node(fdt, ""), 0);
	if (spec.node) {
		EXPECT_EQ(fdt_begin_node(fdt, "ftrace"), 0);
		EXPECT_EQ(fdt_property_string(fdt, "compatible", spec.compatible), 0);
		EXPECT_EQ(fdt_property(fdt, "positions", positions, spec.positions_len), 0);
		EXPECT_EQ(fdt_property(fdt, "build-id", id.data(), spec.build_id_len), 0);
		EXPECT_EQ(fdt_property(fdt, "events", events.data(), spec.events_len), 0);
		// Instances i0 and i1 around a node of another kind; i0 has two CPUs.
		for (const char* name : {"i0", "other", "i1"}) {
			EXPECT_EQ(fdt_begin_node(fdt, name), 0);
			EXPECT_EQ(fdt_property_string(fdt, "compatible",
						      std::string(name) == "other"
							      ? "ftrace,other-v1"
							      : KHO_FTRACE_INSTANCE_COMPATIBLE),
				  0);
			for (int cpu = 0; std::string(name) == "i0" && cpu < 2; cpu++) {
				EXPECT_EQ(fdt_begin_node(fdt, cpu ? "cpu1" : "cpu0"), 0);
				EXPECT_EQ(fdt_property_string(fdt, "compatible",
							      KHO_FTRACE_CPU_COMPATIBLE),
					  0);
				EXPECT_EQ(fdt_end_node(fdt), 0);
			}
			EXPECT_EQ(fdt_end_node(fdt), 0);
		}
		EXPECT_EQ(fdt_end_node(fdt), 0);
	}
	EXPECT_EQ(fdt_end_node(fdt), 0);
	EXPECT_EQ(fdt_finish(fdt), 0);
	buf.resize(fdt_totalsize(fdt));
	return buf;
}

TEST(FtraceRootNode, ReadsTheNodeAndItsProperties)
{
	auto t = root_tree({});
	kho_ftrace_root_node root;
	const char* why = "unset";
	ASSERT_EQ(kho_ftrace_root_node_find(t.data(), &root, &why), 0);
	EXPECT_EQ(why, nullptr);
	EXPECT_EQ(root.node, fdt_path_offset(t.data(), "/ftrace"));
	EXPECT_EQ(root.positions_phys, 0x123000u);
	EXPECT_EQ(root.positions_size, 4096u);
	EXPECT_EQ(root.events_size, 24u);
	const u8* begin = t.data();
	const u8* end = t.data() + t.size();
	const u8* events = static_cast<const u8*>(root.events);
	const u8* id = static_cast<const u8*>(root.build_id);
	EXPECT_TRUE(events >= begin && events + root.events_size <= end);
	EXPECT_TRUE(id >= begin && id + KHO_FTRACE_BUILD_ID_SIZE <= end);
}

TEST(FtraceRootNode, NoNodeIsNoHandover)
{
	RootSpec spec;
	spec.node = false;
	auto t = root_tree(spec);
	kho_ftrace_root_node root;
	const char* why = "unset";
	EXPECT_EQ(kho_ftrace_root_node_find(t.data(), &root, &why), -KX_ENOENT);
}

TEST(FtraceRootNode, RefusesAnotherFormat)
{
	RootSpec spec;
	spec.compatible = "ftrace-v1";
	auto t = root_tree(spec);
	kho_ftrace_root_node root;
	const char* why = nullptr;
	EXPECT_EQ(kho_ftrace_root_node_find(t.data(), &root, &why), -KX_EINVAL);
	EXPECT_STREQ(why, "ftrace node is not " KHO_FTRACE_COMPATIBLE);
}

TEST(FtraceRootNode, RefusesAMalformedPositionsProperty)
{
	for (int len : {0, 8, 15, 17, 24}) {
		RootSpec spec;
		spec.positions_len = len;
		auto t = root_tree(spec);
		kho_ftrace_root_node root;
		const char* why = nullptr;
		EXPECT_EQ(kho_ftrace_root_node_find(t.data(), &root, &why), -KX_EINVAL) << len;
		EXPECT_STREQ(why, "positions block missing");
	}
}

TEST(FtraceRootNode, DropsAWronglySizedBuildIdAndAnEmptyEventTable)
{
	RootSpec spec;
	spec.build_id_len = KHO_FTRACE_BUILD_ID_SIZE - 1;
	spec.events_len = 0;
	auto t = root_tree(spec);
	kho_ftrace_root_node root;
	const char* why = "unset";
	ASSERT_EQ(kho_ftrace_root_node_find(t.data(), &root, &why), 0);
	EXPECT_EQ(root.build_id, nullptr);
	EXPECT_EQ(root.events, nullptr);
	EXPECT_EQ(root.events_size, 0u);
}

TEST(FtraceNodes, VisitsOnlyTheCompatibleChildrenInOrder)
{
	auto t = root_tree({});
	const void* fdt = t.data();
	const int root = fdt_path_offset(fdt, "/ftrace");
	std::vector<std::string> seen;
	int node;
	kho_ftrace_for_each_node(fdt, root, KHO_FTRACE_INSTANCE_COMPATIBLE, node)
		seen.push_back(kho_ftrace_node_name(fdt, node));
	EXPECT_EQ(seen, (std::vector<std::string>{"i0", "i1"}));
	seen.clear();
	kho_ftrace_for_each_node(fdt, fdt_path_offset(fdt, "/ftrace/i0"), KHO_FTRACE_CPU_COMPATIBLE,
				 node)
		seen.push_back(kho_ftrace_node_name(fdt, node));
	EXPECT_EQ(seen, (std::vector<std::string>{"cpu0", "cpu1"}));
	kho_ftrace_for_each_node(fdt, fdt_path_offset(fdt, "/ftrace/i1"), KHO_FTRACE_CPU_COMPATIBLE,
				 node)
		ADD_FAILURE() << "i1 has no CPU nodes";
	EXPECT_STREQ(kho_ftrace_node_name(fdt, -1), "?");
}

// --- Round trip: what this kernel writes, the next one reads back ---

// Two instances, the global one with two CPUs, and the positions block.
struct Handover {
	std::vector<u64> pfns[3] = {{5, 9, 0x10000, 0x10001}, {7}, {}};
	std::vector<u64> unread[3] = {{0x10000, 5}, {7}, {}};
	kho_ftrace_cpu_out cpus[3] = {};
	kho_ftrace_instance_out instances[2] = {{nullptr, "", "local", 0, 2}, {nullptr, "inst", "global", 2, 1}};
	kho_ftrace_out out = {};
	std::vector<u8> events = std::vector<u8>(40, 0x3c);
	std::vector<u8> tree = std::vector<u8>(8192);
	std::vector<u64> block;  // 8-byte aligned, as a folio is

	explicit Handover(u32 big_cpu_pages = 0)
	{
		// A CPU with 65536 pages or more takes 4-byte indices.
		for (u64 i = 0; i < big_cpu_pages; i++)
			pfns[2].push_back(0x100000 + 2 * i);
		if (big_cpu_pages)
			unread[2] = {pfns[2].back(), pfns[2].front()};
		tree.resize(tree.size() + 2 * big_cpu_pages);
		const u32 cpu_ids[3] = {0, 3, 1};
		for (int i = 0; i < 3; i++)
			cpus[i] = {nullptr, cpu_ids[i], static_cast<u32>(pfns[i].size()), pfns[i].data(),
				   unread[i].data(), static_cast<u32>(unread[i].size()), 0, nullptr};
		out.instances = instances;
		out.nr_instances = big_cpu_pages ? 2 : 1;
		out.cpus = cpus;
		out.nr_cpus = big_cpu_pages ? 3 : 2;
		out.events = events.data();
		out.events_size = events.size();
		std::memset(out.build_id, 0x77, sizeof(out.build_id));
		kho_ftrace_positions_layout(&out, 2);
		out.positions_phys = 0x4000000;
		block.resize(out.positions_size / 8 + 1);
		kho_ftrace_positions_init(block.data(), &out);

		void* fdt = tree.data();
		EXPECT_EQ(fdt_create(fdt, static_cast<int>(tree.size())), 0);
		EXPECT_EQ(fdt_finish_reservemap(fdt), 0);
		EXPECT_EQ(fdt_begin_node(fdt, ""), 0);
		EXPECT_EQ(kho_ftrace_node_write(fdt, &out), 0);
		EXPECT_EQ(fdt_end_node(fdt), 0);
		EXPECT_EQ(fdt_finish(fdt), 0);

		// At kexec time.
		for (u32 i = 0; i < out.nr_cpus; i++)
			EXPECT_EQ(kho_ftrace_record_write(block.data(), &cpus[i], 1000 + i, i ? 0 : 24, !i), 0);
		auto* mods = reinterpret_cast<kho_ftrace_module*>(reinterpret_cast<u8*>(block.data()) +
								  out.modules_at);
		mods[0] = {0xffffffffa0000000ull, 0x2000, "kho_test"};
		kho_ftrace_positions_seal(block.data(), 0xffffffff81000000ull, 1);
	}
};

TEST(FtraceRoundTrip, WhatIsWrittenReadsBack)
{
	Handover h;
	const void* fdt = h.tree.data();
	kho_ftrace_root_node root;
	const char* why = "unset";
	ASSERT_EQ(kho_ftrace_root_node_find(fdt, &root, &why), 0);
	EXPECT_EQ(root.positions_phys, h.out.positions_phys);
	EXPECT_EQ(root.positions_size, h.out.positions_size);
	ASSERT_EQ(root.events_size, h.events.size());
	EXPECT_EQ(std::memcmp(root.events, h.events.data(), h.events.size()), 0);
	ASSERT_NE(root.build_id, nullptr);
	EXPECT_EQ(std::memcmp(root.build_id, h.out.build_id, KHO_FTRACE_BUILD_ID_SIZE), 0);

	kho_ftrace_positions_view pos;
	ASSERT_EQ(kho_ftrace_positions_check(h.block.data(), h.out.positions_size, &pos, &why), 0);
	EXPECT_EQ(pos.text, 0xffffffff81000000ull);
	ASSERT_EQ(pos.nr_modules, 1u);
	EXPECT_STREQ(pos.modules[0].name, "kho_test");

	int inst, cpu;
	u32 nr_instances = 0, c = 0;
	kho_ftrace_for_each_node(fdt, root.node, KHO_FTRACE_INSTANCE_COMPATIBLE, inst) {
		const kho_ftrace_instance_out& want = h.instances[nr_instances++];
		kho_ftrace_instance_node in;
		ASSERT_EQ(kho_ftrace_instance_node_check(fdt, inst, &in, &why), 0) << why;
		EXPECT_STREQ(in.name, want.name);
		EXPECT_STREQ(in.clock, want.clock);
		EXPECT_EQ(in.subbuf_order, want.subbuf_order);
		u32 nr_cpus = 0;
		kho_ftrace_for_each_node(fdt, inst, KHO_FTRACE_CPU_COMPATIBLE, cpu) {
			const kho_ftrace_cpu_out& o = h.cpus[c++];
			nr_cpus++;
			kho_ftrace_cpu_in read;
			ASSERT_EQ(kho_ftrace_cpu_read(fdt, cpu, h.block.data(), h.out.positions_size,
						      ~0ull, &read, &why), 0) << why;
			EXPECT_EQ(read.node.cpu, o.cpu);
			ASSERT_EQ(read.node.nr_pages, o.nr_pages);
			EXPECT_EQ(std::vector<u64>(read.pfns, read.pfns + o.nr_pages),
				  std::vector<u64>(o.pfns, o.pfns + o.nr_pages));
			ASSERT_EQ(read.view.nr_valid, o.nr_unread);
			for (u32 i = 0; i < o.nr_unread; i++)
				EXPECT_EQ(o.pfns[read.order[i]], o.unread[i]);
			EXPECT_EQ(read.view.kexec_clock, 1000 + c - 1);
			EXPECT_EQ(read.view.first_is_reader, c == 1);
			EXPECT_EQ(read.view.reader_read, c == 1 ? 24u : 0u);
			kho_ftrace_cpu_in_free(&read);
		}
		EXPECT_EQ(nr_cpus, want.nr_cpus);
	}
	EXPECT_EQ(nr_instances, h.out.nr_instances);
	EXPECT_EQ(c, h.out.nr_cpus);
}

TEST(FtraceRoundTrip, ManyPagesTakeWideIndices)
{
	Handover h(65536);
	const void* fdt = h.tree.data();
	const int node = fdt_path_offset(fdt, "/ftrace/i1/cpu1");
	ASSERT_GE(node, 0);
	kho_ftrace_cpu_in read;
	const char* why = "unset";
	ASSERT_EQ(kho_ftrace_cpu_read(fdt, node, h.block.data(), h.out.positions_size, ~0ull, &read,
				      &why), 0) << why;
	ASSERT_EQ(read.view.nr_valid, 2u);
	EXPECT_EQ(read.order[0], 65535u);
	EXPECT_EQ(read.order[1], 0u);
	kho_ftrace_cpu_in_free(&read);
}

TEST(FtraceRoundTrip, ReadingRefusesWhatDoesNotMatch)
{
	Handover h;
	const void* fdt = h.tree.data();
	const int node = fdt_path_offset(fdt, "/ftrace/i0/cpu3");
	ASSERT_GE(node, 0);
	kho_ftrace_cpu_in read;
	const char* why = nullptr;
	// A page at or above the machine's last.
	EXPECT_EQ(kho_ftrace_cpu_read(fdt, node, h.block.data(), h.out.positions_size, 7, &read, &why),
		  -KX_EINVAL);
	EXPECT_STREQ(why, "bad page list");
	EXPECT_EQ(read.pfns, nullptr);
	// More pages than the machine has.
	EXPECT_EQ(kho_ftrace_cpu_read(fdt, fdt_path_offset(fdt, "/ftrace/i0/cpu0"), h.block.data(),
				      h.out.positions_size, 3, &read, &why), -KX_EINVAL);
	EXPECT_STREQ(why, "more pages than this machine has");
	// A block cut before the record's indices.
	EXPECT_EQ(kho_ftrace_cpu_read(fdt, node, h.block.data(), h.cpus[1].slot + 32, ~0ull, &read,
				      &why), -KX_EINVAL);
	EXPECT_STREQ(why, "record disagrees with the node");
	// Another CPU's record.
	auto* rec = reinterpret_cast<kho_ftrace_cpu_record*>(reinterpret_cast<u8*>(h.block.data()) +
							     h.cpus[1].slot);
	rec->nr_pages = 2;
	EXPECT_EQ(kho_ftrace_cpu_read(fdt, node, h.block.data(), h.out.positions_size, ~0ull, &read,
				      &why), -KX_EINVAL);
	EXPECT_STREQ(why, "record disagrees with the node");
}

TEST(FtraceRoundTrip, APageNotPreservedLeavesAnEmptyRecord)
{
	Handover h;
	h.unread[0][1] = 6;  // not among the CPU's pages
	EXPECT_EQ(kho_ftrace_record_write(h.block.data(), &h.cpus[0], 5, 24, 1), -KX_ERANGE);
	kho_ftrace_cpu_in read;
	const char* why = "unset";
	const void* fdt = h.tree.data();
	ASSERT_EQ(kho_ftrace_cpu_read(fdt, fdt_path_offset(fdt, "/ftrace/i0/cpu0"), h.block.data(),
				      h.out.positions_size, ~0ull, &read, &why), 0) << why;
	EXPECT_EQ(read.view.nr_valid, 0u);
	EXPECT_EQ(read.view.first_is_reader, 0);
	EXPECT_EQ(read.view.reader_read, 0u);
	EXPECT_EQ(read.view.kexec_clock, 5u);
	kho_ftrace_cpu_in_free(&read);
}

TEST(FtraceRoundTrip, AFullTreeIsRefusedNotOverrun)
{
	Handover h;
	std::vector<u8> small(256);
	void* fdt = small.data();
	ASSERT_EQ(fdt_create(fdt, static_cast<int>(small.size())), 0);
	ASSERT_EQ(fdt_finish_reservemap(fdt), 0);
	ASSERT_EQ(fdt_begin_node(fdt, ""), 0);
	EXPECT_EQ(kho_ftrace_node_write(fdt, &h.out), -KX_ENOSPC);
}

}  // namespace
