// SPDX-License-Identifier: GPL-2.0
// libFuzzer target: the previous kernel's ftrace metadata.  The first byte
// picks the part: the event table (then every event is printed from a
// record made of the rest of the input, its addresses named or not, and
// its print format for a format file is written), a page list, or a CPU
// record.
// Whatever is accepted must be usable without reading out of bounds.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "ftrace/format.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
	if (size < 2)
		return 0;
	const uint8_t part = data[0] % 3;
	const kx::Span<const uint8_t> in{data + 1, size - 1};

	if (part == 0) {
		auto t = ftrace::EventTable::parse(in);
		if (t.is_error())
			return 0;
		char out[512];
		// Half the addresses in a module, the other half raw hex.
		const kho_ftrace_module mod = {0, ~0ull >> 1, "m"};
		kho_ftrace_names names = {};
		names.modules = &mod;
		names.nr_modules = 1;
		for (size_t i = 0; i < t.value().size(); i++) {
			t.value().fingerprint(i);
			t.value().record_sound(i, in);
			t.value().format_record(i, in, i % 2 ? &names : nullptr, {out, sizeof(out)});
			// A print format accepted for a format file is one line of
			// printable text, whole.
			auto fmt = t.value().print_format(i, {out, sizeof(out)});
			if (fmt.is_ok()) {
				for (size_t c = 0; c < fmt.value(); c++)
					if (out[c] < 0x20 || out[c] >= 0x7f)
						abort();
				if (fmt.value() >= sizeof(out) || out[fmt.value()])
					abort();
			}
			if (t.value().find_type(t.value().event(i).type) < 0)
				abort();
		}
	} else if (part == 1) {
		std::vector<kx::u64> pfns(in.size() / 2 + 1);
		if (ftrace::decode_pfns(in, {pfns.data(), pfns.size()}, ~0ull).is_ok())
			for (size_t i = 1; i < pfns.size(); i++)
				if (pfns[i] <= pfns[i - 1])
					abort();
	} else {
		const kx::u32 nr = in.size() > 32 ? static_cast<kx::u32>((in.size() - 32) / 2) : 1;
		std::vector<kx::u32> order(nr);
		auto rec = ftrace::check_cpu_record(in, nr, {order.data(), order.size()});
		if (rec.is_ok())
			for (kx::u32 i = 0; i < rec.value().nr_valid; i++)
				if (order[i] >= nr)
					abort();
	}
	return 0;
}
