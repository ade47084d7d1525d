#pragma once
// The one interface through which a crossbar tile uses a device model (device_interface.hpp
// lists what a family provides). Dispatch on the family happens once per call (one pulse train,
// one device's initial state), never per pulse, so the tile's hot loops stay tight; a new family
// is a new header here plus an entry of the DeviceModel variant (device_params.hpp).
#include "core/device/device_params.hpp"

#include <algorithm>
#include <cmath>
#include <variant>

namespace cbl {

class DevicePhysics {
  public:
    DevicePhysics() = default;
    explicit DevicePhysics(const DeviceParams& p)
        : params_(p),
          history_(std::visit([](const auto& m) { return cbl::keeps_history(m); }, p.model)),
          reset_only_(
              std::visit([](const auto& m) { return cbl::depresses_by_reset(m); }, p.model)),
          drift_(std::visit([](const auto& m) { return cbl::drift_params(m); }, p.model)) {}

    const DeviceParams& params() const { return params_; }
    double g_min_uS() const { return params_.g_min_uS(); }
    double g_max_uS() const { return params_.g_max_uS(); }
    /// Read-noise sigma = read_g G + read_0_uS (every model shares this additive form).
    double read_g() const { return params_.read_g(); }
    double read_0_uS() const { return params_.read_0_uS(); }
    double read_sigma_uS(double g_uS) const { return read_g() * g_uS + read_0_uS(); }

    /// Devices keep a pulse history: count n, drift exponent nu, time of the last pulse.
    bool keeps_history() const { return history_; }
    /// A single device is depressed by one full RESET whatever the count (PCM, seed 002 A.2.4).
    bool depresses_by_reset() const { return reset_only_; }
    /// The model drifts (then it keeps a history: drift re-initiates at every pulse).
    bool drifts() const { return drift_.on; }
    const DriftParams& drift() const { return drift_; }
    /// G(t) / G(t_p) for a device last programmed age_s ago with exponent nu; 1 until T0 has
    /// passed (the reference read is at T0 after the pulse, seed 002 Fig. 2A).
    double drift_factor(double age_s, double nu) const {
        return pcm_drift_factor(age_s, drift_.t0_s, nu); // the power law of DriftParams
    }
    /// A device's drift exponent from its standard normal draw, clipped at 0.
    double drift_exponent(double z) const {
        return std::max(0.0, drift_.nu_mean + drift_.nu_std * z);
    }
    /// Largest drift exponent the codes of a tile need to span (mean + 6 sigma).
    double drift_exponent_span() const { return drift_.nu_mean + 6 * drift_.nu_std; }
    double initial_pulse_count(double g_uS) const {
        return std::visit([&](const auto& m) { return cbl::initial_pulse_count(m, g_uS); },
                          params_.model);
    }

    /// G after `count` pulses (up: potentiate) from g_uS; see device_interface.hpp.
    template <typename D2d, typename Z>
    double pulse_train_uS(double g_uS, int& n, int n_max, bool up, int count, D2d&& d2d,
                          Z&& z) const {
        return std::visit(
            [&](const auto& m) {
                return cbl::pulse_train_uS(m, g_uS, n, n_max, up, count, d2d, z);
            },
            params_.model);
    }
    template <typename Z>
    double reset_uS(double g_uS, Z&& z) const {
        return std::visit([&](const auto& m) { return cbl::reset_uS(m, g_uS, z); }, params_.model);
    }
    template <typename D2d>
    double reachable_g_max_uS(D2d&& d2d) const {
        return std::visit([&](const auto& m) { return cbl::reachable_g_max_uS(m, d2d); },
                          params_.model);
    }

  private:
    DeviceParams params_;
    bool history_ = false, reset_only_ = false;
    DriftParams drift_;
};

} // namespace cbl
