#include "core/training/update_scheme.hpp"

#include "core/common/param_error.hpp"
#include "core/training/schemes/direct_scheme.hpp"
#include "core/training/schemes/mca_scheme.hpp"
#include "core/training/schemes/time_scheme.hpp"

namespace cbl {

std::unique_ptr<UpdateScheme> make_update_scheme(const SchemeConfig& c, int rows, int cols,
                                                 bool single, std::uint64_t seed,
                                                 std::uint32_t layer) {
    if (c.type == "mca") return std::make_unique<McaScheme>(c, rows, cols, single);
    if (c.type == "direct") return std::make_unique<DirectScheme>(c, single, seed, layer);
    if (c.type == "time") return std::make_unique<TimeScheme>(c, single, seed, layer);
    throw InputError("scheme.type " + c.type + " does not train on a crossbar (mca, direct, time)");
}

double eps_for(const SchemeConfig& c, bool single, bool up) {
    const double e = up ? c.eps_up : c.eps_down;
    return single && e > 0 ? e : c.eps;
}

} // namespace cbl
