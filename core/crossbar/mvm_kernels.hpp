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

/// Box-Muller over arrays: z[p] = sqrt(-2 ln u1[p]) cos(2 pi u2[p]) and z[pairs + p] the same
/// with sin, for uniforms in (0, 1]. Vectorised; 2 * pairs standard normals.
void box_muller(const float* u1, const float* u2, int pairs, float* z);

} // namespace cbl::mvm
