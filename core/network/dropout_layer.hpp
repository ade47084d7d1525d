#pragma once
// Inverted dropout (Srivastava et al. 2014): during training each unit is kept with probability
// 1 - rate and scaled by 1 / (1 - rate), so evaluation uses the layer as the identity. The mask
// is a pure function of (seed, step, layer, unit): the same whatever the thread count, and the
// same again when a session resumes mid-epoch.
#include "core/common/rng.hpp"
#include "core/network/layer.hpp"

namespace cbl {

template <typename Scalar>
class DropoutLayer final : public Layer<Scalar> {
  public:
    using typename Layer<Scalar>::Vec;
    using typename Layer<Scalar>::Matrix;

    /// `layer` keys this layer's draws apart from other dropout layers of the network.
    DropoutLayer(double rate, std::uint64_t seed, std::uint32_t layer)
        : rate_(rate), rng_(seed, RngStream::dropout, layer) {
        require_range("dropout rate", rate, 0, 0.99);
    }

    double rate() const { return rate_; }
    int output_size(int inputs, const std::string&) const override { return inputs; }
    // A gate on the neuron outputs in the digital periphery: no array or MAC operations counted.
    void forward(const Vec& x, Vec& y, StepContext& ctx) override {
        const Scalar scale = static_cast<Scalar>(1 / (1 - rate_));
        mask_.resize(x.size());
        for (int i = 0; i < x.size(); ++i)
            mask_[i] = rng_.uniform(ctx.step, static_cast<std::uint32_t>(i)) > rate_ ? scale : 0;
        y = x.cwiseProduct(mask_);
    }
    void backward(const Vec&, const Vec&, const Vec& dy, Vec* dx, StepContext&) override {
        if (dx) *dx = dy.cwiseProduct(mask_);
    }
    void forward_batch(const Matrix& x, Matrix& y, std::uint64_t) const override { y = x; }
    std::unique_ptr<Layer<Scalar>> clone() const override {
        return std::make_unique<DropoutLayer>(*this);
    }

  private:
    double rate_;
    CounterRng rng_;
    Vec mask_; ///< this sample's kept units: 0 or 1 / (1 - rate)
};

} // namespace cbl
