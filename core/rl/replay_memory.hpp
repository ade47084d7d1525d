#pragma once
// Experience replay (Mnih et al. 2013, section 4): the last `capacity` transitions
// (s, a, r, s', terminal) in a ring; learning draws mini-batches uniformly from it, which breaks
// the correlation of consecutive steps.
#include <Eigen/Core>

#include <cstdint>
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

  private:
    Eigen::MatrixXf s_, next_;
    std::vector<int> action_;
    std::vector<double> reward_;
    std::vector<std::uint8_t> terminal_;
    int head_ = 0, size_ = 0;
};

} // namespace cbl::rl
