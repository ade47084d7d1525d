#pragma once
// What a sweep file says, per grid point: the scalar metrics its summaries offer (best test
// accuracy, device updates, energy per image, ...) averaged over the seeds of each combination of
// the swept parameters, with their spread. The GUI's sweep view draws these tables; they are also
// its CSV export.
#include "core/sweep/sweep.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace cbl {

/// One number read out of a run's summary (CLI.md), e.g. the best of the per-epoch test
/// accuracies, in percent.
struct SweepMetric {
    enum class Reduce {
        value, ///< the number itself (true/false count as 1/0)
        max,   ///< the best of a per-epoch list where higher is better
        min,   ///< the best of a per-epoch list where lower is better
        last,  ///< the final entry of a per-epoch list
        sum,   ///< every entry of a (nested) list added up: per epoch and layer counts
    };
    std::string key; ///< summary key, "a.b" for a field of an object
    Reduce reduce = Reduce::value;
    double scale = 1;  ///< 100 turns fractions into %
    std::string label; ///< "best test accuracy"
    std::string unit;  ///< "%", "nJ/image"
};

/// The metrics at least one finished point's summary has, in a fixed order (best test accuracy
/// first), then any other top-level number of the summaries under its own key.
std::vector<SweepMetric> sweep_metrics(const std::vector<SweepPoint>& points);
/// The metric in one summary; nullopt when the summary lacks it or it is not finite.
std::optional<double> metric_value(const nlohmann::json& summary, const SweepMetric& metric);

/// Mean and spread over the seeds of one combination of the swept parameters.
struct SweepCell {
    std::size_t n = 0;       ///< seeds that ran and have the metric
    std::size_t planned = 0; ///< seeds the grid has for this combination
    double mean = 0;
    double stddev = 0; ///< sample standard deviation (n - 1), 0 for n < 2
};

/// A metric over the whole grid: one cell per combination of the axes' values.
struct SweepTable {
    std::vector<GridAxis> axes;   ///< the swept parameters, their values in grid order
    std::vector<SweepCell> cells; ///< the first axis slowest, as the sweep runs them
    /// The cell at one value index per axis.
    const SweepCell& at(const std::vector<std::size_t>& index) const;
};

/// The swept parameters of a sweep, recovered from its points' overrides (each point's are one
/// "key=value" per axis, then training.seed). Throws InputError naming the point whose overrides
/// do not fit the first point's.
std::vector<GridAxis> sweep_axes(const std::vector<SweepPoint>& points);
/// Groups the points by the values of the swept parameters and averages `metric` over the seeds.
SweepTable aggregate_sweep(const std::vector<SweepPoint>& points, const SweepMetric& metric);
/// The table of every metric as CSV: one row per combination, the axes' values, then the mean,
/// standard deviation and n of each metric (empty where no seed has it).
std::string sweep_csv(const std::vector<SweepPoint>& points,
                      const std::vector<SweepMetric>& metrics);

} // namespace cbl
