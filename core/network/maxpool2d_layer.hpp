#pragma once
// Max-pooling over k x k windows of every channel (seed 002 Fig. 4A: after each pair of
// convolutions). The error of a window goes to the input that won it.
#include "core/network/conv2d_layer.hpp"

namespace cbl {

template <typename Scalar>
class MaxPool2dLayer final : public Layer<Scalar> {
  public:
    using typename Layer<Scalar>::Vec;
    using typename Layer<Scalar>::Matrix;

    /// No padding: a window lies inside the input.
    MaxPool2dLayer(ImageShape in, int window, int stride)
        : in_(in), win_{window, stride, 0}, out_{in.channels, win_.positions(in.height),
                                                 win_.positions(in.width)} {}

    ImageShape output_shape() const { return out_; }

    int output_size(int inputs, const std::string& node) const override {
        if (inputs != in_.size())
            throw InputError("network: layer '" + node + "' takes a " + in_.str() +
                             " input but gets " + std::to_string(inputs) + " values");
        if (out_.plane() == 0)
            throw InputError("network: layer '" + node + "': window " +
                             std::to_string(win_.kernel) + " does not fit a " +
                             std::to_string(in_.height) + "x" + std::to_string(in_.width) +
                             " input");
        return out_.size();
    }
    // Comparisons in the digital periphery, like dropout's gate: no array or MAC operations.
    void forward(const Vec& x, Vec& y, StepContext&) override {
        y.resize(out_.size());
        argmax_.resize(out_.size());
        pool(x.data(), y.data(), argmax_.data());
    }
    void backward(const Vec&, const Vec&, const Vec& dy, Vec* dx, StepContext&) override {
        if (!dx) return;
        dx->setZero(in_.size());
        for (int i = 0; i < out_.size(); ++i)
            (*dx)[argmax_[i]] += dy[i];
    }
    void forward_batch(const Matrix& x, Matrix& y, std::uint64_t) const override {
        y.resize(out_.size(), x.cols());
        std::vector<int> argmax(out_.size());
        for (int s = 0; s < x.cols(); ++s)
            pool(x.col(s).data(), y.col(s).data(), argmax.data());
    }
    std::unique_ptr<Layer<Scalar>> clone() const override {
        return std::make_unique<MaxPool2dLayer>(*this);
    }

  private:
    /// y = the maximum of every window; argmax = where it is in x (the first one on ties).
    void pool(const Scalar* x, Scalar* y, int* argmax) const {
        const int k = win_.kernel;
        for (int c = 0; c < out_.channels; ++c)
            for (int oy = 0; oy < out_.height; ++oy)
                for (int ox = 0; ox < out_.width; ++ox) {
                    int best = (c * in_.height + oy * win_.stride) * in_.width + ox * win_.stride;
                    for (int ky = 0; ky < k; ++ky) {
                        const int row =
                            (c * in_.height + oy * win_.stride + ky) * in_.width + ox * win_.stride;
                        for (int kx = 0; kx < k; ++kx)
                            if (x[row + kx] > x[best]) best = row + kx;
                    }
                    const int o = (c * out_.height + oy) * out_.width + ox;
                    y[o] = x[best];
                    argmax[o] = best;
                }
    }

    ImageShape in_;
    Window2d win_;
    ImageShape out_;
    std::vector<int> argmax_; ///< per output: the input index that won its window
};

} // namespace cbl
