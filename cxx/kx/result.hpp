// SPDX-License-Identifier: GPL-2.0
// Errors as values: Result<T> holds a T or an Error, and TRY() returns the
// error to the caller early, as SerenityOS' ErrorOr/TRY and zx::result do.
// At the C boundary an Error becomes a negative errno (to_errno()).
#pragma once

#include <kx/assert.hpp>
#include <kx/new.hpp>
#include <kx/types.hpp>
#include <kx/utility.hpp>
#include "kx_env.h"

namespace kx {

enum class Errno : int {
	noent = KX_ENOENT,
	toobig = KX_E2BIG,
	nomem = KX_ENOMEM,
	busy = KX_EBUSY,
	exist = KX_EEXIST,
	inval = KX_EINVAL,
	nospc = KX_ENOSPC,
	range = KX_ERANGE,
	proto = KX_EPROTO,
	overflow = KX_EOVERFLOW,
};

// An errno and, when untrusted input is refused, a few words naming the
// problem for the one log line: a string literal, as SerenityOS'
// Error::from_string_literal(), so no caller needs a reason out-parameter.
class Error {
public:
	constexpr Error(Errno code) : code_(code) {}
	template <usize N>
	constexpr Error(Errno code, const char (&reason)[N]) : code_(code), reason_(reason) {}
	// A negative errno a C callback returned.
	static constexpr Error from_errno(int err) { return Error(static_cast<Errno>(-err)); }

	constexpr Errno code() const { return code_; }
	// The kernel's convention: a negative errno.
	constexpr int to_errno() const { return -static_cast<int>(code_); }
	// What was wrong: the words given, or the errno's own.
	constexpr const char* reason() const { return reason_ ? reason_ : describe(code_); }
	// Errors are equal when their errnos are: the reason is for people.
	constexpr bool operator==(const Error& other) const { return code_ == other.code_; }

private:
	static constexpr const char* describe(Errno code)
	{
		switch (code) {
		case Errno::noent: return "not found";
		case Errno::toobig: return "too big";
		case Errno::nomem: return "out of memory";
		case Errno::busy: return "busy";
		case Errno::exist: return "already present";
		case Errno::inval: return "invalid";
		case Errno::nospc: return "no space left";
		case Errno::range: return "out of range";
		case Errno::proto: return "refused";
		case Errno::overflow: return "too large";
		}
		return "error";
	}

	Errno code_;
	const char* reason_ = nullptr;
};

// Untrusted input refused (-EINVAL), and why.
template <usize N>
constexpr Error invalid(const char (&reason)[N])
{
	return Error(Errno::inval, reason);
}

template <typename T>
class [[nodiscard]] Result {
public:
	constexpr Result(const T& value) : value_(value), ok_(true) {}
	constexpr Result(T&& value) : value_(move(value)), ok_(true) {}
	constexpr Result(Error error) : error_(error), ok_(false) {}
	constexpr Result(Errno code) : Result(Error(code)) {}

	Result(Result&& other) : ok_(other.ok_)
	{
		if (ok_)
			new (&value_) T(move(other.value_));
		else
			error_ = other.error_;
	}
	Result& operator=(Result&&) = delete;
	KX_NONCOPYABLE(Result);

	~Result()
	{
		if (ok_)
			value_.~T();
	}

	constexpr bool is_ok() const { return ok_; }
	constexpr bool is_error() const { return !ok_; }
	// Asking for what is not there is a bug in the caller.
	constexpr Error error() const
	{
		KX_ASSERT(!ok_);
		return error_;
	}

	T& value()
	{
		KX_ASSERT(ok_);
		return value_;
	}
	const T& value() const
	{
		KX_ASSERT(ok_);
		return value_;
	}
	T release_value()
	{
		KX_ASSERT(ok_);
		return move(value_);
	}

private:
	union {
		T value_;
		Error error_;
	};
	bool ok_;
};

template <>
class [[nodiscard]] Result<void> {
public:
	constexpr Result() : error_(Errno::inval), ok_(true) {}  // error_ unused
	constexpr Result(Error error) : error_(error), ok_(false) {}
	constexpr Result(Errno code) : Result(Error(code)) {}

	constexpr bool is_ok() const { return ok_; }
	constexpr bool is_error() const { return !ok_; }
	constexpr Error error() const
	{
		KX_ASSERT(!ok_);
		return error_;
	}
	constexpr void release_value() const {}

private:
	Error error_;
	bool ok_;
};

// 0 or a negative errno, for returning across the extern "C" boundary.
template <typename T>
constexpr int to_errno(const Result<T>& result)
{
	return result.is_ok() ? 0 : result.error().to_errno();
}

// ... and for a reader of untrusted input, @why set to the reason of a
// refusal (nullptr on success), for the caller's one log line.
template <typename T>
constexpr int to_errno(const Result<T>& result, const char** why)
{
	*why = result.is_ok() ? nullptr : result.error().reason();
	return to_errno(result);
}

// ... with the value, on success, stored at @out.
template <typename T>
constexpr int to_errno(const Result<T>& result, T* out, const char** why)
{
	if (result.is_ok())
		*out = result.value();
	return to_errno(result, why);
}

}  // namespace kx

// Evaluates a Result; on error returns it from the enclosing function, else
// yields the value.  A GNU statement expression, as the kernel itself uses.
#define TRY(expr)                                        \
	({                                               \
		auto _kx_try = (expr);                   \
		if (_kx_try.is_error())                  \
			return _kx_try.error();          \
		_kx_try.release_value();                 \
	})
