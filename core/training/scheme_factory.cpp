#include "core/training/scheme_factory.hpp"

#include "core/common/param_error.hpp"
#include "core/network/fp_layer.hpp"
#include "core/training/crossbar_layer.hpp"

namespace cbl {

std::vector<std::pair<int, int>> weight_shapes(const NetworkConfig& n) {
    std::vector<std::pair<int, int>> shapes;
    // layers[0] already counts the bias input; hidden layers get one appended (seed 002: 198,760
    // weights for 785-250-10 = 250x785 + 10x251).
    for (std::size_t k = 1; k < n.layers.size(); ++k)
        shapes.emplace_back(n.layers[k], k == 1 ? n.layers[0] : n.layers[k - 1] + 1);
    return shapes;
}

template <typename Scalar>
typename Mlp<Scalar>::Layers make_layers(const ExperimentConfig& c) {
    // Every field is validated, also those a software run ignores: a NaN or out-of-range value
    // is an error whatever the scheme.
    const SchemeConfig& scheme = c.scheme;
    scheme.validate();
    const std::string type = scheme.type;
    typename Mlp<Scalar>::Layers layers;
    const auto shapes = weight_shapes(c.network);
    if (type == "fp") {
        c.tile.validate();
        for (std::size_t k = 0; k < shapes.size(); ++k)
            layers.push_back(std::make_unique<FpLayer<Scalar>>(
                shapes[k].first, shapes[k].second, c.training.seed, static_cast<std::uint32_t>(k)));
        return layers;
    }
    if constexpr (std::is_same_v<Scalar, float>) {
        const TileConfig& tile = c.tile;
        tile.validate();
        for (std::size_t k = 0; k < shapes.size(); ++k)
            layers.push_back(std::make_unique<CrossbarLayer>(
                shapes[k].first, shapes[k].second, tile, scheme, c.training.seconds_per_image,
                c.training.seed, static_cast<std::uint32_t>(k)));
        return layers;
    } else {
        throw InputError("training.precision = fp64 works with scheme.type fp only; crossbar "
                         "schemes compute in fp32 (the digital unit of seed 002)");
    }
}

template Mlp<float>::Layers make_layers<float>(const ExperimentConfig&);
template Mlp<double>::Layers make_layers<double>(const ExperimentConfig&);

} // namespace cbl
