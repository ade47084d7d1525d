#include "core/rl/dqn.hpp"

#include "core/common/param_error.hpp"
#include "core/common/rng.hpp"
#include "core/network/network_builder.hpp"

#include <numeric>

namespace cbl::rl {
namespace {

std::vector<int> layer_list(const DqnConfig& c, const Environment& env) {
    // As network.layers: every layer's input count includes its bias input.
    std::vector<int> layers{env.observation_size() + 1};
    layers.insert(layers.end(), c.hidden.begin(), c.hidden.end());
    layers.push_back(env.action_count());
    return layers;
}

Network<float> q_network(const DqnConfig& c, const Environment& env,
                         const OptimizerConfig& optimizer, const WeightFactory& weights,
                         std::shared_ptr<const TdTarget> target) {
    const std::vector<int> layers = layer_list(c, env);
    return build_chain<float>(
        layers, "relu", weights(layers), optimizer, c.batch_size,
        std::make_unique<TdHuberLoss<float>>(std::move(target), c.huber_delta));
}

// Keys of the networks' inference reads, apart from the test-set evaluations' keys.
constexpr std::uint64_t act_key = 1ull << 50, target_key = 1ull << 51;

} // namespace

DqnAgent::DqnAgent(const DqnConfig& config, const OptimizerConfig& optimizer,
                   const WeightFactory& weights, std::uint64_t seed)
    : cfg_(config), optimizer_(optimizer), seed_(seed), env_(make_environment(config.env)),
      target_value_(std::make_shared<TdTarget>()),
      online_(q_network(cfg_, *env_, optimizer, weights, target_value_)), target_(online_),
      memory_(cfg_.replay_capacity, env_->observation_size()), s_(env_->observation_size()),
      next_(env_->observation_size()) {
    cfg_.validate();
}

bool DqnAgent::finished() const {
    const int n = static_cast<int>(rewards_.size());
    return n >= cfg_.episodes || (cfg_.stop_at_mean_reward != 0 && n >= 100 &&
                                  mean_reward_100() >= cfg_.stop_at_mean_reward);
}

double DqnAgent::mean_reward_100() const {
    const std::size_t n = std::min<std::size_t>(100, rewards_.size());
    if (n == 0) return 0;
    return std::accumulate(rewards_.end() - std::ptrdiff_t(n), rewards_.end(), 0.0) / double(n);
}

double DqnAgent::epsilon() const {
    // Linear annealing from epsilon_start to epsilon_end (Mnih et al. 2013, section 5).
    const double f = std::min(1.0, double(steps_) / cfg_.epsilon_decay_steps);
    return cfg_.epsilon_start + f * (cfg_.epsilon_end - cfg_.epsilon_start);
}

Eigen::VectorXf DqnAgent::q_values() const {
    Eigen::VectorXf s(env_->observation_size());
    env_->observe(s);
    return online_.outputs(s, act_key + steps_).col(0).cast<float>();
}

int DqnAgent::act(const Eigen::VectorXf& s) {
    const CounterRng rng(seed_, RngStream::explore);
    if (steps_ < std::uint64_t(cfg_.warmup_steps) || rng.uniform(steps_, 0) <= epsilon())
        return static_cast<int>(rng.block(steps_, 1)[0] % std::uint32_t(env_->action_count()));
    int best = 0;
    online_.outputs(s, act_key + steps_).col(0).maxCoeff(&best);
    return best;
}

void DqnAgent::learn() {
    const CounterRng rng(seed_, RngStream::replay);
    std::vector<int> pick(cfg_.batch_size);
    Eigen::MatrixXf next(env_->observation_size(), cfg_.batch_size);
    for (int j = 0; j < cfg_.batch_size; ++j) {
        pick[j] = static_cast<int>(rng.block(learn_steps_, std::uint32_t(j))[0] %
                                   std::uint32_t(memory_.size()));
        next.col(j) = memory_.next_state(pick[j]);
    }
    // y = r + gamma Q_target(s', a'), a' = argmax of Q_target (DQN) or of the online network
    // (double DQN); a terminal s' is worth nothing.
    const Eigen::MatrixXf q_next = target_.outputs(next, target_key + learn_steps_);
    Eigen::MatrixXf q_pick;
    if (cfg_.double_q) q_pick = online_.outputs(next, act_key + (1ull << 48) + learn_steps_);
    const Eigen::MatrixXf& chooser = cfg_.double_q ? q_pick : q_next;
    // One mini-batch: the network's optimizer and the scheme apply it after the last sample.
    for (int j = 0; j < cfg_.batch_size; ++j) {
        const int i = pick[j];
        target_value_->action = memory_.action(i);
        int best = 0;
        chooser.col(j).maxCoeff(&best);
        target_value_->value =
            memory_.reward(i) + (memory_.terminal(i) ? 0.0 : cfg_.gamma * q_next(best, j));
        StepContext ctx{samples_++, nullptr};
        online_.train_sample(memory_.state(i), 0, optimizer_.learning_rate, ctx);
    }
    if (++learn_steps_ % std::uint64_t(cfg_.target_update_steps) == 0)
        target_ = Network<float>(online_);
}

bool DqnAgent::step() {
    if (!in_episode_) {
        env_->reset(seed_, rewards_.size());
        env_->observe(s_);
        episode_reward_ = 0;
        in_episode_ = true;
    }
    const int a = act(s_);
    const StepResult r = env_->step(a);
    env_->observe(next_);
    memory_.add(s_, a, r.reward, next_, r.terminated);
    episode_reward_ += r.reward;
    ++steps_;
    if (steps_ > std::uint64_t(cfg_.warmup_steps) && memory_.size() >= cfg_.batch_size &&
        steps_ % std::uint64_t(cfg_.train_every) == 0)
        learn();
    s_ = next_;
    if (!r.done()) return false;
    rewards_.push_back(episode_reward_);
    in_episode_ = false;
    return true;
}

double DqnAgent::run_episode() {
    while (!step()) {
    }
    return rewards_.back();
}

namespace {
constexpr const char* target_prefix = "rl/target/";
} // namespace

void DqnAgent::save_state(StateArrays& out) const {
    online_.save_state(out);
    target_.save_state(out, target_prefix);
    memory_.save_state("rl/replay/", out);
    put_array(out, "rl/episode_reward", rewards_, {rewards_.size()}, "reward");
    put_array(out, "rl/counters", std::vector<std::uint64_t>{steps_, learn_steps_, samples_}, {3});
}

void DqnAgent::load_state(const StateArrays& in) {
    online_.load_state(in);
    target_.load_state(in, target_prefix);
    memory_.load_state("rl/replay/", in);
    rewards_ = get_array<double>(in, "rl/episode_reward");
    const auto& counters = get_array<std::uint64_t>(in, "rl/counters", 3);
    steps_ = counters[0];
    learn_steps_ = counters[1];
    samples_ = counters[2];
}

} // namespace cbl::rl
