#include "core/experiment/config.hpp"

#include "core/common/json_fields.hpp"
#include "core/common/param_error.hpp"
#include "core/network/activation.hpp"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace cbl {
namespace fs = std::filesystem;

void ExperimentConfig::validate() const {
    if (network.layers.size() < 2)
        throw InputError("network.layers needs at least 2 entries (inputs and outputs)");
    for (std::size_t i = 0; i < network.layers.size(); ++i)
        require_range("network.layers[" + std::to_string(i) + "]", network.layers[i], 2, 100000,
                      "neurons");
    (void)activation_from_string(network.hidden_activation);
    require_range("training.epochs", training.epochs, 0, 100000);
    require_range("training.batch_size", training.batch_size, 1, 65536, "images");
    if (training.precision != "fp32" && training.precision != "fp64")
        throw InputError("training.precision = \"" + training.precision +
                         "\"; allowed: fp32, fp64");
    require_range("training.seconds_per_image", training.seconds_per_image, 0, 1e6, "s");
    training.optimizer.validate();
    require_range("dataset.holdout", dataset.holdout, 1, 1 << 28, "samples");
    require_range("dataset.train_limit", dataset.train_limit, 0, 1 << 28, "samples");
    require_range("dataset.test_limit", dataset.test_limit, 0, 1 << 28, "samples");
    if (!scheme.is_object() || !scheme.contains("type") || !scheme["type"].is_string())
        throw InputError("scheme.type is required (fp, direct, mca, time)");
}

void to_json(nlohmann::json& j, const ExperimentConfig& c) {
    j = {{"name", c.name},
         {"description", c.description},
         {"reproduces", c.reproduces},
         {"network",
          {{"layers", c.network.layers}, {"hidden_activation", c.network.hidden_activation}}},
         {"training",
          {{"epochs", c.training.epochs},
           {"batch_size", c.training.batch_size},
           {"precision", c.training.precision},
           {"seed", c.training.seed},
           {"seconds_per_image", c.training.seconds_per_image},
           {"optimizer", c.training.optimizer}}},
         {"dataset",
          {{"source", c.dataset.source},
           {"holdout", c.dataset.holdout},
           {"train_limit", c.dataset.train_limit},
           {"test_limit", c.dataset.test_limit}}},
         {"scheme", c.scheme},
         {"device", c.device},
         {"tile", c.tile},
         {"technology", c.technology}};
}

void from_json(const nlohmann::json& j, ExperimentConfig& c) {
    JsonFields f(j, "config");
    f.get("name", c.name);
    f.get("description", c.description);
    f.get("reproduces", c.reproduces);
    f.get("technology", c.technology);
    f.get("scheme", c.scheme);
    f.get("device", c.device);
    f.get("tile", c.tile);
    for (const char* nested : {"network", "training", "dataset"})
        f.allow(nested);
    f.finish();
    if (j.contains("network")) {
        JsonFields n(j["network"], "network");
        n.get("layers", c.network.layers);
        n.get("hidden_activation", c.network.hidden_activation);
        n.finish();
    }
    if (j.contains("training")) {
        JsonFields t(j["training"], "training");
        t.get("epochs", c.training.epochs);
        t.get("batch_size", c.training.batch_size);
        t.get("precision", c.training.precision);
        t.get("seed", c.training.seed);
        t.get("seconds_per_image", c.training.seconds_per_image);
        t.allow("optimizer");
        t.finish();
        if (j["training"].contains("optimizer"))
            from_json(j["training"]["optimizer"], c.training.optimizer);
    }
    if (j.contains("dataset")) {
        JsonFields d(j["dataset"], "dataset");
        d.get("source", c.dataset.source);
        d.get("holdout", c.dataset.holdout);
        d.get("train_limit", c.dataset.train_limit);
        d.get("test_limit", c.dataset.test_limit);
        d.finish();
    }
}

std::string resource_dir() {
    if (const char* env = std::getenv("CROSSBARLAB_RESOURCES")) return env;
    return CROSSBARLAB_RESOURCE_DIR;
}

std::vector<std::string> preset_names() {
    std::vector<std::string> names;
    const fs::path dir = fs::path(resource_dir()) / "presets";
    if (fs::is_directory(dir))
        for (const auto& e : fs::directory_iterator(dir))
            if (e.path().extension() == ".json") names.push_back(e.path().stem().string());
    std::sort(names.begin(), names.end());
    return names;
}

namespace {
nlohmann::json read_json_file(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw InputError(path + ": cannot open for reading");
    try {
        return nlohmann::json::parse(in, nullptr, true, /*ignore_comments=*/true);
    } catch (const nlohmann::json::parse_error& e) {
        throw InputError(path + ": not valid JSON (" + e.what() + ")");
    }
}
} // namespace

ExperimentConfig load_config_file(const std::string& path) {
    const nlohmann::json j = read_json_file(path);
    ExperimentConfig c;
    try {
        c = j.get<ExperimentConfig>();
    } catch (const InputError& e) {
        throw InputError(path + ": " + e.what());
    }
    c.validate();
    return c;
}

ExperimentConfig load_preset(const std::string& name) {
    const auto names = preset_names();
    if (std::find(names.begin(), names.end(), name) == names.end()) {
        std::string list;
        for (const auto& n : names)
            list += (list.empty() ? "" : ", ") + n;
        throw InputError("--preset " + name + " is unknown; available: " + list);
    }
    return load_config_file((fs::path(resource_dir()) / "presets" / (name + ".json")).string());
}

void apply_override(nlohmann::json& config, const std::string& assignment) {
    const auto eq = assignment.find('=');
    if (eq == std::string::npos || eq == 0)
        throw InputError("--set " + assignment + ": expected KEY=VALUE, e.g. training.epochs=5");
    const std::string key = assignment.substr(0, eq), text = assignment.substr(eq + 1);
    nlohmann::json value = nlohmann::json::parse(text, nullptr, false);
    if (value.is_discarded()) value = text;
    nlohmann::json* node = &config;
    std::size_t start = 0;
    for (;;) {
        const auto dot = key.find('.', start);
        const std::string part = key.substr(start, dot == std::string::npos ? dot : dot - start);
        if (part.empty()) throw InputError("--set " + key + ": the key has an empty part");
        if (!node->is_object())
            throw InputError("--set " + key + ": " + key.substr(0, start - 1) +
                             " is a value, not a group of fields");
        if (dot == std::string::npos) {
            (*node)[part] = value;
            return;
        }
        // A missing group is created: loading the config then names the unknown field.
        node = &(*node)[part];
        if (node->is_null()) *node = nlohmann::json::object();
        start = dot + 1;
    }
}

TileConfig tile_config_of(const ExperimentConfig& c) {
    nlohmann::json t = c.tile;
    if (t.contains("device"))
        throw InputError("tile.device: give the device model in the top-level \"device\" object");
    if (!c.device.empty()) t["device"] = c.device;
    TileConfig tc = t.get<TileConfig>();
    tc.validate();
    return tc;
}

} // namespace cbl
