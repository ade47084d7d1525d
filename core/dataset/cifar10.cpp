#include "core/dataset/cifar10.hpp"

#include "core/common/param_error.hpp"

#include <filesystem>
#include <fstream>

namespace cbl {
namespace fs = std::filesystem;
namespace {

constexpr int side = 32, planes = 3;
constexpr std::size_t pixels = std::size_t(side) * side * planes, record = 1 + pixels;
/// The distribution's batches hold 10,000 records; more in one file is not CIFAR-10.
constexpr std::uintmax_t max_records = 10000;

/// Appends the records of one batch file to `d` (columns = samples, features in CHW order).
void read_batch(const fs::path& file, Dataset& d) {
    if (!fs::is_regular_file(file))
        throw InputError(file.string() + ": missing (a CIFAR-10 folder holds data_batch_1.bin .. "
                                         "data_batch_5.bin and test_batch.bin)");
    const std::uintmax_t bytes = fs::file_size(file);
    if (bytes == 0 || bytes % record != 0 || bytes / record > max_records)
        throw InputError(file.string() + ": " + std::to_string(bytes) +
                         " bytes is not a whole number of 3,073-byte CIFAR-10 records (1 label + "
                         "3x32x32 pixels, at most 10,000 per batch)");
    std::ifstream in(file, std::ios::binary);
    std::vector<std::uint8_t> raw(bytes);
    if (!in.read(reinterpret_cast<char*>(raw.data()), std::streamsize(bytes)))
        throw InputError(file.string() + ": cannot be read");
    const auto n = static_cast<Eigen::Index>(bytes / record), first = d.images.cols();
    d.images.conservativeResize(Eigen::Index(pixels), first + n);
    for (Eigen::Index s = 0; s < n; ++s) {
        const std::uint8_t* r = raw.data() + std::size_t(s) * record;
        if (r[0] > 9)
            throw InputError(file.string() + ": label " + std::to_string(r[0]) + " of record " +
                             std::to_string(s) + " is outside 0..9");
        d.labels.push_back(r[0]);
        // Pixels scaled to [0, 1] like the grey-scale sets; channel planes kept (CHW).
        for (std::size_t f = 0; f < pixels; ++f)
            d.images(Eigen::Index(f), first + s) = r[1 + f] * (1.0f / 255.0f);
    }
}

} // namespace

bool is_cifar10_folder(const std::string& dir) {
    return fs::is_regular_file(fs::path(dir) / "data_batch_1.bin");
}

DataSplit load_cifar10(const std::string& dir) {
    DataSplit split;
    split.name = dir;
    for (Dataset* d : {&split.train, &split.test}) {
        d->images.resize(Eigen::Index(pixels), 0);
        d->channels = planes;
        d->height = d->width = side;
    }
    for (int b = 1; b <= 5; ++b)
        read_batch(fs::path(dir) / ("data_batch_" + std::to_string(b) + ".bin"), split.train);
    read_batch(fs::path(dir) / "test_batch.bin", split.test);
    split.description = "CIFAR-10 (" + std::to_string(split.train.size()) + " train / " +
                        std::to_string(split.test.size()) + " test, 3x32x32)";
    return split;
}

} // namespace cbl
