#pragma once
// Reinforcement-learning environments for the DQN that seed 000 (TIME) trains in RRAM: small,
// deterministic control tasks written from their published equations (the classic-control set
// of Gym, whose interface they follow: reset(seed) starts an episode, step(action) advances it).
// Every random choice (the start state) is a Philox draw keyed by (seed, episode), so an episode
// is a pure function of the seed and the agent's actions.
#include <Eigen/Core>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace cbl::rl {

struct StepResult {
    double reward = 0;
    bool terminated = false; ///< the task ended (pole fell, goal reached)
    bool truncated = false;  ///< the episode hit its step limit
    bool done() const { return terminated || truncated; }
};

class Environment {
  public:
    virtual ~Environment() = default;
    virtual std::string name() const = 0;
    virtual int observation_size() const = 0;
    virtual int action_count() const = 0;
    /// Steps after which an episode is truncated.
    int max_steps() const { return max_steps_; }
    int steps() const { return steps_; }

    /// Starts episode `episode` from a start state drawn from (seed, episode).
    void reset(std::uint64_t seed, std::uint64_t episode);
    /// Applies action 0 .. action_count() - 1 for one time step.
    StepResult step(int action);
    /// What the agent sees of the state.
    virtual void observe(Eigen::Ref<Eigen::VectorXf> observation) const = 0;

    /// The physical state (positions, angles, velocities: see each task), for views and tests.
    virtual std::vector<double> state() const = 0;
    virtual void set_state(const std::vector<double>& s) = 0;
    virtual std::unique_ptr<Environment> clone() const = 0;

  protected:
    explicit Environment(int max_steps) : max_steps_(max_steps) {}
    /// Draws the start state; u(i) is the i-th uniform draw in (0, 1] of this episode.
    virtual void start(const std::function<double(int)>& u) = 0;
    /// Integrates one time step; returns reward and termination (truncation is the base's).
    virtual StepResult advance(int action) = 0;

  private:
    int max_steps_;
    int steps_ = 0;
};

/// "cartpole", "mountaincar" or "acrobot"; InputError lists them for another name.
std::unique_ptr<Environment> make_environment(const std::string& name);
/// Names accepted by make_environment.
const std::vector<std::string>& environment_names();

} // namespace cbl::rl
