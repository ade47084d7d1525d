#include "ui/views/receptive_fields.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace cbl::ui {

namespace {
/// The side of a square with `n` cells, or 0.
int square_side(int n) {
    const int s = int(std::lround(std::sqrt(double(std::max(0, n)))));
    return s > 1 && s * s == n ? s : 0;
}
} // namespace

MosaicLayout mosaic_layout(int outputs, int inputs) {
    MosaicLayout l;
    // The last input is the bias on every crossbar layer; a matrix without one is square itself.
    l.side = square_side(inputs - 1);
    if (l.side == 0) l.side = square_side(inputs);
    if (l.side == 0 || outputs <= 0) return {};
    l.tiles = outputs;
    l.grid_cols = int(std::ceil(std::sqrt(double(outputs))));
    return l;
}

std::pair<int, int> MosaicLayout::source(int row, int col) const {
    if (!valid() || row < 0 || col < 0 || row >= rows() || col >= cols()) return {-1, -1};
    const int step = side + 1;
    if (row % step == side || col % step == side) return {-1, -1};
    const int neuron = (row / step) * grid_cols + col / step;
    if (neuron >= tiles) return {-1, -1};
    return {neuron, (row % step) * side + col % step};
}

std::pair<int, int> MosaicLayout::cell(int neuron, int input) const {
    if (!valid() || neuron < 0 || neuron >= tiles || input < 0 || input >= side * side)
        return {-1, -1};
    const int step = side + 1;
    return {(neuron / grid_cols) * step + input / side, (neuron % grid_cols) * step + input % side};
}

Eigen::MatrixXf receptive_field_mosaic(const Eigen::MatrixXf& m, const MosaicLayout& layout) {
    Eigen::MatrixXf out = Eigen::MatrixXf::Constant(layout.rows(), layout.cols(),
                                                    std::numeric_limits<float>::quiet_NaN());
    const int step = layout.side + 1;
    for (int k = 0; k < layout.tiles && k < m.rows(); ++k) {
        const int r0 = (k / layout.grid_cols) * step, c0 = (k % layout.grid_cols) * step;
        for (int y = 0; y < layout.side; ++y)
            for (int x = 0; x < layout.side; ++x)
                out(r0 + y, c0 + x) = m(k, y * layout.side + x);
    }
    return out;
}

} // namespace cbl::ui
