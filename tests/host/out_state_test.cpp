// SPDX-License-Identifier: GPL-2.0
// The outgoing state machine, every state against every event.
#include <gtest/gtest.h>

#include <string>

#include "kho/out_state.h"
#include "kho/out_state.hpp"

namespace {

constexpr kho_out_state kIdle = KHO_OUT_IDLE, kSerializing = KHO_OUT_SERIALIZING,
			kActive = KHO_OUT_ACTIVE, kAborting = KHO_OUT_ABORTING;

// What a pair leads to: a state and an action, or an errno.
struct Outcome {
	kho_out_state next;
	kho_out_action action;
	kx::Errno error;
	bool ok;
};

constexpr Outcome go(kho_out_state next, kho_out_action action)
{
	return {next, action, kx::Errno::inval, true};
}
constexpr Outcome busy = {kIdle, KHO_OUT_NONE, kx::Errno::busy, false};
constexpr Outcome impossible = {kIdle, KHO_OUT_NONE, kx::Errno::inval, false};

// One row per state, one column per event, in the enums' order.
constexpr Outcome kExpected[KHO_OUT_NR_STATES][KHO_OUT_NR_EVENTS] = {
	// ACTIVATE, DEACTIVATE, DONE, FAILED, CHANGE_RECORD, CHANGE_NOTIFIERS, SET_DT_MAX
	{  // idle
		go(kSerializing, KHO_OUT_DUMP), go(kIdle, KHO_OUT_NONE), impossible, impossible,
		go(kIdle, KHO_OUT_NONE), go(kIdle, KHO_OUT_NONE), go(kIdle, KHO_OUT_NONE)},
	{  // serializing
		busy, busy, go(kActive, KHO_OUT_SEAL), go(kIdle, KHO_OUT_FREE),
		go(kSerializing, KHO_OUT_NONE), busy, busy},
	{  // active
		go(kActive, KHO_OUT_NONE), go(kAborting, KHO_OUT_ABORT), go(kActive, KHO_OUT_NONE),
		go(kAborting, KHO_OUT_ABORT), busy, busy, busy},
	{  // aborting
		busy, busy, go(kIdle, KHO_OUT_FREE), impossible,
		go(kAborting, KHO_OUT_NONE), busy, busy},
};

TEST(OutState, EveryStateAgainstEveryEvent)
{
	int pairs = 0;
	for (int s = 0; s < KHO_OUT_NR_STATES; s++) {
		for (int e = 0; e < KHO_OUT_NR_EVENTS; e++, pairs++) {
			const auto state = static_cast<kho_out_state>(s);
			const auto event = static_cast<kho_out_event>(e);
			const Outcome& want = kExpected[s][e];
			SCOPED_TRACE(testing::Message() << "state " << s << ", event " << e);

			auto step = kho::next(state, event);
			ASSERT_EQ(step.is_ok(), want.ok);
			kho_out_state c_next = KHO_OUT_NR_STATES;
			const int c_result = kho_out_next(state, event, &c_next);
			if (!want.ok) {
				EXPECT_EQ(step.error().code(), want.error);
				EXPECT_EQ(c_result, -static_cast<int>(want.error));
				EXPECT_EQ(c_next, KHO_OUT_NR_STATES);  // untouched
				continue;
			}
			EXPECT_EQ(step.value().next, want.next);
			EXPECT_EQ(step.value().action, want.action);
			EXPECT_EQ(c_result, want.action);
			EXPECT_EQ(c_next, want.next);
		}
	}
	EXPECT_EQ(pairs, 4 * 7);
}

TEST(OutState, AnImpossibleEventSaysWhy)
{
	auto step = kho::next(KHO_OUT_IDLE, KHO_OUT_DONE);
	ASSERT_TRUE(step.is_error());
	EXPECT_STREQ(step.error().reason(), "no such transition");
}

// Drives @event from @state as core.c does: each action succeeds unless it
// is @failing; returns the actions taken, one letter each.
std::string run(kho_out_state& state, kho_out_event event, kho_out_action failing)
{
	static constexpr char kLetter[] = {'-', 'D', 'S', 'A', 'F'};
	std::string actions;
	for (;;) {
		auto step = kho::next(state, event);
		if (step.is_error())
			return actions + "!";
		state = step.value().next;
		const kho_out_action action = step.value().action;
		actions += kLetter[action];
		if (action == KHO_OUT_NONE || action == KHO_OUT_FREE)
			return actions;
		event = action == failing ? KHO_OUT_FAILED : KHO_OUT_DONE;
	}
}

TEST(OutState, WholeRunsEndAtRest)
{
	kho_out_state state = KHO_OUT_IDLE;
	EXPECT_EQ(run(state, KHO_OUT_ACTIVATE, KHO_OUT_NONE), "DS-");
	EXPECT_EQ(state, KHO_OUT_ACTIVE);
	EXPECT_EQ(run(state, KHO_OUT_DEACTIVATE, KHO_OUT_NONE), "AF");
	EXPECT_EQ(state, KHO_OUT_IDLE);
	EXPECT_EQ(run(state, KHO_OUT_ACTIVATE, KHO_OUT_DUMP), "DF");
	EXPECT_EQ(state, KHO_OUT_IDLE);
	EXPECT_EQ(run(state, KHO_OUT_ACTIVATE, KHO_OUT_SEAL), "DSAF");
	EXPECT_EQ(state, KHO_OUT_IDLE);
}

}  // namespace
