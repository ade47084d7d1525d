#include "core/network/optimizer.hpp"

#include "core/common/json_fields.hpp"
#include "core/common/param_error.hpp"

#include <cmath>

namespace cbl {

void OptimizerConfig::validate() const {
    if (type != "sgd" && type != "momentum" && type != "adam")
        throw InputError("training.optimizer.type = \"" + type +
                         "\"; allowed: sgd, momentum, adam");
    require_above("training.optimizer.learning_rate", learning_rate, 0, 100);
    require_range("training.optimizer.momentum", momentum, 0, 0.999);
    require_range("training.optimizer.beta1", beta1, 0, 0.9999);
    require_range("training.optimizer.beta2", beta2, 0, 0.999999);
    require_above("training.optimizer.adam_epsilon", adam_epsilon, 0, 1);
    if (schedule != "constant" && schedule != "step" && schedule != "exponential")
        throw InputError("training.optimizer.schedule = \"" + schedule +
                         "\"; allowed: constant, step, exponential");
    require_above("training.optimizer.decay", decay, 0, 1);
    require_range("training.optimizer.decay_epochs", decay_epochs, 1, 100000, "epochs");
}

double OptimizerConfig::rate_at_epoch(int epoch) const {
    if (schedule == "step") return learning_rate * std::pow(decay, epoch / decay_epochs);
    if (schedule == "exponential") return learning_rate * std::pow(decay, epoch);
    return learning_rate;
}

void to_json(nlohmann::json& j, const OptimizerConfig& c) {
    j = {{"type", c.type},
         {"learning_rate", c.learning_rate},
         {"momentum", c.momentum},
         {"beta1", c.beta1},
         {"beta2", c.beta2},
         {"adam_epsilon", c.adam_epsilon},
         {"schedule", c.schedule},
         {"decay", c.decay},
         {"decay_epochs", c.decay_epochs}};
}

void from_json(const nlohmann::json& j, OptimizerConfig& c) {
    JsonFields f(j, "training.optimizer");
    f.get("type", c.type);
    f.get("learning_rate", c.learning_rate);
    f.get("momentum", c.momentum);
    f.get("beta1", c.beta1);
    f.get("beta2", c.beta2);
    f.get("adam_epsilon", c.adam_epsilon);
    f.get("schedule", c.schedule);
    f.get("decay", c.decay);
    f.get("decay_epochs", c.decay_epochs);
    f.finish();
}

} // namespace cbl
