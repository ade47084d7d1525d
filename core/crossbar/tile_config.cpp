#include "core/crossbar/tile_config.hpp"

#include "core/common/json_fields.hpp"
#include "core/common/param_error.hpp"

namespace cbl {

std::string to_string(WeightMapping m) {
    return m == WeightMapping::differential ? "differential" : "single";
}

WeightMapping weight_mapping_from_string(const std::string& s) {
    if (s == "differential") return WeightMapping::differential;
    if (s == "single") return WeightMapping::single;
    throw InputError("tile.mapping = \"" + s + "\" is not known; allowed differential, single");
}

void PeripheralConfig::validate() const {
    if (dac_bits != 0) require_range("tile.peripherals.dac_bits", dac_bits, 2, 16, "bits");
    if (adc_bits != 0) require_range("tile.peripherals.adc_bits", adc_bits, 1, 16, "bits");
    require_above("tile.peripherals.adc_range", adc_range, 0, 1e6);
}

void TileConfig::validate() const {
    device.validate();
    require_above("tile.beta_per_uS", beta_per_uS, 0, 1e3, "per uS");
    const double lo = device.g_min_uS(), hi = device.g_max_uS();
    require_range("tile.g_ref_uS", g_ref_uS, lo, hi, "uS");
    require_range("tile.init_mean_uS", init_mean_uS, lo, hi, "uS");
    require_range("tile.init_std_uS", init_std_uS, 0, 1000, "uS");
    require_range("tile.read_noise_scale", read_noise_scale, 0, 100);
    require_above("tile.drift_tolerance", drift_tolerance, 0, 0.1);
    require_range("tile.refresh_threshold_uS", refresh_threshold_uS, 0, 1000, "uS");
    require_above("tile.refresh_tolerance_uS", refresh_tolerance_uS, 0, 1000, "uS");
    require_range("tile.refresh_max_pulses", refresh_max_pulses, 1, 100000, "pulses");
    require_range("tile.pairs_per_weight", pairs_per_weight, 1, 8, "pairs");
    if (pairs_per_weight > 1 && mapping != WeightMapping::differential)
        throw InputError("tile.pairs_per_weight > 1 needs the differential mapping (pairs)");
    peripherals.validate();
}

void to_json(nlohmann::json& j, const PeripheralConfig& p) {
    j = {{"dac_bits", p.dac_bits}, {"adc_bits", p.adc_bits}, {"adc_range", p.adc_range}};
}

void from_json(const nlohmann::json& j, PeripheralConfig& p) {
    JsonFields f(j, "tile.peripherals");
    f.get("dac_bits", p.dac_bits);
    f.get("adc_bits", p.adc_bits);
    f.get("adc_range", p.adc_range);
    f.finish();
}

void to_json(nlohmann::json& j, const TileConfig& c) {
    j = {{"device", c.device},
         {"mapping", to_string(c.mapping)},
         {"beta_per_uS", c.beta_per_uS},
         {"g_ref_uS", c.g_ref_uS},
         {"init_mean_uS", c.init_mean_uS},
         {"init_std_uS", c.init_std_uS},
         {"read_noise", c.read_noise},
         {"read_noise_scale", c.read_noise_scale},
         {"drift", c.drift},
         {"drift_tolerance", c.drift_tolerance},
         {"refresh_threshold_uS", c.refresh_threshold_uS},
         {"refresh_tolerance_uS", c.refresh_tolerance_uS},
         {"refresh_max_pulses", c.refresh_max_pulses},
         {"pairs_per_weight", c.pairs_per_weight},
         {"peripherals", c.peripherals}};
}

void from_json(const nlohmann::json& j, TileConfig& c) {
    JsonFields f(j, "tile");
    // Nested objects are parsed by their own from_json; get() into `nested` marks them known.
    nlohmann::json nested;
    f.get("device", nested);
    if (!nested.is_null()) from_json(nested, c.device);
    std::string mapping = to_string(c.mapping);
    f.get("mapping", mapping);
    c.mapping = weight_mapping_from_string(mapping);
    f.get("beta_per_uS", c.beta_per_uS);
    f.get("g_ref_uS", c.g_ref_uS);
    f.get("init_mean_uS", c.init_mean_uS);
    f.get("init_std_uS", c.init_std_uS);
    f.get("read_noise", c.read_noise);
    f.get("read_noise_scale", c.read_noise_scale);
    f.get("drift", c.drift);
    f.get("drift_tolerance", c.drift_tolerance);
    f.get("refresh_threshold_uS", c.refresh_threshold_uS);
    f.get("refresh_tolerance_uS", c.refresh_tolerance_uS);
    f.get("refresh_max_pulses", c.refresh_max_pulses);
    f.get("pairs_per_weight", c.pairs_per_weight);
    nested = nullptr;
    f.get("peripherals", nested);
    if (!nested.is_null()) from_json(nested, c.peripherals);
    f.finish();
}

} // namespace cbl
