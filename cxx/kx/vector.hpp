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

	// Storage to grow into, allocated apart from the vector, so that
	// several vectors can grow together or not at all: allocate every
	// Room first, then install() them, which cannot fail.
	class Room {
	public:
		Room() = default;
		Room(Room&& other)
			: data_(exchange(other.data_, nullptr)), capacity_(other.capacity_) {}
		KX_NONCOPYABLE(Room);
		Room& operator=(Room&&) = delete;
		~Room() { ::operator delete(data_); }

	private:
		friend class Vector;
		T* data_ = nullptr;  // null: the vector has room already
		usize capacity_ = 0;
	};

	Result<void> try_reserve(usize capacity)
	{
		if (capacity <= capacity_)
			return {};
		install(TRY(allocate_room(capacity)));
		return {};
	}

	// Room for @extra more elements, growing geometrically so that a
	// series of appends stays linear.
	Result<Room> try_prepare_room(usize extra) const
	{
		if (extra <= capacity_ - size_)
			return Room();
		if (extra > max_size() - size_)
			return Errno::nomem;
		return allocate_room(min(max(size_ + extra, capacity_ ? capacity_ * 2 : usize{4}), max_size()));
	}

	// Moves the elements into @room's storage, if it has any.
	void install(Room room)
	{
		if (!room.data_)
			return;
		for (usize i = 0; i < size_; i++) {
			new (&room.data_[i]) T(move(data_[i]));
			data_[i].~T();
		}
		::operator delete(data_);
		data_ = exchange(room.data_, nullptr);
		capacity_ = room.capacity_;
	}

	Result<void> try_make_room(usize extra)
	{
		install(TRY(try_prepare_room(extra)));
		return {};
	}

	// Inserts @value before index @at (at == size() appends).
	Result<void> try_insert(usize at, T value)
	{
		if (at > size_)
			return Errno::range;
		TRY(try_make_room(1));
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

	// Appends into room made before (try_make_room): cannot fail, so a
	// series of appends can be all or nothing.
	void unchecked_append(T value)
	{
		KX_ASSERT(size_ < capacity_);  // room was made with try_make_room()
		new (&data_[size_++]) T(move(value));
	}

	void swap(Vector& other)
	{
		kx::swap(data_, other.data_);
		kx::swap(size_, other.size_);
		kx::swap(capacity_, other.capacity_);
	}

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

	static Result<Room> allocate_room(usize capacity)
	{
		if (capacity > max_size())
			return Errno::nomem;
		Room room;
		room.data_ = static_cast<T*>(::operator new(capacity * sizeof(T), std::nothrow));
		if (!room.data_)
			return Errno::nomem;
		room.capacity_ = capacity;
		return room;
	}

	T* data_ = nullptr;
	usize size_ = 0;
	usize capacity_ = 0;
};

}  // namespace kx
