#include "core/crossbar/tile_config.hpp"

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

} // namespace cbl
