#pragma once
// One crossbar tile holding an out x in weight block (out = rows of W, in = inputs incl. bias) in
// memristive devices. Device state is kept structure-of-arrays in column-major synapse order
// s = c * rows + r (the layout of Eigen's MatrixXf), one plane per device of the pair.
//
// Reads are fast because the tile keeps two caches next to the device state (ARCHITECTURE.md,
// "think in distributions"):
//  - w_eff: the drifted weights beta (G+ f+ - G- f-) as float. Drift factors f are recomputed
//    for the whole tile only when some device's factor may have moved by more than
//    drift_tolerance (relative) since the last rebuild; a programmed device's entry is
//    recomputed at once.
//  - sigma_code: per synapse the read-noise sigma of the pair, sqrt(s+^2 + s-^2), as an 8-bit
//    code in steps of sigma_step_uS (at most half a step, i.e. <= 1.1 % of the smallest PCM
//    sigma, off). The read noise of independent devices summed on one output line is one normal
//    with variance sum_i sigma_i^2 x_i^2, so an MVM draws one normal per output, not per device.
#include "core/crossbar/tile_config.hpp"
#include "core/device/device_physics.hpp"
#include "core/energy/op_counts.hpp"

#include <Random123/boxmuller.hpp>
#include <tbb/concurrent_vector.h>

#include <Eigen/Core>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <limits>
#include <vector>

namespace cbl {

/// Full device state of a tile for sessions; per-device arrays in synapse order s = c*rows + r.
/// The minus arrays are empty for the single mapping, the history arrays (t_p, n, nu) empty for
/// models without a pulse history (DevicePhysics::keeps_history; PCM keeps one).
struct TileState {
    int rows = 0, cols = 0;
    double time_s = 0;            ///< simulated time of the tile
    std::vector<float> g_plus_uS; ///< conductance right after the last pulse (undrifted)
    std::vector<float> g_minus_uS;
    std::vector<float> t_p_plus_s; ///< PCM: time of the last pulse (drift re-initiates there)
    std::vector<float> t_p_minus_s;
    std::vector<std::uint8_t> n_plus; ///< PCM: SET pulses since the last RESET (saturating)
    std::vector<std::uint8_t> n_minus;
    std::vector<std::uint8_t> nu_plus; ///< PCM: drift exponent code, nu = code * nu_step
    std::vector<std::uint8_t> nu_minus;
    double drift_compensation_ref = 0; ///< 0 = compensation off
    // The read cache (see CrossbarTile), saved so a restored tile reads bit-identically to the
    // saved one. Empty arrays mean "rebuild at time_s".
    std::vector<float> cache_w; ///< drifted weights, padded column-major
    std::vector<std::uint8_t> cache_sigma_code;
    std::vector<double> cache_row_sum;
    double cache_time_s = 0, cache_min_age_s = 0, cache_first_program_s = 0;
    bool operator==(const TileState&) const = default;
};

/// The pulses one update may send to one synapse (program() clamps to it). A transfer asking for
/// more (eps far below the device step, e.g. --set scheme.eps=1e-9, or eps = 1e-320 giving an
/// infinite count) must neither hang nor overflow. 255 is the depth of the PCM history counter n
/// (ref. README 2; it saturates there) and far above the pulses that take any preset device from
/// its minimum to saturation (PCM: about 26 SET steps of seed 002's 0.77 uS; RRAM: 100 levels).
/// Only the pulses sent are counted; mca keeps the rest in chi.
inline constexpr int max_pulses_per_program = 255;

class CrossbarTile {
  public:
    /// Draws the initial conductances (and PCM drift exponents) from (seed, layer).
    CrossbarTile(int rows_out, int cols_in, const TileConfig& config, std::uint64_t seed,
                 std::uint32_t layer);

    int rows() const { return rows_; }
    int cols() const { return cols_; }
    const TileConfig& config() const { return cfg_; }

    /// y = W x as the crossbar reads it now: drift, read noise (keyed by step), converters.
    void forward(const Eigen::Ref<const Eigen::VectorXf>& x, Eigen::Ref<Eigen::VectorXf> y,
                 std::uint64_t step, OpCounts& ops);
    /// out = W^T d: transposed read with the columns driven, same physics.
    void backward(const Eigen::Ref<const Eigen::VectorXf>& d, Eigen::Ref<Eigen::VectorXf> out,
                  std::uint64_t step, OpCounts& ops);
    /// backward() of every column of d into the same column of out, the read noise of column p
    /// keyed by steps[p]: the same values and counts as one backward() per column, the reads
    /// sharing their passes over the array.
    void backward_many(const Eigen::Ref<const Eigen::MatrixXf>& d, Eigen::Ref<Eigen::MatrixXf> out,
                       const std::uint64_t* steps, OpCounts& ops);

    /// Signed pulse train on synapse (r, c): p > 0 potentiates (SET on G+, or SET of the single
    /// device), p < 0 depresses (SET on G-; single PCM: RESET; other single devices: depression
    /// pulses). Pulse k of train t (the t-th train of this synapse in this step, as in a
    /// write-and-verify loop) of device d is drawn from (step, d, t max_pulses_per_program + k).
    /// Restarts the devices' drift clock. At most max_pulses_per_program pulses are sent.
    void program(int r, int c, int pulses, std::uint64_t step, OpCounts& ops, int train = 0);
    /// A hint that synapse (r, c) is programmed soon: its state and cache lines are fetched
    /// ahead. A pulse touches about ten arrays at a random place each; issued a few synapses
    /// early, the fetches overlap instead of stalling one after another. Changes no value.
    void prefetch(int r, int c) const;

    /// Seed 002's weight refresh: pairs with a device above refresh_threshold_uS are RESET and
    /// their difference re-programmed into one device with verified SET pulses until it is within
    /// refresh_tolerance_uS. Returns the pairs refreshed (0 for the single mapping, no pairs).
    int refresh(std::uint64_t step, OpCounts& ops);

    void advance_time(double seconds);
    double time_s() const { return time_s_; }
    /// A copy of this tile read at another time (e.g. accuracy vs time after training).
    CrossbarTile at_time(double time_s) const;

    /// Noise-free weights and conductances at the current time (drift applied, exact).
    Eigen::MatrixXf weights() const;
    Eigen::MatrixXf g_plus_uS() const;
    /// Single mapping: the reference conductance everywhere.
    Eigen::MatrixXf g_minus_uS() const;
    float weight(int r, int c) const;
    /// Moves synapse (r, c)'s initial state by `dw` weight units before any pulse (a bias
    /// init): a pair's G+ (dw > 0) or G- (dw < 0) starts |dw| / beta higher, a single device
    /// dw / beta, clamped to the device's range, so the weight may get less than asked.
    void shift_initial(int r, int c, double dw);
    /// Weight change one pulse up (potentiation) or down would give synapse (r, c) from its
    /// present state on the family's mean curve (no device-to-device spread, no cycle noise):
    /// what a write circuit that knows the device's nominal characteristic predicts.
    double nominal_pulse_weight(int r, int c, bool up) const;
    /// Noise-free drifted conductance of one device (k = 0: G+, k = 1: G- or the reference).
    float conductance_uS(int r, int c, int k) const { return float(g_now(c * rows_ + r, k)); }

    // Global drift compensation (reference README 2, last bullet): outputs are scaled by
    // (reference readout at calibration) / (readout now), the readout being sum_j |(W 1)_j|.
    void calibrate_drift_compensation();
    void clear_drift_compensation();
    double drift_compensation_factor();

    /// Hot parameters, applied between steps: the tile and device fields the schema marks live
    /// (core/config/fields.hpp) take effect as given, since the physics reads them from the
    /// config at every pulse and read; the caches that depend on them are rebuilt. Structural
    /// fields are refused before they get here (Experiment::set_parameter).
    void configure(const TileConfig& tile);

    /// Boybat et al. 2018's multi-memristive synapse (tile.pairs_per_weight = N, cited by seed
    /// 002): the N pairs of each weight are N tiles of the same shape, programmed one at a time,
    /// but a read drives all of them and their currents add on the output lines. summed_reader()
    /// is a tile that only reads: its weight cache is the sum of the pairs' caches and its read
    /// noise has the sum of their variances (independent devices), so one MVM reads the N
    /// pairs, counted as N x the device reads. Noise draws are keyed as the first pair's.
    static CrossbarTile summed_reader(const std::vector<CrossbarTile*>& pairs);
    /// Brings a summed_reader() up to date with its pairs: their drifted caches refreshed, then
    /// the columns written since the last sync (all, after a rebuild or a new configuration).
    void sync_sum(const std::vector<CrossbarTile*>& pairs);

    TileState state() const;
    /// Throws InputError when the arrays do not fit this tile.
    void restore(const TileState& s);

    /// Bytes of device state plus caches and scratch per synapse.
    std::size_t bytes_per_synapse() const;

  private:
    int dps() const { return cfg_.devices_per_synapse(); }
    std::uint32_t device_id(int s, int k) const { return std::uint32_t(s * dps() + k); }
    double drift_factor(int s, int k, double t) const;
    /// refresh() of one saturated pair, synapse s.
    void refresh_pair(int s, std::uint64_t step, OpCounts& ops);
    /// Drifted conductance of device k of synapse s at the tile's time (the reference for k = 1
    /// of a single mapping).
    double g_now(int s, int k) const {
        return k == 1 && dps() == 1 ? cfg_.g_ref_uS : g_uS_[k][s] * drift_factor(s, k, time_s_);
    }
    float nu(std::uint8_t code) const { return float(code * nu_step_); }
    void draw_initial_state();
    void rebuild_cache();
    void ensure_cache_fresh();
    void update_cache_entry(int s);
    r123::double2 device_draw(std::uint32_t dev) const;
    void apply_pulses(int s, int k, int pulses, bool up, std::uint64_t step, std::uint32_t sub0,
                      OpCounts& ops);
    double read_device_uS(int s, int k, std::uint64_t step, std::uint32_t sub) const;
    void reset_device(int s, int k, std::uint64_t step, std::uint32_t sub, OpCounts& ops);
    double read_sigma_step_uS() const;
    void add_read_noise(Eigen::Ref<Eigen::VectorXf> y, const Eigen::Ref<const Eigen::VectorXf>& var,
                        std::uint64_t step, std::uint32_t direction);
    void convert_output(Eigen::Ref<Eigen::VectorXf> y, OpCounts& ops) const;
    /// The transposed products and noise variances of the columns of d (converted by the DACs)
    /// into out_pad_ and var_many_.
    void read_transposed(const Eigen::Ref<const Eigen::MatrixXf>& d, OpCounts& ops);
    /// y = read p of read_transposed() with its read noise (keyed by step), counted and converted.
    void finish_backward(int p, Eigen::Ref<Eigen::VectorXf> y, std::uint64_t step, OpCounts& ops);
    const Eigen::VectorXf& convert_input(const Eigen::Ref<const Eigen::VectorXf>& x, OpCounts& ops);
    void compute_plane_column(int c, int k, double t, float* g_out) const;
    /// Exact largest undrifted conductance of column c over the devices of the synapse.
    float column_g_max(int c) const;
    // Both may run for synapses of different rows at once (for_each_row): the column maximum and
    // the first programming time are kept with atomic updates whose result does not depend on
    // the order.
    void note_conductance(int s, float g_uS) {
        std::atomic_ref<float> m(col_g_max_[std::size_t(s / rows_)]);
        float now = m.load(std::memory_order_relaxed);
        while (g_uS > now && !m.compare_exchange_weak(now, g_uS, std::memory_order_relaxed)) {
        }
    }
    void note_first_program() {
        std::atomic_ref<double> first(first_program_s_);
        if (first.load(std::memory_order_relaxed) > time_s_)
            first.store(time_s_, std::memory_order_relaxed);
    }

    /// A summed_reader(): the caches are the pairs' sums, not built from own devices (it keeps
    /// none). 0 for a tile with devices.
    int summed_pairs_ = 0;
    bool sum_stale_ = true; ///< summed reader: every column must be summed again
    /// Cache entries (synapse index s) changed since the last sync_sum(), in a pair of a
    /// multi-pair synapse (tracks_writes_), or all of them after a rebuild. An update pulses a
    /// few entries (the GAN's output matrix: ~0.3 %), so the sum follows entries, not columns.
    /// Rows are programmed in parallel: the list takes concurrent appends.
    tbb::concurrent_vector<int> written_;
    bool tracks_writes_ = false, all_written_ = false;
    void note_written(int s) {
        if (tracks_writes_) written_.push_back(s);
    }
    int pairs_read() const { return std::max(summed_pairs_, 1); }

    bool noise_on() const {
        return cfg_.read_noise && cfg_.read_noise_scale > 0 && sigma_step_uS_ > 0;
    }

    int rows_, cols_, n_syn_;
    int ld_ = 0; ///< padded rows of the caches (see mvm_kernels.hpp)
    TileConfig cfg_;
    DevicePhysics device_; ///< the device model of cfg_.device
    std::uint64_t seed_;
    std::uint32_t layer_;
    double time_s_ = 0;

    // Device state (see TileState).
    std::vector<float> g_uS_[2];
    std::vector<float> t_p_s_[2];
    std::vector<std::uint8_t> n_[2];
    std::vector<std::uint8_t> nu_code_[2];
    double nu_step_ = 0; ///< drift exponent per code step: codes span [0, nu_mean + 6 nu_std]
    float nu_max_ = 0;   ///< largest drift exponent in the tile
    /// Per column an upper bound of the undrifted conductances of its devices (raised by every
    /// write, made exact again when refresh() reads the column): drift only lowers G, so a
    /// column whose bound is below the refresh threshold cannot hold a saturated pair.
    std::vector<float> col_g_max_;

    // Caches (see the file comment).
    Eigen::MatrixXf w_eff_;
    Eigen::Matrix<std::uint8_t, Eigen::Dynamic, Eigen::Dynamic> sigma_code_;
    double sigma_step_uS_ = 0;
    Eigen::VectorXd row_sum_;    ///< W_eff 1, for the drift-compensation readout
    double cache_time_s_ = 0;    ///< time of the last full rebuild
    double cache_min_age_s_ = 0; ///< youngest device age at that rebuild
    double first_program_s_ = 0; ///< earliest pulse since that rebuild (+inf if none)
    double drift_comp_ref_ = 0;
    /// The inputs of the last ensure_cache_fresh() verdict that the cache is fresh (NaN: none).
    struct FreshCheck {
        double time_s, first_program_s, cache_time_s, cache_min_age_s, nu_max, tolerance, t0_s;
        bool operator==(const FreshCheck&) const = default;
    };
    FreshCheck fresh_at_{std::numeric_limits<double>::quiet_NaN(), 0, 0, 0, 0, 0, 0};
    /// What the freshness of the cache depends on, as it is now.
    FreshCheck fresh_inputs() const;

    // Scratch for one MVM (kept to avoid allocations per read).
    Eigen::VectorXf x_q_, y_pad_, var_, z_;
    Eigen::MatrixXf d_pad_, d2_pad_, out_pad_, var_many_; ///< the same for transposed reads
    Eigen::VectorXf y_one_;
    Eigen::ArrayXf u1_, u2_;
    std::vector<int> active_; ///< driven lines (non-zero inputs) of the current MVM
    int active_count_ = 0;
};

} // namespace cbl
