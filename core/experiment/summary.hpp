#pragma once
// The `train --json` summary (CLI.md): per-epoch accuracies and update counts, energy and
// modelled hardware time per image, simulator throughput.
#include "core/experiment/experiment.hpp"

#include <nlohmann/json.hpp>

namespace cbl {

/// Summary of everything trained so far; `wall_seconds` is the caller's wall clock for the run.
nlohmann::json summary_json(const Experiment& e, double wall_seconds);

} // namespace cbl
