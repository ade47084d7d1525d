#pragma once
// One weight matrix mapped onto the accelerator's crossbars, and the bit-serial MVM through it
// (ISAAC, Shafiee et al. ISCA 2016, section V):
//  - weights quantised to N bits (symmetric per layer), stored unsigned as u = w - z_c (ISAAC: a
//    global bias z = -2^(N-1); seed 001's encoding: the column's own minimum) and sliced into
//    cells of bits_per_cell bits, slice s holding bits [s b, (s+1) b) of u in its own column;
//  - inputs quantised to input_bits (static per-layer scale) and streamed one bit plane per
//    cycle through 1-bit DACs; each crossbar sums one row tile (partial sums per tile);
//  - every column sum goes through the column's ADC (clipping to its range, rounding to its
//    step), is decoded (column flip, inverted input) and shift-added into the output with
//    weight 2^(plane + s b); row tiles add up digitally, the zero point z_c sum(x) is added last.
// A column sum that provably never exceeds the ADC's range, on ideal noise-free devices with a
// unit ADC step, converts exactly, so its shift-added contribution equals u_slice . x: such
// slices are evaluated as one exact integer product (doubles hold these sums exactly, < 2^53)
// and only the others plane by plane. `force_bit_serial` evaluates everything plane by plane;
// the exactness test checks both paths against the integer MVM, bit for bit.
// On ideal devices the per-plane column sums are integers: each comes from AND + popcount of the
// driven plane's row bits against the bits of the stored levels (64 rows a word), the ADC
// transfer in integers (planes of a vector driving the same rows share their sums, and the
// decoding, affine in the converted value, is applied once per vector to their weighted sum); with
// variability or read noise they are float matrix products over the programmed levels.
// `float_column_sums` takes the float route on ideal devices too: the test checks both give the
// same outputs, counts and largest column sum.
#include "core/accelerator/accelerator_config.hpp"

#include <Eigen/Core>

#include <array>
#include <atomic>
#include <climits>
#include <cstdint>
#include <stdexcept>
#include <vector>

namespace cbl {

/// Hardware operations of a run (sums over MVMs; integers, so sums are order-independent).
struct AcceleratorCounts {
    std::uint64_t mvms = 0;            ///< input vectors through the layer
    std::uint64_t cycles = 0;          ///< per MVM the longest row tile's planes (lock-step)
    std::uint64_t crossbar_reads = 0;  ///< crossbar cycles: arrays x planes streamed
    std::uint64_t dac_drives = 0;      ///< driven rows x arrays they feed
    std::uint64_t active_cells = 0;    ///< cells of driven rows read (all used columns)
    std::uint64_t active_levels = 0;   ///< sum of the stored levels of those cells
    std::uint64_t adc_conversions = 0; ///< column sums converted (= partial products)
    /// Conversions by the bits the SAR resolved (index = bits; all adc_bits without a cutoff).
    std::array<std::uint64_t, 17> adc_by_bits{};
    std::uint64_t shift_adds = 0;      ///< partial products and row tiles merged
    std::uint64_t buffer_values = 0;   ///< input and output values through the eDRAM buffer
    std::uint64_t planes_possible = 0; ///< row-tile planes a static 16-cycle design streams

    AcceleratorCounts& operator+=(const AcceleratorCounts& o);
    bool operator==(const AcceleratorCounts&) const = default;
    /// Mean bits resolved per conversion (0 without conversions).
    double adc_bits_per_conversion() const;
};

/// Thrown by a run whose stop flag was set (AcceleratorRunControl).
struct AcceleratorCancelled : std::runtime_error {
    AcceleratorCancelled() : std::runtime_error("accelerator run cancelled") {}
};

class CrossbarMapping {
  public:
    /// Maps `weights` (outputs x inputs, the bias column included) with `config`'s hardware
    /// and encoding; `layer` keys the variability draws.
    CrossbarMapping(const Eigen::MatrixXd& weights, const AcceleratorConfig& config,
                    std::uint32_t layer);

    const AcceleratorConfig& config() const { return config_; }
    int outputs() const { return int(wq_.rows()); }
    int inputs() const { return int(wq_.cols()); }
    int slices() const { return slices_; }
    int row_tiles() const { return int(tiles_.size()); }
    int col_tiles() const { return col_tiles_; }
    int crossbars() const { return row_tiles() * col_tiles_; }
    /// Columns of weight slices the fullest array converts per cycle.
    int columns_per_array() const;
    double weight_scale() const { return weight_scale_; } ///< weight value of one integer step
    const Eigen::MatrixXd& quantized_weights() const { return wq_; } ///< integers

    /// ADC resolution of this layer; `ideal` converts any value exactly (calibration).
    /// `cutoff` (seed 001's A/D optimisation): output bit position below which partial products
    /// are not resolved; the SAR converting plane b of slice s stops after
    /// clamp(b + s bits_per_cell + bits - cutoff, 0, bits) bits (MSB first), and skips the
    /// conversion at 0. INT_MIN: every conversion resolves all bits.
    void set_adc(int bits, bool ideal, int cutoff = INT_MIN);
    int adc_bits() const { return adc_bits_; }
    /// Bits the ADC resolves for plane b of slice s.
    int resolved_bits(int plane, int slice) const;
    /// Inputs in two's complement (a layer seeing negative values); default unsigned.
    void set_signed_inputs(bool s) { signed_inputs_ = s; }
    bool signed_inputs() const { return signed_inputs_; }

    /// y = W_q x_q for the columns of `xq` (integers within the input range), through the bit-
    /// serial data path; exact integers when the ADC loses nothing. Adds the operations to
    /// `counts` and raises `max_column_sum` to the largest column sum seen before its ADC.
    /// `key` keys the read noise (one per call; columns and planes count inside it). Throws
    /// AcceleratorCancelled once `stop` is set (polled every 64 vectors of a row tile on the
    /// integer route, every plane of the float route).
    Eigen::MatrixXd mvm(const Eigen::MatrixXd& xq, std::uint64_t key, AcceleratorCounts& counts,
                        double& max_column_sum, const std::atomic<bool>* stop = nullptr) const;

  private:
    /// One row tile: rows [row0, row0 + rows) and the slices converted plane by plane.
    struct Tile {
        int row0 = 0, rows = 0;
        int words = 0; ///< 64-bit words holding one bit per row
        /// Per row: stored levels summed over every column, as bit planes: bit k of row r is
        /// bit r % 64 of word [k * words + r / 64].
        std::vector<std::uint64_t> row_level_bits;
        std::uint64_t level_total = 0; ///< sum of all stored levels of the tile
        // The slices needing per-plane conversion, stacked: one row per (slice, output), the
        // slices in order (slice s: stacked rows [slice_begin[s], slice_begin[s + 1])).
        Eigen::MatrixXf levels;       ///< stored (flipped) levels as programmed, n x rows
        std::vector<int> output;      ///< per stacked row
        std::vector<int> slice_begin; ///< slices + 1 entries
        Eigen::ArrayXi flipped;       ///< 1 when stored complemented
        Eigen::ArrayXi stored_sum;    ///< ideal stored level sum of the column (digital)
        /// Ideal devices: bit k of stacked row i's level at row r is bit r % 64 of word
        /// [(k * words + r / 64) * n + i] (the rows of one word contiguous over i).
        std::vector<std::uint64_t> level_bits;
    };

    AcceleratorConfig config_;
    std::uint32_t layer_;
    Eigen::MatrixXd wq_;    ///< quantised weights (integers)
    Eigen::VectorXd zero_;  ///< z_c: w = u + z_c
    Eigen::MatrixXd exact_; ///< sum of the slices converted losslessly, 2^(s b) u_s (integers)
    std::vector<Tile> tiles_;
    std::vector<Eigen::MatrixXd> slice_levels_; ///< per slice: ideal stored levels (unflipped)
    std::vector<Eigen::MatrixXd> flips_; ///< per slice: tile-column flipped (0/1), out x tiles
    double weight_scale_ = 1;
    int slices_ = 1, col_tiles_ = 1;
    int adc_bits_ = 8;
    bool adc_ideal_ = false;
    int adc_cutoff_ = INT_MIN;
    bool signed_inputs_ = false;

    /// Splits the slices into the exact product and the per-plane stacks for the current ADC.
    void plan();
};

} // namespace cbl
