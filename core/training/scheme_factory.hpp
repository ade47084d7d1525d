#pragma once
// Builds the network's weight layers for the configured training scheme:
// "fp" full precision (FP32/FP64 baseline), and the crossbar schemes of seeds 000 and 002.
#include "core/crossbar/tile_config.hpp"
#include "core/network/weight_layer.hpp"
#include "core/training/scheme_config.hpp"

#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

namespace cbl {

/// Weight-matrix shapes (outputs x inputs incl. bias) of a [785, 250, 10]-style layer list.
std::vector<std::pair<int, int>> weight_shapes(const std::vector<int>& layers);

template <typename Scalar>
using WeightLayers = std::vector<std::unique_ptr<WeightLayer<Scalar>>>;

/// One layer per shape (outputs x inputs): full precision for scheme.type fp, else a crossbar
/// layer on `tile`. (seed, layer index) key every random stream.
template <typename Scalar>
WeightLayers<Scalar> make_layers(const std::vector<std::pair<int, int>>& shapes,
                                 const SchemeConfig& scheme, const TileConfig& tile,
                                 std::uint64_t seed, double seconds_per_image);

} // namespace cbl
