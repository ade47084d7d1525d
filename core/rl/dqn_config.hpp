#pragma once
// The DQN agent's settings (core/rl/dqn.hpp), apart from the agent so the experiment config can
// hold them without the network headers. Ranges, units and meanings: the parameter schema,
// core/config/fields.hpp ("rl." fields).
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace cbl::rl {

struct DqnConfig {
    std::string env = "cartpole";
    int episodes = 1000;               ///< training budget [episodes]
    std::vector<int> hidden{128, 128}; ///< hidden ReLU neurons per layer
    double gamma = 0.99;               ///< discount per step
    int replay_capacity = 50000;       ///< transitions kept
    int batch_size = 64;               ///< transitions per learning step
    int warmup_steps = 1000;           ///< random steps before learning starts
    int train_every = 1;               ///< environment steps per learning step
    int target_update_steps = 500;     ///< learning steps between target-network refreshes
    double epsilon_start = 1.0, epsilon_end = 0.02; ///< exploration, decayed linearly
    int epsilon_decay_steps = 10000;                ///< environment steps of the decay
    double huber_delta = 1.0;                       ///< TD error where the loss turns linear
    /// Double DQN (van Hasselt et al. 2016): the online network picks a', the target network
    /// values it, which removes max's upward bias of noisy estimates.
    bool double_q = true;
    /// Stop once the mean reward of the last 100 episodes reaches this (0 = play the budget).
    double stop_at_mean_reward = 0;

    /// Every field against its schema range (core/config/config_json.cpp).
    void validate() const;
};

void to_json(nlohmann::json& j, const DqnConfig& c);
/// Reads and checks the "rl" group; InputError names the field as written ("rl.gamma").
void from_json(const nlohmann::json& j, DqnConfig& c);

} // namespace cbl::rl
