#pragma once
// The interface between a crossbar layer and the rule that turns a desired weight change dW into
// programming pulses (seed 002 Fig. 1B's digital unit; seed 000's tuning circuits). The layer
// owns the devices and the update path's quantization; a scheme only decides which synapse gets
// how many pulses. Schemes: schemes/direct_scheme, schemes/mca_scheme, schemes/time_scheme.
#include "core/common/state_arrays.hpp"
#include "core/crossbar/crossbar_tile.hpp"
#include "core/network/weight_layer.hpp"
#include "core/training/layer_picture.hpp"
#include "core/training/scheme_config.hpp"

#include <Eigen/Core>
#include <tbb/blocked_range.h>
#include <tbb/combinable.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <string>
#include <vector>

namespace cbl {

/// The synapses a scheme programs: a crossbar layer's weight matrix (all its tiles and pairs).
class SynapseArray {
  public:
    virtual ~SynapseArray() = default;
    virtual int rows() const = 0;
    virtual int cols() const = 0;
    /// Sends `pulses` to synapse (r, c) (> 0 potentiates, < 0 depresses), at most
    /// max_pulses_per_program of them (core/crossbar/crossbar_tile.hpp); counts them for the
    /// heatmap. Returns the signed pulses really sent: a single PCM device is depressed by one
    /// RESET whatever was asked (seed 002 A.2.4). `train` numbers the trains one synapse gets in
    /// one step (a write-and-verify loop), so each train's pulses have their own draws.
    virtual int program(int r, int c, int pulses, StepContext& ctx, int train = 0) = 0;
    /// A hint that (r, c) is programmed soon (CrossbarTile::prefetch); changes no value.
    virtual void prefetch(int, int) const {}
    /// Noise-free weight of synapse (r, c) now (a verify read).
    virtual float weight(int r, int c) const = 0;
    /// Signed weight change one pulse up or down would give (r, c) now on the device's nominal
    /// curve (CrossbarTile::nominal_pulse_weight); 0 where the device cannot move that way.
    virtual double nominal_pulse_weight(int r, int c, bool up) const = 0;
    /// Whether program() may run for different rows at once: every draw is keyed by (step,
    /// synapse) and every row's state is its own, unless the order of calls matters (the
    /// round-robin arbiter of a multi-pair synapse).
    virtual bool rows_program_concurrently() const { return false; }
};

/// f(r, ctx) for every row r < rows, blocks of rows on several threads when the array allows it.
/// Each block counts its operations in its own StageCounts, added to ctx's at the end: integer
/// counts, so neither the split nor the thread count changes a result.
template <typename F>
void for_each_row(int rows, const SynapseArray& a, StepContext& ctx, F&& f) {
    constexpr int block = 16;
    if (rows < 2 * block || !a.rows_program_concurrently()) {
        for (int r = 0; r < rows; ++r)
            f(r, ctx);
        return;
    }
    tbb::combinable<StageCounts> counts;
    tbb::parallel_for(tbb::blocked_range<int>(0, rows, block), [&](const auto& range) {
        StepContext local = ctx;
        if (ctx.counts) local.counts = &counts.local();
        for (int r = range.begin(); r < range.end(); ++r)
            f(r, local);
    });
    if (ctx.counts) counts.combine_each([&](const StageCounts& c) { *ctx.counts += c; });
}

/// Programs the pulses a scheme collected for row r, (column, pulses) in order: the same calls
/// in the same order as programming them one by one, with each synapse's state fetched a few
/// entries ahead (SynapseArray::prefetch) so that the memory accesses of pulses overlap.
inline void program_row(SynapseArray& a, int r, const std::vector<std::pair<int, int>>& pulses,
                        StepContext& ctx) {
    constexpr std::size_t ahead = 8;
    const std::size_t n = pulses.size();
    for (std::size_t i = 0; i < std::min(n, ahead); ++i)
        a.prefetch(r, pulses[i].first);
    for (std::size_t i = 0; i < n; ++i) {
        if (i + ahead < n) a.prefetch(r, pulses[i + ahead].first);
        a.program(r, pulses[i].first, pulses[i].second, ctx);
    }
}

class UpdateScheme {
  public:
    using Vec = Eigen::VectorXf;
    using Matrix = Eigen::MatrixXf;

    virtual ~UpdateScheme() = default;
    virtual std::unique_ptr<UpdateScheme> clone() const = 0;

    /// dW = scale * delta x^T (batch-1 SGD). x and delta come from the layer's update path (already
    /// quantized if it is); `nz` lists the rows with delta != 0.
    virtual void commit_rank1(const Vec& x, const Vec& delta, float scale,
                              const std::vector<int>& nz, SynapseArray& a, StepContext& ctx) = 0;
    /// A full dW (mini-batches, momentum, Adam).
    virtual void commit(const Matrix& dW, SynapseArray& a, StepContext& ctx) = 0;

    /// Whether commit_rank1 forms delta x^T in the array itself (TIME's in-array update), so
    /// the layer's digital unit neither multiplies it nor stores it (no digital_macs, chi_*).
    virtual bool forms_update_in_array() const { return false; }
    /// Hot parameters (eps, rounding, write scheme, ...); the type never changes.
    virtual void configure(const SchemeConfig& c) = 0;
    /// Scheme state beyond the devices (mca: chi) under the layer's session prefix.
    virtual void save_state(const std::string&, StateArrays&) const {}
    virtual void load_state(const std::string&, const StateArrays&) {}
    /// Scheme state the heatmaps show (mca: chi); the devices are the layer's.
    virtual void fill_picture(LayerPicture&) const {}
};

/// The scheme of `c.type` ("direct", "mca", "time") for an rows x cols layer; `single` says the
/// layer uses the single-device mapping (separate eps_up / eps_down, seed 002 A.2.4).
/// (seed, layer) key the scheme's random streams. Throws InputError for other types.
std::unique_ptr<UpdateScheme> make_update_scheme(const SchemeConfig& c, int rows, int cols,
                                                 bool single, std::uint64_t seed,
                                                 std::uint32_t layer);

/// The granule of a pulse in the direction `up`: eps, or on the single mapping eps_up / eps_down
/// when set (seed 002 A.2.4: SET and RESET of one device move it by different amounts).
double eps_for(const SchemeConfig& c, bool single, bool up);

/// Pulses from a (rounded or not) number of granules, clamped to +-max_pulses_per_program
/// before the conversion to int: eps = 1e-320 gives inf granules, NaN gives none.
inline int bounded_pulses(double granules) {
    const double bound = max_pulses_per_program;
    if (std::isnan(granules)) return 0;
    return static_cast<int>(std::clamp(granules, -bound, bound));
}

/// Calls f(r, c, dw) for every entry of dW = scale * delta x^T with |dw| >= threshold, column
/// by column, rows ascending (the order direct and time always programmed in).
template <typename F>
void for_each_update_above(const Eigen::VectorXf& x, const Eigen::VectorXf& delta, float scale,
                           const std::vector<int>& nz, float threshold, Eigen::VectorXf& dw,
                           F&& f) {
    const int rows = int(delta.size()), cols = int(x.size());
    const float* d = delta.data();
    dw.resize(rows);
    // A zero error gives dW = 0: when the errors are sparse only their rows are computed.
    const bool sparse = 4 * nz.size() <= std::size_t(rows);
    for (int c = 0; c < cols; ++c) {
        const float xc = x[c];
        if (xc == 0) continue;
        const float s = scale * xc;
        if (sparse) {
            for (const int r : nz)
                dw[r] = s * d[r];
            for (const int r : nz)
                if (std::abs(dw[r]) >= threshold) f(r, c, dw[r]);
            continue;
        }
        dw.noalias() = s * delta;
        // Most columns cross no threshold: one vectorised test before the scalar loop.
        if (dw.cwiseAbs().maxCoeff() < threshold) continue;
        for (int r = 0; r < rows; ++r)
            if (std::abs(dw[r]) >= threshold) f(r, c, dw[r]);
    }
}

} // namespace cbl
