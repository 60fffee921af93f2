/* SPDX-License-Identifier: GPL-2.0 */
/*
 * C interface to the reservation walk (reserve.hpp): how the next kernel
 * turns the previous kernel's memory map into reserved, restorable memory.
 * The walk decides; the booting kernel answers questions about its memory
 * and carries out the decisions through the ops.  Includes nothing.
 */
#ifndef KHO_RESERVE_H
#define KHO_RESERVE_H

#include <kho/abi/handover.h>

#include "kx_env.h"
#include "mem_map.h"

#ifdef __cplusplus
extern "C" {
#endif

struct kho_run {
	kx_u64 pfn;
	kx_u64 nr_pages;
	unsigned int order;	/* pages come in folios of this order */
};

/* A range the booting kernel keeps, and why no preserved page may be in it. */
struct kho_keep_out {
	struct kho_phys_range range;
	const char *why;	/* "overlaps scratch", ... */
};

/* What the booting kernel has to say about its memory, and the limits. */
struct kho_reserve_policy {
	unsigned int page_shift;
	const struct kho_keep_out *keep_out;
	unsigned int nr_keep_out;
	kx_u64 max_dropped;	/* more bad runs than this drop the whole map */
	kx_u64 gap_max_pages;	/* a larger gap between runs ends a reservation */
};

struct kho_reserve_ops {
	/*
	 * The @i-th region of this boot's RAM, or of its reservations, sorted
	 * and disjoint: false past the last.  Reservations grow as the walk
	 * reserves; the walk finds its place in them again by address.
	 */
	bool (*ram)(kx_size_t i, struct kho_phys_range *region);
	bool (*reserved)(kx_size_t i, struct kho_phys_range *region);
	/* Make room for up to @nr gaps, once, before the first add_gap(). */
	void (*gap_room)(kx_u64 nr);
	/* Remember a gap, to free once the page allocator runs: 0, or -ENOSPC when full. */
	int (*add_gap)(kx_u64 pfn, kx_u64 nr_pages);
	/* Forget the gaps added after the first @keep. */
	void (*forget_gaps)(kx_size_t keep);
	/* Reserve pages (memblock): 0 or a negative errno. */
	int (*reserve)(kx_u64 pfn, kx_u64 nr_pages);
	/* @run is restorable: its folios' head pages get the restorable mark. */
	void (*mark)(const struct kho_run *run);
	/* Clear every restorable mark in [@pfn, @pfn + @nr_pages). */
	void (*unmark)(kx_u64 pfn, kx_u64 nr_pages);
	/* @run is dropped, one log line: @why, or "overlaps" @other. */
	void (*dropped)(const struct kho_run *run, const struct kho_run *other, const char *why);
};

struct kho_reserve_result {
	kx_u64 runs;		/* in the map */
	kx_u64 pages;		/* reserved and restorable */
	kx_u64 regions;		/* reservations made */
	kx_u64 dropped;		/* runs dropped */
};

/**
 * kho_reserve_preserved() - reserve what the previous kernel preserved
 * @map: its memory map, untrusted
 * @size: the map's size
 * @policy: page size, the ranges to keep out of, the limits
 * @ops: the booting kernel's side
 * @reader: storage for the address-ordered reader (too big for a stack)
 * @result: the counts
 * @why: on error, a few words naming the problem
 *
 * A run is dropped when it lies beyond the physical address space, touches
 * a keep-out range, is not inside one region of RAM, touches a reservation,
 * or overlaps another run (both are dropped, in one line).  Good runs are
 * reserved in clusters across small gaps of free RAM, and marked
 * restorable; a cluster whose reservation fails is unmarked and dropped.
 * Nothing is done unless the whole map is well formed and at most
 * @policy->max_dropped runs are bad.  Runs come in address order, and so
 * do the questions about RAM and reservations: each costs a step or two.
 *
 * Return: 0, or -EINVAL with @why set (then nothing was reserved).
 */
int kho_reserve_preserved(const void *map, kx_u64 size, const struct kho_reserve_policy *policy,
			  const struct kho_reserve_ops *ops, struct kho_memmap_sorted *reader,
			  struct kho_reserve_result *result, const char **why);

#ifdef __cplusplus
}
#endif

#endif /* KHO_RESERVE_H */
