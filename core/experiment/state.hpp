#pragma once
// The complete state of an experiment as named flat arrays plus scalars: what a session file
// stores (core/session) so that a reloaded experiment continues bit-identically.
#include "core/common/state_arrays.hpp"
#include "core/experiment/metrics.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <vector>

namespace cbl {

struct ExperimentState {
    nlohmann::json config;       ///< the ExperimentConfig in force (after hot changes)
    std::uint64_t step = 0;      ///< training images done; also the RNG counter
    int position = 0;            ///< images done in the current epoch
    long long correct = 0;       ///< running correct count of the current epoch
    double loss_sum = 0;         ///< running loss sum of the current epoch [nats]
    double simulated_time_s = 0; ///< device clock [s]
    int in_batch = 0;            ///< images accumulated in a pending mini-batch
    std::vector<EpochMetrics> history;
    std::vector<Event> events;
    StateArrays arrays; ///< weights, conductances, chi, optimizer and counters
};

} // namespace cbl
