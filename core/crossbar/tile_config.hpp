#pragma once
// Configuration of one crossbar tile: device model, weight mapping, initial state, read physics
// and peripherals. Hot fields (read noise, drift, refresh threshold) may change between steps
// through CrossbarTile's setters; the rest is structural.
// Ranges, units and meanings of the fields: the parameter schema, core/config/fields.hpp.
#include "core/device/device_params.hpp"

#include <nlohmann/json.hpp>

#include <string>

namespace cbl {

/// How a weight is stored (seed 002 sections 2.3 and A.2.4).
enum class WeightMapping {
    differential, ///< W = beta (G+ - G-): two devices per synapse
    single,       ///< W = beta (G - g_ref): one device against a reference conductance
};

std::string to_string(WeightMapping m);
WeightMapping weight_mapping_from_string(const std::string& s);

/// Data converters at the crossbar edge; 0 bits = ideal (no quantization).
struct PeripheralConfig {
    int dac_bits = 0;        ///< input DAC, 0 or 2 .. 16 bits, signed, scale = max |x| per vector
    int adc_bits = 0;        ///< output ADC, 0 or 1 .. 16 bits
    double adc_range = 16.0; ///< ADC full scale +-range in output (weight x input) units

    void validate() const;
};

struct TileConfig {
    DeviceParams device;
    WeightMapping mapping = WeightMapping::differential;
    /// Weight units per uS: seed 002 maps eps = 0.096 to a mean SET step of 0.77 uS.
    double beta_per_uS = 0.096 / 0.77;
    /// Per-layer scaling (seed 002 section 2.1's "optional scaling factor"): 0 = every layer uses
    /// beta_per_uS; N = a layer of n inputs uses beta_per_uS sqrt(N / n), and its eps scales
    /// with it. Structural.
    int beta_fan_in = 0;
    double g_ref_uS = 1.6; ///< reference conductance of the single mapping, in the device window
    double init_mean_uS = 1.6; ///< initial G ~ N(mean, std), clipped (seed 002: 1.6 +- 0.83 uS)
    double init_std_uS = 0.83;
    bool read_noise = true;        ///< hot
    double read_noise_scale = 1.0; ///< hot, multiplies the device's read-noise sigma
    bool drift = true;             ///< hot (only PCM drifts)
    /// Largest relative change of any device's drift factor tolerated before the cached drifted
    /// weights are recomputed; far below the ~5-10 % relative read noise of PCM. 0 < .. 0.1
    double drift_tolerance = 1e-3;
    double refresh_threshold_uS = 8.0; ///< hot: a pair with a device above this is refreshed
    /// Refresh goal: the re-programmed difference lands within this of the old one ("one pulse",
    /// seed 002's 0.77 uS mean SET step). 0 < .. 1000 uS
    double refresh_tolerance_uS = 0.77;
    int refresh_max_pulses = 100; ///< per pair
    /// Multi-memristive synapse (Boybat et al. 2018, cited by seed 002): N differential pairs
    /// per weight, W = (beta / N) sum_i (G+_i - G-_i), the pulses dealt out to the pairs by a
    /// round-robin arbiter. 1 .. 8; more than 1 needs the differential mapping.
    int pairs_per_weight = 1;
    /// Physical crossbar size in devices: rows (outputs) and columns (inputs) of one array; a
    /// larger matrix is split over a grid of arrays (core/crossbar/tile_grid.hpp). 0 = one
    /// array as large as the matrix. Structural.
    int array_rows = 0;
    int array_cols = 0;
    PeripheralConfig peripherals;

    int devices_per_synapse() const { return mapping == WeightMapping::differential ? 2 : 1; }
    void validate() const;
};

void to_json(nlohmann::json& j, const PeripheralConfig& p);
void from_json(const nlohmann::json& j, PeripheralConfig& p);
void to_json(nlohmann::json& j, const TileConfig& c);
void from_json(const nlohmann::json& j, TileConfig& c);

} // namespace cbl
