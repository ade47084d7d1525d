#pragma once
// Flatten: where a stack of feature maps (channels x height x width, e.g. a convolution's
// output) becomes the input vector of a dense layer. Values are stored flat, channel-major
// (c, y, x), throughout the network, so the layer moves no data: it checks the size and marks
// the boundary between shape-aware and dense layers.
#include "core/network/layer.hpp"

namespace cbl {

template <typename Scalar>
class FlattenLayer final : public Layer<Scalar> {
  public:
    using typename Layer<Scalar>::Vec;
    using typename Layer<Scalar>::Matrix;

    FlattenLayer(int channels, int height, int width)
        : channels_(channels), height_(height), width_(width) {}

    int output_size(int inputs, const std::string& node) const override {
        if (inputs != channels_ * height_ * width_)
            throw InputError("network: layer '" + node + "' flattens " + std::to_string(channels_) +
                             " x " + std::to_string(height_) + " x " + std::to_string(width_) +
                             " values but gets " + std::to_string(inputs));
        return inputs;
    }
    void forward(const Vec& x, Vec& y, StepContext&) override { y = x; }
    void backward(const Vec&, const Vec&, const Vec& dy, Vec* dx, StepContext&) override {
        if (dx) *dx = dy;
    }
    void forward_batch(const Matrix& x, Matrix& y, std::uint64_t) const override { y = x; }
    std::unique_ptr<Layer<Scalar>> clone() const override {
        return std::make_unique<FlattenLayer>(*this);
    }

  private:
    int channels_, height_, width_;
};

} // namespace cbl
