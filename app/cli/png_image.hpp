#pragma once
// A greyscale PNG writer (zlib only, no GUI library: the CLI stays headless), for grids of
// generated images such as `train --samples FILE.png` of a GAN.
#include <Eigen/Core>

#include <string>

namespace cbl::cli {

/// Writes the images (columns of `images`, values in [0, 1], each `side` x `side` row-major)
/// as a grid of `columns` per row with a 2-pixel dark gap, to `path` (atomically). InputError
/// names the path when it cannot be written.
void write_image_grid_png(const std::string& path, const Eigen::MatrixXf& images, int side,
                          int columns);

} // namespace cbl::cli
