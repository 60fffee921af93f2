// SPDX-License-Identifier: GPL-2.0
/* kstate_test at version 2 that reads only version 2: refuses version 1. */
#define KST_VERSION	2
#define KST_MIN_VERSION	2
#include "kstate_test.c"
