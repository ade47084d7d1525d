#include "core/network/mlp.hpp"

#include "core/common/param_error.hpp"

#include <tbb/parallel_for.h>

#include <cmath>

namespace cbl {

template <typename Scalar>
Mlp<Scalar>::Mlp(Activation hidden, Layers layers, const OptimizerConfig& opt, int batch_size)
    : hidden_(hidden), layers_(std::move(layers)), batch_size_(batch_size), counts_(layers_.size()),
      fp_equivalent_(layers_.size()) {
    require_range("training.batch_size", batch_size, 1, 65536, "images");
    if (layers_.empty()) throw InputError("network.layers needs at least two entries");
    for (std::size_t k = 0; k < layers_.size(); ++k) {
        if (k > 0 && layers_[k]->inputs() != layers_[k - 1]->outputs() + 1)
            throw InputError("network.layers: layer " + std::to_string(k) + " expects " +
                             std::to_string(layers_[k]->inputs()) + " inputs but layer " +
                             std::to_string(k - 1) + " gives " +
                             std::to_string(layers_[k - 1]->outputs()) + " + bias");
        optimizers_.emplace_back(opt, layers_[k]->outputs(), layers_[k]->inputs());
        grad_.push_back(Matrix::Zero(layers_[k]->outputs(), layers_[k]->inputs()));
        a_.push_back(Vec::Zero(layers_[k]->inputs()));
        z_.push_back(Vec::Zero(layers_[k]->outputs()));
        delta_.push_back(Vec::Zero(layers_[k]->outputs()));
    }
}

template <typename Scalar>
SampleResult Mlp<Scalar>::train_sample(const Eigen::Ref<const Eigen::VectorXf>& pixels, int label,
                                       double learning_rate, StepContext& outer) {
    const int n_layers = layer_count();
    // Each layer counts its own hardware operations (per-layer sparsity and energy views).
    std::vector<StepContext> ctx_of(n_layers);
    for (int k = 0; k < n_layers; ++k)
        ctx_of[k] = {outer.step, &counts_[k]};
    if (pixels.size() + 1 != layers_[0]->inputs())
        throw InputError("dataset images have " + std::to_string(pixels.size()) +
                         " pixels but network.layers[0] = " + std::to_string(layers_[0]->inputs()) +
                         " expects " + std::to_string(layers_[0]->inputs() - 1) + " + bias");

    // Forward propagation: x -> W x -> f (seed 002 Fig. 1A); bias input fixed at 1.
    a_[0].head(pixels.size()) = pixels.template cast<Scalar>();
    a_[0][pixels.size()] = 1;
    for (int k = 0; k < n_layers; ++k) {
        layers_[k]->forward(a_[k], z_[k], ctx_of[k]);
        if (k + 1 < n_layers) {
            auto& next = a_[k + 1];
            Vec h(z_[k].size());
            activate(hidden_, z_[k], h);
            next.head(h.size()) = h;
            next[h.size()] = 1;
        }
        counts_[k][Stage::forward].activations += z_[k].size();
    }
    Vec& p = z_.back();
    softmax(p);
    SampleResult r;
    p.maxCoeff(&r.predicted);
    r.loss = -std::log(std::max<double>(p[label], 1e-30));

    // Backward propagation: softmax + cross-entropy error, then W^T delta through each layer.
    delta_.back() = p;
    delta_.back()[label] -= 1;
    for (int k = n_layers - 1; k > 0; --k) {
        layers_[k]->backward(delta_[k], back_, ctx_of[k]);
        const auto& h = a_[k].head(delta_[k - 1].size());
        delta_[k - 1] = back_.head(h.size());
        multiply_derivative(hidden_, Vec(h), delta_[k - 1]);
        counts_[k - 1][Stage::backward].activations += h.size();
        counts_[k - 1][Stage::backward].digital_macs += h.size();
    }

    // Weight update: dW = -eta delta x^T (seed 002: computed in the high-precision digital unit).
    for (int k = 0; k < n_layers; ++k)
        fp_equivalent_[k] += std::uint64_t((a_[k].array() != 0).count()) *
                             std::uint64_t((delta_[k].array() != 0).count());
    if (batch_size_ == 1 && optimizers_[0].stateless()) {
        for (int k = 0; k < n_layers; ++k)
            layers_[k]->commit_rank1(a_[k], delta_[k], static_cast<Scalar>(-learning_rate),
                                     ctx_of[k]);
    } else {
        for (int k = 0; k < n_layers; ++k)
            for (int c = 0; c < a_[k].size(); ++c)
                if (a_[k][c] != 0) grad_[k].col(c).noalias() += a_[k][c] * delta_[k];
        if (++in_batch_ == batch_size_) flush_batch(learning_rate, outer);
    }
    for (int k = 0; k < n_layers; ++k)
        layers_[k]->end_of_image(ctx_of[k]);
    return r;
}

template <typename Scalar>
void Mlp<Scalar>::flush_batch(double learning_rate, StepContext& outer) {
    if (in_batch_ == 0) return;
    for (int k = 0; k < layer_count(); ++k) {
        StepContext ctx{outer.step, &counts_[k]};
        grad_[k] /= static_cast<Scalar>(in_batch_);
        optimizers_[k].gradient_to_delta(grad_[k], learning_rate);
        layers_[k]->commit(grad_[k], ctx);
        grad_[k].setZero();
    }
    in_batch_ = 0;
}

template <typename Scalar>
EvalResult Mlp<Scalar>::evaluate(const Eigen::MatrixXf& images,
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
        Matrix a(images.rows() + 1, m);
        a.topRows(images.rows()) = images.middleCols(c0, m).template cast<Scalar>();
        a.row(images.rows()).setOnes();
        Matrix z;
        for (int k = 0; k < layer_count(); ++k) {
            layers_[k]->forward_batch(a, z, eval_step * 1000003ull + std::uint64_t(b));
            if (k + 1 < layer_count()) {
                a.resize(z.rows() + 1, m);
                for (int s = 0; s < m; ++s) {
                    Vec h(z.rows());
                    activate(hidden_, Vec(z.col(s)), h);
                    a.col(s).head(h.size()) = h;
                }
                a.row(z.rows()).setOnes();
            }
        }
        Sum s;
        for (int j = 0; j < m; ++j) {
            Vec p = z.col(j);
            softmax(p);
            int pred = 0;
            p.maxCoeff(&pred);
            const int label = labels[c0 + j];
            s.correct += pred == label;
            s.loss -= std::log(std::max<double>(p[label], 1e-30));
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
void Mlp<Scalar>::save_state(StateArrays& out) const {
    for (int k = 0; k < layer_count(); ++k) {
        const std::string p = "layer_" + std::to_string(k) + "/";
        layers_[k]->save_state(p, out);
        const Optimizer<Scalar>& o = optimizers_[k];
        if (o.velocity_.size()) put_matrix(out, p + "optimizer_velocity", o.velocity_, "weight");
        if (o.m_.size()) {
            put_matrix(out, p + "optimizer_adam_m", o.m_, "weight");
            put_matrix(out, p + "optimizer_adam_v", o.v_, "weight^2");
            put_array(out, p + "optimizer_adam_t", std::vector<std::uint64_t>{std::uint64_t(o.t_)},
                      {1});
        }
        if (in_batch_ > 0) put_matrix(out, p + "pending_gradient", grad_[k], "weight");
        std::vector<std::uint64_t> counts;
        for (const OpCounts& c : counts_[k].stage)
            for (std::uint64_t v : op_count_values(c))
                counts.push_back(v);
        put_array(out, p + "op_counts_epoch", counts,
                  {std::size_t(stage_count), counts.size() / stage_count});
        put_array(out, p + "fp_equivalent_updates_epoch",
                  std::vector<std::uint64_t>{fp_equivalent_[k]}, {1});
    }
    put_array(out, "network/in_batch", std::vector<std::int32_t>{in_batch_}, {1});
}

template <typename Scalar>
void Mlp<Scalar>::load_state(const StateArrays& in) {
    in_batch_ = get_array<std::int32_t>(in, "network/in_batch", 1)[0];
    for (int k = 0; k < layer_count(); ++k) {
        const std::string p = "layer_" + std::to_string(k) + "/";
        layers_[k]->load_state(p, in);
        Optimizer<Scalar>& o = optimizers_[k];
        if (o.velocity_.size()) get_matrix(in, p + "optimizer_velocity", o.velocity_);
        if (o.m_.size()) {
            get_matrix(in, p + "optimizer_adam_m", o.m_);
            get_matrix(in, p + "optimizer_adam_v", o.v_);
            o.t_ =
                static_cast<long long>(get_array<std::uint64_t>(in, p + "optimizer_adam_t", 1)[0]);
        }
        if (in_batch_ > 0) get_matrix(in, p + "pending_gradient", grad_[k]);
        const std::size_t per_stage = op_count_values(OpCounts{}).size();
        const auto& counts =
            get_array<std::uint64_t>(in, p + "op_counts_epoch", stage_count * per_stage);
        for (int s = 0; s < stage_count; ++s)
            counts_[k].stage[s] = op_counts_from_values(&counts[s * per_stage]);
        fp_equivalent_[k] = get_array<std::uint64_t>(in, p + "fp_equivalent_updates_epoch", 1)[0];
    }
}

template class Mlp<float>;
template class Mlp<double>;

} // namespace cbl
