// SPDX-License-Identifier: GPL-2.0
// A growable array whose every allocation can fail: growth returns a Result
// and leaves the vector unchanged on -ENOMEM (fbl::Vector with AllocChecker,
// AK::Vector::try_append).  Storage comes from non-throwing operator new.
#pragma once

#include <kx/new.hpp>
#include <kx/result.hpp>
#include <kx/span.hpp>
#include <kx/types.hpp>
#include <kx/utility.hpp>

namespace kx {

template <typename T>
class Vector {
public:
	constexpr Vector() = default;
	Vector(Vector&& other)
		: data_(exchange(other.data_, nullptr)),
		  size_(exchange(other.size_, usize{0})),
		  capacity_(exchange(other.capacity_, usize{0}))
	{
	}
	KX_NONCOPYABLE(Vector);
	Vector& operator=(Vector&&) = delete;
	~Vector() { reset(); }

	usize size() const { return size_; }
	usize capacity() const { return capacity_; }
	bool empty() const { return size_ == 0; }
	T& operator[](usize i) { return data_[i]; }
	const T& operator[](usize i) const { return data_[i]; }
	Span<T> span() { return {data_, size_}; }
	Span<const T> span() const { return {data_, size_}; }

	Result<void> try_reserve(usize capacity)
	{
		if (capacity <= capacity_)
			return {};
		if (capacity > max_size())
			return Errno::nomem;
		T* data = static_cast<T*>(::operator new(capacity * sizeof(T), std::nothrow));
		if (!data)
			return Errno::nomem;
		for (usize i = 0; i < size_; i++) {
			new (&data[i]) T(move(data_[i]));
			data_[i].~T();
		}
		::operator delete(data_);
		data_ = data;
		capacity_ = capacity;
		return {};
	}

	// Inserts @value before index @at (at == size() appends).
	Result<void> try_insert(usize at, T value)
	{
		if (at > size_)
			return Errno::range;
		TRY(grow_for_one());
		if (at == size_) {
			new (&data_[size_]) T(move(value));
		} else {
			new (&data_[size_]) T(move(data_[size_ - 1]));
			for (usize i = size_ - 1; i > at; i--)
				data_[i] = move(data_[i - 1]);
			data_[at] = move(value);
		}
		size_++;
		return {};
	}

	Result<void> try_append(T value) { return try_insert(size_, move(value)); }

	void erase(usize at)
	{
		for (usize i = at; i + 1 < size_; i++)
			data_[i] = move(data_[i + 1]);
		data_[--size_].~T();
	}

	void clear()
	{
		while (size_)
			data_[--size_].~T();
	}

	// clear(), and give the storage back too.
	void reset()
	{
		clear();
		::operator delete(exchange(data_, nullptr));
		capacity_ = 0;
	}

private:
	static constexpr usize max_size() { return ~usize{0} / sizeof(T) / 2; }

	Result<void> grow_for_one()
	{
		if (size_ < capacity_)
			return {};
		return try_reserve(capacity_ ? capacity_ * 2 : 4);
	}

	T* data_ = nullptr;
	usize size_ = 0;
	usize capacity_ = 0;
};

}  // namespace kx
