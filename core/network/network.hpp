#pragma once
// A network is a graph of layers in an explicit topological order: every node names its input
// ("input" = the sample, or an earlier node), a loss head names the node it reads. Weight nodes
// own the matrices the training schemes work on and are numbered in node order: weight node k
// is "layer k" for op counts, sessions (layer_<k>/...), heatmaps and pinned synapses.
//
// How the layer kinds beyond dense fit:
// - Convolution (seed 001, seed 002 Fig. 4A; conv2d_layer.hpp): a WeightNode whose matrix is the
//   unrolled filter bank, C_out x (k*k*C_in + 1), used once per output position (Gokmen et al.
//   2017): forward reads it for every patch [x_p, 1], backward scatters W^T delta_p back onto the
//   patches, and accumulate_gradient() sums delta_p x_p^T over positions; rank1() is false, so
//   its updates go through commit() (the scheme decides how a rank-P dW reaches the devices).
//   Layer lists (conv2d, maxpool2d, dropout, flatten, dense) build into graphs in
//   network_builder.hpp.
// - LSTM: the four gates are one WeightNode [x, h, 1] -> 4H: a node with several inputs reads
//   them concatenated in the order named (its error is split back the same way; a node read by
//   several others sums their errors); the time steps of one sequence reuse the matrix, its
//   gradient accumulating over steps before a commit.
// - GAN (core/gan/gan.hpp): two Network objects, the generator's output being the
//   discriminator's input; the discriminator hands dL/d(input) back (input_gradient()) to seed
//   the generator's backward through a loss head that takes an external gradient
//   (ExternalLoss). DQN: a squared TD-error head on the chosen action's output.
#include "core/network/layer.hpp"
#include "core/network/loss_head.hpp"

#include <utility>
#include <vector>

namespace cbl {

struct EvalResult {
    double accuracy = 0; ///< fraction 0..1
    double loss = 0;     ///< mean loss [nats]
};

template <typename Scalar>
struct NetworkNode {
    std::string name;
    std::vector<std::string> inputs; ///< "input" or names of earlier nodes
    std::unique_ptr<Layer<Scalar>> layer;
};

template <typename Scalar>
class Network {
  public:
    using Vec = Eigen::Matrix<Scalar, Eigen::Dynamic, 1>;
    using Matrix = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;
    using Nodes = std::vector<NetworkNode<Scalar>>;

    /// `nodes` in topological order; `head_input` names the node the loss head reads.
    Network(int input_size, Nodes nodes, std::string head_input,
            std::unique_ptr<LossHead<Scalar>> head, int batch_size);
    /// A deep copy (layers, optimizer state, pending batch, counters).
    Network(const Network& other);
    Network(Network&&) noexcept = default;
    Network& operator=(const Network&) = delete;
    Network& operator=(Network&&) noexcept = default;

    /// Forward, backward and (at the end of a batch) the weight update for one sample.
    SampleResult train_sample(const Eigen::Ref<const Eigen::VectorXf>& sample, int label,
                              double learning_rate, StepContext& ctx);
    /// Forward and backward of one sample down to dL/d(sample) (`dx`), leaving the weights, their
    /// pending gradients and the batch alone: a GAN's generator learns through its
    /// discriminator this way. Hardware reads are counted as in training.
    SampleResult input_gradient(const Vec& sample, int label, Vec& dx, StepContext& ctx);
    /// Applies a pending partial batch (end of epoch).
    void flush_batch(double learning_rate, StepContext& ctx);
    /// What the loss head reads, for samples (columns) at once, without touching training state
    /// (inference reads keyed by `eval_key`): e.g. a DQN's Q-values.
    Matrix outputs(const Eigen::Ref<const Eigen::MatrixXf>& samples, std::uint64_t eval_key) const;
    /// Accuracy and loss over samples (columns of `samples`), in parallel, reproducibly.
    EvalResult evaluate(const Eigen::MatrixXf& samples, const std::vector<std::uint8_t>& labels,
                        std::uint64_t eval_step) const;

    /// Weight nodes in node order.
    int weight_count() const { return static_cast<int>(weight_nodes_.size()); }
    WeightLayer<Scalar>& weight_layer(int k) { return weight_node(k).weights(); }
    const WeightLayer<Scalar>& weight_layer(int k) const { return weight_node(k).weights(); }
    /// The node that owns weight layer k (its kind of use of the matrix).
    const WeightNode<Scalar>& weight_node(int k) const {
        return static_cast<const WeightNode<Scalar>&>(*nodes_[weight_nodes_[k]].layer);
    }
    /// Swaps weight node k's layer for `w` (same shape); returns the old one.
    std::unique_ptr<WeightLayer<Scalar>>
    replace_weight_layer(int k, std::unique_ptr<WeightLayer<Scalar>> w) {
        return weight_node(k).replace_weights(std::move(w));
    }
    int pending_in_batch() const { return in_batch_; }
    /// Weight nodes, optimizer state, pending batch and counters (for exact resume), every
    /// array's name after `prefix` (a run of two networks keeps them apart).
    void save_state(StateArrays& out, const std::string& prefix = "") const;
    void load_state(const StateArrays& in, const std::string& prefix = "");
    /// Hardware operations per weight node counted since the last take_counts(); weightless
    /// layers count into the weight node that feeds them.
    const std::vector<StageCounts>& counts() const { return counts_; }
    std::vector<StageCounts> take_counts() {
        return std::exchange(counts_, std::vector<StageCounts>(weight_nodes_.size()));
    }
    /// Per weight node: weights a full-precision update would have changed, nnz(delta) x nnz(x)
    /// per sample.
    std::vector<std::uint64_t> take_fp_equivalent_updates() {
        return std::exchange(fp_equivalent_, std::vector<std::uint64_t>(weight_nodes_.size()));
    }

  private:
    static constexpr int from_input = -1;
    WeightNode<Scalar>& weight_node(int k) {
        return static_cast<WeightNode<Scalar>&>(*nodes_[weight_nodes_[k]].layer);
    }
    /// Resolves names to indices, checks sizes, finds weight nodes and sizes the buffers.
    void wire();
    int width_of(int source) const { return source == from_input ? input_size_ : size_[source]; }
    const Vec& value_of(int source) const { return source == from_input ? in_ : out_[source]; }
    /// Node i's input: its one source's output, or its sources' outputs joined by join().
    const Vec& input_of(int i) const {
        return sources_[i].size() == 1 ? value_of(sources_[i][0]) : joined_[i];
    }
    void join(int i);
    /// One context per weight node (counting into counts_) and one for the other nodes.
    std::vector<StepContext> contexts(std::uint64_t step);
    void check_sample_size(Eigen::Index size) const;
    /// Forward, loss head and backward of the sample in in_; with `to_input` down to din_.
    SampleResult propagate(int label, std::vector<StepContext>& ctx_of, bool to_input);

    int input_size_;
    Nodes nodes_;
    std::string head_input_;
    std::unique_ptr<LossHead<Scalar>> head_;
    int batch_size_;
    int in_batch_ = 0;
    std::vector<StageCounts> counts_;
    std::vector<std::uint64_t> fp_equivalent_;

    // Derived by wire().
    std::vector<std::vector<int>> sources_; ///< per node: input nodes (or from_input), in order
    std::vector<int> size_;                 ///< per node: output size
    std::vector<int> slot_;         ///< per node: weight node its operations count into, or -1
    std::vector<bool> learns_;      ///< per node: its output depends on a weight node
    std::vector<bool> wants_dx_;    ///< per node: one of its sources learns
    std::vector<int> weight_nodes_; ///< node index of weight node k
    int head_source_ = 0;
    bool rank1_path_ = false; ///< batch-1 SGD through commit_rank1

    // Per-sample work buffers, reused to keep the batch-1 loop free of allocations.
    Vec in_;
    std::vector<Vec> joined_; ///< inputs of nodes with several sources, concatenated
    std::vector<Vec> out_;    ///< node outputs
    std::vector<Vec> dout_;   ///< dL/d(node output)
    Vec dhead_, extra_, din_;
};

extern template class Network<float>;
extern template class Network<double>;

} // namespace cbl
