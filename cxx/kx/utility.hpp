// SPDX-License-Identifier: GPL-2.0
// The few <utility>/<type_traits> pieces the core needs, without libstdc++.
#pragma once

namespace kx {

template <typename T> struct remove_reference { using type = T; };
template <typename T> struct remove_reference<T&> { using type = T; };
template <typename T> struct remove_reference<T&&> { using type = T; };
template <typename T> using remove_reference_t = typename remove_reference<T>::type;

template <typename T>
constexpr remove_reference_t<T>&& move(T&& value) noexcept
{
	return static_cast<remove_reference_t<T>&&>(value);
}

template <typename T>
constexpr T&& forward(remove_reference_t<T>& value) noexcept
{
	return static_cast<T&&>(value);
}

template <typename T, typename U = T>
constexpr T exchange(T& obj, U&& value)
{
	T old = move(obj);
	obj = forward<U>(value);
	return old;
}

template <typename T>
constexpr void swap(T& a, T& b)
{
	T t = move(a);
	a = move(b);
	b = move(t);
}

template <typename T> constexpr const T& min(const T& a, const T& b) { return b < a ? b : a; }
template <typename T> constexpr const T& max(const T& a, const T& b) { return a < b ? b : a; }

// Deletes copy construction and assignment, as fbl::Noncopyable does.
#define KX_NONCOPYABLE(Type)               \
	Type(const Type&) = delete;        \
	Type& operator=(const Type&) = delete

}  // namespace kx
