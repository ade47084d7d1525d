#include "core/dataset/idx_reader.hpp"

#include "core/common/param_error.hpp"

#include <zlib.h>

#include <filesystem>
#include <memory>

namespace cbl {
namespace {

// gzread reads plain files transparently, so one path serves .gz and raw IDX files.
std::vector<std::uint8_t> read_all(const std::string& path) {
    if (!std::filesystem::is_regular_file(path)) throw InputError(path + ": no such file");
    std::unique_ptr<gzFile_s, int (*)(gzFile)> f(gzopen(path.c_str(), "rb"), gzclose);
    if (!f) throw InputError(path + ": cannot open for reading");
    std::vector<std::uint8_t> data;
    std::vector<std::uint8_t> chunk(1 << 20);
    for (;;) {
        const int n = gzread(f.get(), chunk.data(), static_cast<unsigned>(chunk.size()));
        if (n < 0) {
            int err = 0;
            const char* msg = gzerror(f.get(), &err);
            throw InputError(path + ": corrupt or truncated compressed data (" + msg + ")");
        }
        if (n == 0) break;
        data.insert(data.end(), chunk.begin(), chunk.begin() + n);
    }
    return data;
}

std::uint32_t be32(const std::vector<std::uint8_t>& d, std::size_t at) {
    return (std::uint32_t(d[at]) << 24) | (std::uint32_t(d[at + 1]) << 16) |
           (std::uint32_t(d[at + 2]) << 8) | std::uint32_t(d[at + 3]);
}

std::string hex(std::uint32_t v) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "0x%08x", v);
    return buf;
}

} // namespace

IdxImages read_idx_images(const std::string& path) {
    const auto d = read_all(path);
    if (d.size() < 16) throw InputError(path + ": too short for an IDX image header (16 bytes)");
    const std::uint32_t magic = be32(d, 0);
    if (magic != 0x00000803)
        throw InputError(path + ": wrong magic number " + hex(magic) +
                         ", expected 0x00000803 (idx3-ubyte images)");
    const std::uint32_t count = be32(d, 4), rows = be32(d, 8), cols = be32(d, 12);
    if (count == 0 || rows == 0 || cols == 0 || rows > 4096 || cols > 4096 || count > (1u << 28))
        throw InputError(path + ": implausible dimensions " + std::to_string(count) + " x " +
                         std::to_string(rows) + " x " + std::to_string(cols));
    const std::uint64_t expected = 16 + std::uint64_t(count) * rows * cols;
    if (d.size() != expected)
        throw InputError(path + ": holds " + std::to_string(d.size()) + " bytes but the header (" +
                         std::to_string(count) + " images of " + std::to_string(rows) + "x" +
                         std::to_string(cols) + ") needs " + std::to_string(expected) +
                         (d.size() < expected ? " (truncated)" : " (trailing data)"));
    IdxImages out;
    out.count = static_cast<int>(count);
    out.rows = static_cast<int>(rows);
    out.cols = static_cast<int>(cols);
    out.pixels.assign(d.begin() + 16, d.end());
    return out;
}

IdxLabels read_idx_labels(const std::string& path, int max_label) {
    const auto d = read_all(path);
    if (d.size() < 8) throw InputError(path + ": too short for an IDX label header (8 bytes)");
    const std::uint32_t magic = be32(d, 0);
    if (magic != 0x00000801)
        throw InputError(path + ": wrong magic number " + hex(magic) +
                         ", expected 0x00000801 (idx1-ubyte labels)");
    const std::uint32_t count = be32(d, 4);
    if (d.size() != 8 + std::uint64_t(count))
        throw InputError(path + ": holds " + std::to_string(d.size() - 8) +
                         " label bytes but the header announces " + std::to_string(count) +
                         (d.size() - 8 < count ? " (truncated)" : " (trailing data)"));
    IdxLabels out;
    out.labels.assign(d.begin() + 8, d.end());
    for (std::size_t i = 0; i < out.labels.size(); ++i)
        if (out.labels[i] > max_label)
            throw InputError(path + ": label " + std::to_string(out.labels[i]) + " at index " +
                             std::to_string(i) + " is outside 0.." + std::to_string(max_label));
    return out;
}

} // namespace cbl
