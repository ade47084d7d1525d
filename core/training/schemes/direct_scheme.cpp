#include "core/training/schemes/direct_scheme.hpp"

#include "core/common/param_error.hpp"
#include "core/common/rng.hpp"

#include <Random123/uniform.hpp>

#include <algorithm>
#include <cmath>

namespace cbl {

namespace {
// Sub-counters of the quantize stream for the stochastic rounding: direct_sub + row (0 and 1 are
// the layer's quantized activations and errors).
constexpr std::uint32_t direct_sub = 2;

DirectScheme::Rounding rounding_of(const std::string& name) {
    if (name == "nearest") return DirectScheme::Rounding::nearest;
    if (name == "truncate") return DirectScheme::Rounding::truncate;
    if (name == "stochastic") return DirectScheme::Rounding::stochastic;
    throw InputError("scheme.direct_rounding " + name +
                     " is not a rounding (stochastic, nearest, truncate)");
}
} // namespace

DirectScheme::DirectScheme(const SchemeConfig& c, bool single, std::uint64_t seed,
                           std::uint32_t layer)
    : single_(single), seed_(seed), layer_(layer) {
    configure(c);
}

std::unique_ptr<UpdateScheme> DirectScheme::clone() const {
    return std::make_unique<DirectScheme>(*this);
}

void DirectScheme::configure(const SchemeConfig& c) {
    eps_up_ = eps_for(c, single_, true);
    eps_down_ = eps_for(c, single_, false);
    rounding_ = rounding_of(c.direct_rounding);
}

double DirectScheme::granules(float dw) const {
    return double(dw) / (dw > 0 ? eps_up_ : eps_down_);
}

int DirectScheme::pulses(float dw) const {
    const double g = granules(dw);
    return bounded_pulses(rounding_ == Rounding::nearest ? std::round(g) : std::trunc(g));
}

namespace {
/// One row's uniform draws in (0, 1], the words of Philox blocks (step, block, direct_sub + row)
/// in order: a pure function of (seed, layer, step, row), whatever the order of rows. Most rows
/// use one block (no candidate, or one); a row that needs more draws the rest eight blocks at a
/// time (CounterRng::blocks, one AVX-512 pass): the same words, at a fraction of the cost.
class RowDraws {
  public:
    RowDraws(const CounterRng& rng, std::uint64_t step, int row)
        : rng_(rng), step_(step), sub_(direct_sub + std::uint32_t(row)) {}
    double next() {
        if (used_ == filled_) {
            const int n = block_ == 0 ? 1 : batch;
            rng_.blocks(step_, block_, n, sub_, words_);
            block_ += std::uint32_t(n);
            filled_ = 4 * n;
            used_ = 0;
        }
        return r123::u01<double>(words_[used_++]);
    }

  private:
    static constexpr int batch = 8;
    const CounterRng& rng_;
    std::uint64_t step_;
    std::uint32_t sub_, block_ = 0;
    std::uint32_t words_[4 * batch];
    int used_ = 0, filled_ = 0;
};
} // namespace

template <typename At>
void DirectScheme::round_row_stochastic(int r, double q, int n, At&& at, SynapseArray& a,
                                        StepContext& ctx) const {
    // Without chi a change below one granule can only be made on average: p = floor(g + u),
    // g = dW / eps, is right in expectation (seed 002 section 2.3's comparison without the
    // accumulator).
    if (!(q > 0) || n == 0) return;
    const CounterRng rng(seed_, RngStream::quantize, layer_);
    RowDraws u(rng, ctx.step, r);
    // The row's pulses are decided first and sent together (program_row fetches ahead).
    thread_local std::vector<std::pair<int, int>> row;
    row.clear();
    if (q >= 1) {
        for (int i = 0; i < n; ++i) {
            const auto [c, g] = at(i);
            if (g != 0) row.emplace_back(c, bounded_pulses(std::floor(g + u.next())));
        }
        program_row(a, r, row, ctx);
        return;
    }
    // With |g| < 1, floor(g + u) is sign(g) with probability |g| and 0 otherwise. Candidates
    // come with probability q >= |g| (the gaps between them are geometric) and each is kept with
    // probability |g| / q: the same law, with draws only where a pulse may fall.
    const double log_miss = std::log1p(-q);
    for (double i = -1;;) {
        i += 1 + std::floor(std::log(u.next()) / log_miss);
        if (i >= n) break;
        const auto [c, g] = at(int(i));
        if (u.next() * q < std::abs(g)) row.emplace_back(c, g > 0 ? 1 : -1);
    }
    program_row(a, r, row, ctx);
}

void DirectScheme::commit_rank1(const Vec& x, const Vec& delta, float scale,
                                const std::vector<int>& nz, SynapseArray& a, StepContext& ctx) {
    if (rounding_ == Rounding::stochastic) {
        driven_.clear();
        float x_max = 0;
        for (int c = 0; c < int(x.size()); ++c)
            if (x[c] != 0) {
                driven_.push_back(c);
                x_max = std::max(x_max, std::abs(x[c]));
            }
        // The bound on |g| is widened by 1e-6 for the float rounding of dW.
        const double bound = (1 + 1e-6) * x_max / std::min(eps_up_, eps_down_);
        const auto round_row = [&](int i, StepContext& row_ctx) {
            const int r = nz[std::size_t(i)];
            const float d = delta[r];
            round_row_stochastic(
                r, bound * std::abs(double(scale) * d), int(driven_.size()),
                [&](int k) {
                    const int c = driven_[std::size_t(k)];
                    return std::pair{c, granules((scale * x[c]) * d)};
                },
                a, row_ctx);
        };
        for_each_row(int(nz.size()), a, ctx, round_row);
        return;
    }
    // Nearest rounding acts on dW of half a granule or more, truncation on a whole one.
    const float eps_min = float(std::min(eps_up_, eps_down_));
    const float threshold = rounding_ == Rounding::truncate ? eps_min : 0.5f * eps_min;
    for_each_update_above(x, delta, scale, nz, threshold, dw_,
                          [&](int r, int c, float dw) { a.program(r, c, pulses(dw), ctx); });
}

void DirectScheme::commit(const Matrix& dW, SynapseArray& a, StepContext& ctx) {
    if (rounding_ == Rounding::stochastic) {
        const double bound = (1 + 1e-6) / std::min(eps_up_, eps_down_);
        for_each_row(int(dW.rows()), a, ctx, [&](int r, StepContext& row_ctx) {
            round_row_stochastic(
                r, bound * double(dW.row(r).cwiseAbs().maxCoeff()), int(dW.cols()),
                [&](int c) {
                    return std::pair{c, granules(dW(r, c))};
                },
                a, row_ctx);
        });
        return;
    }
    for (int c = 0; c < int(dW.cols()); ++c) {
        for (int r = 0; r < int(dW.rows()); ++r)
            if (dW(r, c) != 0) a.program(r, c, pulses(dW(r, c)), ctx);
    }
}

} // namespace cbl
