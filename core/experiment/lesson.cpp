#include "core/experiment/lesson.hpp"

#include "core/common/param_error.hpp"
#include "core/config/json_file.hpp"

#include <algorithm>
#include <filesystem>

namespace cbl {
namespace fs = std::filesystem;

namespace {

const std::vector<std::string> lesson_fields = {"title", "preset",   "set",    "do",
                                                "watch", "question", "answer", "show"};

std::string joined(const std::vector<std::string>& v) {
    std::string out;
    for (const auto& s : v)
        out += (out.empty() ? "" : ", ") + s;
    return out;
}

/// A required, non-empty text field.
std::string text_field(const nlohmann::json& j, const std::string& key) {
    if (!j.contains(key)) throw InputError(key + " is missing");
    if (!j[key].is_string() || j[key].get<std::string>().empty())
        throw InputError(key + " must be a non-empty text");
    return j[key].get<std::string>();
}

Lesson parse_lesson(const nlohmann::json& j) {
    if (!j.is_object()) throw InputError("a lesson is a JSON object");
    for (const auto& [key, value] : j.items())
        if (std::find(lesson_fields.begin(), lesson_fields.end(), key) == lesson_fields.end())
            throw InputError(key + " is not a lesson field; allowed: " + joined(lesson_fields));
    Lesson l;
    l.title = text_field(j, "title");
    l.preset = text_field(j, "preset");
    l.todo = text_field(j, "do");
    l.watch = text_field(j, "watch");
    l.question = text_field(j, "question");
    l.answer = text_field(j, "answer");
    const auto presets = preset_names();
    if (std::find(presets.begin(), presets.end(), l.preset) == presets.end())
        throw InputError("preset: " + l.preset + " is unknown; available: " + joined(presets));
    // The preset as written, not with every default filled in: "device.family" can then change
    // the device model without the old model's fields coming along.
    nlohmann::json config = read_json_file(preset_path(l.preset));
    if (j.contains("set")) {
        if (!j["set"].is_object())
            throw InputError("set must be an object of dotted config paths and their values, "
                             "e.g. {\"tile.read_noise_scale\": 20}");
        for (const auto& [key, value] : j["set"].items()) {
            set_at_path(config, key, value, "set." + key);
            l.overrides.emplace_back(key, value);
        }
    }
    try {
        l.config = config.get<ExperimentConfig>();
    } catch (const InputError& e) {
        // The config names the field as written; say that the lesson's overrides made it.
        throw InputError((l.overrides.empty() ? "preset " + l.preset : std::string("set")) + ": " +
                         e.what());
    }
    if (j.contains("show")) {
        if (!j["show"].is_array()) throw InputError("show must be a list of names");
        for (const auto& v : j["show"]) {
            const auto& known = lesson_show_names();
            if (!v.is_string() || std::find(known.begin(), known.end(), v) == known.end())
                throw InputError("show: " + v.dump() + " is unknown; allowed: " + joined(known));
            l.show.push_back(v.get<std::string>());
        }
    }
    return l;
}

} // namespace

const std::vector<std::string>& lesson_show_names() {
    // Views of the main window and the heatmap tabs (weights, pulses, chi).
    static const std::vector<std::string> names = {
        "accuracy",   "sparsity", "energy",  "drift",  "traces", "device-explorer",
        "parameters", "heatmaps", "weights", "pulses", "chi"};
    return names;
}

std::vector<std::string> lesson_names() {
    return resource_names("lessons");
}

Lesson load_lesson_file(const std::string& path) {
    const nlohmann::json j = read_json_file(path);
    try {
        Lesson l = parse_lesson(j);
        l.name = fs::path(path).stem().string();
        return l;
    } catch (const InputError& e) {
        throw InputError(path + ": " + e.what());
    }
}

Lesson load_lesson(const std::string& name) {
    const auto names = lesson_names();
    if (std::find(names.begin(), names.end(), name) == names.end())
        throw InputError("lesson " + name + " is unknown; available: " + joined(names));
    return load_lesson_file((fs::path(resource_dir()) / "lessons" / (name + ".json")).string());
}

LessonLibrary load_lessons() {
    LessonLibrary out;
    for (const std::string& name : lesson_names()) {
        try {
            out.lessons.push_back(load_lesson(name));
        } catch (const InputError& e) {
            out.errors.push_back(e.what());
        }
    }
    return out;
}

} // namespace cbl
