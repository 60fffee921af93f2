// SPDX-License-Identifier: GPL-2.0
/* kstate_test with one field's size changed and the version left alone. */
#define KST_WIDE_MAGIC	1
#include "kstate_test.c"
