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

} // namespace cbl
