#pragma once
// The GAN's settings (core/gan/gan.hpp), apart from the networks so the experiment config can
// hold them without the network headers. Ranges, units and meanings: the parameter schema,
// core/config/fields.hpp ("gan." fields).
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace cbl::gan {

struct GanConfig {
    int noise_size = 100;                       ///< generator inputs per image
    std::string noise = "uniform";              ///< "uniform" on [-1, 1] or "normal" (0, 1)
    std::vector<int> generator_hidden{256};     ///< hidden ReLU neurons per generator layer
    std::vector<int> discriminator_hidden{256}; ///< hidden ReLU neurons per discriminator layer
    /// Real images per alternating step, and as many generated ones (seed 002 Fig. 4I: the GAN
    /// converges only with mini-batches of 100 and momentum).
    int batch_size = 100;
    int fd_samples = 10000; ///< generated images whose features the Fréchet distance compares

    /// Every field against its schema range (core/config/config_json.cpp).
    void validate() const;
};

void to_json(nlohmann::json& j, const GanConfig& c);
/// Reads and checks the "gan" group; InputError names the field as written ("gan.noise_size").
void from_json(const nlohmann::json& j, GanConfig& c);

} // namespace cbl::gan
