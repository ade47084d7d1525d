#pragma once
// Deep Q-learning (Mnih et al. 2013, "Playing Atari with Deep Reinforcement Learning", the DRL
// reference of seed 000): a Q-network maps a state to one value per action; the agent acts
// epsilon-greedily, stores transitions in a replay memory and learns from random mini-batches
// towards y = r + gamma max_a' Q_target(s', a'), the target network being a copy of the online
// network refreshed every `target_update_steps` learning steps (the later Nature version's
// stabiliser). The online network's weight matrices come from the experiment's scheme, so the
// same agent trains in full precision or in RRAM tiles under TIME's write scheme.
#include "core/network/network.hpp"
#include "core/rl/dqn_config.hpp"
#include "core/rl/environment.hpp"
#include "core/rl/replay_memory.hpp"

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace cbl::rl {

/// Weight matrices for the layer list [observations + 1, hidden..., actions] (bias inputs
/// counted as in network.layers), from the experiment's training scheme.
using WeightFactory = std::function<WeightLayers<float>(const std::vector<int>& layers)>;

class DqnAgent {
  public:
    DqnAgent(const DqnConfig& config, const OptimizerConfig& optimizer,
             const WeightFactory& weights, std::uint64_t seed);

    /// Plays one environment step, learning as it goes; the first step after an episode ended
    /// starts the next. Returns true when this step ended the episode (its reward is then
    /// episode_rewards().back()). Views watch the environment between steps.
    bool step();
    /// Plays steps to the end of the current episode (a whole one between episodes); returns its
    /// total reward.
    double run_episode();
    /// An episode is under way (steps played since the last one ended).
    bool in_episode() const { return in_episode_; }
    /// Reward of the episode under way so far.
    double episode_reward() const { return episode_reward_; }
    bool finished() const;

    const std::vector<double>& episode_rewards() const { return rewards_; }
    /// Mean reward of the last 100 episodes (of all, while fewer have been played).
    double mean_reward_100() const;
    std::uint64_t environment_steps() const { return steps_; }
    std::uint64_t learning_steps() const { return learn_steps_; }
    const Environment& environment() const { return *env_; }
    /// Q-values of the current state (an inference read of the online network).
    Eigen::VectorXf q_values() const;
    Network<float>& network() { return online_; }
    const Network<float>& network() const { return online_; }
    const DqnConfig& config() const { return cfg_; }

    /// Everything a resumed agent needs between episodes (not during one: in_episode() false): the
    /// online network under its own layer_<k>/ names (as a supervised network saves them), the
    /// target network under rl/target/, the replay memory under rl/replay/, the episode rewards and
    /// the step counters (the random draws are keyed by them and the seed, so nothing else is
    /// needed).
    void save_state(StateArrays& out) const;
    /// Throws InputError naming the array that is missing or of the wrong size.
    void load_state(const StateArrays& in);

  private:
    int act(const Eigen::VectorXf& s);
    double epsilon() const;
    void learn();

    DqnConfig cfg_;
    OptimizerConfig optimizer_;
    std::uint64_t seed_;
    std::unique_ptr<Environment> env_;
    std::shared_ptr<TdTarget> target_value_;
    Network<float> online_;
    Network<float> target_;
    ReplayMemory memory_;
    std::vector<double> rewards_;
    std::uint64_t steps_ = 0, learn_steps_ = 0, samples_ = 0;
    bool in_episode_ = false;
    double episode_reward_ = 0;
    Eigen::VectorXf s_, next_;
};

} // namespace cbl::rl
