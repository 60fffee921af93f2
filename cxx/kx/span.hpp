// SPDX-License-Identifier: GPL-2.0
// A non-owning view of contiguous objects, like std::span / AK::Span.
#pragma once

#include <kx/types.hpp>

namespace kx {

template <typename T>
class Span {
public:
	constexpr Span() = default;
	constexpr Span(T* data, usize size) : data_(data), size_(size) {}
	template <usize N>
	constexpr Span(T (&array)[N]) : data_(array), size_(N) {}
	// A Span<T> converts to a Span<const T>.
	template <typename U>
	constexpr Span(const Span<U>& other) : data_(other.data()), size_(other.size()) {}

	constexpr T* data() const { return data_; }
	constexpr usize size() const { return size_; }
	constexpr bool empty() const { return size_ == 0; }
	constexpr T& operator[](usize i) const { return data_[i]; }
	constexpr T& front() const { return data_[0]; }
	constexpr T& back() const { return data_[size_ - 1]; }
	constexpr T* begin() const { return data_; }
	constexpr T* end() const { return data_ + size_; }

private:
	T* data_ = nullptr;
	usize size_ = 0;
};

}  // namespace kx
