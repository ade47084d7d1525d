#include "core/device/rram_device.hpp"

#include "core/common/json_fields.hpp"
#include "core/common/param_error.hpp"

namespace cbl {

void RramParams::validate() const {
    require_range("rram.g_min_uS", g_min_uS, 0, 1000, "uS");
    require_range("rram.g_max_uS", g_max_uS, 0, 1000, "uS");
    require_less("rram.g_min_uS", g_min_uS, "rram.g_max_uS", g_max_uS);
    require_range("rram.levels", levels, 1, 100000, "pulses");
    require_above("rram.a_ltp_pulses", a_ltp_pulses, 0, 1e6, "pulses");
    require_above("rram.a_ltd_pulses", a_ltd_pulses, 0, 1e6, "pulses");
    require_range("rram.c2c", c2c, 0, 1);
    require_range("rram.a_d2d", a_d2d, 0, 0.5);
    require_range("rram.g_max_d2d", g_max_d2d, 0, 0.5);
    require_range("rram.read_g", read_g, 0, 10);
    require_range("rram.read_0_uS", read_0_uS, 0, 100, "uS");
    require_above("rram.v_read_V", v_read_V, 0, 10, "V");
    require_above("rram.t_read_ns", t_read_ns, 0, 1e6, "ns");
    require_above("rram.v_write_V", v_write_V, 0, 10, "V");
    require_above("rram.t_write_ns", t_write_ns, 0, 1e6, "ns");
}

void to_json(nlohmann::json& j, const RramParams& p) {
    j = {{"g_min_uS", p.g_min_uS},
         {"g_max_uS", p.g_max_uS},
         {"levels", p.levels},
         {"a_ltp_pulses", p.a_ltp_pulses},
         {"a_ltd_pulses", p.a_ltd_pulses},
         {"c2c", p.c2c},
         {"a_d2d", p.a_d2d},
         {"g_max_d2d", p.g_max_d2d},
         {"read_g", p.read_g},
         {"read_0_uS", p.read_0_uS},
         {"v_read_V", p.v_read_V},
         {"t_read_ns", p.t_read_ns},
         {"v_write_V", p.v_write_V},
         {"t_write_ns", p.t_write_ns}};
}

void from_json(const nlohmann::json& j, RramParams& p) {
    JsonFields f(j, "rram");
    f.get("g_min_uS", p.g_min_uS);
    f.get("g_max_uS", p.g_max_uS);
    f.get("levels", p.levels);
    f.get("a_ltp_pulses", p.a_ltp_pulses);
    f.get("a_ltd_pulses", p.a_ltd_pulses);
    f.get("c2c", p.c2c);
    f.get("a_d2d", p.a_d2d);
    f.get("g_max_d2d", p.g_max_d2d);
    f.get("read_g", p.read_g);
    f.get("read_0_uS", p.read_0_uS);
    f.get("v_read_V", p.v_read_V);
    f.get("t_read_ns", p.t_read_ns);
    f.get("v_write_V", p.v_write_V);
    f.get("t_write_ns", p.t_write_ns);
    f.finish();
}

} // namespace cbl
