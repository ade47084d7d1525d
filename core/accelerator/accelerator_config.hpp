#pragma once
// The bit-serial RRAM inference accelerator (issue 17): an ISAAC-like data path (Shafiee et al.,
// ISCA 2016, section V) that runs a trained network of the lab on real data, and seed 001's
// three optimisations as options on it. The analytical twin (core/energy/rram_cnn.*, CLI
// `seed001`) costs the same design from statistics; this model runs tensors through it and
// takes its per-operation constants from the twin's RramCnnHardware.
#include "core/energy/rram_cnn.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>

namespace cbl {

/// The crossbars and converters. Defaults: ISAAC's design point (section V/VI): 128 x 128 arrays
/// of 2-bit cells, 16-bit weights over 8 cells, 16-bit inputs streamed one bit per cycle through
/// 1-bit DACs over 16 cycles, one 8-bit SAR ADC per array, weights stored with a bias (offset
/// binary) and a column stored flipped when its level sum exceeds half the maximum, which takes
/// one bit off the log2(R) + v + w - 1 = 9 bits the column sums would otherwise need.
struct AcceleratorHardware {
    int rows = 128;          ///< crossbar rows (inputs per array; row tiles beyond)
    int cols = 128;          ///< crossbar columns (cells of weight slices per array)
    int bits_per_cell = 2;   ///< levels 0 .. 2^bits - 1 per cell
    int weight_bits = 16;    ///< signed weights, symmetric per layer
    int input_bits = 16;     ///< inputs (static per-layer full scale from calibration)
    int adc_bits = 8;        ///< per-column ADC resolution
    int adc_step_log2 = 0;   ///< ADC LSB = 2^k cell levels: range (2^adc_bits - 1) 2^k
    bool column_flip = true; ///< ISAAC's weight flip
    /// Device-to-device spread of the programmed level [levels, sigma], fixed per cell.
    double variability_levels = 0;
    /// Read noise of one active cell [levels, sigma]; a column sum of a active cells gets
    /// sigma sqrt(a) (independent cells).
    double read_noise_levels = 0;
    std::uint64_t seed = 1; ///< keys the variability and read-noise draws
};

/// Seed 001's optimisations. The seed's text gives only what each does; where it is silent, the
/// choice is the analytical twin's, stated here and in the README.
struct AcceleratorOptions {
    /// Weight and input encoding. Weights: each output column stores w - z_c with its own zero
    /// point z_c = min over the column (instead of ISAAC's global bias 2^(N-1)), so small weights
    /// keep their high-order cells at the lowest level: less read current, smaller column sums.
    /// Inputs: a bit plane of a row tile with more ones than zeros is driven inverted (bus-invert;
    /// the digital side takes the stored column sum minus the converted value), so at most half
    /// the rows conduct. The ADC then gets one bit less (reference README 4: about one bit).
    bool encoding = false;
    /// A/D resolution per layer from the partial sums observed on calibration images (training
    /// data): the fewest bits whose range holds the largest observed column sum.
    bool adc_optimisation = false;
    /// Dynamic quantization of the MACs: per crossbar row group and input vector, only
    /// `dynamic_bits` bit planes below the leading one of the group's largest input are streamed
    /// (rounded to nearest); the all-zero planes above it and the insignificant ones below are
    /// not: fewer cycles, conversions and shift-adds. Layers with signed (two's complement)
    /// inputs stream every plane: their sign-extended high planes are not zero.
    bool dynamic_quantization = false;
    int dynamic_bits = 8;
};

struct AcceleratorConfig {
    AcceleratorHardware hardware;
    AcceleratorOptions options;
    RramCnnHardware costs; ///< per-operation energy, latency, area (the twin's, cited there)
    int calibration_images = 1000; ///< first training images used to calibrate the ranges
    /// First test images the test run takes (0 = the whole test set): a quick look in the GUI.
    int test_images = 0;
    /// Evaluate every column sum plane by plane even where the ADC provably cannot clip or round
    /// (for tests and the bench; the result is the same, bit for bit).
    bool force_bit_serial = false;
    /// Compute the per-plane column sums on ideal devices as float matrix products, the route
    /// variability and read noise take, instead of the integer bit-plane kernel (for tests and
    /// the bench; the result is the same, bit for bit).
    bool float_column_sums = false;

    /// Throws InputError naming the field ("accelerator.adc_bits = 0 is out of range ...").
    void validate() const;
};

/// The fields `--set accelerator.KEY=VALUE` reaches, as JSON (hardware.*, options.*, and
/// calibration_images, test_images, force_bit_serial, float_column_sums at the top).
nlohmann::json to_json(const AcceleratorConfig& c);
/// Applies one "accelerator.hardware.adc_bits=6" style override; unknown keys and bad values
/// throw InputError naming the key.
void apply_accelerator_override(AcceleratorConfig& c, const std::string& assignment);

/// ISAAC baseline with the named options switched on: "baseline", "encoding",
/// "adc_optimisation", "dynamic_quantization" or "combined".
AcceleratorConfig with_option(AcceleratorConfig c, const std::string& option);

} // namespace cbl
