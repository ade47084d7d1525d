#include "core/accelerator/accelerator_config.hpp"

#include "core/common/param_error.hpp"

#include <algorithm>

namespace cbl {

void AcceleratorConfig::validate() const {
    const AcceleratorHardware& h = hardware;
    const std::string p = "accelerator.hardware.";
    require_range(p + "rows", h.rows, 2, 4096);
    require_range(p + "cols", h.cols, 2, 4096);
    require_range(p + "bits_per_cell", h.bits_per_cell, 1, 4, "bits");
    require_range(p + "weight_bits", h.weight_bits, 2, 16, "bits");
    require_range(p + "input_bits", h.input_bits, 2, 16, "bits");
    require_range(p + "adc_bits", h.adc_bits, 1, 16, "bits");
    require_range(p + "adc_step_log2", h.adc_step_log2, 0, 12);
    require_range(p + "variability_levels", h.variability_levels, 0, 4, "levels");
    require_range(p + "read_noise_levels", h.read_noise_levels, 0, 4, "levels");
    require_range("accelerator.options.dynamic_bits", options.dynamic_bits, 1, h.input_bits,
                  "bits");
    require_range("accelerator.calibration_images", calibration_images, 1, 1e6);
    require_range("accelerator.test_images", test_images, 0, 1e7, "images");
    // The twin's constants (cited in rram_cnn.hpp) keep their own validation.
    Seed001Config twin;
    twin.hardware = costs;
    twin.validate();
}

nlohmann::json to_json(const AcceleratorConfig& c) {
    const AcceleratorHardware& h = c.hardware;
    const AcceleratorOptions& o = c.options;
    return {{"hardware",
             {{"rows", h.rows},
              {"cols", h.cols},
              {"bits_per_cell", h.bits_per_cell},
              {"weight_bits", h.weight_bits},
              {"input_bits", h.input_bits},
              {"adc_bits", h.adc_bits},
              {"adc_step_log2", h.adc_step_log2},
              {"column_flip", h.column_flip},
              {"variability_levels", h.variability_levels},
              {"read_noise_levels", h.read_noise_levels},
              {"seed", h.seed}}},
            {"options",
             {{"encoding", o.encoding},
              {"adc_optimisation", o.adc_optimisation},
              {"dynamic_quantization", o.dynamic_quantization},
              {"dynamic_bits", o.dynamic_bits}}},
            {"calibration_images", c.calibration_images},
            {"test_images", c.test_images},
            {"force_bit_serial", c.force_bit_serial},
            {"float_column_sums", c.float_column_sums}};
}

namespace {

AcceleratorConfig from_json(const nlohmann::json& j, AcceleratorConfig c) {
    const auto& h = j.at("hardware");
    const auto& o = j.at("options");
    c.hardware.rows = h.at("rows");
    c.hardware.cols = h.at("cols");
    c.hardware.bits_per_cell = h.at("bits_per_cell");
    c.hardware.weight_bits = h.at("weight_bits");
    c.hardware.input_bits = h.at("input_bits");
    c.hardware.adc_bits = h.at("adc_bits");
    c.hardware.adc_step_log2 = h.at("adc_step_log2");
    c.hardware.column_flip = h.at("column_flip");
    c.hardware.variability_levels = h.at("variability_levels");
    c.hardware.read_noise_levels = h.at("read_noise_levels");
    c.hardware.seed = h.at("seed");
    c.options.encoding = o.at("encoding");
    c.options.adc_optimisation = o.at("adc_optimisation");
    c.options.dynamic_quantization = o.at("dynamic_quantization");
    c.options.dynamic_bits = o.at("dynamic_bits");
    c.calibration_images = j.at("calibration_images");
    c.test_images = j.at("test_images");
    c.force_bit_serial = j.at("force_bit_serial");
    c.float_column_sums = j.at("float_column_sums");
    return c;
}

} // namespace

void apply_accelerator_override(AcceleratorConfig& c, const std::string& assignment) {
    const auto eq = assignment.find('=');
    if (eq == std::string::npos || eq == 0)
        throw InputError("--set " + assignment + ": expected accelerator.KEY=VALUE");
    std::string key = assignment.substr(0, eq);
    const std::string text = assignment.substr(eq + 1);
    const std::string prefix = "accelerator.";
    if (key.rfind(prefix, 0) == 0) key = key.substr(prefix.size());
    nlohmann::json j = to_json(c);
    const nlohmann::json::json_pointer where("/" + [&] {
        std::string s = key;
        std::replace(s.begin(), s.end(), '.', '/');
        return s;
    }());
    std::vector<std::string> known;
    for (const auto& [group, fields] : j.items())
        if (fields.is_object())
            for (const auto& [name, v] : fields.items())
                known.push_back(group + "." + name);
        else
            known.push_back(group);
    if (!j.contains(where) || j.at(where).is_object()) {
        std::string list;
        for (const auto& k : known)
            list += (list.empty() ? "" : ", ") + k;
        throw InputError("--set accelerator." + key + " is not a field; known: " + list);
    }
    nlohmann::json value = nlohmann::json::parse(text, nullptr, false);
    nlohmann::json& slot = j.at(where);
    const bool fits =
        !value.is_discarded() && (slot.is_boolean() ? value.is_boolean()
                                  : slot.is_number_integer() || slot.is_number_unsigned()
                                      ? value.is_number_integer() || value.is_number_unsigned()
                                      : value.is_number());
    if (!fits)
        throw InputError("--set accelerator." + key + " = " + text + " is not a " +
                         (slot.is_boolean()        ? "boolean (true or false)"
                          : slot.is_number_float() ? "number"
                                                   : "whole number"));
    if (slot.is_number_unsigned() && value.is_number_integer() && value.get<long long>() < 0)
        throw InputError("--set accelerator." + key + " = " + text + " must not be negative");
    slot = value;
    AcceleratorConfig next = from_json(j, c);
    next.validate();
    c = next;
}

AcceleratorConfig with_option(AcceleratorConfig c, const std::string& option) {
    AcceleratorOptions& o = c.options;
    o.encoding = option == "encoding" || option == "combined";
    o.adc_optimisation = option == "adc_optimisation" || option == "combined";
    o.dynamic_quantization = option == "dynamic_quantization" || option == "combined";
    if (option != "baseline" && !o.encoding && !o.adc_optimisation && !o.dynamic_quantization)
        throw InputError("option " + option +
                         " is not known; allowed: baseline, encoding, adc_optimisation, "
                         "dynamic_quantization, combined");
    return c;
}

} // namespace cbl
