#include "core/training/scheme_factory.hpp"

#include "core/common/param_error.hpp"
#include "core/network/fp_layer.hpp"
#include "core/training/crossbar_layer.hpp"

namespace cbl {

std::vector<std::pair<int, int>> weight_shapes(const std::vector<int>& layers) {
    std::vector<std::pair<int, int>> shapes;
    // layers[0] already counts the bias input; hidden layers get one appended (seed 002: 198,760
    // weights for 785-250-10 = 250x785 + 10x251).
    for (std::size_t k = 1; k < layers.size(); ++k)
        shapes.emplace_back(layers[k], k == 1 ? layers[0] : layers[k - 1] + 1);
    return shapes;
}

template <typename Scalar>
WeightLayers<Scalar> make_layers(const std::vector<std::pair<int, int>>& shapes,
                                 const SchemeConfig& scheme, const TileConfig& tile,
                                 std::uint64_t seed, double seconds_per_image) {
    // Every field is validated, also those a software run ignores: a NaN or out-of-range value
    // is an error whatever the scheme.
    scheme.validate();
    tile.validate();
    WeightLayers<Scalar> layers;
    if (scheme.type == "fp") {
        for (std::size_t k = 0; k < shapes.size(); ++k)
            layers.push_back(std::make_unique<FpLayer<Scalar>>(shapes[k].first, shapes[k].second,
                                                               seed, std::uint32_t(k)));
        return layers;
    }
    if constexpr (std::is_same_v<Scalar, float>) {
        for (std::size_t k = 0; k < shapes.size(); ++k)
            layers.push_back(std::make_unique<CrossbarLayer>(shapes[k].first, shapes[k].second,
                                                             tile, scheme, seconds_per_image, seed,
                                                             std::uint32_t(k)));
        return layers;
    } else {
        throw InputError("training.precision = fp64 works with scheme.type fp only; crossbar "
                         "schemes compute in fp32 (the digital unit of seed 002)");
    }
}

template WeightLayers<float> make_layers<float>(const std::vector<std::pair<int, int>>&,
                                                const SchemeConfig&, const TileConfig&,
                                                std::uint64_t, double);
template WeightLayers<double> make_layers<double>(const std::vector<std::pair<int, int>>&,
                                                  const SchemeConfig&, const TileConfig&,
                                                  std::uint64_t, double);

} // namespace cbl
