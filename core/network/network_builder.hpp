#pragma once
// From the config's layer list to a network graph.
#include "core/network/image_shape.hpp"
#include "core/network/network.hpp"

#include <nlohmann/json_fwd.hpp>

#include <utility>

namespace cbl {

/// Expands `network.layers: [785, 250, 10]` with `network.hidden_activation` (seed 002 section
/// 2.3: layers[0] counts the bias input) into the chain
///   input -> dense_0 -> <activation>_0 -> dense_1 -> ... -> dense_<n-1> -> softmax cross-entropy
/// around the weight matrices `weights` (one per dense layer, from the scheme's factory). Another
/// loss head (e.g. a DQN's TD loss) may replace the softmax.
template <typename Scalar>
Network<Scalar> build_chain(const std::vector<int>& layers, const std::string& hidden_activation,
                            WeightLayers<Scalar> weights, const OptimizerConfig& optimizer,
                            int batch_size, std::unique_ptr<LossHead<Scalar>> head = nullptr);

/// One entry of a layer list (`network.graph`), e.g. seed 002 Fig. 4A's CNN as conv2d, conv2d,
/// maxpool2d, dropout, ..., dense. Fields a kind does not use are ignored.
struct LayerSpec {
    std::string kind;       ///< "conv2d", "maxpool2d", "dropout", "flatten", "dense" or "lstm"
    int kernel = 0;         ///< conv2d, maxpool2d: side of the square window
    int stride = 1;         ///< conv2d, maxpool2d: step between windows
    int padding = 0;        ///< conv2d: rings of zeros around the input
    int channels = 0;       ///< conv2d: output channels (filters)
    int units = 0;          ///< dense: outputs; lstm: hidden units H
    double rate = 0;        ///< dropout: fraction of units dropped in training
    double forget_bias = 0; ///< lstm: initial bias of the forget gate, weight units
    std::string activation; ///< conv2d, dense: "relu", "sigmoid", "tanh", or "" for none

    bool operator==(const LayerSpec&) const = default;
};

/// The layer list from JSON (an array of objects with "kind" and that kind's fields; maxpool2d's
/// stride defaults to its kernel); types, required and unknown fields are checked here and
/// named by path (network.graph[2].kernel), value ranges and shapes by build_graph().
std::vector<LayerSpec> layer_specs_from_json(const nlohmann::json& j);
/// One layer as JSON: its kind and the fields that kind uses.
void to_json(nlohmann::json& j, const LayerSpec& s);

/// The weight matrices of the layer list for C x H x W inputs, in order: (rows, columns with the
/// bias), e.g. conv2d C_out x (k*k*C_in + 1), dense units x (inputs + 1). Checks every field and
/// shape, naming the layer ("network.graph[3] (conv2d): kernel 5 does not fit a 4x4 input");
/// the last layer must be a dense layer of `classes` units (or 0 units: as many as there are
/// classes) without activation (the softmax cross-entropy head follows).
std::vector<std::pair<int, int>> graph_weight_shapes(const std::vector<LayerSpec>& specs,
                                                     ImageShape input, int classes);

/// The network of the layer list around `weights` (shapes as graph_weight_shapes(), from the
/// scheme's factory). Nodes are named <kind>_<index in the list>, activations after their
/// layer as <activation>_<index>; dropout masks are keyed by `seed` and the index.
/// A list starting with an lstm is a character model (seed 002 Fig. 4D): its input is a text
/// sample of T + 1 character indices (1 x 1 x (T + 1)), one-hot over the `classes` characters;
/// after an lstm the values are a sequence of T vectors, dense layers apply to each step, and
/// the loss is the softmax cross-entropy of every step's next character.
template <typename Scalar>
Network<Scalar> build_graph(const std::vector<LayerSpec>& specs, ImageShape input, int classes,
                            WeightLayers<Scalar> weights, const OptimizerConfig& optimizer,
                            int batch_size, std::uint64_t seed);

extern template Network<float> build_chain<float>(const std::vector<int>&, const std::string&,
                                                  WeightLayers<float>, const OptimizerConfig&, int,
                                                  std::unique_ptr<LossHead<float>>);
extern template Network<double> build_chain<double>(const std::vector<int>&, const std::string&,
                                                    WeightLayers<double>, const OptimizerConfig&,
                                                    int, std::unique_ptr<LossHead<double>>);
extern template Network<float> build_graph<float>(const std::vector<LayerSpec>&, ImageShape, int,
                                                  WeightLayers<float>, const OptimizerConfig&, int,
                                                  std::uint64_t);
extern template Network<double> build_graph<double>(const std::vector<LayerSpec>&, ImageShape, int,
                                                    WeightLayers<double>, const OptimizerConfig&,
                                                    int, std::uint64_t);

} // namespace cbl
