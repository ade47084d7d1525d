#pragma once
// Neuron nonlinearities and the softmax output (seed 002 Fig. 3A: sigmoid hidden neurons,
// softmax output with cross-entropy loss).
#include "core/common/param_error.hpp"

#include <Eigen/Core>

#include <string>

namespace cbl {

enum class Activation { sigmoid, relu };

inline Activation activation_from_string(const std::string& s) {
    if (s == "sigmoid") return Activation::sigmoid;
    if (s == "relu") return Activation::relu;
    throw InputError("network.hidden_activation = \"" + s + "\"; allowed: sigmoid, relu");
}
inline const char* to_string(Activation a) {
    return a == Activation::sigmoid ? "sigmoid" : "relu";
}

/// h = f(z).
template <typename Vec>
void activate(Activation a, const Vec& z, Vec& h) {
    if (a == Activation::sigmoid)
        h = (1 + (-z.array()).exp()).inverse().matrix();
    else
        h = z.cwiseMax(0);
}

/// d *= f'(z), written in terms of h = f(z) to avoid recomputing the exponential.
template <typename Vec>
void multiply_derivative(Activation a, const Vec& h, Vec& d) {
    if (a == Activation::sigmoid)
        d.array() *= h.array() * (1 - h.array());
    else
        d.array() *= (h.array() > 0).template cast<typename Vec::Scalar>();
}

/// Numerically stable softmax in place.
template <typename Vec>
void softmax(Vec& z) {
    z.array() = (z.array() - z.maxCoeff()).exp();
    z /= z.sum();
}

} // namespace cbl
