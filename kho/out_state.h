/* SPDX-License-Identifier: GPL-2.0 */
/*
 * C interface to the outgoing state machine (out_state.hpp): C holds the
 * locks and carries out the actions, C++ decides every transition.
 * Includes nothing.
 */
#ifndef KHO_OUT_STATE_H
#define KHO_OUT_STATE_H

#ifdef __cplusplus
extern "C" {
#endif

enum kho_out_state {
	KHO_OUT_IDLE,
	KHO_OUT_SERIALIZING,	/* notifiers get DUMP */
	KHO_OUT_ACTIVE,		/* the record is frozen */
	KHO_OUT_ABORTING,	/* notifiers get ABORT */
	KHO_OUT_NR_STATES
};

enum kho_out_event {
	KHO_OUT_ACTIVATE,	/* 1 written to active */
	KHO_OUT_DEACTIVATE,	/* 0 written to active */
	KHO_OUT_DONE,		/* the last action succeeded */
	KHO_OUT_FAILED,		/* the last action failed */
	KHO_OUT_CHANGE_RECORD,	/* (un)preserve memory, add or remove a subtree */
	KHO_OUT_CHANGE_NOTIFIERS,
	KHO_OUT_SET_DT_MAX,
	KHO_OUT_NR_EVENTS
};

enum kho_out_action {
	KHO_OUT_NONE,		/* nothing more to do */
	KHO_OUT_DUMP,		/* begin the tree, send DUMP */
	KHO_OUT_SEAL,		/* write the tree and the map, publish them */
	KHO_OUT_ABORT,		/* withdraw the tree, send ABORT */
	KHO_OUT_FREE,		/* free the tree and the map */
};

/**
 * kho_out_next() - the transition @event makes from @state
 * @state: the current state
 * @event: what happened
 * @next: set to the next state
 *
 * Return: the action to carry out (&enum kho_out_action); -EBUSY when the
 * state refuses the event; -EINVAL for an event that cannot happen in
 * @state (a bug in the caller).
 */
int kho_out_next(enum kho_out_state state, enum kho_out_event event, enum kho_out_state *next);

#ifdef __cplusplus
}
#endif

#endif /* KHO_OUT_STATE_H */
