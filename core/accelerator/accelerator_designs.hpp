#pragma once
// The designs one comparison runs (issue 17): the ISAAC-like baseline, each of seed 001's options
// alone and the chosen ones together, or the baseline over a range of ADC resolutions. The CLI's
// `accelerator` command and the GUI's Accelerator view both build their rows here.
#include "core/accelerator/accelerator_run.hpp"
#include "core/experiment/config.hpp"

#include <functional>
#include <string>
#include <vector>

namespace cbl {

struct AcceleratorDesign {
    std::string name; ///< "baseline", an option's name, "combined" or "adc_bits=6"
    AcceleratorConfig config;
};

/// `config`'s hardware as the baseline (its options off), then each option `chosen` switches on,
/// alone, then, with two or more chosen, those together: named "combined" when all three are,
/// else their names joined by "+". The chosen dynamic_bits is used.
std::vector<AcceleratorDesign> accelerator_designs(const AcceleratorConfig& config,
                                                   const AcceleratorOptions& chosen);

/// The baseline of `config` at each ADC resolution lo .. hi [bits] (1 <= lo <= hi <= 16).
std::vector<AcceleratorDesign> adc_bits_sweep(const AcceleratorConfig& config, int lo, int hi);

/// Throws InputError unless `c` trains a supervised network (the accelerator classifies images).
void require_accelerator_network(const ExperimentConfig& c);

/// Sees each design's result as it finishes (index into the designs); false stops the run after
/// it.
using AcceleratorProgress = std::function<bool(std::size_t index, const AcceleratorResult&)>;

/// Runs `designs` on `e`'s current weights one after another (require_accelerator_network
/// first); the results of those finished: all of them unless `after_each` stopped the run, or
/// `control`'s stop did inside a design (run_accelerator; that design has no result).
std::vector<AcceleratorResult>
run_accelerator_designs(const Experiment& e, const std::vector<AcceleratorDesign>& designs,
                        const AcceleratorProgress& after_each = {},
                        AcceleratorRunControl* control = nullptr);

} // namespace cbl
