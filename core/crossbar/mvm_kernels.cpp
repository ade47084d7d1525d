#include "core/crossbar/mvm_kernels.hpp"

// GCC 12 reports a false "-Wuninitialized" inside its own AVX-512 header when Eigen's vectorised
// sin/cos is instantiated; the pragma is scoped to this file's Eigen use.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#include <Eigen/Core>
#pragma GCC diagnostic pop

#include <algorithm>
#include <numbers>
#include <vector>

#if defined(__AVX512F__)
#include <immintrin.h>
#endif

namespace cbl::mvm {

#if defined(__AVX512F__)

namespace {

// The 16 noise codes at q + at, as floats.
[[gnu::always_inline]] inline __m512 codes(const std::uint8_t* q, std::size_t at) {
    return _mm512_cvtepi32_ps(
        _mm512_cvtepu8_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(q + at))));
}

// A packet of 16 rows as floats: the weights themselves, or the squared noise codes (c * c is
// exact in float, so squaring here or in a converted copy gives the same bits).
[[gnu::always_inline]] inline __m512 packet(const float* a, std::size_t at) {
    return _mm512_loadu_ps(a + at);
}
[[gnu::always_inline]] inline __m512 packet(const std::uint8_t* q, std::size_t at) {
    const __m512 c = codes(q, at);
    return _mm512_mul_ps(c, c);
}

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
                const __m512 c = codes(q, off + 16 * std::size_t(b));
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
        for (int j = 0; j < ld; j += 16)
            acc = _mm512_fmadd_ps(packet(qc, std::size_t(j)), _mm512_loadu_ps(d2 + j), acc);
        var[i] = _mm512_reduce_add_ps(acc);
    }
}

namespace {

// Lane k of the result is the sum of the lanes of v[k], added as Eigen's predux and
// _mm512_reduce_add_ps add one packet: lane i with i + 8, then i + 4, i + 2 and i + 1. Sixteen
// packets go through each level together (the 4 x 4 transpose at the end restores lane order).
[[gnu::always_inline]] inline __m512 reduce16(const __m512 (&v)[16]) {
    __m512 a[8], b[4], c[2];
    for (int k = 0; k < 8; ++k) // i + 8: [lo 256 of v(2k), of v(2k+1)] + [the hi 256 halves]
        a[k] = _mm512_add_ps(_mm512_shuffle_f32x4(v[2 * k], v[2 * k + 1], 0x44),
                             _mm512_shuffle_f32x4(v[2 * k], v[2 * k + 1], 0xEE));
    for (int k = 0; k < 4; ++k) // i + 4: quarter j of b[k] belongs to v(4k + j)
        b[k] = _mm512_add_ps(_mm512_shuffle_f32x4(a[2 * k], a[2 * k + 1], 0x88),
                             _mm512_shuffle_f32x4(a[2 * k], a[2 * k + 1], 0xDD));
    for (int k = 0; k < 2; ++k) // i + 2: quarter j of c[k] holds v(8k + j), then v(8k + 4 + j)
        c[k] = _mm512_add_ps(_mm512_shuffle_ps(b[2 * k], b[2 * k + 1], _MM_SHUFFLE(1, 0, 1, 0)),
                             _mm512_shuffle_ps(b[2 * k], b[2 * k + 1], _MM_SHUFFLE(3, 2, 3, 2)));
    // i + 1: lane 4j + t holds v(4t + j).
    const __m512 r = _mm512_add_ps(_mm512_shuffle_ps(c[0], c[1], _MM_SHUFFLE(2, 0, 2, 0)),
                                   _mm512_shuffle_ps(c[0], c[1], _MM_SHUFFLE(3, 1, 3, 1)));
    const __m512i order = _mm512_setr_epi32(0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15);
    return _mm512_permutexvar_ps(order, r);
}

// For m <= 16 columns of `a` (ld elements apart) and every vector p of d: lane k of the result
// is the sum over the packets j of a(j, k) d(j, p), stored to out + p * ldo (the first m
// lanes). Lanes k >= m read column m - 1 again (memory that exists) and are not stored.
template <typename T>
void dot16(const T* a, int ld, int m, const float* d, int n, float* out, int ldo) {
    const __mmask16 keep = __mmask16((1u << m) - 1);
    std::size_t col[16];
    for (int k = 0; k < 16; ++k)
        col[k] = std::size_t(std::min(k, m - 1)) * std::size_t(ld);
    for (int p = 0; p < n; ++p) {
        const float* dp = d + std::size_t(p) * ld;
        __m512 acc[16];
        for (int k = 0; k < 16; ++k)
            acc[k] = _mm512_setzero_ps();
        for (int j = 0; j < ld; j += 16) {
            const __m512 dj = _mm512_loadu_ps(dp + j);
            for (int k = 0; k < 16; ++k)
                acc[k] = _mm512_fmadd_ps(packet(a, col[k] + std::size_t(j)), dj, acc[k]);
        }
        _mm512_mask_storeu_ps(out + std::size_t(p) * ldo, keep, reduce16(acc));
    }
}

} // namespace

void transposed_many(const float* w, const std::uint8_t* q, int ld, int cols, const float* d,
                     const float* d2, int n, float* out, float* var) {
    if (cols == 1) {
        // Eigen computes a one-column product as a dot product (another summation order).
        for (int p = 0; p < n; ++p) {
            const auto dot = [&](const float* a, const float* v) {
                return Eigen::Map<const Eigen::VectorXf>(a, ld).dot(
                    Eigen::Map<const Eigen::VectorXf>(v + std::size_t(p) * ld, ld));
            };
            out[p] = dot(w, d);
            if (q) transposed_variance(q, ld, 1, d2 + std::size_t(p) * ld, var + p);
        }
        return;
    }
    // Several vectors share one conversion of a block's noise codes to squared floats; a single
    // vector squares them as it goes (the conversion would cost as much as the read).
    static thread_local std::vector<float> q2;
    if (q && n > 1) q2.resize(std::size_t(16) * ld);
    for (int i = 0; i < cols; i += 16) {
        const int m = std::min(16, cols - i);
        const std::size_t at = std::size_t(i) * ld;
        dot16(w + at, ld, m, d, n, out + i, cols);
        if (!q) continue;
        if (n == 1) {
            dot16(q + at, ld, m, d2, n, var + i, cols);
            continue;
        }
        for (std::size_t k = 0; k < std::size_t(m) * ld; k += 16)
            _mm512_storeu_ps(q2.data() + k, packet(q, at + k));
        dot16(q2.data(), ld, m, d2, n, var + i, cols);
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

void transposed_many(const float* w, const std::uint8_t* q, int ld, int cols, const float* d,
                     const float* d2, int n, float* out, float* var) {
    const Eigen::Map<const Eigen::MatrixXf> weights(w, ld, cols);
    for (int p = 0; p < n; ++p) {
        Eigen::Map<Eigen::VectorXf>(out + std::size_t(p) * cols, cols).noalias() =
            weights.transpose() * Eigen::Map<const Eigen::VectorXf>(d + std::size_t(p) * ld, ld);
        if (q)
            transposed_variance(q, ld, cols, d2 + std::size_t(p) * ld, var + std::size_t(p) * cols);
    }
}

#endif

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
void box_muller(const float* u1, float* u2, int pairs, float* z) {
    const Eigen::Map<const Eigen::ArrayXf> a(u1, pairs);
    Eigen::Map<Eigen::ArrayXf> cos_part(z, pairs), sin_part(z + pairs, pairs);
    // The angles overwrite u2: no allocation per read.
    Eigen::Map<Eigen::ArrayXf> angle(u2, pairs);
    angle *= float(2 * std::numbers::pi);
    sin_part = (-2.f * a.log()).sqrt();
    cos_part = sin_part * angle.cos();
    sin_part *= angle.sin();
}
#pragma GCC diagnostic pop

} // namespace cbl::mvm
