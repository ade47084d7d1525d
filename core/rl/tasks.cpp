#include "core/rl/tasks.hpp"

#include "core/common/param_error.hpp"

#include <algorithm>
#include <cmath>

namespace cbl::rl {
namespace {

constexpr double pi = 3.14159265358979323846;

void require_size(const std::string& task, const std::vector<double>& s, std::size_t n) {
    if (s.size() != n)
        throw InputError(task + ": a state has " + std::to_string(n) + " values, got " +
                         std::to_string(s.size()));
}

/// Uniform in [lo, hi) from a draw in (0, 1].
double between(double u, double lo, double hi) {
    return lo + (hi - lo) * (1 - u);
}

/// Angle wrapped into [-pi, pi).
double wrap(double a) {
    return a - 2 * pi * std::floor((a + pi) / (2 * pi));
}

} // namespace

// --- CartPole -----------------------------------------------------------------------------------

void CartPole::start(const std::function<double(int)>& u) {
    for (int i = 0; i < 4; ++i)
        s_[i] = between(u(i), -0.05, 0.05);
}

void CartPole::set_state(const std::vector<double>& s) {
    require_size(name(), s, 4);
    std::copy(s.begin(), s.end(), s_.begin());
}

void CartPole::observe(Eigen::Ref<Eigen::VectorXf> o) const {
    for (int i = 0; i < 4; ++i)
        o[i] = float(s_[i]);
}

StepResult CartPole::advance(int action) {
    auto& [x, x_dot, theta, theta_dot] = s_;
    const double f = action == 1 ? force : -force;
    const double total_mass = cart_mass + pole_mass, pole_moment = pole_mass * half_length;
    const double c = std::cos(theta), s = std::sin(theta);
    // Frictionless cart-pole (Barto et al. 1983 as corrected by Florian 2007, eqs. 23-24).
    const double temp = (f + pole_moment * theta_dot * theta_dot * s) / total_mass;
    const double theta_acc =
        (gravity * s - c * temp) / (half_length * (4.0 / 3.0 - pole_mass * c * c / total_mass));
    const double x_acc = temp - pole_moment * theta_acc * c / total_mass;
    // Explicit Euler with the positions advanced by the old velocities (as published).
    x += tau * x_dot;
    x_dot += tau * x_acc;
    theta += tau * theta_dot;
    theta_dot += tau * theta_acc;
    return {1.0, std::abs(x) > x_limit || std::abs(theta) > theta_limit, false};
}

// --- MountainCar --------------------------------------------------------------------------------

void MountainCar::start(const std::function<double(int)>& u) {
    position_ = between(u(0), -0.6, -0.4);
    velocity_ = 0;
}

void MountainCar::set_state(const std::vector<double>& s) {
    require_size(name(), s, 2);
    position_ = s[0];
    velocity_ = s[1];
}

void MountainCar::observe(Eigen::Ref<Eigen::VectorXf> o) const {
    o[0] = float(position_);
    o[1] = float(velocity_);
}

StepResult MountainCar::advance(int action) {
    // The hill is y = sin(3 x): gravity pulls along it with -g cos(3 x) (Moore 1990).
    velocity_ += (action - 1) * force - gravity * std::cos(3 * position_);
    velocity_ = std::clamp(velocity_, -max_speed, max_speed);
    position_ = std::clamp(position_ + velocity_, min_position, max_position);
    // The left end is a wall: the car stops there.
    if (position_ == min_position && velocity_ < 0) velocity_ = 0;
    return {-1.0, position_ >= goal_position, false};
}

// --- Acrobot ------------------------------------------------------------------------------------

void Acrobot::start(const std::function<double(int)>& u) {
    for (int i = 0; i < 4; ++i)
        s_[i] = between(u(i), -0.1, 0.1);
}

void Acrobot::set_state(const std::vector<double>& s) {
    require_size(name(), s, 4);
    std::copy(s.begin(), s.end(), s_.begin());
}

void Acrobot::observe(Eigen::Ref<Eigen::VectorXf> o) const {
    o << float(std::cos(s_[0])), float(std::sin(s_[0])), float(std::cos(s_[1])),
        float(std::sin(s_[1])), float(s_[2]), float(s_[3]);
}

std::array<double, 4> Acrobot::derivative(const std::array<double, 4>& s, double torque) {
    const auto [theta1, theta2, rate1, rate2] = s;
    constexpr double m = link_mass, l1 = link_length, lc = link_com, moi = link_moi, g = 9.8;
    // Two-link underactuated arm (Spong 1995), the book form of Sutton and Barto (ch. 11.3).
    const double d1 =
        m * lc * lc + m * (l1 * l1 + lc * lc + 2 * l1 * lc * std::cos(theta2)) + 2 * moi;
    const double d2 = m * (lc * lc + l1 * lc * std::cos(theta2)) + moi;
    const double phi2 = m * lc * g * std::cos(theta1 + theta2 - pi / 2);
    const double phi1 = -m * l1 * lc * rate2 * rate2 * std::sin(theta2) -
                        2 * m * l1 * lc * rate2 * rate1 * std::sin(theta2) +
                        (m * lc + m * l1) * g * std::cos(theta1 - pi / 2) + phi2;
    const double acc2 =
        (torque + d2 / d1 * phi1 - m * l1 * lc * rate1 * rate1 * std::sin(theta2) - phi2) /
        (m * lc * lc + moi - d2 * d2 / d1);
    const double acc1 = -(d2 * acc2 + phi1) / d1;
    return {rate1, rate2, acc1, acc2};
}

StepResult Acrobot::advance(int action) {
    const double torque = action - 1.0;
    // One classical Runge-Kutta step of dt with the torque held.
    auto add = [](const std::array<double, 4>& a, const std::array<double, 4>& k, double h) {
        std::array<double, 4> r;
        for (int i = 0; i < 4; ++i)
            r[i] = a[i] + h * k[i];
        return r;
    };
    const auto k1 = derivative(s_, torque);
    const auto k2 = derivative(add(s_, k1, dt / 2), torque);
    const auto k3 = derivative(add(s_, k2, dt / 2), torque);
    const auto k4 = derivative(add(s_, k3, dt), torque);
    for (int i = 0; i < 4; ++i)
        s_[i] += dt / 6 * (k1[i] + 2 * k2[i] + 2 * k3[i] + k4[i]);
    s_[0] = wrap(s_[0]);
    s_[1] = wrap(s_[1]);
    s_[2] = std::clamp(s_[2], -max_rate_1, max_rate_1);
    s_[3] = std::clamp(s_[3], -max_rate_2, max_rate_2);
    // The tip's height over the pivot, in link lengths: -cos(theta1) - cos(theta1 + theta2).
    const bool up = -std::cos(s_[0]) - std::cos(s_[0] + s_[1]) > 1.0;
    return {up ? 0.0 : -1.0, up, false};
}

} // namespace cbl::rl
