#include "core/training/scheme_config.hpp"

#include "core/common/json_fields.hpp"
#include "core/common/param_error.hpp"

namespace cbl {

void SchemeConfig::validate() const {
    if (type != "fp" && type != "direct" && type != "mca" && type != "time")
        throw InputError("scheme.type = \"" + type + "\"; allowed: fp, direct, mca, time");
    require_above("scheme.eps", eps, 0, 100, "weight units");
    require_range("scheme.eps_up", eps_up, 0, 100, "weight units");
    require_range("scheme.eps_down", eps_down, 0, 100, "weight units");
    require_range("scheme.refresh_interval", refresh_interval, 0, 1e9, "images");
    if (quantize_bits != 0) require_range("scheme.quantize_bits", quantize_bits, 2, 16, "bits");
    if (quantize_rounding != "stochastic" && quantize_rounding != "nearest")
        throw InputError("scheme.quantize_rounding = \"" + quantize_rounding +
                         "\"; allowed: stochastic, nearest");
    if (direct_rounding != "stochastic" && direct_rounding != "nearest" &&
        direct_rounding != "truncate")
        throw InputError("scheme.direct_rounding = \"" + direct_rounding +
                         "\"; allowed: stochastic, nearest, truncate");
    if (quantize_scale != "fixed" && quantize_scale != "vector")
        throw InputError("scheme.quantize_scale = \"" + quantize_scale +
                         "\"; allowed: fixed, vector");
    require_above("scheme.quantize_x_range", quantize_x_range, 0, 1e6);
    if (quantize_delta_range.empty())
        throw InputError("scheme.quantize_delta_range needs one value per weight layer (or one)");
    for (double r : quantize_delta_range)
        require_above("scheme.quantize_delta_range", r, 0, 1e6);
    if (write_scheme != "verify" && write_scheme != "gradual" && write_scheme != "tolerant")
        throw InputError("scheme.write_scheme = \"" + write_scheme +
                         "\"; allowed: verify, gradual, tolerant");
    require_above("scheme.write_tolerance", write_tolerance, 0, 100, "eps");
    require_range("scheme.write_max_iterations", write_max_iterations, 1, 1000);
}

void to_json(nlohmann::json& j, const SchemeConfig& c) {
    j = {{"type", c.type},
         {"eps", c.eps},
         {"eps_up", c.eps_up},
         {"eps_down", c.eps_down},
         {"refresh_interval", c.refresh_interval},
         {"quantize_bits", c.quantize_bits},
         {"quantize_rounding", c.quantize_rounding},
         {"quantize_scale", c.quantize_scale},
         {"direct_rounding", c.direct_rounding},
         {"quantize_x_range", c.quantize_x_range},
         {"quantize_delta_range", c.quantize_delta_range},
         {"write_scheme", c.write_scheme},
         {"write_tolerance", c.write_tolerance},
         {"write_max_iterations", c.write_max_iterations}};
}

void from_json(const nlohmann::json& j, SchemeConfig& c) {
    JsonFields f(j, "scheme");
    f.get("type", c.type);
    f.get("eps", c.eps);
    f.get("eps_up", c.eps_up);
    f.get("eps_down", c.eps_down);
    f.get("refresh_interval", c.refresh_interval);
    f.get("quantize_bits", c.quantize_bits);
    f.get("quantize_rounding", c.quantize_rounding);
    f.get("quantize_scale", c.quantize_scale);
    f.get("direct_rounding", c.direct_rounding);
    f.get("quantize_x_range", c.quantize_x_range);
    f.get("quantize_delta_range", c.quantize_delta_range);
    f.get("write_scheme", c.write_scheme);
    f.get("write_tolerance", c.write_tolerance);
    f.get("write_max_iterations", c.write_max_iterations);
    f.finish();
}

} // namespace cbl
