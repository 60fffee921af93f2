// SPDX-License-Identifier: GPL-2.0
/*
 * tsc: print the time stamp counter.  It runs on across kexec (nothing
 * resets it), so a reading before the reboot call and one at the next
 * kernel's /init bound the blackout; under QEMU -icount it counts
 * instructions, the same in every run (scripts/bench-kho.sh).
 */
#include <stdio.h>
#include <x86intrin.h>

int main(void)
{
	printf("%llu\n", (unsigned long long)__rdtsc());
	return 0;
}
