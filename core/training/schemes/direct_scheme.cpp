#include "core/training/schemes/direct_scheme.hpp"

#include "core/common/param_error.hpp"
#include "core/common/rng.hpp"

#include <Random123/uniform.hpp>

#include <algorithm>
#include <bit>
#include <cmath>

#if defined(__AVX512F__)
#include <immintrin.h>
#endif

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
    // Every row's p first, then the pulses of the rows with p != 0 (a few in a column), listed
    // as bits of nonzero_ so the pulse loop touches only them.
    pulses_.resize(rows);
    nonzero_.assign(std::size_t((rows + 63) / 64), 0);
    const float* dw = dw_.data();
    const std::uint32_t* w = words_.data();
    double* p = pulses_.data();
    int r = 0;
#if defined(__AVX512F__) && defined(__AVX512VL__)
    // Eight rows at a time with the IEEE operations of the scalar loop below: the float dW
    // widened to double, divided by eps up or down, u01 = float(word) 2^-32 + 2^-33 widened and
    // added, floor; a zero dW gives no pulse.
    const __m512d zero = _mm512_setzero_pd(), up = _mm512_set1_pd(eps_up_),
                  down = _mm512_set1_pd(eps_down_);
    const __m256 factor = _mm256_set1_ps(0x1p-32f), half = _mm256_set1_ps(0x1p-33f);
    for (; r + 8 <= rows; r += 8) {
        const __m512d d = _mm512_cvtps_pd(_mm256_loadu_ps(dw + r));
        const __m512d eps = _mm512_mask_blend_pd(_mm512_cmp_pd_mask(d, zero, _CMP_GT_OQ), down, up);
        const __m256 u = _mm256_add_ps(_mm256_mul_ps(_mm256_cvtepu32_ps(_mm256_loadu_si256(
                                                         reinterpret_cast<const __m256i*>(w + r))),
                                                     factor),
                                       half);
        const __m512d g = _mm512_add_pd(_mm512_div_pd(d, eps), _mm512_cvtps_pd(u));
        const __m512d f = _mm512_roundscale_pd(g, _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC);
        _mm512_storeu_pd(p + r, f);
        const __mmask8 nz =
            _mm512_cmp_pd_mask(d, zero, _CMP_NEQ_UQ) & _mm512_cmp_pd_mask(f, zero, _CMP_NEQ_UQ);
        nonzero_[std::size_t(r / 64)] |= std::uint64_t(nz) << (r % 64);
    }
#endif
    for (; r < rows; ++r) {
        if (dw[r] == 0) continue;
        const double granules = dw[r] / (dw[r] > 0 ? eps_up_ : eps_down_);
        p[r] = std::floor(granules + r123::u01<float>(w[r]));
        if (p[r] != 0) nonzero_[std::size_t(r / 64)] |= std::uint64_t(1) << (r % 64);
    }
    for (std::size_t i = 0; i < nonzero_.size(); ++i)
        for (std::uint64_t bits = nonzero_[i]; bits; bits &= bits - 1) {
            const int row = int(i * 64) + std::countr_zero(bits);
            a.program(row, c, bounded_pulses(p[row]), ctx);
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
