#pragma once
// Plain-text export of an experiment for spreadsheets and scripts: the per-epoch metrics and the
// per-layer weight and conductance matrices (the session file remains the complete record).
#include "core/experiment/state.hpp"

#include <charconv>
#include <string>
#include <vector>

namespace cbl {

/// Appends `value` in the shortest form that reads back to the same number.
template <typename T>
void append_number(std::string& out, T value) {
    char buf[32];
    const auto r = std::to_chars(buf, buf + sizeof buf, value);
    out.append(buf, r.ptr);
}
/// RFC 4180 quoting: only when needed, doubling the quotes.
std::string csv_field(const std::string& s);

/// Writes into `dir` (created if needed), each file atomically:
///  - metrics.csv: one row per epoch (a deep-RL session: per episode), the unit of each column
///    in brackets in the header; a GAN's columns are its per-epoch FD, losses, learning rate,
///    wall time and pulses per layer, a DQN's its episode rewards;
///  - one CSV per 2-D state array under a layer_k/ folder (rows x columns as stored, no header),
///    named after its path and unit: "layer_0/g_plus" in uS -> layer_0_g_plus_uS.csv,
///    "gan/generator/layer_0/w" -> gan_generator_layer_0_w_weight.csv.
/// Numbers are written in the shortest form that reads back to the same value.
/// Returns the paths written; throws InputError naming the folder or file on failure.
std::vector<std::string> export_csv(const ExperimentState& state, const std::string& dir);

/// Writes metrics.csv alone (the format above) to `path`, atomically; InputError on failure.
void write_metrics_csv(const std::vector<EpochMetrics>& history, const std::string& path);
/// Writes the event timeline to `path`, atomically: "step,simulated_time [s],event", the event
/// quoted when it holds a comma, quote or line break; InputError on failure.
void write_events_csv(const std::vector<Event>& events, const std::string& path);

} // namespace cbl
