#pragma once
// Fully connected layer: y = W [x, 1] (seed 002 Fig. 1A: the bias is one more input fixed at 1,
// so it is a column of the crossbar like any weight).
#include "core/network/layer.hpp"

namespace cbl {

template <typename Scalar>
class DenseLayer final : public WeightNode<Scalar> {
  public:
    using typename Layer<Scalar>::Vec;
    using typename Layer<Scalar>::Matrix;

    DenseLayer(std::unique_ptr<WeightLayer<Scalar>> w, const OptimizerConfig& opt)
        : WeightNode<Scalar>(std::move(w), opt), a_(Vec::Zero(this->w_->inputs())) {}

    int output_size(int inputs, const std::string& node) const override {
        if (inputs + 1 != this->w_->inputs())
            throw InputError("network: layer '" + node + "' takes " +
                             std::to_string(this->w_->inputs() - 1) + " inputs + bias but gets " +
                             std::to_string(inputs));
        return this->w_->outputs();
    }
    void forward(const Vec& x, Vec& y, StepContext& ctx) override {
        a_.head(x.size()) = x;
        a_[x.size()] = 1;
        this->w_->forward(a_, y, ctx);
    }
    // Backward: W^T delta through the matrix (a transposed crossbar read); the bias row of the
    // result has no input to go to.
    void backward(const Vec&, const Vec&, const Vec& dy, Vec* dx, StepContext& ctx) override {
        delta_ = dy;
        if (!dx) return;
        this->w_->backward(delta_, back_, ctx);
        *dx = back_.head(back_.size() - 1);
    }
    void forward_batch(const Matrix& x, Matrix& y, std::uint64_t eval_key) const override {
        Matrix a(x.rows() + 1, x.cols());
        a.topRows(x.rows()) = x;
        a.row(x.rows()).setOnes();
        this->w_->forward_batch(a, y, eval_key);
    }
    std::unique_ptr<Layer<Scalar>> clone() const override {
        return std::make_unique<DenseLayer>(*this);
    }

    std::uint64_t fp_equivalent_updates() const override {
        return std::uint64_t((a_.array() != 0).count()) *
               std::uint64_t((delta_.array() != 0).count());
    }
    bool rank1() const override { return true; }
    // dW = -eta delta x^T (seed 002: computed in the high-precision digital unit).
    void commit_rank1(Scalar scale, StepContext& ctx) override {
        this->w_->commit_rank1(a_, delta_, scale, ctx);
    }
    // The batch's samples are kept and folded in at the step: column by column, each column of
    // the gradient then stays in cache while every sample adds to it, instead of the whole
    // matrix passing through memory once per sample. Each entry sees the same additions in the
    // same order as if they were made sample by sample.
    void accumulate_gradient() override {
        if (held_ == batch_a_.rows()) {
            batch_a_.conservativeResize(std::max<Eigen::Index>(8, 2 * held_), a_.size());
            batch_delta_.conservativeResize(padded(delta_.size()), batch_a_.rows());
        }
        batch_a_.row(held_) = a_.transpose();
        batch_delta_.col(held_) << delta_, Vec::Zero(batch_delta_.rows() - delta_.size());
        ++held_;
    }
    void settle_gradient() override {
        fold_into(this->grad_);
        held_ = 0;
    }
    Matrix pending_gradient() const override {
        Matrix g = this->grad_;
        fold_into(g);
        return g;
    }

  private:
    /// g += sum over the held samples of delta x^T, skipping zero inputs (MNIST is mostly
    /// background).
    /// A column is worked on in a copy padded to whole SIMD packets (the errors are held padded
    /// with zeros): no scalar tail, and each entry still gets one fused multiply-add per sample.
    void fold_into(Matrix& g) const {
        Vec column(batch_delta_.rows());
        for (int c = 0; c < a_.size(); ++c) {
            bool changed = false;
            for (Eigen::Index i = 0; i < held_; ++i)
                if (const Scalar x = batch_a_(i, c); x != 0) {
                    if (!changed) column << g.col(c), Vec::Zero(column.size() - g.rows());
                    column.noalias() += x * batch_delta_.col(i);
                    changed = true;
                }
            if (changed) g.col(c) = column.head(g.rows());
        }
    }
    static Eigen::Index padded(Eigen::Index n) { return (n + 15) / 16 * 16; }

    Matrix batch_a_;     ///< the held samples' inputs, one row each
    Matrix batch_delta_; ///< their errors, one column each
    Eigen::Index held_ = 0;
    Vec a_;     ///< this sample's input with the bias appended
    Vec delta_; ///< this sample's dL/dy
    Vec back_;  ///< W^T delta, bias row included
};

} // namespace cbl
