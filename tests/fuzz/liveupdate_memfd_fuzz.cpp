// SPDX-License-Identifier: GPL-2.0
// libFuzzer target: the checks of the previous kernel's memfd records
// (luo_memfd_check() and luo_memfd_check_folios() in
// liveupdate/memfd_format.cpp).  The input is a flags byte, the reader's
// page shift (12 + byte % 5), its largest folio order (byte % 32) and
// pages of RAM (2 bytes), then a struct luo_memfd (56 bytes) and its
// folios, 24 bytes each (zero past the input, as many as the record says).
// Flag bit 0 sets the record's magic, format and page shift right, bit 1
// its folio list's description, bit 2 makes nr_folios the input's number
// of folios, so that mutations get past those checks.
//
// Whatever is accepted must be what Documentation/liveupdate/format.rst
// allows: every folio starting inside the file (a huge one may reach past
// its end), aligned in the file and in memory to its order, at most the
// largest order, after the end of the one before, with known flags.  The
// checks must also agree with a plain restatement of the format, below:
// a refusal names the first fault it finds.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include <kho/abi/liveupdate.h>

#include "liveupdate/engine.h"

namespace {

using u32 = uint32_t;
using u64 = uint64_t;

constexpr u64 kMaxFolios = 1 << 16;  // more than any RAM size the input can give
luo_memfd_folio folios[kMaxFolios];

void check(bool ok, const char* what)
{
	if (!ok) {
		fprintf(stderr, "memfd record check breaks: %s\n", what);
		abort();
	}
}

// --- The format, restated ---

u64 pages_of(u64 bytes, u32 shift)
{
	return bytes / (u64{1} << shift) + (bytes % (u64{1} << shift) != 0);
}

const char* record_refused(const luo_memfd& m, u32 shift, u64 max_pages)
{
	if (m.magic != LUO_MEMFD_MAGIC)
		return "not a memfd record";
	if (m.format != LUO_MEMFD_FORMAT)
		return "unknown memfd format";
	if (m.page_shift != shift)
		return "written with another page size";
	if (m.size > u64{1} << 62)
		return "size beyond any file";
	if (m.nr_folios > pages_of(m.size, shift) || m.nr_folios > max_pages)
		return "more folios than the file or RAM has pages";
	if (m.folios.total_pages != pages_of(m.nr_folios * sizeof(luo_memfd_folio), shift) ||
	    m.folios.flags || m.folios.order)
		return "folio list of the wrong size";
	if (m.nr_folios && !m.folios.first.phys)
		return "folio list missing";
	return nullptr;
}

const char* folios_refused(const luo_memfd& m, const luo_memfd_folio* f, u64 n, u32 max_order)
{
	const u64 file_pages = pages_of(m.size, m.page_shift);
	for (u64 i = 0; i < n; i++) {
		if (f[i].order > max_order)
			return "a folio larger than the largest order";
		const u64 pages = u64{1} << f[i].order;
		if (i && f[i].index < f[i - 1].index + (u64{1} << f[i - 1].order))
			return "folios out of order or overlapping";
		if (f[i].index % pages)
			return "a folio not aligned to its order in the file";
		if (f[i].index >= file_pages)
			return "a folio beyond the file's size";
		if (f[i].phys % (pages << m.page_shift))
			return "a folio's address not aligned to its size";
		if (f[i].flags & ~u32{LUO_MEMFD_FOLIO_DIRTY | LUO_MEMFD_FOLIO_UPTODATE})
			return "a folio with unknown flags";
	}
	return nullptr;
}

void same_verdict(int rc, const char* why, const char* want, const char* what)
{
	if (!want) {
		check(rc == 0 && why == nullptr, what);
		return;
	}
	check(rc == -KX_EINVAL && why && !strcmp(why, want), what);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
	if (size < 5 + sizeof(luo_memfd))
		return 0;
	const uint8_t flags = data[0];
	const u32 shift = 12 + data[1] % 5;
	const u32 max_order = data[2] % 32;
	const u64 max_pages = data[3] | data[4] << 8;
	luo_memfd m;
	memcpy(&m, data + 5, sizeof(m));
	data += 5 + sizeof(m);
	size -= 5 + sizeof(m);
	const u64 given = size / sizeof(luo_memfd_folio) < kMaxFolios ? size / sizeof(luo_memfd_folio)
								       : kMaxFolios;
	memcpy(folios, data, given * sizeof(luo_memfd_folio));

	if (flags & 1) {
		m.magic = LUO_MEMFD_MAGIC;
		m.format = LUO_MEMFD_FORMAT;
		m.page_shift = shift;
	}
	if (flags & 4)
		m.nr_folios = given;
	if (flags & 2) {
		m.folios.total_pages = pages_of(m.nr_folios * sizeof(luo_memfd_folio), shift);
		m.folios.flags = 0;
		m.folios.order = 0;
		if (m.nr_folios && !m.folios.first.phys)
			m.folios.first.phys = 0x1000;
	}

	const char* why = "unset";
	int rc = luo_memfd_check(&m, shift, max_pages, &why);
	same_verdict(rc, why, record_refused(m, shift, max_pages), "the record checked as the format says");
	if (rc)
		return 0;

	// An accepted record.
	const u64 file_pages = pages_of(m.size, shift);
	check(m.magic == LUO_MEMFD_MAGIC && m.format == LUO_MEMFD_FORMAT && m.page_shift == shift,
	      "accepted: its magic, format and page size");
	check(m.size <= u64{1} << 62, "accepted: a size some file can have");
	check(m.nr_folios <= file_pages && m.nr_folios <= max_pages,
	      "accepted: no more folios than pages in the file and in RAM");
	check(m.nr_folios < kMaxFolios, "accepted: a list the input's RAM can hold");
	check(u64{m.folios.total_pages} << shift >= m.nr_folios * sizeof(luo_memfd_folio),
	      "accepted: a list that holds every folio");
	check(!m.nr_folios || m.folios.first.phys, "accepted: a list if there are folios");

	// The folios: the input's, then zero, as many as the record says.
	const u64 n = m.nr_folios;
	if (n > given)
		memset(folios + given, 0, (n - given) * sizeof(luo_memfd_folio));
	why = "unset";
	rc = luo_memfd_check_folios(&m, folios, n, max_order, &why);
	same_verdict(rc, why, folios_refused(m, folios, n, max_order),
		     "the folios checked as the format says");
	if (rc)
		return 0;

	// Accepted folios: the invariants memfd.c's restore relies on.
	u64 next = 0;
	for (u64 i = 0; i < n; i++) {
		const luo_memfd_folio& f = folios[i];
		check(f.order <= max_order, "accepted: no folio above the largest order");
		const u64 pages = u64{1} << f.order;
		check(f.index >= next, "accepted: folios increasing, not overlapping");
		check((f.index & (pages - 1)) == 0, "accepted: each folio aligned in the file");
		check(f.index < file_pages, "accepted: each folio starting inside the file");
		check((f.phys & ((pages << shift) - 1)) == 0, "accepted: each folio aligned in memory");
		check((f.flags & ~u32{LUO_MEMFD_FOLIO_DIRTY | LUO_MEMFD_FOLIO_UPTODATE}) == 0,
		      "accepted: known flags only");
		next = f.index + pages;
	}
	// Only the last folio may reach past the end of the file.
	for (u64 i = 0; i + 1 < n; i++)
		check(folios[i].index + (u64{1} << folios[i].order) <= file_pages,
		      "accepted: only the last folio reaching past the end");
	return 0;
}
