#pragma once
// The device model of a tile, chosen by a family name in configs ("pcm", "rram", "ideal",
// "soft-bounds"). JSON form: {"family": "pcm", <the model's own fields>}.
#include "core/device/ideal_device.hpp"
#include "core/device/pcm_device.hpp"
#include "core/device/rram_device.hpp"
#include "core/device/soft_bounds_device.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <variant>

namespace cbl {

using DeviceModel = std::variant<PcmParams, RramParams, IdealParams, SoftBoundsParams>;

struct DeviceParams {
    DeviceModel model = PcmParams{};

    /// Default parameters of a family; throws InputError listing the known families.
    static DeviceParams of_family(const std::string& family);

    std::string family() const;
    void validate() const;
    double g_min_uS() const;
    double g_max_uS() const;
    /// Read-noise sigma = read_g G + read_0_uS: every model shares this additive form.
    double read_g() const;
    double read_0_uS() const;
    bool is_pcm() const { return std::holds_alternative<PcmParams>(model); }
};

void to_json(nlohmann::json& j, const DeviceParams& p);
void from_json(const nlohmann::json& j, DeviceParams& p);

} // namespace cbl
