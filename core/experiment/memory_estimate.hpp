#pragma once
// Issue 20 item 7: an experiment that cannot fit in memory is refused before it is built, with
// one line giving the estimate and the memory available, instead of ending in std::bad_alloc.
#include "core/dataset/dataset.hpp"
#include "core/experiment/config.hpp"

#include <utility>
#include <vector>

namespace cbl {

struct MemoryEstimate {
    double synapses = 0;          ///< weights of every matrix
    double bytes_per_synapse = 0; ///< saved state of the scheme, device and optimizer
    double state_bytes = 0;       ///< synapses x bytes per synapse x copies held at once
    double activation_bytes = 0;  ///< layer inputs and outputs of a training step and evaluation
    double dataset_bytes = 0;     ///< images already loaded
    double total() const { return state_bytes + activation_bytes + dataset_bytes; }
};

/// What an experiment of `config` with weight matrices `shapes` (outputs x inputs) on `data`
/// needs, roughly (within a factor of about two), from a small probe layer of its scheme.
MemoryEstimate estimate_memory(const ExperimentConfig& config,
                               const std::vector<std::pair<int, int>>& shapes,
                               const DataSplit& data);
/// Memory the system can still give [bytes]: MemAvailable of /proc/meminfo, else sysconf's
/// available pages; 0 when unknown.
double available_memory();
/// Throws InputError naming the estimate and the memory available when the experiment's state
/// and activations cannot fit (the dataset is loaded already: it counts in the line only).
void require_memory(const ExperimentConfig& config, const std::vector<std::pair<int, int>>& shapes,
                    const DataSplit& data);

} // namespace cbl
