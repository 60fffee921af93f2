// SPDX-License-Identifier: GPL-2.0
// Minimal kx_env for the fuzz targets: the readers never allocate.
#include <cstdlib>

#include "kx_env.h"

extern "C" void* kx_alloc(kx_size_t size) { return std::malloc(size); }
extern "C" void kx_free(void* ptr) { std::free(ptr); }
extern "C" void kx_panic(const char*) { std::abort(); }
