#pragma once
// Device characterisation as seed 002 Fig. 2 does it for PCM, for any device family: N devices
// from a low initial state receive potentiating (SET) pulses; conductance statistics read at the
// reference time after each pulse (A), the distribution after k pulses (B), mean drift curves of
// each programmed state (C) and single-device traces with read noise (D). For PCM the model's own
// expectation per pulse is propagated alongside (density evolution on a conductance grid), so a
// sample can be checked against the equations and the published mean curve.
#include "core/device/device_params.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <vector>

namespace cbl {

struct CharacterisationOptions {
    int devices = 10000;       ///< 1 .. 1e6 (seed 002: 10,000)
    int pulses = 20;           ///< SET pulses per device, 1 .. 1000 (seed 002: 20)
    double init_uS = 0.06;     ///< initial conductance mean (seed 002 Fig. 2: ~0.06 uS), 0 .. 1000
    double init_std_uS = 0.01; ///< initial spread, 0 .. 100 uS
    bool read_noise = true;    ///< reads carry the model's read noise (the measurement did)
    int histogram_after = 15;  ///< pulses before the histogram (Fig. 2B), 1 .. pulses
    int histogram_bins = 40;   ///< 1 .. 10000
    std::vector<double> drift_times_s = {38.6, 100, 1e3, 1e4, 1e5}; ///< after each pulse, > 0
    int traces = 5;           ///< single devices traced (Fig. 2D), 0 .. devices
    int reads_per_pulse = 50; ///< reads per pulse in a trace, 1 .. 10000
    std::uint64_t seed = 1;

    void validate() const;
};

/// The first pulse at which the sample mean is held to the published mean curve.
constexpr int mean_curve_first_pulse = 3;

struct CharacterisationResult {
    std::string family;       ///< the device family characterised
    double start_mean_uS = 0; ///< the devices' mean before the first pulse (init, in the window)
    std::vector<int> pulses;  ///< 1 .. n
    std::vector<double> mean_uS, std_uS; ///< sample, read at T0 after each pulse
    /// PCM only (empty for other families): the equations' expectation, and the published mean
    /// curve (ref. README 2, P(G) inverted) after each pulse.
    std::vector<double> model_mean_uS, model_std_uS;
    std::vector<double> mean_curve_uS;
    double max_mean_rel_error = 0, max_std_rel_error = 0;
    /// Largest |mean / mean curve - 1| from pulse mean_curve_first_pulse on (the curve is a fit
    /// of the mean trend; the first pulses from the 0.06 uS start sit off it).
    double max_curve_rel_error = 0;
    std::vector<double> histogram_edges_uS;
    std::vector<int> histogram_counts;
    std::vector<double> histogram_model_counts;
    std::vector<double> drift_times_s;
    std::vector<std::vector<double>> drift_mean_uS; ///< [pulse][time], noise-free (flat: no drift)
    std::vector<std::vector<double>> traces_uS;     ///< [device][pulse * reads_per_pulse + read]
    CharacterisationOptions options;
};

/// Deterministic for a seed, whatever the number of threads. The pulses are the family's own
/// (DevicePhysics::pulse_train_uS, the tile's), so what the explorer shows is what training uses.
CharacterisationResult characterise_device(const DeviceParams& p, const CharacterisationOptions& o);

/// The equations' mean and std of G after each of `pulses` SET pulses (index 0 = after pulse 1)
/// from N(init, init_std), including read noise when asked, and the probability mass on `edges`
/// after `histogram_after` pulses.
struct PcmExpectation {
    std::vector<double> mean_uS, std_uS, histogram_mass;
};
PcmExpectation pcm_expectation(const PcmParams& p, const CharacterisationOptions& o,
                               const std::vector<double>& edges_uS);

/// CLI.md `device` JSON: {"family", "pulses", "mean_uS", "std_uS", "histogram", "drift",
/// "traces"}, and for PCM "model_mean_uS", "model_std_uS", "mean_curve_uS" and "check".
nlohmann::json to_json(const CharacterisationResult& r);

} // namespace cbl
