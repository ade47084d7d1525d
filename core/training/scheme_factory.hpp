#pragma once
// Builds the network's weight layers for the configured training scheme:
// "fp" full precision (FP32/FP64 baseline), and the crossbar schemes of seeds 000 and 002.
#include "core/experiment/config.hpp"
#include "core/network/weight_layer.hpp"

namespace cbl {

/// Weight-matrix shapes (outputs x inputs incl. bias) of a [785, 250, 10]-style layer list.
std::vector<std::pair<int, int>> weight_shapes(const NetworkConfig& n);

template <typename Scalar>
WeightLayers<Scalar> make_layers(const ExperimentConfig& c);

} // namespace cbl
