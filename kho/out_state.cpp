// SPDX-License-Identifier: GPL-2.0
#include "kho/out_state.hpp"

namespace kho {

using kx::Errno;

namespace {

constexpr Transition stay(kho_out_state state)
{
	return {state, KHO_OUT_NONE};
}

}  // namespace

kx::Result<Transition> next(kho_out_state state, kho_out_event event)
{
	const bool idle = state == KHO_OUT_IDLE, active = state == KHO_OUT_ACTIVE;

	switch (event) {
	case KHO_OUT_ACTIVATE:
		if (idle)
			return Transition{KHO_OUT_SERIALIZING, KHO_OUT_DUMP};
		if (active)
			return stay(state);
		return Errno::busy;
	case KHO_OUT_DEACTIVATE:
		if (active)
			return Transition{KHO_OUT_ABORTING, KHO_OUT_ABORT};
		if (idle)
			return stay(state);
		return Errno::busy;
	case KHO_OUT_DONE:
		if (state == KHO_OUT_SERIALIZING)
			return Transition{KHO_OUT_ACTIVE, KHO_OUT_SEAL};
		if (active)
			return stay(state);
		if (state == KHO_OUT_ABORTING)
			return Transition{KHO_OUT_IDLE, KHO_OUT_FREE};
		break;
	case KHO_OUT_FAILED:
		// A failed DUMP has sent ABORT to those that got DUMP already.
		if (state == KHO_OUT_SERIALIZING)
			return Transition{KHO_OUT_IDLE, KHO_OUT_FREE};
		if (active)
			return Transition{KHO_OUT_ABORTING, KHO_OUT_ABORT};
		break;
	case KHO_OUT_CHANGE_RECORD:
		// Active, the tree and the map list the record as it is.  While
		// aborting, ABORT handlers unpreserve what they preserved.
		if (active)
			return Errno::busy;
		return stay(state);
	case KHO_OUT_CHANGE_NOTIFIERS:
	case KHO_OUT_SET_DT_MAX:
		if (idle)
			return stay(state);
		return Errno::busy;
	case KHO_OUT_NR_EVENTS:
		break;
	}
	return kx::invalid("no such transition");
}

}  // namespace kho

extern "C" int kho_out_next(enum kho_out_state state, enum kho_out_event event,
			    enum kho_out_state* next)
{
	auto step = kho::next(state, event);
	if (step.is_error())
		return step.error().to_errno();
	*next = step.value().next;
	return step.value().action;
}
