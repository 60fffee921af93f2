// SPDX-License-Identifier: GPL-2.0
// Virtual dispatch and a template, with no allocation: needs no runtime.

namespace {

class Shape {
public:
	virtual int area() const { return 0; }

protected:
	~Shape() = default;
};

class Rect final : public Shape {
public:
	constexpr Rect(int w, int h) : w_(w), h_(h) {}
	int area() const override { return w_ * h_; }

private:
	int w_, h_;
};

template <typename T, int N>
int sum_areas(const T* const (&shapes)[N])
{
	int sum = 0;
	for (const T* shape : shapes)
		sum += shape->area();
	return sum;
}

}  // namespace

extern "C" int kx_sample_sum_of_shapes(void);

extern "C" int kx_sample_sum_of_shapes(void)
{
	// volatile: keep the dimensions, and so the virtual calls, at run time.
	volatile int w = 2, h = 3;
	const Rect a(w, h), b(h * 2, w);
	const Shape* const shapes[] = {&a, &b};
	return sum_areas(shapes);
}
