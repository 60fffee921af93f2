// SPDX-License-Identifier: GPL-2.0
// The outgoing handover's states (Documentation/kho/concurrency.rst): which
// event each state accepts, where it leads and what must be done there.  C
// holds the locks, sends the notifications and frees; this decides.
#pragma once

#include <kx/result.hpp>

#include "kho/out_state.h"

namespace kho {

struct Transition {
	kho_out_state next;
	kho_out_action action;
};

// -EBUSY when @state refuses @event; -EINVAL for an event that cannot
// happen in @state.
kx::Result<Transition> next(kho_out_state state, kho_out_event event);

}  // namespace kho
