#pragma once
// The digital optimizer: turns a gradient into a desired weight change dW. Seed 002's point is
// that this stays in high precision in the digital unit, so any optimizer works on top of the
// crossbar; the layer then decides how dW reaches the weights (FP add, chi accumulator, pulses).
// Ranges, units and meanings of the fields: the parameter schema, core/config/fields.hpp.
#include <Eigen/Core>
#include <nlohmann/json.hpp>

#include <string>

namespace cbl {

struct OptimizerConfig {
    std::string type = "sgd"; ///< "sgd", "momentum", "adam"
    double learning_rate = 0.1;
    double momentum = 0.9; ///< momentum coefficient (type "momentum")
    double beta1 = 0.9, beta2 = 0.999, adam_epsilon = 1e-8; ///< Adam (Kingma & Ba 2015)
    std::string schedule = "constant";                      ///< "constant", "step", "exponential"
    double decay = 0.5; ///< step: factor every decay_epochs; exponential: factor per epoch
    int decay_epochs = 10;
    /// Largest L2 norm of a matrix's mean mini-batch gradient, rescaled to it when above
    /// (Pascanu, Mikolov & Bengio 2013, "On the difficulty of training recurrent neural
    /// networks"); 0 = no clipping.
    double clip_norm = 0;

    void validate() const;
    /// Learning rate in force during `epoch` (0-based).
    double rate_at_epoch(int epoch) const;
};

void to_json(nlohmann::json& j, const OptimizerConfig& c);
void from_json(const nlohmann::json& j, OptimizerConfig& c);

/// Optimizer state for one weight matrix.
template <typename Scalar>
class Optimizer {
  public:
    using Matrix = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;

    Optimizer() = default;
    Optimizer(const OptimizerConfig& c, int rows, int cols) : cfg_(c) {
        if (c.type == "momentum") velocity_.setZero(rows, cols);
        if (c.type == "adam") {
            m_.setZero(rows, cols);
            v_.setZero(rows, cols);
        }
    }

    /// Plain SGD needs no state: a batch-1 step can then be fused as a rank-1 update.
    bool stateless() const { return cfg_.type == "sgd"; }

    /// In place: gradient (mean over the batch) -> desired weight change dW.
    void gradient_to_delta(Matrix& g, double lr) {
        const Scalar eta = static_cast<Scalar>(lr);
        if (cfg_.clip_norm > 0) {
            const double norm = static_cast<double>(g.norm());
            if (norm > cfg_.clip_norm) g *= static_cast<Scalar>(cfg_.clip_norm / norm);
        }
        if (cfg_.type == "sgd") {
            g *= -eta;
        } else if (cfg_.type == "momentum") {
            velocity_ = static_cast<Scalar>(cfg_.momentum) * velocity_ - eta * g;
            g = velocity_;
        } else {
            ++t_;
            const Scalar b1 = static_cast<Scalar>(cfg_.beta1), b2 = static_cast<Scalar>(cfg_.beta2);
            m_ = b1 * m_ + (1 - b1) * g;
            v_ = b2 * v_ + (1 - b2) * g.cwiseAbs2();
            const Scalar c1 = 1 - static_cast<Scalar>(std::pow(cfg_.beta1, t_));
            const Scalar c2 = 1 - static_cast<Scalar>(std::pow(cfg_.beta2, t_));
            const Scalar e = static_cast<Scalar>(cfg_.adam_epsilon);
            g = -eta * (m_ / c1).array() / ((v_ / c2).array().sqrt() + e);
        }
    }

    // Exposed for sessions: the optimizer state is part of the training state.
    Matrix velocity_, m_, v_;
    long long t_ = 0;

  private:
    OptimizerConfig cfg_;
};

} // namespace cbl
