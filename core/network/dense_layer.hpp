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
    void accumulate_gradient() override {
        // Column by column, skipping zero inputs (MNIST is mostly background).
        for (int c = 0; c < a_.size(); ++c)
            if (a_[c] != 0) this->grad_.col(c).noalias() += a_[c] * delta_;
    }

  private:
    Vec a_;     ///< this sample's input with the bias appended
    Vec delta_; ///< this sample's dL/dy
    Vec back_;  ///< W^T delta, bias row included
};

} // namespace cbl
