// SPDX-License-Identifier: GPL-2.0
// kho-inspect [--json] [--svg FILE] [--iomem FILE] [PATH]: what a KHO
// handover holds, read by the kernel's own readers.  Documentation/kho/inspect.rst.
#include <cstring>

#include "inspect.hpp"

namespace {

// Exit codes: a script can tell "the kernel would refuse this" from "could
// not look".
constexpr int kExitClean = 0;
constexpr int kExitProblems = 1;
constexpr int kExitCannotRead = 2;

const char kUsage[] =
	"usage: kho-inspect [--json] [--svg FILE] [--iomem FILE] [PATH]\n"
	"  PATH     a handover tree (default: /sys/kernel/kho/dt, else /sys/firmware/kho/dt)\n"
	"  --json   print one JSON object instead of text\n"
	"  --svg    also draw physical memory into FILE\n"
	"  --iomem  read RAM and the kernel image from FILE (default: /proc/iomem)\n";

// False on a usage error.
bool parse_args(int argc, char** argv, inspect::Options& opts)
{
	for (int i = 1; i < argc; i++) {
		const char* arg = argv[i];
		const bool has_value = i + 1 < argc;
		if (!std::strcmp(arg, "--json")) {
			opts.json = true;
		} else if (!std::strcmp(arg, "--svg") && has_value) {
			opts.svg_file = argv[++i];
		} else if (!std::strcmp(arg, "--iomem") && has_value) {
			opts.iomem_file = argv[++i];
		} else if (!std::strcmp(arg, "-h") || !std::strcmp(arg, "--help")) {
			std::fputs(kUsage, stdout);
			std::exit(kExitClean);
		} else if (!std::strcmp(arg, "--") && i + 2 == argc && opts.path.empty()) {
			opts.path = argv[++i];
		} else if (arg[0] != '-' && opts.path.empty()) {
			opts.path = arg;
		} else {
			return false;
		}
	}
	return true;
}

}  // namespace

int main(int argc, char** argv)
{
	inspect::Options opts;
	if (!parse_args(argc, argv, opts)) {
		std::fputs(kUsage, stderr);
		return kExitCannotRead;
	}

	const inspect::Report report = inspect::inspect(opts);
	if (opts.json)
		inspect::print_json(report, stdout);
	else
		inspect::print_text(report, stdout);

	int status = !report.tree_read ? kExitCannotRead
		     : report.problems.empty() ? kExitClean : kExitProblems;
	if (!opts.svg_file.empty()) {
		std::string why;
		if (!inspect::write_svg(report, inspect::read_iomem(opts.iomem_file), opts.svg_file, why)) {
			std::fprintf(stderr, "kho-inspect: cannot write the picture: %s\n", why.c_str());
			status = kExitCannotRead;
		}
	}
	if (std::fflush(stdout) != 0)
		status = kExitCannotRead;
	return status;
}
