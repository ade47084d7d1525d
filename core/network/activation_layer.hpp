#pragma once
// Element-wise nonlinearity between weight layers; the neuron circuits of seed 002 Fig. 1A,
// counted as activations (forward) and derivative products (backward, in the digital unit).
#include "core/network/activation.hpp"
#include "core/network/layer.hpp"

namespace cbl {

template <typename Scalar>
class ActivationLayer final : public Layer<Scalar> {
  public:
    using typename Layer<Scalar>::Vec;
    using typename Layer<Scalar>::Matrix;

    explicit ActivationLayer(Activation f) : f_(f) {}

    Activation function() const { return f_; }
    int output_size(int inputs, const std::string&) const override { return inputs; }
    void forward(const Vec& x, Vec& y, StepContext& ctx) override {
        activate(f_, x, y);
        if (ctx.counts) (*ctx.counts)[Stage::forward].activations += y.size();
    }
    void backward(const Vec&, const Vec& y, const Vec& dy, Vec* dx, StepContext& ctx) override {
        if (!dx) return;
        *dx = dy;
        multiply_derivative(f_, y, *dx);
        if (ctx.counts) {
            OpCounts& ops = (*ctx.counts)[Stage::backward];
            ops.activations += y.size();
            ops.digital_macs += y.size();
        }
    }
    void forward_batch(const Matrix& x, Matrix& y, std::uint64_t) const override {
        // Sample by sample: the same vector code, hence the same rounding, as in training.
        y.resize(x.rows(), x.cols());
        Vec h(x.rows());
        for (int s = 0; s < x.cols(); ++s) {
            activate(f_, Vec(x.col(s)), h);
            y.col(s) = h;
        }
    }
    std::unique_ptr<Layer<Scalar>> clone() const override {
        return std::make_unique<ActivationLayer>(*this);
    }

  private:
    Activation f_;
};

} // namespace cbl
