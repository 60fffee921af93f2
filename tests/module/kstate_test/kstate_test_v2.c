// SPDX-License-Identifier: GPL-2.0
/* kstate_test at version 2, with a field added in 2: reads version 1. */
#define KST_VERSION	2
#include "kstate_test.c"
