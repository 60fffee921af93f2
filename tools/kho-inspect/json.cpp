// SPDX-License-Identifier: GPL-2.0
// The report as one JSON object (keys in Documentation/kho/inspect.rst).
// Strings come from untrusted trees: every byte that JSON does not allow
// raw is escaped, and bytes that are not UTF-8 become U+FFFD.
#include <kho/abi/handover.h>
#include <kho/abi/memmap.h>

#include "inspect.hpp"

namespace inspect {

namespace {

// Length of the well-formed UTF-8 sequence at @s[at], or 0.
std::size_t utf8_length(const std::string& s, std::size_t at)
{
	const auto lead = static_cast<unsigned char>(s[at]);
	std::size_t len;
	unsigned min;
	if (lead >= 0xc2 && lead <= 0xdf) {
		len = 2, min = 0x80;
	} else if (lead >= 0xe0 && lead <= 0xef) {
		len = 3, min = 0x800;
	} else if (lead >= 0xf0 && lead <= 0xf4) {
		len = 4, min = 0x10000;
	} else {
		return 0;
	}
	if (s.size() - at < len)
		return 0;
	unsigned cp = lead & (0x7f >> len);
	for (std::size_t i = 1; i < len; i++) {
		const auto c = static_cast<unsigned char>(s[at + i]);
		if ((c & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (c & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

std::string quoted(const std::string& s)
{
	std::string out = "\"";
	for (std::size_t i = 0; i < s.size();) {
		const auto c = static_cast<unsigned char>(s[i]);
		if (c == '"' || c == '\\') {
			out += '\\';
			out += static_cast<char>(c);
		} else if (c < 0x20) {
			char buf[8];
			std::snprintf(buf, sizeof(buf), "\\u%04x", c);
			out += buf;
		} else if (c < 0x80) {
			out += static_cast<char>(c);
		} else if (const std::size_t len = utf8_length(s, i)) {
			out.append(s, i, len);
			i += len;
			continue;
		} else {
			out += "\\ufffd";
		}
		i++;
	}
	return out + "\"";
}

std::string number(std::uint64_t v)
{
	return std::to_string(v);
}

std::string boolean(bool v)
{
	return v ? "true" : "false";
}

// Writes "key": value pairs, commas between them.
class Object {
public:
	void add(const std::string& key, const std::string& raw_value)
	{
		body_ += (body_.empty() ? "" : ", ") + quoted(key) + ": " + raw_value;
	}
	std::string str() const { return "{" + body_ + "}"; }

private:
	std::string body_;
};

std::string array(const std::vector<std::string>& raw_items)
{
	std::string out = "[";
	for (std::size_t i = 0; i < raw_items.size(); i++)
		out += (i ? ", " : "") + raw_items[i];
	return out + "]";
}

std::string subsystem_json(const Subsystem& s)
{
	Object o;
	o.add("name", quoted(s.name));
	o.add("compatible", s.compatible.empty() ? "null" : quoted(s.compatible));
	o.add("size", number(s.size));
	if (s.subtree_phys)
		o.add("subtree_phys", number(*s.subtree_phys));
	if (s.blob_size)
		o.add("blob_size", number(*s.blob_size));
	return o.str();
}

const char* source_name(Preserved::Source s)
{
	switch (s) {
	case Preserved::Source::unread: return "unread";
	case Preserved::Source::none: return "none";
	case Preserved::Source::inline_tree: return "inline";
	case Preserved::Source::file: return "file";
	case Preserved::Source::not_visible: return "not-visible";
	}
	return "unread";
}

std::string preserved_json(const Preserved& p)
{
	Object o;
	o.add("source", quoted(source_name(p.source)));
	const bool have_map = p.source == Preserved::Source::inline_tree ||
			      p.source == Preserved::Source::file;
	if (p.source == Preserved::Source::file)
		o.add("file", quoted(p.file));
	if (have_map) {
		o.add("map_bytes", number(p.map_bytes));
		o.add("map_version", number(p.map_version));
		o.add("page_shift", number(p.page_shift));
		o.add("valid", boolean(p.valid));
	}
	const bool counted = p.valid || p.source == Preserved::Source::none;
	o.add("pages", counted ? number(p.total.pages) : "null");
	o.add("runs", counted ? number(p.total.runs) : "null");
	o.add("bytes", counted ? number(p.bytes) : "null");
	std::vector<std::string> orders;
	for (unsigned k = 0; p.valid && k < kOrders; k++) {
		if (!p.order[k].runs)
			continue;
		Object order;
		order.add("order", number(k));
		order.add("pages", number(p.order[k].pages));
		order.add("runs", number(p.order[k].runs));
		order.add("bytes", number(pages_to_bytes(p.order[k].pages, p.page_shift)));
		orders.push_back(order.str());
	}
	o.add("per_order", array(orders));
	return o.str();
}

std::string scratch_json(const Scratch& s)
{
	std::vector<std::string> areas;
	for (const Range& a : s.areas) {
		Object o;
		o.add("addr", number(a.addr));
		o.add("size", number(a.size));
		areas.push_back(o.str());
	}
	return array(areas);
}

std::string known_json()
{
	Object o;
	o.add("format", quoted(KHO_ROOT_COMPATIBLE));
	o.add("descriptor_version", number(KHO_DESC_VERSION));
	o.add("memmap_version", number(KHO_MEMMAP_VERSION));
	return o.str();
}

}  // namespace

void print_json(const Report& r, std::FILE* out)
{
	Object o;
	Object tree;
	tree.add("path", quoted(r.path));
	tree.add("direction", quoted(r.direction));
	tree.add("bytes", r.tree_read ? number(r.tree_bytes) : "null");
	tree.add("valid", boolean(r.tree_valid));
	o.add("tree", tree.str());
	o.add("format", r.format.empty() ? "null" : quoted(r.format));
	o.add("known", known_json());
	std::vector<std::string> subsystems;
	for (const Subsystem& s : r.subsystems)
		subsystems.push_back(subsystem_json(s));
	o.add("subsystems", array(subsystems));
	o.add("preserved", preserved_json(r.preserved));
	o.add("scratch_visible", boolean(r.scratch.visible));
	o.add("scratch", scratch_json(r.scratch));
	std::vector<std::string> problems;
	for (const std::string& p : r.problems)
		problems.push_back(quoted(p));
	o.add("problems", array(problems));
	std::fprintf(out, "%s\n", o.str().c_str());
}

}  // namespace inspect
