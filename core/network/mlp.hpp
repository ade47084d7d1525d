#pragma once
// Multilayer perceptron trained one image at a time (seed 002 section 2.3) or in mini-batches.
// Neuron counts follow seed 002: [785, 250, 10] = 784 pixels + 1 bias, 250 sigmoid neurons, 10
// softmax outputs; every layer's input gets a bias, so the weight matrices are 250x785 and 10x251
// (198,760 weights, as the paper counts).
#include "core/network/activation.hpp"
#include "core/network/optimizer.hpp"
#include "core/network/weight_layer.hpp"

#include <memory>
#include <utility>
#include <vector>

namespace cbl {

struct SampleResult {
    int predicted = 0;
    double loss = 0; ///< cross-entropy [nats]
};

struct EvalResult {
    double accuracy = 0; ///< fraction 0..1
    double loss = 0;     ///< mean cross-entropy [nats]
};

template <typename Scalar>
class Mlp {
  public:
    using Vec = Eigen::Matrix<Scalar, Eigen::Dynamic, 1>;
    using Matrix = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;
    using Layers = std::vector<std::unique_ptr<WeightLayer<Scalar>>>;

    Mlp(Activation hidden, Layers layers, const OptimizerConfig& opt, int batch_size);

    /// Forward, backward and (at the end of a batch) the weight update for one image.
    SampleResult train_sample(const Eigen::Ref<const Eigen::VectorXf>& pixels, int label,
                              double learning_rate, StepContext& ctx);
    /// Applies a pending partial batch (end of epoch).
    void flush_batch(double learning_rate, StepContext& ctx);
    /// Accuracy and loss over samples (columns of images), in parallel, reproducibly.
    EvalResult evaluate(const Eigen::MatrixXf& images, const std::vector<std::uint8_t>& labels,
                        std::uint64_t eval_step) const;

    int layer_count() const { return static_cast<int>(layers_.size()); }
    WeightLayer<Scalar>& layer(int k) { return *layers_[k]; }
    const WeightLayer<Scalar>& layer(int k) const { return *layers_[k]; }
    Optimizer<Scalar>& optimizer(int k) { return optimizers_[k]; }
    Activation hidden_activation() const { return hidden_; }
    int pending_in_batch() const { return in_batch_; }
    /// Layers, optimizer state, pending batch and counters (for exact resume).
    void save_state(StateArrays& out) const;
    void load_state(const StateArrays& in);
    /// Hardware operations per layer counted since the last take_counts().
    const std::vector<StageCounts>& counts() const { return counts_; }
    /// Hardware operations per layer since construction (or the last take_counts()).
    std::vector<StageCounts> take_counts() {
        return std::exchange(counts_, std::vector<StageCounts>(layers_.size()));
    }
    /// Per layer: weights a full-precision update would have changed, nnz(delta) x nnz(x) per
    /// image.
    std::vector<std::uint64_t> take_fp_equivalent_updates() {
        return std::exchange(fp_equivalent_, std::vector<std::uint64_t>(layers_.size()));
    }

  private:
    Activation hidden_;
    Layers layers_;
    std::vector<Optimizer<Scalar>> optimizers_;
    int batch_size_;
    int in_batch_ = 0;
    std::vector<StageCounts> counts_;
    std::vector<std::uint64_t> fp_equivalent_;
    std::vector<Matrix> grad_; ///< accumulated gradient per layer (mini-batch / stateful optimizer)
    // Per-sample work buffers, reused to keep the batch-1 loop free of allocations.
    std::vector<Vec> a_;     ///< layer inputs with bias appended
    std::vector<Vec> z_;     ///< pre-activations
    std::vector<Vec> delta_; ///< errors
    Vec back_;
};

extern template class Mlp<float>;
extern template class Mlp<double>;

} // namespace cbl
