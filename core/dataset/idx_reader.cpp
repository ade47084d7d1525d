#include "core/dataset/idx_reader.hpp"

#include "core/common/param_error.hpp"

#include <zlib.h>

#include <algorithm>
#include <filesystem>
#include <memory>

namespace cbl {
namespace {

using GzFile = std::unique_ptr<gzFile_s, int (*)(gzFile)>;

GzFile open_gz(const std::string& path) {
    if (!std::filesystem::is_regular_file(path)) throw InputError(path + ": no such file");
    GzFile f(gzopen(path.c_str(), "rb"), gzclose);
    if (!f) throw InputError(path + ": cannot open for reading");
    return f;
}

/// Appends up to `n` bytes to `data`; fewer only at the end of the (decompressed) stream.
void read_up_to(gzFile f, const std::string& path, std::uint64_t n,
                std::vector<std::uint8_t>& data) {
    std::vector<std::uint8_t> chunk(1 << 20);
    while (n > 0) {
        const auto want = static_cast<unsigned>(std::min<std::uint64_t>(n, chunk.size()));
        const int got = gzread(f, chunk.data(), want);
        if (got < 0) {
            int err = 0;
            const char* msg = gzerror(f, &err);
            throw InputError(path + ": corrupt or truncated compressed data (" + msg + ")");
        }
        if (got == 0) return;
        data.insert(data.end(), chunk.begin(), chunk.begin() + got);
        n -= static_cast<std::uint64_t>(got);
    }
}

/// Reads a header of `header_bytes`, asks `expected_total` for the file size the header
/// announces, then reads at most one byte more than that: a compressed file that inflates far
/// beyond its header (a gzip bomb) costs no more memory than an honest one. gzread reads plain
/// files transparently, so one path serves .gz and raw IDX files.
template <typename ExpectedTotal>
std::vector<std::uint8_t> read_bounded(const std::string& path, std::size_t header_bytes,
                                       const char* what, ExpectedTotal&& expected_total) {
    const GzFile f = open_gz(path);
    std::vector<std::uint8_t> data;
    read_up_to(f.get(), path, header_bytes, data);
    if (data.size() < header_bytes)
        throw InputError(path + ": too short for an IDX " + what + " header (" +
                         std::to_string(header_bytes) + " bytes)");
    const std::uint64_t expected = expected_total(data);
    data.reserve(expected);
    read_up_to(f.get(), path, expected + 1 - header_bytes, data);
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

/// `got` is at most expected + 1 (read_bounded stops there).
void require_size(const std::string& path, std::uint64_t got, std::uint64_t expected,
                  const std::string& announced) {
    if (got < expected)
        throw InputError(path + ": holds " + std::to_string(got) +
                         " bytes but its header announces " + announced + " (" +
                         std::to_string(expected) + " bytes): truncated");
    if (got > expected)
        throw InputError(path + ": holds more than the " + std::to_string(expected) +
                         " bytes its header announces (" + announced + "): trailing data");
}

} // namespace

IdxImages read_idx_images(const std::string& path) {
    std::uint32_t count = 0, rows = 0, cols = 0;
    std::uint64_t expected = 0;
    const auto d = read_bounded(path, 16, "image", [&](const std::vector<std::uint8_t>& h) {
        const std::uint32_t magic = be32(h, 0);
        if (magic != 0x00000803)
            throw InputError(path + ": wrong magic number " + hex(magic) +
                             ", expected 0x00000803 (idx3-ubyte images)");
        count = be32(h, 4), rows = be32(h, 8), cols = be32(h, 12);
        if (count == 0 || rows == 0 || cols == 0 || rows > 4096 || cols > 4096 ||
            count > (1u << 28) || std::uint64_t(count) * rows * cols > (std::uint64_t(1) << 32))
            throw InputError(path + ": implausible dimensions " + std::to_string(count) + " x " +
                             std::to_string(rows) + " x " + std::to_string(cols));
        expected = 16 + std::uint64_t(count) * rows * cols;
        return expected;
    });
    require_size(path, d.size(), expected,
                 std::to_string(count) + " images of " + std::to_string(rows) + "x" +
                     std::to_string(cols));
    IdxImages out;
    out.count = static_cast<int>(count);
    out.rows = static_cast<int>(rows);
    out.cols = static_cast<int>(cols);
    out.pixels.assign(d.begin() + 16, d.end());
    return out;
}

IdxLabels read_idx_labels(const std::string& path, int max_label) {
    std::uint32_t count = 0;
    const auto d = read_bounded(path, 8, "label", [&](const std::vector<std::uint8_t>& h) {
        const std::uint32_t magic = be32(h, 0);
        if (magic != 0x00000801)
            throw InputError(path + ": wrong magic number " + hex(magic) +
                             ", expected 0x00000801 (idx1-ubyte labels)");
        count = be32(h, 4);
        if (count > (1u << 28))
            throw InputError(path + ": implausible label count " + std::to_string(count));
        return 8 + std::uint64_t(count);
    });
    require_size(path, d.size(), 8 + std::uint64_t(count), std::to_string(count) + " labels");
    IdxLabels out;
    out.labels.assign(d.begin() + 8, d.end());
    for (std::size_t i = 0; i < out.labels.size(); ++i)
        if (out.labels[i] > max_label)
            throw InputError(path + ": label " + std::to_string(out.labels[i]) + " at index " +
                             std::to_string(i) + " is outside 0.." + std::to_string(max_label));
    return out;
}

} // namespace cbl
