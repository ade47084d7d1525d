#pragma once
// A trained network of the lab on the bit-serial accelerator: every weight node's matrix (dense
// layers; convolutions as their unrolled filter banks) is mapped onto crossbars, the network's
// own layers (activations, pooling) run between them, and the test set flows through. Ranges are
// calibrated on the first training images, never on the test set. The counts of the run feed
// the energy, latency and area model with the analytical twin's per-operation constants
// (RramCnnHardware, core/energy/rram_cnn.hpp, each cited there).
#include "core/accelerator/crossbar_mapping.hpp"

#include <nlohmann/json.hpp>

#include <atomic>
#include <optional>
#include <string>
#include <vector>

namespace cbl {

class Experiment;

struct AcceleratorLayerReport {
    int inputs = 0, outputs = 0; ///< matrix shape (inputs include the bias)
    int crossbars = 0, row_tiles = 0, col_tiles = 0, slices = 0;
    int adc_bits = 0;
    std::optional<int> adc_cutoff; ///< output bit position the SAR stops at (A/D optimisation)
    bool signed_inputs = false;
    double input_full_scale = 0; ///< calibrated largest |input|
    double max_column_sum = 0;   ///< largest column sum seen before an ADC in the test run
    AcceleratorCounts counts;    ///< whole test run
    double crossbar_pJ = 0, dac_pJ = 0, adc_pJ = 0, shift_add_pJ = 0, input_register_pJ = 0,
           buffer_pJ = 0; ///< whole test run
    double energy_pJ() const {
        return crossbar_pJ + dac_pJ + adc_pJ + shift_add_pJ + input_register_pJ + buffer_pJ;
    }
    double time_ns = 0;  ///< whole test run, the layer's MVMs one after another
    double area_mm2 = 0; ///< its crossbars with their ADCs and share of the tile
    double ops = 0;      ///< 2 per MAC, whole test run
};

/// Energy of one part of the data path [nJ per image] (key as in the JSON rows: adc,
/// input_register, dac, crossbar, shift_add, buffer).
struct AcceleratorEnergyPart {
    std::string key;
    double nJ_per_image = 0;
};

/// A design against the baseline: efficiency ratios (> 1 = better than the baseline) and the
/// change of test accuracy [percentage points].
struct AcceleratorRatios {
    double energy_efficiency = 1, throughput = 1, area_efficiency = 1;
    double accuracy_change_points = 0;
};

struct AcceleratorResult {
    std::string name;
    AcceleratorConfig config;
    int images = 0;
    double test_accuracy = 0;
    double wall_seconds = 0; ///< simulator time of the test run
    std::vector<AcceleratorLayerReport> layers;

    double energy_pJ() const;
    double time_ns() const;
    double area_mm2() const;
    double ops() const;
    double energy_nJ_per_image() const { return 1e-3 * energy_pJ() / images; }
    double images_per_second_hw() const { return 1e9 * images / time_ns(); }
    double throughput_GOPS() const { return ops() / time_ns(); }
    double energy_efficiency_GOPS_per_W() const { return 1e3 * ops() / energy_pJ(); }
    double area_efficiency_GOPS_per_mm2() const { return throughput_GOPS() / area_mm2(); }
    /// The six parts, in the order adc, input_register, dac, crossbar, shift_add, buffer.
    std::vector<AcceleratorEnergyPart> energy_nJ_per_image_by_part() const;
    AcceleratorRatios against(const AcceleratorResult& baseline) const;
};

/// Shared with another thread while designs run (the GUI's Cancel and progress bar): it may ask
/// the run to stop, and reads how far the design under way is.
struct AcceleratorRunControl {
    /// Set: the run throws AcceleratorCancelled at its next check (each layer call, every 64
    /// input vectors of a row tile, every plane of the float route).
    std::atomic<bool> stop{false};
    std::atomic<int> images_done{0};  ///< test images through the design under way
    std::atomic<int> images_total{0}; ///< its test images (0 while it calibrates)
};

/// Runs the test set of `e`'s data (its first config.test_images, when set) through `e`'s
/// current weights on the accelerator. With `control`: throws AcceleratorCancelled soon after
/// its stop is set, and counts the test images done.
AcceleratorResult run_accelerator(const Experiment& e, const AcceleratorConfig& config,
                                  const std::string& name,
                                  AcceleratorRunControl* control = nullptr);

/// The row of one design (CLI.md: test_accuracy, energy_nJ_per_image, images_per_second_hw,
/// area_mm2, and with a baseline the *_ratio keys), with per-layer detail and energy per part.
nlohmann::json to_json(const AcceleratorResult& r, const AcceleratorResult* baseline);

} // namespace cbl
