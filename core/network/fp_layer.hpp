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
    FpLayer(int outputs, int inputs, std::uint64_t seed, std::uint32_t layer)
        : w_(outputs, inputs) {
        const CounterRng rng(seed, RngStream::init, layer);
        const double limit = std::sqrt(6.0 / (outputs + inputs));
        for (int c = 0; c < inputs; ++c)
            for (int r = 0; r < outputs; ++r)
                w_(r, c) = static_cast<Scalar>(
                    (2 * rng.uniform(std::uint64_t(c), static_cast<std::uint32_t>(r)) - 1) * limit);
    }

    void shift_initial(int r, int c, double value) override {
        w_(r, c) += static_cast<Scalar>(value);
    }

    int outputs() const override { return static_cast<int>(w_.rows()); }
    int inputs() const override { return static_cast<int>(w_.cols()); }
    // A digital design computes every product and reads every weight from its SRAM, zeros
    // included (seed 002 Table 1, 32-bit column); the weight memory is counted as chi traffic,
    // the high-precision memory of the digital unit.
    void forward(const Vec& x, Vec& z, StepContext& ctx) override {
        z.noalias() = w_ * x;
        count_dense(ctx, Stage::forward, false);
    }
    void backward(const Vec& d, Vec& out, StepContext& ctx) override {
        out.noalias() = w_.transpose() * d;
        count_dense(ctx, Stage::backward, false);
    }
    // One matrix product for all positions; counted as that many MVMs would be.
    void forward_many(const Matrix& X, Matrix& Z, StepContext& ctx) override {
        Z.noalias() = w_ * X;
        count_dense(ctx, Stage::forward, false, X.cols());
    }
    void backward_many(const Matrix& D, Matrix& Out, StepContext& ctx) override {
        Out.noalias() = w_.transpose() * D;
        count_dense(ctx, Stage::backward, false, D.cols());
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
    void commit_rank1(const Vec& x, const Vec& delta, Scalar scale, StepContext& ctx) override {
        count_dense(ctx, Stage::update, true);
        // Column by column, skipping zero inputs (MNIST is mostly background): identical result
        // to W += scale * delta * x^T at a fraction of the memory traffic.
        for (int c = 0; c < x.size(); ++c)
            if (x[c] != 0) w_.col(c).noalias() += (scale * x[c]) * delta;
    }
    void commit(const Matrix& dW, StepContext& ctx) override {
        w_ += dW;
        count_dense(ctx, Stage::update, true);
    }
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
    /// One multiply-accumulate and one weight read per weight; an update also writes it back.
    void count_dense(StepContext& ctx, Stage stage, bool writes, Eigen::Index times = 1) const {
        if (!ctx.counts) return;
        OpCounts& ops = (*ctx.counts)[stage];
        const auto n = std::uint64_t(w_.size()) * std::uint64_t(times);
        ops.digital_macs += n;
        ops.chi_reads += n;
        if (writes) ops.chi_writes += n;
    }

    Matrix w_;
};

} // namespace cbl
