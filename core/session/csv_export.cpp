#include "core/session/csv_export.hpp"

#include "core/common/param_error.hpp"
#include "core/experiment/gan_run.hpp"
#include "core/session/atomic_file.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <filesystem>

#include <unistd.h>

namespace cbl {

std::string csv_field(const std::string& s) {
    if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
    std::string out = "\"";
    for (const char c : s) {
        if (c == '"') out += '"';
        out += c;
    }
    return out + '"';
}

namespace {

/// True for "layer_<digits>/..." at the start of the path or after a '/': the arrays of one
/// weight layer, of a classifier ("layer_0/w") or of a network inside a GAN or DQN
/// ("gan/generator/layer_0/w", "rl/target/layer_1/g_plus").
bool is_layer_path(const std::string& path) {
    constexpr std::string_view prefix = "layer_";
    for (std::size_t at = path.find(prefix); at != std::string::npos;
         at = path.find(prefix, at + 1)) {
        if (at > 0 && path[at - 1] != '/') continue;
        std::size_t i = at + prefix.size();
        const std::size_t digits = i;
        while (i < path.size() && std::isdigit(static_cast<unsigned char>(path[i])))
            ++i;
        if (i > digits && i < path.size() && path[i] == '/') return true;
    }
    return false;
}

std::string file_name(const std::string& path, const std::string& unit) {
    std::string name = path;
    for (char& c : name)
        if (c == '/') c = '_';
    std::string u;
    for (const char c : unit)
        if (std::isalnum(static_cast<unsigned char>(c))) u += c;
    if (!u.empty()) {
        name += '_';
        name += u;
    }
    name += ".csv";
    return name;
}

std::string metrics_csv(const std::vector<EpochMetrics>& history) {
    const std::size_t layers = history.empty() ? 0 : history.front().device_updates.size();
    const std::size_t fp_layers =
        history.empty() ? 0 : history.front().fp_equivalent_updates.size();
    std::string out = "epoch,images,train_accuracy [fraction],test_accuracy [fraction],"
                      "train_loss [nats],test_loss [nats],learning_rate,refreshes [pairs],"
                      "simulated_time [s],wall_time [s]";
    const auto column = [&](const char* name, std::size_t k, const char* unit) {
        out += name;
        out += std::to_string(k);
        out += unit;
    };
    for (std::size_t k = 0; k < layers; ++k)
        column(",device_updates layer_", k, " [pulses]");
    for (std::size_t k = 0; k < fp_layers; ++k)
        column(",fp_equivalent_updates layer_", k, " [weights]");
    out += '\n';
    for (const EpochMetrics& m : history) {
        if (m.device_updates.size() != layers || m.fp_equivalent_updates.size() != fp_layers)
            throw InputError("history: epoch " + std::to_string(m.epoch) +
                             " has a different number of layers than epoch 1");
        append_number(out, m.epoch);
        out += ',';
        append_number(out, m.images);
        for (const double v :
             {m.train_accuracy, m.test_accuracy, m.train_loss, m.test_loss, m.learning_rate}) {
            out += ',';
            append_number(out, v);
        }
        out += ',';
        append_number(out, m.refreshes);
        out += ',';
        append_number(out, m.simulated_time_s);
        out += ',';
        append_number(out, m.wall_seconds);
        for (const auto* layer_values : {&m.device_updates, &m.fp_equivalent_updates})
            for (const auto v : *layer_values) {
                out += ',';
                append_number(out, v);
            }
        out += '\n';
    }
    return out;
}

/// The value at `i` of an array of any element type, as text.
void append_element(std::string& out, const StateArray& a, std::size_t i) {
    std::visit([&](const auto& v) { append_number(out, v[i]); }, a.data);
}

std::size_t element_count(const StateArray& a) {
    return std::visit([](const auto& v) { return v.size(); }, a.data);
}

/// A table of one row per entry of `index` (1-based) from 1-D arrays (one column each) and 2-D
/// arrays (one column per stored column, numbered): a GAN's epochs (gan/history/), a DQN's
/// episodes (rl/episode_reward). Columns are named after the path below `prefix`, with the unit.
std::string series_csv(const StateArrays& arrays, const std::vector<std::string>& paths,
                       const std::string& prefix, const std::string& index) {
    std::string out = index;
    std::size_t rows = 0;
    std::vector<const StateArray*> columns;
    for (const std::string& path : paths) {
        const StateArray& a = arrays.at(path);
        if (a.shape.empty() || a.shape.size() > 2)
            throw InputError("state array " + path + " has " + std::to_string(a.shape.size()) +
                             " dimensions, expected 1 or 2");
        const std::size_t width = a.shape.size() == 2 ? a.shape[1] : 1;
        if (columns.empty()) rows = a.shape[0];
        if (a.shape[0] != rows || element_count(a) != rows * width)
            throw InputError("state array " + path + " does not hold " + std::to_string(rows) +
                             " rows like " + paths.front());
        const std::string name = path.substr(prefix.size());
        const std::string unit = a.unit.empty() ? "" : " [" + a.unit + "]";
        for (std::size_t k = 0; k < width; ++k) {
            out += ",";
            out += csv_field(name + (width > 1 ? " layer_" + std::to_string(k) : "") + unit);
        }
        columns.push_back(&a);
    }
    out += '\n';
    for (std::size_t r = 0; r < rows; ++r) {
        append_number(out, r + 1);
        for (const StateArray* a : columns) {
            const std::size_t width = a->shape.size() == 2 ? a->shape[1] : 1;
            for (std::size_t k = 0; k < width; ++k) {
                out += ',';
                append_element(out, *a, r * width + k);
            }
        }
        out += '\n';
    }
    return out;
}

/// metrics.csv of a session: a classifier's EpochMetrics, a GAN's per-epoch losses, FD and pulses
/// (its image grids stay in the session), a DQN's reward per episode.
std::string session_metrics_csv(const ExperimentState& state) {
    const std::string task = state.config.value("task", std::string("supervised"));
    if (task == "gan") {
        const std::string prefix = GanRun::history_prefix;
        std::vector<std::string> paths;
        for (auto it = state.arrays.lower_bound(prefix);
             it != state.arrays.end() && it->first.starts_with(prefix); ++it)
            if (!it->second.shape.empty() && it->second.shape.size() <= 2)
                paths.push_back(it->first);
        // FD first: the column a reader looks for.
        std::stable_partition(paths.begin(), paths.end(), [&](const std::string& p) {
            return p == prefix + "frechet_distance";
        });
        if (paths.empty()) throw InputError("the session holds no gan/history/ arrays");
        return series_csv(state.arrays, paths, prefix, "epoch");
    }
    if (task == "rl") {
        const std::string path = "rl/episode_reward";
        if (!state.arrays.contains(path))
            throw InputError("the session holds no " + path + " array");
        return series_csv(state.arrays, {path}, "rl/", "episode");
    }
    return metrics_csv(state.history);
}

std::string matrix_csv(const StateArray& a) {
    const std::size_t rows = a.shape[0], cols = a.shape[1];
    return std::visit(
        [&](const auto& v) {
            if (v.size() != rows * cols)
                throw InputError("its shape does not match its " + std::to_string(v.size()) +
                                 " values");
            std::string out;
            out.reserve(v.size() * 12);
            for (std::size_t r = 0; r < rows; ++r) {
                for (std::size_t c = 0; c < cols; ++c) {
                    if (c) out += ',';
                    append_number(out, v[r * cols + c]);
                }
                out += '\n';
            }
            return out;
        },
        a.data);
}

} // namespace

void write_metrics_csv(const std::vector<EpochMetrics>& history, const std::string& path) {
    std::string text;
    try {
        text = metrics_csv(history);
    } catch (const InputError& e) {
        throw InputError("cannot export the metrics to " + path + ": " + e.what());
    }
    write_file_atomically(path, text);
}

void write_events_csv(const std::vector<Event>& events, const std::string& path) {
    std::string out = "step,simulated_time [s],event\n";
    for (const Event& e : events) {
        append_number(out, e.step);
        out += ',';
        append_number(out, e.simulated_time_s);
        out += ',';
        out += csv_field(e.what);
        out += '\n';
    }
    write_file_atomically(path, out);
}

std::vector<std::string> export_csv(const ExperimentState& state, const std::string& dir) {
    namespace fs = std::filesystem;
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec || !fs::is_directory(dir))
        throw InputError("cannot export to " + dir + ": " +
                         (ec ? ec.message() : std::string("not a folder")));
    // Every file is written into a staging folder inside `dir` and moved into place only when
    // all of them were written: a full disk or a bad array leaves no half export behind.
    const fs::path staging = fs::path(dir) / (".export-" + std::to_string(::getpid()));
    fs::remove_all(staging, ec);
    if (!fs::create_directory(staging, ec) || ec)
        throw InputError("cannot export to " + dir + ": " + ec.message());
    std::vector<std::string> names;
    try {
        std::string metrics;
        try {
            metrics = session_metrics_csv(state);
        } catch (const InputError& e) {
            throw InputError("cannot export the metrics: " + std::string(e.what()));
        }
        write_file_atomically((staging / "metrics.csv").string(), metrics);
        names.push_back("metrics.csv");
        for (const auto& [path, array] : state.arrays) {
            if (array.shape.size() != 2 || !is_layer_path(path)) continue;
            std::string text;
            try {
                text = matrix_csv(array);
            } catch (const InputError& e) {
                throw InputError("cannot export state array " + path + ": " + e.what());
            }
            names.push_back(file_name(path, array.unit));
            write_file_atomically((staging / names.back()).string(), text);
        }
    } catch (...) {
        fs::remove_all(staging, ec);
        throw;
    }
    std::vector<std::string> written;
    for (const std::string& name : names) {
        const fs::path target = fs::path(dir) / name;
        fs::rename(staging / name, target, ec);
        if (ec) {
            fs::remove_all(staging, ec);
            throw InputError("cannot export to " + target.string() + ": " + ec.message());
        }
        written.push_back(target.string());
    }
    fs::remove(staging, ec);
    return written;
}

} // namespace cbl
