#include "core/device/pcm_device.hpp"

#include "core/common/json_fields.hpp"
#include "core/common/param_error.hpp"

namespace cbl {

void PcmParams::validate() const {
    require_range("pcm.g_min_uS", g_min_uS, 0, 1000, "uS");
    require_range("pcm.g_max_uS", g_max_uS, 0, 1000, "uS");
    require_less("pcm.g_min_uS", g_min_uS, "pcm.g_max_uS", g_max_uS);
    require_range("pcm.mu_g", mu_g, -10, 10);
    require_range("pcm.mu_0_uS", mu_0_uS, -100, 100, "uS");
    require_range("pcm.mu_p_uS", mu_p_uS, -100, 100, "uS");
    require_range("pcm.sigma_g", sigma_g, -10, 10);
    require_range("pcm.sigma_0_uS", sigma_0_uS, -100, 100, "uS");
    require_range("pcm.sigma_p_uS", sigma_p_uS, -100, 100, "uS");
    require_above("pcm.n_history", n_history, 0, 1000, "pulses");
    require_range("pcm.reset_mean_uS", reset_mean_uS, 0, 1000, "uS");
    require_range("pcm.reset_std_uS", reset_std_uS, 0, 100, "uS");
    require_above("pcm.t0_s", t0_s, 0, 1e6, "s");
    require_range("pcm.nu_mean", nu_mean, 0, 1);
    require_range("pcm.nu_std", nu_std, 0, 1);
    require_range("pcm.read_g", read_g, 0, 10);
    require_range("pcm.read_0_uS", read_0_uS, 0, 100, "uS");
    require_range("pcm.mu_d2d", mu_d2d, 0, 1);
}

void to_json(nlohmann::json& j, const PcmParams& p) {
    j = {{"g_min_uS", p.g_min_uS},
         {"g_max_uS", p.g_max_uS},
         {"mu_g", p.mu_g},
         {"mu_0_uS", p.mu_0_uS},
         {"mu_p_uS", p.mu_p_uS},
         {"sigma_g", p.sigma_g},
         {"sigma_0_uS", p.sigma_0_uS},
         {"sigma_p_uS", p.sigma_p_uS},
         {"n_history", p.n_history},
         {"reset_mean_uS", p.reset_mean_uS},
         {"reset_std_uS", p.reset_std_uS},
         {"t0_s", p.t0_s},
         {"nu_mean", p.nu_mean},
         {"nu_std", p.nu_std},
         {"read_g", p.read_g},
         {"read_0_uS", p.read_0_uS},
         {"mu_d2d", p.mu_d2d}};
}

void from_json(const nlohmann::json& j, PcmParams& p) {
    JsonFields f(j, "pcm");
    f.get("g_min_uS", p.g_min_uS);
    f.get("g_max_uS", p.g_max_uS);
    f.get("mu_g", p.mu_g);
    f.get("mu_0_uS", p.mu_0_uS);
    f.get("mu_p_uS", p.mu_p_uS);
    f.get("sigma_g", p.sigma_g);
    f.get("sigma_0_uS", p.sigma_0_uS);
    f.get("sigma_p_uS", p.sigma_p_uS);
    f.get("n_history", p.n_history);
    f.get("reset_mean_uS", p.reset_mean_uS);
    f.get("reset_std_uS", p.reset_std_uS);
    f.get("t0_s", p.t0_s);
    f.get("nu_mean", p.nu_mean);
    f.get("nu_std", p.nu_std);
    f.get("read_g", p.read_g);
    f.get("read_0_uS", p.read_0_uS);
    f.get("mu_d2d", p.mu_d2d);
    f.finish();
}

} // namespace cbl
