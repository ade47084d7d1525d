#pragma once
// Receptive fields: the rows of a layer whose inputs are the pixels of a square image (MNIST's
// 28 x 28 + bias, or a convolution's k x k filter + bias) drawn as a mosaic of small images, one
// per output neuron or filter, so a student sees which strokes each neuron weighs.
#include <Eigen/Core>

#include <utility>

namespace cbl::ui {

/// The layout of a mosaic: `side` x `side` tiles in `grid_cols` columns, one pixel apart.
struct MosaicLayout {
    int side = 0;      ///< image side [pixels]; 0 when the layer's inputs are no square image
    int grid_cols = 0; ///< tiles per mosaic row
    int tiles = 0;     ///< output neurons (one tile each)

    bool valid() const { return side > 0; }
    int rows() const {
        return tiles == 0 ? 0 : ((tiles + grid_cols - 1) / grid_cols) * (side + 1) - 1;
    }
    int cols() const { return grid_cols * (side + 1) - 1; }
    /// The neuron and input (pixel) a mosaic cell shows; (-1, -1) on the gaps.
    std::pair<int, int> source(int row, int col) const;
    /// The mosaic cell showing (neuron, input); (-1, -1) for the bias input.
    std::pair<int, int> cell(int neuron, int input) const;
    /// Mosaic cells that show no pixel (the gaps and the unused end of the last row).
    long long gaps() const { return (long long)rows() * cols() - (long long)tiles * side * side; }
};

/// The mosaic layout for a layer of `outputs` x `inputs` (the bias, if any, is the last input).
MosaicLayout mosaic_layout(int outputs, int inputs);

/// The mosaic of `m` (outputs x inputs, pixel index y * side + x): NaN on the gaps, which the
/// heatmap draws grey. `layout` must come from mosaic_layout(m.rows(), m.cols()).
Eigen::MatrixXf receptive_field_mosaic(const Eigen::MatrixXf& m, const MosaicLayout& layout);

} // namespace cbl::ui
