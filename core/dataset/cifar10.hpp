#pragma once
// CIFAR-10 in its binary distribution (Krizhevsky 2009, "Learning multiple layers of features
// from tiny images"): data_batch_1.bin .. data_batch_5.bin (training) and test_batch.bin, each a
// run of 3,073-byte records: one label byte (0..9), then the 32x32 image as three 1,024-byte
// planes, red, green, blue, row-major. Seed 002 section 2.4 trains its CNN on it. The data
// cannot be shipped or fetched here; users pass the folder they downloaded (README).
#include "core/dataset/dataset.hpp"

#include <string>

namespace cbl {

/// True when `dir` holds data_batch_1.bin (the folder is meant as CIFAR-10).
bool is_cifar10_folder(const std::string& dir);
/// Loads the five training batches and the test batch; InputError names the file and the
/// problem (missing batch, size not a whole number of records, label out of range).
DataSplit load_cifar10(const std::string& dir);

} // namespace cbl
