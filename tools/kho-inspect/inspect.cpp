// SPDX-License-Identifier: GPL-2.0
// Reads a handover as the next kernel would: the tree through
// kho::check_tree() and the preserved-memory map through
// kho::SortedMemMapReader, the very readers the kernel links.  Only what
// they accepted is looked at further, and only with bounded libfdt calls.
#include "inspect.hpp"

#include <fcntl.h>
#include <libfdt.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <kho/abi/memmap.h>

#include "kho/handover_tree.hpp"
#include "kho/mem_map.hpp"

namespace inspect {

namespace {

const char kOutgoingDir[] = "/sys/kernel/kho";
const char kIncomingDir[] = "/sys/firmware/kho";

// The kernel's lines (kho/incoming.c: pr_fmt "kho: ", kho_in_drop_all()).
std::string kernel_drop_line(const char* why)
{
	return std::string("kho: handover: ") + why + "; ignoring the handover";
}

// kho_reserve_preserved()'s reason for any map the reader refuses.
const char kMapMalformed[] = "preserved-memory map malformed";

std::string dir_of(const std::string& path)
{
	const auto slash = path.rfind('/');
	if (slash == std::string::npos)
		return ".";
	return slash == 0 ? "/" : path.substr(0, slash);
}

std::uint64_t saturating_add(std::uint64_t a, std::uint64_t b)
{
	return a + b < a ? ~std::uint64_t{0} : a + b;
}

std::uint64_t saturating_shift(std::uint64_t value, unsigned shift)
{
	return value > (~std::uint64_t{0} >> shift) ? ~std::uint64_t{0} : value << shift;
}

kx::Span<const kx::u8> span_of(const std::vector<std::uint8_t>& bytes)
{
	return {bytes.data(), bytes.size()};
}

// Picks the tree to read: the path given, else the live outgoing tree,
// else the incoming one.
void choose_tree(const Options& opts, Report& r)
{
	if (!opts.path.empty()) {
		r.path = opts.path;
		r.direction = "file";
	} else if (file_exists(std::string(kOutgoingDir) + "/dt")) {
		r.path = std::string(kOutgoingDir) + "/dt";
		r.direction = "outgoing";
	} else {
		r.path = std::string(kIncomingDir) + "/dt";
		r.direction = "incoming";
	}
}

// A string property, only if NUL-terminated within its length.
std::string string_prop(const void* fdt, int node, const char* name)
{
	int len = 0;
	const auto* value = static_cast<const char*>(fdt_getprop(fdt, node, name, &len));
	if (!value || len <= 0 || value[len - 1] != '\0')
		return {};
	return std::string(value, static_cast<std::size_t>(len - 1));
}

// Bytes of the node at @node in the structure block: from its BEGIN_NODE
// tag to just past its END_NODE.  Each tag advances the offset, so the
// walk ends within the tree's size; 0 if the structure is broken.
std::uint64_t node_bytes(const void* fdt, int node, std::uint64_t tree_bytes)
{
	int offset = node, next = node, depth = 0;
	for (std::uint64_t steps = 0; steps <= tree_bytes; steps++) {
		const std::uint32_t tag = fdt_next_tag(fdt, offset, &next);
		if (tag == FDT_BEGIN_NODE) {
			depth++;
		} else if (tag == FDT_END_NODE) {
			if (--depth == 0)
				return static_cast<std::uint64_t>(next - node);
		} else if (tag == FDT_END || next <= offset) {
			return 0;
		}
		offset = next;
	}
	return 0;
}

void read_subsystems(const std::vector<std::uint8_t>& tree, Report& r)
{
	const void* fdt = tree.data();
	for (int node = fdt_first_subnode(fdt, 0); node >= 0; node = fdt_next_subnode(fdt, node)) {
		Subsystem s;
		int len = 0;
		const char* name = fdt_get_name(fdt, node, &len);
		s.name = name && len >= 0 ? std::string(name, static_cast<std::size_t>(len)) : "?";
		s.compatible = string_prop(fdt, node, "compatible");
		s.size = node_bytes(fdt, node, tree.size());
		// The kernel's own lookup: check_tree() has vetted every reference.
		auto ref = kho::find_subtree(span_of(tree), s.name.c_str());
		if (ref.is_ok()) {
			s.subtree_phys = ref.value().phys;
			if (ref.value().size)
				s.blob_size = ref.value().size;
		}
		r.subsystems.push_back(std::move(s));
	}
}

// The root compatible of a tree the reader refused, if its header at
// least is sound: says which format a refused tree claims to be.
std::string claimed_format(const std::vector<std::uint8_t>& tree)
{
	if (!kho::tree_header_ok({tree.data(), tree.size()}))
		return {};
	return string_prop(tree.data(), 0, "compatible");
}

unsigned host_page_shift()
{
	const long size = sysconf(_SC_PAGESIZE);
	unsigned shift = 12;
	while (size > 0 && (1l << shift) < size && shift < 30)
		shift++;
	return shift;
}

// The page size the map says it was written with, when it is one the
// kernel supports; otherwise the host's, which the reader then refuses
// like a kernel of another page size.
unsigned map_page_shift(const std::vector<std::uint8_t>& map, unsigned& version)
{
	kho_memmap_header h;
	version = 0;
	if (map.size() < sizeof(h))
		return host_page_shift();
	std::memcpy(&h, map.data(), sizeof(h));
	if (h.magic != KHO_MEMMAP_MAGIC)
		return host_page_shift();
	version = h.version;
	if (h.page_shift == 12 || h.page_shift == 14 || h.page_shift == 16)
		return h.page_shift;
	return host_page_shift();
}

void count_run(Preserved& p, const kho::PreservedRun& run)
{
	OrderTotals& o = p.order[run.order < kOrders ? run.order : kOrders - 1];
	o.pages = saturating_add(o.pages, run.nr_pages);
	o.runs++;
	p.total.pages = saturating_add(p.total.pages, run.nr_pages);
	p.total.runs++;
	const std::uint64_t end = saturating_shift(saturating_add(run.pfn, run.nr_pages), p.page_shift);
	if (end > p.highest_end)
		p.highest_end = end;
}

// Walks the whole map once, as the kernel's reservation walk does; the
// totals count only if the walk reached the end.
void read_map(Report& r)
{
	Preserved& p = r.preserved;
	p.map_bytes = r.map.size();
	p.page_shift = map_page_shift(r.map, p.map_version);

	kho::SortedMemMapReader reader(span_of(r.map), p.page_shift);
	kho::PreservedRun run;
	for (;;) {
		auto more = reader.next(run);
		if (more.is_error()) {
			r.problems.push_back(kernel_drop_line(kMapMalformed));
			return;
		}
		if (!more.value())
			break;
		count_run(p, run);
	}
	p.valid = true;
	p.bytes = saturating_shift(p.total.pages, p.page_shift);
}

// The memory map: the memmap file next to the tree (a separate segment),
// else the tree's inline property.  An empty memmap file says there is
// neither: nothing was preserved.
void find_map(const kx::Span<const kx::u8>& inline_map, bool segment, bool memmap_file_read,
	      const std::string& file, Report& r)
{
	Preserved& p = r.preserved;
	if (segment) {
		p.source = Preserved::Source::file;
		p.file = file;
	} else if (!inline_map.empty()) {
		p.source = Preserved::Source::inline_tree;
		r.map.assign(inline_map.data(), inline_map.data() + inline_map.size());
	} else {
		p.source = memmap_file_read ? Preserved::Source::none : Preserved::Source::not_visible;
		return;
	}
	read_map(r);
}

bool parse_hex_line(const std::string& line, std::uint64_t& value)
{
	std::size_t at = 2;

	if (line.size() < 3 || line[0] != '0' || (line[1] != 'x' && line[1] != 'X'))
		return false;
	return parse_hex(line, at, value) && at == line.size();
}

// One "0x..." per line, as the kernel's scratch_phys and scratch_len.
bool read_hex_lines(const std::string& path, std::vector<std::uint64_t>& values, std::string& why)
{
	std::vector<std::uint8_t> bytes;
	if (!read_file(path, kMaxTextFileBytes, bytes, why))
		return false;
	std::string line;
	for (std::size_t i = 0; i <= bytes.size(); i++) {
		if (i < bytes.size() && bytes[i] != '\n') {
			line.push_back(static_cast<char>(bytes[i]));
			continue;
		}
		if (line.empty())
			continue;
		std::uint64_t value;
		if (!parse_hex_line(line, value)) {
			why = path + ": not one 0x... value per line";
			return false;
		}
		values.push_back(value);
		line.clear();
	}
	return true;
}

void read_scratch(const std::string& dir, Report& r)
{
	Scratch& s = r.scratch;
	const std::string phys_file = dir + "/scratch_phys", len_file = dir + "/scratch_len";
	if (!file_exists(phys_file) || !file_exists(len_file)) {
		s.why_not = "no scratch_phys and scratch_len next to the tree";
		return;
	}
	std::vector<std::uint64_t> addrs, sizes;
	std::string why;
	if (!read_hex_lines(phys_file, addrs, why) || !read_hex_lines(len_file, sizes, why)) {
		s.why_not = why;
		return;
	}
	if (addrs.size() != sizes.size()) {
		s.why_not = "scratch_phys and scratch_len list different numbers of areas";
		r.problems.push_back("scratch: " + s.why_not);
		return;
	}
	s.visible = true;
	for (std::size_t i = 0; i < addrs.size(); i++)
		s.areas.push_back({addrs[i], sizes[i]});
}

}  // namespace

bool file_exists(const std::string& path)
{
	struct stat st;
	return stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

bool read_file(const std::string& path, std::uint64_t max, std::vector<std::uint8_t>& out,
	       std::string& why)
{
	out.clear();
	const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		why = path + ": " + std::strerror(errno);
		return false;
	}
	// sysfs reports a size that may be 0 or a page: read to the end, and
	// stop one byte past the limit to know it was exceeded.
	std::uint8_t chunk[65536];
	bool ok = true;
	for (;;) {
		const ssize_t n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			why = path + ": " + std::strerror(errno);
			ok = false;
			break;
		}
		if (n == 0)
			break;
		if (out.size() + static_cast<std::uint64_t>(n) > max) {
			why = path + ": larger than " + human_bytes(max);
			ok = false;
			break;
		}
		out.insert(out.end(), chunk, chunk + n);
	}
	close(fd);
	return ok;
}

Report inspect(const Options& opts)
{
	Report r;
	choose_tree(opts, r);
	const std::string dir = dir_of(r.path);

	read_scratch(dir, r);
	if (!r.scratch.visible && r.direction == "incoming")
		r.scratch.why_not = "the incoming kernel exposes no scratch files";

	std::vector<std::uint8_t> tree;
	std::string why;
	if (!read_file(r.path, kMaxTreeBytes, tree, why)) {
		r.problems.push_back("cannot read the tree: " + why);
		return r;
	}
	r.tree_read = true;
	r.tree_bytes = tree.size();

	// A non-empty memmap file is the separate segment the descriptor names.
	const std::string memmap_file = dir + "/memmap";
	bool memmap_file_read = false;
	if (file_exists(memmap_file)) {
		memmap_file_read = read_file(memmap_file, kMaxMemMapBytes, r.map, why);
		if (!memmap_file_read) {
			r.problems.push_back("cannot read the memory map: " + why);
			r.map.clear();
		}
	}
	const bool have_segment = !r.map.empty();

	auto view = kho::check_tree(span_of(tree), have_segment);
	if (view.is_error()) {
		r.format = claimed_format(tree);
		r.problems.push_back(kernel_drop_line(view.error().reason()));
		return r;
	}
	r.tree_valid = true;
	r.format = string_prop(tree.data(), 0, "compatible");
	read_subsystems(tree, r);
	find_map(view.value().inline_memmap, have_segment, memmap_file_read, memmap_file, r);
	return r;
}

void for_each_run(const Report& r, const RunFn& fn)
{
	if (!r.preserved.valid)
		return;
	kho::SortedMemMapReader reader(span_of(r.map), r.preserved.page_shift);
	kho::PreservedRun run;
	for (;;) {
		auto more = reader.next(run);
		if (more.is_error() || !more.value())
			return;
		fn(run.pfn, run.nr_pages, run.order);
	}
}

std::string hex(std::uint64_t value)
{
	char buf[24];
	std::snprintf(buf, sizeof(buf), "0x%llx", static_cast<unsigned long long>(value));
	return buf;
}

std::string human_bytes(std::uint64_t bytes)
{
	static const char* const units[] = {"bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
	unsigned unit = 0;
	double value = static_cast<double>(bytes);
	while (value >= 1024 && unit + 1 < sizeof(units) / sizeof(units[0])) {
		value /= 1024;
		unit++;
	}
	char buf[32];
	if (unit == 0)
		std::snprintf(buf, sizeof(buf), "%llu bytes", static_cast<unsigned long long>(bytes));
	else
		std::snprintf(buf, sizeof(buf), "%.1f %s", value, units[unit]);
	return buf;
}

}  // namespace inspect
