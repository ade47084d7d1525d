#pragma once
// IDX files (the MNIST family's format: big-endian magic, dimensions, then raw bytes), raw or
// gzip-compressed. Every problem is reported as an InputError naming the file and what is wrong.
#include <cstdint>
#include <string>
#include <vector>

namespace cbl {

struct IdxImages {
    int count = 0;
    int rows = 0;
    int cols = 0;
    std::vector<std::uint8_t> pixels; ///< count x rows x cols, row-major per image
};

struct IdxLabels {
    std::vector<std::uint8_t> labels;
};

/// Reads an idx3-ubyte image file (magic 0x00000803).
IdxImages read_idx_images(const std::string& path);
/// Reads an idx1-ubyte label file (magic 0x00000801); labels must lie in 0..max_label.
IdxLabels read_idx_labels(const std::string& path, int max_label = 9);

} // namespace cbl
