#pragma once
// The three classic control tasks. Constants and equations are the published ones (cited per
// task); state vectors are in SI units as the papers write them.
#include "core/rl/environment.hpp"

#include <array>

namespace cbl::rl {

/// Pole balancing (Barto, Sutton and Anderson 1983, "Neuronlike adaptive elements that can solve
/// difficult learning control problems", with the frictionless equations of motion as corrected
/// by Florian 2007; the constants of Gym's CartPole-v1). State: cart position x [m], velocity
/// [m/s], pole angle theta [rad, 0 = upright], angular velocity [rad/s]. Actions: push left or
/// right with 10 N. Reward 1 per step; ends when |theta| > 12 degrees or |x| > 2.4 m; truncated
/// at 500 steps.
class CartPole final : public Environment {
  public:
    CartPole() : Environment(500) {}
    std::string name() const override { return "cartpole"; }
    int observation_size() const override { return 4; }
    int action_count() const override { return 2; }
    void observe(Eigen::Ref<Eigen::VectorXf> o) const override;
    std::vector<double> state() const override { return {s_.begin(), s_.end()}; }
    void set_state(const std::vector<double>& s) override;
    std::unique_ptr<Environment> clone() const override {
        return std::make_unique<CartPole>(*this);
    }

    static constexpr double gravity = 9.8;     ///< [m/s^2]
    static constexpr double cart_mass = 1.0;   ///< [kg]
    static constexpr double pole_mass = 0.1;   ///< [kg]
    static constexpr double half_length = 0.5; ///< pole half length [m]
    static constexpr double force = 10.0;      ///< [N]
    static constexpr double tau = 0.02;        ///< time step [s], explicit Euler
    static constexpr double theta_limit = 12 * 3.14159265358979323846 / 180; ///< [rad]
    static constexpr double x_limit = 2.4;                                   ///< [m]

  protected:
    void start(const std::function<double(int)>& u) override;
    StepResult advance(int action) override;

  private:
    std::array<double, 4> s_{};
};

/// Mountain car (Moore 1990, "Efficient memory-based learning for robot control"; the form of
/// Sutton and Barto's book, Gym's MountainCar-v0). State: position [-1.2, 0.6], velocity
/// [-0.07, 0.07] (unitless as published). Actions: push left, none, right. Reward -1 per step;
/// ends at position >= 0.5; truncated at 200 steps.
class MountainCar final : public Environment {
  public:
    MountainCar() : Environment(200) {}
    std::string name() const override { return "mountaincar"; }
    int observation_size() const override { return 2; }
    int action_count() const override { return 3; }
    void observe(Eigen::Ref<Eigen::VectorXf> o) const override;
    std::vector<double> state() const override { return {position_, velocity_}; }
    void set_state(const std::vector<double>& s) override;
    std::unique_ptr<Environment> clone() const override {
        return std::make_unique<MountainCar>(*this);
    }

    static constexpr double min_position = -1.2, max_position = 0.6, goal_position = 0.5;
    static constexpr double max_speed = 0.07, force = 0.001, gravity = 0.0025;

  protected:
    void start(const std::function<double(int)>& u) override;
    StepResult advance(int action) override;

  private:
    double position_ = -0.5, velocity_ = 0;
};

/// Acrobot swing-up (Sutton 1996, "Generalization in reinforcement learning: successful examples
/// using sparse coarse coding"; dynamics of Spong 1995 as written in Sutton and Barto's book, Gym's
/// Acrobot-v1). State: joint angles theta1, theta2 [rad] and their rates [rad/s]; observation
/// (cos, sin of both angles, both rates). Actions: torque -1, 0, +1 N m on the second joint.
/// Reward -1 per step; ends when the tip rises above one link length over the pivot; truncated
/// at 500 steps. One 4th-order Runge-Kutta step of 0.2 s per action.
class Acrobot final : public Environment {
  public:
    Acrobot() : Environment(500) {}
    std::string name() const override { return "acrobot"; }
    int observation_size() const override { return 6; }
    int action_count() const override { return 3; }
    void observe(Eigen::Ref<Eigen::VectorXf> o) const override;
    std::vector<double> state() const override { return {s_.begin(), s_.end()}; }
    void set_state(const std::vector<double>& s) override;
    std::unique_ptr<Environment> clone() const override { return std::make_unique<Acrobot>(*this); }

    static constexpr double dt = 0.2;                                ///< [s]
    static constexpr double link_length = 1.0;                       ///< l1 [m]
    static constexpr double link_mass = 1.0;                         ///< m1 = m2 [kg]
    static constexpr double link_com = 0.5;                          ///< lc1 = lc2 [m]
    static constexpr double link_moi = 1.0;                          ///< I1 = I2 [kg m^2]
    static constexpr double max_rate_1 = 4 * 3.14159265358979323846; ///< [rad/s]
    static constexpr double max_rate_2 = 9 * 3.14159265358979323846; ///< [rad/s]
    /// d/dt (theta1, theta2, rate1, rate2) under torque [N m] on joint 2.
    static std::array<double, 4> derivative(const std::array<double, 4>& s, double torque);

  protected:
    void start(const std::function<double(int)>& u) override;
    StepResult advance(int action) override;

  private:
    std::array<double, 4> s_{};
};

} // namespace cbl::rl
