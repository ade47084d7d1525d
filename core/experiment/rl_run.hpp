#pragma once
// A deep-RL run of an experiment config with task = rl: the DQN of core/rl/dqn.hpp (Mnih et al.
// 2013, the DRL of seed 000) whose Q-network matrices come from the config's scheme and tile, so
// the same agent learns in full precision or in RRAM tiles under TIME's write scheme; the
// config's optimizer, seed and device time per training sample. `train --json` prints
// rl_summary_json (CLI.md).
#include "core/energy/ledger.hpp"
#include "core/experiment/config.hpp"
#include "core/experiment/metrics.hpp"
#include "core/experiment/state.hpp"
#include "core/rl/dqn.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace cbl {

class RlRun {
  public:
    /// Validates the config (task must be rl) and builds the agent; nothing is played yet.
    explicit RlRun(const ExperimentConfig& config);
    /// Continues a saved run (state() of an earlier RlRun, e.g. from load_session): the same
    /// episodes follow as if it had never stopped.
    explicit RlRun(const ExperimentState& state);

    const ExperimentConfig& config() const { return config_; }
    const rl::DqnAgent& agent() const { return *agent_; }
    /// What a session records as its data: the control task, no dataset.
    std::string dataset_description() const;
    /// Plays the rest of the current episode (a whole one between episodes), learning as it goes,
    /// and returns its reward. A weight or Q-value that is no longer finite stops the run:
    /// Diverged, with divergence() set.
    double run_episode();
    /// Plays up to `steps` environment steps, never past the end of the current episode (as
    /// Experiment::train stops at an epoch's end), and returns how many; the same checks as
    /// run_episode at the episode's end. A live view plays a few steps at a time and draws the
    /// environment between them.
    int play(int steps);
    /// Ends the episode under way, if any: a run is saved between episodes (state()).
    void finish_episode();
    /// The budget is played, the stop reward reached, or the run diverged.
    bool finished() const { return !divergence_.empty() || agent_->finished(); }
    /// "" while learning is sound, else the one-line report.
    const std::string& divergence() const { return divergence_; }

    /// The Q-network as network.layers counts it: [observations + 1, hidden..., actions].
    std::vector<int> layers() const;
    /// Programming pulses (SET + RESET) of the weight updates per weight layer, whole run.
    std::vector<std::uint64_t> device_updates() const;
    /// One entry per episode finished since this RlRun was built (epoch = the episode's number):
    /// per weight layer, the programming pulses of that episode and the weights a full-precision
    /// update would have changed (the sparsity view's counts; the rest of each entry is unused).
    const std::vector<EpochMetrics>& episode_updates() const { return episode_updates_; }
    /// Training samples the network learnt from (replayed transitions, batch_size per step).
    std::uint64_t samples() const;
    /// The ledger's pricing of the replayed samples (forward, backward, update of each); action
    /// choice and TD-target reads are inference reads the ledger does not count.
    EnergyReport energy_report() const;
    /// The run between episodes as a session stores it (save_session): the config and the
    /// agent's arrays (DqnAgent::save_state); no epochs, so no history. InputError during an
    /// episode (finish_episode() first).
    ExperimentState state() const;
    /// Environment steps the run had played when it was saved (0 for a fresh run).
    std::uint64_t resumed_at_steps() const;

  private:
    /// Records the finished episode's updates, then checks that learning is still finite.
    void end_episode();
    void check_finite();

    ExperimentConfig config_;
    std::unique_ptr<rl::DqnAgent> agent_;
    std::shared_ptr<const TechnologyPreset> technology_;
    std::string divergence_;
    std::uint64_t resumed_at_steps_ = 0; ///< environment steps of the saved run it continues
    std::vector<EpochMetrics> episode_updates_;
    std::vector<std::uint64_t> pulses_seen_; ///< device_updates() at the last episode's end
};

/// {preset, environment, layers, episodes, episode_reward [per episode], mean_reward_100,
///  environment_steps, learning_steps, device_updates [per layer], wall_seconds,
///  environment_steps_per_second (of the steps played since this RlRun started), diverged (+
///  divergence), and energy_ratio {vs_dadiannao, vs_gpu} when the technology preset lists both
///  reference designs}.
nlohmann::json rl_summary_json(const RlRun& run, double wall_seconds);

} // namespace cbl
