#pragma once
// The end of a network: turns its last output into a prediction, a loss and the error dL/dz
// that starts backpropagation.
#include "core/network/activation.hpp"
#include "core/network/weight_layer.hpp"

#include <algorithm>
#include <cmath>

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

} // namespace cbl
