#pragma once
// Neuron nonlinearities and the softmax output (seed 002 Fig. 3A: sigmoid hidden neurons,
// softmax output with cross-entropy loss; tanh for the LSTM cells of seed 002 Fig. 4).
#include "core/common/param_error.hpp"

#include <Eigen/Core>

#include <string>

namespace cbl {

enum class Activation { sigmoid, relu, tanh };

inline Activation activation_from_string(const std::string& s) {
    if (s == "sigmoid") return Activation::sigmoid;
    if (s == "relu") return Activation::relu;
    if (s == "tanh") return Activation::tanh;
    throw InputError("network.hidden_activation = \"" + s + "\"; allowed: sigmoid, relu, tanh");
}
inline const char* to_string(Activation a) {
    return a == Activation::sigmoid ? "sigmoid" : a == Activation::relu ? "relu" : "tanh";
}

/// h = f(z).
template <typename Vec>
void activate(Activation a, const Vec& z, Vec& h) {
    if (a == Activation::sigmoid)
        h = (1 + (-z.array()).exp()).inverse().matrix();
    else if (a == Activation::relu)
        h = z.cwiseMax(0);
    else
        h = z.array().tanh().matrix();
}

/// d *= f'(z), written in terms of h = f(z) to avoid recomputing the exponential.
template <typename Vec>
void multiply_derivative(Activation a, const Vec& h, Vec& d) {
    if (a == Activation::sigmoid)
        d.array() *= h.array() * (1 - h.array());
    else if (a == Activation::relu)
        d.array() *= (h.array() > 0).template cast<typename Vec::Scalar>();
    else
        d.array() *= 1 - h.array().square();
}

/// Numerically stable softmax in place.
template <typename Vec>
void softmax(Vec& z) {
    z.array() = (z.array() - z.maxCoeff()).exp();
    z /= z.sum();
}

} // namespace cbl
