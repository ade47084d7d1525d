#include "core/rl/environment.hpp"

#include "core/common/param_error.hpp"
#include "core/common/rng.hpp"
#include "core/rl/tasks.hpp"

namespace cbl::rl {

void Environment::reset(std::uint64_t seed, std::uint64_t episode) {
    const CounterRng rng(seed, RngStream::environment);
    steps_ = 0;
    start([&](int i) { return rng.uniform(episode, static_cast<std::uint32_t>(i)); });
}

StepResult Environment::step(int action) {
    if (action < 0 || action >= action_count())
        throw InputError(name() + ": action " + std::to_string(action) + " is outside 0.." +
                         std::to_string(action_count() - 1));
    StepResult r = advance(action);
    r.truncated = !r.terminated && ++steps_ >= max_steps_;
    return r;
}

const std::vector<std::string>& environment_names() {
    static const std::vector<std::string> names = {"cartpole", "mountaincar", "acrobot"};
    return names;
}

std::unique_ptr<Environment> make_environment(const std::string& name) {
    if (name == "cartpole") return std::make_unique<CartPole>();
    if (name == "mountaincar") return std::make_unique<MountainCar>();
    if (name == "acrobot") return std::make_unique<Acrobot>();
    throw InputError("--env " + name + " is not known; available: cartpole, mountaincar, acrobot");
}

} // namespace cbl::rl
