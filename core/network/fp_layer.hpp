#pragma once
// Full-precision weights (FP32 or FP64): the software baseline of seed 002 Fig. 3 and Table 1.
#include "core/common/rng.hpp"
#include "core/network/weight_layer.hpp"

#include <tbb/parallel_for.h>

#include <cmath>

namespace cbl {

template <typename Scalar>
class FpLayer final : public WeightLayer<Scalar> {
  public:
    using typename WeightLayer<Scalar>::Vec;
    using typename WeightLayer<Scalar>::Matrix;

    /// Glorot-uniform initialisation keyed by (seed, layer): same weights whatever the threads.
    FpLayer(int outputs, int inputs, std::uint64_t seed, std::uint32_t layer) : w_(outputs, inputs) {
        const CounterRng rng(seed, RngStream::init, layer);
        const double limit = std::sqrt(6.0 / (outputs + inputs));
        for (int c = 0; c < inputs; ++c)
            for (int r = 0; r < outputs; ++r)
                w_(r, c) = static_cast<Scalar>(
                    (2 * rng.uniform(std::uint64_t(c), static_cast<std::uint32_t>(r)) - 1) * limit);
    }

    int outputs() const override { return static_cast<int>(w_.rows()); }
    int inputs() const override { return static_cast<int>(w_.cols()); }
    void forward(const Vec& x, Vec& z, StepContext&) override { z.noalias() = w_ * x; }
    void backward(const Vec& d, Vec& out, StepContext&) override {
        out.noalias() = w_.transpose() * d;
    }
    void forward_batch(const Matrix& x, Matrix& z, std::uint64_t) const override {
        z.resize(w_.rows(), x.cols());
        // Independent column blocks: the result does not depend on the number of threads.
        constexpr int block = 64;
        tbb::parallel_for(0, int((x.cols() + block - 1) / block), [&](int b) {
            const int c0 = b * block, n = std::min<int>(block, int(x.cols()) - c0);
            z.middleCols(c0, n).noalias() = w_ * x.middleCols(c0, n);
        });
    }
    void commit_rank1(const Vec& x, const Vec& delta, Scalar scale, StepContext&) override {
        // Column by column, skipping zero inputs (MNIST is mostly background): identical result
        // to W += scale * delta * x^T at a fraction of the memory traffic.
        for (int c = 0; c < x.size(); ++c)
            if (x[c] != 0) w_.col(c).noalias() += (scale * x[c]) * delta;
    }
    void commit(const Matrix& dW, StepContext&) override { w_ += dW; }
    std::unique_ptr<WeightLayer<Scalar>> clone() const override {
        return std::make_unique<FpLayer>(*this);
    }
    void save_state(const std::string& prefix, StateArrays& out) const override {
        put_matrix(out, prefix + "w", w_, "weight");
    }
    void load_state(const std::string& prefix, const StateArrays& in) override {
        get_matrix(in, prefix + "w", w_);
    }
    Matrix weights() const override { return w_; }
    Matrix& mutable_weights() { return w_; }

  private:
    Matrix w_;
};

} // namespace cbl
