#pragma once
// Experience replay (Mnih et al. 2013, section 4): the last `capacity` transitions
// (s, a, r, s', terminal) in a ring; learning draws mini-batches uniformly from it, which breaks
// the correlation of consecutive steps.
#include "core/common/state_arrays.hpp"

#include <Eigen/Core>

#include <cstdint>
#include <string>
#include <vector>

namespace cbl::rl {

class ReplayMemory {
  public:
    ReplayMemory(int capacity, int observation_size)
        : s_(observation_size, capacity), next_(observation_size, capacity), action_(capacity),
          reward_(capacity), terminal_(capacity) {}

    void add(const Eigen::VectorXf& s, int action, double reward, const Eigen::VectorXf& next,
             bool terminal) {
        s_.col(head_) = s;
        next_.col(head_) = next;
        action_[head_] = action;
        reward_[head_] = reward;
        terminal_[head_] = terminal;
        head_ = (head_ + 1) % capacity();
        size_ = std::min(size_ + 1, capacity());
    }

    int capacity() const { return static_cast<int>(action_.size()); }
    int size() const { return size_; }
    auto state(int i) const { return s_.col(i); }
    auto next_state(int i) const { return next_.col(i); }
    int action(int i) const { return action_[i]; }
    double reward(int i) const { return reward_[i]; }
    /// s' ended the task (its value is 0); a truncated episode's s' is not terminal.
    bool terminal(int i) const { return terminal_[i]; }

    /// The whole ring and its position under `prefix` (a saved deep-RL session).
    void save_state(const std::string& prefix, StateArrays& out) const {
        put_matrix(out, prefix + "state", s_);
        put_matrix(out, prefix + "next_state", next_);
        put_array(out, prefix + "action", action_, {action_.size()});
        put_array(out, prefix + "reward", reward_, {reward_.size()}, "reward");
        put_array(out, prefix + "terminal", terminal_, {terminal_.size()});
        put_array(out, prefix + "head_size", std::vector<std::int32_t>{head_, size_}, {2});
    }
    /// Throws InputError for a missing array, a wrong size or an out-of-range position.
    void load_state(const std::string& prefix, const StateArrays& in) {
        const std::size_t n = action_.size();
        get_matrix(in, prefix + "state", s_);
        get_matrix(in, prefix + "next_state", next_);
        action_ = get_array<int>(in, prefix + "action", n);
        reward_ = get_array<double>(in, prefix + "reward", n);
        terminal_ = get_array<std::uint8_t>(in, prefix + "terminal", n);
        const auto& hs = get_array<std::int32_t>(in, prefix + "head_size", 2);
        if (hs[0] < 0 || hs[0] >= capacity() || hs[1] < 0 || hs[1] > capacity())
            throw InputError("session state: " + prefix + "head_size is outside the memory of " +
                             std::to_string(capacity()) + " transitions");
        head_ = hs[0];
        size_ = hs[1];
    }

  private:
    Eigen::MatrixXf s_, next_;
    std::vector<int> action_;
    std::vector<double> reward_;
    std::vector<std::uint8_t> terminal_;
    int head_ = 0, size_ = 0;
};

} // namespace cbl::rl
