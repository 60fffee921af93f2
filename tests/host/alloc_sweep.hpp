// SPDX-License-Identifier: GPL-2.0
// Allocation-failure sweep: an operation must survive running out of memory
// at every one of its allocations, not only the first.
#pragma once

#include <gtest/gtest.h>

#include <cstdio>

#include "kx_env.h"
#include "kx_env_host.h"

// Runs @op (returning 0 or a negative errno) with its k-th allocation
// failing, for k = 0, 1, 2, ... until a run no longer reaches the injected
// failure; that run must succeed.  Every run that hit the failure must
// return -ENOMEM, leave @snapshot() as it was before the run, and leak no
// block; the next run on the same object is the proof that the object still
// works.  @op and @snapshot close over the object.  Returns the number of
// allocation points swept (the successful run's allocations), or -1 after
// the first broken expectation.
template <typename Op, typename Snapshot>
long sweep_allocation_failures(const char* what, Op op, Snapshot snapshot)
{
	for (long k = 0;; k++) {
		const auto before = snapshot();
		const long live = kx_live_allocations();
		int err;
		bool hit;
		{
			kx_host::FailAllocationAfter fail(k);
			err = op();
			hit = kx_host::injected_failure_happened();
		}
		if (!hit) {
			EXPECT_EQ(err, 0) << what << ": the run without failure";
			std::printf("[ sweep    ] %s: %ld allocation points\n", what, k);
			return testing::Test::HasFailure() ? -1 : k;
		}
		EXPECT_EQ(err, -KX_ENOMEM) << what << ": allocation " << k << " failed";
		EXPECT_EQ(kx_live_allocations(), live) << what << ": leak after allocation " << k << " failed";
		EXPECT_TRUE(snapshot() == before) << what << ": changed after allocation " << k << " failed";
		if (testing::Test::HasFailure())
			return -1;
	}
}
