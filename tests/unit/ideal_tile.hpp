#pragma once
// A tile of ideal devices for hand-computed unit tests (shared by the tests that need one).
#include "core/crossbar/tile_config.hpp"

namespace cbl {

/// A tile of ideal devices (step dg_uS = 1 uS, beta 0.1: one pulse = 0.1 weight units), no
/// noise, all weights 0 at the start.
inline TileConfig ideal_tile(WeightMapping mapping) {
    TileConfig t;
    IdealParams d;
    d.g_min_uS = 0;
    d.g_max_uS = 20;
    d.dg_uS = 1;
    t.device.model = d;
    t.mapping = mapping;
    t.beta_per_uS = 0.1;
    t.g_ref_uS = 5;
    t.init_mean_uS = 5;
    t.init_std_uS = 0;
    t.read_noise = false;
    t.drift = false;
    return t;
}

} // namespace cbl
