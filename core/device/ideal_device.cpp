#include "core/device/ideal_device.hpp"

#include "core/common/json_fields.hpp"
#include "core/common/param_error.hpp"

namespace cbl {

void IdealParams::validate() const {
    require_range("ideal.g_min_uS", g_min_uS, 0, 1000, "uS");
    require_range("ideal.g_max_uS", g_max_uS, 0, 1000, "uS");
    require_less("ideal.g_min_uS", g_min_uS, "ideal.g_max_uS", g_max_uS);
    require_above("ideal.dg_uS", dg_uS, 0, 1000, "uS");
    require_range("ideal.read_g", read_g, 0, 10);
    require_range("ideal.read_0_uS", read_0_uS, 0, 100, "uS");
}

void to_json(nlohmann::json& j, const IdealParams& p) {
    j = {{"g_min_uS", p.g_min_uS},
         {"g_max_uS", p.g_max_uS},
         {"dg_uS", p.dg_uS},
         {"read_g", p.read_g},
         {"read_0_uS", p.read_0_uS}};
}

void from_json(const nlohmann::json& j, IdealParams& p) {
    JsonFields f(j, "ideal");
    f.get("g_min_uS", p.g_min_uS);
    f.get("g_max_uS", p.g_max_uS);
    f.get("dg_uS", p.dg_uS);
    f.get("read_g", p.read_g);
    f.get("read_0_uS", p.read_0_uS);
    f.finish();
}

} // namespace cbl
