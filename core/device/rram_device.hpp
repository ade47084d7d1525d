#pragma once
// Bidirectional RRAM device in the NeuroSim style (MLP+NeuroSim; reference README section 3):
// G(P) = B (1 - exp(-P/A)) + Gmin, B = (Gmax - Gmin) / (1 - exp(-Pmax/A)), with separate
// nonlinearity A for potentiation (LTP) and depression (LTD), Pmax levels, cycle-to-cycle noise
// and device-to-device spread of A and Gmax.
// Ranges, units and meanings of the fields: the parameter schema, core/config/fields.hpp.
#include "core/device/device_interface.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>

namespace cbl {

struct RramParams {
    double g_min_uS = 0.476; ///< NeuroSim default window
    double g_max_uS = 10.0;
    int levels = 100; ///< Pmax: pulses from g_min to g_max
    // Fitted A of the LTP and LTD curves in pulses (NeuroSim maps its nonlinearity label, e.g.
    // +-4.22, to such an A; a larger A is more linear).
    double a_ltp_pulses = 40.0;
    double a_ltd_pulses = 20.0;
    double c2c = 0.01;       ///< cycle-to-cycle sigma per pulse, fraction of (Gmax - Gmin)
    double a_d2d = 0.05;     ///< device-to-device relative spread of A
    double g_max_d2d = 0.05; ///< device-to-device relative spread of Gmax
    double read_g = 0.0;     ///< read-noise sigma = read_g G + read_0_uS
    double read_0_uS = 0.0;

    // Pulse conditions kept for the energy model (ref. README 3 defaults).
    double v_read_V = 0.5;
    double t_read_ns = 5.0;
    double v_write_V = 2.0;
    double t_write_ns = 80.0;

    void validate() const;
};

void to_json(nlohmann::json& j, const RramParams& p);
void from_json(const nlohmann::json& j, RramParams& p);

/// The device's own curve after device-to-device draws (A and Gmax of this device), with the
/// curves' amplitudes B = (Gmax - Gmin) / (1 - exp(-Pmax/A)) computed once per device.
struct RramCurve {
    double g_min_uS, g_max_uS, a_ltp_pulses, a_ltd_pulses, levels;
    double b_ltp_uS, b_ltd_uS;
};

/// B of the NeuroSim curve with nonlinearity a_pulses (ref. README 3).
inline double rram_amplitude_uS(double g_min_uS, double g_max_uS, double levels, double a_pulses) {
    return (g_max_uS - g_min_uS) / (1.0 - std::exp(-levels / a_pulses));
}

/// Curve of one device from its device-to-device draws z_a, z_g (standard normals); the spread
/// factors are floored at 0.1 so a tail draw cannot produce a non-physical curve.
inline double rram_a_factor(const RramParams& p, double z_a) {
    return std::max(0.1, 1.0 + p.a_d2d * z_a);
}
inline double rram_device_g_max_uS(const RramParams& p, double z_g) {
    return std::max(p.g_min_uS + 0.1 * (p.g_max_uS - p.g_min_uS),
                    p.g_max_uS * (1.0 + p.g_max_d2d * z_g));
}

inline RramCurve rram_device_curve(const RramParams& p, double z_a, double z_g) {
    const double fa = rram_a_factor(p, z_a);
    const double g_max = rram_device_g_max_uS(p, z_g);
    const double a_ltp = p.a_ltp_pulses * fa, a_ltd = p.a_ltd_pulses * fa;
    const double levels = p.levels;
    return {p.g_min_uS,
            g_max,
            a_ltp,
            a_ltd,
            levels,
            rram_amplitude_uS(p.g_min_uS, g_max, levels, a_ltp),
            rram_amplitude_uS(p.g_min_uS, g_max, levels, a_ltd)};
}

/// NeuroSim LTP curve: G after P potentiation pulses from g_min (ref. README 3).
inline double rram_ltp_g_uS(const RramCurve& c, double pulses) {
    const double b = c.b_ltp_uS;
    return b * (1.0 - std::exp(-pulses / c.a_ltp_pulses)) + c.g_min_uS;
}

/// Inverse of the LTP curve: pulse position of conductance g_uS.
inline double rram_ltp_pulses(const RramCurve& c, double g_uS) {
    const double b = c.b_ltp_uS;
    const double frac = std::clamp((g_uS - c.g_min_uS) / b, 0.0, 1.0 - 1e-12);
    return -c.a_ltp_pulses * std::log1p(-frac);
}

/// LTD curve mirrored from g_max: G after Q depression pulses from g_max (ref. README 3).
inline double rram_ltd_g_uS(const RramCurve& c, double pulses) {
    const double b = c.b_ltd_uS;
    return c.g_max_uS - b * (1.0 - std::exp(-pulses / c.a_ltd_pulses));
}

inline double rram_ltd_pulses(const RramCurve& c, double g_uS) {
    const double b = c.b_ltd_uS;
    const double frac = std::clamp((c.g_max_uS - g_uS) / b, 0.0, 1.0 - 1e-12);
    return -c.a_ltd_pulses * std::log1p(-frac);
}

/// One direction of a device's curve, what a pulse train needs: the window, the asymptote the
/// branch tends to (LTP: G min + B; LTD: G max - B) and the per-pulse factor exp(-1/A).
struct RramBranch {
    bool up;
    double g_min_uS, g_max_uS, asymptote_uS, decay;
};

inline RramBranch rram_branch(const RramParams& p, double z_a, double z_g, bool up) {
    const double g_max = rram_device_g_max_uS(p, z_g);
    const double a = (up ? p.a_ltp_pulses : p.a_ltd_pulses) * rram_a_factor(p, z_a);
    const double b = rram_amplitude_uS(p.g_min_uS, g_max, p.levels, a);
    return {up, p.g_min_uS, g_max, up ? p.g_min_uS + b : g_max - b, std::exp(-1.0 / a)};
}

/// One pulse along the branch, then cycle-to-cycle noise c2c (Gmax - Gmin) z (sigma grows as
/// sqrt(pulses) over a train). On the curve G(P) = G_inf - (G_inf - G_start) exp(-P/A) one pulse
/// more multiplies the distance to the asymptote by exp(-1/A): the curve at P + 1 without its
/// inverse's log or its exp per pulse. The branch ends at Pmax, i.e. at G max (LTP) or G min
/// (LTD).
inline double rram_pulse_uS(const RramParams& p, const RramBranch& b, double g_uS, double z) {
    const double g =
        b.up ? std::min(b.g_max_uS,
                        b.asymptote_uS - (b.asymptote_uS - std::max(g_uS, b.g_min_uS)) * b.decay)
             : std::max(b.g_min_uS,
                        b.asymptote_uS + (std::min(g_uS, b.g_max_uS) - b.asymptote_uS) * b.decay);
    return std::clamp(g + p.c2c * (p.g_max_uS - p.g_min_uS) * z, b.g_min_uS, b.g_max_uS);
}

inline double rram_read_std_uS(const RramParams& p, double g_uS) {
    return p.read_g * g_uS + p.read_0_uS;
}

// The device interface of core/device/device_physics.hpp.

constexpr bool keeps_history(const RramParams&) {
    return false;
}

/// A train of `count` potentiation (up) or depression pulses along this device's own curve
/// (d2d() = its A and Gmax draws); z(i) is the cycle-to-cycle normal of pulse i.
template <typename D2d, typename Z>
double pulse_train_uS(const RramParams& p, double g, int&, int, bool up, int count, D2d&& d2d,
                      Z&& z) {
    const auto dev = d2d();
    const RramBranch branch = rram_branch(p, dev.x, dev.y, up);
    for (int i = 0; i < count; ++i)
        g = rram_pulse_uS(p, branch, g, z(i));
    return g;
}

/// A full depression (refresh): one strong pulse to the floor.
template <typename Z>
double reset_uS(const RramParams& p, double, Z&&) {
    return p.g_min_uS;
}

constexpr bool depresses_by_reset(const RramParams&) {
    return false;
}

/// A device's own Gmax (its d2d draw), as the float a conductance is stored as.
template <typename D2d>
double reachable_g_max_uS(const RramParams& p, D2d&& d2d) {
    return double(float(rram_device_g_max_uS(p, d2d().y)));
}

} // namespace cbl
