#include "core/crossbar/mvm_kernels.hpp"

// GCC 12 reports a false "-Wuninitialized" inside its own AVX-512 header when Eigen's vectorised
// sin/cos is instantiated; the pragma is scoped to this file's Eigen use.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#include <Eigen/Core>
#pragma GCC diagnostic pop

#include <numbers>

#if defined(__AVX512F__)
#include <immintrin.h>
#endif

namespace cbl::mvm {

#if defined(__AVX512F__)

namespace {

// Driven lines are scattered, so the hardware prefetcher does not see the next one coming: the
// weights and noise codes of the line two ahead are requested while this one is summed
// (measured: 2 beats 1 and 4 during training).
constexpr int prefetch_ahead = 2;

// One block of B x 16 rows kept in registers over all driven lines: the outputs never go back
// to memory between columns, so the loop streams only the weights and the noise codes.
template <int B, bool Noise>
void forward_block(const float* w, const std::uint8_t* q, int ld, const int* act, int n_act,
                   const float* x, float* y, float* var) {
    __m512 acc[B], vacc[B];
    for (int b = 0; b < B; ++b)
        acc[b] = vacc[b] = _mm512_setzero_ps();
    for (int a = 0; a < n_act; ++a) {
        const std::size_t off = std::size_t(act[a]) * std::size_t(ld);
        const float xi = x[act[a]];
        if (a + prefetch_ahead < n_act) {
            const std::size_t next = std::size_t(act[a + prefetch_ahead]) * std::size_t(ld);
            for (int b = 0; b < B; ++b)
                _mm_prefetch(reinterpret_cast<const char*>(w + next + 16 * b), _MM_HINT_T0);
            if constexpr (Noise)
                for (int b = 0; b < B; b += 4)
                    _mm_prefetch(reinterpret_cast<const char*>(q + next + 16 * b), _MM_HINT_T0);
        }
        const __m512 xv = _mm512_set1_ps(xi);
        for (int b = 0; b < B; ++b)
            acc[b] = _mm512_fmadd_ps(xv, _mm512_loadu_ps(w + off + 16 * b), acc[b]);
        if constexpr (Noise) {
            const __m512 sv = _mm512_set1_ps(xi * xi);
            for (int b = 0; b < B; ++b) {
                const __m512 c = _mm512_cvtepi32_ps(_mm512_cvtepu8_epi32(
                    _mm_loadu_si128(reinterpret_cast<const __m128i*>(q + off + 16 * b))));
                vacc[b] = _mm512_fmadd_ps(_mm512_mul_ps(sv, c), c, vacc[b]);
            }
        }
    }
    for (int b = 0; b < B; ++b) {
        _mm512_storeu_ps(y + 16 * b, acc[b]);
        if constexpr (Noise) _mm512_storeu_ps(var + 16 * b, vacc[b]);
    }
}

template <bool Noise>
void forward_blocks(const float* w, const std::uint8_t* q, int ld, const int* act, int n_act,
                    const float* x, float* y, float* var) {
    constexpr int B = 8; // 8 x 16 rows: 16 accumulators, half the register file
    int r = 0;
    for (; r + 16 * B <= ld; r += 16 * B)
        forward_block<B, Noise>(w + r, q + r, ld, act, n_act, x, y + r, var + r);
    switch ((ld - r) / 16) {
    case 7:
        forward_block<7, Noise>(w + r, q + r, ld, act, n_act, x, y + r, var + r);
        break;
    case 6:
        forward_block<6, Noise>(w + r, q + r, ld, act, n_act, x, y + r, var + r);
        break;
    case 5:
        forward_block<5, Noise>(w + r, q + r, ld, act, n_act, x, y + r, var + r);
        break;
    case 4:
        forward_block<4, Noise>(w + r, q + r, ld, act, n_act, x, y + r, var + r);
        break;
    case 3:
        forward_block<3, Noise>(w + r, q + r, ld, act, n_act, x, y + r, var + r);
        break;
    case 2:
        forward_block<2, Noise>(w + r, q + r, ld, act, n_act, x, y + r, var + r);
        break;
    case 1:
        forward_block<1, Noise>(w + r, q + r, ld, act, n_act, x, y + r, var + r);
        break;
    default:
        break;
    }
}

} // namespace

void forward_columns(const float* w, const std::uint8_t* q, int ld, const int* act, int n_act,
                     const float* x, float* y, float* var) {
    if (var)
        forward_blocks<true>(w, q, ld, act, n_act, x, y, var);
    else
        forward_blocks<false>(w, q, ld, act, n_act, x, y, nullptr);
}

void transposed_variance(const std::uint8_t* q, int ld, int cols, const float* d2, float* var) {
    for (int i = 0; i < cols; ++i) {
        const std::uint8_t* qc = q + std::size_t(i) * std::size_t(ld);
        __m512 acc = _mm512_setzero_ps();
        for (int j = 0; j < ld; j += 16) {
            const __m512 c = _mm512_cvtepi32_ps(
                _mm512_cvtepu8_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(qc + j))));
            acc = _mm512_fmadd_ps(_mm512_mul_ps(c, c), _mm512_loadu_ps(d2 + j), acc);
        }
        var[i] = _mm512_reduce_add_ps(acc);
    }
}

#else // portable loops for machines without AVX-512 (the compiler vectorises what it can)

void forward_columns(const float* w, const std::uint8_t* q, int ld, const int* act, int n_act,
                     const float* x, float* y, float* var) {
    for (int j = 0; j < ld; ++j)
        y[j] = 0.f;
    if (var)
        for (int j = 0; j < ld; ++j)
            var[j] = 0.f;
    for (int a = 0; a < n_act; ++a) {
        const std::size_t off = std::size_t(act[a]) * std::size_t(ld);
        const float xi = x[act[a]];
        for (int j = 0; j < ld; ++j)
            y[j] += xi * w[off + j];
        if (var) {
            const float si = xi * xi;
            for (int j = 0; j < ld; ++j) {
                const float c = q[off + j];
                var[j] += si * c * c;
            }
        }
    }
}

void transposed_variance(const std::uint8_t* q, int ld, int cols, const float* d2, float* var) {
    for (int i = 0; i < cols; ++i) {
        const std::uint8_t* qc = q + std::size_t(i) * std::size_t(ld);
        float acc = 0.f;
        for (int j = 0; j < ld; ++j) {
            const float c = qc[j];
            acc += c * c * d2[j];
        }
        var[i] = acc;
    }
}

#endif

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
void box_muller(const float* u1, const float* u2, int pairs, float* z) {
    const Eigen::Map<const Eigen::ArrayXf> a(u1, pairs), b(u2, pairs);
    Eigen::Map<Eigen::ArrayXf> cos_part(z, pairs), sin_part(z + pairs, pairs);
    const Eigen::ArrayXf angle = float(2 * std::numbers::pi) * b;
    sin_part = (-2.f * a.log()).sqrt();
    cos_part = sin_part * angle.cos();
    sin_part *= angle.sin();
}
#pragma GCC diagnostic pop

} // namespace cbl::mvm
