#pragma once
// Divergence guards (issue 20): where a non-finite value first appears in an experiment's state,
// which setting most likely caused it, and the chance-level loss a learning network must beat.
#include "core/common/state_arrays.hpp"
#include "core/experiment/config.hpp"
#include "core/experiment/metrics.hpp"

#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace cbl {

/// Training stopped because it diverged; what() is the one-line report (where, likely cause).
class Diverged : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

/// "nan" (whatever its sign bit), "inf", "-inf", else format_number(v).
std::string value_text(double v);

/// The first NaN or ±inf of a state, in array order (layer_0/... first) then element order;
/// +inf in a time array (unit "s") means "none yet" and passes.
struct NonFinite {
    std::string array; ///< state path, e.g. "layer_1/chi" (the session's /state name)
    std::vector<std::size_t> index;
    double value = 0;
    std::string unit; ///< the array's unit: "weight", "uS", "s", ...

    /// "layer_1/chi[12, 40] = nan"
    std::string where() const;
};
std::optional<NonFinite> first_non_finite(const StateArrays& arrays);

/// The setting that most likely made `quantity` ("loss", "test loss" or a state array, with its
/// unit) non-finite or made the loss diverge, named by its field path and value.
std::string likely_cause(const ExperimentConfig& c, const std::string& quantity,
                         const std::string& unit = "weight");

/// Mean softmax cross-entropy of a network that guesses uniformly among `classes`: ln(classes).
double chance_loss(int classes);
/// The report when the last `c.training.divergence_epochs` epochs of `history` kept their mean
/// training loss at or above chance, "" otherwise. The first epoch is not judged: it starts from
/// random weights whose loss lies above chance until they have learnt.
std::string chance_divergence(const ExperimentConfig& c, const std::vector<EpochMetrics>& history,
                              int classes);

} // namespace cbl
