#pragma once
// From the config's layer list to a network graph.
#include "core/network/network.hpp"

namespace cbl {

/// Expands `network.layers: [785, 250, 10]` with `network.hidden_activation` (seed 002 section
/// 2.3: layers[0] counts the bias input) into the chain
///   input -> dense_0 -> <activation>_0 -> dense_1 -> ... -> dense_<n-1> -> softmax cross-entropy
/// around the weight matrices `weights` (one per dense layer, from the scheme's factory).
template <typename Scalar>
Network<Scalar> build_chain(const std::vector<int>& layers, const std::string& hidden_activation,
                            WeightLayers<Scalar> weights, const OptimizerConfig& optimizer,
                            int batch_size);

extern template Network<float> build_chain<float>(const std::vector<int>&, const std::string&,
                                                  WeightLayers<float>, const OptimizerConfig&, int);
extern template Network<double> build_chain<double>(const std::vector<int>&, const std::string&,
                                                    WeightLayers<double>, const OptimizerConfig&,
                                                    int);

} // namespace cbl
