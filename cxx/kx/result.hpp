// SPDX-License-Identifier: GPL-2.0
// Errors as values: Result<T> holds a T or an Error, and TRY() returns the
// error to the caller early, as SerenityOS' ErrorOr/TRY and zx::result do.
// At the C boundary an Error becomes a negative errno (to_errno()).
#pragma once

#include <kx/new.hpp>
#include <kx/utility.hpp>
#include "kx_env.h"

namespace kx {

enum class Errno : int {
	noent = KX_ENOENT,
	nomem = KX_ENOMEM,
	busy = KX_EBUSY,
	exist = KX_EEXIST,
	inval = KX_EINVAL,
	nospc = KX_ENOSPC,
	range = KX_ERANGE,
	overflow = KX_EOVERFLOW,
};

class Error {
public:
	constexpr Error(Errno code) : code_(code) {}
	constexpr Errno code() const { return code_; }
	// The kernel's convention: a negative errno.
	constexpr int to_errno() const { return -static_cast<int>(code_); }
	constexpr bool operator==(const Error&) const = default;
	// A negative errno a C callback returned.
	static constexpr Error from_errno(int err) { return Error(static_cast<Errno>(-err)); }

private:
	Errno code_;
};

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
	// Only meaningful when is_error().
	constexpr Error error() const { return error_; }

	T& value() { return value_; }
	const T& value() const { return value_; }
	T release_value() { return move(value_); }

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
	constexpr Error error() const { return error_; }
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
