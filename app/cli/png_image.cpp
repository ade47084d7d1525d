#include "app/cli/png_image.hpp"

#include "core/common/param_error.hpp"
#include "core/session/atomic_file.hpp"

#include <zlib.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

namespace cbl::cli {
namespace {

void put32(std::string& out, std::uint32_t v) {
    for (int s = 24; s >= 0; s -= 8)
        out.push_back(char((v >> s) & 0xff));
}

/// One PNG chunk: length, type, data, CRC of type and data (PNG specification, section 5.3).
void chunk(std::string& out, const char* type, const std::string& data) {
    put32(out, std::uint32_t(data.size()));
    const std::string body = std::string(type, 4) + data;
    out += body;
    put32(out,
          std::uint32_t(crc32(0, reinterpret_cast<const Bytef*>(body.data()), uInt(body.size()))));
}

} // namespace

void write_image_grid_png(const std::string& path, const Eigen::MatrixXf& images, int side,
                          int columns) {
    const int n = int(images.cols()), gap = 2;
    const int rows = (n + columns - 1) / columns;
    const int width = columns * (side + gap) + gap, height = rows * (side + gap) + gap;
    // Rows of 1 filter byte (0: none) and 8-bit grey pixels.
    std::vector<unsigned char> raw(std::size_t(height) * (width + 1), 0);
    for (int i = 0; i < n; ++i) {
        const int x0 = gap + (i % columns) * (side + gap), y0 = gap + (i / columns) * (side + gap);
        for (int y = 0; y < side; ++y)
            for (int x = 0; x < side; ++x) {
                const float v = std::clamp(images(y * side + x, i), 0.0f, 1.0f);
                raw[std::size_t(y0 + y) * (width + 1) + 1 + x0 + x] =
                    static_cast<unsigned char>(std::lround(255 * v));
            }
    }
    uLongf packed_size = compressBound(uLong(raw.size()));
    std::string packed(packed_size, '\0');
    if (compress2(reinterpret_cast<Bytef*>(packed.data()), &packed_size, raw.data(),
                  uLong(raw.size()), 9) != Z_OK)
        throw InputError("--samples " + path + ": could not compress the image");
    packed.resize(packed_size);
    std::string png = "\x89PNG\r\n\x1a\n";
    std::string header;
    put32(header, std::uint32_t(width));
    put32(header, std::uint32_t(height));
    header += std::string("\x08\x00\x00\x00\x00", 5); // 8-bit greyscale, deflate, no interlace
    chunk(png, "IHDR", header);
    chunk(png, "IDAT", packed);
    chunk(png, "IEND", "");
    write_file_atomically(path, png);
}

} // namespace cbl::cli
