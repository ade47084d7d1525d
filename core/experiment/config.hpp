#pragma once
// The experiment config: one JSON document (the same the GUI saves inside a session and the CLI
// reads with --config), read into typed parts and checked field by field against the parameter
// schema (core/config/fields.hpp), which also generates resources/presets/README.md's table.
#include "core/config/json_file.hpp"
#include "core/crossbar/tile_config.hpp"
#include "core/dataset/dataset.hpp"
#include "core/gan/gan_config.hpp"
#include "core/network/network_builder.hpp"
#include "core/network/optimizer.hpp"
#include "core/rl/dqn_config.hpp"
#include "core/training/scheme_config.hpp"

#include <nlohmann/json.hpp>

#include <functional>
#include <string>
#include <vector>

namespace cbl {

struct NetworkConfig {
    std::vector<int> layers{785, 250, 10}; ///< neuron counts; layers[0] includes the bias input
    std::string hidden_activation = "sigmoid";
    /// A layer list (conv2d, maxpool2d, dropout, flatten, dense; core/network/network_builder):
    /// when given it defines the network and `layers` / `hidden_activation` are not used.
    std::vector<LayerSpec> graph;
};

struct TrainingConfig {
    int epochs = 10;
    int batch_size = 1;             ///< seed 002 trains one image at a time
    std::string precision = "fp32"; ///< "fp32" or "fp64" arithmetic of the digital unit
    std::uint64_t seed = 1;
    double seconds_per_image = 0.01; ///< simulated device time per training image [s]
    int divergence_epochs = 1; ///< epochs at or above chance loss that count as diverged, 0 = off
    OptimizerConfig optimizer;
};

struct ExperimentConfig {
    std::string name = "custom";
    std::string description; ///< one line for `presets` and the GUI's preset picker
    std::string reproduces;  ///< which paper/figure the preset follows
    /// "supervised": the network learns the dataset's labels; "rl": a DQN (Mnih et al. 2013, the
    /// deep RL of seed 000) learns the control task of `rl`, its Q-network built from `rl`;
    /// "gan": a GAN (core/gan/gan.hpp) learns to generate the dataset's images, its networks
    /// built from `gan`.
    std::string task = "supervised";
    NetworkConfig network;
    TrainingConfig training;
    DatasetSpec dataset;
    SchemeConfig scheme;
    rl::DqnConfig rl;   ///< the agent and its task (task = rl); network and dataset then unused
    gan::GanConfig gan; ///< generator and discriminator (task = gan); network then unused
    /// The crossbar tile with its device model; in JSON the model is the top-level "device".
    TileConfig tile;
    std::string technology = "mca-14nm"; ///< energy/latency preset (resources/technology)

    /// Every field against its schema range, then the cross-field rules.
    void validate() const;
};

void to_json(nlohmann::json& j, const ExperimentConfig& c);
/// Reads and checks (fields and cross-field rules); InputError names the field as written.
void from_json(const nlohmann::json& j, ExperimentConfig& c);

/// Folder holding presets/ and technology/ (CROSSBARLAB_RESOURCES overrides the build's path).
std::string resource_dir();
/// Stems of the .json files in resource_dir()/folder, sorted.
std::vector<std::string> resource_names(const std::string& folder);
/// Names of the presets in resources/presets, sorted.
std::vector<std::string> preset_names();
/// The presets whose task `runs` accepts; a preset that does not load is listed too, so that
/// choosing it shows why.
std::vector<std::string> preset_names_of_tasks(const std::function<bool(const std::string&)>& runs);
/// The presets that train on a dataset (task = supervised), as preset_names_of_tasks.
std::vector<std::string> supervised_preset_names();
/// The file of a preset; InputError lists the known names when it is unknown.
std::string preset_path(const std::string& name);
/// Loads and validates a preset by name; InputError lists the known names when it is unknown.
ExperimentConfig load_preset(const std::string& name);
/// Loads and validates a config file.
ExperimentConfig load_config_file(const std::string& path);
/// Applies one `--set a.b.c=VALUE` override (VALUE parsed as JSON, else taken as a string).
void apply_override(nlohmann::json& config, const std::string& assignment);
/// Sets the field at a dotted path of a config's JSON (groups created as needed).
void set_at_path(nlohmann::json& config, const std::string& path, const nlohmann::json& value,
                 const std::string& context);

} // namespace cbl
