#include "core/device/soft_bounds_device.hpp"

#include "core/common/json_fields.hpp"
#include "core/common/param_error.hpp"

namespace cbl {

void SoftBoundsParams::validate() const {
    require_range("soft-bounds.g_min_uS", g_min_uS, 0, 1000, "uS");
    require_range("soft-bounds.g_max_uS", g_max_uS, 0, 1000, "uS");
    require_less("soft-bounds.g_min_uS", g_min_uS, "soft-bounds.g_max_uS", g_max_uS);
    require_above("soft-bounds.alpha", alpha, 0, 1);
    require_range("soft-bounds.c2c", c2c, 0, 10);
    require_range("soft-bounds.read_g", read_g, 0, 10);
    require_range("soft-bounds.read_0_uS", read_0_uS, 0, 100, "uS");
}

void to_json(nlohmann::json& j, const SoftBoundsParams& p) {
    j = {{"g_min_uS", p.g_min_uS}, {"g_max_uS", p.g_max_uS}, {"alpha", p.alpha},
         {"c2c", p.c2c},           {"read_g", p.read_g},     {"read_0_uS", p.read_0_uS}};
}

void from_json(const nlohmann::json& j, SoftBoundsParams& p) {
    JsonFields f(j, "soft-bounds");
    f.get("g_min_uS", p.g_min_uS);
    f.get("g_max_uS", p.g_max_uS);
    f.get("alpha", p.alpha);
    f.get("c2c", p.c2c);
    f.get("read_g", p.read_g);
    f.get("read_0_uS", p.read_0_uS);
    f.finish();
}

} // namespace cbl
