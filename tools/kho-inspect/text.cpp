// SPDX-License-Identifier: GPL-2.0
// The report for people: one fact per line, problems last.
#include <kho/abi/handover.h>
#include <kho/abi/memmap.h>

#include "inspect.hpp"

namespace inspect {

namespace {

// Names come from an untrusted tree: no terminal control bytes.
std::string printable(const std::string& s)
{
	std::string out;
	for (const char c : s)
		out += static_cast<unsigned char>(c) < 0x20 || c == 0x7f ? '?' : c;
	return out;
}

const char* runs_word(std::uint64_t n)
{
	return n == 1 ? "run" : "runs";
}

void print_format(const Report& r, std::FILE* out)
{
	std::fprintf(out, "format: %s\n", r.format.empty() ? "(not readable)" : printable(r.format).c_str());
	std::fprintf(out, "  this tool reads: %s, descriptor v%d, memory map v%d\n",
		     KHO_ROOT_COMPATIBLE, KHO_DESC_VERSION, KHO_MEMMAP_VERSION);
}

void print_subsystem(const Subsystem& s, std::FILE* out)
{
	std::fprintf(out, "  %s: ", printable(s.name).c_str());
	if (!s.compatible.empty())
		std::fprintf(out, "compatible \"%s\", ", printable(s.compatible).c_str());
	std::fprintf(out, "%llu bytes", static_cast<unsigned long long>(s.size));
	if (s.subtree_phys) {
		std::fprintf(out, ", subtree at %s", hex(*s.subtree_phys).c_str());
		if (s.blob_size)
			std::fprintf(out, " (%llu bytes)", static_cast<unsigned long long>(*s.blob_size));
	}
	std::fputc('\n', out);
}

const char* map_where(const Preserved& p)
{
	return p.source == Preserved::Source::file ? p.file.c_str() : "inline in the tree";
}

void print_preserved(const Preserved& p, std::FILE* out)
{
	switch (p.source) {
	case Preserved::Source::unread:
		return;
	case Preserved::Source::none:
		std::fprintf(out, "preserved memory: none (no map)\n");
		return;
	case Preserved::Source::not_visible:
		std::fprintf(out, "preserved memory: map not visible (not inline, no memmap file)\n");
		return;
	default:
		break;
	}
	std::fprintf(out, "preserved memory: map %s, %llu bytes", map_where(p),
		     static_cast<unsigned long long>(p.map_bytes));
	if (p.map_version)
		std::fprintf(out, ", version %u, %s pages", p.map_version,
			     human_bytes(1ull << p.page_shift).c_str());
	std::fputc('\n', out);
	if (!p.valid) {
		std::fprintf(out, "  not counted: the map is malformed\n");
		return;
	}
	for (unsigned k = 0; k < kOrders; k++) {
		if (!p.order[k].runs)
			continue;
		std::fprintf(out, "  order %2u: %llu pages in %llu %s, %s\n", k,
			     static_cast<unsigned long long>(p.order[k].pages),
			     static_cast<unsigned long long>(p.order[k].runs), runs_word(p.order[k].runs),
			     human_bytes(pages_to_bytes(p.order[k].pages, p.page_shift)).c_str());
	}
	std::fprintf(out, "  total: %llu pages in %llu %s, %llu bytes (%s)\n",
		     static_cast<unsigned long long>(p.total.pages),
		     static_cast<unsigned long long>(p.total.runs), runs_word(p.total.runs),
		     static_cast<unsigned long long>(p.bytes), human_bytes(p.bytes).c_str());
}

void print_scratch(const Scratch& s, std::FILE* out)
{
	if (!s.visible) {
		std::fprintf(out, "scratch: not visible (%s)\n", s.why_not.c_str());
		return;
	}
	std::fprintf(out, "scratch: %zu %s\n", s.areas.size(), s.areas.size() == 1 ? "area" : "areas");
	for (const Range& a : s.areas)
		std::fprintf(out, "  [%s+%s] %s\n", hex(a.addr).c_str(), hex(a.size).c_str(),
			     human_bytes(a.size).c_str());
}

}  // namespace

void print_text(const Report& r, std::FILE* out)
{
	std::fprintf(out, "tree: %s (%s", printable(r.path).c_str(), r.direction.c_str());
	if (r.tree_read)
		std::fprintf(out, ", %llu bytes", static_cast<unsigned long long>(r.tree_bytes));
	std::fprintf(out, ")\n");
	print_format(r, out);
	if (r.tree_valid) {
		std::fprintf(out, "subsystems: %zu\n", r.subsystems.size());
		for (const Subsystem& s : r.subsystems)
			print_subsystem(s, out);
		print_preserved(r.preserved, out);
	}
	print_scratch(r.scratch, out);
	if (r.problems.empty()) {
		std::fprintf(out, "problems: none\n");
		return;
	}
	std::fprintf(out, "problems: %zu\n", r.problems.size());
	for (const std::string& p : r.problems)
		std::fprintf(out, "  %s\n", printable(p).c_str());
}

}  // namespace inspect
