// SPDX-License-Identifier: GPL-2.0
// Each construct below needs C++ runtime support the kernel lacks.

extern "C" int kx_forbidden_value(void);
extern "C" int* kx_forbidden_alloc(void);

struct Counter {
	Counter() : value(kx_forbidden_value()) {}  // dynamic initialisation
	~Counter() { value = 0; }                   // registered to run at exit
	int value;
};

Counter global_counter;

extern "C" int* kx_forbidden_alloc(void)
{
	static Counter local;             // guarded function-local static
	return new int(local.value);      // plain, throwing operator new
}
