// SPDX-License-Identifier: GPL-2.0
// Host-only controls of the test environment (kx_env_host.cpp).
#pragma once

namespace kx_host {

// Makes the allocation after the next @n succeed-ing ones fail (n = 0: the
// very next one); -1 turns injection off.
void fail_allocation_after(long n);

// Whether the failure armed by the last fail_allocation_after() happened.
bool injected_failure_happened();

// RAII: inject a failure for the lifetime of the object.
class FailAllocationAfter {
public:
	explicit FailAllocationAfter(long n) { fail_allocation_after(n); }
	~FailAllocationAfter() { fail_allocation_after(-1); }
};

}  // namespace kx_host
