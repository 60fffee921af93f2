// SPDX-License-Identifier: GPL-2.0
// One picture of physical memory: a row per 256 MiB (more when memory is
// larger, so there are at most kMaxRows rows), each row a band of RAM with
// three lanes over it: scratch, the kernel image, preserved runs.  Every
// lane is a row of pixels first, so a million scattered pages cost at most
// one rectangle per pixel and each shows at least one pixel wide.
#include <algorithm>
#include <cerrno>
#include <cstring>

#include "inspect.hpp"

namespace inspect {

namespace {

constexpr unsigned kRowPixels = 1024;
constexpr unsigned kMaxRows = 32;
constexpr unsigned kRowHeight = 34;
constexpr unsigned kLeft = 120;   // room for the row's address
constexpr unsigned kTop = 40;     // room for the title
constexpr std::uint64_t kMinRowSpan = 256ull << 20;

enum Lane { kRam, kScratch, kKernel, kPreserved, kLanes };

struct LaneStyle {
	const char* colour;
	unsigned y;       // within the row
	unsigned height;
	const char* label;
};

const LaneStyle kStyle[kLanes] = {
	{"#cfe8c8", 0, 30, "System RAM"},
	{"#3a78c2", 2, 8, "scratch"},
	{"#e69f00", 11, 8, "kernel image"},
	{"#d62728", 20, 8, "preserved"},
};

std::string xml_text(const std::string& s)
{
	std::string out;
	for (const char ch : s) {
		const auto c = static_cast<unsigned char>(ch);
		if (c == '&')
			out += "&amp;";
		else if (c == '<')
			out += "&lt;";
		else if (c == '>')
			out += "&gt;";
		else if (c == '"')
			out += "&quot;";
		else if (c < 0x20 || c >= 0x7f)
			out += '?';  // XML 1.0 forbids most controls; keep it ASCII
		else
			out += static_cast<char>(c);
	}
	return out;
}

class Picture {
public:
	explicit Picture(std::uint64_t top)
	{
		while (span_ < (1ull << 62) && rows_for(top) > kMaxRows)
			span_ *= 2;
		rows_ = top ? static_cast<unsigned>(std::min<std::uint64_t>(rows_for(top), kMaxRows)) : 1;
		per_pixel_ = span_ / kRowPixels;
		for (auto& lane : pixels_)
			lane.assign(static_cast<std::size_t>(rows_) * kRowPixels, false);
	}

	// Marks [addr, addr + size): at least one pixel, clipped to the rows.
	void mark(Lane lane, std::uint64_t addr, std::uint64_t size)
	{
		if (!size)
			return;
		const std::uint64_t last = addr + (size - 1) < addr ? ~std::uint64_t{0} : addr + (size - 1);
		const std::uint64_t limit = static_cast<std::uint64_t>(rows_) * kRowPixels;
		const std::uint64_t first_px = addr / per_pixel_;
		const std::uint64_t last_px = last / per_pixel_;
		for (std::uint64_t px = first_px; px <= last_px && px < limit; px++)
			pixels_[lane][px] = true;
	}

	unsigned rows() const { return rows_; }
	std::uint64_t span() const { return span_; }

	void draw(std::string& svg) const
	{
		for (unsigned row = 0; row < rows_; row++) {
			const unsigned y = kTop + row * kRowHeight;
			svg += "<text x=\"4\" y=\"" + std::to_string(y + 19) + "\">" +
			       hex(static_cast<std::uint64_t>(row) * span_) + "</text>\n";
			svg += "<rect x=\"" + std::to_string(kLeft) + "\" y=\"" + std::to_string(y) +
			       "\" width=\"" + std::to_string(kRowPixels) + "\" height=\"30\" fill=\"#f4f4f4\" stroke=\"#999\"/>\n";
			for (unsigned lane = 0; lane < kLanes; lane++)
				draw_lane(svg, static_cast<Lane>(lane), row, y);
		}
	}

private:
	std::uint64_t rows_for(std::uint64_t top) const { return top / span_ + (top % span_ != 0); }

	void draw_lane(std::string& svg, Lane lane, unsigned row, unsigned y) const
	{
		const auto& px = pixels_[lane];
		const std::size_t base = static_cast<std::size_t>(row) * kRowPixels;
		for (unsigned x = 0; x < kRowPixels;) {
			if (!px[base + x]) {
				x++;
				continue;
			}
			unsigned end = x;
			while (end < kRowPixels && px[base + end])
				end++;
			svg += "<rect x=\"" + std::to_string(kLeft + x) + "\" y=\"" +
			       std::to_string(y + kStyle[lane].y) + "\" width=\"" + std::to_string(end - x) +
			       "\" height=\"" + std::to_string(kStyle[lane].height) + "\" fill=\"" +
			       kStyle[lane].colour + "\"/>\n";
			x = end;
		}
	}

	std::uint64_t span_ = kMinRowSpan;
	unsigned rows_ = 1;
	std::uint64_t per_pixel_ = 1;
	std::vector<bool> pixels_[kLanes];
};

std::uint64_t range_end(const Range& r)
{
	return r.addr + r.size < r.addr ? ~std::uint64_t{0} : r.addr + r.size;
}

// The highest physical address anything in the picture reaches.
std::uint64_t picture_top(const Report& r, const Iomem& io)
{
	std::uint64_t top = r.preserved.valid ? r.preserved.highest_end : 0;
	for (const IomemEntry& e : io.ram)
		top = std::max(top, range_end(e.range));
	for (const IomemEntry& e : io.kernel)
		top = std::max(top, range_end(e.range));
	for (const Range& a : r.scratch.areas)
		top = std::max(top, range_end(a));
	return top ? top : kMinRowSpan;
}

void legend(std::string& svg, unsigned y, const Report& r, const Iomem& io)
{
	std::string note[kLanes] = {
		io.visible ? "" : " (not visible: " + io.why_not + ")",
		r.scratch.visible ? "" : " (not visible: " + r.scratch.why_not + ")",
		io.visible ? "" : " (not visible)",
		r.preserved.valid ? " (" + std::to_string(r.preserved.total.pages) + " pages in " +
					    std::to_string(r.preserved.total.runs) + " runs)"
				  : " (map not read)",
	};
	for (unsigned lane = 0; lane < kLanes; lane++) {
		const unsigned ly = y + lane * 18;
		svg += "<rect x=\"" + std::to_string(kLeft) + "\" y=\"" + std::to_string(ly) +
		       "\" width=\"14\" height=\"12\" fill=\"" + kStyle[lane].colour + "\"/>\n";
		svg += "<text x=\"" + std::to_string(kLeft + 20) + "\" y=\"" + std::to_string(ly + 11) +
		       "\">" + xml_text(std::string(kStyle[lane].label) + note[lane]) + "</text>\n";
	}
}

}  // namespace

bool write_svg(const Report& r, const Iomem& io, const std::string& file, std::string& why)
{
	Picture pic(picture_top(r, io));
	for (const IomemEntry& e : io.ram)
		pic.mark(kRam, e.range.addr, e.range.size);
	for (const IomemEntry& e : io.kernel)
		pic.mark(kKernel, e.range.addr, e.range.size);
	for (const Range& a : r.scratch.areas)
		pic.mark(kScratch, a.addr, a.size);
	const unsigned shift = r.preserved.page_shift;
	for_each_run(r, [&](std::uint64_t pfn, std::uint64_t nr_pages, unsigned) {
		pic.mark(kPreserved, pages_to_bytes(pfn, shift), pages_to_bytes(nr_pages, shift));
	});

	const unsigned legend_y = kTop + pic.rows() * kRowHeight + 10;
	const unsigned height = legend_y + kLanes * 18 + 10;
	std::string svg = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
			  "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" +
			  std::to_string(kLeft + kRowPixels + 20) + "\" height=\"" + std::to_string(height) +
			  "\" font-family=\"monospace\" font-size=\"12\">\n"
			  "<title>KHO physical memory</title>\n"
			  "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
	svg += "<text x=\"4\" y=\"20\" font-size=\"14\">" +
	       xml_text("KHO handover " + r.path + ": physical memory, one row = " +
			human_bytes(pic.span()) + ", one pixel = " +
			human_bytes(pic.span() / kRowPixels)) +
	       "</text>\n";
	pic.draw(svg);
	legend(svg, legend_y, r, io);
	svg += "</svg>\n";

	std::FILE* out = std::fopen(file.c_str(), "w");
	if (!out) {
		why = file + ": " + std::strerror(errno);
		return false;
	}
	const bool written = std::fwrite(svg.data(), 1, svg.size(), out) == svg.size();
	if (std::fclose(out) != 0 || !written) {
		why = file + ": write failed";
		return false;
	}
	return true;
}

}  // namespace inspect
