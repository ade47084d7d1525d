#pragma once
// One weight layer of the network: W (outputs x inputs, inputs include the bias). Full-precision
// layers keep W in memory; crossbar layers keep conductances on a simulated tile. The network
// code is the same for both: it only asks for W x, W^T d and hands over desired weight changes.
#include "core/common/state_arrays.hpp"
#include "core/energy/op_counts.hpp"

#include <Eigen/Core>

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <vector>

namespace cbl {

/// Per-step context passed down to the layers.
struct StepContext {
    std::uint64_t step = 0; ///< global training-image counter: the RNG counter for reads/pulses
    StageCounts* counts = nullptr; ///< where hardware operations are counted (may be null)
    /// Which use of the matrix within this step: the output position of a convolution (set by
    /// forward_many/backward_many), 0 for a matrix read once per sample. Reads that draw noise
    /// key it by this too, so the positions of one image do not share one noise draw.
    std::uint32_t position = 0;
};

template <typename Scalar>
class WeightLayer {
  public:
    using Vec = Eigen::Matrix<Scalar, Eigen::Dynamic, 1>;
    using Matrix = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;

    virtual ~WeightLayer() = default;
    virtual int outputs() const = 0;
    virtual int inputs() const = 0;

    /// z = W x (training read: on a crossbar with read noise and drift at the current time).
    virtual void forward(const Vec& x, Vec& z, StepContext& ctx) = 0;
    /// out = W^T d (transposed read).
    virtual void backward(const Vec& d, Vec& out, StepContext& ctx) = 0;
    /// Inference on many samples at once (columns of x), without changing training state.
    /// `eval_step` keys the read noise so evaluation is reproducible.
    virtual void forward_batch(const Matrix& x, Matrix& z, std::uint64_t eval_step) const = 0;
    /// Training reads of one sample that uses the matrix several times (the patches of a
    /// convolution, columns of X): Z = W X, each column one forward() MVM with its read noise
    /// and counts. Layers that can, override it with one matrix product.
    virtual void forward_many(const Matrix& X, Matrix& Z, StepContext& ctx) {
        Z.resize(outputs(), X.cols());
        Vec x, z;
        for (int p = 0; p < X.cols(); ++p) {
            x = X.col(p);
            ctx.position = static_cast<std::uint32_t>(p);
            forward(x, z, ctx);
            Z.col(p) = z;
        }
        ctx.position = 0;
    }
    /// Out = W^T D, each column one backward() MVM.
    virtual void backward_many(const Matrix& D, Matrix& Out, StepContext& ctx) {
        Out.resize(inputs(), D.cols());
        Vec d, out;
        for (int p = 0; p < D.cols(); ++p) {
            d = D.col(p);
            ctx.position = static_cast<std::uint32_t>(p);
            backward(d, out, ctx);
            Out.col(p) = out;
        }
        ctx.position = 0;
    }

    /// Applies the desired change dW = scale * delta x^T (the batch-1 SGD fast path).
    virtual void commit_rank1(const Vec& x, const Vec& delta, Scalar scale, StepContext& ctx) = 0;
    /// Applies a desired change dW (mini-batches, momentum, Adam).
    virtual void commit(const Matrix& dW, StepContext& ctx) = 0;
    /// Called once after every training image (device clock, refresh, bookkeeping).
    virtual void end_of_image(StepContext&) {}

    /// An independent copy (evaluation at a later device time must not touch training state).
    virtual std::unique_ptr<WeightLayer> clone() const = 0;

    /// Complete layer state under `prefix` (e.g. "layer_0/"), for exact resume.
    virtual void save_state(const std::string& prefix, StateArrays& out) const = 0;
    /// Restores what save_state wrote; throws InputError on missing or mis-sized arrays.
    virtual void load_state(const std::string& prefix, const StateArrays& in) = 0;

    /// W as the network currently sees it (noise-free read; for heatmaps, tests and sessions).
    virtual Matrix weights() const = 0;

    /// Adds `value` to the initial weight of entry (r, c) before any training, e.g. a gate's
    /// bias (LstmLayer's forget_bias). Layers that hold trained weights (an inference model)
    /// refuse it.
    virtual void shift_initial(int, int, double) {
        throw std::logic_error("shift_initial: this weight layer has no initial state to shift");
    }
};

/// The weight matrices of a network in order (what a training scheme's factory builds).
template <typename Scalar>
using WeightLayers = std::vector<std::unique_ptr<WeightLayer<Scalar>>>;

} // namespace cbl
