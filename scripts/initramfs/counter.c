// SPDX-License-Identifier: GPL-2.0
/*
 * counter: print the CPU's free-running counter (x86's time stamp counter,
 * arm64's virtual counter CNTVCT_EL0); with -k, its frequency in kHz where
 * the CPU says it (arm64's CNTFRQ_EL0; on x86 the kernel log has it).
 * Nothing resets the counter across kexec, so a reading before the reboot
 * call and one at the next kernel's /init bound the blackout; under QEMU
 * -icount it advances with instructions, the same in every run
 * (scripts/bench-kho.sh).
 */
#include <stdio.h>
#include <string.h>

#if defined(__x86_64__)
#include <x86intrin.h>
static unsigned long long ticks(void) { return __rdtsc(); }
static unsigned long long khz(void) { return 0; }
#elif defined(__aarch64__)
static unsigned long long ticks(void)
{
	unsigned long long v;

	asm volatile("isb; mrs %0, cntvct_el0" : "=r"(v));
	return v;
}
static unsigned long long khz(void)
{
	unsigned long long f;

	asm volatile("mrs %0, cntfrq_el0" : "=r"(f));
	return f / 1000;
}
#endif

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "-k")) {
		unsigned long long k = khz();

		if (!k)
			return 1;
		printf("%llu\n", k);
		return 0;
	}
	printf("%llu\n", ticks());
	return 0;
}
