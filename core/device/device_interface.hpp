#pragma once
// What a device family provides to the crossbar tile (core/device/device_physics.hpp). Each
// family's header (pcm_device.hpp, rram_device.hpp, ...) overloads, for its parameter struct:
//  - keeps_history(p): whether a device keeps a pulse history (pulse count n since the last full
//    depression, drift exponent nu, time of the last pulse), as PCM does;
//  - pulse_train_uS(p, g, n, n_max, up, count, d2d, z): G after `count` potentiation (up) or
//    depression pulses, with z(i) the standard normal of pulse i and d2d() the device's fixed
//    device-to-device draws (two standard normals);
//  - reset_uS(p, g, z): G after one full depression (refresh, overshoot of a verify loop);
//  - depresses_by_reset(p): a single device is depressed by one full RESET, not gradually.
// The defaults below cover what most families do not have: drift, an initial pulse history and a
// per-device conductance ceiling above the nominal one.
#include <cmath>

namespace cbl {

/// Conductance drift G(t) = G(t_p) ((t - t_p) / T0)^-nu with a per-device nu ~ N(nu_mean,
/// nu_std) clipped at 0 (seed 002 Fig. 2C).
struct DriftParams {
    bool on = false;
    double t0_s = 1, nu_mean = 0, nu_std = 0;
};

template <typename P>
DriftParams drift_params(const P&) {
    return {};
}

/// Pulses a freshly initialised device at g_uS is assumed to have seen.
template <typename P>
double initial_pulse_count(const P&, double) {
    return 0;
}

/// The largest conductance a device can reach: the nominal g_max unless its own draws lift it.
template <typename P, typename D2d>
double reachable_g_max_uS(const P& p, D2d&&) {
    return p.g_max_uS;
}

} // namespace cbl
