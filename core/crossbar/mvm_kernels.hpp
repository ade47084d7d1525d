#pragma once
// Inner loops of the crossbar read. The weight cache is column-major with a leading dimension
// `ld` padded to a multiple of 16 rows (padding rows hold zero weight and zero noise code), so a
// column is a whole number of 16-float vectors.
#include <cstddef>
#include <cstdint>

namespace cbl::mvm {

inline constexpr int row_align = 16;

inline int padded_rows(int rows) {
    return (rows + row_align - 1) / row_align * row_align;
}

/// Forward read over the driven lines act[0..n_act): y[0..ld) = sum_a x_i W(:, i) and, when var
/// is not null, var[0..ld) = sum_a x_i^2 q(:, i)^2 (i = act[a]).
void forward_columns(const float* w, const std::uint8_t* q, int ld, const int* act, int n_act,
                     const float* x, float* y, float* var);

/// Transposed read's noise: var[i] = sum_j q(j, i)^2 d2[j] for every column i (d2 has ld
/// entries, zero in the padding).
void transposed_variance(const std::uint8_t* q, int ld, int cols, const float* d2, float* var);

/// Transposed reads of n vectors at once (columns of d, ld x n, zero in the padding): out(i, p)
/// = sum_j W(j, i) d(j, p) and, when var is not null, var(i, p) = sum_j q(j, i)^2 d2(j, p), for
/// every column i (out and var are cols x n). Each sum is formed exactly as one read's:
/// packets of 16 rows fused-multiply-added in row order and the packet reduced by the halving
/// tree of Eigen's predux and _mm512_reduce_add_ps, so the values are bit-identical to
/// w^T d (Eigen) and transposed_variance() per vector; only the loads are shared.
void transposed_many(const float* w, const std::uint8_t* q, int ld, int cols, const float* d,
                     const float* d2, int n, float* out, float* var);

/// Box-Muller over arrays: z[p] = sqrt(-2 ln u1[p]) cos(2 pi u2[p]) and z[pairs + p] the same
/// with sin, for uniforms in (0, 1]. Vectorised; 2 * pairs standard normals. u2 is used as
/// scratch (it holds the angles 2 pi u2 afterwards).
void box_muller(const float* u1, float* u2, int pairs, float* z);

} // namespace cbl::mvm
