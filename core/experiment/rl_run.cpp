#include "core/experiment/rl_run.hpp"

#include "core/common/param_error.hpp"
#include "core/experiment/divergence.hpp"
#include "core/training/device_layer.hpp"
#include "core/training/scheme_factory.hpp"

#include <cmath>

namespace cbl {

RlRun::RlRun(const ExperimentConfig& config) : config_(config) {
    config_.validate();
    if (config_.task != "rl")
        throw InputError("task = " + config_.task + ": a deep-RL run needs task = rl");
    technology_ = std::make_shared<const TechnologyPreset>(load_technology(config_.technology));
    const auto& t = config_.training;
    // The Q-network's matrices from the scheme, exactly as a supervised run builds its layers.
    const rl::WeightFactory weights = [this](const std::vector<int>& layers) {
        const auto& tr = config_.training;
        return make_layers<float>(weight_shapes(layers), config_.scheme, config_.tile, tr.seed,
                                  tr.seconds_per_image);
    };
    agent_ = std::make_unique<rl::DqnAgent>(config_.rl, t.optimizer, weights, t.seed);
    pulses_seen_ = device_updates();
}

RlRun::RlRun(const ExperimentState& state) : RlRun(state.config.get<ExperimentConfig>()) {
    agent_->load_state(state.arrays);
    resumed_at_steps_ = agent_->environment_steps();
    pulses_seen_ = device_updates();
}

ExperimentState RlRun::state() const {
    if (agent_->in_episode())
        throw InputError("a deep-RL run is saved between episodes: finish_episode() first");
    // A diverged run has no last good state (its weights are not finite): never saved.
    if (!divergence_.empty()) throw Diverged(divergence_);
    ExperimentState st;
    st.config = config_;
    st.step = agent_->environment_steps(); // the run's clock, as images are a classifier's
    agent_->save_state(st.arrays);
    return st;
}

double RlRun::run_episode() {
    if (!divergence_.empty()) throw Diverged(divergence_);
    const double reward = agent_->run_episode();
    end_episode();
    return reward;
}

int RlRun::play(int steps) {
    if (!divergence_.empty()) throw Diverged(divergence_);
    int played = 0;
    while (played < steps && !agent_->finished()) {
        ++played;
        if (agent_->step()) {
            end_episode();
            break;
        }
    }
    return played;
}

std::string RlRun::dataset_description() const {
    return "no dataset: " + config_.rl.env;
}

void RlRun::finish_episode() {
    if (agent_->in_episode()) run_episode();
}

void RlRun::end_episode() {
    EpochMetrics m;
    m.epoch = static_cast<int>(agent_->episode_rewards().size());
    const std::vector<std::uint64_t> pulses = device_updates();
    for (std::size_t k = 0; k < pulses.size(); ++k)
        m.device_updates.push_back(pulses[k] - (k < pulses_seen_.size() ? pulses_seen_[k] : 0));
    pulses_seen_ = pulses;
    clear_epoch_pulses(agent_->network()); // the heatmap's pulses count per episode
    m.fp_equivalent_updates = agent_->network().take_fp_equivalent_updates();
    episode_updates_.push_back(std::move(m));
    check_finite();
}

void RlRun::check_finite() {
    // Checked once an episode: a NaN or inf reaches the Q-values within a learning step or two.
    const auto& net = agent_->network();
    std::string what;
    for (int k = 0; k < net.weight_count() && what.empty(); ++k)
        if (!net.weight_layer(k).weights().allFinite())
            what = "layer " + std::to_string(k) + "'s weights are not finite";
    if (what.empty() && !agent_->q_values().allFinite()) what = "a Q-value is not finite";
    if (what.empty()) return;
    divergence_ = "training diverged in episode " +
                  std::to_string(agent_->episode_rewards().size()) + ": " + what +
                  "; likely cause: " + likely_cause(config_, "loss");
    throw Diverged(divergence_);
}

std::uint64_t RlRun::resumed_at_steps() const {
    return resumed_at_steps_;
}

std::vector<int> RlRun::layers() const {
    const rl::Environment& env = agent_->environment();
    std::vector<int> l{env.observation_size() + 1};
    l.insert(l.end(), config_.rl.hidden.begin(), config_.rl.hidden.end());
    l.push_back(env.action_count());
    return l;
}

std::vector<std::uint64_t> RlRun::device_updates() const {
    std::vector<std::uint64_t> out;
    for (const StageCounts& c : agent_->network().counts())
        out.push_back(c[Stage::update].set_pulses + c[Stage::update].reset_pulses);
    return out;
}

std::uint64_t RlRun::samples() const {
    return agent_->learning_steps() * std::uint64_t(config_.rl.batch_size);
}

EnergyReport RlRun::energy_report() const {
    double synapses = 0;
    for (const auto& [rows, cols] : weight_shapes(layers()))
        synapses += double(rows) * cols;
    EnergyLedger ledger(technology_, synapses);
    ledger.add(agent_->network().counts(), samples());
    return ledger.report();
}

nlohmann::json rl_summary_json(const RlRun& run, double wall_seconds) {
    const rl::DqnAgent& a = run.agent();
    nlohmann::json j;
    j["preset"] = run.config().name;
    j["task"] = "rl";
    j["environment"] = run.config().rl.env;
    j["layers"] = run.layers();
    j["episodes"] = a.episode_rewards().size();
    j["episode_reward"] = a.episode_rewards();
    j["mean_reward_100"] = a.mean_reward_100();
    j["environment_steps"] = a.environment_steps();
    j["learning_steps"] = a.learning_steps();
    j["device_updates"] = run.device_updates();
    j["wall_seconds"] = wall_seconds;
    j["environment_steps_per_second"] =
        wall_seconds > 0 ? double(a.environment_steps() - run.resumed_at_steps()) / wall_seconds
                         : 0.0;
    // Energy ratios only where the technology preset lists both of TIME's comparisons (seed 000:
    // DaDianNao, a GPU), priced on the same counted work: the replayed samples' forward, backward
    // and update; acting and TD-target reads are inference the ledger counts on neither side.
    if (run.samples() > 0) {
        const EnergyReport e = run.energy_report();
        const nlohmann::json ratio = time_energy_ratio_json(e);
        if (!ratio.is_null()) {
            j["energy_ratio"] = ratio;
            j["energy_nJ_per_sample"] = e.energy_nJ_per_image[column_count - 1];
        }
    }
    j["diverged"] = !run.divergence().empty();
    if (!run.divergence().empty()) j["divergence"] = run.divergence();
    return j;
}

} // namespace cbl
