#include "core/network/network_builder.hpp"

#include "core/network/activation_layer.hpp"
#include "core/network/conv2d_layer.hpp"
#include "core/network/dense_layer.hpp"
#include "core/network/dropout_layer.hpp"
#include "core/network/flatten_layer.hpp"
#include "core/network/lstm_layer.hpp"
#include "core/network/maxpool2d_layer.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdint>
#include <limits>

namespace cbl {

template <typename Scalar>
Network<Scalar> build_chain(const std::vector<int>& layers, const std::string& hidden_activation,
                            WeightLayers<Scalar> weights, const OptimizerConfig& optimizer,
                            int batch_size, std::unique_ptr<LossHead<Scalar>> head) {
    if (layers.size() < 2 || weights.size() != layers.size() - 1)
        throw InputError("network.layers needs at least two entries");
    const Activation hidden = activation_from_string(hidden_activation);
    typename Network<Scalar>::Nodes nodes;
    std::string last = "input";
    for (std::size_t k = 0; k < weights.size(); ++k) {
        if (k > 0) {
            const std::string name = std::string(to_string(hidden)) + "_" + std::to_string(k - 1);
            nodes.push_back({name, {last}, std::make_unique<ActivationLayer<Scalar>>(hidden)});
            last = name;
        }
        const std::string name = "dense_" + std::to_string(k);
        nodes.push_back(
            {name, {last}, std::make_unique<DenseLayer<Scalar>>(std::move(weights[k]), optimizer)});
        last = name;
    }
    if (!head) head = std::make_unique<SoftmaxCrossEntropy<Scalar>>();
    return Network<Scalar>(layers.front() - 1, std::move(nodes), last, std::move(head), batch_size);
}

template Network<float> build_chain<float>(const std::vector<int>&, const std::string&,
                                           WeightLayers<float>, const OptimizerConfig&, int,
                                           std::unique_ptr<LossHead<float>>);
template Network<double> build_chain<double>(const std::vector<int>&, const std::string&,
                                             WeightLayers<double>, const OptimizerConfig&, int,
                                             std::unique_ptr<LossHead<double>>);

namespace {

const std::vector<std::string> layer_kinds = {"conv2d",  "maxpool2d", "dropout",
                                              "flatten", "dense",     "lstm"};

/// The fields each kind reads from JSON; the first `required` of them must be present.
struct KindFields {
    std::vector<const char*> names;
    std::size_t required;
};
KindFields fields_of(const std::string& kind) {
    if (kind == "conv2d") return {{"kernel", "channels", "stride", "padding", "activation"}, 2};
    if (kind == "maxpool2d") return {{"kernel", "stride"}, 1};
    if (kind == "dropout") return {{"rate"}, 1};
    if (kind == "dense") return {{"units", "activation"}, 1};
    if (kind == "lstm") return {{"units", "forget_bias"}, 1};
    return {{}, 0};
}

std::string kind_list() {
    std::string s;
    for (const std::string& k : layer_kinds)
        s += (s.empty() ? "" : ", ") + k;
    return s;
}

/// One layer of the list with its input and output shapes, checked.
struct PlannedLayer {
    const LayerSpec* spec;
    ImageShape in, out;
    int steps = 0;   ///< > 0 inside a sequence model: the time steps T
    int one_hot = 0; ///< an lstm reading the sample's character indices: the vocabulary
};

std::vector<PlannedLayer> plan(const std::vector<LayerSpec>& specs, ImageShape input, int classes) {
    require_range("input channels", input.channels, 1, 4096);
    require_range("input height", input.height, 1, 65536);
    require_range("input width", input.width, 1, 65536);
    if (specs.empty()) throw InputError("network.graph needs at least one layer");
    std::vector<PlannedLayer> out;
    ImageShape shape = input;
    int steps = 0; // > 0 once an lstm has turned the values into a sequence of T vectors
    for (std::size_t i = 0; i < specs.size(); ++i) {
        const LayerSpec& s = specs[i];
        const std::string path = "network.graph[" + std::to_string(i) + "]";
        const std::string where = path + " (" + s.kind + ")";
        if (std::find(layer_kinds.begin(), layer_kinds.end(), s.kind) == layer_kinds.end())
            throw InputError(path + ".kind = \"" + s.kind + "\"; allowed: " + kind_list());
        const bool weighted = s.kind == "conv2d" || s.kind == "dense";
        if (weighted && !s.activation.empty() && s.activation != "relu" &&
            s.activation != "sigmoid" && s.activation != "tanh")
            throw InputError(path + ".activation = \"" + s.activation +
                             "\"; allowed: relu, sigmoid, tanh (or leave it out)");
        ImageShape next = shape;
        const bool first_lstm = s.kind == "lstm" && i == 0;
        if (steps > 0 && (s.kind == "conv2d" || s.kind == "maxpool2d" || s.kind == "flatten"))
            throw InputError(where + ": not after an lstm (its output is a sequence); use lstm, "
                                     "dropout or dense there");
        if (s.kind == "lstm") {
            require_range(path + ".units", s.units, 1, 100'000);
            require_range(path + ".forget_bias", s.forget_bias, -10, 10, "weight units");
            if (first_lstm) {
                if (shape.channels != 1 || shape.height != 1 || shape.width < 2)
                    throw InputError(where +
                                     ": a first lstm reads text samples of T + 1 "
                                     "character indices (--dataset text:FILE), not " +
                                     shape.str() + " images");
                steps = shape.width - 1;
            } else if (steps == 0) {
                throw InputError(where + ": an lstm reads text (first in the list) or the "
                                         "sequence of an lstm before it");
            }
            next = {s.units, 1, steps};
        } else if (s.kind == "conv2d" || s.kind == "maxpool2d") {
            require_range(path + ".kernel", s.kernel, 1, 64);
            require_range(path + ".stride", s.stride, 1, 64);
            Window2d win{s.kernel, s.stride, 0};
            if (s.kind == "conv2d") {
                require_range(path + ".padding", s.padding, 0, s.kernel - 1);
                require_range(path + ".channels", s.channels, 1, 4096);
                win.padding = s.padding;
                next.channels = s.channels;
            }
            next.height = win.positions(shape.height);
            next.width = win.positions(shape.width);
            if (next.height == 0 || next.width == 0)
                throw InputError(where + ": kernel " + std::to_string(s.kernel) +
                                 " does not fit a " + std::to_string(shape.height) + "x" +
                                 std::to_string(shape.width) + " input" +
                                 (s.padding ? " with padding " + std::to_string(s.padding) : ""));
        } else if (s.kind == "dropout") {
            require_range(path + ".rate", s.rate, 0, 0.99);
        } else if (s.kind == "flatten") {
            next = {shape.size(), 1, 1};
        } else {
            // The last layer may leave its width to the data ("units": 0, one per class): a
            // character model's vocabulary comes from its text.
            const bool per_class = i + 1 == specs.size() && s.units == 0;
            const int units = per_class ? classes : s.units;
            require_range(path + ".units", units, 1, 1'000'000);
            next = {units, 1, steps > 0 ? steps : 1};
        }
        out.push_back({&s, shape, next, steps, first_lstm ? classes : 0});
        shape = next;
    }
    const LayerSpec& last = specs.back();
    const std::string where =
        "network.graph[" + std::to_string(specs.size() - 1) + "] (" + last.kind + ")";
    if (last.kind != "dense")
        throw InputError(where + ": the last layer must be dense (" + std::to_string(classes) +
                         " units, one per class)");
    if (last.units != classes && last.units != 0)
        throw InputError(where + ": " + std::to_string(last.units) + " units but the data has " +
                         std::to_string(classes) + " classes");
    if (!last.activation.empty())
        throw InputError(where + ": the last layer feeds the softmax; leave its activation out");
    return out;
}

std::pair<int, int> weight_shape(const PlannedLayer& p) {
    if (p.spec->kind == "conv2d")
        return {p.out.channels, p.spec->kernel * p.spec->kernel * p.in.channels + 1};
    // The four gates (i, f, g, o) of an lstm as one matrix on [x_t, h_{t-1}, 1].
    if (p.spec->kind == "lstm")
        return {4 * p.out.channels,
                (p.one_hot > 0 ? p.one_hot : p.in.channels) + p.out.channels + 1};
    // A dense layer in a sequence is applied to each step's vector.
    return {p.out.channels, (p.steps > 0 ? p.in.channels : p.in.size()) + 1};
}

/// Reads one field of a layer entry when present: its JSON type must fit, and whole numbers are
/// range-checked before they are narrowed to int (no wrap-around).
template <typename T>
void read_field(const nlohmann::json& e, const std::string& path, const char* key, T& value) {
    const auto it = e.find(key);
    if (it == e.end()) return;
    const std::string where = path + "." + key;
    if constexpr (std::is_same_v<T, std::string>) {
        if (!it->is_string()) throw InputError(where + ": expected a string, got " + it->dump());
        value = it->template get<std::string>();
    } else if constexpr (std::is_integral_v<T>) {
        if (!it->is_number_integer())
            throw InputError(where + ": expected a whole number, got " + it->dump());
        const auto v = it->template get<std::int64_t>();
        if (v < std::numeric_limits<T>::min() || v > std::numeric_limits<T>::max())
            throw InputError(where + " = " + it->dump() + " is out of range");
        value = static_cast<T>(v);
    } else {
        if (!it->is_number()) throw InputError(where + ": expected a number, got " + it->dump());
        value = it->template get<T>();
    }
}

} // namespace

std::vector<LayerSpec> layer_specs_from_json(const nlohmann::json& j) {
    if (!j.is_array()) throw InputError("network.graph must be a list of layers, got " + j.dump());
    std::vector<LayerSpec> specs;
    for (std::size_t i = 0; i < j.size(); ++i) {
        const std::string path = "network.graph[" + std::to_string(i) + "]";
        const nlohmann::json& e = j[i];
        LayerSpec s;
        if (!e.is_object()) throw InputError(path + " must be a JSON object");
        if (!e.contains("kind"))
            throw InputError(path + ".kind is missing; allowed: " + kind_list());
        read_field(e, path, "kind", s.kind);
        if (std::find(layer_kinds.begin(), layer_kinds.end(), s.kind) == layer_kinds.end())
            throw InputError(path + ".kind = \"" + s.kind + "\"; allowed: " + kind_list());
        const KindFields kf = fields_of(s.kind);
        std::string names;
        for (const char* n : kf.names)
            names += (names.empty() ? "" : ", ") + std::string(n);
        for (const auto& [key, value] : e.items())
            if (key != "kind" && key != "comment" &&
                std::find(kf.names.begin(), kf.names.end(), key) == kf.names.end())
                throw InputError(path + "." + key + " is not a field of " + s.kind +
                                 (names.empty() ? " (it has none)" : "; its fields: " + names));
        for (std::size_t r = 0; r < kf.required; ++r)
            if (!e.contains(kf.names[r]))
                throw InputError(path + "." + kf.names[r] + " is missing (" + s.kind +
                                 " needs it)");
        if (s.kind == "maxpool2d") s.stride = 0; // marks "not given": the kernel by default
        read_field(e, path, "kernel", s.kernel);
        read_field(e, path, "stride", s.stride);
        read_field(e, path, "padding", s.padding);
        read_field(e, path, "channels", s.channels);
        read_field(e, path, "units", s.units);
        read_field(e, path, "rate", s.rate);
        read_field(e, path, "forget_bias", s.forget_bias);
        read_field(e, path, "activation", s.activation);
        if (s.kind == "maxpool2d" && !e.contains("stride")) s.stride = s.kernel;
        specs.push_back(std::move(s));
    }
    return specs;
}

void to_json(nlohmann::json& j, const LayerSpec& s) {
    j = {{"kind", s.kind}};
    for (const char* name : fields_of(s.kind).names) {
        const std::string n = name;
        if (n == "kernel") j[n] = s.kernel;
        if (n == "stride") j[n] = s.stride;
        if (n == "padding") j[n] = s.padding;
        if (n == "channels") j[n] = s.channels;
        if (n == "units") j[n] = s.units;
        if (n == "rate") j[n] = s.rate;
        if (n == "forget_bias" && s.forget_bias != 0) j[n] = s.forget_bias;
        if (n == "activation" && !s.activation.empty()) j[n] = s.activation;
    }
}

std::vector<std::pair<int, int>> graph_weight_shapes(const std::vector<LayerSpec>& specs,
                                                     ImageShape input, int classes) {
    std::vector<std::pair<int, int>> shapes;
    for (const PlannedLayer& p : plan(specs, input, classes))
        if (p.spec->kind != "maxpool2d" && p.spec->kind != "dropout" && p.spec->kind != "flatten")
            shapes.push_back(weight_shape(p));
    return shapes;
}

template <typename Scalar>
Network<Scalar> build_graph(const std::vector<LayerSpec>& specs, ImageShape input, int classes,
                            WeightLayers<Scalar> weights, const OptimizerConfig& optimizer,
                            int batch_size, std::uint64_t seed) {
    const std::vector<PlannedLayer> layers = plan(specs, input, classes);
    typename Network<Scalar>::Nodes nodes;
    std::string last = "input";
    std::size_t k = 0;
    for (std::size_t i = 0; i < layers.size(); ++i) {
        const PlannedLayer& p = layers[i];
        const LayerSpec& s = *p.spec;
        const std::string index = std::to_string(i);
        std::unique_ptr<Layer<Scalar>> layer;
        if (s.kind == "conv2d" || s.kind == "dense" || s.kind == "lstm") {
            const auto [rows, cols] = weight_shape(p);
            if (k >= weights.size() || weights[k]->outputs() != rows ||
                weights[k]->inputs() != cols)
                throw InputError("network.graph[" + index + "] (" + s.kind + "): needs a " +
                                 std::to_string(rows) + " x " + std::to_string(cols) +
                                 " weight matrix");
            std::unique_ptr<WeightLayer<Scalar>> w = std::move(weights[k++]);
            if (s.kind == "lstm")
                layer = std::make_unique<LstmLayer<Scalar>>(
                    std::move(w), optimizer, p.one_hot > 0 ? p.one_hot : p.in.channels, p.steps,
                    p.one_hot > 0, s.forget_bias);
            else if (s.kind == "conv2d")
                layer = std::make_unique<Conv2dLayer<Scalar>>(
                    std::move(w), optimizer, p.in, Window2d{s.kernel, s.stride, s.padding});
            else if (p.steps > 0) // the same dense layer at every step: a 1x1 convolution
                layer = std::make_unique<Conv2dLayer<Scalar>>(std::move(w), optimizer, p.in,
                                                              Window2d{1, 1, 0});
            else
                layer = std::make_unique<DenseLayer<Scalar>>(std::move(w), optimizer);
        } else if (s.kind == "maxpool2d") {
            layer = std::make_unique<MaxPool2dLayer<Scalar>>(p.in, s.kernel, s.stride);
        } else if (s.kind == "dropout") {
            layer =
                std::make_unique<DropoutLayer<Scalar>>(s.rate, seed, static_cast<std::uint32_t>(i));
        } else {
            layer = std::make_unique<FlattenLayer<Scalar>>(p.in.channels, p.in.height, p.in.width);
        }
        const std::string name = s.kind + "_" + index;
        nodes.push_back({name, {last}, std::move(layer)});
        last = name;
        if (!s.activation.empty()) {
            const std::string act = s.activation + "_" + index;
            nodes.push_back(
                {act,
                 {last},
                 std::make_unique<ActivationLayer<Scalar>>(activation_from_string(s.activation))});
            last = act;
        }
    }
    if (k != weights.size())
        throw InputError("network.graph has " + std::to_string(k) + " weight layers but " +
                         std::to_string(weights.size()) + " weight matrices were made");
    const int steps = layers.back().steps;
    if (steps == 0)
        return Network<Scalar>(input.size(), std::move(nodes), last,
                               std::make_unique<SoftmaxCrossEntropy<Scalar>>(), batch_size);
    // A sequence model's loss reads the per-step outputs followed by the sample, whose
    // characters 1..T are the targets.
    const int joined = classes * steps + input.size();
    nodes.push_back({"outputs_and_targets",
                     {last, "input"},
                     std::make_unique<FlattenLayer<Scalar>>(1, 1, joined)});
    return Network<Scalar>(input.size(), std::move(nodes), "outputs_and_targets",
                           std::make_unique<SequenceSoftmaxCrossEntropy<Scalar>>(classes, steps),
                           batch_size);
}

template Network<float> build_graph<float>(const std::vector<LayerSpec>&, ImageShape, int,
                                           WeightLayers<float>, const OptimizerConfig&, int,
                                           std::uint64_t);
template Network<double> build_graph<double>(const std::vector<LayerSpec>&, ImageShape, int,
                                             WeightLayers<double>, const OptimizerConfig&, int,
                                             std::uint64_t);

} // namespace cbl
