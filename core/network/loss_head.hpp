#pragma once
// The end of a network: turns its last output into a prediction, a loss and the error dL/dz
// that starts backpropagation.
#include "core/network/activation.hpp"
#include "core/network/weight_layer.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <memory>

namespace cbl {

struct SampleResult {
    int predicted = 0;
    double loss = 0; ///< cross-entropy [nats]
};

template <typename Scalar>
class LossHead {
  public:
    using Vec = Eigen::Matrix<Scalar, Eigen::Dynamic, 1>;

    virtual ~LossHead() = default;
    /// Training: prediction and loss of one sample, and dz = dL/dz.
    virtual SampleResult forward_backward(const Vec& z, int label, Vec& dz, StepContext& ctx) = 0;
    /// Evaluation: prediction and loss of one sample.
    virtual SampleResult evaluate(const Vec& z, int label) const = 0;
    virtual std::unique_ptr<LossHead> clone() const = 0;
};

/// Softmax outputs with cross-entropy loss (seed 002 Fig. 3A); dL/dz = p - onehot(label).
template <typename Scalar>
class SoftmaxCrossEntropy final : public LossHead<Scalar> {
  public:
    using typename LossHead<Scalar>::Vec;

    SampleResult forward_backward(const Vec& z, int label, Vec& dz, StepContext& ctx) override {
        dz = z;
        softmax(dz);
        if (ctx.counts) (*ctx.counts)[Stage::forward].activations += dz.size();
        const SampleResult r = result(dz, label);
        dz[label] -= 1;
        return r;
    }
    SampleResult evaluate(const Vec& z, int label) const override {
        Vec p = z;
        softmax(p);
        return result(p, label);
    }
    std::unique_ptr<LossHead<Scalar>> clone() const override {
        return std::make_unique<SoftmaxCrossEntropy>(*this);
    }

  private:
    static SampleResult result(const Vec& p, int label) {
        SampleResult r;
        p.maxCoeff(&r.predicted);
        r.loss = -std::log(std::max<double>(p[label], 1e-30));
        return r;
    }
};

/// A character model's loss (seed 002 Fig. 4D-E): at each of the T steps of a sequence a softmax
/// over the V characters predicts the next one. The head reads the network's output, V x T
/// (channel-major: character v of step t at v*T + t), followed by the sample itself, T + 1
/// character indices, whose entries 1..T are the targets. The loss is the mean cross-entropy
/// per character [nats] (bits per character = loss / ln 2); the prediction is that of the last
/// step, so accuracy over samples whose label is their last character estimates the
/// per-character accuracy.
template <typename Scalar>
class SequenceSoftmaxCrossEntropy final : public LossHead<Scalar> {
  public:
    using typename LossHead<Scalar>::Vec;
    using Matrix = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;

    SequenceSoftmaxCrossEntropy(int vocabulary, int steps) : v_(vocabulary), t_(steps) {}

    SampleResult forward_backward(const Vec& z, int, Vec& dz, StepContext& ctx) override {
        dz.setZero(z.size());
        Eigen::Map<Matrix> dp(dz.data(), t_, v_);
        const SampleResult r = run(z, &dp);
        if (ctx.counts) (*ctx.counts)[Stage::forward].activations += std::uint64_t(v_ * t_);
        return r;
    }
    SampleResult evaluate(const Vec& z, int) const override { return run(z, nullptr); }
    std::unique_ptr<LossHead<Scalar>> clone() const override {
        return std::make_unique<SequenceSoftmaxCrossEntropy>(*this);
    }

  private:
    /// Loss and prediction; with `dp`, also dL/dz = (p_t - onehot(target_t)) / T per step.
    SampleResult run(const Vec& z, Eigen::Map<Matrix>* dp) const {
        const Eigen::Map<const Matrix> logits(z.data(), t_, v_);
        const Scalar* targets = z.data() + std::ptrdiff_t(v_) * t_ + 1;
        SampleResult r;
        Vec p;
        for (int t = 0; t < t_; ++t) {
            p = logits.row(t).transpose();
            softmax(p);
            const int target = static_cast<int>(targets[t]);
            r.loss -= std::log(std::max<double>(p[target], 1e-30));
            if (t == t_ - 1) p.maxCoeff(&r.predicted);
            if (!dp) continue;
            p[target] -= 1;
            dp->row(t) = p.transpose() / static_cast<Scalar>(t_);
        }
        r.loss /= t_;
        return r;
    }

    int v_, t_;
};

/// Deep Q-learning's temporal-difference loss (Mnih et al. 2013, cited by seed 000 as its DRL
/// reference): only the output of the action taken, Q(s, a), is compared with the target
/// y = r + gamma max_a' Q_target(s', a'), through the Huber loss (quadratic within `delta` of the
/// target, linear beyond, so a large TD error cannot blow up a step). The agent sets (a, y) of
/// each sample through the shared TdTarget before the network trains on it.
struct TdTarget {
    int action = 0;
    double value = 0;
};

template <typename Scalar>
class TdHuberLoss final : public LossHead<Scalar> {
  public:
    using typename LossHead<Scalar>::Vec;

    TdHuberLoss(std::shared_ptr<const TdTarget> target, double delta)
        : target_(std::move(target)), delta_(delta) {}

    SampleResult forward_backward(const Vec& z, int, Vec& dz, StepContext&) override {
        const double td = double(z[target_->action]) - target_->value;
        dz.setZero(z.size());
        dz[target_->action] = static_cast<Scalar>(std::clamp(td, -delta_, delta_));
        SampleResult r;
        z.maxCoeff(&r.predicted);
        r.loss = std::abs(td) <= delta_ ? 0.5 * td * td : delta_ * (std::abs(td) - 0.5 * delta_);
        return r;
    }
    SampleResult evaluate(const Vec& z, int) const override {
        SampleResult r;
        z.maxCoeff(&r.predicted);
        return r;
    }
    std::unique_ptr<LossHead<Scalar>> clone() const override {
        return std::make_unique<TdHuberLoss>(*this);
    }

  private:
    std::shared_ptr<const TdTarget> target_;
    double delta_;
};

/// A GAN discriminator's loss (Goodfellow et al. 2014): one output z, the logit of "real";
/// label 1 for a real image, 0 for a generated one. Binary cross-entropy on sigmoid(z),
/// L = -y log s(z) - (1 - y) log(1 - s(z)) = softplus(z) - y z (written stably), dL/dz = s(z) - y.
/// The generator's non-saturating loss -log D(G(u)) is this loss with label 1 on a fake.
template <typename Scalar>
class SigmoidBinaryCrossEntropy final : public LossHead<Scalar> {
  public:
    using typename LossHead<Scalar>::Vec;

    SampleResult forward_backward(const Vec& z, int label, Vec& dz, StepContext& ctx) override {
        const double s = 1 / (1 + std::exp(-double(z[0])));
        dz.setZero(1);
        dz[0] = static_cast<Scalar>(s - label);
        if (ctx.counts) (*ctx.counts)[Stage::forward].activations += 1;
        return evaluate(z, label);
    }
    SampleResult evaluate(const Vec& z, int label) const override {
        const double x = z[0];
        SampleResult r;
        r.predicted = x > 0;
        r.loss = std::max(x, 0.0) - label * x + std::log1p(std::exp(-std::abs(x)));
        return r;
    }
    std::unique_ptr<LossHead<Scalar>> clone() const override {
        return std::make_unique<SigmoidBinaryCrossEntropy>(*this);
    }
};

/// A loss computed outside the network: `loss(z, dz)` returns L(z) and, when dz is not null,
/// writes dL/dz. A GAN generator's head: its output goes through the discriminator, which hands
/// the gradient back (core/gan/gan.hpp).
template <typename Scalar>
class ExternalLoss final : public LossHead<Scalar> {
  public:
    using typename LossHead<Scalar>::Vec;
    using Function = std::function<double(const Vec& z, Vec* dz)>;

    explicit ExternalLoss(Function loss) : loss_(std::move(loss)) {}

    SampleResult forward_backward(const Vec& z, int, Vec& dz, StepContext&) override {
        return {0, loss_(z, &dz)};
    }
    SampleResult evaluate(const Vec& z, int) const override { return {0, loss_(z, nullptr)}; }
    std::unique_ptr<LossHead<Scalar>> clone() const override {
        return std::make_unique<ExternalLoss>(*this);
    }

  private:
    Function loss_;
};

} // namespace cbl
