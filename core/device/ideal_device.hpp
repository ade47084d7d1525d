#pragma once
// Ideal linear device for teaching contrasts: every pulse changes G by exactly dg_uS (up or
// down) within [g_min, g_max]; optional additive read noise. No drift, no stochasticity.
// Ranges, units and meanings of the fields: the parameter schema, core/config/fields.hpp.
#include "core/device/device_interface.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>

namespace cbl {

struct IdealParams {
    double g_min_uS = 0.0;
    double g_max_uS = 20.0;
    double dg_uS = 0.77; ///< conductance step per pulse (seed 002's mean SET step)
    double read_g = 0.0; ///< read-noise sigma = read_g G + read_0_uS
    double read_0_uS = 0.0;

    void validate() const;
};

void to_json(nlohmann::json& j, const IdealParams& p);
void from_json(const nlohmann::json& j, IdealParams& p);

inline double ideal_pulse_uS(const IdealParams& p, double g_uS, bool up) {
    return std::clamp(g_uS + (up ? p.dg_uS : -p.dg_uS), p.g_min_uS, p.g_max_uS);
}

inline double ideal_read_std_uS(const IdealParams& p, double g_uS) {
    return p.read_g * g_uS + p.read_0_uS;
}

// The device interface of core/device/device_physics.hpp.

constexpr bool keeps_history(const IdealParams&) {
    return false;
}

template <typename D2d, typename Z>
double pulse_train_uS(const IdealParams& p, double g, int&, int, bool up, int count, D2d&&, Z&&) {
    for (int i = 0; i < count; ++i)
        g = ideal_pulse_uS(p, g, up);
    return g;
}

template <typename Z>
double reset_uS(const IdealParams& p, double, Z&&) {
    return p.g_min_uS;
}

constexpr bool depresses_by_reset(const IdealParams&) {
    return false;
}

} // namespace cbl
