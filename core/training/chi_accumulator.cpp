#include "core/training/chi_accumulator.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

#if defined(__AVX512F__)
#include <immintrin.h>
#endif

namespace cbl {

ChiAccumulator::ChiAccumulator(int rows, int cols) : cols_(cols) {
    chi_.setZero(rows, (cols + 15) / 16 * 16);
}

void ChiAccumulator::set(const Eigen::MatrixXf& chi) {
    chi_.leftCols(cols_) = chi;
    over_band_ = {};
}

void ChiAccumulator::drive(const Eigen::VectorXf& x, float scale) {
    const int ld = int(chi_.cols());
    s_.resize(ld);
    active_.resize(std::size_t(ld / 16));
    hits_.resize(std::size_t(ld));
    for (int c0 = 0; c0 < ld; c0 += 16) {
        unsigned bits = 0;
        for (int j = 0; j < 16; ++j) {
            const int c = c0 + j;
            const float xc = c < cols_ ? x[c] : 0.0f;
            s_[c] = scale * xc;
            bits |= unsigned(xc != 0) << j;
        }
        active_[std::size_t(c0 / 16)] = std::uint16_t(bits);
    }
}

void ChiAccumulator::count_over(TransferBand band) {
    over_.assign(std::size_t(rows()), 0);
    for (int r = 0; r < rows(); ++r) {
        const auto row = chi_.row(r).head(cols_).array();
        over_[std::size_t(r)] = std::int32_t((row >= band.up || row <= -band.down).count());
    }
    over_band_ = band;
}

// One row of chi (padded to a multiple of 16 columns, s zero in the padding):
// row[c] = fma(s[c], d, row[c]) on every 16-column chunk holding a driven column (bit c % 16 of
// active[c / 16]); other chunks have s = +-0 and would not change, so they are not touched.
// The driven columns with row[c] in `band` are listed in hits_ in ascending order.
int ChiAccumulator::accumulate_row(int r, float d, TransferBand band, int& n_hits) {
    float* row = chi_.row(r).data();
    const float* s = s_.data();
    const std::uint16_t* active = active_.data();
    int* hits = hits_.data();
    const int ld = int(chi_.cols()), cols = cols_;
    int change = 0;
    n_hits = 0;
#if defined(__AVX512F__)
    const __m512 dv = _mm512_set1_ps(d), up = _mm512_set1_ps(band.up),
                 down = _mm512_set1_ps(-band.down);
    const auto in_band = [&](__m512 v) {
        return __mmask16(_mm512_cmp_ps_mask(v, up, _CMP_GE_OQ) |
                         _mm512_cmp_ps_mask(v, down, _CMP_LE_OQ));
    };
    for (int c = 0; c < ld; c += 16) {
        const unsigned driven = active[c / 16];
        if (!driven) continue;
        const __m512 old = _mm512_loadu_ps(row + c);
        const __m512 v = _mm512_fmadd_ps(_mm512_loadu_ps(s + c), dv, old);
        _mm512_storeu_ps(row + c, v);
        const __mmask16 was = in_band(old);
        const __mmask16 ge = in_band(v);
        if (!(ge | was)) continue; // the common case: nothing in the band
        const unsigned valid = cols - c >= 16 ? 0xffffu : (1u << std::max(0, cols - c)) - 1u;
        change += std::popcount(unsigned(ge) & valid) - std::popcount(unsigned(was) & valid);
        for (unsigned h = unsigned(ge) & driven; h; h &= h - 1)
            hits[n_hits++] = c + std::countr_zero(h);
    }
#else
    for (int c = 0; c < ld; ++c) {
        if (!active[c / 16]) continue;
        const bool was = band.holds(row[c]);
        row[c] = std::fma(s[c], d, row[c]);
        const bool ge = band.holds(row[c]);
        if (c < cols) change += int(ge) - int(was);
        if (ge && ((active[c / 16] >> (c % 16)) & 1u)) hits[n_hits++] = c;
    }
#endif
    return change;
}

} // namespace cbl
