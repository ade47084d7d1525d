#include "core/network/network_builder.hpp"

#include "core/network/activation_layer.hpp"
#include "core/network/dense_layer.hpp"

namespace cbl {

template <typename Scalar>
Network<Scalar> build_chain(const std::vector<int>& layers, const std::string& hidden_activation,
                            WeightLayers<Scalar> weights, const OptimizerConfig& optimizer,
                            int batch_size) {
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
    return Network<Scalar>(layers.front() - 1, std::move(nodes), last,
                           std::make_unique<SoftmaxCrossEntropy<Scalar>>(), batch_size);
}

template Network<float> build_chain<float>(const std::vector<int>&, const std::string&,
                                           WeightLayers<float>, const OptimizerConfig&, int);
template Network<double> build_chain<double>(const std::vector<int>&, const std::string&,
                                             WeightLayers<double>, const OptimizerConfig&, int);

} // namespace cbl
