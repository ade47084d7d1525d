#pragma once
// One node of a network graph. Weightless layers (activations; later pooling, dropout, flatten)
// only transform values; weight nodes own the matrix a training scheme works on (a WeightLayer:
// full precision or a crossbar tile) plus the digital optimizer state of that matrix.
#include "core/common/param_error.hpp"
#include "core/network/optimizer.hpp"
#include "core/network/weight_layer.hpp"

#include <memory>
#include <string>

namespace cbl {

template <typename Scalar>
class Layer {
  public:
    using Vec = Eigen::Matrix<Scalar, Eigen::Dynamic, 1>;
    using Matrix = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;

    virtual ~Layer() = default;
    /// Output size for `inputs` input values; throws InputError naming the node when it cannot
    /// take them.
    virtual int output_size(int inputs, const std::string& node) const = 0;
    /// Training forward of one sample (hardware operations counted into ctx.counts).
    virtual void forward(const Vec& x, Vec& y, StepContext& ctx) = 0;
    /// Given dy = dL/dy of the last forward(x) -> y, writes dx = dL/dx; dx is null when no layer
    /// upstream learns (weight nodes still keep dy for their gradient).
    virtual void backward(const Vec& x, const Vec& y, const Vec& dy, Vec* dx, StepContext& ctx) = 0;
    /// Evaluation of many samples (columns) without touching training state; safe to call from
    /// several threads. `eval_key` keys the read noise so evaluation is reproducible.
    virtual void forward_batch(const Matrix& x, Matrix& y, std::uint64_t eval_key) const = 0;
    /// An independent copy (aged evaluation copies must not touch the training network).
    virtual std::unique_ptr<Layer> clone() const = 0;
};

/// A layer owning one weight matrix. After backward() the network asks it for the sample's
/// gradient: fused into a rank-1 commit (batch-1 SGD), or accumulated for a mini-batch step.
template <typename Scalar>
class WeightNode : public Layer<Scalar> {
  public:
    using typename Layer<Scalar>::Matrix;

    WeightNode(std::unique_ptr<WeightLayer<Scalar>> w, const OptimizerConfig& opt)
        : w_(std::move(w)), optimizer_(opt, w_->outputs(), w_->inputs()),
          grad_(Matrix::Zero(w_->outputs(), w_->inputs())) {}
    WeightNode(const WeightNode& o)
        : Layer<Scalar>(o), w_(o.w_->clone()), optimizer_(o.optimizer_), grad_(o.grad_) {}

    WeightLayer<Scalar>& weights() { return *w_; }
    const WeightLayer<Scalar>& weights() const { return *w_; }
    /// Puts `w` (same shape) in place of the weight layer, e.g. an inference accelerator model
    /// reading the trained weights; returns the layer it replaces.
    std::unique_ptr<WeightLayer<Scalar>> replace_weights(std::unique_ptr<WeightLayer<Scalar>> w) {
        if (w->outputs() != w_->outputs() || w->inputs() != w_->inputs())
            throw InputError("replace_weights: the new layer's shape differs");
        std::swap(w, w_);
        return w;
    }
    /// True when plain SGD: with batch 1 the step can then go through rank1_commit().
    bool stateless_optimizer() const { return optimizer_.stateless(); }

    /// Weights a full-precision update of this sample would change (nnz(delta) x nnz(x) for
    /// dense; summed over positions when the matrix is used several times per sample).
    virtual std::uint64_t fp_equivalent_updates() const = 0;
    /// True when the sample's gradient is one outer product delta x^T (dense); a matrix used at
    /// several positions (convolution) or time steps (LSTM) has a rank-P gradient instead.
    virtual bool rank1() const = 0;
    /// The batch-1 SGD step dW = scale * delta x^T (only when rank1()).
    virtual void commit_rank1(Scalar scale, StepContext& ctx) = 0;
    /// Adds this sample's gradient dL/dW to the pending mini-batch gradient (or holds the
    /// sample until settle_gradient()).
    virtual void accumulate_gradient() = 0;
    /// Adds the samples a layer holds back into grad_.
    virtual void settle_gradient() {}
    /// The pending mini-batch gradient, held samples included.
    virtual Matrix pending_gradient() const { return grad_; }
    /// Rows per gate when the matrix stacks several gates (an LSTM's i, f, g, o), else 0.
    virtual int gate_rows() const { return 0; }

    /// Mini-batch step: mean gradient -> optimizer -> desired change dW -> the weight layer.
    void commit_batch(int in_batch, double learning_rate, StepContext& ctx) {
        settle_gradient();
        grad_ /= static_cast<Scalar>(in_batch);
        optimizer_.gradient_to_delta(grad_, learning_rate);
        w_->commit(grad_, ctx);
        grad_.setZero();
    }

    /// Weight layer, optimizer state and (with a batch pending) the accumulated gradient.
    void save_state(const std::string& p, StateArrays& out, bool batch_pending) const {
        w_->save_state(p, out);
        const Optimizer<Scalar>& o = optimizer_;
        if (o.velocity_.size()) put_matrix(out, p + "optimizer_velocity", o.velocity_, "weight");
        if (o.m_.size()) {
            put_matrix(out, p + "optimizer_adam_m", o.m_, "weight");
            put_matrix(out, p + "optimizer_adam_v", o.v_, "weight^2");
            put_array(out, p + "optimizer_adam_t", std::vector<std::uint64_t>{std::uint64_t(o.t_)},
                      {1});
        }
        if (batch_pending) put_matrix(out, p + "pending_gradient", pending_gradient(), "weight");
    }
    void load_state(const std::string& p, const StateArrays& in, bool batch_pending) {
        w_->load_state(p, in);
        Optimizer<Scalar>& o = optimizer_;
        if (o.velocity_.size()) get_matrix(in, p + "optimizer_velocity", o.velocity_);
        if (o.m_.size()) {
            get_matrix(in, p + "optimizer_adam_m", o.m_);
            get_matrix(in, p + "optimizer_adam_v", o.v_);
            o.t_ =
                static_cast<long long>(get_array<std::uint64_t>(in, p + "optimizer_adam_t", 1)[0]);
        }
        settle_gradient(); // drops what this network held before the load
        grad_.setZero();
        if (batch_pending) get_matrix(in, p + "pending_gradient", grad_);
    }

  protected:
    /// sum_p nnz(delta_p) nnz(a_p) over the columns of a matrix read once per column (positions
    /// of a convolution, steps of an LSTM): the weights a full-precision update writes.
    static std::uint64_t outer_product_writes(const Matrix& delta, const Matrix& a) {
        const auto d = (delta.array() != 0).colwise().count();
        const auto n = (a.array() != 0).colwise().count();
        std::uint64_t writes = 0;
        for (Eigen::Index p = 0; p < delta.cols(); ++p)
            writes += std::uint64_t(d[p]) * std::uint64_t(n[p]);
        return writes;
    }

    std::unique_ptr<WeightLayer<Scalar>> w_;
    Optimizer<Scalar> optimizer_;
    Matrix grad_; ///< accumulated gradient of the pending mini-batch
};

} // namespace cbl
