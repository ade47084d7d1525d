#pragma once
// Plain-text export of an experiment for spreadsheets and scripts: the per-epoch metrics and the
// per-layer weight and conductance matrices (the session file remains the complete record).
#include "core/experiment/state.hpp"

#include <string>
#include <vector>

namespace cbl {

/// Writes into `dir` (created if needed), each file atomically:
///  - metrics.csv: one row per epoch, the unit of each column in brackets in the header;
///  - one CSV per 2-D state array under layer_k/ (rows x columns as stored, no header), named
///    after its path and unit: "layer_0/g_plus" in uS -> layer_0_g_plus_uS.csv.
/// Numbers are written in the shortest form that reads back to the same value.
/// Returns the paths written; throws InputError naming the folder or file on failure.
std::vector<std::string> export_csv(const ExperimentState& state, const std::string& dir);

} // namespace cbl
