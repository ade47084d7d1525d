#pragma once
// Soft-bounds device: the step shrinks linearly towards the bound it approaches,
// dG = alpha (Gmax - G) up and dG = -alpha (G - Gmin) down (the classic symmetric-point model,
// as in aihwkit's SoftBounds), plus optional cycle-to-cycle noise relative to the step.
// Ranges, units and meanings of the fields: the parameter schema, core/config/fields.hpp.
#include "core/device/device_interface.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>

namespace cbl {

struct SoftBoundsParams {
    double g_min_uS = 0.0;
    double g_max_uS = 20.0;
    double alpha = 0.05; ///< fraction of the remaining range per pulse
    double c2c = 0.0;    ///< cycle-to-cycle sigma relative to the step
    double read_g = 0.0; ///< read-noise sigma = read_g G + read_0_uS
    double read_0_uS = 0.0;

    void validate() const;
};

void to_json(nlohmann::json& j, const SoftBoundsParams& p);
void from_json(const nlohmann::json& j, SoftBoundsParams& p);

/// One pulse; z is a standard normal scaling the cycle-to-cycle noise of the step.
inline double soft_bounds_pulse_uS(const SoftBoundsParams& p, double g_uS, bool up, double z) {
    const double step = up ? p.alpha * (p.g_max_uS - g_uS) : -p.alpha * (g_uS - p.g_min_uS);
    return std::clamp(g_uS + step * (1.0 + p.c2c * z), p.g_min_uS, p.g_max_uS);
}

inline double soft_bounds_read_std_uS(const SoftBoundsParams& p, double g_uS) {
    return p.read_g * g_uS + p.read_0_uS;
}

// The device interface of core/device/device_physics.hpp.

constexpr bool keeps_history(const SoftBoundsParams&) {
    return false;
}

template <typename D2d, typename Z>
double pulse_train_uS(const SoftBoundsParams& p, double g, int&, int, bool up, int count, D2d&&,
                      Z&& z) {
    for (int i = 0; i < count; ++i)
        g = soft_bounds_pulse_uS(p, g, up, z(i));
    return g;
}

template <typename Z>
double reset_uS(const SoftBoundsParams& p, double, Z&&) {
    return p.g_min_uS;
}

constexpr bool depresses_by_reset(const SoftBoundsParams&) {
    return false;
}

} // namespace cbl
