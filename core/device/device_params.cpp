#include "core/device/device_params.hpp"

#include "core/common/param_error.hpp"

namespace cbl {

namespace {
constexpr const char* family_names[] = {"pcm", "rram", "ideal", "soft-bounds"};
} // namespace

DeviceParams DeviceParams::of_family(const std::string& family) {
    if (family == "pcm") return {PcmParams{}};
    if (family == "rram") return {RramParams{}};
    if (family == "ideal") return {IdealParams{}};
    if (family == "soft-bounds") return {SoftBoundsParams{}};
    throw InputError("device.family = \"" + family +
                     "\" is not a known device family; allowed pcm, rram, ideal, soft-bounds");
}

std::string DeviceParams::family() const {
    return family_names[model.index()];
}

void DeviceParams::validate() const {
    std::visit([](const auto& m) { m.validate(); }, model);
}

double DeviceParams::g_min_uS() const {
    return std::visit([](const auto& m) { return m.g_min_uS; }, model);
}

double DeviceParams::g_max_uS() const {
    return std::visit([](const auto& m) { return m.g_max_uS; }, model);
}

double DeviceParams::read_g() const {
    return std::visit([](const auto& m) { return m.read_g; }, model);
}

double DeviceParams::read_0_uS() const {
    return std::visit([](const auto& m) { return m.read_0_uS; }, model);
}

void to_json(nlohmann::json& j, const DeviceParams& p) {
    std::visit([&j](const auto& m) { j = m; }, p.model);
    j["family"] = p.family();
}

void from_json(const nlohmann::json& j, DeviceParams& p) {
    if (!j.is_object()) throw InputError("device must be a JSON object");
    const auto it = j.find("family");
    if (it == j.end() || !it->is_string())
        throw InputError("device.family is missing; allowed pcm, rram, ideal, soft-bounds");
    p = DeviceParams::of_family(it->get<std::string>());
    nlohmann::json fields = j;
    fields.erase("family");
    std::visit([&fields](auto& m) { from_json(fields, m); }, p.model);
}

} // namespace cbl
