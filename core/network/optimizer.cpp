#include "core/network/optimizer.hpp"

#include <cmath>

namespace cbl {

double OptimizerConfig::rate_at_epoch(int epoch) const {
    if (schedule == "step") return learning_rate * std::pow(decay, epoch / decay_epochs);
    if (schedule == "exponential") return learning_rate * std::pow(decay, epoch);
    return learning_rate;
}

} // namespace cbl
