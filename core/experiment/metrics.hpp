#pragma once
// What an experiment reports per epoch and the timeline of user actions.
#include "core/energy/op_counts.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace cbl {

struct EpochMetrics {
    int epoch = 0;              ///< 1-based
    double train_accuracy = 0;  ///< fraction 0..1, running over the epoch's training images
    double train_loss = 0;      ///< mean cross-entropy [nats]
    double test_accuracy = 0;   ///< fraction 0..1
    double test_loss = 0;       ///< [nats]
    double validation_loss = 0; ///< [nats]; text data only (0 for image sets)
    double learning_rate = 0;
    std::vector<std::uint64_t> device_updates;        ///< per layer: programming pulses applied
    std::vector<std::uint64_t> fp_equivalent_updates; ///< per layer: weights an FP update changes
    std::uint64_t refreshes = 0;                      ///< synapses (device pairs) refreshed
    double simulated_time_s = 0;                      ///< device clock at the end of the epoch [s]
    double wall_seconds = 0;         ///< simulator wall-clock time of the epoch [s]
    int images = 0;                  ///< training images in the epoch
    std::vector<StageCounts> counts; ///< per layer: hardware operations in the epoch
    std::string sample_text;         ///< text only: characters the model wrote at the epoch's end
};

/// A parameter change or user action, placed on the charts' time axes.
struct Event {
    std::uint64_t step = 0;      ///< training images done when it happened
    double simulated_time_s = 0; ///< device clock [s]
    std::string what;            ///< e.g. "device.read_noise.scale = 0"
};

} // namespace cbl
