#include "core/network/network.hpp"

#include <tbb/parallel_for.h>

#include <cmath>

namespace cbl {

template <typename Scalar>
Network<Scalar>::Network(int input_size, Nodes nodes, std::string head_input,
                         std::unique_ptr<LossHead<Scalar>> head, int batch_size)
    : input_size_(input_size), nodes_(std::move(nodes)), head_input_(std::move(head_input)),
      head_(std::move(head)), batch_size_(batch_size) {
    require_range("training.batch_size", batch_size, 1, 65536, "images");
    wire();
    counts_.resize(weight_nodes_.size());
    fp_equivalent_.resize(weight_nodes_.size());
}

template <typename Scalar>
Network<Scalar>::Network(const Network& o)
    : input_size_(o.input_size_), head_input_(o.head_input_), head_(o.head_->clone()),
      batch_size_(o.batch_size_), in_batch_(o.in_batch_), counts_(o.counts_),
      fp_equivalent_(o.fp_equivalent_) {
    for (const NetworkNode<Scalar>& n : o.nodes_)
        nodes_.push_back({n.name, n.inputs, n.layer->clone()});
    wire();
}

template <typename Scalar>
void Network<Scalar>::wire() {
    const int n = static_cast<int>(nodes_.size());
    sources_.assign(n, {});
    size_.assign(n, 0);
    slot_.assign(n, -1);
    learns_.assign(n, false);
    wants_dx_.assign(n, false);
    weight_nodes_.clear();
    joined_.assign(n, Vec());
    out_.assign(n, Vec());
    dout_.assign(n, Vec());
    std::vector<int> readers(n, 0);
    auto find = [&](const std::string& name, int before, const std::string& user) {
        if (name == "input") return int(from_input);
        for (int j = 0; j < before; ++j)
            if (nodes_[j].name == name) {
                ++readers[j];
                return j;
            }
        throw InputError("network: '" + user + "' reads '" + name +
                         "', which is not an earlier layer (nor \"input\")");
    };
    for (int i = 0; i < n; ++i) {
        const NetworkNode<Scalar>& node = nodes_[i];
        if (node.inputs.empty())
            throw InputError("network: layer '" + node.name + "' reads nothing");
        int in_size = 0;
        for (const std::string& name : node.inputs) {
            const int s = find(name, i, node.name);
            sources_[i].push_back(s);
            in_size += width_of(s);
            if (s == from_input) continue;
            wants_dx_[i] = wants_dx_[i] || learns_[s];
            if (slot_[i] < 0) slot_[i] = slot_[s];
        }
        size_[i] = node.layer->output_size(in_size, node.name);
        learns_[i] = wants_dx_[i];
        if (dynamic_cast<const WeightNode<Scalar>*>(node.layer.get())) {
            slot_[i] = static_cast<int>(weight_nodes_.size());
            weight_nodes_.push_back(i);
            learns_[i] = true;
        }
        if (sources_[i].size() > 1) joined_[i].setZero(in_size);
        out_[i].setZero(size_[i]);
        dout_[i].setZero(size_[i]);
    }
    if (weight_nodes_.empty()) throw InputError("network.layers needs at least two entries");
    head_source_ = find(head_input_, n, "loss");
    for (int i = 0; i < n; ++i)
        if (readers[i] == 0)
            throw InputError("network: the output of layer '" + nodes_[i].name +
                             "' goes nowhere; every layer must lead to the loss");
    in_.setZero(input_size_);
    rank1_path_ = batch_size_ == 1;
    for (int k = 0; k < weight_count(); ++k)
        rank1_path_ = rank1_path_ && weight_node(k).stateless_optimizer() && weight_node(k).rank1();
}

template <typename Scalar>
void Network<Scalar>::join(int i) {
    int at = 0;
    for (int s : sources_[i]) {
        joined_[i].segment(at, width_of(s)) = value_of(s);
        at += width_of(s);
    }
}

template <typename Scalar>
void Network<Scalar>::check_sample_size(Eigen::Index size) const {
    if (size != input_size_)
        throw InputError("dataset samples have " + std::to_string(size) +
                         " values but the network takes " + std::to_string(input_size_));
}

template <typename Scalar>
SampleResult Network<Scalar>::propagate(int label, std::vector<StepContext>& ctx_of,
                                        bool to_input) {
    auto ctx = [&](int node) -> StepContext& {
        return node == from_input || slot_[node] < 0 ? ctx_of.back() : ctx_of[slot_[node]];
    };
    const int n = static_cast<int>(nodes_.size());

    // Forward propagation (seed 002 Fig. 1A) of the sample in in_.
    for (int i = 0; i < n; ++i) {
        if (sources_[i].size() > 1) join(i);
        nodes_[i].layer->forward(input_of(i), out_[i], ctx(i));
    }
    const SampleResult r =
        head_->forward_backward(value_of(head_source_), label, dhead_, ctx(head_source_));

    // Backward propagation in reverse node order; a node read by several others sums their
    // errors, a node reading several sources splits its error between them. With `to_input`
    // every node passes its error on, down to the sample itself (din_).
    std::vector<bool> has_error(n, false);
    bool input_has_error = false;
    auto add_error = [&](int target, const auto& error) {
        if (target == from_input) {
            if (!to_input) return;
            if (input_has_error)
                din_ += error;
            else
                din_ = error;
            input_has_error = true;
            return;
        }
        if (!learns_[target] && !to_input) return;
        if (has_error[target])
            dout_[target] += error;
        else
            dout_[target] = error;
        has_error[target] = true;
    };
    add_error(head_source_, dhead_);
    for (int i = n - 1; i >= 0; --i) {
        if (!has_error[i]) continue; // nothing upstream of it learns
        const std::vector<int>& src = sources_[i];
        const int s = src[0];
        if (src.size() == 1 && wants_dx_[i] && !has_error[s]) {
            // The usual chain: the error goes straight into the source's buffer.
            nodes_[i].layer->backward(input_of(i), out_[i], dout_[i], &dout_[s], ctx(i));
            has_error[s] = true;
            continue;
        }
        const bool dx = wants_dx_[i] || to_input;
        nodes_[i].layer->backward(input_of(i), out_[i], dout_[i], dx ? &extra_ : nullptr, ctx(i));
        if (!dx) continue;
        int at = 0;
        for (int t : src) {
            add_error(t, extra_.segment(at, width_of(t)));
            at += width_of(t);
        }
    }
    if (to_input && !input_has_error) din_.setZero(input_size_);
    return r;
}

template <typename Scalar>
std::vector<StepContext> Network<Scalar>::contexts(std::uint64_t step) {
    // Each weight node counts its own hardware operations (per-layer sparsity and energy views);
    // the last entry is for nodes that feed no weight node.
    std::vector<StepContext> ctx_of(weight_nodes_.size() + 1);
    for (std::size_t k = 0; k < weight_nodes_.size(); ++k)
        ctx_of[k] = {step, &counts_[k]};
    ctx_of.back() = {step, nullptr};
    return ctx_of;
}

template <typename Scalar>
SampleResult Network<Scalar>::input_gradient(const Vec& sample, int label, Vec& dx,
                                             StepContext& outer) {
    check_sample_size(sample.size());
    in_ = sample;
    std::vector<StepContext> ctx_of = contexts(outer.step);
    const SampleResult r = propagate(label, ctx_of, true);
    dx = din_;
    return r;
}

template <typename Scalar>
SampleResult Network<Scalar>::train_sample(const Eigen::Ref<const Eigen::VectorXf>& sample,
                                           int label, double learning_rate, StepContext& outer) {
    check_sample_size(sample.size());
    in_ = sample.template cast<Scalar>();
    std::vector<StepContext> ctx_of = contexts(outer.step);
    const SampleResult r = propagate(label, ctx_of, false);

    // Weight update: dW = -eta delta x^T, or accumulated for the mini-batch step.
    std::vector<std::uint64_t> products;
    for (int k = 0; k < weight_count(); ++k) {
        products.push_back(weight_node(k).fp_equivalent_updates());
        fp_equivalent_[k] += products.back();
    }
    if (rank1_path_) {
        for (int k = 0; k < weight_count(); ++k)
            weight_node(k).commit_rank1(static_cast<Scalar>(-learning_rate), ctx_of[k]);
    } else {
        for (int k = 0; k < weight_count(); ++k) {
            weight_node(k).accumulate_gradient();
            // Every sample's non-zero products delta x^T are multiplied and added into the
            // gradient memory (one read and one write each), whatever the batch: the step then
            // only scales and applies the sum (commit_batch counts that).
            OpCounts& up = counts_[k][Stage::update];
            up.digital_macs += products[std::size_t(k)];
            up.chi_reads += products[std::size_t(k)];
            up.chi_writes += products[std::size_t(k)];
        }
        if (++in_batch_ == batch_size_) flush_batch(learning_rate, outer);
    }
    for (int k = 0; k < weight_count(); ++k)
        weight_layer(k).end_of_image(ctx_of[k]);
    return r;
}

template <typename Scalar>
void Network<Scalar>::flush_batch(double learning_rate, StepContext& outer) {
    if (in_batch_ == 0) return;
    for (int k = 0; k < weight_count(); ++k) {
        StepContext ctx{outer.step, &counts_[k]};
        weight_node(k).commit_batch(in_batch_, learning_rate, ctx);
    }
    in_batch_ = 0;
}

template <typename Scalar>
typename Network<Scalar>::Matrix
Network<Scalar>::outputs(const Eigen::Ref<const Eigen::MatrixXf>& samples,
                         std::uint64_t eval_key) const {
    const Matrix x = samples.template cast<Scalar>();
    const auto m = x.cols();
    std::vector<Matrix> out(nodes_.size());
    auto batch_of = [&](int s) -> const Matrix& { return s == from_input ? x : out[s]; };
    Matrix joined;
    for (std::size_t i = 0; i < nodes_.size(); ++i) {
        const std::vector<int>& src = sources_[i];
        if (src.size() == 1) {
            nodes_[i].layer->forward_batch(batch_of(src[0]), out[i], eval_key);
            continue;
        }
        joined.resize(joined_[i].size(), m);
        int at = 0;
        for (int s : src) {
            joined.middleRows(at, width_of(s)) = batch_of(s);
            at += width_of(s);
        }
        nodes_[i].layer->forward_batch(joined, out[i], eval_key);
    }
    return batch_of(head_source_);
}

template <typename Scalar>
EvalResult Network<Scalar>::evaluate(const Eigen::MatrixXf& samples,
                                     const std::vector<std::uint8_t>& labels,
                                     std::uint64_t eval_step) const {
    struct Sum {
        long long correct = 0;
        double loss = 0;
    };
    const int n = static_cast<int>(labels.size());
    constexpr int chunk = 256;
    const int chunks = (n + chunk - 1) / chunk;
    // Fixed chunks summed in a fixed order: the same totals whatever the thread count.
    std::vector<Sum> sums(chunks);
    tbb::parallel_for(0, chunks, [&](int b) {
        const int c0 = b * chunk, m = std::min(chunk, n - c0);
        const Matrix z =
            outputs(samples.middleCols(c0, m), eval_step * 1000003ull + std::uint64_t(b));
        Sum s;
        for (int j = 0; j < m; ++j) {
            const int label = labels[c0 + j];
            const SampleResult r = head_->evaluate(z.col(j), label);
            s.correct += r.predicted == label;
            s.loss += r.loss;
        }
        sums[b] = s;
    });
    Sum total;
    for (const Sum& s : sums) {
        total.correct += s.correct;
        total.loss += s.loss;
    }
    return {n ? double(total.correct) / n : 0.0, n ? total.loss / n : 0.0};
}

template <typename Scalar>
void Network<Scalar>::save_state(StateArrays& out, const std::string& prefix) const {
    for (int k = 0; k < weight_count(); ++k) {
        const std::string p = prefix + "layer_" + std::to_string(k) + "/";
        weight_node(k).save_state(p, out, in_batch_ > 0);
        std::vector<std::uint64_t> counts;
        for (const OpCounts& c : counts_[k].stage)
            for (std::uint64_t v : op_count_values(c))
                counts.push_back(v);
        put_array(out, p + "op_counts_epoch", counts,
                  {std::size_t(stage_count), counts.size() / stage_count});
        put_array(out, p + "fp_equivalent_updates_epoch",
                  std::vector<std::uint64_t>{fp_equivalent_[k]}, {1});
    }
    put_array(out, prefix + "network/in_batch", std::vector<std::int32_t>{in_batch_}, {1});
}

template <typename Scalar>
void Network<Scalar>::load_state(const StateArrays& in, const std::string& prefix) {
    in_batch_ = get_array<std::int32_t>(in, prefix + "network/in_batch", 1)[0];
    for (int k = 0; k < weight_count(); ++k) {
        const std::string p = prefix + "layer_" + std::to_string(k) + "/";
        weight_node(k).load_state(p, in, in_batch_ > 0);
        const std::size_t per_stage = op_count_values(OpCounts{}).size();
        const auto& counts =
            get_array<std::uint64_t>(in, p + "op_counts_epoch", stage_count * per_stage);
        for (int s = 0; s < stage_count; ++s)
            counts_[k].stage[s] = op_counts_from_values(&counts[s * per_stage]);
        fp_equivalent_[k] = get_array<std::uint64_t>(in, p + "fp_equivalent_updates_epoch", 1)[0];
    }
}

template class Network<float>;
template class Network<double>;

} // namespace cbl
