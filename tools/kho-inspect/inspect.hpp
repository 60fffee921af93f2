// SPDX-License-Identifier: GPL-2.0
// kho-inspect: what it found, and the functions that find and print it.
// Reading (inspect.cpp, iomem.cpp) fills a Report; the printers (text.cpp,
// json.cpp, svg.cpp) only format it, so all three outputs say the same.
#pragma once

#include <cstdint>
#include <cstdio>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace inspect {

// Anything larger is refused before it is read: the format's own limits
// (Documentation/kho/format.rst: a tree at most 64 MiB, a map at most 1 GiB).
constexpr std::uint64_t kMaxTreeBytes = 64ull << 20;
constexpr std::uint64_t kMaxMemMapBytes = 1ull << 30;
constexpr std::uint64_t kMaxTextFileBytes = 1ull << 20;

struct Range {
	std::uint64_t addr;
	std::uint64_t size;
};

struct Subsystem {
	std::string name;
	std::string compatible;           // empty when the node has none
	std::uint64_t size = 0;           // bytes of the node in the tree
	std::optional<std::uint64_t> subtree_phys;  // kho_add_subtree(): "fdt"
	std::optional<std::uint64_t> blob_size;     // its "blob-size", if any
};

struct OrderTotals {
	std::uint64_t pages = 0;
	std::uint64_t runs = 0;
};

constexpr unsigned kOrders = 21;  // KHO_MEMMAP_MAX_ORDER + 1

struct Preserved {
	// unread: the tree was refused, so the map was not looked for.
	enum class Source { unread, none, inline_tree, file, not_visible } source = Source::unread;
	std::string file;                 // the memmap file, for Source::file
	std::uint64_t map_bytes = 0;
	unsigned page_shift = 0;
	unsigned map_version = 0;         // 0: header not readable
	bool valid = false;               // the whole map passed the reader
	OrderTotals order[kOrders];
	OrderTotals total;
	std::uint64_t bytes = 0;
	std::uint64_t highest_end = 0;    // physical, for the picture
};

struct Scratch {
	bool visible = false;
	std::string why_not;              // when not visible
	std::vector<Range> areas;
};

struct IomemEntry {
	std::string name;
	Range range;
};

struct Iomem {
	bool visible = false;
	std::string why_not;
	std::vector<IomemEntry> ram;      // "System RAM"
	std::vector<IomemEntry> kernel;   // "Kernel code", "Kernel data", "Kernel bss"
};

struct Report {
	std::string path;                 // the tree read
	std::string direction;            // "outgoing", "incoming" or "file"
	std::uint64_t tree_bytes = 0;
	bool tree_read = false;
	bool tree_valid = false;
	std::string format;               // the root compatible, when readable
	std::vector<Subsystem> subsystems;
	Preserved preserved;
	Scratch scratch;
	std::vector<std::string> problems;
	// Kept for the picture, which walks the map a second time rather than
	// holding millions of runs.
	std::vector<std::uint8_t> map;
};

struct Options {
	bool json = false;
	std::string svg_file;
	std::string iomem_file = "/proc/iomem";
	std::string path;                 // empty: the live sysfs files
};

// Reads everything Options point at; never fails: what cannot be read is a
// problem or "not visible" in the report.
Report inspect(const Options& opts);

// File helpers: false, with @why set, when the file is missing, unreadable
// or larger than @max bytes.
bool read_file(const std::string& path, std::uint64_t max, std::vector<std::uint8_t>& out,
	       std::string& why);
bool file_exists(const std::string& path);

Iomem read_iomem(const std::string& path);

// Up to 16 hex digits at @at, no prefix; @at moves past them.  False if
// there are none.
bool parse_hex(const std::string& s, std::size_t& at, std::uint64_t& value);

// Calls @fn(pfn, nr_pages, order) for every run of a map the report found
// valid, in address order.
using RunFn = std::function<void(std::uint64_t pfn, std::uint64_t nr_pages, unsigned order)>;
void for_each_run(const Report& r, const RunFn& fn);

void print_text(const Report& r, std::FILE* out);
void print_json(const Report& r, std::FILE* out);
// False, with @why set, if the file cannot be written.
bool write_svg(const Report& r, const Iomem& iomem, const std::string& file, std::string& why);

// "4.0 MiB": sizes for people.
std::string human_bytes(std::uint64_t bytes);
std::string hex(std::uint64_t value);

// Pages to bytes, saturating: a hostile map may declare absurd counts.
inline std::uint64_t pages_to_bytes(std::uint64_t pages, unsigned page_shift)
{
	return pages > (~std::uint64_t{0} >> page_shift) ? ~std::uint64_t{0} : pages << page_shift;
}

}  // namespace inspect
