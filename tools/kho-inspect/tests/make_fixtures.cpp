// SPDX-License-Identifier: GPL-2.0
// make-fixtures DIR: handover trees for kho-inspect's tests, written by the
// kernel's own writer (kho::begin_tree(), kho::seal_tree(),
// kho::PreservedMemory), one directory each, laid out as the kernel's
// sysfs would be (dt, memmap, scratch_phys, scratch_len), with an
// "expected" file holding what was preserved, for the test to compare.
#include <libfdt.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "kho/handover_tree.hpp"
#include "kho/mem_map.hpp"

namespace {

constexpr unsigned kPageShift = 12;

struct Run {
	kx::u64 pfn;
	unsigned order;   // folio order
	kx::u64 folios;   // order 0: pages in one preserve_pages() call
};

[[noreturn]] void fail(const std::string& what)
{
	std::fprintf(stderr, "make-fixtures: %s\n", what.c_str());
	std::exit(1);
}

void write_file(const std::string& path, const void* data, std::size_t size)
{
	std::FILE* f = std::fopen(path.c_str(), "wb");
	if (!f || std::fwrite(data, 1, size, f) != size || std::fclose(f))
		fail("cannot write " + path);
}

void write_text(const std::string& path, const std::string& text)
{
	write_file(path, text.data(), text.size());
}

std::string make_dir(const std::string& root, const char* name)
{
	const std::string dir = root + "/" + name;
	mkdir(dir.c_str(), 0755);
	return dir;
}

void preserve(kho::PreservedMemory& mem, const std::vector<Run>& runs)
{
	for (const Run& r : runs) {
		auto done = r.order ? mem.preserve(r.pfn, r.order) : mem.preserve_pages(r.pfn, r.folios);
		if (done.is_error())
			fail("preserve failed");
	}
}

// What the test compares against: taken from the writer's own record.
void write_expected(const std::string& dir, const kho::PreservedMemory& mem, std::size_t runs)
{
	std::string text = "pages=" + std::to_string(mem.nr_pages()) + "\nruns=" +
			   std::to_string(runs) + "\nbytes=" +
			   std::to_string(mem.nr_pages() << kPageShift) + "\n";
	write_text(dir + "/expected", text);
}

// The notifier model's nodes, as a subsystem writes them between
// begin_tree() and seal_tree().
void add_notifier_nodes(void* fdt)
{
	const kx::u64 blob_phys = 0x7654000, blob_size = 0x2000;
	if (fdt_begin_node(fdt, "ftrace") || fdt_property_string(fdt, "compatible", "ftrace-v2") ||
	    fdt_property_u32(fdt, "x", 1) || fdt_end_node(fdt) ||
	    fdt_begin_node(fdt, "kstate") || fdt_property_string(fdt, "compatible", "kstate-v1") ||
	    fdt_end_node(fdt) ||
	    // A subtree node that also carries its blob's size.
	    fdt_begin_node(fdt, "luo") || fdt_property(fdt, "fdt", &blob_phys, 8) ||
	    fdt_property(fdt, "blob-size", &blob_size, 8) || fdt_end_node(fdt))
		fail("notifier nodes");
}

// kho_subtree gains the blob's size with "blob-size"; a tree without it
// is still the format's.
template <typename Subtree>
void set_blob_size(Subtree& sub, kx::u64 size)
{
	if constexpr (requires { sub.size; })
		sub.size = size;
}

struct Sealed {
	std::vector<kx::u8> tree;
	std::vector<kx::u8> segment;  // empty when the map is inline or absent
};

Sealed seal(const kho::PreservedMemory* mem, bool notifier_nodes)
{
	std::vector<kx::u8> buf(16384);
	if (kho::begin_tree({buf.data(), buf.size()}).is_error())
		fail("begin_tree");
	if (notifier_nodes)
		add_notifier_nodes(buf.data());
	kho_subtree memfd{};
	memfd.name = "memfd";
	memfd.phys = 0x12340000;
	set_blob_size(memfd, 0x3000);
	auto sealed = kho::seal_tree({buf.data(), buf.size()}, &memfd, mem, kPageShift);
	if (sealed.is_error())
		fail("seal_tree");
	Sealed out;
	out.tree.assign(buf.begin(), buf.begin() + fdt_totalsize(buf.data()));
	if (sealed.value().segment) {
		out.segment.assign(sealed.value().segment, sealed.value().segment + sealed.value().size);
		kx_free(sealed.value().segment);
	}
	return out;
}

void write_tree(const std::string& dir, const Sealed& s, bool with_memmap_file)
{
	write_file(dir + "/dt", s.tree.data(), s.tree.size());
	if (with_memmap_file)
		write_file(dir + "/memmap", s.segment.data(), s.segment.size());
}

void write_scratch(const std::string& dir)
{
	write_text(dir + "/scratch_phys", "0x100000000\n0x4000000\n");
	write_text(dir + "/scratch_len", "0x10000000\n0x8000000\n");
}

// A 4 GiB guest as root sees it.
void write_iomem(const std::string& root)
{
	write_text(root + "/iomem",
		   "00000000-00000fff : Reserved\n"
		   "00001000-0009fbff : System RAM\n"
		   "000f0000-000fffff : Reserved\n"
		   "00100000-bffdffff : System RAM\n"
		   "  01000000-01ffffff : Kernel code\n"
		   "  02000000-0247ffff : Kernel rodata\n"
		   "  02600000-027fffff : Kernel data\n"
		   "  02a00000-02bfffff : Kernel bss\n"
		   "feffc000-feffffff : Reserved\n"
		   "100000000-13fffffff : System RAM\n");
	write_text(root + "/iomem-user",
		   "00000000-00000000 : System RAM\n"
		   "  00000000-00000000 : Kernel code\n");
}

// Runs that stay apart (never adjacent within an order, never across a
// 32768-index chunk): each one comes back as one run.
const std::vector<Run> kScatteredRuns = {
	{0x1000, 0, 16}, {0x2000, 0, 1}, {0x3005, 0, 3}, {0x20000, 0, 64},
	{0x40000, 9, 1}, {0x40400, 9, 1}, {0xa0000, 10, 1},
};

}  // namespace

int main(int argc, char** argv)
{
	if (argc != 2)
		fail("usage: make-fixtures DIR");
	const std::string root = argv[1];
	mkdir(root.c_str(), 0755);
	write_iomem(root);

	kho::PreservedMemory scattered;
	preserve(scattered, kScatteredRuns);
	const Sealed big = seal(&scattered, true);
	if (big.segment.empty())
		fail("the scattered map should be a segment of its own");

	// A live outgoing directory: tree, map segment and scratch files.
	std::string dir = make_dir(root, "segment");
	write_tree(dir, big, true);
	write_scratch(dir);
	write_expected(dir, scattered, kScatteredRuns.size());

	// The same tree without its map: the map is not visible.
	write_tree(make_dir(root, "no-memmap"), big, false);

	// One range of any size rides inline in the tree.
	kho::PreservedMemory one_range;
	preserve(one_range, {{0x50000, 0, 4096}});
	dir = make_dir(root, "inline");
	const Sealed small = seal(&one_range, true);
	if (!small.segment.empty())
		fail("one range should ride inline");
	write_tree(dir, small, false);
	write_expected(dir, one_range, 1);

	// Nothing preserved: an empty memmap file says so.
	dir = make_dir(root, "nothing");
	write_tree(dir, seal(nullptr, false), true);

	// Damage, one kind per directory, each refused by the kernel's readers.
	Sealed damaged = big;
	damaged.tree.resize(30);
	write_tree(make_dir(root, "truncated"), damaged, true);

	damaged = big;
	const char* compat = "linux-6.12-kho-v1";
	auto at = std::search(damaged.tree.begin(), damaged.tree.end(), compat, compat + std::strlen(compat));
	if (at == damaged.tree.end())
		fail("no root compatible in the tree");
	*(at + 6) = '9';  // "linux-9.12-kho-v1"
	write_tree(make_dir(root, "wrong-format"), damaged, true);

	write_tree(make_dir(root, "inline-and-segment"), {small.tree, big.segment}, true);

	// A subtree reference whose address is not 8 bytes.
	std::vector<kx::u8> buf(4096);
	const kx::u32 short_phys = 0x1000;
	if (kho::begin_tree({buf.data(), buf.size()}).is_error() || fdt_begin_node(buf.data(), "bad") ||
	    fdt_property(buf.data(), "fdt", &short_phys, 4) || fdt_end_node(buf.data()) ||
	    kho::seal_tree({buf.data(), buf.size()}, nullptr, nullptr, kPageShift).is_error())
		fail("bad subtree tree");
	buf.resize(fdt_totalsize(buf.data()));
	write_tree(make_dir(root, "bad-subtree"), {buf, {}}, false);

	damaged = big;
	damaged.segment[40]++;  // the header's nr_pages no longer adds up
	write_tree(make_dir(root, "bad-map"), damaged, true);
	return 0;
}
