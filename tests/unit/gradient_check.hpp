#pragma once
// The gradient check tst_network and tst_conv share: dL/dW of every weight node of a
// full-precision network from one SGD step, against central finite differences of the loss.
#include "core/network/fp_layer.hpp"
#include "core/network/network.hpp"

#include <QtTest>

#include <Eigen/Core>

#include <cmath>
#include <vector>

namespace cbl::test {

/// Full-precision weight matrices of the given (rows, columns), keyed by `seed`.
template <typename Scalar>
WeightLayers<Scalar> fp_layers(const std::vector<std::pair<int, int>>& shapes, std::uint64_t seed) {
    WeightLayers<Scalar> w;
    for (std::size_t k = 0; k < shapes.size(); ++k)
        w.push_back(std::make_unique<FpLayer<Scalar>>(shapes[k].first, shapes[k].second, seed,
                                                      static_cast<std::uint32_t>(k)));
    return w;
}

inline FpLayer<double>& fp_layer(Network<double>& net, int k) {
    return static_cast<FpLayer<double>&>(net.weight_layer(k));
}

/// Loss of one sample: the evaluation path, or the training path at the step the dropout masks
/// are keyed by (7), with learning rate 0.
inline double loss_of(Network<double>& net, const Eigen::VectorXf& x, int label, bool training) {
    if (!training) return net.evaluate(x, {std::uint8_t(label)}, 0).loss;
    StepContext ctx{7, nullptr};
    return net.train_sample(x, label, 0.0, ctx).loss;
}

/// Compares (before - after) / eta of `net`'s weights (one SGD step of rate eta from `before`)
/// with central differences of `loss()` around `before`, restoring `before` first; with
/// `nonzero`, every layer's gradient must also be non-zero (the check is not vacuous).
template <typename Loss>
void compare_with_central_differences(Network<double>& net,
                                      const std::vector<Eigen::MatrixXd>& before, double eta,
                                      Loss&& loss, bool nonzero) {
    std::vector<Eigen::MatrixXd> analytic;
    // Finite differences around the weights the gradient was taken at: restore every layer.
    for (int k = 0; k < net.weight_count(); ++k) {
        analytic.push_back((before[k] - net.weight_layer(k).weights()) / eta);
        fp_layer(net, k).mutable_weights() = before[k];
    }
    for (int k = 0; k < net.weight_count(); ++k) {
        auto& w = fp_layer(net, k).mutable_weights();
        if (nonzero) QVERIFY(analytic[k].cwiseAbs().maxCoeff() > 0);
        for (int r = 0; r < w.rows(); ++r)
            for (int c = 0; c < w.cols(); ++c) {
                const double h = 1e-6, keep = w(r, c);
                w(r, c) = keep + h;
                const double up = loss();
                w(r, c) = keep - h;
                const double down = loss();
                w(r, c) = keep;
                const double numeric = (up - down) / (2 * h);
                QVERIFY2(std::abs(numeric - analytic[k](r, c)) < 1e-6 + 1e-4 * std::abs(numeric),
                         qPrintable(QString("layer %1 (%2,%3): numeric %4 analytic %5")
                                        .arg(k)
                                        .arg(r)
                                        .arg(c)
                                        .arg(numeric)
                                        .arg(analytic[k](r, c))));
            }
    }
}

/// Compares the analytic gradient (one SGD step of rate eta changes W by -eta dL/dW, taken at
/// step 7) with (L(w + h) - L(w - h)) / 2h of `training` or evaluation loss, for every weight.
/// With `nonzero`, every layer's gradient must also be non-zero (the check is not vacuous).
inline void check_gradient(Network<double>& net, const Eigen::VectorXf& x, int label, bool training,
                           bool nonzero = false) {
    std::vector<Eigen::MatrixXd> before;
    for (int k = 0; k < net.weight_count(); ++k)
        before.push_back(net.weight_layer(k).weights());
    const double eta = 1e-3;
    StepContext ctx{7, nullptr};
    net.train_sample(x, label, eta, ctx);
    compare_with_central_differences(
        net, before, eta, [&] { return loss_of(net, x, label, training); }, nonzero);
}

} // namespace cbl::test
