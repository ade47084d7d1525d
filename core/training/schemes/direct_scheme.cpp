#include "core/training/schemes/direct_scheme.hpp"

#include "core/common/param_error.hpp"
#include "core/common/rng.hpp"

#include <Random123/uniform.hpp>

#include <algorithm>
#include <cmath>

namespace cbl {

namespace {
// Sub-counter of the quantize stream for the stochastic rounding (0 and 1 are the layer's
// quantized activations and errors).
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

int DirectScheme::pulses(float dw) const {
    const double granules = double(dw) / (dw > 0 ? eps_up_ : eps_down_);
    return bounded_pulses(rounding_ == Rounding::nearest ? std::round(granules)
                                                         : std::trunc(granules));
}

void DirectScheme::round_column_stochastic(int c, SynapseArray& a, StepContext& ctx) {
    // Without chi a change below one granule can only be made on average: p = floor(dW/eps + u)
    // is right in expectation (seed 002 section 2.3's comparison without the accumulator).
    const int rows = a.rows(), groups = (rows + 3) / 4;
    words_.resize(std::size_t(4 * groups));
    CounterRng(seed_, RngStream::quantize, layer_)
        .blocks(ctx.step, std::uint32_t(c * groups), groups, direct_sub, words_.data());
    for (int r = 0; r < rows; ++r) {
        if (dw_[r] == 0) continue;
        const double granules = dw_[r] / (dw_[r] > 0 ? eps_up_ : eps_down_);
        a.program(r, c, bounded_pulses(std::floor(granules + r123::u01<float>(words_[r]))), ctx);
    }
}

void DirectScheme::commit_rank1(const Vec& x, const Vec& delta, float scale,
                                const std::vector<int>& nz, SynapseArray& a, StepContext& ctx) {
    if (rounding_ == Rounding::stochastic) {
        for (int c = 0; c < int(x.size()); ++c) {
            if (x[c] == 0) continue;
            dw_.noalias() = (scale * x[c]) * delta;
            round_column_stochastic(c, a, ctx);
        }
        return;
    }
    // Nearest rounding acts on dW of half a granule or more, truncation on a whole one.
    const float eps_min = float(std::min(eps_up_, eps_down_));
    const float threshold = rounding_ == Rounding::truncate ? eps_min : 0.5f * eps_min;
    for_each_update_above(x, delta, scale, nz, threshold, dw_,
                          [&](int r, int c, float dw) { a.program(r, c, pulses(dw), ctx); });
}

void DirectScheme::commit(const Matrix& dW, SynapseArray& a, StepContext& ctx) {
    for (int c = 0; c < int(dW.cols()); ++c) {
        if (rounding_ == Rounding::stochastic) {
            dw_ = dW.col(c);
            round_column_stochastic(c, a, ctx);
            continue;
        }
        for (int r = 0; r < int(dW.rows()); ++r)
            if (dW(r, c) != 0) a.program(r, c, pulses(dW(r, c)), ctx);
    }
}

} // namespace cbl
