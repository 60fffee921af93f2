// SPDX-License-Identifier: GPL-2.0
// /proc/iomem, for the picture: RAM and the kernel image.  The kernel shows
// non-root readers every address as 0; then the layout is "not visible".
#include "inspect.hpp"

namespace inspect {

bool parse_hex(const std::string& s, std::size_t& at, std::uint64_t& value)
{
	const std::size_t start = at;
	value = 0;
	while (at < s.size() && at - start < 16) {
		const char c = s[at];
		unsigned digit;
		if (c >= '0' && c <= '9')
			digit = c - '0';
		else if (c >= 'a' && c <= 'f')
			digit = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			digit = c - 'A' + 10;
		else
			break;
		value = value << 4 | digit;
		at++;
	}
	return at > start;
}

namespace {

// "  00100000-bffdffff : System RAM": false for anything else.
bool parse_line(const std::string& line, IomemEntry& e)
{
	std::size_t at = line.find_first_not_of(' ');
	std::uint64_t start, end;
	if (at == std::string::npos || !parse_hex(line, at, start) || at >= line.size() ||
	    line[at++] != '-' || !parse_hex(line, at, end) || line.compare(at, 3, " : ") != 0 ||
	    end < start)
		return false;
	e.name = line.substr(at + 3);
	e.range = {start, end - start == ~std::uint64_t{0} ? end - start : end - start + 1};
	return true;
}

bool is_kernel_image(const std::string& name)
{
	return name == "Kernel code" || name == "Kernel data" || name == "Kernel bss" ||
	       name == "Kernel rodata";
}

}  // namespace

Iomem read_iomem(const std::string& path)
{
	Iomem io;
	std::vector<std::uint8_t> bytes;
	std::string why;
	if (!read_file(path, kMaxTextFileBytes, bytes, why)) {
		io.why_not = why;
		return io;
	}
	bool any_address = false;
	std::string line;
	for (std::size_t i = 0; i <= bytes.size(); i++) {
		if (i < bytes.size() && bytes[i] != '\n') {
			line.push_back(static_cast<char>(bytes[i]));
			continue;
		}
		IomemEntry e;
		if (parse_line(line, e)) {
			any_address |= e.range.addr != 0 || e.range.size != 1;
			if (e.name == "System RAM")
				io.ram.push_back(e);
			else if (is_kernel_image(e.name))
				io.kernel.push_back(e);
		}
		line.clear();
	}
	if (!any_address) {
		io.ram.clear();
		io.kernel.clear();
		io.why_not = path + ": addresses hidden (read it as root)";
		return io;
	}
	io.visible = !io.ram.empty();
	if (!io.visible)
		io.why_not = path + ": no System RAM lines";
	return io;
}

}  // namespace inspect
