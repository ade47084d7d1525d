#pragma once
// Seed 001: an analytic model of an RRAM CNN accelerator (ISAAC-like baseline) and of the seed's
// three optimisations, counted per convolution layer from first principles:
//  - baseline: 128 x 128 crossbars of 2-bit cells, 16-bit weights sliced over 8 columns, 16-bit
//    inputs streamed bit-serially (1 bit per cycle through 1-bit DACs), one SAR ADC per crossbar
//    converting its 128 columns every cycle, shift-and-add merging slices, cycles and row tiles.
//    Weights are stored offset-binary with ISAAC's column flip (column level sum <= half), so the
//    ADC needs log2(rows) + 1 + 2 - 1 (one operand 1 bit) - 1 (flip) = 8 bits (reference README 4).
//  - (a) encoding: input bit planes with more ones than zeros are driven inverted (bus-invert;
//    the digital side corrects with the stored column sum), so at most rows/2 lines are active:
//    the ADC needs one bit less and fewer lines carry current. Weights are stored against a
//    per-column zero point (offset 3 sigma_w instead of half the 16-bit range), so the high-order
//    cells of small weights sit at the lowest conductance: less in-situ read current.
//  - (b) ADC resolution optimisation: a SAR ADC resolves MSB first; a partial product whose
//    low-order bits fall below the layer output's LSB (minus guard bits that keep the summed
//    truncation error under a quarter LSB) stops early, and one entirely below is not converted.
//  - (c) dynamic quantization: each crossbar's input group is re-quantised to `dynamic_bits`
//    bits below the leading one of its largest value, so only those bit planes are streamed
//    (instead of all 16 static planes): fewer cycles and partial products per MAC.
// Data are statistics, not tensors: ReLU activations (a zero fraction, half-normal otherwise)
// and normal weights, each scaled into its 16-bit format with a stated headroom.
#include <nlohmann/json.hpp>

#include <string>
#include <utility>
#include <vector>

namespace cbl {

/// One convolution layer (stride folded into the output size).
struct ConvLayerShape {
    std::string name;
    int in_channels = 256;
    int out_channels = 256;
    int kernel = 3;
    int out_h = 28;
    int out_w = 28;
};

/// Peripherals and crossbar of the ISAAC-like accelerator (32 nm, reference README 4).
struct RramCnnHardware {
    int rows = 128;
    int cols = 128;
    int bits_per_cell = 2;
    int weight_bits = 16;
    int input_bits = 16;
    int output_bits = 16;
    /// SAR energy per conversion [bits, pJ] (ISAAC's 1.2 GS/s ADC, reference README 4).
    std::vector<std::pair<int, double>> adc_energy_pJ{{4, 0.79}, {5, 0.99}, {6, 1.20}, {7, 1.42},
                                                      {8, 1.67}, {9, 1.97}, {10, 2.38}};
    /// SAR area [bits, um^2], same source and scaling (Saberi et al. 2011 via ISAAC's numbers).
    std::vector<std::pair<int, double>> adc_area_um2{{4, 361},  {5, 477},  {6, 627},  {7, 845},
                                                     {8, 1200}, {9, 1828}, {10, 3002}};
    double adc_rate_GSps = 1.2;  ///< at 8 bits; a SAR takes one step per bit
    double read_ns = 3.16;       ///< analog read, overlapped with conversions (S+H; MNSIM 2.0)
    double dac_pJ = 0.42;        ///< 1-bit DAC per driven row (reference README 4)
    double shift_add_pJ = 0.021; ///< per partial product merged (reference README 4)
    /// Crossbar read per cycle with every row driven at mean cell level: ISAAC 2.4 mW for 8
    /// arrays over its 100 ns cycle = 30 pJ; scaled by active rows and cell conductance.
    double crossbar_cycle_pJ = 30;
    double on_off_ratio = 5; ///< G_LRS / G_HRS, MNSIM 2.0: 150 kOhm / 30 kOhm
    /// Input register feeding the DACs, per crossbar and cycle: ISAAC 1.24 mW per 8-array IMA
    /// over 100 ns = 124 pJ / 8.
    double input_register_pJ = 15.5;
    /// eDRAM (20.45 pJ per 256 bits) + bus (0.054 pJ per bit) per 16-bit value in or out.
    double buffer_pJ_per_value = 2.14;
    /// Area per crossbar besides its ADC: array 25 + DACs 21 + S+H 5 + S+A 60 + IR 262 + OR 96 +
    /// share of eDRAM, bus and router (ISAAC tile of 96 arrays) 2192 um^2.
    double other_area_um2 = 2661;
};

/// Statistics of the data the layer sees.
struct RramCnnData {
    double zero_fraction = 0.5; ///< ReLU outputs that are exactly 0
    /// Static 16-bit input format: full scale = this many sigma of the nonzero activations
    /// (headroom for the largest activation of any image and layer).
    double input_full_scale_sigmas = 16;
    /// Static 16-bit weight format: |w| full scale = this many sigma of the weights.
    double weight_full_scale_sigmas = 8;
    /// Output format sized for this many sigma of the pre-activation sums.
    double output_full_scale_sigmas = 4;
};

struct Seed001Options {
    bool encoding = false;
    bool adc_optimisation = false;
    bool dynamic_quantization = false;
};

struct Seed001Config {
    RramCnnHardware hardware;
    RramCnnData data;
    int dynamic_bits = 8; ///< input bits kept by dynamic quantization, 1 .. input_bits
    std::vector<ConvLayerShape> layers{{"vgg-conv3x3-256", 256, 256, 3, 28, 28}};
    void validate() const;
};

/// What one layer costs with one set of options; counts and energies per output position
/// (one input vector through all of the layer's crossbars).
struct RramLayerCost {
    std::string name;
    double macs = 0; ///< per position
    double positions = 0;
    int crossbars = 0;
    int row_tiles = 0;
    int adc_bits = 0;  ///< ADC resolution provided (worst case of the encoding)
    double cycles = 0; ///< input bit planes streamed per position (expected)
    double dac_drives = 0;
    double adc_conversions = 0; ///< = partial products converted
    double adc_bit_steps = 0;   ///< sum of SAR steps (bits resolved) over conversions
    double shift_adds = 0;
    double crossbar_pJ = 0, dac_pJ = 0, adc_pJ = 0, shift_add_pJ = 0, input_register_pJ = 0,
           buffer_pJ = 0;
    double energy_pJ = 0; ///< per position, all components
    double time_ns = 0;   ///< per position (all crossbars of the layer in parallel)
    double area_mm2 = 0;
};

struct RramNetworkCost {
    Seed001Options options;
    std::vector<RramLayerCost> layers;
    double ops = 0; ///< 2 per MAC (ISAAC/DaDianNao convention), whole network
    double energy_pJ = 0;
    double time_ns = 0;  ///< layers one after another
    double area_mm2 = 0; ///< all layers mapped
    double throughput_GOPS() const { return time_ns > 0 ? ops / time_ns : 0; }
    double energy_efficiency_GOPS_per_W() const {
        return energy_pJ > 0 ? 1e3 * ops / energy_pJ : 0;
    }
    double area_efficiency_GOPS_per_mm2() const {
        return area_mm2 > 0 ? throughput_GOPS() / area_mm2 : 0;
    }
};

/// Named layer lists for the CLI: "vgg-conv3x3-256" (one 3x3x256 -> 256 convolution on 28x28)
/// and "small-cnn" (six VGG-like CIFAR-10 convolutions). Throws InputError naming the choices.
std::vector<ConvLayerShape> seed001_network(const std::string& name);

/// Costs the configured network with the given options. Throws InputError on a bad config.
RramNetworkCost evaluate_rram_cnn(const Seed001Config& config, const Seed001Options& options);

/// Baseline, each option alone, the options added one after another, and all together, with
/// improvement factors (energy efficiency, throughput, area efficiency) vs the baseline; the
/// cumulative steps' factors multiply to the total and their energy savings add up to it.
nlohmann::json seed001_report(const Seed001Config& config);

} // namespace cbl
