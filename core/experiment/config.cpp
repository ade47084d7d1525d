#include "core/experiment/config.hpp"

#include "core/common/param_error.hpp"

#include <algorithm>
#include <cstdlib>
#include <filesystem>

namespace cbl {
namespace fs = std::filesystem;

std::string resource_dir() {
    if (const char* env = std::getenv("CROSSBARLAB_RESOURCES")) return env;
    return CROSSBARLAB_RESOURCE_DIR;
}

std::vector<std::string> resource_names(const std::string& folder) {
    std::vector<std::string> names;
    const fs::path dir = fs::path(resource_dir()) / folder;
    if (fs::is_directory(dir))
        for (const auto& e : fs::directory_iterator(dir))
            if (e.path().extension() == ".json") names.push_back(e.path().stem().string());
    std::sort(names.begin(), names.end());
    return names;
}

std::vector<std::string> preset_names() {
    return resource_names("presets");
}

std::vector<std::string>
preset_names_of_tasks(const std::function<bool(const std::string&)>& runs) {
    std::vector<std::string> names;
    for (const std::string& name : preset_names()) {
        try {
            if (!runs(load_preset(name).task)) continue;
        } catch (const InputError&) {
        }
        names.push_back(name);
    }
    return names;
}

std::vector<std::string> supervised_preset_names() {
    return preset_names_of_tasks([](const std::string& task) { return task == "supervised"; });
}

ExperimentConfig load_config_file(const std::string& path) {
    const nlohmann::json j = read_json_file(path);
    try {
        return j.get<ExperimentConfig>();
    } catch (const InputError& e) {
        throw InputError(path + ": " + e.what());
    }
}

std::string preset_path(const std::string& name) {
    const auto names = preset_names();
    if (std::find(names.begin(), names.end(), name) == names.end()) {
        std::string list;
        for (const auto& n : names)
            list += (list.empty() ? "" : ", ") + n;
        throw InputError("--preset " + name + " is unknown; available: " + list);
    }
    return (fs::path(resource_dir()) / "presets" / (name + ".json")).string();
}

ExperimentConfig load_preset(const std::string& name) {
    return load_config_file(preset_path(name));
}

void apply_override(nlohmann::json& config, const std::string& assignment) {
    const auto eq = assignment.find('=');
    if (eq == std::string::npos || eq == 0)
        throw InputError("--set " + assignment + ": expected KEY=VALUE, e.g. training.epochs=5");
    const std::string key = assignment.substr(0, eq), text = assignment.substr(eq + 1);
    nlohmann::json value = nlohmann::json::parse(text, nullptr, false);
    if (value.is_discarded()) value = text;
    set_at_path(config, key, value, "--set " + key);
}

void set_at_path(nlohmann::json& config, const std::string& key, const nlohmann::json& value,
                 const std::string& context) {
    nlohmann::json* node = &config;
    std::size_t start = 0;
    for (;;) {
        const auto dot = key.find('.', start);
        const std::string part = key.substr(start, dot == std::string::npos ? dot : dot - start);
        if (part.empty()) throw InputError(context + ": the key has an empty part");
        const std::string parent = start == 0 ? "the config" : key.substr(0, start - 1);
        if (node->is_array()) {
            // A number picks an entry of a list, e.g. network.graph.5.rate (a dropout sweep).
            const bool digits =
                part.size() <= 9 && part.find_first_not_of("0123456789") == std::string::npos;
            const std::size_t index = digits ? std::stoul(part) : 0;
            if (!digits || index >= node->size())
                throw InputError(context + ": " + parent + " is a list of " +
                                 std::to_string(node->size()) + " entries; " + part +
                                 " is not an index below " + std::to_string(node->size()));
            node = &(*node)[index];
        } else if (node->is_object()) {
            // A missing group is created: loading the config then names the unknown field.
            node = &(*node)[part];
        } else {
            throw InputError(context + ": " + parent + " is a value, not a group of fields");
        }
        if (dot == std::string::npos) {
            *node = value;
            return;
        }
        if (node->is_null()) *node = nlohmann::json::object();
        start = dot + 1;
    }
}

} // namespace cbl
