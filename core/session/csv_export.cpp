#include "core/session/csv_export.hpp"

#include "core/common/param_error.hpp"
#include "core/session/atomic_file.hpp"

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

/// True for "layer_<digits>/...": the arrays that belong to one weight layer.
bool is_layer_path(const std::string& path) {
    constexpr std::string_view prefix = "layer_";
    if (path.compare(0, prefix.size(), prefix) != 0) return false;
    std::size_t i = prefix.size();
    const std::size_t digits = i;
    while (i < path.size() && std::isdigit(static_cast<unsigned char>(path[i])))
        ++i;
    return i > digits && i < path.size() && path[i] == '/';
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
        write_metrics_csv(state.history, (staging / "metrics.csv").string());
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
